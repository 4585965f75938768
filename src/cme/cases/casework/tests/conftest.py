"""Fixtures of case work tests: api_for, to compare a page with the API."""

from cme.testing.api import api_for

__all__ = ["api_for"]

import pytest


@pytest.fixture(autouse=True)
def _demo_mode(settings):
    """The demo is loaded only in demo mode (CME_DEMO), as `make demo` runs it."""
    settings.CME_DEMO = True

"""The one compiled part of CME Tracker: the register file reader's byte loops (docs/adr/0027).
Everything else about the package is in pyproject.toml."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("cme.attendance._regscan", ["src/cme/attendance/_regscan.c"],
                             extra_compile_args=["-O3", "-std=c11", "-Wall"])])

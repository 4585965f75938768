import pytest


@pytest.fixture(autouse=True)
def _demo_mode(settings, tmp_path):
    """The demo is loaded only in demo mode (CME_DEMO), as `make demo` runs it, with its hand-off
    keys in its data directory."""
    settings.CME_DEMO = True
    settings.CME_HANDOFF_CONFIG = str(tmp_path / "handoff-demo.json")

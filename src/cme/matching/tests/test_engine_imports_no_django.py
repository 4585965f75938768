"""The engine is pure: a benchmark or fuzzer can import it without Django."""

import subprocess
import sys


def test_engine_runs_without_django():
    code = (
        "import sys; sys.modules['django'] = None\n"
        "import cme.matching.engine, cme.matching.batch, cme.matching.names\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

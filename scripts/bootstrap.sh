#!/usr/bin/env bash
# Make .venv: a Python >= 3.12 virtual environment with the locked dependencies and CME Tracker
# installed (editable). Safe to run again: it does nothing when the lock has not changed.
#
#   scripts/bootstrap.sh            # create or update .venv
#   CME_PYTHON=/path/to/python3.13 scripts/bootstrap.sh   # use this interpreter
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV=.venv
LOCK=requirements-dev.txt
STAMP="$VENV/.cme-bootstrap"

say() { printf 'bootstrap: %s\n' "$*"; }

is_good_python() {
    # True when $1 runs, is CPython >= 3.12 and can make a virtual environment.
    [ -n "$1" ] && "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 12))' \
        >/dev/null 2>&1
}

find_python() {
    local wanted="" candidates=() pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}" v
    [ -n "${CME_PYTHON:-}" ] && candidates+=("$CME_PYTHON")
    [ -f .python-version ] && wanted="$(head -n1 .python-version | tr -d '[:space:]')"
    # pyenv's own builds, the version .python-version names first, newest first.
    if [ -d "$pyenv_root/versions" ]; then
        if [ -n "$wanted" ]; then
            while IFS= read -r v; do candidates+=("$pyenv_root/versions/$v/bin/python3"); done \
                < <(ls "$pyenv_root/versions" | grep -E "^${wanted//./\\.}(\.|$)" | sort -rV)
        fi
        while IFS= read -r v; do candidates+=("$pyenv_root/versions/$v/bin/python3"); done \
            < <(ls "$pyenv_root/versions" | grep -E '^3\.[0-9]+\.[0-9]+$' | sort -rV)
    fi
    [ -n "$wanted" ] && candidates+=("python$wanted")
    candidates+=(python3.14 python3.13 python3.12 python3)
    local c path
    for c in "${candidates[@]}"; do
        path="$(command -v "$c" 2>/dev/null || true)"
        if is_good_python "$path"; then
            echo "$path"
            return 0
        fi
    done
    return 1
}

# The venv is fine if its Python is good; otherwise (missing, broken, too old) make it anew.
if ! is_good_python "$VENV/bin/python"; then
    PYTHON="$(find_python)" || {
        echo "bootstrap: CME Tracker needs Python 3.12 or newer with venv." >&2
        echo "  Install one (e.g. 'pyenv install 3.12' or your system's python3.12 and python3.12-venv)," >&2
        echo "  or point CME_PYTHON at it." >&2
        exit 1
    }
    say "creating $VENV with $("$PYTHON" -V 2>&1) ($PYTHON)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi

# The stamp holds a hash of everything that decides what is installed.
# setup.py and the C source too: the editable install compiles the register reader's byte
# loops (src/cme/attendance/_regscan.c), so a change there must build them again.
want="$( { cat "$LOCK" pyproject.toml setup.py src/cme/attendance/_regscan.c; "$VENV/bin/python" -VV; } \
    | sha256sum | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    say "$VENV is up to date ($("$VENV/bin/python" -V))"
    exit 0
fi

pip_install() {
    # Some machines list local package folders that do not exist; pip warns once per package.
    "$VENV/bin/python" -m pip install --quiet --progress-bar off "$@" \
        2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}

say "installing the locked dependencies from $LOCK"
export PIP_DISABLE_PIP_VERSION_CHECK=1
pip_install -r "$LOCK"
# The project itself, editable. The lock constrains any dependency it names, so a dependency
# added to pyproject.toml but not yet locked still installs (run `make freeze` to lock it).
pip_install -c "$LOCK" -e .
echo "$want" > "$STAMP"
say "$VENV is ready ($("$VENV/bin/python" -V))"

if [ ! -x /usr/bin/chromium ] && ! command -v chromium >/dev/null 2>&1; then
    say "note: the browser tests need Chromium (Debian: apt-get install -y chromium)"
fi

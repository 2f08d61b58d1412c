#!/usr/bin/env bash
# No compiler, no problem.  For each way of going without the C extension --
# a C compiler that fails (CC=/bin/false) and DUALDIFF_NO_EXTENSIONS=1 --
# `pip install ".[test]"` in a clean source tree (the sdist, unpacked) must
# succeed, print the one fallback line, build a pure wheel (py3-none-any, not
# a platform wheel without its extension), and the installed package must
# load the pure-Python backend and pass the suite on it, run from outside the
# source tree.
# Usage: scripts/check_no_compiler.sh [SDIST]   (without SDIST, one is built)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
py=${PYTHON:-python3}
fallback="dualdiff: the C extension was not built; the pure-Python backend will be used"

work=$(mktemp -d "${TMPDIR:-/tmp}/dualdiff-nocc.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }
fail() { echo "check_no_compiler: $*" >&2; exit 1; }

sdist=${1:-}
if [ -z "$sdist" ]; then
    step "build the sdist"
    "$py" -m venv "$work/tools"
    "$work/tools/bin/python" -m pip install --quiet build
    "$work/tools/bin/python" -m build --sdist --outdir "$work/dist" "$root" > "$work/sdist.log" 2>&1 \
        || { tail -n 40 "$work/sdist.log"; fail "python -m build --sdist failed"; }
    sdist=$(echo "$work"/dist/*.tar.gz)
fi
sdist=$(cd "$(dirname "$sdist")" && pwd)/$(basename "$sdist")

check() {  # check NAME VAR=VALUE
    local name=$1 setting=$2
    local src="$work/$name/src" venv="$work/$name/venv" run="$work/$name/run" log="$work/$name/pip.log"
    mkdir -p "$src" "$run"
    tar -xzf "$sdist" -C "$src" --strip-components=1

    step "no compiler ($name): $setting pip install -v \".[test]\" (in the unpacked sdist)"
    "$py" -m venv "$venv"
    local status=0
    (cd "$src" && env "$setting" "$venv/bin/python" -m pip install -v ".[test]") > "$log" 2>&1 || status=$?
    echo "pip exit status: $status"
    [ "$status" -eq 0 ] || { tail -n 60 "$log"; fail "pip install failed ($setting)"; }
    # pip shows a build's own output only with -v (or when the build fails);
    # without -v the user sees the wheel's name, py3-none-any.
    grep -F "$fallback" "$log" | sed 's/^ *//' || true
    [ "$(grep -cF "$fallback" "$log")" -eq 1 ] || fail "the fallback line was not printed exactly once"
    grep -E 'Created wheel for dualdiff-ad' "$log" | sed -E 's/^ *//; s/ size=.*//'
    grep -qE 'Created wheel for dualdiff-ad: filename=dualdiff_ad-[^ ]+-py3-none-any\.whl' "$log" \
        || fail "the wheel built without the extension is not a pure (py3-none-any) wheel"

    cd "$run"
    "$venv/bin/python" - <<'PY'
import importlib.metadata as md, sys
import dualdiff
wheel = md.distribution("dualdiff-ad").read_text("WHEEL")
tags = [line.split(": ", 1)[1] for line in wheel.splitlines() if line.startswith("Tag:")]
print(f"dualdiff {dualdiff.__version__} from {dualdiff.__file__}: backend {dualdiff.backend!r}, wheel tag {tags}")
if dualdiff.backend != "python" or tags != ["py3-none-any"] or "Root-Is-Purelib: true" not in wheel:
    sys.exit("check_no_compiler: expected the pure-Python backend from a py3-none-any wheel")
PY
    # The plain run must refuse: it would test "c" and find pure Python.
    status=0
    "$venv/bin/python" -m pytest -p no:cacheprovider -q "$src/tests" > "$work/$name/refuse.log" 2>&1 || status=$?
    if [ "$status" -ne 4 ]; then
        cat "$work/$name/refuse.log"
        fail "plain pytest did not refuse the missing extension (exit status $status, not 4)"
    fi
    echo "plain pytest refuses, as it should (exit status 4):"
    grep -m1 '^ERROR' "$work/$name/refuse.log" || true
    DUALDIFF_PURE_PYTHON=1 "$venv/bin/python" -m pytest -p no:cacheprovider -q "$src/tests"
    cd "$root"
}

check cc-false CC=/bin/false
check no-extensions DUALDIFF_NO_EXTENSIONS=1

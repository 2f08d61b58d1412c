#!/usr/bin/env bash
# The C extension under AddressSanitizer and UndefinedBehaviorSanitizer.
#
# Builds dualdiff._core with -fsanitize=address,undefined (UB aborts: no
# recovery) from a clean copy of this checkout into a fresh virtual
# environment, then runs a subset of the suite on the compiled backend with
# gcc's libasan preloaded (the interpreter itself is not instrumented).  Any
# sanitizer report fails the run: an ASan error or a UB report aborts the
# process (the tests' own child processes inherit all of it, so a report
# there fails its test), and the log is searched for reports besides.
#
# Usage: scripts/sanitize.sh [PYTEST ARGS...]
#   without arguments, the default subset below; with them, pytest runs
#   exactly those (e.g. scripts/sanitize.sh tests/test_arrays.py -x).
# Linux with gcc (libasan, libubsan) only.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
py=${PYTHON:-python3}
SECONDS=0

# The subset: the memory tests (sizes, the kernels' arguments: issue 13)
# and the tests that drive the C kernels hardest (array kernels, sparse
# Hessians, hvp), on the compiled backend only (the pure one runs no C).
# Under ASan the interpreter's every allocation is checked: ~10x slower.
DEFAULT_TESTS=(
    tests/test_robust_memory.py
    tests/test_robust_sparse.py
    tests/test_seams_kernels.py
    tests/test_seams_arrays.py
    tests/test_hessian.py
    tests/test_hvp.py
    -k "not python"
)

work=$(mktemp -d "${TMPDIR:-/tmp}/dualdiff-sanitize.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }
fail() { echo "sanitize: $*" >&2; exit 1; }

asan=$(gcc -print-file-name=libasan.so)
[ -e "$asan" ] && [ "$asan" != libasan.so ] || fail "gcc's libasan.so not found"

step "a clean copy of the checkout (no build outputs)"
mkdir -p "$work/src"
tar -C "$root" --exclude=./build --exclude=./dist --exclude='*.so' --exclude='*.egg-info' \
    --exclude=./.git --exclude='dualdiff/_core.c' --exclude='__pycache__' -cf - . \
    | tar -C "$work/src" -xf -

step "build with -fsanitize=address,undefined into a fresh venv"
"$py" -m venv "$work/venv"
# shellcheck disable=SC1091
. "$work/venv/bin/activate"
if [ -n "${DEPS_FROM:-}" ]; then
    # The test dependencies of another environment (DEPS_FROM: its python;
    # .ci/run passes its own), seen after this venv's own packages, so that
    # the sanitized dualdiff installed here comes first: no minute spent
    # reinstalling numpy and scipy.
    deps=$("$DEPS_FROM" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    here=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$deps" > "$here/zz-sanitize-deps.pth"
    # pytest's entry point for this venv's python (a script: its folder, not
    # the working directory, goes first on sys.path)
    printf '#!%s\nimport sys\nimport pytest\nsys.exit(pytest.main())\n' \
        "$work/venv/bin/python" > "$work/venv/bin/pytest"
    chmod +x "$work/venv/bin/pytest"
    python -m pip install --quiet "setuptools>=68" "Cython>=3.0.10" wheel > "$work/deps.log" 2>&1 \
        || { tail -n 20 "$work/deps.log"; fail "installing the build requirements failed"; }
else
    # What the subset imports, and the build requirements (no build
    # isolation: one environment); not mypy, which nothing here runs.
    python -m pip install --quiet numpy scipy pytest hypothesis mpmath \
        "setuptools>=68" "Cython>=3.0.10" wheel > "$work/deps.log" 2>&1 \
        || { tail -n 20 "$work/deps.log"; fail "installing the test dependencies failed"; }
fi
echo "dependencies in ${SECONDS} s"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
# setup.py's own flags come last (-O3 ...): a compiler wrapper puts -O0
# after them.  The sanitizers check every access at any level; -O0 compiles
# the 100k lines of Cython's C in a third of -O1's time (22 s against 63 s
# of CPU), which is most of this script's cost.
printf '#!/bin/sh\nexec gcc "$@" -O0\n' > "$work/cc"
chmod +x "$work/cc"
build=$SECONDS
CC="$work/cc" CFLAGS="$san" LDFLAGS="$san" \
    python -m pip install --quiet --no-build-isolation --no-deps -v "$work/src" > "$work/pip.log" 2>&1 \
    || { tail -n 40 "$work/pip.log"; fail "the sanitized build failed"; }
# (found as a file: importing dualdiff without libasan preloaded fails)
so=$(ls "$(python -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')"/dualdiff/_core.*.so \
     2>/dev/null) || { tail -n 40 "$work/pip.log"; fail "no compiled extension was installed"; }
ldd "$so" | grep -q libasan || { grep -n "gcc\|cc \|Cython\|extension" "$work/pip.log" | tail -n 20; fail "$so is not linked with ASan"; }
echo "built in $((SECONDS - build)) s: $so"

step "the compiled backend loads under ASan"
export LD_PRELOAD="$asan"
# detect_leaks=0: CPython's own allocations are not freed at exit.
# allocator_may_return_null=1: an allocation past a test's memory limit
# (RLIMIT_AS) is a MemoryError in Python, not an ASan abort.
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export PYTHONFAULTHANDLER=1
(cd "$work" && python -c '
import sys, dualdiff
print(f"dualdiff {dualdiff.__version__}: backend {dualdiff.backend!r} from {dualdiff.__file__}")
sys.exit(dualdiff.backend != "c")') || fail "the sanitized extension did not load"

if [ "$#" -gt 0 ]; then
    tests=("$@")
else
    tests=("${DEFAULT_TESTS[@]}")
fi
step "pytest ${tests[*]} (under ASan + UBSan)"
start=$SECONDS
status=0
# `pytest`, not `python -m pytest`, which would put the source tree's
# dualdiff (pure Python: no extension there) first on sys.path
(cd "$work/src" && pytest -q -p no:cacheprovider "${tests[@]}") 2>&1 \
    | tee "$work/pytest.log" || status=$?
if grep -E -q "ERROR: AddressSanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior)Sanitizer" \
        "$work/pytest.log"; then
    grep -E -A3 "ERROR: AddressSanitizer|runtime error:|SUMMARY:" "$work/pytest.log" | head -n 40
    fail "a sanitizer report (above)"
fi
[ "$status" -eq 0 ] || fail "the tests failed under the sanitizers (pytest status $status)"
echo "tests in $((SECONDS - start)) s"

echo "== sanitize.sh done in $((SECONDS / 60)) min $((SECONDS % 60)) s"

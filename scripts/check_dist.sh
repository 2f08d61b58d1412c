#!/usr/bin/env bash
# The distribution, end to end, as a user and a packager meet it:
#   1. `python -m build` makes the sdist, then builds the wheel from that sdist
#      in a fresh isolated environment (so the sdist alone suffices);
#   2. the sdist holds src_c/, the .pyx/.pxd/.pxi sources, the tests, README
#      and LICENSE, and no generated C, compiled module or build output;
#   3. twine accepts the metadata; `auditwheel show` names the wheel's
#      platform tag (Linux);
#   4. the wheel, installed into a fresh venv with the `test` extra, passes
#      the sdist's test suite run from outside any source tree, with
#      dualdiff imported from site-packages and dualdiff.backend == "c";
#   5. scripts/check_no_compiler.sh on the same sdist.
# Usage: scripts/check_dist.sh   (PYTHON=python3.12 to pick the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
py=${PYTHON:-python3}

work=$(mktemp -d "${TMPDIR:-/tmp}/dualdiff-dist.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }
fail() { echo "check_dist: $*" >&2; exit 1; }

step "tools (build, twine, auditwheel) in a throwaway venv"
"$py" -m venv "$work/tools"
"$work/tools/bin/python" -m pip install --quiet build twine auditwheel

step "python -m build: the sdist, then the wheel built from it in a fresh environment"
"$work/tools/bin/python" -m build --outdir "$work/dist" "$root" > "$work/build.log" 2>&1 \
    || { tail -n 60 "$work/build.log"; fail "python -m build failed"; }
grep -E '^\* (Building|Creating)|^Successfully built' "$work/build.log"
if grep -q '^dualdiff: the C extension was not built' "$work/build.log"; then
    grep '^dualdiff:' "$work/build.log"
    fail "the wheel was built without its C extension"
fi
sdists=("$work"/dist/*.tar.gz)
wheels=("$work"/dist/*.whl)
if [ ${#sdists[@]} -ne 1 ] || [ ${#wheels[@]} -ne 1 ]; then fail "expected one sdist and one wheel in dist/"; fi
sdist=${sdists[0]} wheel=${wheels[0]}
echo "sdist: $(basename "$sdist") ($(du -k "$sdist" | cut -f1) KiB)"
echo "wheel: $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"

step "sdist contents"
tar -tzf "$sdist" | sed 's|^[^/]*/||' | grep -v '/$' | grep . | sort > "$work/sdist.txt"
echo "$(wc -l < "$work/sdist.txt") files; the C core, Cython sources, stubs and tests:"
grep -E '^(src_c/|dualdiff/[^/]*\.(pyx|pxd|pxi|pyi)$|dualdiff/py\.typed$|LICENSE$|README\.md$)' "$work/sdist.txt" \
    | tr '\n' ' '; echo
echo "tests/: $(grep -c '^tests/' "$work/sdist.txt") files"
shopt -s nullglob
missing=()
for f in README.md LICENSE pyproject.toml setup.py MANIFEST.in src_c/*.h dualdiff/*.pyx dualdiff/*.pxd \
         dualdiff/*.pxi dualdiff/*.pyi dualdiff/py.type[d] tests/*.py; do
    grep -qxF "$f" "$work/sdist.txt" || missing+=("$f")
done
shopt -u nullglob
[ ${#missing[@]} -eq 0 ] || fail "missing from the sdist: ${missing[*]}"
if grep -E '\.(so|pyd|o|obj|pyc|dylib|dll)$|^dualdiff/[^/]*\.c$|^(build|dist|wheelhouse)/|__pycache__' \
        "$work/sdist.txt"; then
    fail "generated or compiled files (above) are in the sdist"
fi
echo "ok: every source and test file is in, and no generated C, compiled module or build output"

step "twine check"
"$work/tools/bin/python" -m twine --no-color check --strict "$sdist" "$wheel"

step "wheel contents"
"$work/tools/bin/python" - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
core = [n for n in names if n.startswith("dualdiff/_core.") and n.endswith((".so", ".pyd"))]
tag = [line for line in zipfile.ZipFile(sys.argv[1]).read(
    next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode().splitlines() if line.startswith("Tag:")]
print(f"{len(names)} files; extension: {core}; {tag}")
if not core or "none-any" in sys.argv[1]:
    sys.exit("check_dist: the wheel has no compiled dualdiff._core")
if any(n.startswith("tests/") or n.endswith(".c") for n in names):
    sys.exit("check_dist: tests or generated C in the wheel")
PY

if [ "$(uname -s)" = Linux ]; then
    step "auditwheel show"
    "$work/tools/bin/auditwheel" show "$wheel"
fi

step "install the wheel into a fresh venv: pip install '$(basename "$wheel")[test]'"
"$py" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "${wheel}[test]"

step "tests of the sdist against the installed wheel, from outside the source tree"
mkdir "$work/src" "$work/run"
tar -xzf "$sdist" -C "$work/src" --strip-components=1
cd "$work/run"
"$work/venv/bin/python" - <<'PY'
import sys, sysconfig
import dualdiff
site = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
print(f"dualdiff {dualdiff.__version__} from {dualdiff.__file__}: backend {dualdiff.backend!r}")
if not any(dualdiff.__file__.startswith(s) for s in site):
    sys.exit("check_dist: dualdiff was not imported from the venv's site-packages")
if dualdiff.backend != "c":
    sys.exit("check_dist: the installed wheel did not load its C extension")
PY
"$work/venv/bin/python" -m pytest -p no:cacheprovider -q "$work/src/tests"

cd "$root"
bash scripts/check_no_compiler.sh "$sdist"

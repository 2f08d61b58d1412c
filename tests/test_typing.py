"""Type stubs: dualdiff ships .pyi stubs and a py.typed marker (PEP 561).

- The stubs declare the public namespace, the compiled module's names and
  dualdiff.finite's (parsed with ast: no mypy needed).
- mypy --strict accepts a small user program (tests/_typing_user.py) and a
  file of assert_type checks, and rejects, line by line, a file of
  deliberate type errors: so the stubs are used, and are not Any.
- The user program and the assert_type checks also run, on each backend:
  the checks compare every declared type with the value returned at runtime.
- mypy's stubtest compares the stubs with each backend's runtime objects:
  names, parameter names, kinds and defaults.

mypy resolves ``dualdiff`` to the package these tests import: the source
tree (on MYPYPATH) or an installed wheel (through py.typed).
"""

import ast
import os
import re
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import dualdiff
import dualdiff.finite
from dualdiff._public import BACKEND_NAMES

PACKAGE = Path(dualdiff.__file__).resolve().parent
USER_SCRIPT = Path(__file__).resolve().with_name("_typing_user.py")
STUBS = ("__init__.pyi", "_core.pyi", "finite.pyi")
STUB_MODULES = ("dualdiff", "dualdiff._core", "dualdiff.finite")

# ---------------------------------------------------------------------------
# What the stubs declare
# ---------------------------------------------------------------------------


def _declared(stub):
    """(names bound at the top level of a stub, its __all__ or None)."""
    names, all_ = set(), None
    for node in ast.parse((PACKAGE / stub).read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names.add(target.id)
                    if target.id == "__all__":
                        all_ = ast.literal_eval(node.value)
        elif isinstance(node, ast.ImportFrom):
            # only `import x as x` re-exports a name from a stub
            names.update(a.asname for a in node.names if a.asname == a.name)
    return names, all_


def test_stubs_ship_with_the_package():
    assert (PACKAGE / "py.typed").is_file()
    for stub in STUBS:
        assert (PACKAGE / stub).is_file(), stub


def test_public_stub_declares_the_public_namespace():
    names, all_ = _declared("__init__.pyi")
    assert sorted(set(dualdiff.__all__) - names) == []
    assert all_ is not None and sorted(all_) == sorted(dualdiff.__all__)
    # and nothing public that the namespace does not have
    extra = {n for n in names if not n.startswith("_")} - set(dualdiff.__all__)
    assert sorted(extra - {"RULE_NAMES", "finite"}) == []
    assert hasattr(dualdiff, "RULE_NAMES") and hasattr(dualdiff, "finite")


def test_core_stub_declares_the_backend_names():
    names, _ = _declared("_core.pyi")
    assert sorted(set(BACKEND_NAMES) - names) == []


def test_finite_stub_declares_the_module():
    names, all_ = _declared("finite.pyi")
    module = vars(dualdiff.finite)
    public = {n for n, v in module.items() if not n.startswith("_")
              and not isinstance(v, type(os))   # the modules it imports
              and getattr(v, "__module__", "dualdiff.finite") == "dualdiff.finite"}
    assert sorted(public - names) == []
    assert all_ == dualdiff.finite.__all__

# ---------------------------------------------------------------------------
# Checked files: assert_type checks (run too) and deliberate errors
# ---------------------------------------------------------------------------

# Each check is `check(expression, declared type)`: assert_type for mypy; at
# runtime, that the value is of that type (arrays: ndarray of that dtype).
CHECKS = '''
import math
import types
import typing
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

import dualdiff as dd
from dualdiff import finite

if TYPE_CHECKING:
    from typing_extensions import assert_type as check
else:
    def matches(value, expected):
        origin, args = typing.get_origin(expected), typing.get_args(expected)
        if expected is Any:
            return True
        if origin in (typing.Union, types.UnionType):
            return any(matches(value, a) for a in args)
        if origin is Literal:
            return value in args
        if origin is np.ndarray:
            scalar = typing.get_args(args[1])[0]
            return isinstance(value, np.ndarray) and (
                scalar is Any or np.issubdtype(value.dtype, scalar))
        if origin in (list, tuple, dict):
            if not isinstance(value, origin):
                return False
            if origin is list:
                return all(matches(v, args[0]) for v in value)
            if origin is dict:
                return all(matches(k, args[0]) and matches(v, args[1]) for k, v in value.items())
            if len(args) == 2 and args[1] is Ellipsis:
                return all(matches(v, args[0]) for v in value)
            return len(value) == len(args) and all(map(matches, value, args))
        if expected is float:
            return isinstance(value, float)
        return isinstance(value, expected)

    def check(value, expected):
        assert matches(value, expected), f"{value!r} is not of the declared type {expected}"


F64 = NDArray[np.float64]
a: F64 = np.array([0.5, 0.75, 1.0])
x = dd.Dual(0.5, 1.0)
h = dd.HyperDual(0.5, 1.0, 1.0)
g = dd.GradientDual(0.5, {0: 1.0})
X = dd.DualArray(a, 1.0)
H = dd.HyperDualArray(a, 1.0, 1.0)


def f(v: Any) -> Any:
    return v * v


def vector_f(v: Any) -> list[Any]:
    return [v[0] * v[1], v[0] + v[1]]


def scalar_f(v: Any) -> float:
    product: float = v[0] * v[1]
    return product


# elementwise functions keep the argument's type
check(dd.sin(2.0), float)
check(dd.sin(2), float)
check(dd.sin(a), NDArray[Any])
check(dd.sin(x), dd.Dual)
check(dd.exp(h), dd.HyperDual)
check(dd.tanh(g), dd.GradientDual)
check(dd.sigmoid(X), dd.DualArray)
check(dd.asin(H), dd.HyperDualArray)
check(dd.log(x, 2.0), dd.Dual)
check(dd.leaky_relu(x, alpha=0.2), dd.Dual)
check(dd.gelu(1.0, approximate=True), float)
check(dd.gelu(x, approximate="tanh"), dd.Dual)
check(dd.gelu(a, approximate=np.True_), NDArray[Any])
check(X.gelu("none"), dd.DualArray)
check(X.sum(keepdims=np.True_), dd.DualArray | dd.Dual)
check(dd.gradient(lambda v: v[0] * v[0], [1.0], vectorized=np.False_), NDArray[np.float64])
check(dd.fabs(x), dd.Dual)
check(dd.power(x, 2), dd.Dual)
check(dd.pow(2.0, x), dd.Dual)
check(dd.arctan2(X, 1.0), dd.DualArray)
check(dd.hypot(3.0, 4.0), float)
check(dd.softmax([1.0, 2.0]), list[float])
check(dd.softmax([x, x]), list[dd.Dual])
check(dd.softmax(a), F64)
check(dd.softmax(X, axis=0), dd.DualArray)
check(dd.logsumexp([1.0, 2.0]), float)
check(dd.logsumexp(a), float)
check(dd.logsumexp([h, h]), dd.HyperDual)

# arithmetic, attributes, methods
check(x + 1, dd.Dual)
check(2 * x, dd.Dual)
check(1.0 / x, dd.Dual)
check(2**x, dd.Dual)
check(x**x, dd.Dual)
check(-abs(x), dd.Dual)
check(math.floor(x), dd.Dual)
check(x < 2.0, bool)
check(x.real, float)
check(x.dual, float)
check(h.e12, float)
check(x.sin().cos(), dd.Dual)
check(g.partials, dict[int, float])
check(g.gradient(1), F64)
check(X + x, dd.DualArray)
check(x + X, dd.DualArray)
check(a * X, dd.DualArray)
check(X * a, dd.DualArray)
check(X**2, dd.DualArray)
check(X.dual, F64)
check(X[0], dd.DualArray | dd.Dual)
check(H.sum(), dd.HyperDualArray | dd.HyperDual)
check(X > 0.5, NDArray[np.bool_])
check(X.shape, tuple[int, ...])

# derivatives
check(dd.derivative(f, 1.0), float)
check(dd.derivative(f, a), F64)
check(dd.derivative(f)(1.0), float)
check(dd.second_derivative(f, 1), float)
check(dd.second_derivative(f)(a), F64)
check(dd.value_and_derivative(f, 1.0), tuple[float, float])
check(dd.value_and_derivative(f, a), tuple[F64, F64])
check(dd.gradient(scalar_f, [1.0, 2.0]), F64)
check(dd.gradient(scalar_f)(a[:2]), F64)
check(dd.value_and_gradient(scalar_f, (1.0, 2.0)), tuple[float, F64])
check(dd.jacobian(vector_f, [1, 2]), F64)
check(dd.jvp(vector_f, a[:2], a[:2]), F64)
check(dd.jvp(scalar_f, a[:2], a[:2]), float)
check(dd.jvp(vector_f)(a[:2], a[:2]), F64)
check(dd.hessian(scalar_f, a[:2]), F64)
check(dd.hessian(scalar_f)(a[:2]), F64)
check(dd.hvp(scalar_f, a[:2], a[:2]), F64)
auto_gradient = dd.gradient(scalar_f, vectorized="auto")
check(auto_gradient(a[:2]), F64)
check(auto_gradient.vectorized_choices, dict[int, bool])
check(dd.value_and_gradient(scalar_f, vectorized="auto")(a[:2]), tuple[float, F64])
check(dd.jacobian(vector_f, vectorized="auto")([1.0, 2.0]), F64)
check(dd.jvp(scalar_f, vectorized="auto")(a[:2], a[:2]), float)
check(dd.jvp(vector_f, vectorized="auto")(a[:2], a[:2]), F64)
check(dd.hessian(scalar_f, vectorized="auto")(a[:2]), F64)
check(dd.hvp(scalar_f, vectorized="auto")(a[:2], a[:2]), F64)
check(dd.hvp(scalar_f, vectorized="auto").vectorized_choices, dict[int, bool])
check(dd.backend, Literal["c", "python"])
check(dd.__version__, str)

# finite differences
check(finite.central_difference(math.sin, 1.0), float)
check(finite.central_difference(np.sin, a, accuracy=4), F64)
check(finite.complex_step(lambda z: z * z, 1.0), float)
check(finite.fd_hessian(lambda v: float(v[0] * v[1]), [1.0, 2.0]), F64)
'''

# Every line marked `# E` must get a mypy error, and no other line.
ERRORS = '''
import math
from typing import Any

import dualdiff as dd
from dualdiff import finite


def f(v: Any) -> Any:
    return v * v


x = dd.Dual(1.0, 1.0)
X = dd.DualArray([1.0, 2.0])
dd.derivative(f, "2")  # E: a string point
s: str = dd.derivative(f, 2.0)  # E: a float result
math.sin(x)  # E: would drop the derivative (TypeError at runtime)
float(x)  # E: likewise
x + "a"  # E
x + dd.HyperDual(1.0)  # E: Dual and HyperDual do not mix
x.dual = 2.0  # E: read-only
dd.second_derivative(f, x)  # E: no nested second derivative
dd.gradient(f, 1.0)  # E: a scalar point
dd.gradient(f, [1.0], vectorize=True)  # E: misspelt keyword
dd.hessian(f, [1.0], vectorize=True)  # E: misspelt keyword
dd.gradient(f, [1.0], vectorized="auto")  # E: "auto" only without x (ValueError at runtime)
dd.jacobian(f, vectorized="yes")  # E: True, False or "auto"
dd.gradient(f).vectorized_choices  # E: only the "auto" function has it
dd.leaky_relu(1.0, alpha="0.1")  # E
dd.gelu(1.0, approximate="no")  # E: True, False, "tanh" or "none"
x.gelu(1)  # E: not a truth value
X[0] = 2.0  # E: the arrays are immutable
X + dd.HyperDual(1.0)  # E
finite.central_difference(math.sin, 1.0, accuracy=3)  # E
finite.fd_gradient(f, [1.0], method="midpoint")  # E
dd.backend == "fortran"  # E: "c" or "python"
'''

_MYPY_ERROR = re.compile(r"^(?P<file>.+?):(?P<line>\d+): error: (?P<message>.*)$")


def _site_packages():
    dirs = set(site.getsitepackages()) | {site.getusersitepackages()}
    dirs |= {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    return {os.path.normcase(os.path.realpath(d)) for d in dirs}


def _installed():
    """The dualdiff under test is an installed one (in site-packages)."""
    return os.path.normcase(os.path.realpath(str(PACKAGE.parent))) in _site_packages()


def _environment(backend=None):
    """The environment for a subprocess that must see the same dualdiff as
    these tests: its parent folder on PYTHONPATH and MYPYPATH, unless that
    is site-packages (an installed wheel: found there, through py.typed)."""
    env = dict(os.environ)
    env.pop("MYPYPATH", None)
    parent = str(PACKAGE.parent)
    if not _installed():
        env["MYPYPATH"] = parent
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [parent, env.get("PYTHONPATH")]))
    if backend is not None:
        env["DUALDIFF_PURE_PYTHON"] = "1" if backend == "python" else "0"
    return env


@pytest.fixture(scope="module")
def checked_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("typing")
    (folder / "typing_checks.py").write_text(CHECKS.lstrip(), encoding="utf-8")
    (folder / "typing_errors.py").write_text(ERRORS.lstrip(), encoding="utf-8")
    (folder / "mypy.ini").write_text("[mypy]\n", encoding="utf-8")
    return folder


def _run(args, cwd, env):
    return subprocess.run(args, check=False, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def mypy_errors(checked_files):
    """mypy --strict on the stubs, the user program, the checks and the errors,
    in one run: {file name: {line: [messages]}}."""
    pytest.importorskip("mypy")
    folder = checked_files
    programs = [str(USER_SCRIPT), str(folder / "typing_checks.py"), str(folder / "typing_errors.py")]
    stubs = [str(PACKAGE / s) for s in STUBS]
    if _installed():
        # a file inside site-packages makes mypy take site-packages for a
        # source root ("shadows library module"): check the installed stubs
        # by module name instead, in a run of their own (mypy takes modules
        # or files, not both)
        runs = [[a for name in STUB_MODULES for a in ("-m", name)], programs]
    else:
        runs = [stubs + programs]
    errors = {}
    for targets in runs:
        result = _run([sys.executable, "-m", "mypy", "--strict",
                       "--config-file", str(folder / "mypy.ini"),
                       "--cache-dir", str(folder / ".mypy_cache"),
                       "--no-error-summary", "--hide-error-context", *targets],
                      folder, _environment())
        for line in result.stdout.splitlines():
            m = _MYPY_ERROR.match(line)
            if m:
                in_file = errors.setdefault(Path(m["file"]).name, {})
                in_file.setdefault(int(m["line"]), []).append(m["message"])
            elif ": note: " not in line:   # a crash, a usage error, an unreadable file
                pytest.fail(f"unexpected mypy output:\n{result.stdout}\n{result.stderr}")
        if result.returncode not in (0, 1) or result.stderr.strip():
            pytest.fail(f"mypy failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return errors


def _report(errors):
    return "\n".join(f"  {line}: {m}" for line, ms in sorted(errors.items()) for m in ms)


@pytest.mark.parametrize("name", [*STUBS, USER_SCRIPT.name, "typing_checks.py"])
def test_mypy_strict_passes(mypy_errors, name):
    errors = mypy_errors.get(name, {})
    assert not errors, f"mypy --strict reports, in {name}:\n{_report(errors)}"


def test_mypy_reports_each_type_error(mypy_errors):
    marked = {i for i, line in enumerate(ERRORS.lstrip().splitlines(), 1) if "# E" in line}
    reported = mypy_errors.get("typing_errors.py", {})
    assert sorted(marked - set(reported)) == [], "lines without the expected error"
    assert sorted(set(reported) - marked) == [], f"unexpected errors:\n{_report(reported)}"

# ---------------------------------------------------------------------------
# The typed programs run, and the stubs match each backend
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("program", [USER_SCRIPT.name, "typing_checks.py"])
def test_typed_programs_run(dd, checked_files, program):
    path = USER_SCRIPT if program == USER_SCRIPT.name else checked_files / program
    result = _run([sys.executable, "-W", "error", str(path)], checked_files,
                  _environment(dd.backend))
    assert result.returncode == 0, \
        f"{program} on the {dd.backend} backend:\n{result.stdout}{result.stderr}"
    if path == USER_SCRIPT:
        assert result.stdout.startswith(f"ok ({dd.backend},")


# stubtest checks every submodule; the private ones have no stubs of their own
# (their source is their own reference), and the compiled module's doctest
# table is no API.
STUBTEST_ALLOWLIST = r"""
dualdiff\._(?!core\b)\w+(\..*)?
dualdiff\.arrays(\..*)?
dualdiff\._core\.__test__
"""


def test_stubs_match_the_runtime(dd, checked_files):
    pytest.importorskip("mypy")
    folder = checked_files
    (folder / "stubtest.ini").write_text(
        "[mypy]\nignore_errors = True\nignore_missing_imports = True\n", encoding="utf-8")
    allowlist = STUBTEST_ALLOWLIST.lstrip()
    try:
        import dualdiff._core  # noqa: F401
    except ImportError:   # installed without the extension: nothing to compare _core.pyi with
        allowlist += "dualdiff\\._core(\\..*)?\n"
    (folder / "allowlist.txt").write_text(allowlist, encoding="utf-8")
    result = _run([sys.executable, "-m", "mypy.stubtest", "dualdiff",
                   "--mypy-config-file", str(folder / "stubtest.ini"),
                   "--allowlist", str(folder / "allowlist.txt"), "--ignore-unused-allowlist"],
                  folder, _environment(dd.backend))
    assert result.returncode == 0, \
        f"stubtest on the {dd.backend} backend:\n{result.stdout}{result.stderr}"

"""The backend interface (dualdiff._backend): both backends provide every
name of it, and neither imports the operators (dualdiff.api) above it."""

import re
from pathlib import Path

import numpy as np
import pytest

import dualdiff
from dualdiff import _backend
from dualdiff.api import namespace as api_namespace


def _backends():
    names = ["python"]
    try:
        _backend.load_backend("c")
        names.append("c")
    except ImportError:
        pass
    return names


@pytest.mark.parametrize("name", _backends())
def test_backend_provides_the_interface(name):
    module = _backend.load_backend(name)
    missing = [n for n in _backend.INTERFACE if not hasattr(module, n)]
    assert not missing, f"{module.__name__} lacks {missing}"
    for n in ("_fast_gradient", "_fast_hessian", "_gradient_seeds", "_hessian_seeds",
              "_hvp_seeds", "derivative"):
        assert callable(getattr(module, n)), n
    tags = module._tags
    assert all(callable(getattr(tags, n)) for n in ("new", "of", "dual", "hyper"))


@pytest.mark.parametrize("name", _backends())
def test_fast_paths_decline_before_evaluating(name):
    module = _backend.load_backend(name)
    calls = []

    def f(v):
        calls.append(v)
        return v[0]

    for fast in (module._fast_gradient, module._fast_hessian):
        for x, vectorized, args in (([1.0, 2.0], False, ()), (None, True, ()), (None, False, (1,))):
            point = np.array([1.0, 2.0]) if x is None else x
            assert fast(f, point, vectorized, args, None) is None
    assert calls == []


#: The modules below the operators: the two backends and what they import.
BELOW = ("_backend.py", "_common.py", "_array.py", "_nested.py", "_core.pyx", "_pure")


def test_backends_do_not_import_the_operators():
    package = Path(dualdiff.__file__).resolve().parent
    files = [p for name in BELOW for p in
             ((package / name).rglob("*.py") if (package / name).is_dir() else [package / name])
             if p.exists()]
    assert any(p.name == "_core.pyx" for p in files) or not (package / "_core.pyx").exists()
    above = re.compile(r"^\s*(from|import)\s+dualdiff(\.api\b|\._public\b|\s+import\s+.*\b(api|_public)\b)",
                       re.M)
    offenders = [str(p.relative_to(package)) for p in files if above.search(p.read_text("utf-8"))]
    assert offenders == []


@pytest.mark.parametrize("name", _backends())
def test_operators_are_bound_once_per_backend(name):
    ops = api_namespace.operators(name)
    assert ops is api_namespace.operators(name)
    assert getattr(api_namespace, name) is ops
    for n in api_namespace.OPERATOR_NAMES:
        f = getattr(ops, n)
        assert f.__name__ == n and f.__qualname__ == f"{name}.{n}"
        assert f.__globals__["backend"] is _backend.load_backend(name)
    with pytest.raises(AttributeError):
        api_namespace.fortran

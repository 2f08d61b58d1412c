"""dualdiff/_spec.py is the one list of functions: everything it implies exists.

What is generated at build time (the C rule list, the compiled functions and
methods) is checked through its effects; what is generated into committed
files (stubs, README) is checked for staleness; what each backend writes by
hand around the spec (the rule bodies, the implementations of functions with
parameters, their methods) is checked member by member, on both backends.
"""

import inspect
import math
import os

import numpy as np
import pytest

import dualdiff
from dualdiff import _codegen, _public, _spec
from dualdiff._expr import FUNCTIONS as CLI_FUNCTIONS
from dualdiff._nested import FUNCTIONS as NESTED_FUNCTIONS

FUNCTIONS = [f.name for f in _spec.FUNCTIONS]
METHODS = list(_spec.METHODS)


def backend_module(dd):
    return _public.load_backend(dd.backend)


def point(name):
    """A point inside every function's domain."""
    return 1.5 if name == "arccosh" else 0.5


def number_types(dd, a):
    """An instance of each of the backend's six number types, at a."""
    module = backend_module(dd)
    g = dd.GradientDual(a, {0: 1.0})
    nested = module.NestedDual(dd.HyperDual(a, 1.0, 1.0, 0.0), 1, 2)
    return {
        "Dual": dd.Dual(a, 1.0), "HyperDual": dd.HyperDual(a, 1.0, 1.0, 0.0),
        "GradientDual": g, "HessianDual": dd.HessianDual(a, {0: 1.0}),
        "_DirectionalDual": module._DirectionalDual(g, dd.GradientDual(1.0)),
        "NestedDual": nested,
    }


def array_types(dd, a):
    x = np.array([a, a + 0.25])
    return {"DualArray": dd.DualArray(x, np.ones(2)),
            "HyperDualArray": dd.HyperDualArray(x, np.ones(2), np.ones(2), np.zeros(2))}


#: The checkout (or sdist) the suite belongs to: the generated blocks are in its files.
SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _source_files():
    missing = [p for p in _codegen.BLOCKS if not os.path.isfile(os.path.join(SOURCE, p))]
    if missing:   # the suite runs from outside a source tree (a wheel's tests)
        pytest.skip(f"no source tree beside the tests: {missing[0]} not found in {SOURCE}")


def test_generated_blocks_are_current():
    _source_files()
    stale = _codegen.stale_files(SOURCE)
    assert not stale, f"run `python -m dualdiff._codegen --write`: stale {stale}"


def test_generated_blocks_are_checked():
    # the staleness check can fail: a changed spec changes the rendered text
    _source_files()
    path = "dualdiff/__init__.pyi"
    with open(os.path.join(SOURCE, path), encoding="utf-8") as fh:
        text = fh.read()
    extra = _spec.Function("twice", doc="twice(x) -> 2x.  d/dx = 2.", group="exponential",
                           rule=_spec.POLE)

    class Spec:
        FUNCTIONS = _spec.FUNCTIONS + (extra,)
        ALIASES = _spec.ALIASES

    rendered = _codegen.render(path, text, Spec)
    assert rendered != text and "def twice(x: float) -> float: ..." in rendered


def test_rule_table_is_the_spec(dd):
    assert tuple(dd.RULE_NAMES) == _spec.RULE_NAMES
    assert len(set(_spec.RULE_NAMES)) == len(_spec.RULE_NAMES)


def test_pure_rules_follow_the_spec_flags():
    from dualdiff._pure import _rules as R
    assert tuple(R.RULES) == _spec.RULE_NAMES
    for name, flag in _spec.RULES:
        assert R.RULES[name][1] == (R.OVERFLOWS if flag == _spec.OVERFLOWS else R.POLE), name


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_function_is_the_spec_entry(dd, name):
    f = _spec.BY_NAME[name]
    fn = getattr(dd, name)
    assert fn is backend_module(dd).FUNCTIONS[name]
    assert inspect.cleandoc(fn.__doc__) == f.docstring
    assert str(inspect.signature(fn)) == f"({', '.join(f.params)})"
    assert fn.__name__ == name
    assert name in _public.BACKEND_NAMES
    assert hasattr(dualdiff, name) and name in dualdiff.__all__


def _methods_agree(dd, name, instances):
    """Each instance's method `name` exists, keeps the type and has the function's value."""
    f = _spec.BY_NAME[name]
    args = (0.5,) if len(f.params) > 1 and "=" not in f.params[1] else ()
    for kind, x in instances.items():
        method = getattr(x, name, None)
        assert callable(method), f"{kind}.{name} is missing"
        y = method(*args)
        assert type(y) is type(x), f"{kind}.{name} gave {type(y).__name__}"
        expected = [getattr(dd, name)(float(v), *args) for v in np.ravel(x.real)]
        assert np.allclose(np.ravel(y.real), expected, rtol=1e-15), f"{kind}.{name}"


@pytest.mark.parametrize("name", METHODS)
def test_every_number_type_has_the_method(dd, name):
    _methods_agree(dd, name, number_types(dd, point(name)))


@pytest.mark.parametrize("name", METHODS)
def test_every_array_type_has_the_method(dd, name):
    _methods_agree(dd, name, array_types(dd, point(name)))


@pytest.mark.parametrize("name", [f.name for f in _spec.FUNCTIONS if f.ufuncs])
def test_numpy_ufuncs_reach_the_function(dd, name):
    f = _spec.BY_NAME[name]
    x = dd.Dual(point(name), 1.0)
    args = (x,) if len(f.params) == 1 or "=" in f.params[1] else (x, 0.75)
    expected = getattr(dd, name)(*args)
    for ufunc in f.ufuncs:
        got = getattr(np, ufunc)(*args)
        assert type(got) is dd.Dual and got.real == expected.real and got.dual == expected.dual, ufunc


@pytest.mark.parametrize("name", [f.name for f in _spec.FUNCTIONS if f.scipy])
def test_scipy_names_mean_the_same(dd, name):
    special = pytest.importorskip("scipy.special")
    f = _spec.BY_NAME[name]
    x = [0.25, -0.5, 1.5]
    expected = getattr(special, f.scipy)(x) if f.group == "sequence" else [
        getattr(special, f.scipy)(v) for v in x]
    got = getattr(dd, name)(x) if f.group == "sequence" else [getattr(dd, name)(v) for v in x]
    assert np.allclose(got, expected, rtol=1e-15, atol=0)


def test_cli_and_nesting_know_every_function_of_numbers():
    of_numbers = {f.name for f in _spec.FUNCTIONS if f.group != "sequence"}
    assert set(NESTED_FUNCTIONS) == of_numbers
    assert set(CLI_FUNCTIONS) == of_numbers | set(_spec.ALIASES)
    for name, target in _spec.ALIASES.items():
        assert CLI_FUNCTIONS[name] == _spec.BY_NAME[target].arguments


@pytest.mark.parametrize("name", [f.name for f in _spec.FUNCTIONS if f.group != "sequence"])
def test_nested_calls_reach_the_function(dd, name):
    # a function of the spec inside a derivative call inside another (NestedDual)
    f = _spec.BY_NAME[name]
    fn = getattr(dd, name)
    extra = (1.5,) if len(f.params) > 1 and "=" not in f.params[1] else ()

    def outer(a):
        return dd.derivative(lambda b: fn(0.25 * a + b, *extra) * a, point(name))

    got = dd.derivative(outer, 1.0)
    h = 1e-6
    fd = (outer(1.0 + h) - outer(1.0 - h)) / (2 * h)
    assert math.isclose(got, fd, rel_tol=1e-5, abs_tol=1e-7), (got, fd)


def test_values_flag_means_a_float_array_loop(dd):
    # the functions the spec marks `values` give float arrays without an object step
    x = np.linspace(-2.0, 2.0, 9)
    for f in _spec.FUNCTIONS:
        if f.values:
            y = getattr(dd, f.name)(x)
            assert isinstance(y, np.ndarray) and y.dtype == np.float64, f.name
            assert np.allclose(y, [getattr(dd, f.name)(float(v)) for v in x], rtol=1e-14), f.name

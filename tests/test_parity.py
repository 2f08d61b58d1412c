"""The compiled backend and the pure-Python one agree.

Every rule of the table, first and second derivative, over hypothesis inputs;
the binary functions and operators; random expression trees evaluated with
both backends' Dual and HyperDual; and the modules themselves: the same
names, the same signatures, the same rule table.  Results must agree to a few
ulps, and where one backend raises, the other must raise the same exception.

These tests need both modules at once, so they are skipped (the only skip in
the suite) when the compiled one cannot be imported.
"""

import inspect
import math
import operator
import struct
import types

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dualdiff._public import BACKEND_NAMES, UNARY_FUNCTIONS, namespace

_skip_kwargs = {"reason": "dualdiff._core (the compiled backend) is not built: "
                          "parity needs both backends"}
if "exc_type" in inspect.signature(pytest.importorskip).parameters:
    _skip_kwargs["exc_type"] = ImportError   # a broken build skips too, with this reason
core_module = pytest.importorskip("dualdiff._core", **_skip_kwargs)
import dualdiff._pure as pure_module  # noqa: E402

C = namespace("c")
PY = namespace("python")

#: the tolerance in ulps, and a wider one for second-order parts (e12), which
#: amplify a 1-ulp difference of the value: hypot's e12 is y²/r³, and the C
#: library's hypot and CPython's math.hypot may round r differently.
ULPS = 4
ULPS_E12 = 8
ERRORS = (ArithmeticError, ValueError, TypeError)

any_float = st.floats()
wide = st.one_of(
    st.floats(min_value=-4.0, max_value=4.0),             # where most domains are
    st.floats(min_value=-800.0, max_value=800.0),         # the tails and the overflows
    st.floats(),                                          # everything: ±inf, nan, subnormals
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-300, -1e-300, 5e-324]),
)
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 1 - 2**-53, -1 + 2**-53, 1 + 2**-52,
           1e-300, 5e-324, 1e-8, 20.0, -20.0, 40.0, -40.0, 709.0, 710.0, -745.0,
           1e300, -1e300, math.inf, -math.inf, math.nan, math.pi / 2, 3.0, -10.0, 27.0]


# --------------------------------------------------------------------------
# Comparing results
# --------------------------------------------------------------------------

def _ordered(x):
    i = struct.unpack("<q", struct.pack("<d", x))[0]
    return i if i >= 0 else -(i & 0x7FFFFFFFFFFFFFFF)


def ulps_apart(a, b):
    if math.isnan(a) or math.isnan(b):
        return 0 if math.isnan(a) and math.isnan(b) else math.inf
    if a == b:
        return 0
    if math.isinf(a) or math.isinf(b):
        return math.inf
    return abs(_ordered(a) - _ordered(b))


def parts(x):
    if hasattr(x, "e12"):
        return ("HyperDual", x.real, x.e1, x.e2, x.e12)
    if hasattr(x, "dual"):
        return ("Dual", x.real, x.dual)
    if isinstance(x, (float, int)):   # int: an expression of integer constants only
        return ("float", float(x))
    if isinstance(x, complex):        # a float's (-8.0) ** (1/3), the same on both sides
        return ("complex", x.real, x.imag)
    if isinstance(x, (list, tuple)):
        return ("list",) + tuple(parts(v) for v in x)
    raise AssertionError(f"unexpected result {x!r} of type {type(x).__name__}")


def outcome(call):
    """The parts of call()'s result, or the type of the exception it raised."""
    try:
        return parts(call())
    except ERRORS as exc:
        return type(exc)


def _flat(p):
    for v in p[1:]:
        if isinstance(v, tuple):
            yield from _flat(v)
        else:
            yield v


def assert_same_outcome(c, py, what, ulps=ULPS):
    if isinstance(c, type) or isinstance(py, type):
        assert c == py, f"{what}: compiled gives {c}, pure Python gives {py}"
        return
    assert c[0] == py[0], f"{what}: compiled gives a {c[0]}, pure Python a {py[0]}"
    cf, pf = list(_flat(c)), list(_flat(py))
    assert len(cf) == len(pf), f"{what}: {c} vs {py}"
    bounds = [ulps] * len(cf)
    if c[0] == "HyperDual":
        bounds[3] = max(ulps, ULPS_E12)
    apart = [ulps_apart(a, b) for a, b in zip(cf, pf)]
    assert all(d <= b for d, b in zip(apart, bounds)), (
        f"{what}: compiled {c} vs pure Python {py} ({apart} ulps apart)")


def compare(fn, what, ulps=ULPS):
    """Run fn(ns) on both backends and compare the outcomes."""
    assert_same_outcome(outcome(lambda: fn(C)), outcome(lambda: fn(PY)), what, ulps)


# --------------------------------------------------------------------------
# The rule table, first and second derivatives
# --------------------------------------------------------------------------

def rule_function(ns, name):
    """The public function that applies rule ``name``."""
    if name == "gelu_tanh":
        return lambda x: ns.gelu(x, approximate=True)
    if name in ("gelu", "leaky_relu"):
        return getattr(ns, name)
    f = getattr(ns, name, None)
    if f is None:
        pytest.fail(f"rule {name!r} of RULE_NAMES has no public function of that name")
    return f


def _check_rule(name, a, b=1.0):
    def at(x):
        return lambda ns: rule_function(ns, name)(x(ns))
    compare(at(lambda ns: a), f"{name}({a!r})")
    compare(at(lambda ns: ns.Dual(a, b)), f"{name}(Dual({a!r}, {b!r}))")
    compare(at(lambda ns: ns.HyperDual(a, 1.0, 1.0, 0.0)), f"{name}(HyperDual({a!r}, 1, 1, 0))")
    compare(at(lambda ns: ns.HyperDual(a, b, 0.0, 0.0)), f"{name}(HyperDual({a!r}, {b!r}, 0, 0))")


@pytest.mark.parametrize("name", pure_module.RULE_NAMES)
def test_rule_special_values(name):
    for a in SPECIAL:
        _check_rule(name, a)


@pytest.mark.parametrize("name", pure_module.RULE_NAMES)
@given(a=wide, b=st.sampled_from([1.0, 0.0, -2.5, 1e-3]))
def test_rule(name, a, b):
    _check_rule(name, a, b)


def test_rule_table_covers_the_unary_functions():
    names = set(C.RULE_NAMES)
    missing = [n for n in UNARY_FUNCTIONS + ("log", "abs", "gelu") if n not in names]
    assert not missing, f"functions without a rule in RULE_NAMES: {missing}"


# --------------------------------------------------------------------------
# Binary functions and operators (partials by seeding one side at a time)
# --------------------------------------------------------------------------

SEEDS = [  # tangents of (left, right): each first and second partial, and the mixed one
    ((1.0, 1.0, 0.0), (0.0, 0.0, 0.0)),
    ((0.0, 0.0, 0.0), (1.0, 1.0, 0.0)),
    ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
    ((1.0, -0.5, 0.25), (2.0, 1.0, -1.0)),
]

BINARY = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "**": operator.pow,
    "arctan2": lambda ns, y, x: ns.arctan2(y, x),
    "hypot": lambda ns, x, y: ns.hypot(x, y),
    "power": lambda ns, x, y: ns.power(x, y),
}


def _binary(name):
    f = BINARY[name]
    if name in ("arctan2", "hypot", "power"):
        return f
    return lambda ns, x, y: f(x, y)


@pytest.mark.parametrize("name", list(BINARY))
@given(x=wide, y=wide)
@example(x=0.0, y=0.0)
@example(x=-2.0, y=3.0)
@example(x=0.0, y=2.0)
@example(x=0.0, y=-1.0)
@example(x=-8.0, y=1 / 3)
@example(x=1e300, y=1e300)
@example(x=math.inf, y=-math.inf)
def test_binary(name, x, y):
    f = _binary(name)
    compare(lambda ns: f(ns, x, y), f"{name}({x!r}, {y!r})")
    for (b1, c1, d1), (b2, c2, d2) in SEEDS:
        if b1 or c1:
            compare(lambda ns: f(ns, ns.Dual(x, b1), y), f"{name}(Dual({x!r}, {b1}), {y!r})")
        if b2 or c2:
            compare(lambda ns: f(ns, x, ns.Dual(y, b2)), f"{name}({x!r}, Dual({y!r}, {b2}))")
        compare(lambda ns: f(ns, ns.Dual(x, b1), ns.Dual(y, b2)),
                f"{name}(Dual({x!r}, {b1}), Dual({y!r}, {b2}))")
        compare(lambda ns: f(ns, ns.HyperDual(x, b1, c1, d1), ns.HyperDual(y, b2, c2, d2)),
                f"{name}(HyperDual({x!r}, {b1}, {c1}, {d1}), HyperDual({y!r}, {b2}, {c2}, {d2}))")


@given(x=wide, p=st.one_of(st.integers(-5, 5), st.floats(-5.0, 5.0)))
@example(x=0.0, p=0)
@example(x=0.0, p=2)
@example(x=-3.0, p=3)
@example(x=0.0, p=0.5)
def test_power_with_constant_exponent(x, p):
    compare(lambda ns: ns.Dual(x, 1.0) ** p, f"Dual({x!r}, 1) ** {p!r}")
    compare(lambda ns: ns.HyperDual(x, 1.0, 1.0, 0.0) ** p, f"HyperDual({x!r}, 1, 1, 0) ** {p!r}")
    compare(lambda ns: ns.power(ns.HyperDual(x, 1.0, 1.0, 0.0), p), f"power(HyperDual({x!r}), {p!r})")


@given(x=wide, base=st.one_of(st.sampled_from([2.0, 10.0, math.e, 0.5]), wide))
def test_log_with_base(x, base):
    compare(lambda ns: ns.log(x, base), f"log({x!r}, {base!r})")
    compare(lambda ns: ns.log(ns.Dual(x, 1.0), base), f"log(Dual({x!r}, 1), {base!r})")
    compare(lambda ns: ns.log(ns.HyperDual(x, 1.0, 1.0, 0.0), base),
            f"log(HyperDual({x!r}, 1, 1, 0), {base!r})")


@given(x=wide, alpha=st.floats(-2.0, 2.0))
@example(x=0.0, alpha=0.01)
@example(x=-0.0, alpha=0.3)
def test_leaky_relu_with_alpha(x, alpha):
    compare(lambda ns: ns.leaky_relu(x, alpha), f"leaky_relu({x!r}, {alpha!r})")
    compare(lambda ns: ns.leaky_relu(ns.HyperDual(x, 1.0, 1.0, 0.0), alpha=alpha),
            f"leaky_relu(HyperDual({x!r}), alpha={alpha!r})")


@given(xs=st.lists(st.floats(-50.0, 50.0), min_size=1, max_size=6), j=st.integers(0, 5))
def test_softmax_and_logsumexp(xs, j):
    j %= len(xs)
    compare(lambda ns: ns.softmax(xs), f"softmax({xs})")
    compare(lambda ns: ns.logsumexp(xs), f"logsumexp({xs})")
    seeded = lambda ns: [ns.Dual(v, 1.0 if i == j else 0.0) for i, v in enumerate(xs)]  # noqa: E731
    compare(lambda ns: ns.softmax(seeded(ns)), f"softmax(Duals of {xs}, seed {j})", ulps=16)
    compare(lambda ns: ns.logsumexp(seeded(ns)), f"logsumexp(Duals of {xs}, seed {j})", ulps=16)


# --------------------------------------------------------------------------
# Random expressions
# --------------------------------------------------------------------------

EXPR_UNARY = ("sin", "cos", "exp", "log", "sqrt", "tanh", "arctan", "sigmoid", "abs", "expm1",
              "log1p", "sinh")

leaves = st.one_of(
    st.just(("x",)),
    st.just(("x",)),
    st.tuples(st.just("const"), st.floats(-5.0, 5.0, allow_subnormal=False)),
    st.tuples(st.just("const"), st.integers(-3, 3)),
)


def _extend(children):
    return st.one_of(
        st.tuples(st.just("op"), st.sampled_from(["+", "-", "*", "/"]), children, children),
        st.tuples(st.just("fn"), st.sampled_from(EXPR_UNARY), children),
        st.tuples(st.just("pow"), children, st.sampled_from([0, 1, 2, 3, -1, -2, 0.5, 2.0])),
        st.tuples(st.just("fn2"), st.sampled_from(["arctan2", "hypot"]), children, children),
    )


expressions = st.recursive(leaves, _extend, max_leaves=10)

OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def evaluate(tree, ns, x):
    kind = tree[0]
    if kind == "x":
        return x
    if kind == "const":
        return tree[1]
    if kind == "op":
        return OPS[tree[1]](evaluate(tree[2], ns, x), evaluate(tree[3], ns, x))
    if kind == "fn":
        return getattr(ns, tree[1])(evaluate(tree[2], ns, x))
    if kind == "pow":
        result = evaluate(tree[1], ns, x) ** tree[2]
        if isinstance(result, complex):   # a float's (-8.0) ** 0.5; dualdiff raises instead
            raise ValueError("negative base, non-integer exponent")
        return result
    if kind == "fn2":
        return getattr(ns, tree[1])(evaluate(tree[2], ns, x), evaluate(tree[3], ns, x))
    raise AssertionError(tree)


def show(tree):
    kind = tree[0]
    if kind == "x":
        return "x"
    if kind == "const":
        return repr(tree[1])
    if kind == "op":
        return f"({show(tree[2])} {tree[1]} {show(tree[3])})"
    if kind == "fn":
        return f"{tree[1]}({show(tree[2])})"
    if kind == "pow":
        return f"{show(tree[1])} ** {tree[2]!r}"
    return f"{tree[1]}({show(tree[2])}, {show(tree[3])})"


@given(tree=expressions, x=st.one_of(st.floats(-3.0, 3.0), wide))
@example(tree=("fn", "sqrt", ("x",)), x=0.0)
@example(tree=("op", "/", ("const", 1.0), ("op", "-", ("x",), ("x",))), x=1.0)
@example(tree=("pow", ("fn", "exp", ("x",)), -2), x=400.0)
def test_random_expressions(tree, x):
    text = show(tree)
    compare(lambda ns: evaluate(tree, ns, x), f"{text} at x = {x!r}")
    compare(lambda ns: evaluate(tree, ns, ns.Dual(x, 1.0)), f"{text} at Dual({x!r}, 1)")
    compare(lambda ns: evaluate(tree, ns, ns.HyperDual(x, 1.0, 1.0, 0.0)),
            f"{text} at HyperDual({x!r}, 1, 1, 0)")
    compare(lambda ns: ns.derivative(lambda t: evaluate(tree, ns, t), x), f"d/dx {text} at {x!r}")
    compare(lambda ns: ns.second_derivative(lambda t: evaluate(tree, ns, t), x),
            f"d²/dx² {text} at {x!r}")
    # within each backend, the value part is the plain float result
    for ns in (C, PY):
        plain = outcome(lambda: evaluate(tree, ns, x))
        if isinstance(plain, type) or plain[0] != "float":
            continue
        for t in (ns.Dual(x, 1.0), ns.HyperDual(x, 1.0, 1.0, 0.0)):
            got = outcome(lambda: evaluate(tree, ns, t))
            value = got if isinstance(got, type) else ("float", got[1])
            assert_same_outcome(plain, value, f"{ns.backend}: value of {text} at {t!r}", ulps=0)


# --------------------------------------------------------------------------
# The modules: names, signatures, rule table
# --------------------------------------------------------------------------

def _public_names(module):
    return {n for n in dir(module)
            if not n.startswith("_") and not isinstance(getattr(module, n), types.ModuleType)}


def test_both_modules_export_the_backend_names():
    for module in (core_module, pure_module):
        missing = [n for n in BACKEND_NAMES if not hasattr(module, n)]
        assert not missing, f"{module.__name__} lacks {missing}"


def test_both_modules_have_the_same_public_names():
    c, py = _public_names(core_module), _public_names(pure_module)
    assert c == py, f"only compiled: {sorted(c - py)}; only pure Python: {sorted(py - c)}"


def test_rule_names_identical():
    assert isinstance(core_module.RULE_NAMES, tuple) and isinstance(pure_module.RULE_NAMES, tuple)
    assert core_module.RULE_NAMES == pure_module.RULE_NAMES
    assert len(set(pure_module.RULE_NAMES)) == len(pure_module.RULE_NAMES)
    assert all(isinstance(n, str) for n in pure_module.RULE_NAMES)


def _shape(sig, method=False):
    """A signature without annotations: names, kinds and defaults.

    For a method, the kind of ``self`` is left out: Cython makes it
    positional-only (``(self, /, y)``), Python positional-or-keyword, and
    nobody passes ``self`` by keyword.
    """
    shape = [(p.name, p.kind, p.default) for p in sig.parameters.values()]
    if method and shape:
        shape[0] = (shape[0][0], None, shape[0][2])
    return shape


FUNCTIONS = [n for n in BACKEND_NAMES if n not in ("Dual", "HyperDual", "RULE_NAMES")]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_signatures(name):
    c_fn, py_fn = getattr(core_module, name), getattr(pure_module, name)
    try:
        c_sig = inspect.signature(c_fn)
    except (ValueError, TypeError) as exc:
        pytest.fail(f"no signature can be obtained for the compiled {name}: {exc}")
    py_sig = inspect.signature(py_fn)
    assert _shape(c_sig) == _shape(py_sig), f"{name}: compiled {c_sig}, pure Python {py_sig}"


def _public_members(cls):
    return {n for n in dir(cls) if not n.startswith("_")}


@pytest.mark.parametrize("cls", ["Dual", "HyperDual"])
def test_types_have_the_same_members(cls):
    c, py = _public_members(getattr(core_module, cls)), _public_members(getattr(pure_module, cls))
    assert c == py, f"{cls}: only compiled {sorted(c - py)}; only pure Python {sorted(py - c)}"
    ufunc_named = set(UNARY_FUNCTIONS) | {"log", "arctan2", "hypot"}
    assert ufunc_named <= c, f"{cls} lacks the ufunc-named methods {sorted(ufunc_named - c)}"


@pytest.mark.parametrize("cls", ["Dual", "HyperDual"])
def test_method_signatures(cls):
    c_cls, py_cls = getattr(core_module, cls), getattr(pure_module, cls)
    obtained, opaque, mismatched = [], [], []
    for name in sorted(_public_members(py_cls) & _public_members(c_cls)):
        c_m, py_m = getattr(c_cls, name), getattr(py_cls, name)
        if not callable(py_m):
            continue   # a property (real, dual, e1, ...)
        try:
            c_sig = inspect.signature(c_m)
        except (ValueError, TypeError):
            opaque.append(name)
            continue
        obtained.append(name)
        py_sig = inspect.signature(py_m)
        if _shape(c_sig, method=True) != _shape(py_sig, method=True):
            mismatched.append(f"{name}: compiled {c_sig}, pure Python {py_sig}")
    assert obtained, f"no signature of a compiled {cls} method can be obtained ({opaque})"
    assert not opaque, f"compiled {cls} methods without an introspectable signature: {opaque}"
    assert not mismatched, "\n".join(mismatched)


@pytest.mark.parametrize("cls", ["Dual", "HyperDual"])
def test_constructor_signatures(cls):
    py_sig = inspect.signature(getattr(pure_module, cls))
    try:
        c_sig = inspect.signature(getattr(core_module, cls))
    except (ValueError, TypeError):
        # a cdef class may hide its __init__; then the behaviour must match
        ns_c, ns_py = C, PY
        names = [p.name for p in py_sig.parameters.values()]
        kwargs = {n: float(i + 1) for i, n in enumerate(names)}
        assert parts(getattr(ns_c, cls)(**kwargs)) == parts(getattr(ns_py, cls)(**kwargs))
        return
    assert _shape(c_sig) == _shape(py_sig), f"{cls}: compiled {c_sig}, pure Python {py_sig}"

"""Issue 13, items 7-8 (the API half): arguments that were misread or refused.

- gelu's ``approximate=`` takes True/False (NumPy's bools too) or PyTorch's
  strings "tanh"/"none"; anything else is an error listing those, on every
  type and both backends (it used to be taken by truthiness: "no" was True).
- ``np.arctan2(2.0, dual)`` and ``np.hypot(2.0, dual)``: a plain number first
  (NumPy's object loop calls ``float.arctan2``, which does not exist).
- NumPy's bools wherever Python's are accepted (``keepdims=np.True_``).
- Masked arrays (``np.ma``) as a point or an array's parts are refused with a
  TypeError saying what to do, instead of their mask being dropped silently.

Expected values come from the formulas, written out here with ``math``.
"""

import math

import numpy as np
import pytest

K = math.sqrt(2 / math.pi)
C = 0.044715


def gelu_exact(x):
    """(g, g', g'') of x Phi(x)."""
    phi = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    cdf = 0.5 * math.erfc(-x / math.sqrt(2))
    return x * cdf, cdf + x * phi, phi * (2 - x * x)


def gelu_tanh(x):
    """(g, g', g'') of 0.5 x (1 + tanh(k (x + c x^3)))."""
    u, u1, u2 = K * (x + C * x**3), K * (1 + 3 * C * x * x), 6 * K * C * x
    t = math.tanh(u)
    s = 1 - t * t
    return (0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * s * u1,
            s * u1 + 0.5 * x * (-2 * t * s * u1 * u1 + s * u2))


TANH = [True, "tanh", np.True_]
EXACT = [False, "none", np.False_]
X = 0.7


# ---------------------------------------------------------------- gelu: accepted values

@pytest.mark.parametrize("approximate", TANH + EXACT, ids=repr)
def test_gelu_accepts_bools_numpy_bools_and_pytorch_strings(dd, approximate):
    g, g1, g2 = (gelu_tanh if approximate in ("tanh",) or approximate is True
                 or approximate is np.True_ else gelu_exact)(X)
    rel = 1e-14
    assert dd.gelu(X, approximate=approximate) == pytest.approx(g, rel=rel)
    assert dd.gelu(X, approximate) == pytest.approx(g, rel=rel)
    d = dd.gelu(dd.Dual(X, 1.0), approximate=approximate)
    assert (d.real, d.dual) == pytest.approx((g, g1), rel=rel)
    assert d.real == dd.gelu(X, approximate=approximate)
    d = dd.Dual(X, 1.0).gelu(approximate)
    assert (d.real, d.dual) == pytest.approx((g, g1), rel=rel)
    h = dd.HyperDual(X, 1.0, 1.0, 0.0).gelu(approximate=approximate)
    assert (h.real, h.e1, h.e12) == pytest.approx((g, g1, g2), rel=rel)
    h = dd.gelu(dd.HyperDual(X, 1.0, 1.0, 0.0), approximate)
    assert (h.real, h.e1, h.e12) == pytest.approx((g, g1, g2), rel=rel)
    gd = dd.gelu(dd.GradientDual(X, {0: 1.0}), approximate=approximate)
    assert (gd.real, gd.partials[0]) == pytest.approx((g, g1), rel=rel)
    gd = dd.GradientDual(X, {0: 1.0}).gelu(approximate)
    assert (gd.real, gd.partials[0]) == pytest.approx((g, g1), rel=rel)
    hd = dd.gelu(dd.HessianDual(X, {0: 1.0}), approximate=approximate)
    assert (hd.real, hd.partials[0], hd.hessian_entries[0, 0]) == pytest.approx((g, g1, g2), rel=rel)
    hd = dd.HessianDual(X, {0: 1.0}).gelu(approximate)
    assert (hd.real, hd.partials[0], hd.hessian_entries[0, 0]) == pytest.approx((g, g1, g2), rel=rel)
    # through the public operators, the directional type (hvp) and the nested type
    assert dd.derivative(lambda t: dd.gelu(t, approximate=approximate), X) == pytest.approx(g1, rel=rel)
    assert dd.second_derivative(lambda t: dd.gelu(t, approximate), X) == pytest.approx(g2, rel=rel)
    assert dd.gradient(lambda v: dd.gelu(v[0], approximate), [X])[0] == pytest.approx(g1, rel=rel)
    assert dd.hessian(lambda v: dd.gelu(v[0], approximate), [X])[0, 0] == pytest.approx(g2, rel=rel)
    assert dd.hvp(lambda v: dd.gelu(v[0], approximate), [X], [1.0])[0] == pytest.approx(g2, rel=rel)
    # d/ds d/dt gelu(t s) at t = X, s = 1: g'(X) + X g''(X); the inner call's
    # number carries both calls' perturbations
    nested = dd.derivative(lambda s: dd.derivative(
        lambda t: dd.gelu(t * s, approximate=approximate), X), 1.0)
    assert nested == pytest.approx(g1 + X * g2, rel=1e-13)


@pytest.mark.parametrize("approximate", TANH + EXACT, ids=repr)
def test_gelu_arrays_accept_the_same_values(dd, approximate):
    f = (gelu_tanh if approximate in ("tanh",) or approximate is True
         or approximate is np.True_ else gelu_exact)
    xs = np.array([-1.5, 0.25, X])
    want = np.array([f(x) for x in xs])
    got = dd.gelu(xs, approximate=approximate)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want[:, 0], rtol=1e-14)
    for a in (dd.DualArray(xs, 1.0).gelu(approximate),
              dd.gelu(dd.DualArray(xs, 1.0), approximate=approximate)):
        np.testing.assert_allclose(a.real, want[:, 0], rtol=1e-14)
        np.testing.assert_allclose(a.dual, want[:, 1], rtol=1e-14)
    h = dd.gelu(dd.HyperDualArray(xs, 1.0, 1.0), approximate)
    np.testing.assert_allclose(h.e1, want[:, 1], rtol=1e-14)
    np.testing.assert_allclose(h.e12, want[:, 2], rtol=1e-13)
    objects = np.array([dd.Dual(x, 1.0) for x in xs], dtype=object)
    out = dd.gelu(objects, approximate)
    np.testing.assert_allclose([o.dual for o in out], want[:, 1], rtol=1e-14)
    np.testing.assert_allclose(dd.derivative(lambda t: dd.gelu(t, approximate), xs),
                               want[:, 1], rtol=1e-14)


# ---------------------------------------------------------------- gelu: refused values

REFUSED = ["no", "yes", "True", "false", "TANH", "erf", "", None, 1, 0, 1.0, 0.0,
           np.int64(1), [True], np.array(True), np.array([True, False])]


def _gelu_calls(dd):
    """Every way to reach gelu's approximate=, each as a function of it."""
    xs = np.array([0.5, 1.5])
    return {
        "float": lambda a: dd.gelu(X, approximate=a),
        "int": lambda a: dd.gelu(1, a),
        "ndarray": lambda a: dd.gelu(xs, a),
        "object ndarray": lambda a: dd.gelu(np.array([dd.Dual(X, 1.0)], dtype=object), a),
        "Dual": lambda a: dd.gelu(dd.Dual(X, 1.0), approximate=a),
        "Dual.gelu": lambda a: dd.Dual(X, 1.0).gelu(a),
        "HyperDual": lambda a: dd.gelu(dd.HyperDual(X, 1.0, 1.0), a),
        "HyperDual.gelu": lambda a: dd.HyperDual(X, 1.0, 1.0).gelu(a),
        "GradientDual": lambda a: dd.gelu(dd.GradientDual(X, {0: 1.0}), a),
        "GradientDual.gelu": lambda a: dd.GradientDual(X, {0: 1.0}).gelu(a),
        "HessianDual": lambda a: dd.gelu(dd.HessianDual(X, {0: 1.0}), a),
        "HessianDual.gelu": lambda a: dd.HessianDual(X, {0: 1.0}).gelu(a),
        "hvp": lambda a: dd.hvp(lambda v: v[0].gelu(a), [X], [1.0]),
        "nested": lambda a: dd.derivative(lambda s: dd.derivative(
            lambda t: dd.gelu(t * s, a), X), 1.0),
        "DualArray": lambda a: dd.gelu(dd.DualArray(xs, 1.0), a),
        "DualArray.gelu": lambda a: dd.DualArray(xs, 1.0).gelu(a),
        "HyperDualArray.gelu": lambda a: dd.HyperDualArray(xs, 1.0, 1.0).gelu(a),
        "derivative at ndarray": lambda a: dd.derivative(lambda t: dd.gelu(t, a), xs),
    }


@pytest.mark.parametrize("approximate", REFUSED, ids=repr)
def test_gelu_refuses_anything_else_and_lists_the_accepted_values(dd, approximate):
    for where, call in _gelu_calls(dd).items():
        with pytest.raises((ValueError, TypeError)) as info:
            call(approximate)
        message = str(info.value)
        assert "approximate" in message, where
        for accepted in ("True", "False", "'tanh'", "'none'"):
            assert accepted in message, (where, message)
        assert repr(approximate) in message or type(approximate).__name__ in message, where


def test_gelu_refuses_strings_with_value_error_and_other_types_with_type_error(dd):
    with pytest.raises(ValueError, match="approximate"):
        dd.gelu(X, approximate="no")
    with pytest.raises(TypeError, match="approximate"):
        dd.gelu(X, approximate=1)
    with pytest.raises(TypeError, match="approximate"):
        dd.gelu(X, approximate=None)


# ---------------------------------------------------------------- arctan2 / hypot, number first

def _scalars(dd, x):
    """x as each scalar type, seeded with derivative 1 (HyperDual: e1 = e2 = 1)."""
    return [dd.Dual(x, 1.0), dd.HyperDual(x, 1.0, 1.0, 0.0), dd.GradientDual(x, {0: 1.0}),
            dd.HessianDual(x, {0: 1.0})]


def _first(z):
    if hasattr(z, "dual"):
        return z.dual
    if hasattr(z, "e1"):
        return z.e1
    return z.partials[0]


@pytest.mark.parametrize("c", [2.0, 2, np.float64(2.0), np.int32(2)], ids=repr)
def test_numpy_arctan2_and_hypot_with_a_plain_number_first(dd, c):
    x = 0.5
    r2 = 4.0 + x * x
    for z in _scalars(dd, x):
        a = np.arctan2(c, z)
        assert type(a) is type(z)
        assert a.real == math.atan2(2.0, x)
        assert _first(a) == pytest.approx(-2.0 / r2, rel=1e-15)
        h = np.hypot(c, z)
        assert type(h) is type(z)
        assert h.real == math.hypot(2.0, x)
        assert _first(h) == pytest.approx(x / math.sqrt(r2), rel=1e-15)
    # the second derivatives too: d2/dx2 atan2(2, x) = 4x / r^4, hypot(2, x)'' = 4 / r^3
    h = np.arctan2(c, dd.HyperDual(x, 1.0, 1.0, 0.0))
    assert h.e12 == pytest.approx(4 * x / r2**2, rel=1e-14)
    h = np.hypot(c, dd.HyperDual(x, 1.0, 1.0, 0.0))
    assert h.e12 == pytest.approx(4 / r2**1.5, rel=1e-14)


def test_numpy_arctan2_and_hypot_with_an_ndarray_first(dd):
    x = 0.5
    cs = np.array([2.0, -3.0])
    out = np.arctan2(cs, dd.Dual(x, 1.0))
    assert out.dtype == object and out.shape == (2,)
    for c, o in zip(cs, out):
        assert o.real == math.atan2(c, x)
        assert o.dual == pytest.approx(-c / (c * c + x * x), rel=1e-15)
    out = np.hypot(cs, dd.Dual(x, 1.0))
    for c, o in zip(cs, out):
        assert o.real == math.hypot(c, x)
        assert o.dual == pytest.approx(x / math.hypot(c, x), rel=1e-15)


def test_numpy_arctan2_number_first_in_nested_and_operator_calls(dd):
    x = 0.5
    r2 = 4.0 + x * x
    assert dd.derivative(lambda t: np.arctan2(2.0, t), x) == pytest.approx(-2.0 / r2, rel=1e-15)
    assert dd.second_derivative(lambda t: np.hypot(2.0, t), x) == pytest.approx(
        4 / r2**1.5, rel=1e-14)
    assert dd.gradient(lambda v: np.arctan2(2.0, v[0]), [x])[0] == pytest.approx(-2.0 / r2, rel=1e-15)
    assert dd.hessian(lambda v: np.hypot(2.0, v[0]), [x])[0, 0] == pytest.approx(
        4 / r2**1.5, rel=1e-14)
    # d/ds d/dt atan2(2, t s) at t = x, s = 1 = d/ds (-2 s / (4 + x^2 s^2)) = -2 (4 - x^2) / r2^2
    nested = dd.derivative(lambda s: dd.derivative(lambda t: np.arctan2(2.0, t * s), x), 1.0)
    assert nested == pytest.approx(-2 * (4 - x * x) / r2**2, rel=1e-14)


# ---------------------------------------------------------------- NumPy bools

@pytest.mark.parametrize("flag", [np.True_, np.False_], ids=repr)
def test_keepdims_takes_numpy_bools(dd, flag):
    a = dd.DualArray(np.array([[1.0, 2.0], [3.0, 4.0]]), 1.0)
    for name in ("sum", "mean", "prod", "max", "min", "logsumexp"):
        got = getattr(a, name)(axis=1, keepdims=flag)
        want = getattr(a, name)(axis=1, keepdims=bool(flag))
        assert got.shape == want.shape == ((2, 1) if flag else (2,)), name
        np.testing.assert_array_equal(got.real, want.real)
        got = getattr(a, name)(keepdims=flag)
        want = getattr(a, name)(keepdims=bool(flag))
        assert type(got) is type(want), name
        assert np.shape(got.real) == np.shape(want.real) == ((1, 1) if flag else ()), name
    assert np.sum(a, axis=0, keepdims=flag).shape == ((1, 2) if flag else (2,))
    assert np.shape(np.mean(a, axis=1, keepdims=flag)) == ((2, 1) if flag else (2,))
    assert np.std(a, axis=0, keepdims=flag).shape == ((1, 2) if flag else (2,))


def test_vectorized_takes_numpy_bools(dd):
    f = lambda v: (v * v).sum()   # noqa: E731
    for flag in (np.True_, np.False_):
        assert list(dd.gradient(f, [1.0, 2.0], vectorized=flag)) == [2.0, 4.0]
        assert list(dd.gradient(f, vectorized=flag)([1.0, 2.0])) == [2.0, 4.0]


# ---------------------------------------------------------------- masked arrays

MASKED = np.ma.array([0.5, 1.5, 2.5], mask=[False, True, False])


def _assert_masked_refused(call):
    with pytest.raises(TypeError) as info:
        call()
    message = str(info.value)
    assert "np.ma" in message and "mask" in message, message
    assert ".filled(" in message and ".compressed()" in message, message


def test_derivatives_at_a_masked_array_are_refused(dd):
    sq = lambda v: (v * v).sum()   # noqa: E731
    calls = [
        lambda: dd.derivative(dd.sin, MASKED),
        lambda: dd.second_derivative(dd.sin, MASKED),
        lambda: dd.value_and_derivative(dd.sin, MASKED),
        lambda: dd.derivative(dd.sin)(MASKED),
        lambda: dd.derivative(lambda t: 1.0 if t > 1 else t, MASKED),   # point by point
        lambda: dd.gradient(sq, MASKED),
        lambda: dd.gradient(sq)(MASKED),
        lambda: dd.gradient(sq, MASKED, vectorized=False),
        lambda: dd.value_and_gradient(sq, MASKED),
        lambda: dd.jacobian(lambda v: v * v, MASKED),
        lambda: dd.value_and_jacobian(lambda v: v * v, MASKED),
        lambda: dd.hessian(sq, MASKED),
        lambda: dd.jvp(lambda v: v * v, MASKED, [1.0, 1.0, 1.0]),
        lambda: dd.jvp(lambda v: v * v, [1.0, 1.0, 1.0], MASKED),
        lambda: dd.hvp(sq, MASKED, [1.0, 1.0, 1.0]),
        lambda: dd.hvp(sq, [1.0, 1.0, 1.0], MASKED),
    ]
    for call in calls:
        _assert_masked_refused(call)


def test_a_masked_array_is_refused_as_parts_of_a_dualdiff_array(dd):
    plain = np.array([0.5, 1.5, 2.5])
    for call in (lambda: dd.DualArray(MASKED), lambda: dd.DualArray(MASKED, 1.0),
                 lambda: dd.DualArray(plain, MASKED),
                 lambda: dd.DualArray(plain, tangents=np.ma.array([plain], mask=True)),
                 lambda: dd.HyperDualArray(MASKED, 1.0, 1.0),
                 lambda: dd.HyperDualArray(plain, 1.0, 1.0, MASKED)):
        _assert_masked_refused(call)


def test_a_masked_array_without_masked_points_is_still_refused(dd):
    # np.ma.array(x) has mask=False (nomask): refusing it too keeps the rule one line
    _assert_masked_refused(lambda: dd.derivative(dd.sin, np.ma.array([1.0, 2.0])))


def test_what_the_message_suggests_works(dd):
    d = dd.derivative(dd.sin, MASKED.filled(0.0))
    np.testing.assert_array_equal(d, np.cos(MASKED.filled(0.0)))
    kept = np.ma.array(dd.derivative(dd.sin, MASKED.data), mask=np.ma.getmaskarray(MASKED))
    assert kept.mask.tolist() == [False, True, False]
    np.testing.assert_array_equal(dd.derivative(dd.sin, MASKED.compressed()),
                                  np.cos(np.array([0.5, 2.5])))


ELEMENTWISE = {   # name: the function on floats, by math
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
    "relu": lambda x: max(x, 0.0),
    "softplus": lambda x: math.log1p(math.exp(x)),
    "erf": math.erf,
    "erfc": math.erfc,
    "gelu": lambda x: gelu_exact(x)[0],
    "leaky_relu": lambda x: x if x > 0 else 0.01 * x,
    "sin": math.sin,
    "exp": math.exp,
}


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_functions_of_a_masked_float_array_keep_its_mask(dd, name):
    # as NumPy's ufuncs do (dd.sin, dd.exp are np.sin, np.exp there)
    out = getattr(dd, name)(MASKED)
    assert isinstance(out, np.ma.MaskedArray), type(out)
    assert out.mask.tolist() == [False, True, False]
    np.testing.assert_allclose(out.compressed(), [ELEMENTWISE[name](0.5), ELEMENTWISE[name](2.5)],
                               rtol=1e-14)


def test_gelu_tanh_and_power_of_a_masked_float_array_keep_its_mask(dd):
    out = dd.gelu(MASKED, approximate="tanh")
    assert out.mask.tolist() == [False, True, False]
    np.testing.assert_allclose(out.compressed(), [gelu_tanh(0.5)[0], gelu_tanh(2.5)[0]], rtol=1e-14)
    for out in (dd.power(MASKED, 2), dd.power(np.ma.array([1, 2, 3], mask=[0, 1, 0]), -1)):
        assert isinstance(out, np.ma.MaskedArray)
        assert out.mask.tolist() == [False, True, False]
    assert dd.power(MASKED, 2).compressed().tolist() == [0.25, 6.25]


def test_reductions_and_dualdiff_array_operands_refuse_a_masked_array(dd):
    # a reduction would have to leave masked terms out (np.ma's sum does): refused,
    # as is a masked operand of a dualdiff array, which has no mask to keep
    a = dd.DualArray([1.0, 2.0, 3.0], 1.0)
    for call in (lambda: dd.softmax(MASKED), lambda: dd.logsumexp(MASKED),
                 lambda: a + MASKED, lambda: a * MASKED, lambda: np.maximum(a, MASKED)):
        with pytest.raises(TypeError, match="np.ma"):
            call()

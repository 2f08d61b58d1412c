"""Issue 12, the array seams: items 2 and 11, and the NumPy side of 3 and 8.

Every expected value comes from mpmath, exact algebra, or the sparse
(default) path of the same operator, never from the array code under test.
"""

import math
import pickle

import mpmath
import numpy as np
import pytest

from dualdiff.arrays import NotElementwiseError, tt3

mpmath.mp.dps = 60

X3 = np.array([0.3, -1.2, 2.0])


# -- item 2: a function that mixes elements is refused by derivative() --------

@pytest.mark.parametrize("f, what", [
    (lambda x: x - x.mean(), "numpy.mean"),
    (np.sum, "numpy.sum"),
    (lambda x: x[::-1], "indexing x[::-1]"),
    (lambda x: x[1:] * 2.0, "indexing x[1:]"),
    (lambda x: x[0] + x, "indexing x[0]"),
    (lambda x: x[x > 0], "indexing x[<boolean mask>]"),
    (lambda x: np.sort(x), "numpy.sort"),
    (lambda x: np.roll(x, 1), "numpy.roll"),
    (lambda x: np.flip(x), "numpy.flip"),
    (lambda x: np.cumsum(x), "numpy.cumsum"),
    (lambda x: np.diff(x), "numpy.diff"),
    (lambda x: np.prod(x), "numpy.prod"),
    (lambda x: x.max(), "numpy.max"),
    (lambda x: np.std(x), "numpy.std"),
    (lambda x: np.var(x), "numpy.var"),
    (lambda x: np.linalg.norm(x), "numpy.linalg.norm"),
    (lambda x: np.concatenate([x, x]), "numpy.concatenate"),
    (lambda x: np.stack([x, x]), "numpy.stack"),
    (lambda x: np.hstack([x, 1.0]), "numpy.hstack"),
    (lambda x: np.vstack([x, x]), "numpy.vstack"),
    (lambda x: np.pad(x, 1), "numpy.pad"),
    (lambda x: x @ np.ones((3, 3)), "numpy.matmul"),
    (lambda x: np.dot(x, np.ones(3)), "numpy.dot"),
    (lambda x: np.einsum("i->", x), "numpy.einsum"),
    (lambda x: np.add.accumulate(x), "numpy.add.accumulate"),
    (lambda x: np.maximum.reduce(x), "numpy.maximum.reduce"),
    (lambda x: sum(x), "iterating over x"),
    (lambda x: [2.0 * v for v in x][0], "iterating over x"),
    (lambda x: x.reshape(3, 1) + np.zeros((1, 3)), "shape (3, 3)"),
    (lambda x: x * np.ones((2, 3)), "shape (2, 3)"),
])
def test_derivative_refuses_mixing_functions(dd, f, what):
    for op in (dd.derivative, dd.second_derivative, dd.value_and_derivative):
        with pytest.raises(NotElementwiseError, match="jacobian") as info:
            op(f, X3)
        assert what in str(info.value)
        assert isinstance(info.value, ValueError)


def test_derivative_refuses_logsumexp_and_softmax(dd):
    with pytest.raises(NotElementwiseError, match="dualdiff.logsumexp"):
        dd.derivative(dd.logsumexp, X3)
    with pytest.raises(NotElementwiseError, match="dualdiff.softmax"):
        dd.derivative(dd.softmax, X3)


def test_derivative_of_elementwise_code_still_works(dd):
    # the identity index and transpose, where/clip/maximum, constants of x's shape
    x = X3
    cases = [
        (lambda v: v[...] * v[:], 2.0 * x),
        (lambda v: v.T * 3.0, np.full(3, 3.0)),
        (lambda v: np.transpose(v) * 3.0, np.full(3, 3.0)),
        (lambda v: np.where(v > 0, v * v, -v), np.where(x > 0, 2.0 * x, -1.0)),
        (lambda v: np.clip(v, -1.0, 1.0), np.where(np.abs(x) <= 1.0, 1.0, 0.0)),
        (lambda v: np.maximum(v, 0.0) + np.ones(3) * v, np.where(x >= 0, 2.0, 1.0)),
        (lambda v: v.reshape(3, 1).reshape(3) * 2.0, np.full(3, 2.0)),
        (lambda v: np.atleast_1d(v) * 2.0, np.full(3, 2.0)),
        (lambda v: 2.0, np.zeros(3)),
    ]
    for f, expected in cases:
        got = dd.derivative(f, x)
        assert got.shape == x.shape
        np.testing.assert_array_equal(got, expected)


def test_point_by_point_fallback_stays(dd):
    got = dd.derivative(lambda v: dd.sin(v) if v > 0 else v, np.array([0.5, -1.0]))
    np.testing.assert_allclose(got, [math.cos(0.5), 1.0], rtol=1e-15)


def test_second_derivative_refuses_mixing(dd):
    with pytest.raises(NotElementwiseError, match="numpy.sum"):
        dd.second_derivative(lambda x: x * x.sum(), X3)


# -- item 11: the usual ways of writing vector functions, vectorized ---------

def _jac_both(dd, f, x):
    """The vectorized Jacobian and the sparse (default) one."""
    return dd.jacobian(f, x, vectorized=True), dd.jacobian(f, x)


def test_np_array_of_outputs(dd):
    f = lambda v: np.array([v[0] * v[1], np.sin(v[2]), 2.0])
    J, Js = _jac_both(dd, f, X3)
    a, b, c = X3
    exact = np.array([[b, a, 0.0], [0.0, 0.0, math.cos(c)], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(J, exact)
    np.testing.assert_array_equal(Js, exact)


def test_concatenate_with_constant_lists(dd):
    f = lambda v: np.concatenate([[0.0], v[1:] - v[:-1], (1.0, 2.0)])
    J, Js = _jac_both(dd, f, X3)
    exact = np.zeros((5, 3))
    exact[1, :2] = [-1.0, 1.0]
    exact[2, 1:] = [-1.0, 1.0]
    np.testing.assert_array_equal(J, exact)
    np.testing.assert_array_equal(Js, exact)


@pytest.mark.parametrize("mode, kwargs", [
    ("constant", {}), ("constant", {"constant_values": (7.0, -1.0)}), ("edge", {}),
    ("reflect", {}), ("symmetric", {}), ("wrap", {}), ("linear_ramp", {"end_values": 5.0}),
    ("mean", {}),
])
def test_pad(dd, mode, kwargs):
    f = lambda v: np.pad(v * v, (2, 1), mode=mode, **kwargs)
    J = dd.jacobian(f, X3, vectorized=True)
    # exact: pad is linear, so its Jacobian is pad applied to diag(2x) column by column
    exact = np.stack([np.pad(np.eye(3)[j] * 2.0 * X3, (2, 1), mode=mode,
                             **{k: 0.0 for k in kwargs}) for j in range(3)], axis=1)
    np.testing.assert_allclose(J, exact, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(dd.jacobian(f, X3, vectorized=True).shape, (6, 3))
    value = dd.DualArray._directions(X3, np.eye(3))
    np.testing.assert_array_equal(f(value).real, np.pad(X3 * X3, (2, 1), mode=mode, **kwargs))


def test_hstack_vstack(dd):
    f = lambda v: np.hstack([v, 1.0, v[0] * v[2]])
    J, Js = _jac_both(dd, f, X3)
    exact = np.vstack([np.eye(3), np.zeros(3), [X3[2], 0.0, X3[0]]])
    np.testing.assert_array_equal(J, exact)
    np.testing.assert_array_equal(Js, exact)
    g = lambda v: np.vstack([v, [1.0, 2.0, 3.0]])
    J = dd.jacobian(g, X3, vectorized=True)
    assert J.shape == (2, 3, 3)
    np.testing.assert_array_equal(J[0], np.eye(3))
    np.testing.assert_array_equal(J[1], np.zeros((3, 3)))


def test_zeros_like_and_item_assignment(dd):
    def f(y):
        dy = np.zeros_like(y)
        dy[0] = y[1] * y[2]
        dy[2] = -y[0]
        return dy
    J, Js = _jac_both(dd, f, X3)
    exact = np.array([[0.0, X3[2], X3[1]], [0.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(J, exact)
    np.testing.assert_array_equal(Js, exact)
    # the object array of zeros joins array operations as a constant
    h = lambda y: np.where(y.real > 0, y, np.zeros_like(y)) + np.ones_like(y) * y
    np.testing.assert_array_equal(dd.jacobian(h, X3, vectorized=True),
                                  np.diag(np.where(X3 > 0, 2.0, 1.0)))


def test_float_of_an_element_says_what_to_write(dd):
    v = dd.DualArray._directions(X3, np.eye(3))
    with pytest.raises(TypeError, match="zeros_like"):
        float(v[0])


@pytest.mark.parametrize("ddof", [0, 1])
def test_std_var(dd, ddof):
    x = np.array([0.3, -1.2, 2.0, 0.7])
    n = x.size
    xs = [mpmath.mpf(float(v)) for v in x]
    mean = sum(xs) / n
    var = sum((v - mean) ** 2 for v in xs) / (n - ddof)
    g_var = [2 * (v - mean) / (n - ddof) for v in xs]
    g_std = [g / (2 * mpmath.sqrt(var)) for g in g_var]
    got = dd.gradient(lambda v: np.var(v, ddof=ddof), x, vectorized=True)
    np.testing.assert_allclose(got, [float(g) for g in g_var], rtol=1e-14)
    got = dd.gradient(lambda v: np.std(v, ddof=ddof), x, vectorized=True)
    np.testing.assert_allclose(got, [float(g) for g in g_std], rtol=1e-14)
    value = dd.DualArray._directions(x, np.eye(n))
    assert float(np.std(value, ddof=ddof).real) == np.std(x, ddof=ddof)   # NumPy's value
    # Hessian of var: (I - 1/n) * 2 / (n - ddof)
    H = dd.hessian(lambda v: np.var(v, ddof=ddof), x, vectorized=True)
    np.testing.assert_allclose(H, (np.eye(n) - 1.0 / n) * 2.0 / (n - ddof), rtol=1e-14,
                               atol=1e-16)


def test_std_var_axis(dd):
    x = np.array([0.3, -1.2, 2.0, 0.7, 1.5, -0.4])
    f = lambda v: np.std(v.reshape(2, 3), axis=1, ddof=1)
    J = dd.jacobian(f, x, vectorized=True)
    for row in range(2):
        block = x[3 * row:3 * row + 3]
        m = block.mean()
        s = block.std(ddof=1)
        np.testing.assert_allclose(J[row, 3 * row:3 * row + 3], (block - m) / (2 * s),
                                   rtol=1e-14)
        assert not J[row, 3 * (1 - row):3 * (1 - row) + 3].any()


def test_sort_carries_tangents(dd):
    J, Js = _jac_both(dd, np.sort, X3)
    exact = np.eye(3)[np.argsort(X3)]
    np.testing.assert_array_equal(J, exact)
    np.testing.assert_array_equal(Js, exact)
    x = np.array([3.0, 1.0, 2.0, 0.0])
    f = lambda v: np.sort(v.reshape(2, 2) * v.reshape(2, 2), axis=0).ravel()
    J = dd.jacobian(f, x, vectorized=True)
    # columns sorted separately: [[9, 1], [4, 0]] -> [[4, 0], [9, 1]]
    exact = np.zeros((4, 4))
    exact[0, 2], exact[1, 3], exact[2, 0], exact[3, 1] = 4.0, 0.0, 6.0, 2.0
    np.testing.assert_array_equal(J, exact)


def test_einsum(dd):
    A = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
    f = lambda v: np.einsum("ij,j->i", A, v * v)
    J, Js = _jac_both(dd, f, X3)
    np.testing.assert_allclose(J, A * 2.0 * X3, rtol=1e-15)
    np.testing.assert_allclose(Js, A * 2.0 * X3, rtol=1e-15)
    # two variable operands, implicit output: sum_i v_i v_i v_i
    g = lambda v: np.einsum("i,i", v, v * v)
    np.testing.assert_allclose(dd.gradient(g, X3, vectorized=True), 3.0 * X3 ** 2, rtol=1e-15)
    # second order: Hessian of v^T B v is B + B^T
    B = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0], [0.0, 4.0, 2.0]])
    H = dd.hessian(lambda v: np.einsum("i,ij,j->", v, B, v), X3, vectorized=True)
    np.testing.assert_array_equal(H, B + B.T)
    # HyperDualArray: d2/dt2 of (t * t) . c along e1 = e2 = 1
    h = dd.HyperDualArray(X3, 1.0, 1.0)
    y = np.einsum("i,i->i", h, h)
    np.testing.assert_array_equal(y.e12, np.full(3, 2.0))
    np.testing.assert_array_equal(y.e1, 2.0 * X3)


def _sinc_mp(x, order):
    """sinc' and sinc'' in closed form at 700 digits (they cancel near 0)."""
    with mpmath.workdps(700):
        if x == 0:
            return mpmath.mpf(0) if order == 1 else -mpmath.pi ** 2 / 3
        x = mpmath.mpf(float(x))
        y = mpmath.pi * x
        s, c = mpmath.sin(y), mpmath.cos(y)
        if order == 1:
            return mpmath.pi * (c - s / y) / y
        return mpmath.pi ** 2 * (-s - 2 * c / y + 2 * s / y ** 2) / y


@pytest.mark.parametrize("x", [0.0, 1e-300, 1e-9, -3e-5, 0.1, 0.3, -0.5, 0.63, 1.5, -2.7,
                               10.25])
def test_sinc(dd, x):
    d1 = dd.derivative(np.sinc, np.array([x]))[0]
    d2 = dd.second_derivative(np.sinc, np.array([x]))[0]
    e1, e2 = float(_sinc_mp(x, 1)), float(_sinc_mp(x, 2))
    if x == 0.0:
        assert d1 == 0.0
    else:
        assert abs(d1 - e1) <= 4e-15 * abs(e1)
    assert abs(d2 - e2) <= 4e-15 * abs(e2)
    v, _ = dd.value_and_derivative(np.sinc, np.array([x]))
    assert v[0] == np.sinc(x)
    J = dd.jacobian(np.sinc, np.array([x, 0.25]), vectorized=True)
    assert J[0, 1] == 0.0 and J[1, 0] == 0.0 and J[0, 0] == d1


def test_sinc_second_derivative_at_zero_exact(dd):
    d2 = dd.second_derivative(np.sinc, np.zeros(2))
    exact = float(-mpmath.pi ** 2 / 3)
    np.testing.assert_array_equal(d2, np.full(2, exact))
    H = dd.hessian(lambda v: np.sinc(v[0]) * 1.0, [0.0, 1.0], vectorized=True)
    assert H[0, 0] == exact and H[1, 1] == 0.0 and H[0, 1] == 0.0


def test_repr_of_several_directions(dd):
    v = dd.DualArray._directions([1.0, 2.0], np.eye(2))
    text = repr(v)
    assert "tangents=" in text and "DualArray(" in text
    assert repr(v[0]) == "DualArray(real=1., tangents=[1., 0.])"
    str(v)
    printed = []
    dd.gradient(lambda w: printed.append(repr(w)) or (w * w).sum(), [1.0, 2.0],
                vectorized=True)
    assert "tangents" in printed[0]
    # the repr round-trips
    back = eval(text, {"DualArray": dd.DualArray, "array": np.array})
    np.testing.assert_array_equal(back.tangents, v.tangents)
    np.testing.assert_array_equal(back.real, v.real)


@pytest.mark.parametrize("name", ["expit", "erf", "erfc", "log_expit"])
def test_scipy_special_names_the_dualdiff_function(dd, name):
    import scipy.special as special
    use = {"expit": "dualdiff.sigmoid", "erf": "dualdiff.erf", "erfc": "dualdiff.erfc",
           "log_expit": "dualdiff.softplus"}[name]
    with pytest.raises(TypeError, match=use):
        getattr(special, name)(dd.DualArray([0.5], [1.0]))
    # derivative() then evaluates point by point, with the scalar types
    if name == "expit":
        x = np.array([0.5])
        with pytest.raises(TypeError):
            special.expit(dd.DualArray(x, 1.0))


def test_np_array_of_1d_dualarrays_says_what_to_write(dd):
    with pytest.raises(TypeError, match="numpy.stack"):
        dd.jacobian(lambda v: np.array([v, v]), X3, vectorized=True)


def test_hessian_vectorized_with_the_new_functions(dd):
    f = lambda v: np.sum(np.sort(np.pad(v, 1, mode="edge")) ** 3) + np.std(v) ** 2
    H = dd.hessian(f, X3, vectorized=True)
    # exact: pad(edge) doubles the two extreme elements; std^2 = var
    counts = np.ones(3)
    counts[0] += 1.0   # x[0] is repeated at the left edge
    counts[2] += 1.0   # x[2] at the right edge
    exact = np.diag(6.0 * X3 * counts) + (np.eye(3) - 1.0 / 3) * 2.0 / 3
    np.testing.assert_allclose(H, exact, rtol=1e-14)


# -- item 3 (NumPy side): three-factor products ------------------------------

def _mp_prod(c, s, t):
    return float(mpmath.mpf(c) * mpmath.mpf(s) * mpmath.mpf(t))


@pytest.mark.parametrize("c, s, t", [
    (1e300, 1e-170, 1e-170),      # s*t underflows, the product is 1e-40
    (1e-300, 1e200, 1e200),       # s*t overflows, the product is 1e100
    (2.0, 1e-200, 1e-200),        # truly underflows: 0
    (np.inf, 0.0, 1.0),           # zero stays zero
    (np.nan, 1.0, 0.0),
    (3.0, 5.0, 7.0),
    (1e308, 1e10, 1e-20),
])
def test_tt3_array(c, s, t):
    got = tt3(np.array([c]), np.array([s]), np.array([t]))[0]
    if s == 0.0 or t == 0.0:
        assert got == 0.0
    else:   # two roundings of the mantissas' product, then ldexp's
        exact = _mp_prod(c, s, t)
        assert abs(got - exact) <= 2 * np.spacing(abs(exact))


def test_hyperdual_chain_keeps_second_order_term(dd):
    # x ** y with an array exponent: the chain of power's partials (NumPy side)
    h = dd.HyperDualArray([1e-100], 1e-170, 1e-170)
    y = h ** np.array([-1.0])
    # e12 = d2/dx2 x^-1 * e1 * e2 = 2e300 * 1e-340
    assert y.e12[0] == float(2 * mpmath.mpf(1e-100) ** -3 * mpmath.mpf(1e-170) ** 2)


def test_hessian_vectorized_second_order_term_not_lost(dd):
    # f(v) = (1e-100 + 1e-170 v0) ** -1: H00 = 2 (1e-100)^-3 (1e-170)^2 = 2e-40
    f = lambda v: (1e-100 + 1e-170 * v[0]) ** np.array(-1.0) + v[1]
    H = dd.hessian(f, [0.0, 1.0], vectorized=True)
    exact = float(2 * mpmath.mpf(1e-100) ** -3 * mpmath.mpf(1e-170) ** 2)
    assert H[0, 0] == pytest.approx(exact, rel=1e-15, abs=0.0)
    assert H[0, 1] == 0.0 and H[1, 1] == 0.0


def test_hyperdual_division_cross_term_not_lost(dd):
    # x / y with x = 1 + 1e-250 e1, y = 1e-100 + 1e-250 e2 (broadcast: the NumPy
    # path): e12 = -x1 y2 / y^2 = -1e-300, though r1 * y2 = 1e-150 * 1e-250
    # underflows on the way
    x = dd.HyperDualArray(np.ones(2), 1e-250, 0.0, 0.0)
    y = dd.HyperDualArray([1e-100], 0.0, 1e-250, 0.0)
    q = x / y
    exact = float(-mpmath.mpf(1e-250) * mpmath.mpf(1e-250) / mpmath.mpf(1e-100) ** 2)
    np.testing.assert_allclose(q.e12, [exact, exact], rtol=1e-15, atol=0)


def test_hessian_division_cross_term_not_lost(dd):
    # v0 / (1e-100 + 1e-250 v1) * 1e-250: d2/dv0 dv1 = -1e-250 * 1e-250 / 1e-200
    f = lambda v: (v[0] * 1e-250) / (1e-100 + 1e-250 * v[1])
    H = dd.hessian(f, [0.0, 0.0], vectorized=True)
    exact = float(-mpmath.mpf(1e-250) * mpmath.mpf(1e-250) / mpmath.mpf(1e-100) ** 2)
    assert H[0, 1] == pytest.approx(exact, rel=1e-15, abs=0.0) and H[1, 0] == H[0, 1]


# -- item 8 (NumPy side): outside the domain, every tangent is nan -------------

def test_hessian_vectorized_outside_domain_all_nan(dd):
    with np.errstate(invalid="ignore"):
        H = dd.hessian(lambda v: dd.log2(v[1]), [1.0, -1.0], vectorized=True)
    assert np.isnan(H).all()


def test_power_partials_outside_domain_all_nan(dd):
    # (-8) ** y with an array exponent y = 0.5: no real value; the tangent of
    # the constant base is 0, the whole row nan nonetheless
    x = dd.DualArray._directions([-8.0, 4.0], np.array([[1.0, 0.0], [0.0, 0.0]]))
    with np.errstate(invalid="ignore"):
        y = x ** np.array([0.5, 0.5])
    assert np.isnan(y.tangents[:, 0]).all()
    assert y.tangents[0, 1] == 0.0 and y.tangents[1, 1] == 0.0


def test_seed_pickles_as_plain_array(dd):
    out = []
    dd.derivative(lambda v: out.append(pickle.loads(pickle.dumps(v))) or v, X3)
    assert type(out[0]) is dd.DualArray

"""dualdiff.finite: finite differences and the complex step against exact derivatives.

The oracle is mpmath at 50 digits (``mpmath.diff`` of the function written
in mpmath, or closed forms).  Finite differences are not exact, so each is
held to the error theory predicts at its default step, and the theory itself
is checked: over a log grid of steps the error first falls (truncation) and
then rises (rounding), with the default step near the bottom.  Errors over
many points are summarised by their median, so that one lucky cancellation
of rounding errors cannot decide a test.
"""

import cmath
import doctest
import math

import mpmath
import numpy as np
import pytest

import dualdiff
import dualdiff.finite as fd
from dualdiff import finite

EPS = 2.0 ** -52
DIGITS = 50


def g_np(x):
    """The benchmark's g, in NumPy (works on floats, complex numbers and arrays)."""
    return np.sin(x) * np.exp(x) / (1 + x * x) + np.log1p(x * x) + np.sqrt(x) + np.tanh(x)


def g_mp(x):
    return (mpmath.sin(x) * mpmath.exp(x) / (1 + x * x) + mpmath.log1p(x * x)
            + mpmath.sqrt(x) + mpmath.tanh(x))


def poly(x):
    """The seed's polynomial x**3 + 2x**2 - x + 1: f'(2) = 19, f''(2) = 16.

    Written with products: NumPy's array ``**`` may round differently from
    Python's float ``**``, and test_ndarray_is_elementwise needs the same floats.
    """
    return x*x*x + 2*x*x - x + 1


def irregular(lo, hi, n=101):
    """n points in [lo, hi) spaced by the golden ratio: no integers, no powers of two."""
    return lo + (hi - lo) * ((np.arange(n) * 0.6180339887498949 + 0.1234) % 1.0)


#: name -> (f on floats / arrays, the same f in mpmath, points)
CASES = {
    "exp": (np.exp, mpmath.exp, irregular(0.5, 1.5)),
    "sin": (np.sin, mpmath.sin, irregular(0.3, 1.3)),
    "g": (g_np, g_mp, irregular(0.5, 1.5)),
    "poly": (poly, poly, irregular(0.5, 3.0)),  # f' > 0: relative errors make sense
    # x**p is scale-free: the relative errors at h = t*|x| do not depend on |x|, so
    # the defaults scaled by max(1, |x|) must be as good here as near 1
    "sqrt-large-x": (np.sqrt, mpmath.sqrt, irregular(1e3, 1e5)),
}

#: name -> (function, keyword arguments, derivative order, max relative error at the default h)
METHODS = {
    "forward": (fd.forward_difference, {}, 1, 2e-7),
    "backward": (fd.backward_difference, {}, 1, 2e-7),
    "central": (fd.central_difference, {}, 1, 5e-10),
    "central4": (fd.central_difference, {"accuracy": 4}, 1, 2e-11),
    "second": (fd.second_difference, {}, 2, 5e-7),
}


def exact(fm, xs, order):
    with mpmath.workdps(DIGITS):
        return np.array([float(mpmath.diff(fm, mpmath.mpf(float(x)), order)) for x in xs])


def rel_err(got, want):
    return np.abs(np.asarray(got) - want) / np.abs(want)


# ---------------------------------------------------------------------------
# Accuracy at the default step
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("method", METHODS)
def test_default_step_accuracy_scalar_and_array(method, case):
    func, kw, order, bound = METHODS[method]
    f, fm, xs = CASES[case]
    want = exact(fm, xs, order)
    got = func(f, xs, **kw)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == xs.shape
    assert rel_err(got, want).max() < bound
    for x, w in zip(xs[:5], want[:5]):
        y = func(f, float(x), **kw)
        assert type(y) is float
        assert rel_err(y, w) < bound


@pytest.mark.parametrize("method", METHODS)
def test_ndarray_is_elementwise(method):
    # polynomial arithmetic is bitwise the same on arrays and on floats, so the
    # array result must be exactly the scalar results: the same step per element
    func, kw, _, _ = METHODS[method]
    xs = np.concatenate([irregular(-300.0, 300.0, 20), [0.0, 1.0, -1.0, 7]])
    got = func(poly, xs, **kw)
    assert np.array_equal(got, [func(poly, float(x), **kw) for x in xs])
    assert np.array_equal(func(poly, xs.reshape(4, 6), **kw), got.reshape(4, 6))


def test_int_input():
    assert fd.central_difference(poly, 2) == fd.central_difference(poly, 2.0)
    assert np.array_equal(fd.forward_difference(poly, np.array([1, 2])),
                          fd.forward_difference(poly, np.array([1.0, 2.0])))


# ---------------------------------------------------------------------------
# Truncation, then rounding: the error against h
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["exp", "sin", "g", "sqrt-large-x"])
@pytest.mark.parametrize("method", ["forward", "backward", "central", "central4", "second"])
def test_error_falls_then_rises_with_h(method, case):
    func, kw, order, _ = METHODS[method]
    f, fm, xs = CASES[case]
    want = exact(fm, xs, order)
    scale = np.maximum(1.0, np.abs(xs))

    def err(h):
        return np.median(rel_err(func(f, xs, h, **kw), want))

    grid = np.logspace(-14, -1, 53)  # steps relative to max(1, |x|)
    errs = np.array([err(t * scale) for t in grid])
    best = errs.min()
    at_default = err(None)
    assert at_default <= 4 * best, (at_default, best, grid[errs.argmin()])
    # the best step is inside the grid, not at an end: the curve is a valley
    assert 0 < errs.argmin() < len(grid) - 1
    assert err(1e-1 * scale) > 10 * at_default      # truncation dominates
    assert err(1e-13 * scale) > 10 * at_default     # rounding dominates


def test_fourth_order_beats_second_order_at_their_optimal_steps():
    for f, fm, xs in CASES.values():
        want = exact(fm, xs, 1)
        e2 = np.median(rel_err(fd.central_difference(f, xs), want))
        e4 = np.median(rel_err(fd.central_difference(f, xs, accuracy=4), want))
        assert e4 < e2 / 20


def test_seed_examples():
    # the seed's numerical_derivative / numerical_second_derivative examples
    assert abs(fd.central_difference(poly, 2.0) - 19) < 1e-9
    assert abs(fd.second_difference(poly, 2.0) - 16) < 1e-6
    assert abs(fd.central_difference(lambda x: 1 / (1 + math.exp(-x)), 0.5)
               - exact(lambda x: 1 / (1 + mpmath.exp(-x)), [0.5], 1)[0]) < 1e-10


# ---------------------------------------------------------------------------
# The complex step
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("h", [None, 1e-20, 1e-200])
@pytest.mark.parametrize("case", ["exp", "sin", "g", "poly"])
def test_complex_step_exact_to_rounding(case, h):
    f, fm, xs = CASES[case]
    want = exact(fm, xs, 1)
    got = fd.complex_step(f, xs) if h is None else fd.complex_step(f, xs, h)
    assert got.dtype == np.float64 and got.shape == xs.shape
    assert rel_err(got, want).max() <= 4 * EPS
    y = fd.complex_step(f, float(xs[0])) if h is None else fd.complex_step(f, float(xs[0]), h)
    assert type(y) is float and rel_err(y, want[0]) <= 4 * EPS


def test_complex_step_with_cmath():
    assert abs(fd.complex_step(cmath.exp, 1.0, 1e-200) - math.e) <= 2 * EPS * math.e


# ---------------------------------------------------------------------------
# The step: exactly representable, per component
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("x", [1 / 3, 0.7, 123.456, -9.87654321])
@pytest.mark.parametrize("h", [0.1, 1e-7, 3e-5])
def test_step_is_exactly_representable(x, h):
    # f(x) = x: with h = (x + h) - x the difference quotient is exactly 1;
    # with the h as given it is not, for most x and h
    ident = lambda t: t
    assert fd.forward_difference(ident, x, h) == 1.0
    assert fd.backward_difference(ident, x, h) == 1.0
    xs = np.array([x, 2 * x])
    assert np.all(fd.forward_difference(ident, xs, h) == 1.0)


def test_gradient_uses_a_step_per_component():
    x = np.array([1e4, 0.3, 250.0, -2e3])
    f = lambda v: np.sum(np.log(np.abs(v)))
    for method, func in (("forward", fd.forward_difference),
                         ("backward", fd.backward_difference),
                         ("central", fd.central_difference)):
        grad = fd.fd_gradient(f, x, method=method)
        for i in range(x.size):
            def partial(t, i=i):
                v = x.copy()
                v[i] = t
                return f(v)
            assert grad[i] == func(partial, x[i])  # the same step, the same floats
    # scaled by max(1, |x_i|), the large components are accurate too
    assert rel_err(fd.fd_gradient(f, x), 1 / x).max() < 1e-8


# ---------------------------------------------------------------------------
# Gradient, Jacobian, Hessian
# ---------------------------------------------------------------------------

def rosen(v):
    return sum(100 * (v[i + 1] - v[i] ** 2) ** 2 + (1 - v[i]) ** 2 for i in range(len(v) - 1))


def rosen_exact(x):
    """The gradient and Hessian of Rosenbrock, closed form, in mpmath."""
    with mpmath.workdps(DIGITS):
        q = [mpmath.mpf(float(v)) for v in x]
        n = len(q)
        g = [mpmath.mpf(0)] * n
        h = [[mpmath.mpf(0)] * n for _ in range(n)]
        for i in range(n - 1):
            d = q[i + 1] - q[i] ** 2
            g[i] += -400 * q[i] * d - 2 * (1 - q[i])
            g[i + 1] += 200 * d
            h[i][i] += 1200 * q[i] ** 2 - 400 * q[i + 1] + 2
            h[i + 1][i + 1] += 200
            h[i][i + 1] = h[i + 1][i] = -400 * q[i]
        return (np.array([float(v) for v in g]),
                np.array([[float(v) for v in row] for row in h]))


ROSEN_POINTS = [[1.3, 0.7], [1.3, 0.7, 0.8, 1.9, 1.2], list(irregular(-1.5, 2.0, 12))]


@pytest.mark.parametrize("x", ROSEN_POINTS, ids=lambda x: f"n={len(x)}")
def test_fd_hessian_rosenbrock(x):
    _, want = rosen_exact(x)
    got = fd.fd_hessian(rosen, x)
    assert got.shape == want.shape and got.dtype == np.float64
    assert np.array_equal(got, got.T)
    assert np.abs(got - want).max() < 1e-6 * np.abs(want).max()
    assert np.array_equal(fd.fd_hessian(rosen, tuple(x)), got)


@pytest.mark.parametrize("method, bound", [("forward", 1e-6), ("backward", 1e-6),
                                           ("central", 1e-9)])
@pytest.mark.parametrize("x", ROSEN_POINTS, ids=lambda x: f"n={len(x)}")
def test_fd_gradient_rosenbrock(x, method, bound):
    want, _ = rosen_exact(x)
    got = fd.fd_gradient(rosen, np.array(x), method=method)
    assert got.shape == want.shape and got.dtype == np.float64
    assert np.abs(got - want).max() < bound * np.abs(want).max()


def test_fd_jacobian_against_closed_form():
    f = lambda v: [v[0] * v[1], np.sin(v[0]) + v[1] ** 2, np.exp(v[1])]
    x = [0.7, 1.3]
    want = np.array([[x[1], x[0]], [math.cos(x[0]), 2 * x[1]], [0.0, math.exp(x[1])]])
    for method, bound in (("forward", 1e-7), ("central", 1e-10)):
        got = fd.fd_jacobian(f, x, method=method)
        assert got.shape == (3, 2) and got.dtype == np.float64
        assert np.abs(got - want).max() < bound * np.abs(want).max()
    assert fd.fd_jacobian(rosen, x).shape == (2,)  # scalar f: as dualdiff.jacobian


def test_explicit_steps_for_several_variables():
    x = [1.3, 0.7, 0.8]
    want, want_h = rosen_exact(x)
    for h in (1e-6, [1e-6, 2e-6, 3e-6], np.array([1e-6, 2e-6, 3e-6])):
        assert np.abs(fd.fd_gradient(rosen, x, h) - want).max() < 1e-6 * np.abs(want).max()
    assert np.abs(fd.fd_hessian(rosen, x, 1e-3) - want_h).max() < 1e-3 * np.abs(want_h).max()


# ---------------------------------------------------------------------------
# Against dualdiff's exact derivatives, on each backend
# ---------------------------------------------------------------------------

def test_agrees_with_dualdiff(dd):
    g = lambda x: dd.sin(x) * dd.exp(x) / (1 + x * x) + dd.log1p(x * x) + dd.sqrt(x) + dd.tanh(x)
    xs = irregular(0.2, 3.0, 15)
    d1 = dd.derivative(g, xs)
    assert rel_err(fd.central_difference(g, xs), d1).max() < 1e-9
    assert rel_err(fd.central_difference(g, 0.7, accuracy=4), dd.derivative(g, 0.7)) < 1e-11
    assert rel_err(fd.second_difference(g, xs), dd.second_derivative(g, xs)).max() < 1e-6
    for act in (dd.sigmoid, dd.tanh, dd.softplus, dd.gelu):
        assert rel_err(fd.central_difference(act, xs), dd.derivative(act, xs)).max() < 1e-9
    x = [1.3, 0.7, 0.8, 1.9, 1.2]
    grad = dd.gradient(rosen, x)
    hess = dd.hessian(rosen, x)
    assert np.abs(fd.fd_gradient(rosen, x) - grad).max() < 1e-9 * np.abs(grad).max()
    assert np.abs(fd.fd_hessian(rosen, x) - hess).max() < 1e-6 * np.abs(hess).max()
    f = lambda v: [v[0] * v[1], dd.sin(v[0]) + v[1] ** 2]
    jac = dd.jacobian(f, [0.7, 1.3])
    assert np.abs(fd.fd_jacobian(f, [0.7, 1.3]) - jac).max() < 1e-9 * np.abs(jac).max()


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------

ONE_VARIABLE = [fd.forward_difference, fd.backward_difference, fd.central_difference,
                fd.second_difference, fd.complex_step]


@pytest.mark.parametrize("func", ONE_VARIABLE, ids=lambda f: f.__name__)
@pytest.mark.parametrize("h, exc", [(0.0, ValueError), (-1e-5, ValueError),
                                    (math.nan, ValueError), (math.inf, ValueError),
                                    ("0.1", TypeError), (1j, TypeError),
                                    ([1e-5], TypeError)])
def test_bad_step(func, h, exc):
    with pytest.raises(exc, match="h"):
        func(np.sin, 1.0, h)


@pytest.mark.parametrize("func", ONE_VARIABLE, ids=lambda f: f.__name__)
@pytest.mark.parametrize("x, exc", [("1.0", TypeError), ([1.0, 2.0], TypeError), (1j, TypeError),
                                    (None, TypeError), (np.array(["a"]), TypeError),
                                    (np.array([1j]), TypeError), (math.nan, ValueError),
                                    (math.inf, ValueError)])
def test_bad_point_one_variable(func, x, exc):
    with pytest.raises(exc, match="x|argument|real"):
        func(np.sin, x)


@pytest.mark.parametrize("func", ONE_VARIABLE[:4], ids=lambda f: f.__name__)
def test_f_returning_non_numbers(func):
    for bad in ("a", None, [1.0], 1j, dualdiff.Dual(1.0, 1.0)):
        with pytest.raises(TypeError, match="f returned"):
            func(lambda x, bad=bad: bad, 1.0)
    with pytest.raises(TypeError, match="f returned"):
        func(lambda x: x.astype(str), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="elementwise"):
        func(lambda x: np.sum(x), np.array([1.0, 2.0]))


def test_other_bad_input():
    with pytest.raises(ValueError, match="accuracy"):
        fd.central_difference(np.sin, 1.0, accuracy=3)
    with pytest.raises(ValueError, match="spacing"):
        fd.forward_difference(np.sin, 1e20, h=1e-5)
    with pytest.raises(ValueError, match="shape"):
        fd.central_difference(np.sin, np.ones(3), h=np.ones(2) * 1e-3)
    with pytest.raises(TypeError, match="f returned"):
        fd.complex_step(lambda z: "a", 1.0)


@pytest.mark.parametrize("func", [fd.fd_gradient, fd.fd_jacobian, fd.fd_hessian],
                         ids=lambda f: f.__name__)
def test_bad_input_several_variables(func):
    f = lambda v: v[0] * v[1]
    for x, exc in (([[1.0, 2.0]], ValueError), (2.0, TypeError), ([], ValueError),
                   (["a", "b"], TypeError), ([1.0, [2.0, 3.0]], ValueError),
                   ([1.0, 2j], TypeError)):
        with pytest.raises(exc, match="x|point|variable"):
            func(f, x)
    for h, exc in ((0.0, ValueError), ([1e-5, -1e-5], ValueError), ([1e-5] * 3, ValueError),
                   ("h", TypeError)):
        with pytest.raises(exc, match="h"):
            func(f, [1.0, 2.0], h)
    with pytest.raises(TypeError, match="f returned"):
        func(lambda v: "a", [1.0, 2.0])


def test_bad_input_gradient_and_jacobian():
    with pytest.raises(ValueError, match="method"):
        fd.fd_gradient(rosen, [1.0, 2.0], method="sideways")
    with pytest.raises(TypeError, match="f returned"):
        fd.fd_gradient(lambda v: [v[0], v[1]], [1.0, 2.0])
    with pytest.raises(TypeError, match="f returned"):
        fd.fd_hessian(lambda v: np.array([v[0]]), [1.0, 2.0])
    with pytest.raises(ValueError, match="1-D"):
        fd.fd_jacobian(lambda v: [[v[0]]], [1.0, 2.0])


# ---------------------------------------------------------------------------
# The module itself
# ---------------------------------------------------------------------------

def test_doctests_run_and_pass():
    result = doctest.testmod(fd)
    assert result.attempted >= len(fd.__all__) and result.failed == 0


def test_docstrings_start_with_the_signature():
    for name in fd.__all__:
        assert getattr(fd, name).__doc__.startswith(name + "(f, x")


def test_imported_as_a_submodule_not_in_the_star_namespace():
    assert finite is fd and dualdiff.finite is fd
    assert "finite" not in dualdiff.__all__
    assert "derivative" in fd.__doc__

"""The operators where they meet scipy users' idioms and the user's own code (issue 12).

Extra arguments (``args=``, and ``g(x, *args)`` as scipy.optimize calls
``jac``), points of any shape, ``value_and_jacobian``, derivative functions
that pickle, errors raised in f that must propagate rather than become nan,
the vectorized Hessian's symmetrisation near DBL_MAX, and warnings that point
at the user's line.  Every test runs on both backends.
"""

import math
import os
import pickle
import warnings

import numpy as np
import pytest
import scipy.optimize

THIS_FILE = os.path.abspath(__file__)


# ---------------------------------------------------------------------------
# args=: f(x, *args), on every operator
# ---------------------------------------------------------------------------

def scalar_f(x, a, b=1.0):
    return a * x**3 + b * x


def vector_f(v, a, b):
    return a * v[0] ** 2 * v[1] + b * v[1] ** 3


def vector_out(v, a):
    return [a * v[0] * v[1], v[0] + a * v[1]]


def test_derivative_args(dd):
    # f'(x) = 3 a x^2 + b at x = 2, a = 5, b = 7: 67
    assert dd.derivative(scalar_f, 2.0, args=(5.0, 7.0)) == 67.0
    assert dd.second_derivative(scalar_f, 2.0, args=(5.0,)) == 60.0   # 6 a x
    assert dd.value_and_derivative(scalar_f, 2.0, args=(5.0, 7.0)) == (54.0, 67.0)
    # a single argument that is not a tuple counts as one, as scipy takes it
    assert dd.derivative(scalar_f, 2.0, args=5.0) == 61.0
    slopes = dd.derivative(scalar_f, np.array([1.0, 2.0]), args=(5.0, 7.0))
    assert slopes.tolist() == [22.0, 67.0]


def test_derivative_function_passes_extra_arguments(dd):
    df = dd.derivative(scalar_f)
    assert df(2.0, 5.0, 7.0) == 67.0
    assert dd.derivative(scalar_f, args=(5.0,))(2.0, 7.0) == 67.0   # bound ones first
    assert dd.second_derivative(scalar_f)(2.0, 5.0) == 60.0
    assert dd.value_and_derivative(scalar_f)(2.0, 5.0, 7.0) == (54.0, 67.0)


def test_multivariate_args(dd):
    x, a, b = [1.5, 2.0], 3.0, 0.5
    # f = a x0^2 x1 + b x1^3: gradient (2 a x0 x1, a x0^2 + 3 b x1^2), Hessian exact
    grad = [2 * a * 1.5 * 2.0, a * 1.5**2 + 3 * b * 2.0**2]
    hess = [[2 * a * 2.0, 2 * a * 1.5], [2 * a * 1.5, 6 * b * 2.0]]
    assert dd.gradient(vector_f, x, args=(a, b)).tolist() == grad
    assert dd.gradient(vector_f)(x, a, b).tolist() == grad
    assert dd.gradient(vector_f, x, args=(a, b), vectorized=True).tolist() == grad
    value, g = dd.value_and_gradient(vector_f, x, args=(a, b))
    assert value == a * 1.5**2 * 2.0 + b * 8.0 and g.tolist() == grad
    assert dd.hessian(vector_f, x, args=(a, b)).tolist() == hess
    assert dd.hessian(vector_f)(x, a, b).tolist() == hess
    assert dd.hessian(vector_f, x, args=(a, b), vectorized=True).tolist() == hess
    assert dd.hvp(vector_f, x, [1.0, 0.0], args=(a, b)).tolist() == [hess[0][0], hess[1][0]]
    assert dd.hvp(vector_f)(x, [0.0, 1.0], a, b).tolist() == [hess[0][1], hess[1][1]]
    assert dd.jvp(vector_f, x, [1.0, 0.0], args=(a, b)) == grad[0]
    assert dd.jvp(vector_f)(x, [0.0, 1.0], a, b) == grad[1]
    jac = [[a * 2.0, a * 1.5], [1.0, a]]
    assert dd.jacobian(vector_out, x, args=(a,)).tolist() == jac
    assert dd.jacobian(vector_out)(x, a).tolist() == jac
    assert dd.gradient(vector_f, vectorized="auto")(np.array(x), a, b).tolist() == grad


def test_scipy_minimize_passes_args_to_jac_and_hess(dd):
    def f(v, c):
        return np.sum((v - c) ** 2) + np.sum(v ** 4)

    c = np.array([1.0, -2.0, 0.5])
    res = scipy.optimize.minimize(f, np.zeros(3), args=(c,), method="Newton-CG",
                                  jac=dd.gradient(f), hess=dd.hessian(f))
    assert res.success
    # the optimum solves 2 (v - c) + 4 v^3 = 0, componentwise
    assert np.allclose(2 * (res.x - c) + 4 * res.x**3, 0.0, atol=1e-7)


def test_args_errors(dd):
    with pytest.raises(TypeError, match="callable"):
        dd.derivative(3.0, 1.0, args=(1.0,))
    with pytest.raises(TypeError, match="callable"):
        dd.gradient("f", [1.0], args=(1.0,))


# ---------------------------------------------------------------------------
# x of any shape
# ---------------------------------------------------------------------------

def cubes(v):
    return np.sum(v ** 3) + v[0, 1] * v[1, 0]


def test_gradient_and_hessian_of_a_matrix_point(dd):
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    expected = 3 * x**2
    expected[0, 1] += x[1, 0]
    expected[1, 0] += x[0, 1]
    for vectorized in (False, True):
        g = dd.gradient(cubes, x, vectorized=vectorized)
        assert g.shape == (2, 2) and g.tolist() == expected.tolist()
        h = dd.hessian(cubes, x, vectorized=vectorized)
        assert h.shape == (2, 2, 2, 2)
        dense = np.diag((6 * x).ravel())
        dense[1, 2] = dense[2, 1] = 1.0
        assert h.reshape(4, 4).tolist() == dense.tolist()
    value, g = dd.value_and_gradient(cubes, x)
    assert value == 100.0 + 6.0 and g.tolist() == expected.tolist()
    v = np.array([[1.0, 0.0], [0.0, 2.0]])
    assert dd.hvp(cubes, x, v).tolist() == (dense @ v.ravel()).reshape(2, 2).tolist()
    assert dd.jvp(cubes, x, v) == float(np.sum(expected * v))


def test_jacobian_of_a_matrix_point_and_output(dd):
    x = np.arange(1.0, 7.0).reshape(2, 3)
    for vectorized in (False, True):
        jac = dd.jacobian(lambda m: 2.0 * m.T, x, vectorized=vectorized)
        assert jac.shape == (3, 2, 2, 3)
        expected = np.zeros((3, 2, 2, 3))
        for i in range(3):
            for j in range(2):
                expected[i, j, j, i] = 2.0
        assert np.array_equal(jac, expected)


def test_shape_mismatch_of_v(dd):
    x = np.ones((2, 2))
    with pytest.raises(ValueError, match="shape of x"):
        dd.jvp(cubes, x, np.ones(4))
    with pytest.raises(ValueError, match="shape of x"):
        dd.hvp(cubes, x, np.ones(4))


# ---------------------------------------------------------------------------
# value_and_jacobian
# ---------------------------------------------------------------------------

def test_value_and_jacobian(dd):
    f = lambda v: [v[0] * v[1], dd.sin(v[0])]  # noqa: E731
    value, jac = dd.value_and_jacobian(f, [2.0, 3.0])
    assert value.tolist() == [6.0, math.sin(2.0)]
    assert jac.tolist() == [[3.0, 2.0], [math.cos(2.0), 0.0]]
    value, jac = dd.value_and_jacobian(lambda v: v[0] * v[1], [2.0, 3.0])
    assert value == 6.0 and jac.tolist() == [3.0, 2.0]
    value, jac = dd.value_and_jacobian(lambda v: dd.sin(v) * 2.0, np.array([0.0, 1.0]),
                                       vectorized=True)
    assert value.tolist() == [0.0, 2 * math.sin(1.0)]
    assert jac.tolist() == [[2.0, 0.0], [0.0, 2 * math.cos(1.0)]]
    value, jac = dd.value_and_jacobian(f)(np.array([2.0, 3.0]))
    assert jac[0].tolist() == [3.0, 2.0]


# ---------------------------------------------------------------------------
# Derivative functions pickle (a module-level f), e.g. for a process pool
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["derivative", "second_derivative", "value_and_derivative",
                                "gradient", "value_and_gradient", "jacobian",
                                "value_and_jacobian", "hessian"])
def test_derivative_functions_pickle(dd, op):
    x = np.array([1.3, 0.7, 0.8])
    f = np.sin if op in ("derivative", "second_derivative", "value_and_derivative") \
        else scipy.optimize.rosen
    g = getattr(dd, op)(f)
    copy = pickle.loads(pickle.dumps(g))
    assert copy is not g
    expected, got = g(x), copy(x)
    for e, c in zip(expected if isinstance(expected, tuple) else (expected,),
                    got if isinstance(got, tuple) else (got,)):
        assert np.array_equal(e, c)
    if op == "gradient":   # against the oracle, not only against itself
        assert np.allclose(got, scipy.optimize.rosen_der(x), rtol=1e-14)


def test_two_point_and_auto_functions_pickle(dd):
    x, v = np.array([1.3, 0.7, 0.8]), np.array([1.0, 0.0, 2.0])
    hvp = pickle.loads(pickle.dumps(dd.hvp(scipy.optimize.rosen)))
    assert np.allclose(hvp(x, v), scipy.optimize.rosen_hess(x) @ v, rtol=1e-14)
    jvp = pickle.loads(pickle.dumps(dd.jvp(scipy.optimize.rosen)))
    assert jvp(x, v) == pytest.approx(scipy.optimize.rosen_der(x) @ v, rel=1e-14)
    auto = dd.gradient(scipy.optimize.rosen, vectorized="auto")
    auto(x)
    copy = pickle.loads(pickle.dumps(auto))
    assert copy.vectorized_choices == {}   # the timings were this process's: timed afresh
    assert np.allclose(copy(x), scipy.optimize.rosen_der(x), rtol=1e-14)


# ---------------------------------------------------------------------------
# Errors raised in f propagate; only dualdiff's own domain errors become nan
# ---------------------------------------------------------------------------

def test_a_users_value_error_propagates_from_the_elementwise_fallback(dd):
    def calibrated(x):
        if x > 1.5:   # a truth test: the point-by-point way
            raise ValueError("out of calibrated range")
        return x * x

    with pytest.raises(ValueError, match="out of calibrated range"):
        dd.derivative(calibrated, np.linspace(0.1, 2.0, 5))
    with pytest.raises(ValueError, match="out of calibrated range"):
        dd.derivative(calibrated, 2.0)   # as at a scalar point


@pytest.mark.parametrize("error", [ValueError, ZeroDivisionError, OverflowError])
def test_the_math_modules_errors_in_f_propagate(dd, error):
    def f(x):
        if x.real > 1.0:
            raise error("the user's own")
        return dd.sin(x)

    with pytest.raises(error, match="the user's own"):
        dd.derivative(f, np.array([0.5, 2.0]))


def test_dualdiffs_own_domain_errors_become_nan_point_by_point(dd):
    def f(x):
        return dd.log(x) if x > -5 else x   # a truth test: the point-by-point way

    with pytest.warns(RuntimeWarning, match="invalid value encountered in derivative"):
        slopes = dd.derivative(f, np.array([-1.0, 2.0]))
    assert math.isnan(slopes[0]) and slopes[1] == 0.5
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            dd.derivative(lambda x: 1.0 / x if x > -1 else x, np.array([0.0, 1.0]))


def test_the_scalar_errors_are_still_the_math_modules(dd):
    with pytest.raises(ValueError, match="math domain error"):
        dd.log(-1.0)
    with pytest.raises(ZeroDivisionError):
        dd.Dual(1.0, 1.0) / 0.0
    with pytest.raises(OverflowError):
        dd.exp(dd.Dual(1000.0, 1.0))


# ---------------------------------------------------------------------------
# hessian(vectorized=True) near DBL_MAX
# ---------------------------------------------------------------------------

def test_vectorized_hessian_does_not_overflow_where_the_entry_is_finite(dd):
    f = lambda v: dd.sinh(v[1]) + v[0]  # noqa: E731
    sparse = dd.hessian(f, [0.0, 710.0])
    vectorized = dd.hessian(f, [0.0, 710.0], vectorized=True)
    assert sparse[1, 1] == math.sinh(710.0) == vectorized[1, 1]   # 1.1169973830808557e+308
    assert np.array_equal(vectorized, vectorized.T)


# ---------------------------------------------------------------------------
# Warnings point at the user's line
# ---------------------------------------------------------------------------

def test_point_by_point_warnings_point_at_the_users_line(dd):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dd.derivative(lambda x: dd.sqrt(x) if x < 5 else x, np.array([-1.0, 1.0]))
    assert [os.path.abspath(w.filename) for w in caught] == [THIS_FILE]


def test_bad_args_and_call_arity(dd):
    g = dd.gradient(vector_f)
    with pytest.raises(TypeError):
        g()
    h = dd.hvp(vector_f)
    with pytest.raises(TypeError):
        h([1.0, 2.0])



# ---------------------------------------------------------------------------
# scipy.special's ufuncs on dualdiff numbers: a TypeError saying what to use
# ---------------------------------------------------------------------------

def _numbers(dd):
    return [dd.Dual(0.5, 1.0), dd.HyperDual(0.5, 1.0, 1.0, 0.0),
            dd.GradientDual(0.5, {0: 1.0}), dd.HessianDual(0.5, {0: 1.0})]


@pytest.mark.parametrize("name, hint", [("expit", "dualdiff.sigmoid"), ("erf", "dualdiff.erf"),
                                        ("ndtr", "erfc"), ("gammaln", "dualdiff's functions")])
def test_scipy_special_ufuncs_name_what_to_use(dd, name, hint):
    import scipy.special
    for x in _numbers(dd):
        with pytest.raises(TypeError, match=f"'{name}'.*{type(x).__name__}.*{hint}"):
            getattr(scipy.special, name)(x)


def test_numpy_ufuncs_still_apply_to_dualdiff_numbers(dd):
    x = dd.Dual(0.5, 1.0)
    assert np.sin(x).dual == math.cos(0.5)
    assert np.absolute(dd.Dual(-2.0, 1.0)).dual == -1.0
    assert np.add(x, 1.0).real == 1.5 and bool(np.less(x, 1.0))
    assert [y.dual for y in np.ones(2) * x] == [1.0, 1.0]
    assert (np.float64(2.0) * x).dual == 2.0
    h = np.sqrt(dd.HyperDual(4.0, 1.0, 1.0, 0.0))
    assert (h.real, h.e1, h.e12) == (2.0, 0.25, -1 / 32)
    assert np.exp(dd.GradientDual(0.0, {0: 1.0})).partials == {0: 1.0}
    assert np.exp(dd.HessianDual(0.0, {0: 1.0})).hessian(1).tolist() == [[1.0]]


# ---------------------------------------------------------------------------
# The command line names itself as it was run
# ---------------------------------------------------------------------------

def test_unknown_function_hint_names_the_command_as_run(capsys):
    from dualdiff import _cli

    assert _cli.main(["diff", "foo(x)", "--at", "x=1"]) == 1
    assert "'dualdiff info' lists the functions" in capsys.readouterr().err
    assert _cli.main(["diff", "foo(x)", "--at", "x=1"], run_as="python -m dualdiff") == 1
    err = capsys.readouterr().err
    assert err.startswith("dualdiff: error: unknown function 'foo'")
    assert "'python -m dualdiff info' lists the functions" in err


@pytest.mark.parametrize("op", ["gradient", "hessian"])
def test_vectorized_warnings_point_at_the_users_line(dd, op):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = getattr(dd, op)(lambda v: np.sum(np.log(v)), [-1.0, 1.0], vectorized=True)
    assert np.isnan(out).all()
    assert caught and {os.path.abspath(w.filename) for w in caught} == {THIS_FILE}
    assert all(f"encountered in {op}" in str(w.message) for w in caught)
    with np.errstate(invalid="ignore"):   # the user's errstate holds
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            getattr(dd, op)(lambda v: np.sum(np.log(v)), [-1.0, 1.0], vectorized=True)
    with np.errstate(invalid="raise"):
        with pytest.raises(FloatingPointError):
            getattr(dd, op)(lambda v: np.sum(np.log(v)), [-1.0, 1.0], vectorized=True)


def test_elementwise_warnings_point_at_the_users_line(dd):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        slopes = dd.derivative(lambda x: np.log(x) * 2.0, np.array([-1.0, 0.0, 1.0]))
    assert math.isnan(slopes[0]) and slopes[1] == math.inf and slopes[2] == 2.0
    assert len(caught) == 2   # invalid value at -1, divide by zero at 0
    assert {os.path.abspath(w.filename) for w in caught} == {THIS_FILE}
    assert sorted(str(w.message) for w in caught) == [
        "divide by zero encountered in derivative", "invalid value encountered in derivative"]


def test_std_and_var_on_the_sparse_path(dd):
    x = np.array([1.0, 2.0, 4.0])
    # var = mean((x - m)^2): d/dx_i = 2 (x_i - m) / n, exactly here (m = 7/3)
    m = 7.0 / 3.0
    expected_var = [2 * (xi - m) / 3 for xi in x]
    for vectorized in (False, True):
        g = dd.gradient(np.var, x, vectorized=vectorized)
        assert np.allclose(g, expected_var, rtol=1e-15, atol=0)
        s = dd.gradient(np.std, x, vectorized=vectorized)
        assert np.allclose(s, np.array(expected_var) / (2 * np.std(x)), rtol=1e-14, atol=0)
    assert dd.Dual(2.0, 1.0).conjugate().dual == 1.0

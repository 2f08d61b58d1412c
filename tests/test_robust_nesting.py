"""Nested calls never mix, and numbers of another call are constants (issue 13, items 3-5, 8).

Every derivative call tags the numbers it seeds, whatever the point type: a
scalar, an ndarray (DualArray, HyperDualArray), the vectorized gradient's and
Hessian's arrays, jvp's Duals, the gradient types and HyperDual.  A number
of another call met inside f is an enclosing call's perturbation (kept apart,
or an error), and one returned by f is a constant to the call reading it.
Every expected value below is a closed form.
"""

import numpy as np
import pytest

# -- item 3: an ndarray point nested in a scalar call, and the reverse -----


def test_the_classic_case_over_an_ndarray(dd):
    # d/dx [x * d/dy (x + y)] = 1 (mixing the two perturbations gives 2)
    D = dd.derivative
    assert D(lambda x: x * D(lambda y: x + y, np.array([1.0]))[0], 1.0) == 1.0


def test_outer_variable_scales_an_inner_array_derivative(dd):
    # d/da sum_i d/dx (a x^2) at x = (1, 2) = d/da (2a + 4a) = 6
    D = dd.derivative
    assert D(lambda a: D(lambda x: a * x**2, np.array([1.0, 2.0])).sum(), 3.0) == 6.0


def test_inner_array_derivative_is_the_outer_calls_number(dd):
    # d/dy (a y^3) = 3 a y^2: as a Dual of the outer call, its value and slope
    D = dd.derivative
    seen = []

    def outer(a):
        inner = D(lambda y: a * y**3, np.array([1.0, 2.0]))
        seen.append(inner)
        return inner[1]

    assert D(outer, 0.5) == 12.0   # d/da 3 a 2^2
    inner = seen[0]
    assert inner.dtype == object and [e.real for e in inner] == [1.5, 6.0]


def test_scalar_call_nested_in_an_array_call(dd):
    # d/dx [d/dy (x y^2) at y = 2] = d/dx 4x = 4, elementwise
    D = dd.derivative
    r = D(lambda x: D(lambda y: x * y * y, 2.0), np.array([1.0, 2.0, -3.0]))
    assert r.dtype == np.float64 and r.tolist() == [4.0, 4.0, 4.0]


def test_array_call_nested_in_an_array_call(dd):
    # d/dx sum_j d/dy (x y)_j over y = (1, 1, 1) = d/dx 3x = 3
    D = dd.derivative
    r = D(lambda x: D(lambda y: x * y, np.ones(3)).sum(), np.array([0.5, 2.0]))
    assert r.tolist() == [3.0, 3.0]


def test_value_and_derivative_nested_over_arrays(dd):
    # (a x^2, 2 a x) at x = (1, 3) inside d/da: sum of the slopes = 2 (1 + 3)
    D = dd.derivative

    def outer(a):
        values, slopes = dd.value_and_derivative(lambda x: a * x**2, np.array([1.0, 3.0]))
        return values.sum() + slopes.sum()

    assert D(outer, 2.0) == 10.0 + 8.0


def test_second_derivative_over_an_array_nested_in_derivative_is_refused(dd):
    with pytest.raises(TypeError, match="third order"):
        dd.derivative(lambda a: dd.second_derivative(lambda x: a * x**3, np.array([1.0])).sum(),
                      1.0)


def test_vectorized_gradient_nested_in_derivative(dd):
    # d/da grad_v (a v0 v1) at (2, 3) = (3, 2)
    D = dd.derivative
    for vectorized in (False, True):
        def outer(a, vectorized=vectorized):
            g = dd.gradient(lambda v: a * v[0] * v[1], [2.0, 3.0], vectorized=vectorized)
            return g[0] + 10 * g[1]
        assert D(outer, 1.5) == 3.0 + 20.0, vectorized


def test_gradient_of_a_closure_over_an_outer_array_point(dd):
    # d/dx_i [sum of grad_v (x v0)] at v = (1,) = d/dx_i x_i = 1
    D = dd.derivative
    r = D(lambda x: dd.gradient(lambda v: v[0] * x, [1.0]).sum(), np.array([1.0, 2.0]))
    assert r.tolist() == [1.0, 1.0]


def test_hand_built_dual_array_meeting_a_call_is_refused(dd):
    other = dd.DualArray([1.0, 2.0], [5.0, 5.0])
    with pytest.raises(TypeError, match="different derivative calls"):
        dd.derivative(lambda x: x * other, 1.0)


# -- item 4: jvp through the tagged machinery ---------------------------------


def test_jvp_keeps_a_hand_built_dual_apart(dd):
    # as derivative does: the hand-built Dual is a perturbation of its own
    for vectorized in (False, True):
        r = dd.jvp(lambda v: v[0] * dd.Dual(2.0, 1.0), [1.0], [1.0], vectorized=vectorized)
        assert type(r) is dd.Dual and (r.real, r.dual) == (2.0, 1.0), vectorized
        assert r == dd.derivative(lambda x: x * dd.Dual(2.0, 1.0), 1.0)


def test_jvp_inside_jvp(dd):
    # outer: d/dt jvp(w -> w0 v0) = d/dt v0 = 1 along v = 1
    inner = lambda v: dd.jvp(lambda w: w[0] * v[0], [1.0], [1.0])   # noqa: E731
    assert dd.jvp(inner, [1.0], [1.0]) == 1.0
    # and v0 * inner(v) = v0^2: 2 v0 = 4 at v0 = 2
    assert dd.jvp(lambda v: v[0] * inner(v), [2.0], [1.0]) == 4.0


def test_jvp_inside_derivative(dd):
    # d/dx jvp(w -> w0 x, (1,), (1,)) = d/dx x = 1
    assert dd.derivative(lambda x: dd.jvp(lambda w: w[0] * x, [1.0], [1.0]), 1.0) == 1.0
    # several outputs: d/dx J v of (w0 x, w0^2 x^2) along 1 at w = 1 is (1, 4x)
    def outer(x):
        r = dd.jvp(lambda w: [w[0] * x, (w[0] * x)**2], [1.0], [1.0])
        return r[0] + r[1]
    assert dd.derivative(outer, 1.5) == 1.0 + 6.0


def test_jvp_at_a_point_of_an_enclosing_call(dd):
    # d/dx jvp(f, (x, 2), (1, 0)) with f = v0^2 v1: d/dx (2 v0 v1) = 2 * 2 = 4
    f = lambda v: v[0] ** 2 * v[1]   # noqa: E731
    assert dd.derivative(lambda x: dd.jvp(f, [x, 2.0], [1.0, 0.0]), 3.0) == 4.0


def test_vectorized_jvp_nested_falls_back_to_numbers(dd):
    r = dd.derivative(lambda x: dd.jvp(lambda w: w * x, np.array([1.0, 2.0]), np.ones(2),
                                       vectorized=True).sum(), 1.0)
    assert r == 2.0


# -- item 5: stale or foreign numbers returned by f are constants --------------


def _cached_once(make):
    cache = []

    def f(v):
        if not cache:
            cache.append(make(v))
        return cache[0]
    return f


def test_stale_gradient_dual_is_a_constant(dd):
    f = _cached_once(lambda v: v[0] * v[1] + v[0])
    assert dd.gradient(f, [1.0, 2.0]).tolist() == [3.0, 1.0]
    assert dd.gradient(f, [1.0, 2.0]).tolist() == [0.0, 0.0]
    value, g = dd.value_and_gradient(f, [1.0, 2.0])
    assert value == 3.0 and g.tolist() == [0.0, 0.0]
    assert dd.jacobian(lambda v: [f(v), v[0]], [1.0, 2.0]).tolist() == [[0.0, 0.0], [1.0, 0.0]]


def test_stale_hessian_dual_is_a_constant(dd):
    f = _cached_once(lambda v: v[0] ** 2 * v[1])
    assert dd.hessian(f, [1.0, 2.0]).tolist() == [[4.0, 2.0], [2.0, 0.0]]
    assert dd.hessian(f, [1.0, 2.0]).tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_stale_vectorized_results_are_constants(dd):
    g = _cached_once(lambda v: np.sum(v ** 2))
    assert dd.gradient(g, [1.0, 2.0], vectorized=True).tolist() == [2.0, 4.0]
    assert dd.gradient(g, [1.0, 2.0], vectorized=True).tolist() == [0.0, 0.0]
    h = _cached_once(lambda v: np.sum(v ** 3))
    assert dd.hessian(h, [1.0, 2.0], vectorized=True).tolist() == [[6.0, 0.0], [0.0, 12.0]]
    assert dd.hessian(h, [1.0, 2.0], vectorized=True).tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_stale_directional_number_is_a_constant(dd):
    f = _cached_once(lambda v: v[0] ** 2 * v[1])
    assert dd.hvp(f, [1.0, 2.0], [1.0, 0.0]).tolist() == [4.0, 2.0]
    assert dd.hvp(f, [1.0, 2.0], [1.0, 0.0]).tolist() == [0.0, 0.0]


def test_stale_hyper_dual_is_a_constant(dd):
    f = _cached_once(lambda x: x ** 3)
    assert dd.second_derivative(f, 2.0) == 12.0
    assert dd.second_derivative(f, 2.0) == 0.0
    assert dd.second_derivative(lambda x: dd.HyperDual(1.0, 2.0, 3.0, 4.0), 1.0) == 0.0


def test_hand_built_hyper_dual_cannot_join_a_call(dd):
    with pytest.raises(TypeError, match="second_derivative calls"):
        dd.second_derivative(lambda x: x * dd.HyperDual(2.0, 1.0, 1.0, 0.0), 1.0)
    with pytest.raises(TypeError, match="second_derivative calls"):
        dd.second_derivative(lambda x: dd.second_derivative(lambda y: x * y * y, 1.0), 2.0)
    h = dd.HyperDual(2.0, 1.0, 1.0, 0.0)   # by hand, among themselves: as before
    assert (h * h).e12 == 2.0 and dd.sin(h * 3.0).real == np.sin(6.0)


def test_foreign_numbers_over_an_ndarray_read_as_at_a_scalar_point(dd):
    x = np.array([1.5, 2.5])
    assert dd.derivative(lambda t: dd.Dual(5.0, 7.0), x).tolist() == [0.0, 0.0]
    assert dd.derivative(lambda t: dd.Dual(5.0, 7.0), 1.5) == 0.0
    stale = []
    dd.derivative(lambda t: stale.append(t * 2.0) or t, np.array([1.0, 2.0]))
    for point in (x, 1.5):   # an array is no scalar function's result, at either point
        with pytest.raises(TypeError, match="f returned 'DualArray'"):
            dd.derivative(lambda t: stale[0], point)
    assert dd.second_derivative(lambda t: dd.HyperDual(1.0, 1.0, 1.0, 9.0), x).tolist() == [0.0, 0.0]


def test_stale_array_in_f_is_refused_not_mixed(dd):
    stale = []
    dd.derivative(lambda t: stale.append(t) or t, np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="different derivative calls"):
        dd.derivative(lambda t: t * stale[0], 1.0)


def test_foreign_results_of_jvp_are_constants(dd):
    kept = []
    dd.jvp(lambda v: kept.append(v[0] * 2.0) or v[0], [1.0], [1.0])
    assert dd.jvp(lambda v: kept[0], [1.0], [1.0]) == 0.0


# -- item 8: second_derivative nested in derivative -------------------------


def test_second_derivative_inside_derivative_says_why(dd):
    with pytest.raises(TypeError, match="third order"):
        dd.derivative(lambda x: dd.second_derivative(lambda y: x * y**3, 1.0), 2.0)
    with pytest.raises(TypeError, match="third order"):
        dd.derivative(lambda x: dd.second_derivative(lambda y: y**3, x), 2.0)
    with pytest.raises(TypeError, match="third order"):
        dd.second_derivative(lambda x: dd.derivative(lambda y: x * y**3, 1.0), 2.0)

"""vectorized="auto": the derivative function times both ways once per n.

``gradient(f, vectorized="auto")`` (and the same for value_and_gradient,
jacobian, jvp, hessian and hvp) returns a function that, at the first call
for each size n of x, evaluates f at sparse numbers and then at a
vectorized array, times both, returns the faster one's result and keeps
that way for later calls at that n.

No test here times anything: a fake clock replaces ``dualdiff.api.auto``'s
``perf_counter``, and f advances it by a cost that depends on what it is
evaluated at (an object ndarray of sparse numbers, or a dualdiff array), so
each test decides which way is "faster".  Some f also return a value scaled
by which way they were evaluated, so that the result shows which way
produced it.  Checked: the choice kept per n, how often f is evaluated, the
results against the explicit vectorized=True/False and closed forms in
mpmath, f that cannot take an array, errors of f, the direct form, bad
values, nested calls, threads, and scipy.optimize.
"""

import sys
import threading

import mpmath
import numpy as np
import pytest
import scipy.optimize
from scipy.optimize import rosen

from dualdiff.api import auto
from _multihelp import mp, ulps_of_max

DIGITS = 50
OPS = ("gradient", "value_and_gradient", "jacobian", "jvp", "hessian", "hvp")
WITH_V = ("jvp", "hvp")

_RNG = np.random.default_rng(11)
_A = _RNG.normal(size=(4, 4)) / 2.0
_W = _RNG.normal(size=(3, 4)) / 2.0


class Clock:
    """The fake perf_counter: f advances it (see ``costly``)."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(auto, "perf_counter", fake)
    return fake


def sparse_arg(v):
    """f is evaluated at sparse numbers (an object ndarray), not at a dualdiff array."""
    return isinstance(v, np.ndarray)


def costly(f, clock, faster, mark=False):
    """f that advances `clock` by 1 where it is evaluated the way
    ``timed.faster`` ("sparse" or "vectorized") and by 10 the other way, and
    appends the way to ``timed.calls``.  With mark=True its result is doubled
    when evaluated at an array, so that a derivative shows which way
    computed it."""

    def timed(v):
        way = "sparse" if sparse_arg(v) else "vectorized"
        timed.calls.append(way)
        clock.now += 1.0 if way == timed.faster else 10.0
        y = f(v)
        return y if way == "sparse" or not mark else y * 2.0

    timed.calls, timed.faster = [], faster
    return timed


def scalar_f(v):
    return np.sum(np.sin(v) * v) + v[0] * v[-1]


def vector_f(v):   # n >= 3 (no object ndarray * Dual: jvp's sparse numbers are Duals)
    return np.tanh(_W[:, :len(v)] @ v) * np.sin(v[:3])


def f_for(op):
    return vector_f if op in ("jacobian", "jvp") else scalar_f


def args_for(op, n, seed=0):
    x = np.random.default_rng(seed).uniform(-1.0, 1.0, n)
    return (x, np.arange(1.0, n + 1.0)) if op in WITH_V else (x,)


def explicit(dd, op, f, args, vectorized):
    return getattr(dd, op)(f, *args, vectorized=vectorized)


def assert_same(got, expected):
    """Bitwise the same result (a float, an ndarray, or a pair of them)."""
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_same(g, e)
        return
    assert type(got) is type(expected), (got, expected)
    assert np.array_equal(got, expected), (got, expected)
    if isinstance(expected, np.ndarray):
        assert got.dtype == expected.dtype == np.float64


# --------------------------------------------------------------------------
# The choice, per n, and how often f is evaluated
# --------------------------------------------------------------------------

def scripted(f, clock, costs):
    """f that advances `clock` by the next of `costs` at each evaluation and
    records the way it was evaluated in ``timed.calls``."""
    costs = list(costs)

    def timed(v):
        timed.calls.append("sparse" if sparse_arg(v) else "vectorized")
        clock.now += costs.pop(0)
        return f(v)

    timed.calls = []
    return timed


@pytest.mark.parametrize("costs, want", [
    # a close first round (vectorized seems faster: the sparse way warmed
    # up), then the second round shows sparse is faster: the faster of two
    ((3.0, 2.5, 1.0, 2.5), False),
    ((3.0, 2.5, 3.0, 2.6), True),     # close, and vectorized faster both times
    ((2.0, 2.5, 2.0, 0.5), True),     # the second vectorized time decides
])
def test_a_close_first_timing_is_taken_again(dd, clock, costs, want):
    f = scripted(scalar_f, clock, costs)
    g = dd.gradient(f, vectorized="auto")
    x = np.array([0.3, -0.2, 0.9])
    got = g(x)
    assert f.calls == ["sparse", "vectorized", "sparse", "vectorized"]
    assert g.vectorized_choices == {3: want}
    assert_same(got, dd.gradient(scalar_f, x, vectorized=want))


def test_a_clear_first_timing_is_not_repeated(dd, clock):
    # 4x apart or more: one evaluation each way is enough
    f = scripted(scalar_f, clock, (4.0, 1.0))
    g = dd.gradient(f, vectorized="auto")
    g(np.array([0.3, -0.2, 0.9]))
    assert f.calls == ["sparse", "vectorized"]
    assert g.vectorized_choices == {3: True}

@pytest.mark.parametrize("faster", ["sparse", "vectorized"])
@pytest.mark.parametrize("op", OPS)
def test_first_call_times_both_ways_and_keeps_the_faster_per_n(dd, clock, op, faster):
    f = costly(f_for(op), clock, faster, mark=True)
    g = getattr(dd, op)(f, vectorized="auto")
    assert g.vectorized_choices == {}
    want = faster == "vectorized"

    args = args_for(op, 3)
    got = g(*args)
    assert f.calls == ["sparse", "vectorized"]   # the first call: both ways, sparse first
    assert g.vectorized_choices == {3: want}
    assert_same(got, explicit(dd, op, f, args, want))   # the chosen way's result

    for seed in (1, 2):   # later calls at n = 3: f once, the kept way
        del f.calls[:]
        args = args_for(op, 3, seed)
        got = g(*args)
        assert f.calls == [faster]
        assert_same(got, explicit(dd, op, f, args, want))

    # a new n is timed afresh: there, the other way is faster
    f.faster = "sparse" if want else "vectorized"
    del f.calls[:]
    got = g(*args_for(op, 4))
    assert f.calls == ["sparse", "vectorized"]
    assert g.vectorized_choices == {3: want, 4: not want}
    assert_same(got, explicit(dd, op, f, args_for(op, 4), not want))
    del f.calls[:]
    g(*args_for(op, 3, 5))
    assert f.calls == [faster]   # n = 3 keeps its own choice, whatever the clock says now


def test_a_tie_keeps_the_sparse_default(dd, clock):
    calls = []

    def f(v):
        calls.append(sparse_arg(v))
        return np.sum(v * v)

    g = dd.gradient(f, vectorized="auto")
    g([1.0, 2.0])   # the clock stands still: both ways take 0
    assert calls == [True, False]
    assert g.vectorized_choices == {2: False}


def test_vectorized_choices_is_a_read_only_copy(dd, clock):
    f = costly(scalar_f, clock, "vectorized")
    g = dd.gradient(f, vectorized="auto")
    g(np.ones(3))
    choices = g.vectorized_choices
    choices[3] = False
    choices[7] = True
    assert g.vectorized_choices == {3: True}
    with pytest.raises(AttributeError):
        g.vectorized_choices = {}
    assert g.__name__ == "gradient_of_timed"
    assert "auto" in repr(g) and "{3: True}" in repr(g)


def test_the_functions_of_x_and_v_take_both(dd):
    for op in WITH_V:
        g = getattr(dd, op)(scalar_f, vectorized="auto")
        with pytest.raises(TypeError):
            g(np.ones(3))
        assert g.vectorized_choices == {}


# --------------------------------------------------------------------------
# Results: the explicit ways, and closed forms in mpmath
# --------------------------------------------------------------------------

def _mp_lse_parts(x):
    """(gradient, Hessian) of logsumexp(A x) in mpmath: A^T p, A^T (diag p - p p^T) A."""
    with mpmath.workdps(DIGITS):
        z = [sum(mp(_A[i, j]) * mp(x[j]) for j in range(4)) for i in range(4)]
        e = [mpmath.exp(zi) for zi in z]
        p = [ei / sum(e) for ei in e]
        grad = [float(sum(_A[i, j] * p[i] for i in range(4))) for j in range(4)]
        hess = [[float(sum(mp(_A[i, j]) * mp(_A[k, m]) * ((p[i] if i == k else 0) - p[i] * p[k])
                           for i in range(4) for k in range(4)))
                 for m in range(4)] for j in range(4)]
    return np.array(grad), np.array(hess)


@pytest.mark.parametrize("faster", ["sparse", "vectorized"])
def test_results_against_mpmath(dd, clock, faster):
    f = costly(lambda v: dd.logsumexp(_A @ v), clock, faster)
    want = faster == "vectorized"
    grad, hess = dd.gradient(f, vectorized="auto"), dd.hessian(f, vectorized="auto")
    for seed in range(3):
        x = np.random.default_rng(seed).uniform(-1.0, 1.0, 4)
        true_g, true_h = _mp_lse_parts(x)
        assert ulps_of_max(grad(x), true_g) <= 8
        assert ulps_of_max(hess(x).ravel(), true_h.ravel()) <= 32
        # both ways are exact to rounding: within a few ulps of each other
        assert ulps_of_max(dd.gradient(f, x, vectorized=not want), grad(x)) <= 8
    assert grad.vectorized_choices == hess.vectorized_choices == {4: want}


def test_scipy_rosen_and_a_vectorised_rosenbrock(dd, clock):
    # scipy's rosen calls np.asarray(x): it cannot take a dualdiff array
    f = costly(rosen, clock, "vectorized")
    g = dd.gradient(f, vectorized="auto")
    x = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    assert np.array_equal(g(x), dd.gradient(rosen, x))
    assert g.vectorized_choices == {5: False}

    def rosen_array(v):
        return np.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2)

    g = dd.gradient(costly(rosen_array, clock, "vectorized"), vectorized="auto")
    assert np.allclose(g(x), scipy.optimize.rosen_der(x), rtol=1e-15, atol=0)
    assert g.vectorized_choices == {5: True}


# --------------------------------------------------------------------------
# f that cannot take an array; errors of f
# --------------------------------------------------------------------------

def _mine_only(v):
    if not sparse_arg(v):
        raise TypeError("this f takes object arrays only")   # raised by f itself
    return v[0] * v[1]


def _set_an_item(v):
    w = v.copy()
    w[0] = 1.0   # a dualdiff array is immutable (ArrayUnsupported)
    return np.sum(w * v)


NOT_FOR_ARRAYS = {
    "item assignment": _set_an_item,
    "TypeError of f's own": _mine_only,
    "scipy's rosen (np.asarray)": rosen,
}


@pytest.mark.parametrize("op, name", [(op, name) for op in ("gradient", "hessian", "jvp")
                                      for name in sorted(NOT_FOR_ARRAYS)])
def test_f_that_cannot_take_an_array_keeps_the_sparse_way(dd, clock, op, name):
    f = costly(NOT_FOR_ARRAYS[name], clock, "vectorized")   # vectorized would be faster
    g = getattr(dd, op)(f, vectorized="auto")
    args = args_for(op, 3)
    got = g(*args)
    assert f.calls == ["sparse", "vectorized"]   # tried, and failed
    assert g.vectorized_choices == {3: False}
    assert_same(got, explicit(dd, op, f, args, False))
    del f.calls[:]
    assert_same(g(*args), got)
    assert f.calls == ["sparse"]


def test_a_result_an_array_cannot_give_keeps_the_sparse_way(dd, clock):
    # f takes the array, but its result (a list holding an array) is one the
    # vectorized jvp cannot read: ArrayUnsupported from dualdiff, not from f
    def f(v):
        return [v[:2] ** 2]

    x, v = np.array([1.0, 2.0, 3.0]), np.ones(3)
    with pytest.raises(TypeError, match="ndarray"):   # the premise
        dd.jvp(f, x, v, vectorized=True)
    f = costly(f, clock, "vectorized")
    g = dd.jvp(f, vectorized="auto")
    assert_same(g(x, v), dd.jvp(f, x, v))
    assert f.calls[:2] == ["sparse", "vectorized"]
    assert g.vectorized_choices == {3: False}


def test_branching_on_an_element_works_both_ways(dd, clock):
    # an element of a dualdiff array is 0-d: its truth is its value's, so
    # such an f takes an array, and "auto" may choose it
    def branchy(v):
        return v[0] * v[1] if v[0] > 0 else v[1]

    g = dd.gradient(costly(branchy, clock, "vectorized"), vectorized="auto")
    for x in ([1.0, 2.0], [-1.0, 2.0]):
        got = g(x)
        assert np.array_equal(got, dd.gradient(branchy, x))
        assert np.array_equal(got, dd.gradient(branchy, x, vectorized=True))
    assert g.vectorized_choices == {2: True}


def test_float_of_an_element_fails_as_with_the_sparse_way(dd, clock):
    # float() drops the derivative of sparse numbers too: the sparse way
    # raises first, as vectorized=False does, and nothing is kept
    g = dd.gradient(lambda v: float(v[0]) * v[1], vectorized="auto")
    with pytest.raises(TypeError, match="drop"):
        g([1.0, 2.0])
    assert g.vectorized_choices == {}


def _array_only(error):
    def f(v):
        if not sparse_arg(v):
            raise error
        return v[0] * v[1]
    return f


@pytest.mark.parametrize("op", OPS)
def test_errors_of_f_propagate_and_nothing_is_kept(dd, clock, op):
    g = getattr(dd, op)(lambda v: v[0] / 0.0, vectorized="auto")
    with pytest.raises(ZeroDivisionError):   # from the sparse way, first
        g(*args_for(op, 2))
    assert g.vectorized_choices == {}
    for error in (KeyError("k"), RuntimeError("r"), ZeroDivisionError("z")):
        g = getattr(dd, op)(_array_only(error), vectorized="auto")
        with pytest.raises(type(error)):   # from the vectorized attempt
            g(*args_for(op, 2))
        assert g.vectorized_choices == {}


def test_a_type_error_inside_dualdiff_propagates(dd, clock):
    # not f's own TypeError: dualdiff's, from a bad argument, when f is
    # evaluated at an array (a fault is never hidden as "f cannot take an array")
    def f(v):
        if not sparse_arg(v):
            return np.sum(dd.leaky_relu(v, alpha="0.1"))
        return np.sum(v * v)

    g = dd.gradient(f, vectorized="auto")
    with pytest.raises(TypeError, match="leaky_relu"):
        g([1.0, 2.0])
    assert g.vectorized_choices == {}


def test_past_the_seed_limit_the_vectorized_way_is_not_tried(dd, clock, monkeypatch):
    # limit: a 3 x 3 gradient seed; a Hessian's (3 + 9) x 3 seed is over it
    monkeypatch.setattr(auto, "AUTO_SEED_BYTES", 3 * 3 * 8)
    f = costly(scalar_f, clock, "vectorized")
    g = dd.gradient(f, vectorized="auto")
    g(np.ones(3))
    assert f.calls == ["sparse", "vectorized"]
    del f.calls[:]
    g(np.ones(4))
    assert f.calls == ["sparse"]
    assert g.vectorized_choices == {3: True, 4: False}
    h = dd.hessian(f, vectorized="auto")
    del f.calls[:]
    assert np.array_equal(h(np.ones(3)), dd.hessian(scalar_f, np.ones(3)))
    assert f.calls == ["sparse"]
    assert h.vectorized_choices == {3: False}
    # jvp's vectorized seed is one direction: always tried
    j = dd.jvp(f, vectorized="auto")
    del f.calls[:]
    j(np.ones(4), np.ones(4))
    assert f.calls == ["sparse", "vectorized"]


def test_the_real_seed_limit(dd):
    limit = auto.AUTO_SEED_BYTES
    assert 2896 ** 2 * 8 <= limit < 2897 ** 2 * 8   # gradient: n <= 2896
    assert 202 * (202 + 202 ** 2) * 8 <= limit < 203 * (203 + 203 ** 2) * 8   # hessian


# --------------------------------------------------------------------------
# The direct form, and bad values of vectorized=
# --------------------------------------------------------------------------

@pytest.mark.parametrize("op", OPS)
def test_auto_with_a_point_is_a_value_error_saying_why(dd, op):
    f = f_for(op)
    with pytest.raises(ValueError, match=rf'first call.*{op}\(f, vectorized="auto"\) returns'):
        getattr(dd, op)(f, *args_for(op, 3), vectorized="auto")


@pytest.mark.parametrize("bad", [None, "yes", "Auto", "", 1.5, 2, -1, [True], np.array(True)],
                         ids=repr)
@pytest.mark.parametrize("op", OPS)
def test_bad_values_of_vectorized_raise(dd, op, bad):
    f = f_for(op)
    for args in ((), args_for(op, 3)):
        with pytest.raises((TypeError, ValueError)) as info:
            getattr(dd, op)(f, *args, vectorized=bad)
        assert repr(bad) in str(info.value) and "auto" in str(info.value)


@pytest.mark.parametrize("op", OPS)
def test_bool_likes_are_still_accepted(dd, op):
    f, args = f_for(op), args_for(op, 3)
    for flag, same_as in ((0, False), (1, True), (np.False_, False), (np.True_, True)):
        assert_same(getattr(dd, op)(f, *args, vectorized=flag), explicit(dd, op, f, args, same_as))
        assert_same(getattr(dd, op)(f, vectorized=flag)(*args), explicit(dd, op, f, args, same_as))


# --------------------------------------------------------------------------
# Nested calls: the nested path, untimed and unrecorded
# --------------------------------------------------------------------------

def test_x_carrying_an_outer_perturbation(dd, clock):
    f = costly(lambda v: v[0] ** 2 * v[1], clock, "vectorized")
    g = dd.gradient(f, vectorized="auto")
    vg = dd.value_and_gradient(f, vectorized="auto")
    jac = dd.jacobian(lambda v: [v[0] ** 2 * v[1], v[1]], vectorized="auto")
    # d/dt of [2 t * 3, t^2] at t = 1.5, x = (t, 3)
    assert dd.derivative(lambda t: g(np.array([t, 3.0], dtype=object))[0], 1.5) == 6.0
    assert dd.derivative(lambda t: g(np.array([t, 3.0], dtype=object))[1], 1.5) == 3.0
    assert dd.derivative(lambda t: vg(np.array([t, 3.0], dtype=object))[0], 1.5) == 9.0
    assert dd.derivative(lambda t: jac(np.array([t, 3.0], dtype=object))[0, 1], 1.5) == 3.0
    assert "vectorized" not in f.calls
    assert g.vectorized_choices == vg.vectorized_choices == jac.vectorized_choices == {}
    # the same functions at a plain point choose as usual
    assert np.array_equal(g([1.5, 3.0]), [9.0, 2.25])
    assert g.vectorized_choices == {2: True}


def test_f_closing_over_an_outer_perturbation(dd, clock):
    outer = {}
    f = costly(lambda v: outer["t"] * v[0] * v[1], clock, "vectorized")
    g = dd.gradient(f, vectorized="auto")
    vg = dd.value_and_gradient(f, vectorized="auto")

    def through(t, i):
        outer["t"] = t
        return g([2.0, 3.0])[i]

    # the gradient of t x0 x1 at (2, 3) is (3 t, 2 t): d/dt = 3, 2
    assert dd.derivative(lambda t: through(t, 0), 1.5) == 3.0
    assert dd.derivative(lambda t: through(t, 1), 1.5) == 2.0

    def value(t):
        outer["t"] = t
        return vg([2.0, 3.0])[0]

    assert dd.derivative(value, 1.5) == 6.0
    assert "vectorized" not in f.calls
    assert g.vectorized_choices == vg.vectorized_choices == {}
    # a fresh "auto" function inside the derivative call works the same way
    assert dd.derivative(lambda t: dd.gradient(lambda v: t * v[0] ** 2, vectorized="auto")(
        [3.0])[0], 2.0) == 6.0
    outer["t"] = 1.5   # and outside it, the choice is made as usual
    g([2.0, 3.0])
    assert g.vectorized_choices == {2: True}


# --------------------------------------------------------------------------
# Threads
# --------------------------------------------------------------------------

def test_threads_on_first_use_record_one_choice_and_get_its_result(dd, monkeypatch):
    # Each thread has its own clock, and f is faster vectorized for the
    # even-numbered threads, sparse for the odd ones; every thread waits
    # inside its first evaluation of f until all have started theirs, so
    # that all of them time both ways at once and measure different
    # winners.  One choice is kept, and every thread gets the result of the
    # way that was kept (f is marked: the vectorized result is twice the
    # sparse one).
    threads_n = 8
    local = threading.local()
    monkeypatch.setattr(auto, "perf_counter", lambda: local.now)
    inside = threading.Barrier(threads_n)
    calls = []

    def f(v):
        way = "sparse" if sparse_arg(v) else "vectorized"
        calls.append((local.index, way))
        if local.waiting:
            local.waiting = False
            try:
                inside.wait(timeout=5.0)
            except threading.BrokenBarrierError:   # a first call that excludes the others
                pass
        local.now += 1.0 if (way == "vectorized") == (local.index % 2 == 0) else 10.0
        y = dd.logsumexp(_A @ v)
        return y if way == "sparse" else y * 2.0

    local.index, local.now, local.waiting = 1, 0.0, False
    x = np.array([0.1, -0.3, 0.5, 0.2])
    ways = {False: dd.gradient(f, x), True: dd.gradient(f, x, vectorized=True)}
    assert not np.array_equal(ways[False], ways[True])
    g = dd.gradient(f, vectorized="auto")
    start = threading.Barrier(threads_n)
    results, errors = [None] * threads_n, []

    def work(i):
        local.index, local.now, local.waiting = i, 0.0, True
        try:
            start.wait()
            results[i] = g(x)
        except BaseException as exc:   # reported by the main thread
            errors.append(exc)

    del calls[:]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)   # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switch)
    assert errors == []
    choices = g.vectorized_choices
    assert list(choices) == [4]
    for r in results:
        assert np.array_equal(r, ways[choices[4]])
    for i in range(threads_n):
        assert 1 <= sum(1 for j, _ in calls if j == i) <= 2
    # later calls, from any thread, evaluate f once, the kept way
    del calls[:]
    assert np.array_equal(g(x), ways[choices[4]])
    assert calls == [(1, "vectorized" if choices[4] else "sparse")]


# --------------------------------------------------------------------------
# scipy.optimize
# --------------------------------------------------------------------------

def _rosen_array(v):
    return np.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2)


@pytest.mark.parametrize("faster", ["sparse", "vectorized"])
def test_minimize_converges_with_auto_derivatives(dd, clock, faster):
    f = costly(_rosen_array, clock, faster)
    x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
    jac, hess = dd.gradient(f, vectorized="auto"), dd.hessian(f, vectorized="auto")
    res = scipy.optimize.minimize(_rosen_array, x0, method="trust-exact", jac=jac, hess=hess,
                                  options={"gtol": 1e-10})
    assert res.success and np.allclose(res.x, 1.0, rtol=0, atol=1e-8), res
    assert jac.vectorized_choices == hess.vectorized_choices == {5: faster == "vectorized"}
    hessp = dd.hvp(f, vectorized="auto")
    res = scipy.optimize.minimize(_rosen_array, x0, method="Newton-CG", jac=jac, hessp=hessp,
                                  options={"xtol": 1e-10})
    assert res.success and np.allclose(res.x, 1.0, rtol=0, atol=1e-6), res
    theirs = scipy.optimize.minimize(rosen, x0, method="Newton-CG", jac=scipy.optimize.rosen_der,
                                     hessp=scipy.optimize.rosen_hess_prod,
                                     options={"xtol": 1e-10})
    assert res.nit == theirs.nit
    assert hessp.vectorized_choices == {5: faster == "vectorized"}

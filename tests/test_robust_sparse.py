"""Issue 13, item 9: the sparse gradient of a dense reduction.

A sum of n terms (np.sum, sum(), a loop, np.cumsum) used to copy the merged
partials at every addition, O(n^2) in all.  Now x + y writes y's partials
next to x's in a shared store and the result views both (x's own view never
changes): these tests check the values against exact ones at large n, that
the shared store is what the sums use (the structure of the fix, not a
timing), and that views of one store never disturb each other.
"""

import copy
import math
import pickle
import sys

import numpy as np
import pytest


def seeds(dd, n, start=0.5, stop=1.5):
    """GradientDual(x_i, {i: 1.0}) for x = linspace(start, stop, n), of one call."""
    x = np.linspace(start, stop, n)
    return x, np.array([dd.GradientDual(v, {i: 1.0}) for i, v in enumerate(x)], dtype=object)


def store(dd, g):
    """What identifies the storage of g's partials: equal for views of one store."""
    if dd.backend == "c":
        from dualdiff import _core
        layout = _core._sparse_layout(g)
        return None if layout is None else layout[0]
    p = g._g
    return id(p) if type(p) is dict else id(p._d)


def ones(n, idx):
    return {i: 1.0 for i in idx}


# -- exact values at large n ----------------------------------------------

N = 100_000


def test_np_sum_large(dd):
    x = np.linspace(-2.0, 3.0, N)
    np.testing.assert_array_equal(dd.gradient(np.sum, x), np.ones(N))


def test_np_sum_of_squares_large(dd):
    x = np.linspace(-2.0, 3.0, N)
    np.testing.assert_array_equal(dd.gradient(lambda v: np.sum(v**2), x), 2.0 * x)


def test_np_sum_reversed_large(dd):
    x = np.linspace(-2.0, 3.0, N)
    np.testing.assert_array_equal(dd.gradient(lambda v: np.sum(v[::-1] ** 2), x), 2.0 * x)


@pytest.mark.parametrize("form", ["sum", "loop", "loop-right", "loop-reversed", "loop-sub"])
def test_loop_sums_large(dd, form):
    n = 20_000
    x = np.linspace(-2.0, 3.0, n)

    def f(v):
        if form == "sum":
            return sum(v)
        s = 0
        if form == "loop":
            for i in range(n):
                s = s + v[i] ** 2
        elif form == "loop-right":
            for i in range(n):
                s = v[i] ** 2 + s
        elif form == "loop-reversed":
            for i in reversed(range(n)):
                s = s + v[i] ** 2
        else:
            for i in range(n):
                s = s - v[i] ** 2
        return s

    expected = {"sum": np.ones(n), "loop": 2.0 * x, "loop-right": 2.0 * x,
                "loop-reversed": 2.0 * x, "loop-sub": -2.0 * x}[form]
    np.testing.assert_array_equal(dd.gradient(f, x), expected)


# -- the structure: sums extend a shared store -----------------------------

def distinct_stores(dd, values):
    return len({store(dd, g) for g in values} - {None})


@pytest.mark.parametrize("order", ["forward", "reversed"])
def test_cumsum_shares_a_few_stores(dd, order):
    """The n partial sums of np.cumsum view O(log n) stores (capacity doubling),
    not one copy each."""
    n = 4096
    _, v = seeds(dd, n)
    terms = v if order == "forward" else v[::-1]
    sums = np.cumsum(terms)
    assert distinct_stores(dd, sums) <= 2 * math.log2(n) + 4
    for k in (0, 1, 2, 3, 100, n - 1):
        idx = range(k + 1) if order == "forward" else range(n - 1 - k, n)
        assert sums[k].partials == ones(n, idx)


def test_loop_sum_shares_a_few_stores(dd):
    n = 3000
    _, v = seeds(dd, n)
    s, kept = 0, []
    for i in range(n):
        s = s + 3.0 * v[i]
        kept.append(s)
    assert distinct_stores(dd, kept) <= 2 * math.log2(n) + 4
    assert s.partials == {i: 3.0 for i in range(n)}
    assert kept[9].partials == {i: 3.0 for i in range(10)}


def test_adding_a_constant_shares(dd):
    _, v = seeds(dd, 20)
    s = np.sum(v)
    t = s + 1.5
    assert store(dd, t) == store(dd, s) is not None
    assert (t.real, t.partials) == (s.real + 1.5, ones(20, range(20)))
    assert (1.5 + s).partials == (s - 1.5).partials == ones(20, range(20))


# -- views of one store are independent ------------------------------------

def test_two_sums_from_one_prefix(dd):
    """x + y then x + z: the second cannot write where y's entries went."""
    _, v = seeds(dd, 12)
    x = np.sum(v[:6])
    a = x + 2.0 * v[6]
    b = x + 5.0 * v[7]
    c = x - v[8]
    d = a + v[9]
    e = b + v[9]
    assert x.partials == ones(12, range(6))
    assert a.partials == {**ones(12, range(6)), 6: 2.0}
    assert b.partials == {**ones(12, range(6)), 7: 5.0}
    assert c.partials == {**ones(12, range(6)), 8: -1.0}
    assert d.partials == {**ones(12, range(6)), 6: 2.0, 9: 1.0}
    assert e.partials == {**ones(12, range(6)), 7: 5.0, 9: 1.0}
    np.testing.assert_array_equal(e.gradient(12), [1, 1, 1, 1, 1, 1, 0, 5, 0, 1, 0, 0])


def test_prepending_views(dd):
    _, v = seeds(dd, 16)
    x = np.sum(v[8:12])
    a = v[3] + x
    b = x + v[2]
    c = x + v[12]
    d = a + v[1]
    assert x.partials == ones(16, range(8, 12))
    assert a.partials == ones(16, [3, 8, 9, 10, 11])
    assert b.partials == ones(16, [2, 8, 9, 10, 11])
    assert c.partials == ones(16, [8, 9, 10, 11, 12])
    assert d.partials == ones(16, [1, 3, 8, 9, 10, 11])


def test_overlapping_and_interleaved_indices(dd):
    _, v = seeds(dd, 20)
    x = np.sum(v[:10])
    y = np.sum(v[5:15])
    z = np.sum(v[::2])
    assert (x + y).partials == {**ones(20, range(15)), **{i: 2.0 for i in range(5, 10)}}
    assert (x - y).partials == {**ones(20, range(5)), **{i: -1.0 for i in range(10, 15)},
                                **{i: 0.0 for i in range(5, 10)}}
    assert (x + z).partials == {i: (2.0 if i < 10 and i % 2 == 0 else 1.0)
                                for i in sorted(set(range(10)) | set(range(0, 20, 2)))}
    assert (x - x).partials == {i: 0.0 for i in range(10)}
    assert (x + x).partials == {i: 2.0 for i in range(10)}
    assert x.partials == ones(20, range(10))


def test_subtraction_of_an_accumulator(dd):
    """y - s: s's partials are negated, never shared in place."""
    _, v = seeds(dd, 12)
    s = np.sum(v[:8])
    r = v[9] - s
    q = 2.0 * v[10] - s
    assert r.partials == {**{i: -1.0 for i in range(8)}, 9: 1.0}
    assert q.partials == {**{i: -1.0 for i in range(8)}, 10: 2.0}
    assert s.partials == ones(12, range(8))


def test_pickle_and_copy_of_views(dd):
    _, v = seeds(dd, 12)
    x = np.sum(v[:6])
    a = x + v[6]
    b = x + v[7]
    for g, want in ((x, ones(12, range(6))), (a, ones(12, range(7))),
                    (b, ones(12, [0, 1, 2, 3, 4, 5, 7]))):
        for h in (pickle.loads(pickle.dumps(g)), copy.copy(g), copy.deepcopy(g)):
            assert type(h) is type(g)
            assert (h.real, h.partials) == (g.real, want)
        assert (pickle.loads(pickle.dumps(g)) + v[11]).partials == {**want, 11: 1.0}


def test_views_outlive_each_other(dd):
    """Dropping views in any order leaves the others right."""
    _, v = seeds(dd, 64)
    sums = list(np.cumsum(v))
    rng = np.random.default_rng(13)
    order = rng.permutation(64)
    keep = set(range(64))
    for k in order[:50]:
        sums[k] = None
        keep.discard(int(k))
    for k in keep:
        assert sums[k].partials == ones(64, range(k + 1))
    extra = [sums[k] + v[63] * 0.5 for k in keep if k < 63]
    for g, k in zip(extra, [k for k in keep if k < 63]):
        assert g.partials == {**ones(64, range(k + 1)), 63: 0.5}


def test_calls_that_do_not_mix_leave_operands_alone(dd):
    """A sum of two gradient calls' numbers raises and changes nothing."""
    holder = {}

    def f(v):
        holder["s"] = np.sum(v)
        return holder["s"]

    def g(w):
        with pytest.raises(TypeError):
            holder["s"] + w[0]
        return np.sum(w)

    dd.gradient(f, np.ones(10))
    dd.gradient(g, np.ones(3))
    assert holder["s"].partials == ones(10, range(10))


def test_gradient_of_a_huge_length_is_a_memory_error(dd):
    _, v = seeds(dd, 10)
    with pytest.raises(MemoryError):
        np.sum(v).gradient(2**60)


def test_huge_reserve_is_a_memory_error():
    _core = pytest.importorskip("dualdiff._core")
    for cap in (2**31, 2**62, sys.maxsize):
        with pytest.raises(MemoryError):
            _core._sparse_reserve(cap)
    assert _core._sparse_layout(_core._sparse_reserve(1000))[2] == 1000

"""Resources: no leaks over millions of operations, correct results under threads.

A leak of one object (or one reference) per operation shows up as allocated
blocks or reference counts that grow with the number of iterations; the
bounds below are a small fraction of that number.  The error paths
(ValueError, ZeroDivisionError, OverflowError, TypeError) are exercised as
often as the ordinary ones, since that is where C code forgets a DECREF.

The pure-Python backend is 20-50x slower, so it runs fewer iterations.
"""

import gc
import math
import os
import sys
import threading
import tracemalloc

import numpy as np

#: loop iterations per backend (each iteration does ~30 dual operations)
ITERATIONS = {"c": 50_000, "python": 15_000}


def _workload(dd, n, start):
    """n iterations of arithmetic, functions, derivatives and error paths."""
    Dual, HyperDual = dd.Dual, dd.HyperDual
    sink = 0.0
    for i in range(start, start + n):
        a = 0.5 + (i % 1000) * 1e-3            # fresh operands every time
        x = Dual(a, 1.0)
        y = Dual(a + 1.0, -0.5)
        z = x * y + x / y - x ** 2 + 2.0 ** x - abs(-x) + (+y)
        z = dd.sin(z) + dd.exp(x) * dd.log(y) + dd.sqrt(y) + dd.arctan2(x, y) + dd.hypot(x, 2.0)
        z = dd.tanh(z) + dd.sigmoid(x) + dd.gelu(y) + dd.leaky_relu(-x, 0.1) + np.sin(x)
        h = HyperDual(a, 1.0, 1.0, 0.0)
        g = h * h / (h + 1.0) + dd.log(h) ** 3 + dd.arcsin(h * 0.5)
        sink += z.real + z.dual + g.e12 + (x < y)
        sink += dd.derivative(dd.cos, a) + dd.second_derivative(dd.erf, a)
        sink += dd.softmax([x, y])[0].dual + dd.logsumexp([x, y]).dual
        # the error paths
        try:
            dd.log(Dual(-a, 1.0))
        except ValueError:
            sink += 1
        try:
            x / Dual(0.0, 1.0)
        except ZeroDivisionError:
            sink += 1
        try:
            h / 0
        except ZeroDivisionError:
            sink += 1
        try:
            dd.exp(Dual(1000.0 + a, 1.0))
        except OverflowError:
            sink += 1
        try:
            x + "a"
        except TypeError:
            sink += 1
        try:
            x * h
        except TypeError:
            sink += 1
        try:
            float(x)
        except TypeError:
            sink += 1
        try:
            dd.sqrt(-a)
        except ValueError:
            sink += 1
        try:
            dd.derivative(lambda t: None, a)
        except TypeError:
            sink += 1
    return sink


def _blocks():
    gc.collect()
    gc.collect()
    return sys.getallocatedblocks()


def test_no_memory_growth(dd):
    n = ITERATIONS[dd.backend]
    persistent = dd.Dual(1.5, 0.5)
    _workload(dd, n // 10, 0)                   # warm-up: caches, free lists, interned objects
    before = _blocks()                          # collects cycles first: refcounts are then exact
    refs_before = sys.getrefcount(persistent), sys.getrefcount(dd.Dual), sys.getrefcount(dd.sin)
    first = _workload(dd, n, 0)
    middle = _blocks()
    second = _workload(dd, n, 0)
    after = _blocks()
    refs_after = sys.getrefcount(persistent), sys.getrefcount(dd.Dual), sys.getrefcount(dd.sin)

    assert math.isfinite(first) and first == second   # the workload is deterministic
    # a leak of one object per operation would grow by ~n blocks per run
    bound = max(200, n // 100)
    assert middle - before < bound, f"{middle - before} blocks allocated by {n} iterations"
    assert after - before < bound, f"{after - before} blocks allocated by {2 * n} iterations"
    assert refs_after == refs_before


def test_no_reference_leak_on_shared_operands(dd):
    """Operands that live across iterations keep their reference counts."""
    n = ITERATIONS[dd.backend] * 5
    x, y, h, k = dd.Dual(0.7, 1.0), dd.Dual(1.3, 2.0), dd.HyperDual(0.4, 1.0, 1.0, 0.0), 2.5
    ops = [lambda: x * y, lambda: x / k, lambda: k ** x, lambda: dd.sin(x), lambda: x < y,
           lambda: h * h, lambda: dd.exp(h), lambda: dd.arctan2(x, k),
           lambda: abs(x), lambda: -h, lambda: x == k]
    fails = [lambda: x / 0.0, lambda: dd.log(-x), lambda: x + h, lambda: x + None,
             lambda: float(h), lambda: hash(x), lambda: (-x) ** 0.5, lambda: dd.arcsin(h * 4.0)]
    objects = (x, y, h, k)
    for op in ops + fails:   # warm-up
        try:
            op()
        except (ArithmeticError, ValueError, TypeError):
            pass
    before = [sys.getrefcount(o) for o in objects]
    for _ in range(n // len(ops)):
        for op in ops:
            op()
        for op in fails:
            try:
                op()
            except (ArithmeticError, ValueError, TypeError):
                pass
    gc.collect()
    assert [sys.getrefcount(o) for o in objects] == before


def _rss_bytes():
    """Resident memory of this process, or None where it cannot be read cheaply."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


#: calls per backend of the functions that take sequences and arrays
SEQUENCE_CALLS = {"c": 40_000, "python": 4_000}


def test_no_growth_in_sequence_and_array_functions(dd):
    """softmax/logsumexp copy their items into C buffers; arrays go through kernels.

    A buffer that is never freed is invisible to sys.getallocatedblocks(), so
    resident memory is watched as well (where the OS reports it): a leaked
    64-double buffer per call would add 20 MB over the compiled backend's calls.
    """
    n = SEQUENCE_CALLS[dd.backend]
    items = [0.01 * i for i in range(64)]
    arr = np.linspace(-1.0, 1.0, 64)

    def work(count):
        total = 0.0
        for i in range(count):
            items[0] = i * 1e-6                     # fresh numbers every call
            total += dd.softmax(items)[0] + dd.logsumexp(items)
            total += float(dd.sin(arr)[3]) + float(dd.softmax(arr)[1])
            if i % 16 == 0:
                total += float(dd.derivative(dd.tanh, arr)[5])
            try:
                dd.logsumexp(items + ["a"])          # the error path after copying
            except Exception:                        # TypeError: test_semantics checks which
                total += 1.0
        return total

    work(n // 10)
    blocks, rss = _blocks(), _rss_bytes()
    work(n)
    grown_blocks, grown_rss = _blocks() - blocks, _rss_bytes()
    assert grown_blocks < max(200, n // 100), f"{grown_blocks} blocks allocated by {n} calls"
    if rss is not None:
        assert grown_rss - rss < 8 * 2**20, f"resident memory grew by {(grown_rss - rss) / 2**20:.1f} MB"


# --------------------------------------------------------------------------
# Threads
# --------------------------------------------------------------------------

FUNCTIONS = [
    lambda dd, x: x ** 3 + 2 * x ** 2 - x + 1,
    lambda dd, x: dd.sin(x) * dd.exp(-x * x),
    lambda dd, x: dd.log(1.0 + x * x) / (2.0 + dd.cos(x)),
    lambda dd, x: dd.sigmoid(3.0 * x) + dd.tanh(x) ** 2,
    lambda dd, x: dd.sqrt(1.0 + abs(x)) * dd.arctan(x),
    lambda dd, x: dd.gelu(x) + dd.softplus(-x) + dd.erf(x / 2.0),
    lambda dd, x: dd.hypot(x, 1.0) + dd.arctan2(x, 2.0) + 1.5 ** x,
    lambda dd, x: dd.cosh(x / 3.0) - dd.arcsinh(x) + dd.relu(x) * dd.leaky_relu(-x),
]
POINTS_PER_THREAD = {"c": 4000, "python": 800}
ROUNDS = 3


def _results(dd, k, points):
    f = FUNCTIONS[k]
    out = []
    for x in points:
        g = lambda t: f(dd, t)   # noqa: E731
        out.append((dd.value_and_derivative(g, x), dd.second_derivative(g, x),
                    f(dd, dd.HyperDual(x, 1.0, 1.0, 0.0)).e12))
    return out


def test_threads_give_the_single_threaded_results(dd):
    n = POINTS_PER_THREAD[dd.backend]
    points = [float(v) for v in np.linspace(-3.0, 3.0, n)]
    expected = [_results(dd, k, points) for k in range(len(FUNCTIONS))]

    results, errors = {}, []
    barrier = threading.Barrier(len(FUNCTIONS))

    def worker(k):
        try:
            barrier.wait()
            for r in range(ROUNDS):
                # each thread walks its points in a different order each round
                order = points[r::ROUNDS]
                got = _results(dd, k, points if r % 2 == 0 else order)
                results[(k, r)] = got
        except BaseException as exc:   # reported by the main thread
            errors.append((k, repr(exc)))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)   # switch threads as often as possible
    try:
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(len(FUNCTIONS))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)

    assert not errors, errors
    for k in range(len(FUNCTIONS)):
        for r in range(ROUNDS):
            want = expected[k] if r % 2 == 0 else [expected[k][i] for i in range(r, n, ROUNDS)]
            assert results[(k, r)] == want, f"function {k}, round {r} differs under threads"


MULTI_CALLS = {"c": 300, "python": 30}


def _multivariate_work(dd, calls):
    """gradient/hessian/jacobian calls (buffers past the inline room) and their error paths."""
    x = np.linspace(0.3, 1.7, 30)

    def rosen(v):
        s = 0.0
        for i in range(len(v) - 1):
            s = s + 100.0 * (v[i + 1] - v[i] ** 2) ** 2 + (1.0 - v[i]) ** 2
        return s

    total = 0.0
    for _ in range(calls):
        total += float(dd.gradient(rosen, x)[3]) + float(dd.hessian(rosen, x)[2, 3])
        total += float(dd.jacobian(lambda v: [v[0] * v[1], dd.sin(v[2]) / v[3]], x)[1, 3])
        for bad in (lambda v: v[0] / (v[1] - v[1]), lambda v: dd.log(-v[0]),
                    lambda v: dd.gradient(lambda w: w[0] * v[0], [1.0])):
            for op in (dd.gradient, dd.hessian):
                try:
                    op(bad, x)
                except (ZeroDivisionError, ValueError, TypeError):
                    total += 1.0
    return total


def test_no_growth_in_gradient_and_hessian_numbers(dd):
    """GradientDual and HessianDual own C buffers (PyMem, seen by tracemalloc)."""
    n = MULTI_CALLS[dd.backend]
    _multivariate_work(dd, n // 10)
    gc.collect()
    tracemalloc.start()
    try:
        _multivariate_work(dd, n // 10)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        first = _multivariate_work(dd, n)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert math.isfinite(first)
    # a leak of one partials buffer per call would grow by tens of kB per call
    assert after - before < 64 * 1024, f"traced memory grew by {after - before} bytes over {n} rounds"

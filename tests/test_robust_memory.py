"""Memory safety (issue 13, items 1 and 2): sizes that overflow, and the
private kernel entry points' arguments.

Item 1: a HessianDual whose gradient has n >= 46,341 partials has an outer
product of n^2 > 2^31 - 1 entries; the C code computed that count in a C
`int`, allocated one entry and wrote n^2 (a segfault).  Every count is now
checked: one that cannot be allocated, or that the int-counted sparse
storage cannot hold, raises MemoryError, as the pure backend does when it
runs out of memory.

Item 2: the compiled array kernels took their `order`, their buffers' dtypes
and their shapes on trust (order 3 overflowed the heap, order 7 wrote through
NULL).  A bad argument now raises ValueError or TypeError.

A test that could crash runs its code in a child process, so that a crash
fails that test instead of ending the run: the child exits 0 only when the
expected exception was raised.  scripts/sanitize.sh runs this file under
AddressSanitizer and UBSan (the children inherit them).
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import dualdiff

try:
    from dualdiff import _core
except ImportError:   # installed without the extension: only its tests skip
    _core = None

needs_c = pytest.mark.skipif(_core is None, reason="the compiled backend is not built")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="RLIMIT_AS and /proc/self/statm: Linux")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(dualdiff.__file__)))

#: the child's address-space limit above what it uses after its imports
HEADROOM = 768 << 20

CHILD_PRELUDE = """
import os, resource, sys
import numpy as np
import dualdiff
from dualdiff._public import namespace
dd = namespace(BACKEND)

def limit_memory():
    with open("/proc/self/statm") as fh:
        used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (used + HEADROOM, resource.RLIM_INFINITY))

def expect(exc_type, fn, *args):
    try:
        fn(*args)
    except exc_type as exc:
        print(f"raised {type(exc).__name__}: {exc}")
    else:
        print(f"no {exc_type.__name__} from {fn!r}")
        sys.exit(3)
"""


def run_child(backend, body, timeout=240):
    """Run `body` after CHILD_PRELUDE in a fresh interpreter; fail unless it exits 0."""
    code = (f"BACKEND = {backend!r}\nHEADROOM = {HEADROOM}\n" + CHILD_PRELUDE
            + textwrap.dedent(body))
    env = dict(os.environ, DUALDIFF_PURE_PYTHON="1" if backend == "python" else "0")
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (
        f"child on the {backend} backend exited with {result.returncode}:\n"
        f"{result.stdout}\n{result.stderr[-4000:]}")
    return result.stdout


# ---------------------------------------------------------------------------
# Item 1: sizes
# ---------------------------------------------------------------------------

@linux_only
def test_hessian_of_46341_variables_raises_memory_error_compiled():
    """The issue's case, as written: 46,341^2 doubles (17 GB) under a
    768 MB limit is a MemoryError, not a segfault."""
    if _core is None:
        pytest.skip("the compiled backend is not built")
    out = run_child("c", """
        limit_memory()
        expect(MemoryError, dd.hessian, lambda v: np.sum(v) ** 2, np.ones(46341))
    """)
    assert "raised MemoryError" in out


@linux_only
def test_hessian_outer_product_of_46341_partials_raises_memory_error(dd):
    """The same outer product on both backends, reached without the O(n^2)
    partial sums of np.sum (which the pure backend takes minutes over)."""
    out = run_child(dd.backend, """
        limit_memory()
        x = dd.HessianDual(1.0, dict.fromkeys(range(46341), 1.0))
        expect(MemoryError, lambda: x ** 2)
    """)
    assert "raised MemoryError" in out


@needs_c
@linux_only
@pytest.mark.parametrize("expr", [
    "x * x", "x * y", "x / y", "dd.sin(x)", "x ** 2", "dd.arctan2(x, y)",
    "big ** 1023",       # pow's rescue: f' = 1023 * 2**1022 leaves the doubles (the scaled outer product)
    "x + y * y",
])
def test_every_compiled_hessian_outer_product_checks_its_size(expr):
    """Each path to an outer product (chain rule, two-argument chain rule,
    quotient, pow's scaled rescue) refuses a count past the int range before
    allocating anything: MemoryError at once, in C, whatever the memory."""
    out = run_child("c", f"""
        limit_memory()
        n = 46341
        x = dd.HessianDual(0.5, dict.fromkeys(range(n), 1.0))
        y = dd.HessianDual(2.0, dict.fromkeys(range(n, 2 * n), 1.0))
        big = dd.HessianDual(2.0, dict.fromkeys(range(n), 1.0))
        expect(MemoryError, lambda: {expr})
    """)
    assert "raised MemoryError" in out


@needs_c
def test_compiled_sizes_just_below_the_limit_still_work():
    """The checks refuse only what overflows: an outer product of 3 x 4
    partials, and sums whose counts add up, are as before."""
    HessianDual = _core.HessianDual
    x = HessianDual(2.0, {0: 1.0, 1: 2.0, 2: 3.0})
    y = HessianDual(3.0, {3: 1.0, 4: 1.0, 5: 1.0, 6: 1.0})
    z = x * y
    assert len(z.hessian_entries) == 12
    assert z.hessian(7)[0, 3] == 1.0 and z.hessian(7)[2, 6] == 3.0
    q = (x / y).hessian(7)
    assert np.array_equal(q, q.T)


@needs_c
@linux_only
def test_seed_vector_past_the_int_index_range_raises_memory_error():
    """2^31 seeds: their indices do not fit the C int the partials store, so
    the seeds are refused before the 16 GB object array is made (a
    zero-strided point costs nothing)."""
    out = run_child("c", """
        from dualdiff import _core
        limit_memory()
        big = np.broadcast_to(1.0, (2 ** 31,))
        expect(MemoryError, _core._gradient_seeds, big, 0)
        expect(MemoryError, _core._hessian_seeds, big, 0)
        expect(MemoryError, _core._hvp_seeds, big, big, 0)
    """)
    assert out.count("raised MemoryError") == 3


# ---------------------------------------------------------------------------
# Item 2: the kernels' arguments
# ---------------------------------------------------------------------------

CRASHES = {
    # order 3 took the second-order loop, writing 3 rows into 1 (a heap overflow)
    "binary_order_3": """
        n = 100000
        x, y, tx = np.ones(n), np.full(n, 2.0), np.ones((1, n))
        out = np.empty((2, n))
        expect(ValueError, _core._array_binary, "mul", 3, x, tx, y, None, out)
    """,
    # order 7 wrote the second partials through NULL (a segfault)
    "partials_order_7": """
        a = np.ones(10)
        expect(ValueError, _core._array_partials, "power", a, a, a, 7)
    """,
    # a float32 result block of the right size: 8-byte writes into 4-byte slots
    "chain_into_float32_out": """
        a = np.ones(100000)
        t = np.ones((1, 100000))
        out = np.empty((2, 100000), dtype=np.float32)
        expect(TypeError, _core._array_chain_into, "sin", a, t, 1, 0.0, False, out)
    """,
    "aux_int32_out": """
        a = np.ones(100000)
        t = np.ones((1, 100000))
        out = np.empty((2, 100000), dtype=np.int32)
        expect(TypeError, _core._array_aux, "sigmoid", a, t, out)
    """,
    "aux_arg_float32_out": """
        a = np.ones(100000)
        out = np.empty((2, 100000), dtype=np.float32)
        expect(TypeError, _core._array_aux_arg, "tanh", a, out)
    """,
    # float32 operands of the right size: 8-byte reads past their end
    "binary_float32_operands": """
        n = 100000
        x, tx = np.ones(n, dtype=np.float32), np.ones((1, n), dtype=np.float32)
        out = np.empty((2, n))
        expect(TypeError, _core._array_binary, "mul", 1, x, tx, 2.0, None, out)
    """,
    # v shorter than x: reads past v's end
    "hvp_seeds_lengths": """
        expect(ValueError, _core._hvp_seeds, np.ones(100000), np.ones(3), 0)
    """,
}


@needs_c
@pytest.mark.parametrize("case", sorted(CRASHES))
def test_kernel_entry_points_refuse_what_would_corrupt_memory(case):
    out = run_child("c", "from dualdiff import _core\n" + textwrap.dedent(CRASHES[case]))
    assert "raised" in out


@needs_c
def test_kernel_orders_other_than_1_and_2_are_refused():
    out = run_child("c", """
        from dualdiff import _core
        a, t = np.ones(4), np.ones((3, 4))
        for order in (-1, 0, 3, 7):
            expect(ValueError, _core._array_partials, "hypot", a, a, a, order)
            expect(ValueError, _core._array_chain_into, "sin", a, t, order, 0.0, False,
                   np.empty((4, 4)))
            expect(ValueError, _core._array_binary, "mul", order, a, t, a, None,
                   np.empty((4, 4)))
    """)
    assert out.count("order must be 1 or 2") == 12


@needs_c
def test_kernel_names_are_checked():
    a, t = np.ones(4), np.ones((1, 4))
    with pytest.raises(ValueError, match="nosuch"):
        _core._array_chain_into("nosuch", a, t, 1, 0.0, False, np.empty((2, 4)))
    with pytest.raises(ValueError, match="nosuch"):
        _core._array_partials("nosuch", a, a, a, 1)
    with pytest.raises(ValueError, match="nosuch"):
        _core._array_binary("nosuch", 1, a, t, a, None, np.empty((2, 4)))
    with pytest.raises(ValueError, match="nosuch"):
        _core._array_aux("nosuch", a, t, np.empty((2, 4)))
    with pytest.raises(ValueError, match="nosuch"):
        _core._array_aux_arg("nosuch", a, np.empty((2, 4)))
    with pytest.raises(ValueError, match="nosuch"):
        _core._array_values("nosuch", a, 0.0)


@needs_c
def test_kernel_shapes_are_checked():
    a, t = np.ones(4), np.ones((1, 4))
    # a result block of the wrong size, or without rows
    with pytest.raises(ValueError):
        _core._array_chain_into("sin", a, t, 1, 0.0, False, np.empty((3, 4)))
    with pytest.raises(ValueError):
        _core._array_binary("mul", 1, a, t, a, None, np.empty((0, 4)))
    with pytest.raises(ValueError):
        _core._array_binary("mul", 1, a, t, a, None, np.empty(()))
    # order 2 has exactly the three rows e1, e2, e12
    with pytest.raises(ValueError):
        _core._array_chain_into("sin", a, t, 2, 0.0, False, np.empty((2, 4)))
    # tangent rows that are no array of rows
    with pytest.raises((ValueError, TypeError)):
        _core._array_chain_into("sin", a, None, 1, 0.0, False, np.empty((2, 4)))
    with pytest.raises((ValueError, TypeError)):
        _core._array_aux("tanh", a, np.float64(1.0), np.empty((2, 4)))
    # a read-only or non-contiguous result block
    ro = np.empty((2, 4))
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        _core._array_chain_into("sin", a, t, 1, 0.0, False, ro)
    with pytest.raises(ValueError):
        _core._array_chain_into("sin", a, t, 1, 0.0, False, np.empty((2, 8))[:, ::2])
    # hvp seeds: x and v of one length
    with pytest.raises(ValueError):
        _core._hvp_seeds(np.ones(3), np.ones(2), 0)


@needs_c
def test_kernels_still_compute_with_good_arguments():
    """The checks change nothing for the arguments DualArray passes."""
    a = np.array([0.5, 1.0, 2.0])
    t = np.ones((1, 3))
    out = np.empty((2, 3))
    _core._array_chain_into("sin", a, t, 1, 0.0, False, out)
    assert np.array_equal(out[1], np.cos(a)) or np.allclose(out[1], np.cos(a), rtol=1e-15)
    g = _core._array_partials("hypot", a, a, np.hypot(a, a), 2)
    assert len(g) == 5
    out = np.empty((2, 3))
    out[0] = a * 3.0
    _core._array_binary("mul", 1, a, t, 3.0, None, out)
    assert np.array_equal(out[1], np.full(3, 3.0))


def test_public_arrays_unaffected(dd):
    """DualArray's own products and partials go through the checked kernels."""
    x = dd.DualArray(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    y = x * x / (x + 1.0)
    assert np.allclose(y.real, [0.5, 4.0 / 3.0])
    z = dd.arctan2(x, x + 1.0)
    assert np.all(np.isfinite(z.real))
    h = dd.hessian(lambda v: (v[0] * v[1]) ** 2, [1.0, 2.0])
    assert np.array_equal(h, np.array([[8.0, 8.0], [8.0, 2.0]]))


def test_pure_kernels_refuse_the_orders_the_compiled_ones_do():
    from dualdiff._pure import _arrays
    a, t = np.ones(4), np.ones((3, 4))
    for order in (-1, 0, 3, 7):
        with pytest.raises(ValueError, match="order must be 1 or 2"):
            _arrays.partials("hypot", a, a, a, order)
        with pytest.raises(ValueError, match="order must be 1 or 2"):
            _arrays.chain_into("sin", a, t, order, 0.0, False, np.empty((4, 4)))

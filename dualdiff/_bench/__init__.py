"""The comparison suite behind ``python -m dualdiff bench``.

Exact derivatives from dual numbers against finite differences, the complex
step and, when installed, num-dual, JAX, PyTorch and numdifftools: time per
call, ratio to evaluating ``f`` on floats, and error against the exact value.
Needs NumPy only; mpmath, when installed, gives the exact values at 50
digits, and matplotlib draws the figure (``--plot``).
"""

from dualdiff._bench.suite import run_bench
from dualdiff._bench.tasks import TASK_NAMES

__all__ = ["run_bench", "TASK_NAMES"]

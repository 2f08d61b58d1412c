"""Backend selection for the suite.

``pytest`` tests the compiled backend and the pure-Python one side by side;
``DUALDIFF_PURE_PYTHON=1 pytest`` tests the pure-Python backend alone, as a
machine without a compiler runs it.  The suite refuses to run when the
backend it was asked to test is not the one ``import dualdiff`` loaded: run
from a source checkout without a built extension, "compiled" would otherwise
quietly mean pure Python twice.
"""

import os
import sys
import warnings

import pytest
from hypothesis import HealthCheck, settings

import dualdiff
from dualdiff._public import namespace

# The suite's helper modules (tests/_*.py) import as top-level modules.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

PURE_ONLY = os.environ.get("DUALDIFF_PURE_PYTHON", "") not in ("", "0")
EXPECTED_BACKEND = "python" if PURE_ONLY else "c"
BACKENDS = ["python"] if PURE_ONLY else ["c", "python"]

# Hypothesis imports libcst (when installed) to report a failing example, and
# that import warns (DeprecationWarning), which `filterwarnings = error` would
# turn into an internal error hiding the failure: import it here, quietly.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
        import libcst  # noqa: F401
    except ImportError:
        pass

# No deadline and no too_slow health check: both measure the machine's load
# (CI shares it), not dualdiff.
settings.register_profile("dualdiff", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("dualdiff")


def pytest_configure(config):
    if dualdiff.backend != EXPECTED_BACKEND:
        raise pytest.UsageError(
            f"asked to test the {EXPECTED_BACKEND!r} backend, but `import dualdiff` "
            f"loaded {dualdiff.backend!r} from {os.path.dirname(dualdiff.__file__)}: "
            "install the package (pip install '.[test]') so the compiled extension "
            "is built, or set DUALDIFF_PURE_PYTHON=1 to test pure Python"
        )


def pytest_report_header(config):
    return f"dualdiff {dualdiff.__version__}: testing backends {BACKENDS} (loaded: {dualdiff.backend})"


@pytest.fixture(params=BACKENDS, scope="session")
def dd(request):
    """The public API of one backend, as a namespace: ``dd.sin``, ``dd.Dual``, ..."""
    return namespace(request.param)


@pytest.fixture(scope="session")
def expected_backend():
    """The backend `import dualdiff` must have loaded in this run."""
    return EXPECTED_BACKEND

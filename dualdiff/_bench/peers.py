"""The one peer list of ``dualdiff bench`` and of the scripts in ``benchmarks/``.

Each peer is imported lazily and only when installed: dualdiff itself needs
nothing but NumPy.  fastdual, num-dual and numdifftools come with the
``benchmarks`` extra; JAX and PyTorch are used when importable and otherwise
skipped with a message.
"""

import importlib
from importlib import metadata

#: the peers: display name -> (module to import, distribution to pip install)
REGISTRY = {"fastdual": ("fastdual", "fastdual"), "num-dual": ("num_dual", "num-dual"),
            "numdifftools": ("numdifftools", "numdifftools"), "JAX": ("jax", "jax"),
            "PyTorch": ("torch", "torch"), "dualpy": ("dualpy", "dualpy")}

#: the peers of ``dualdiff bench`` (dualpy differentiates arrays only: bench_arrays.py)
SUITE = ("fastdual", "num-dual", "numdifftools", "JAX", "PyTorch")

#: display name -> module to import, for the suite's peers
PEERS = {name: REGISTRY[name][0] for name in SUITE}


def dist_version(name):
    """The installed version of distribution `name`, or None."""
    try:
        return metadata.version(name)
    except Exception:
        return None


def load(name):
    """(module or None, version or why not) for one peer of REGISTRY."""
    module, dist = REGISTRY[name]
    try:
        mod = importlib.import_module(module)
    except Exception as exc:  # a broken install is as good as none here
        return None, f"not installed ({type(exc).__name__}): pip install {dist}"
    version = dist_version(dist) or getattr(mod, "__version__", "installed")
    if name == "JAX":
        # float64, as every other method computes in; JAX defaults to float32
        mod.config.update("jax_enable_x64", True)
        importlib.import_module("jax.numpy")
        importlib.import_module("jax.scipy.special")
    elif name == "PyTorch":
        importlib.import_module("torch.func")
    return mod, version


def find_peers(names=None):
    """{display name: (module or None, version or why not)} for `names` (default: the suite's)."""
    return {name: load(name) for name in (names or SUITE)}

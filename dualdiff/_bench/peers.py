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
            "PyTorch": ("torch", "torch")}

#: display name -> module to import
PEERS = {name: module for name, (module, _) in REGISTRY.items()}


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
    return mod, version


def find_peers(names=None):
    """{display name: (module or None, version or why not)} for `names` (default: all)."""
    return {name: load(name) for name in (names or REGISTRY)}

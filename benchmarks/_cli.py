"""Imported first by every script here: makes ``dualdiff`` importable.

The installed dualdiff when there is one; else the source tree beside this
folder (whose harness, ``dualdiff._bench``, the scripts share with
``dualdiff bench``).  Then the scripts take everything from
``dualdiff._bench.script``.
"""

import os
import sys


def _import_dualdiff():
    try:
        import dualdiff  # noqa: F401
        return
    except ImportError as first:
        if getattr(first, "name", None) != "dualdiff":
            raise SystemExit(f"cannot import dualdiff ({first})")
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        if not os.path.isdir(os.path.join(root, "dualdiff")):
            raise SystemExit(f"cannot import dualdiff ({first}); run `pip install .` first")
        sys.path.insert(0, root)
    try:
        import dualdiff  # noqa: F401
    except Exception as exc:
        raise SystemExit(f"cannot import dualdiff from {root} "
                         f"({type(exc).__name__}: {exc}); run `pip install .` first")


_import_dualdiff()

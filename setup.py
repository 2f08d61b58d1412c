"""Build the optional C extension dualdiff._core.

The extension is optional: when it cannot be built (no C compiler) or
DUALDIFF_NO_EXTENSIONS=1 is set, installation still succeeds and dualdiff
runs on its pure-Python backend.  Cython runs here, at build time; the C it
generates is never committed.
"""

import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

FALLBACK = "dualdiff: the C extension was not built; the pure-Python backend will be used"


class OptionalBuildExt(build_ext):
    """build_ext that falls back to pure Python instead of failing."""

    def run(self):
        try:
            super().run()
        except Exception as exc:  # no compiler, broken toolchain, ...
            self._fallback(exc)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:
            self._fallback(exc)

    def _fallback(self, exc):
        print(f"{FALLBACK} ({type(exc).__name__}: {exc})", file=sys.stderr)


def extensions():
    if os.environ.get("DUALDIFF_NO_EXTENSIONS") == "1":
        print(f"{FALLBACK} (DUALDIFF_NO_EXTENSIONS=1)", file=sys.stderr)
        return []
    from Cython.Build import cythonize

    if sys.platform == "win32":
        args = ["/O2", "/W3"]
    else:
        # Warnings on; no fused multiply-add contraction, so that values are
        # the plain float results and match the pure-Python backend; no
        # errno (nothing reads it), so that the array kernels' compiler may
        # drop a libm call whose value a derivative does not use; loops
        # marked `omp simd` vectorised (-fopenmp-simd: no OpenMP runtime).
        args = ["-O2", "-fno-math-errno", "-Wall", "-Wextra", "-Wno-unused-parameter",
                "-ffp-contract=off", "-fopenmp-simd", "-DDD_OMP_SIMD"]
    core = Extension(
        "dualdiff._core",
        sources=["dualdiff/_core.pyx"],
        include_dirs=["src_c"],
        depends=["src_c/dd_rules.h", "src_c/dd_types.h", "src_c/dd_sparse.h",
                 "src_c/dd_array.h", "dualdiff/_core.pxd", "dualdiff/_gradient.pxi",
                 "dualdiff/_hessian.pxi", "dualdiff/_array.pxi"],
        extra_compile_args=args,
    )
    return cythonize(
        [core],
        compiler_directives={
            "language_level": 3,
            "binding": False,
            "embedsignature.format": "clinic",
            "embedsignature": True,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
        },
    )


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})

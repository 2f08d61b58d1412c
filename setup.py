"""Build the optional C extension dualdiff._core.

The extension is optional: when it cannot be built (no C compiler, a broken
toolchain) or DUALDIFF_NO_EXTENSIONS=1 is set, installation still succeeds,
prints one line saying so, and dualdiff runs on its pure-Python backend.
The wheel is then a pure one (py3-none-any), not a platform wheel without
its extension.  Cython runs here, at build time, only when the extension is
built (not for an sdist); the C it generates is never committed.
"""

import glob
import os
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

FALLBACK = "dualdiff: the C extension was not built; the pure-Python backend will be used"

# The commands that build or install; metadata-only runs (egg_info, dist_info,
# sdist) say nothing, so a pip install prints the fallback line once.
BUILD_COMMANDS = {"build", "build_ext", "bdist_wheel", "install", "develop", "editable_wheel"}

#: dropped where the compiler does not know -fopenmp-simd (see build_extensions)
SIMD_ARGS = ("-fopenmp-simd", "-DDD_OMP_SIMD")

DIRECTIVES = {
    "language_level": 3,
    "binding": False,
    "embedsignature.format": "clinic",
    "embedsignature": True,
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
}


class OptionalBuildExt(build_ext):
    """build_ext that runs Cython first, and falls back to pure Python on any failure."""

    def run(self):
        try:
            from Cython.Build import cythonize

            generated = _generate(os.path.join(self.build_temp, "spec"))
            for ext in self.extensions:  # keep setuptools' Extension objects; swap in the C
                ext.include_dirs.append(generated)
                ext.depends += [os.path.join(generated, f) for f in os.listdir(generated)]
                ext.sources = cythonize([ext], compiler_directives=DIRECTIVES,
                                        include_path=[generated])[0].sources
            super().run()
        except Exception as exc:  # no Cython, no compiler, broken toolchain, ...
            _say(_one_line(exc))
            self._go_pure()

    def build_extensions(self):
        # -fopenmp-simd (vectorise the loops marked `omp simd`) only where the
        # compiler knows it: without it the loops are plain loops, still right.
        if self.compiler.compiler_type != "msvc" and not self._accepts("-fopenmp-simd"):
            for ext in self.extensions:
                ext.extra_compile_args = [a for a in ext.extra_compile_args
                                          if a not in SIMD_ARGS]
        super().build_extensions()

    def _accepts(self, flag):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "flag.c")
            with open(src, "w") as fh:
                fh.write("int main(void) { return 0; }\n")
            try:
                self.compiler.compile([src], output_dir=tmp, extra_postargs=[flag, "-Werror"])
            except Exception:
                return False
        return True

    def _go_pure(self):
        # No extension, so no platform wheel: bdist_wheel chose its tag before
        # the build ran, and would otherwise label a wheel without its
        # extension cp3XX-<platform>.  Pure, it installs anywhere (py3-none-any).
        self.extensions = []
        self.distribution.ext_modules = []
        wheel = self.distribution.get_command_obj("bdist_wheel", create=False)
        if wheel is not None:
            wheel.root_is_pure = True


def _generate(directory):
    """Write what dualdiff/_spec.py implies for the extension (the rule table's
    list, the Cython enum, methods and public functions) into directory."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dualdiff", "_codegen.py")
    spec = importlib.util.spec_from_file_location("_dualdiff_codegen", path)
    codegen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(codegen)
    return codegen.write_build_files(directory)


def _one_line(exc):
    """Why the build failed, in one short line (a compiler's error holds its command line)."""
    cause = exc
    while cause is not None and not isinstance(cause, subprocess.CalledProcessError):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        program = cause.cmd[0] if isinstance(cause.cmd, (list, tuple)) else cause.cmd
        return f"{type(exc).__name__}: {program} exited with status {cause.returncode}"
    message = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {message[:97] + '...' if len(message) > 100 else message}"


def _say(message):
    if BUILD_COMMANDS & set(sys.argv[1:]):
        print(f"{FALLBACK} ({message})", file=sys.stderr)


def extensions():
    if os.environ.get("DUALDIFF_NO_EXTENSIONS") == "1":
        _say("DUALDIFF_NO_EXTENSIONS=1")
        return []
    if sys.platform == "win32":
        args = ["/O2", "/W3"]
    else:
        # Warnings on; no fused multiply-add contraction, so that values are
        # the plain float results and match the pure-Python backend; no
        # errno (nothing reads it), so that the array kernels' compiler may
        # drop a libm call whose value a derivative does not use.  -O3 and
        # no trapping math let it vectorise the rules' loops, their branches
        # made selects (floating-point flags: each array kernel saves and
        # restores them, and nothing else reads them); loops marked
        # `omp simd` vectorised too (-fopenmp-simd: no OpenMP runtime).
        args = ["-O3", "-fno-trapping-math", "-fno-math-errno", "-Wall", "-Wextra",
                "-Wno-unused-parameter", "-ffp-contract=off", *SIMD_ARGS]
        if os.environ.get("DUALDIFF_DEV_BUILD") == "1":
            # CONTRIBUTING.md's edit-build-test loop: no optimisation, a fraction of
            # the build time; the same values (no contraction either way).
            args = ["-O0" if a == "-O3" else a for a in args]
    # Relative paths (setuptools refuses absolute ones); a new header or .pxi
    # is a dependency, and goes into the sdist, without editing this list.
    depends = sorted(glob.glob("src_c/*.h") + glob.glob("dualdiff/*.pxd") + glob.glob("dualdiff/*.pxi")
                     + ["dualdiff/_spec.py", "dualdiff/_codegen.py"])
    return [Extension("dualdiff._core", sources=["dualdiff/_core.pyx"], include_dirs=["src_c"],
                      depends=depends, extra_compile_args=args)]


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})

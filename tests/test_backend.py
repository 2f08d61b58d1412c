"""Backend selection, the public namespace, and the C headers on their own."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import dualdiff
from dualdiff import _public

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_loaded_backend_is_the_one_asked_for(expected_backend):
    assert dualdiff.backend == expected_backend
    if expected_backend == "python":
        assert dualdiff.sin is _public.load_backend("python").sin
    else:
        assert dualdiff.sin is _public.load_backend("c").sin
        assert type(dualdiff.Dual(1.0)).__module__ == "dualdiff._core"


def test_environment_variable_selects_pure_python():
    code = "import sys, dualdiff; print(dualdiff.backend, 'dualdiff._core' in sys.modules)"
    env = dict(os.environ, DUALDIFF_PURE_PYTHON="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(dualdiff.__file__))).stdout.split()
    assert out == ["python", "False"]


def test_public_namespace_has_every_name_and_alias(dd):
    for name in _public.PUBLIC_NAMES:
        assert callable(getattr(dd, name)) or name == "RULE_NAMES"
        assert getattr(dualdiff, name) is not None
    for alias, target in _public.ALIASES.items():
        assert getattr(dd, alias) is getattr(dd, target)
        assert getattr(dualdiff, alias) is getattr(dualdiff, target)
    assert set(dualdiff.__all__) >= set(_public.ALIASES) | {"derivative", "Dual", "backend"}


def test_every_rule_has_a_public_function(dd):
    public = set(_public.UNARY_FUNCTIONS) | {"log", "abs", "gelu"}
    for rule in dd.RULE_NAMES:
        assert rule in public or rule == "gelu_tanh"


def test_load_backend_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown dualdiff backend"):
        _public.load_backend("fortran")


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler on this machine")
def test_c_headers_are_plain_c99_without_warnings(tmp_path):
    src = tmp_path / "use.c"
    src.write_text(textwrap.dedent("""
        #include "dd_types.h"
        #include <stdio.h>
        int main(void) {
            double f[3];
            dd_dual x = dd_dual_make(2.0, 1.0);
            dd_rules[DD_RULE_sin].fn(x.re, f, 2);
            x = dd_dual_chain(x, f);
            printf("%.17g %.17g %d\\n", x.re, x.du, DD_N_RULES);
            return 0;
        }
    """))
    exe = tmp_path / "use"
    from dualdiff import _codegen   # the rule list dd_rules.h includes: generated from the spec
    generated = _codegen.write_build_files(str(tmp_path / "spec"))
    subprocess.run(["cc", "-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror",
                    "-I", os.path.join(REPO, "src_c"), "-I", generated, str(src), "-o", str(exe), "-lm"],
                   check=True, capture_output=True, text=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split()
    import math
    assert float(out[0]) == math.sin(2.0)
    assert float(out[1]) == math.cos(2.0)
    assert int(out[2]) == len(dualdiff.RULE_NAMES)

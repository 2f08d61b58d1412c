"""The command line (`python -m dualdiff diff | info | bench`) and its expression parser.

End-to-end cases run `python -m dualdiff` as a user does, once per backend
(the `dd` fixture's), with the same `dualdiff` package this suite imports.
Hostile inputs must fail with status 1 or 2, one line on stderr, no
traceback, and no side effect.  The parser (`dualdiff._expr`) and the
`--at` syntax are tested in process.
"""

import json
import math
import os
import subprocess
import sys

import pytest

import dualdiff
from dualdiff import _cli, _expr

PKG_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(dualdiff.__file__)))
DONE_WHEN = ["diff", "x**3 + 2*x**2 - x + 1", "--at", "x=2", "--order", "2"]


def run_cli(args, backend, cwd):
    env = dict(os.environ, PYTHONPATH=PKG_ROOT)
    env.pop("DUALDIFF_PURE_PYTHON", None)
    if backend == "python":
        env["DUALDIFF_PURE_PYTHON"] = "1"
    return subprocess.run([sys.executable, "-m", "dualdiff", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def assert_clean_failure(proc, codes=(1,)):
    assert "Traceback" not in proc.stderr
    assert proc.returncode in codes, proc.stderr
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("dualdiff")


# ---------------------------------------------------------------- end to end, both backends

def test_done_when_example_prints_labelled_floats(dd, tmp_path):
    proc = run_cli(DONE_WHEN, dd.backend, tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == "f(x) = 15.0\nf'(x) = 19.0\nf''(x) = 16.0\n"


def test_done_when_example_as_json(dd, tmp_path):
    proc = run_cli(DONE_WHEN + ["--json"], dd.backend, tmp_path)
    assert proc.returncode == 0, proc.stderr
    x = 2
    # by hand: f = x^3 + 2x^2 - x + 1, f' = 3x^2 + 4x - 1, f'' = 6x + 4
    assert json.loads(proc.stdout) == {
        "expression": "x**3 + 2*x**2 - x + 1", "at": {"x": 2.0},
        "value": x**3 + 2 * x**2 - x + 1, "derivative": 3 * x**2 + 4 * x - 1,
        "second_derivative": 6 * x + 4}


def test_gradient_and_hessian_follow_the_order_of_at(dd, tmp_path):
    proc = run_cli(["diff", "x**2*y + sin(x*y)", "--at", "y=-0.5", "--at", "x=1.5",
                    "--order", "2", "--json"], dd.backend, tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    x, y = 1.5, -0.5
    s, c = math.sin(x * y), math.cos(x * y)
    fx, fy = 2 * x * y + y * c, x**2 + x * c
    fxx, fyy, fxy = 2 * y - y * y * s, -x * x * s, 2 * x + c - x * y * s
    assert list(out["at"]) == ["y", "x"]
    assert out["value"] == pytest.approx(x**2 * y + s, rel=1e-15)
    assert out["gradient"] == pytest.approx([fy, fx], rel=1e-14)
    (hyy, hyx), (hxy, hxx) = out["hessian"]
    assert hyx == hxy
    assert [hyy, hxy, hxx] == pytest.approx([fyy, fxy, fxx], rel=1e-14)


def test_functions_by_name_aliases_activations_and_pi(dd, tmp_path):
    expr = ("log(x, 2) + asin(x/4) + sigmoid(x) + gelu(x) + leaky_relu(-x, 0.1)"
            " + relu(x) + softplus(x) + pi*x")
    proc = run_cli(["diff", expr, "--at", "x=2", "--order", "2", "--json"], dd.backend, tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    x, ln2 = 2.0, math.log(2)
    s = 1 / (1 + math.exp(-x))
    cdf, pdf = 0.5 * (1 + math.erf(x / math.sqrt(2))), math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    value = (math.log(x) / ln2 + math.asin(x / 4) + s + x * cdf - 0.1 * x + x
             + math.log1p(math.exp(x)) + math.pi * x)
    first = (1 / (x * ln2) + 1 / math.sqrt(16 - x * x) + s * (1 - s) + cdf + x * pdf
             - 0.1 + 1 + s + math.pi)
    second = (-1 / (x * x * ln2) + x / (16 - x * x) ** 1.5 + s * (1 - s) * (1 - 2 * s)
              + pdf * (2 - x * x) + s * (1 - s))
    assert out["value"] == pytest.approx(value, rel=1e-14)
    assert out["derivative"] == pytest.approx(first, rel=1e-14)
    assert out["second_derivative"] == pytest.approx(second, rel=1e-13)


def test_info_reports_the_backend_asked_for(dd, tmp_path):
    proc = run_cli(["info", "--json"], dd.backend, tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    info = json.loads(proc.stdout)
    assert info["backend"] == dd.backend
    assert info["version"] == dualdiff.__version__
    assert {"sin", "sigmoid", "gelu", "log", "arctan2"} <= set(info["functions"])
    assert info["aliases"]["asin"] == "arcsin"
    assert (info["compiler"] is None) == (dd.backend == "python")
    if dd.backend == "c":
        assert os.path.basename(info["extension"]).startswith("_core")


MARKER = "MARKER"
HOSTILE = [
    (f"__import__('os').system('touch {MARKER}')", "x=1", "attribute access"),
    (f"open('{MARKER}', 'w')", "x=1", "unknown function 'open'"),
    ("x.__class__.__bases__", "x=1", "attribute access"),
    ("[t for t in (x, x)]", "x=1", "comprehensions"),
    ("(lambda: x)()", "x=1", "calling anything but a function name"),
    ("x[0]", "x=1", "subscripts"),
    ("'x'", "x=1", "strings"),
    ("f'{x}'", "x=1", "f-strings"),
    ("(y := x)", "x=1", "assignment expressions"),
    ("x+" * 50_000 + "x", "x=1", "expression too long"),
    ("(" * 5000 + "x" + ")" * 5000, "x=1", "expression too long"),
    ("(" * 300 + "x" + ")" * 300, "x=1", "too many nested parentheses"),
    ("9**9**9**9", "x=1", "overflows"),
    ("foo(x)", "x=1", "unknown function 'foo'"),
    ("log(x)", "x=-1", "math domain error"),
    ("1/x", "x=0", "division by zero"),
    ("x*y", "x=1", "no value for variable 'y'"),
    ("x", "x=abc", "'abc' is not a number"),
]


@pytest.mark.parametrize("expr, at, message", HOSTILE,
                         ids=[f"{i}-{h[2][:20]}" for i, h in enumerate(HOSTILE)])
def test_bad_input_fails_cleanly_and_does_nothing(dd, tmp_path, expr, at, message):
    proc = run_cli(["diff", expr, "--at", at], dd.backend, tmp_path)
    assert_clean_failure(proc)
    assert message in proc.stderr
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- end to end, plumbing

@pytest.mark.parametrize("args, code, text", [
    (["frob"], 2, "invalid choice: 'frob'"),
    (["diff", "x", "--at", "x=1", "--order", "3"], 2, "invalid choice: 3"),
    (["diff", "-x**2", "--at", "x=1"], 2, "needs a space before it"),
])
def test_usage_errors_exit_2_with_one_line(tmp_path, args, code, text):
    proc = run_cli(args, dualdiff.backend, tmp_path)
    assert_clean_failure(proc, codes=(code,))
    assert text in proc.stderr


def test_no_subcommand_prints_one_line_and_exits_2(tmp_path):
    proc = run_cli([], dualdiff.backend, tmp_path)
    assert_clean_failure(proc, codes=(2,))   # one line, not the whole help
    assert proc.stderr == ("dualdiff: error: a command is required: diff, info or bench "
                           "(see dualdiff --help)\n")


# ---------------------------------------------------------------- end to end, unwritable stdout

def popen_cli(args, backend, cwd, stdout):
    env = dict(os.environ, PYTHONPATH=PKG_ROOT)
    env.pop("DUALDIFF_PURE_PYTHON", None)
    if backend == "python":
        env["DUALDIFF_PURE_PYTHON"] = "1"
    return subprocess.Popen([sys.executable, "-m", "dualdiff", *args], env=env, cwd=cwd,
                            stdout=stdout, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("args", [DONE_WHEN, ["info"], ["--help"], ["diff", "--help"],
                                  ["diff", "+".join(f"x{i}" for i in range(100)), "--at",
                                   ",".join(f"x{i}=1" for i in range(100)), "--order", "2"]],
                         ids=["diff", "info", "help", "diff-help", "large-hessian"])
def test_closed_pipe_on_stdout_exits_1_without_a_word(dd, tmp_path, args):
    # `dualdiff ... | head -c0`: the reader is gone before anything is written
    # (the large Hessian, ~40 kB, is more than a pipe holds: written while running)
    read, write = os.pipe()
    os.close(read)
    try:
        proc = popen_cli(args, dd.backend, tmp_path, stdout=write)
    finally:
        os.close(write)
    _, err = proc.communicate(timeout=120)
    # status 1, as the Python docs' "Note on SIGPIPE" exits, and as this CLI
    # exits for every runtime failure; nothing on stderr: the reader left on purpose
    assert (proc.returncode, err) == (1, "")


def test_closed_pipe_after_the_first_byte(dd, tmp_path):
    # `dualdiff diff ... | head -c1`, with a reader that really reads
    proc = subprocess.run(
        f"{sys.executable} -m dualdiff info | head -c1; exit ${{PIPESTATUS[0]}}",
        shell=True, executable="/bin/bash", cwd=tmp_path, capture_output=True, text=True,
        timeout=120, env=dict(os.environ, PYTHONPATH=PKG_ROOT,
                              DUALDIFF_PURE_PYTHON="1" if dd.backend == "python" else "0"))
    assert proc.stdout == "d"
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert proc.stderr == ""
    assert proc.returncode in (0, 1)   # 0 if info was all written before head left


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [DONE_WHEN, ["info", "--json"], ["--version"]],
                         ids=["diff", "info", "version"])
def test_full_disk_on_stdout_is_one_line_and_status_1(dd, tmp_path, args):
    with open("/dev/full", "w") as full:
        proc = popen_cli(args, dd.backend, tmp_path, stdout=full)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert err.startswith("dualdiff: error: cannot write the output: ") and \
        "No space left on device" in err, err
    assert len(err.splitlines()) == 1, err


def test_console_script_main_flushes_and_reports_in_process(monkeypatch, capsys):
    # main() is the console script's entry point: it must turn the error into a status
    class Full:
        def write(self, text):
            raise OSError(28, "No space left on device")

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stdout", Full())
    assert _cli.main(["info"]) == 1
    assert capsys.readouterr().err == (
        "dualdiff: error: cannot write the output: [Errno 28] No space left on device\n")


def test_bench_says_when_the_pure_python_backend_is_running(dd, tmp_path):
    # its figures must not pass for the compiled backend's (from a source
    # checkout, python -m dualdiff imports the checkout, which has no
    # compiled module)
    proc = run_cli(["bench", "--quick", "--tasks", "relu"], dd.backend, tmp_path)
    assert proc.returncode == 0, proc.stderr
    notes = [line for line in proc.stderr.splitlines() if "note: backend" in line]
    if dd.backend == "python":
        assert len(notes) == 1 and "DUALDIFF_PURE_PYTHON is set" in notes[0], proc.stderr
        assert "10-20x slower than the compiled one" in notes[0]
    else:
        assert notes == [], proc.stderr
    assert "relu" in proc.stdout


def test_bench_help_lists_its_options(tmp_path):
    proc = run_cli(["bench", "--help"], dualdiff.backend, tmp_path)
    assert proc.returncode == 0
    for option in ("--quick", "--json", "--plot", "--tasks"):
        assert option in proc.stdout


# ---------------------------------------------------------------- main() in process

def test_version(capsys):
    assert _cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"dualdiff {dualdiff.__version__}\n"


def test_human_output_for_several_variables(capsys):
    assert _cli.main(["diff", "x*y + 2*x", "--at", "x = 3, y = 5", "--order", "2"]) == 0
    assert capsys.readouterr().out == (
        "f(x, y) = 21.0\n"
        "grad f(x, y) = [7.0, 3.0]\n"
        "hess f(x, y) = [[0.0, 1.0],\n"
        "                [1.0, 0.0]]\n")


def test_unused_variables_have_derivative_zero(capsys):
    assert _cli.main(["diff", "x*x", "--at", "x=3,z=1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["gradient"] == [6.0, 0.0]


def test_json_writes_non_finite_numbers_as_strings(capsys):
    assert _cli.main(["diff", "sqrt(x) + y", "--at", "x=0,y=1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["gradient"] == ["inf", 1.0]


def test_info_human(capsys):
    assert _cli.main(["info"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"dualdiff {dualdiff.__version__}"
    assert lines[1].split()[:2] == ["backend:", dualdiff.backend]
    assert any(line.startswith("functions:") and " sigmoid " in line for line in lines)


def test_parse_point_keeps_order_and_accepts_spaces_and_repeats():
    assert _cli.parse_point(["y = 3, x=2", "z=-1e-3"]) == {"y": 3.0, "x": 2.0, "z": -0.001}
    assert list(_cli.parse_point(["y=3,x=2"])) == ["y", "x"]


@pytest.mark.parametrize("spec, message", [
    ("x", "NAME=VALUE"), ("x=1,,", "an empty entry"), ("=1", "NAME=VALUE"),
    ("1x=2", "not a variable name"), ("lambda=2", "not a variable name"),
    ("pi=3", "is a constant"), ("sin=1", "is a function"), ("x=1,x=2", "given twice"),
    ("x=nan", "must be finite"), ("x=inf", "must be finite"), ("x=0x10", "not a number"),
    (",".join(f"v{i}=1" for i in range(_cli.MAX_VARIABLES + 1)), "too many variables"),
])
def test_parse_point_rejects(spec, message):
    with pytest.raises(_cli.CliError, match=message):
        _cli.parse_point([spec])


# ---------------------------------------------------------------- the expression parser

REJECTED = [
    ("x.real", "attribute access"), ("sin.__call__(x)", "attribute access"),
    ("x[1:2]", "subscripts"), ("{t: t for t in x}", "comprehensions"),
    ("sum(t for t in x)", "unknown function 'sum'"), ("(lambda: 1)", "lambda"),
    ("x if x else 1", "conditional"), ("x < 1", "comparisons"), ("x or 1", "'and' / 'or'"),
    ("x % 2", "'%'"), ("x // 2", "'//'"), ("x @ x", "'@'"), ("~x", "'~'"), ("not x", "'not'"),
    ("b'x'", "bytes"), ("1j", "complex numbers"), ("True", "True"), ("None", "None"),
    ("...", "Ellipsis"), ("[x]", "lists"), ("(x, x)", "tuples"), ("{x}", "sets"),
    ("{1: x}", "dicts"), ("sin", "is a function: call it"), ("sin(*x)", "starred"),
    ("sin(**x)", "'\\*\\*' arguments"), ("sin(x, x)", "takes 1 argument, got 2"),
    ("log()", "takes 1 or 2 arguments, got 0"), ("log(x, 2, base=3)", "twice"),
    ("sin(x=1)", "no keyword argument 'x'"), ("gelu(x, approximate=x)", "True or False"),
    ("pi(x)", "unknown function 'pi'"), ("x y", "syntax error"), ("", "empty expression"),
    ("x\0", "null bytes"), ("1" * 400, "number too large"),
    ("x" * (_expr.MAX_LENGTH + 1), "too long"),
    ("+".join(["(1+1+1+1)"] * 300), "too large"), ("-" * 1100 + "x", "nested too deeply"),
    ("-" * 5000 + "x", "nested too deeply"),
]


@pytest.mark.parametrize("text, message", REJECTED, ids=[m for _, m in REJECTED])
def test_parse_rejects(text, message):
    with pytest.raises(_expr.ExpressionError, match=message):
        _expr.parse(text)


def test_variables_in_order_of_first_appearance_without_constants():
    assert _expr.parse("y*x + sin(z*y) + pi*e").variables == ("y", "x", "z")
    assert _expr.parse(" -x ").variables == ("x",)
    assert _expr.parse("2**0.5").variables == ()


# Each formula, written once for the parser and once as Python over floats.
FORMULAS = [
    ("x**3 + 2*x**2 - x + 1", lambda x, y: x**3 + 2 * x**2 - x + 1),
    ("-x**-2 / (1 + +y)", lambda x, y: -x**-2 / (1 + +y)),
    ("sin(x)*exp(-x/2)/(1 + x*x)", lambda x, y: math.sin(x) * math.exp(-x / 2) / (1 + x * x)),
    ("log(x, 2) + log10(x) + log1p(x*x) + sqrt(x)",
     lambda x, y: math.log(x, 2) + math.log10(x) + math.log1p(x * x) + math.sqrt(x)),
    ("hypot(x, y) - atan2(y, x) + arctan2(x, y)",
     lambda x, y: math.hypot(x, y) - math.atan2(y, x) + math.atan2(x, y)),
    ("pow(x, y) + fabs(y) + abs(y) + e**pi", lambda x, y: x**y + 2 * abs(y) + math.e**math.pi),
    ("tanh(x) + erf(y) + cosh(y)", lambda x, y: math.tanh(x) + math.erf(y) + math.cosh(y)),
    ("+".join(["x"] * 900), lambda x, y: sum([x] * 900)),
]


@pytest.mark.parametrize("text, python", FORMULAS, ids=range(len(FORMULAS)))
def test_evaluate_on_floats_matches_python(text, python):
    expr = _expr.parse(text)
    for x, y in [(0.7, -1.3), (2.0, 3.0), (1e-3, 0.25)]:
        value = _expr.evaluate(expr, {"x": x, "y": y})
        assert type(value) is float
        assert value == python(x, y)


def test_integer_literals_are_floats_so_huge_powers_overflow_at_once():
    assert _expr.evaluate(_expr.parse("7/2 + 2**3"), {}) == 11.5
    with pytest.raises(OverflowError):
        _expr.evaluate(_expr.parse("9**9**9**9"), {})
    with pytest.raises(ValueError):   # not a complex number, as (-8.0)**(1/3) would be
        _expr.evaluate(_expr.parse("(-8)**(1/3)"), {})


def test_evaluate_needs_every_variable():
    with pytest.raises(_expr.ExpressionError, match="no value for variable 'y'"):
        _expr.evaluate(_expr.parse("x + y"), {"x": 1.0})


def test_evaluate_on_dual_types(dd):
    expr = _expr.parse("x**3 + 2*x**2 - x + 1")
    d = _expr.evaluate(expr, {"x": dd.Dual(2.0, 1.0)}, ns=dd)
    h = _expr.evaluate(expr, {"x": dd.HyperDual(2.0, 1.0, 1.0, 0.0)}, ns=dd)
    assert (d.real, d.dual) == (15.0, 19.0)
    assert (h.real, h.e1, h.e12) == (15.0, 19.0, 16.0)
    g = _expr.parse("gelu(x, approximate=True) + leaky_relu(x, alpha=0.5) + gelu(x, False)")
    got = dd.derivative(lambda t: _expr.evaluate(g, {"x": t}, ns=dd), -1.0)
    want = dd.derivative(lambda t: dd.gelu(t, approximate=True) + dd.leaky_relu(t, 0.5)
                         + dd.gelu(t), -1.0)
    assert got == want

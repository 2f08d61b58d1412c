"""The bench suite (``python -m dualdiff bench``), run in-process on the active backend.

Timing is shrunk to a token (``_min_time``, ``_repeat``) so that the suite
stays fast; what is checked is what the bench reports: errors where theory
puts them, positive ratios, the metadata, the messages, and the figure.
The exact values it uses are checked against ``mpmath.diff`` and scipy.
"""

import io
import json
import math
import sys
from fractions import Fraction
from types import SimpleNamespace

import mpmath
import numpy as np
import pytest
from scipy.optimize import rosen_der, rosen_hess

import dualdiff
from dualdiff._bench import TASK_NAMES, run_bench
from dualdiff._bench import methods as M
from dualdiff._bench import report, script, timing
from dualdiff._bench import tasks as T
from dualdiff._bench.suite import Oracle

FAST = {"_min_time": 1e-4, "_repeat": 1}


def bench(**kw):
    out, err = io.StringIO(), io.StringIO()
    status = run_bench(out=out, err=err, **{**FAST, **kw})
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "bench.json"
    names = ["g", "g-second", "rosenbrock-gradient-10", "rosenbrock-hessian-10"]
    status, out, err = bench(quick=True, json_path=str(path), tasks=names)
    with open(path) as fh:
        return SimpleNamespace(status=status, out=out, err=err, data=json.load(fh), names=names)


def test_quick_run_succeeds_and_prints_a_table_per_task(quick_run):
    assert quick_run.status == 0
    for i, name in enumerate(quick_run.names, 1):
        assert f"== {name}:" in quick_run.out
        assert f"[{i}/{len(quick_run.names)}] {name}" in quick_run.err
    assert "1.00x" in quick_run.out and "[baseline]" in quick_run.out
    assert "Traceback" not in quick_run.err


def test_json_metadata(quick_run):
    data = quick_run.data
    assert data["dualdiff"] == dualdiff.__version__
    assert data["backend"] == dualdiff.backend
    assert data["numpy"] == np.__version__
    assert set(data["peers"]) == set(M.PEERS)
    assert "mpmath" in data["oracle"]  # mpmath is in the test extra
    assert list(data["tasks"]) == quick_run.names


def test_errors_where_theory_puts_them(quick_run):
    tasks = quick_run.data["tasks"]
    for name, exact_key in (("g", "dual"), ("g-second", "hyper-dual"),
                            ("rosenbrock-gradient-10", "one-pass"),
                            ("rosenbrock-hessian-10", "one-pass")):
        m = tasks[name]["methods"]
        assert m[exact_key]["error"] < 1e-13
        assert m["central FD"]["error"] > 1e-13
        if "forward FD" in m:
            assert m["forward FD"]["error"] > 1e-10
            assert m[exact_key]["error"] < m["central FD"]["error"] < m["forward FD"]["error"]
        else:  # the second derivative and the Hessian: eps**(1/2) at best
            assert m["central FD"]["error"] > 1e-10
    assert tasks["g"]["methods"]["4th-order FD"]["error"] < 1e-10
    assert tasks["rosenbrock-gradient-10"]["methods"]["central FD"]["error"] < 1e-8
    for name in ("g", "rosenbrock-gradient-10"):
        assert tasks[name]["methods"]["complex step"]["error"] < 1e-14
    if quick_run.data["peers"]["num-dual"]:
        assert all(tasks[n]["methods"]["num-dual"]["error"] < 1e-13 for n in tasks)


def test_times_and_ratios_positive(quick_run):
    for task in quick_run.data["tasks"].values():
        assert task["baseline_time_s"] > 0
        for m in task["methods"].values():
            assert m["time_s"] > 0 and m["ratio"] > 0
            assert m["ratio"] == pytest.approx(m["time_s"] / task["baseline_time_s"])


def test_error_vs_step_curve(quick_run):
    curve = quick_run.data["error_vs_step"]
    assert curve["dual_error"] < 1e-15
    for key in ("forward FD", "central FD", "4th-order FD"):
        errs = curve["errors"][key]
        assert len(errs) == len(curve["h"])
        h_default, e_default = curve["default"][key]
        assert e_default < errs[0] and e_default < errs[-1]  # the valley is between


def test_unknown_task_is_one_line_on_err():
    status, out, err = bench(tasks=["g", "nope"])
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and "'nope'" in err and "rosenbrock-gradient-100" in err
    assert bench(tasks=[])[0] == 1


def test_unwritable_json_fails_before_running(tmp_path):
    status, out, err = bench(tasks=["poly"], json_path=str(tmp_path / "no" / "b.json"))
    assert status == 1 and out == "" and "no such directory" in err


def test_plot_needs_matplotlib(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    status, out, err = bench(tasks=["poly"], plot_path=str(tmp_path / "b.png"))
    assert status == 1 and out == ""
    assert "matplotlib" in err and err.count("\n") == 1
    assert not (tmp_path / "b.png").exists()


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "b.png"
    status, out, _ = bench(tasks=["poly", "rosenbrock-hessian-10"], plot_path=str(path))
    assert status == 0 and f"wrote {path}" in out
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000


def test_a_failing_peer_is_a_note_not_a_crash(monkeypatch):
    # a peer whose API is not what the bench expects (an old JAX, say) is left out
    monkeypatch.setattr(M, "find_peers", lambda: {"JAX": (object(), "0.0"),
                                                  "num-dual": (None, "not installed")})
    status, out, _ = bench(tasks=["poly"])
    assert status == 0
    assert "note: JAX: left out (AttributeError" in out


# ---------------------------------------------------------------------------
# The pieces: task table, oracle, errors, formatting
# ---------------------------------------------------------------------------

def test_task_names():
    assert isinstance(TASK_NAMES, tuple) and len(set(TASK_NAMES)) == len(TASK_NAMES)
    for name in ("poly", "g", "sigmoid", "relu", "tanh", "softplus", "gelu",
                 "rosenbrock-gradient-100", "rosenbrock-hessian-10"):
        assert name in TASK_NAMES


def mp_namespace():
    mp = mpmath
    return SimpleNamespace(**{k: getattr(mp, k) for k in ("sin", "cos", "exp", "log", "log1p",
                                                          "sqrt", "tanh")},
                           sigmoid=lambda x: 1 / (1 + mp.exp(-x)),
                           relu=lambda x: x if x > 0 else 0 * x,
                           softplus=lambda x: mp.log1p(mp.exp(x)),
                           gelu=lambda x: x * (1 + mp.erf(x / mp.sqrt(2))) / 2)


@pytest.mark.parametrize("task", [t for t in T.TASKS if t.kind in ("derivative", "second")],
                         ids=lambda t: t.name)
def test_closed_forms_match_mpmath_diff(task):
    # the oracle's hand-written derivatives against mpmath's numerical ones at 50 digits
    with mpmath.workdps(50):
        x = mpmath.mpf(task.x)
        want = mpmath.diff(task.make(mp_namespace()), x, 2 if task.kind == "second" else 1)
        got = Oracle().exact(task)
        assert abs(got - want) <= 1e-40 * abs(want)


@pytest.mark.parametrize("task", [t for t in T.TASKS if t.kind in ("gradient", "hessian")],
                         ids=lambda t: t.name)
def test_rosenbrock_exact_matches_scipy(task):
    x = np.array(task.x)
    want = rosen_der(x) if task.kind == "gradient" else rosen_hess(x)
    got = np.array(task.exact(task.x), dtype=float)
    assert np.allclose(got, want, rtol=1e-13, atol=1e-13 * np.abs(want).max())
    assert T.rosen(task.x) == pytest.approx(float(np.sum(100 * (x[1:] - x[:-1]**2)**2
                                                         + (1 - x[:-1])**2)), rel=1e-14)


def test_relative_error_measure():
    o = Oracle()
    assert o.error(1.1, Fraction(1)) == pytest.approx(0.1)
    assert o.error(0.5, 0.5) == 0
    # max over components; where the exact value is 0, relative to the largest one
    assert o.error([2.0, 1e-3], [Fraction(2), Fraction(0)]) == pytest.approx(5e-4)
    assert o.error([[1.0, 0.0], [0.0, 4.4]], [[Fraction(1), 0], [0, Fraction(4)]]) \
        == pytest.approx(0.1)
    assert o.error(float("nan"), Fraction(1)) == float("inf")
    with mpmath.workdps(50):
        third = mpmath.mpf(1) / 3
    assert 0 < o.error(1 / 3, third) < 2 ** -53
    with pytest.raises(ValueError):
        o.error([1.0, 2.0], [Fraction(1)])


def test_number_formats():
    assert report.fmt_time(2.414e-7) == "241 ns"
    assert report.fmt_time(3.25e-5) == "32.5 us"
    assert report.fmt_time(1.5e-3) == "1.5 ms"
    assert report.fmt_ratio(2.414) == "2.41x" and report.fmt_ratio(12345.6) == "12,346x"
    assert report.fmt_error(1.234e-16) == "1.2e-16" and report.fmt_error(0.0) == "0"


def test_complex_step_gradient_helper():
    x = [0.3, 1.7, -0.4]
    assert np.allclose(M.complex_step_gradient(T.rosen, x), rosen_der(np.array(x)),
                       rtol=1e-15, atol=0)


# ---------------------------------------------------------------------------
# The one harness: what --quick means, the registry the scripts share
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("harness", list(timing.HARNESSES))
def test_one_quick_table(harness):
    full, quick = timing.settings(harness, False), timing.settings(harness, True)
    assert set(full) == set(quick) and full
    for key in full:
        assert 0 < quick[key] <= full[key], key
    for n in (10 ** 3, 10 ** 6, 10 ** 7):
        assert 0 < timing.rounds_by_size(n, True) <= timing.rounds_by_size(n, False)


def test_bench_reads_the_table():
    assert timing.settings("bench", True) == {"rounds": 5, "sample_ms": 6.0, "budget_s": 0.5}
    assert timing.settings("bench", False) == {"rounds": 11, "sample_ms": 20.0, "budget_s": 3.0}


def test_script_options_come_from_the_table():
    ap = script.parser("x", "quick", "gradient", tasks=["a", "b"])
    args = script.parse(ap, ["--quick", "--tasks", "b"], tasks=["a", "b"])
    assert {k: getattr(args, k) for k in timing.settings("gradient", True)} \
        == timing.settings("gradient", True)
    assert args.tasks == ["b"]
    args = script.parse(script.parser("x", "quick", "arrays"), [])
    assert args.rounds is None and args.max_call_s == 10.0   # arrays: rounds by size


def test_g_is_one_task():
    # the README's performance table: g = sin*exp/(1+x^2) + log(1+x^2) + sqrt + tanh
    assert "log(1+x*x)" in T.G_TEXT
    g = T.TASKS_BY_NAME["g"].make(T.exact_namespace())
    x = 0.7
    assert g(x) == (math.sin(x)*math.exp(x)/(1+x*x) + math.log(1+x*x) + math.sqrt(x)
                    + math.tanh(x))


def test_array_tasks():
    x = np.linspace(0.2, 2.9, 7)
    e = T.exact_namespace()
    assert np.allclose(T.array_g_prime(x), [T.g_d1(e, v) for v in x], rtol=1e-13)
    pts = np.array([-2.5, -0.3, 0.4, 3.1])
    h = 1e-6
    for name, spec in T.ARRAY_ACTIVATIONS.items():
        if spec["numpy"] is None:
            continue
        fd = (spec["numpy"](pts + h) - spec["numpy"](pts - h)) / (2 * h)
        want = [float(T.ARRAY_ACTIVATION_D1[name](e, v)) for v in pts]
        assert np.allclose(fd, want, rtol=1e-6, atol=1e-8), name
    dd = dualdiff
    for task, (_, stmt, needs_scipy, dd_stmt) in T.VALUE_TASKS.items():
        names = {"np": np, "x": pts, "a": T.LEAKY_ALPHA, "SQRT2": T.SQRT2, "K": T.GELU_K}
        if needs_scipy:
            names.update(erf=T.SPECIAL.erf, erfc=T.SPECIAL.erfc)
        want = [T.value_function(dd, task)(v) for v in pts]
        assert np.allclose(eval(stmt, names), want, rtol=1e-14, atol=1e-300), task
        assert np.allclose(eval(dd_stmt, {"dd": dd, **names}), want, rtol=1e-14), task

"""What the scripts in ``benchmarks/`` share: options, the header, checking, tables, JSON.

Each script builds its tasks' methods (``timing.Timed`` statements) and its
summaries; everything else -- the command line, loading dualdiff, evaluating
each method once before timing it, the round-robin timing (``timing``), the
tables (``report``), the notes, the JSON file -- is here, written once.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

from dualdiff._bench import report, timing
from dualdiff._bench.timing import CHUNKS, median_ratio

#: the options every script has, with their defaults (full run, --quick) filled in
_TIMING_HELP = {
    "rounds": "round-robin rounds (default {0}, {1} with --quick)",
    "sample_ms": "target duration of one sample, ms (default {0:g}, {1:g} with --quick)",
    "budget_s": "time a slow method may take per task before it is sampled in fewer rounds "
                "(default {0:g} s, {1:g} s with --quick)",
    "max_call_s": "skip a method one call of which takes longer "
                  "(default {0:g} s, {1:g} s with --quick)",
}
_BY_SIZE_HELP = ("round-robin rounds at every size (default: "
                 + "; ".join(f"{f}, {q} with --quick, up to {top:.0e} points" if top else
                             f"{f}, {q} with --quick, above"
                             for top, (f, q) in timing.ROUNDS_BY_SIZE) + ")")


def log(s):
    """Progress on stderr, after what stdout holds so far."""
    sys.stdout.flush()
    sys.stderr.write(s)
    sys.stderr.flush()


def parser(description, quick_help, harness, tasks=None):
    """The common command line: --quick, the timing options of `harness` (its
    (full, quick) defaults from ``timing.HARNESSES``), --tasks (when `tasks`
    lists them), --json, --allow-pure."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true", help=quick_help)
    defaults = timing.pairs(harness)
    for key, pair in defaults.items():
        if key not in _TIMING_HELP:
            continue
        kind = int if key == "rounds" else float
        ap.add_argument("--" + key.replace("_", "-"), type=kind, default=None,
                        help=_TIMING_HELP[key].format(*pair) if pair else _BY_SIZE_HELP)
    if tasks is not None:
        ap.add_argument("--tasks", default=None,
                        help="comma-separated subset of: " + ", ".join(tasks))
    ap.add_argument("--json", metavar="FILE", help="write all figures to FILE as JSON")
    ap.add_argument("--allow-pure", action="store_true",
                    help="run even when dualdiff has no compiled backend")
    ap.bench_defaults = defaults
    return ap


def parse(ap, argv, tasks=None):
    """Parse argv; fill in the timing defaults; check them; args.tasks as a list."""
    args = ap.parse_args(argv)
    for key, pair in ap.bench_defaults.items():
        if getattr(args, key, None) is None:
            setattr(args, key, (pair[1] if args.quick else pair[0]) if pair else None)
        value = getattr(args, key)
        if value is not None and value <= 0:
            ap.error("--" + ", --".join(k.replace("_", "-") for k in ap.bench_defaults
                                        if k in _TIMING_HELP) + " must be positive")
    if tasks is not None:
        wanted = [t.strip() for t in (args.tasks or "").split(",") if t.strip()]
        bad = [t for t in wanted if t not in tasks]
        if bad:
            ap.error(f"unknown task(s) {', '.join(bad)}; choose from {', '.join(tasks)}")
        args.tasks = [t for t in tasks if t in wanted] if wanted else list(tasks)
    return args


def load_dualdiff(prog, allow_pure):
    """dualdiff, or None (after a message on stderr) when it runs on the pure backend."""
    import dualdiff as dd
    if dd.backend != "c" and not allow_pure:
        print(f"{prog}: dualdiff.backend is {dd.backend!r}, not 'c': the compiled "
              f"extension is not loaded (from {os.path.dirname(dd.__file__)}).\n"
              "Install with a C compiler (pip install .) to benchmark the compiled core, "
              "or pass --allow-pure to benchmark the pure-Python backend.", file=sys.stderr)
        return None
    return dd


def where(dd):
    """The dualdiff under test, for the header and the JSON."""
    import dualdiff
    return {"version": getattr(dualdiff, "__version__", None), "backend": dd.backend,
            "path": os.path.dirname(dualdiff.__file__)}


def header(title, dd, extra=""):
    """The first lines every script prints: what it measures, dualdiff, Python."""
    print(title)
    print("  dualdiff {version}  backend={backend!r}  from {path}".format(**where(dd)))
    print(f"  Python {platform.python_version()} ({platform.python_implementation()}) "
          f"on {platform.machine()} {platform.system()}, {os.cpu_count()} CPUs{extra}")


def sampling_lines(rounds_text, sample_ms, budget_s=None, min_rounds=None):
    """How the script times: the same words wherever the same method is used."""
    lines = [f"  {rounds_text}; methods interleaved round-robin, each sample taken between "
             "two samples of the baseline;"]
    slow = ("" if budget_s is None else
            f" (a method slower than that: of as many single calls as fit in ~{sample_ms:g} "
            "ms, at least one)")
    lines.append(f"  a sample = the fastest of {CHUNKS} back-to-back runs of "
                 f"~{sample_ms / CHUNKS:g} ms{slow};")
    if budget_s is not None:
        lines.append(f"  a method taking more than {budget_s:g} s over all rounds is sampled "
                     f"in fewer rounds (at least {min_rounds}; see the 'rounds' column);")
    lines.append("  time/call has the empty-loop cost removed; ratio = median over rounds of "
                 "(sample / mean of the two baseline samples around it)")
    return lines


def report_head(dd, **extra):
    """The JSON report's first fields: where it ran, then `extra`."""
    return {"python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(), "cpus": os.cpu_count(),
            "dualdiff": where(dd), "chunks_per_sample": CHUNKS,
            "ratio_definition": "per round: (method / mean of the adjacent headline-baseline "
                                "samples - o) / (1 - o), o = empty loop / baseline; "
                                "reported: median over rounds", **extra}


def check(methods, evaluate, notes, max_call_s=None):
    """Evaluate each method once (evaluate(m) -> a note, or None); keep those that
    neither raise, nor get a note saying 'not timed', nor take over max_call_s."""
    kept = []
    for m in methods:
        t0 = time.perf_counter()
        try:
            note = evaluate(m)
        except Exception as exc:
            notes.append(f"{m.label}: raised {type(exc).__name__}: {exc}; not timed")
            continue
        m.check_s = getattr(m, "check_s", None) or time.perf_counter() - t0
        if note:
            notes.append(note)
            if note.endswith("not timed"):
                continue
        if max_call_s is not None and m.kind != "baseline" and m.check_s > max_call_s:
            notes.append(f"{m.label}: one call took {m.check_s:.2f} s "
                         f"(> --max-call-s {max_call_s:g}); not timed")
            continue
        kept.append(m)
    return kept


def compiled_first(m, evaluate, notes):
    """A jitted method's first call traces and compiles: evaluate it again (the
    figures and the --max-call-s test take the second call) and say so."""
    first = m.check_s
    evaluate()
    notes.append(f"{m.label}: the first call (tracing and compiling) took {first:.2f} s; "
                 "not included in the figures")


def inexact(m, error, tol, own, what):
    """None when error <= tol; else the note for ``check``: a peer's ends in
    'not timed' (dropped), one of dualdiff's own rows (own) is kept, marked WRONG."""
    if error is not None and error <= tol:
        return None
    if not own:
        return f"{m.label}: {what} {error:.3g} (> {tol:g}); not timed"
    m.note = "WRONG"
    return f"{m.label}: {what} {error:.3g} against the exact value (> {tol:g})"


def timing_record(m, keys, **extra):
    """One method's figures for the JSON report."""
    return {"label": m.label, "kind": m.kind,
            "group": list(m.group) if isinstance(m.group, tuple) else m.group,
            "stmt": m.stmt, "calls_per_run": m.n, "runs_per_sample": m.chunks,
            "rounds_sampled": m.rounds_idx, "note": m.note, **extra,
            "median_ns": statistics.median(m.samples), "min_ns": min(m.samples),
            "samples_ns": m.samples, "raw_samples_ns": m.raw,
            "adjacent_baseline_ns": getattr(m, "adjacent", None) or None,
            "ratio": {k: median_ratio(m, k) for k in keys}, "ratio_samples": m.ratios}


def fmt_error(e, applies=True):
    """An error column's cell: '-' where no error applies, '?' unknown, '0', or 1.2e-16."""
    if not applies:
        return "-"
    if e is None:
        return "?"
    return "0" if e == 0 else f"{e:.1e}"


def fmt_ratio(r, large=100):
    """A ratio cell: two decimals, whole numbers with commas from `large` on."""
    return f"{r:.2f}" if r < large else f"{r:,.0f}"


def best(methods, group, key):
    """The fastest method of a group (by median ratio to baseline `key`), or None."""
    cands = [m for m in methods if m.group == group]
    return min(cands, key=lambda m: median_ratio(m, key)) if cands else None


def method_table(title, methods, baselines, headline, tail, times=("median/call", "min/call"),
                 fmt_t=None, large=100):
    """Print one task's table: each method's label, median and min time per call,
    its ratio to each baseline (the headline starred when there are several),
    then the `tail` columns [(header, method -> cell)]."""
    fmt_t = fmt_t or fmt_time_ns
    keys = list(baselines)
    headers = ["method", *times]
    headers += [f"x {k}" + (" *" if k == headline and len(keys) > 1 else "") for k in keys]
    headers += [h for h, _ in tail]
    rows = [[m.label + (f"  [{m.note}]" if m.note else ""),
             fmt_t(statistics.median(m.samples)), fmt_t(min(m.samples)),
             *(fmt_ratio(median_ratio(m, k), large) for k in keys),
             *(cell(m) for _, cell in tail)] for m in methods]
    print_table(title, headers, rows)


def print_table(title, headers, rows):
    print()
    print(title)
    for ln in report.table(rows, headers):
        print(ln)


def print_lines(lines, notes, indent="   "):
    for ln in lines:
        print(indent + ln)
    for note in notes:
        print(indent + "note: " + note)


def finish(data, notes, t_start, json_path, targets=None, targets_title=None, none_text=None):
    """The end of every script: the targets, the notes, the seconds, the JSON file."""
    if targets_title is not None:
        print()
        print(targets_title)
        if not targets:
            print(f"   {none_text}")
        print_lines(targets, [])
        data["targets"] = targets
    print_lines([], notes, indent="")
    data["notes"] = notes
    data["seconds"] = time.perf_counter() - t_start
    print(f"\n(figures from this run only; {data['seconds']:.0f} s in all)")
    if json_path:
        with open(json_path, "w") as fh:
            json.dump(data, fh, indent=1)
        print(f"wrote {json_path}")
    return 0


def fmt_time_ns(ns):
    """A duration in ns as a short string in s, ms, us or ns."""
    return report.fmt_time(ns / 1e9)


def table_lines(headers, rows):
    return report.table(rows, headers)

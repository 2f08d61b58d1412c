"""Printing the bench: readable numbers and one table per task."""

import math


def fmt_time(t):
    if t is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if t >= scale:
            v = t / scale
            return f"{v:.3g} {unit}" if v < 100 else f"{v:.0f} {unit}"
    return f"{t * 1e9:.0f} ns"


def fmt_ns(t):
    """A duration in ns as a short number of ns (thousands as k)."""
    if t >= 100_000:
        return f"{t / 1000:,.0f}k"
    return f"{t:,.0f}"


def fmt_ratio(r):
    if r is None:
        return "-"
    return f"{r:.2f}x" if r < 100 else f"{r:,.0f}x"


def fmt_error(e):
    if e is None:
        return "-"
    if e == 0:
        return "0"
    return f"{e:.1e}" if math.isfinite(e) else str(e)


def table(rows, headers=("method", "time/call", "ratio", "rel. error")):
    """The lines of a table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in [headers] + rows) for i in range(len(headers))]

    def line(r):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    return [line(headers), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]


def task_lines(task, what, base, methods, notes):
    """A task's table: the baseline first, then each method as measured."""
    rows = [[base.label, fmt_time(base.time_s), "1.00x", "-"]]
    for m in methods:
        rows.append([m.label, fmt_time(m.time_s), fmt_ratio(m.ratio), fmt_error(m.error)])
    head = f"== {task.name}: {what} of {task.text}"
    return [head] + ["   " + ln for ln in table(rows)] + [f"   note: {n}" for n in notes]

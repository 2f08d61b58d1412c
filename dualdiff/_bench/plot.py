"""The bench's figure: error against step size, and time ratios.

Drawn on matplotlib's Agg canvas directly (no pyplot), so that the bench
neither needs a display nor changes the backend of a program that imports it.
"""

from dualdiff._bench.report import fmt_ratio

EPS = 2.0 ** -52

#: how each method is drawn in both panels
STYLE = {"forward FD": ("C3", "forward difference  (error ~ h, then eps/h)"),
         "central FD": ("C1", "central difference  (~ h^2, then eps/h)"),
         "4th-order FD": ("C2", "4th-order central  (~ h^4, then eps/h)"),
         "complex step": ("C4", "complex step  (~ h^2, no cancellation)"),
         "dualdiff": ("C0", "dualdiff (dual / hyper-dual / one-pass)")}

#: the tasks whose ratios the bar chart shows, when they were run, and their labels
BAR_TASKS = {"g": "g'(x)", "g-second": "g''(x)",
             "rosenbrock-gradient-100": "Rosenbrock\ngradient, n = 100",
             "rosenbrock-hessian-10": "Rosenbrock\nHessian, n = 10", "gelu": "gelu'(x)"}


def _floor(errors):
    # an error of exactly 0 cannot sit on a log axis: draw it at eps/4
    return [max(e, EPS / 4) for e in errors]


def draw(path, curve, results):
    """Write the two-panel PNG: curve from suite.error_vs_step, results per task."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 5.4), layout="constrained")
    FigureCanvasAgg(fig)
    ax, bx = fig.subplots(1, 2, width_ratios=[1.05, 1])

    h = curve["h"]
    for key, errs in curve["errors"].items():
        color, label = STYLE[key]
        ls = "--" if key == "complex step" else "-"
        ax.loglog(h, _floor(errs), ls, color=color, lw=1.4, label=label)
        if key in curve["default"]:  # the complex step's default, 1e-20, is off the axis
            dh, de = curve["default"][key]
            ax.loglog([dh], _floor([de]), "o", color=color, ms=7, mec="black", mew=0.6)
    dual = curve["dual_error"]
    ax.axhline(max(dual, EPS / 4), color=STYLE["dualdiff"][0], lw=2.5,
               label=f"dual numbers: error {dual:.1e}, no step" if dual else
               "dual numbers: error 0 (drawn at eps/4), no step")
    ax.axhline(EPS, color="grey", lw=0.8, ls=":")
    ax.text(h[-1], EPS * 1.4, "machine epsilon", color="grey", fontsize=8, ha="right")
    ax.plot([], [], "o", color="white", mec="black", label="default step h")
    ax.set_xlabel("step size h")
    ax.set_ylabel("relative error of f'(x)")
    ax.text(3e-15, 3e-8, "rounding error ~ eps/h\n(f(x+h) - f(x) cancels)", fontsize=8,
            style="italic", color="dimgrey")
    ax.text(2e-6, 3e-5, "truncation\nerror ~ h^p", fontsize=8, style="italic",
            color="dimgrey", ha="right")
    ax.set_title(f"Error of f'(x) against the step h: {curve['text']}, x = {curve['x']}",
                 fontsize=9)
    ax.set_ylim(min(EPS / 8, dual / 2 if dual else 1), 10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 0.07))

    shown = [t for t in BAR_TASKS if t in results][:4] or list(results)[:4]
    keys = []
    for t in shown:
        for k in results[t]["methods"]:
            k = "dualdiff" if k in ("dual", "hyper-dual", "one-pass") else k
            if k not in keys:
                keys.append(k)
    width = 0.8 / max(len(keys), 1)
    for j, key in enumerate(keys):
        xs, ys, missing = [], [], []
        for i, t in enumerate(shown):
            ratio = None
            for k, m in results[t]["methods"].items():
                same = k == key or (key == "dualdiff" and k in ("dual", "hyper-dual", "one-pass"))
                if same and m["ratio"]:
                    ratio = m["ratio"]
            (xs if ratio else missing).append(i - 0.4 + width * (j + 0.5))
            if ratio:
                ys.append(ratio)
        color, label = STYLE.get(key, (f"C{5 + j % 5}", key))
        bars = bx.bar(xs, ys, width, color=color, label=label.split("  ")[0])
        # horizontal labels, every other series raised so that neighbours do not overlap
        bx.bar_label(bars, [fmt_ratio(y) for y in ys], fontsize=6, padding=1 + 8 * (j % 2))
        for x in missing:   # the method does not apply to this task
            bx.text(x, 1.05, "n/a", fontsize=6, ha="center", va="bottom", color=color)
    bx.axhline(1.0, color="black", lw=0.8)
    bx.set_yscale("log")
    bx.set_ylim(top=bx.get_ylim()[1] * 8)
    bx.set_xticks(range(len(shown)), [BAR_TASKS.get(t, t) for t in shown], fontsize=8)
    bx.set_ylabel("time / time of f(x) on floats (log scale)")
    bx.set_title("Cost relative to one float evaluation of f (same run)", fontsize=10)
    bx.legend(fontsize=7, ncols=3, loc="upper left")
    bx.grid(True, axis="y", which="major", alpha=0.3)
    fig.savefig(path, dpi=110)

"""The command line: ``python -m dualdiff`` and the ``dualdiff`` console script.

Subcommands:

- ``diff EXPR --at x=2[,y=3] [--order 2] [--json]``: the value and the
  derivative (one variable) or gradient (several), and with ``--order 2`` the
  second derivative or Hessian.  EXPR is parsed by ``dualdiff._expr`` (a
  whitelist over ``ast``; never ``eval``).
- ``info [--json]``: version, backend, build and the supported functions.
- ``bench [--quick] [--json FILE] [--plot FILE] [--tasks a,b]``: the
  dual-vs-finite-difference comparison of ``dualdiff._bench``.

Numbers print as ``repr(float)`` does (``19.0``, ``1e-300``).  Bad input
exits with status 1 (or 2 for usage errors, from argparse) and one line on
stderr, never a traceback.

``--at`` takes ``NAME=VALUE`` pairs separated by commas, spaces allowed, and
may be repeated; the values must be finite floats.  The gradient and Hessian
follow the order of the names in ``--at``; a name the expression does not
use is allowed and has derivative 0; a variable the expression uses must be
given.  ``--json`` writes one object per run; JSON has no inf or nan, so
non-finite results (``sqrt'(0)``) are written as the strings ``"inf"``,
``"-inf"``, ``"nan"``, which ``float()`` reads back.
"""

import argparse
import json
import keyword
import math
import os
import sys
import unicodedata

import dualdiff
from dualdiff import _expr

PROG = "dualdiff"   # messages' prefix; hints name the command as run (main's run_as)

#: At most this many variables in --at (the Hessian's size grows as their square).
MAX_VARIABLES = 100


class CliError(Exception):
    """CliError(message): bad input; main() prints it on one line and returns 1."""


class _Parser(argparse.ArgumentParser):
    def _print_message(self, message, file=None):
        # argparse ignores an OSError here: --help and --version on stdout
        # must fail as any other output does (main() reports it)
        if message and file is sys.stdout:
            file.write(message)
        else:
            super()._print_message(message, file)

    def error(self, message):
        # One line, not argparse's usage block: the DESIGN's error contract.
        if "EXPR" in message:   # most likely an EXPR like -x**2, read as an option
            message += " (an EXPR that starts with '-' needs a space before it: ' -x**2')"
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


def _one_line(message):
    return " ".join(str(message).split())


# ---------------------------------------------------------------- diff

def parse_point(specs):
    """parse_point(["x=2,y=3", "z=1"]) -> {"x": 2.0, "y": 3.0, "z": 1.0}, in the order given."""
    point = {}
    for spec in specs:
        for item in spec.split(","):
            name, sep, text = (part.strip() for part in item.partition("="))
            if not sep or not name:
                what = repr(item.strip()) if item.strip() else "an empty entry"
                raise CliError(f"--at expects NAME=VALUE[,NAME=VALUE...]: {what} in "
                               f"{spec!r} is not one")
            name = unicodedata.normalize("NFKC", name)   # as Python normalises identifiers
            if not name.isidentifier() or keyword.iskeyword(name):
                raise CliError(f"--at: {name!r} is not a variable name")
            if name in _expr.CONSTANTS:
                raise CliError(f"--at: {name!r} is a constant, not a variable")
            if name in _expr.FUNCTIONS:
                raise CliError(f"--at: {name!r} is a function, not a variable")
            if name in point:
                raise CliError(f"--at: {name!r} is given twice")
            try:
                value = float(text)
            except ValueError:
                raise CliError(f"--at: {name}={text}: {text!r} is not a number") from None
            if not math.isfinite(value):
                raise CliError(f"--at: {name}={text}: the point must be finite")
            point[name] = value
    if len(point) > MAX_VARIABLES:
        raise CliError(f"--at: too many variables ({len(point)}; the limit is {MAX_VARIABLES})")
    return point


def differentiate(expr, point, order):
    """differentiate(expr, point, order) -> dict of value, derivative(s) as floats / lists."""
    names = list(point)
    if len(names) == 1:
        name, x = names[0], point[names[0]]

        def f(t):
            return _expr.evaluate(expr, {name: t})

        value, d1 = dualdiff.value_and_derivative(f, x)
        out = {"value": float(value), "derivative": float(d1)}
        if order == 2:
            out["second_derivative"] = float(dualdiff.second_derivative(f, x))
        return out

    def f(v):
        return _expr.evaluate(expr, dict(zip(names, v)))

    xs = [point[n] for n in names]
    value, grad = dualdiff.value_and_gradient(f, xs)
    out = {"value": float(value), "gradient": [float(g) for g in grad]}
    if order == 2:
        out["hessian"] = [[float(h) for h in row] for row in dualdiff.hessian(f, xs)]
    return out


def _fmt(x):
    return repr(float(x))


def _json_number(x):
    # JSON has no inf or nan: write them as the strings float() reads back.
    return x if math.isfinite(x) else repr(x)


def _jsonable(obj):
    if isinstance(obj, float):
        return _json_number(obj)
    if isinstance(obj, list):
        return [_jsonable(o) for o in obj]
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    return obj


def _cmd_diff(args):
    try:
        expr = _expr.parse(args.expr)
    except _expr.ExpressionError as exc:   # its hints name the command as it was run
        raise CliError(str(exc).replace("{prog}", args.run_as)) from None
    point = parse_point(args.at)
    for name in expr.variables:
        if name not in point:
            raise CliError(f"no value for variable {name!r}: add it to --at, as in --at {name}=1")
    try:
        result = differentiate(expr, point, args.order)
    except (ValueError, ArithmeticError, TypeError) as exc:
        raise CliError(f"cannot evaluate at {_point_text(point)}: {exc}") from None
    if args.json:
        doc = {"expression": expr.text, "at": point, **result}
        print(json.dumps(_jsonable(doc), allow_nan=False))
        return 0
    f = f"f({', '.join(point)})"
    print(f"{f} = {_fmt(result['value'])}")
    if "derivative" in result:
        print(f"{f[0]}'{f[1:]} = {_fmt(result['derivative'])}")
        if "second_derivative" in result:
            print(f"{f[0]}''{f[1:]} = {_fmt(result['second_derivative'])}")
        return 0
    print(f"grad {f} = [{', '.join(map(_fmt, result['gradient']))}]")
    if "hessian" in result:
        label = f"hess {f} = "
        rows = ["[" + ", ".join(map(_fmt, row)) + "]" for row in result["hessian"]]
        print(label + "[" + (",\n" + " " * (len(label) + 1)).join(rows) + "]")
    return 0


def _point_text(point):
    return ", ".join(f"{k}={_fmt(v)}" for k, v in point.items())


# ---------------------------------------------------------------- info

def build_info():
    """build_info() -> dict: version, backend, extension, compiler, platform, functions."""
    import importlib.util
    import platform
    import sysconfig

    import numpy

    compiled = dualdiff.backend == "c"
    if compiled:
        from dualdiff import _core
        extension = _core.__file__
    else:   # where the extension would be, if it was built; not imported
        spec = importlib.util.find_spec("dualdiff._core")
        extension = spec.origin if spec is not None else None
    functions = sorted(n for n, t in _expr.FUNCTIONS_TARGET.items() if n == t)
    return {
        "version": dualdiff.__version__,
        "backend": dualdiff.backend,
        "extension": extension,
        "pure_python_forced": os.environ.get("DUALDIFF_PURE_PYTHON", "") not in ("", "0"),
        # setuptools builds extensions with the compiler Python was configured with
        "compiler": (sysconfig.get_config_var("CC") or platform.python_compiler())
                    if compiled else None,
        "python": f"{platform.python_version()} ({platform.python_implementation()}, "
                  f"{platform.python_compiler()})",
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "functions": functions,
        "aliases": {n: t for n, t in _expr.FUNCTIONS_TARGET.items() if n != t},
        "constants": sorted(_expr.CONSTANTS),
    }


def _backend_description(info):
    """The backend in use, and why, from build_info()."""
    if info["backend"] == "c":
        return f"c (compiled extension {info['extension']})"
    return ("python (DUALDIFF_PURE_PYTHON is set)" if info["pure_python_forced"]
            else "python (compiled extension not built)" if info["extension"] is None
            else "python (compiled extension failed to import)")


def _cmd_info(args):
    info = build_info()
    if args.json:
        print(json.dumps(info))
        return 0
    backend = _backend_description(info)
    if info["backend"] == "c":
        compiler = f"{info['compiler']} (sysconfig CC)"
    else:
        compiler = "none (pure Python)"
    lines = [
        f"dualdiff {info['version']}",
        f"backend:   {backend}",
        f"compiler:  {compiler}",
        f"python:    {info['python']}",
        f"numpy:     {info['numpy']}",
        f"platform:  {info['platform']}",
        f"functions: {' '.join(info['functions'])}",
        "aliases:   " + " ".join(f"{a}={t}" for a, t in sorted(info["aliases"].items())),
        f"constants: {' '.join(info['constants'])}",
    ]
    print("\n".join(lines))
    return 0


# ---------------------------------------------------------------- bench

def _cmd_bench(args):
    from dualdiff._bench import TASK_NAMES, run_bench   # only when asked: it is large
    tasks = None
    if args.tasks is not None:
        tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
        unknown = [t for t in tasks if t not in TASK_NAMES]
        if unknown or not tasks:
            raise CliError(f"--tasks: unknown task {', '.join(unknown) or '(none)'}; "
                           f"choose from {', '.join(TASK_NAMES)}")
    if dualdiff.backend != "c":
        # the figures would be the fallback's: say so before they are read as
        # dualdiff's (from a source checkout, `python -m dualdiff` imports the
        # checkout, which has no compiled module, not the installed package)
        info = build_info()
        print(f"{PROG} bench: note: backend {_backend_description(info)}, 10-20x "
              f"slower than the compiled one; dualdiff imported from "
              f"{os.path.dirname(dualdiff.__file__)}"
              + ("" if info["pure_python_forced"] else
                 ". From a source checkout, run the installed `dualdiff` command, or "
                 "python -m dualdiff from another directory"), file=sys.stderr)
    return run_bench(quick=args.quick, json_path=args.json, plot_path=args.plot,
                     tasks=tasks, out=sys.stdout, err=sys.stderr)


# ---------------------------------------------------------------- main

_DIFF_EPILOG = """\
EXPR uses numbers, variables, + - * / **, unary minus, parentheses, the
constants pi and e, and dualdiff's functions by name: sin(x), log(x, 2),
sigmoid(x), leaky_relu(x, alpha=0.1), gelu(x, approximate=True), hypot(x, y),
... ('dualdiff info' lists them).  The gradient and Hessian follow the order
of the names in --at; a name the expression does not use has derivative 0.
An EXPR starting with '-' needs a space before it (' -x**2') so that it is
not read as an option."""


def build_parser(run_as=PROG):
    """build_parser(run_as="dualdiff") -> the argparse parser of the command line;
    run_as is the command as it was run, which hints name."""
    parser = _Parser(prog=PROG, description="Exact derivatives by forward-mode "
                     "automatic differentiation (dual numbers).")
    parser.set_defaults(run_as=run_as)
    parser.add_argument("--version", action="version", version=f"{PROG} {dualdiff.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("diff", help="value and derivatives of an expression at a point",
                       epilog=_DIFF_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("expr", metavar="EXPR", help="the expression, e.g. 'x**3 + sin(x*y)'")
    p.add_argument("--at", action="append", required=True, metavar="NAME=VALUE[,...]",
                   help="the point, e.g. x=2,y=3 (may be repeated)")
    p.add_argument("--order", type=int, choices=(1, 2), default=1,
                   help="1: derivative / gradient (default); 2: also the second "
                        "derivative / Hessian")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_cmd_diff)

    p = sub.add_parser("info", help="version, backend, build and supported functions")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_cmd_info)

    p = sub.add_parser("bench", help="dual numbers against finite differences: "
                       "accuracy and speed")
    p.add_argument("--quick", action="store_true", help="fewer repetitions")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    p.add_argument("--plot", metavar="FILE", help="draw error against step size to FILE (.png)")
    p.add_argument("--tasks", metavar="a,b,c", help="run only these tasks")
    p.set_defaults(handler=_cmd_bench)
    parser.commands = tuple(sub.choices)   # for the message when none is given
    return parser


def main(argv=None, run_as=PROG):
    """main(argv=None, run_as="dualdiff") -> exit status; argv defaults to
    sys.argv[1:]; run_as is the command as it was run, which hints name.

    Output that cannot be written ends the run as any other error does: a
    closed pipe (``dualdiff info | head -c1``) silently with status 1, as the
    Python docs' "Note on SIGPIPE" does it; any other OSError (a full disk)
    with one line on stderr and status 1.
    """
    try:
        status = _main(argv, run_as)
        sys.stdout.flush()   # here, not at exit, where an error is a traceback-like report
        return status
    except BrokenPipeError:
        # the reader has gone (head, less quit): nothing to tell it, nor on stderr
        _discard_stdout()
        return 1
    except OSError as exc:
        _discard_stdout()
        try:
            print(f"{PROG}: error: cannot write the output: {_one_line(exc)}", file=sys.stderr)
        except OSError:
            pass
        return 1


def _discard_stdout():
    """Point stdout at devnull, so that the interpreter's own flush at exit
    (of what could not be written) does not fail again, with a report."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):   # not a file (a test's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _main(argv, run_as):
    parser = build_parser(run_as)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:   # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else 1
    if args.command is None:   # one line, as argparse's other usage errors here
        commands = parser.commands
        sys.stderr.write(f"{PROG}: error: a command is required: {', '.join(commands[:-1])} "
                         f"or {commands[-1]} (see {PROG} --help)\n")
        return 2
    try:
        return args.handler(args)
    except CliError as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 1

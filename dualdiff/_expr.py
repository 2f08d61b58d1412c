"""Arithmetic expressions for the command line, parsed by a whitelist.

``parse(text)`` reads an expression such as ``x**3 + sin(y)/2`` with Python's
``ast`` module and accepts only: numbers (int or float literals), variables,
the constants ``pi`` and ``e``, the operators ``+ - * / **``, unary ``-`` and
``+``, parentheses, and calls of dualdiff's functions by name (see
``FUNCTIONS``).  Anything else (attributes, subscripts, strings, comparisons,
comprehensions, lambdas, ...) is rejected with an ``ExpressionError`` naming
it.  ``evaluate(expr, env)`` walks the checked tree; nothing is ever passed
to ``eval``, ``exec`` or ``compile``, and names resolve only through ``env``
and the function table.

Bounds: at most ``MAX_LENGTH`` characters (checked before ``ast.parse``, whose
own recursion a hostile text could exhaust), ``MAX_NODES`` syntax nodes and
``MAX_DEPTH`` levels of nesting; checking and evaluating use explicit
stacks, not recursion, so a long sum (one level per term) is fine.
Integer literals become floats when parsed, so ``9**9**9`` is float
arithmetic that overflows at once (``OverflowError``) instead of a huge
integer computation.
"""

import ast
import math

from dualdiff import _spec

MAX_LENGTH = 10_000
MAX_NODES = 2_000
MAX_DEPTH = 1_000

#: Named constants; they cannot be used as variable names.
CONSTANTS = {"pi": math.pi, "e": math.e}

# Parameters whose argument must be a literal True or False.
_FLAGS = frozenset({"approximate"})


def _signatures():
    sig = {f.name: f.arguments for f in _spec.FUNCTIONS if f.group != "sequence"}
    sig.update({alias: sig[target] for alias, target in _spec.ALIASES.items()})
    return sig


#: Callable names -> parameter names (the spec's functions of numbers and their
#: aliases).  Every parameter after the first may be passed by keyword; one
#: with a default may be omitted (``softmax`` and ``logsumexp`` take arrays and
#: are not here).
FUNCTIONS = _signatures()

#: Callable name -> the dualdiff function it calls (aliases resolved).
FUNCTIONS_TARGET = {name: _spec.ALIASES.get(name, name) for name in FUNCTIONS}

#: Callable name -> how many arguments it needs at the least.
_REQUIRED = {name: sum("=" not in p for p in _spec.BY_NAME[target].params)
             for name, target in FUNCTIONS_TARGET.items()}

_BINARY = frozenset({ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow})
_UNARY = frozenset({ast.USub, ast.UAdd})

_FORBIDDEN = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripts",
    ast.Slice: "slices", ast.Starred: "starred arguments",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.Lambda: "lambda", ast.JoinedStr: "f-strings", ast.FormattedValue: "f-strings",
    ast.NamedExpr: "assignment expressions (:=)", ast.Compare: "comparisons",
    ast.BoolOp: "'and' / 'or'", ast.IfExp: "conditional expressions",
    ast.List: "lists", ast.Tuple: "tuples", ast.Set: "sets", ast.Dict: "dicts",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
}


class ExpressionError(ValueError):
    """An expression that is malformed, not allowed, too large, or lacks a variable."""


class Expression:
    """Expression(text, tree, variables): a checked expression; make one with parse()."""

    def __init__(self, text, tree, variables):
        self.text = text
        self.tree = tree
        #: Free variables, in order of first appearance in the text.
        self.variables = variables

    def __repr__(self):
        return f"parse({self.text!r})"


def parse(text):
    """parse(text) -> Expression, or ExpressionError saying what is wrong."""
    if not isinstance(text, str):
        raise TypeError(f"parse() expects a str, not {type(text).__name__!r}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression too long ({len(text)} characters; "
                              f"the limit is {MAX_LENGTH})")
    text = text.strip()   # a leading space would be an IndentationError
    if not text:
        raise ExpressionError("empty expression")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        where = f" (column {exc.offset})" if exc.offset else ""
        raise ExpressionError(f"syntax error: {exc.msg}{where}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("expression nested too deeply") from None
    except ValueError as exc:   # e.g. null bytes, on some Python versions
        raise ExpressionError(f"invalid expression: {exc}") from None
    return Expression(text, tree, _check(tree))


def _reject(node, what):
    raise ExpressionError(f"not allowed in an expression: {what} (column {node.col_offset + 1})")


def _check(tree):
    """Validate every node (iteratively: the tree may be deep); return the variables."""
    variables = {}
    stack = [(tree.body, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(f"expression too large (more than {MAX_NODES} parts)")
        if depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested too deeply (more than {MAX_DEPTH} levels)")
        kind = type(node)
        if kind is ast.BinOp:
            if type(node.op) not in _BINARY:
                _reject(node, f"operator {_op_text(node.op)}")
            stack += [(node.left, depth + 1), (node.right, depth + 1)]
        elif kind is ast.UnaryOp:
            if type(node.op) not in _UNARY:
                _reject(node, f"operator {_op_text(node.op)}")
            stack.append((node.operand, depth + 1))
        elif kind is ast.Constant:
            _check_number(node)
        elif kind is ast.Name:
            if node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id!r} is a function: call it, as in "
                                      f"{node.id}(x) (column {node.col_offset + 1})")
            if node.id not in CONSTANTS:
                here = (node.lineno, node.col_offset)
                variables[node.id] = min(variables.get(node.id, here), here)
        elif kind is ast.Call:
            stack += [(arg, depth + 1) for arg in _check_call(node)]
        else:
            _reject(node, _FORBIDDEN.get(kind, kind.__name__))
    return tuple(sorted(variables, key=variables.get))


def _op_text(op):
    return {ast.Mod: "'%'", ast.FloorDiv: "'//'", ast.MatMult: "'@'", ast.Not: "'not'",
            ast.Invert: "'~'", ast.BitAnd: "'&'", ast.BitOr: "'|'", ast.BitXor: "'^'",
            ast.LShift: "'<<'", ast.RShift: "'>>'"}.get(type(op), type(op).__name__)


def _check_number(node):
    value = node.value
    if type(value) is bool:
        _reject(node, repr(value))   # only as gelu's approximate=, handled in _check_call
    if type(value) not in (int, float):
        kind = {str: "strings", bytes: "bytes", complex: "complex numbers"}
        _reject(node, kind.get(type(value), repr(value)))
    try:
        node.value = float(value)   # no big-integer arithmetic, ever
    except OverflowError:
        raise ExpressionError(f"number too large (column {node.col_offset + 1})") from None


def _check_call(node):
    """Check a call's callee and arguments; return the argument nodes to check."""
    if type(node.func) is ast.Attribute:
        _reject(node.func, "attribute access")
    if type(node.func) is not ast.Name:
        _reject(node.func, "calling anything but a function name")
    name = node.func.id
    if name not in FUNCTIONS:
        raise ExpressionError(f"unknown function {name!r} (column {node.col_offset + 1}); "
                              "'{prog} info' lists the functions")
    params = FUNCTIONS[name]
    required = _REQUIRED.get(name, len(params))
    given = {}
    for i, arg in enumerate(node.args):
        if type(arg) is ast.Starred:
            _reject(arg, "starred arguments")
        if i >= len(params):
            raise ExpressionError(f"{name}() takes {_count(required, len(params))}, "
                                  f"got {len(node.args)}")
        given[params[i]] = arg
    for kw in node.keywords:
        if kw.arg is None:
            _reject(kw.value, "'**' arguments")
        if kw.arg not in params[1:]:
            raise ExpressionError(f"{name}() has no keyword argument {kw.arg!r}")
        if kw.arg in given:
            raise ExpressionError(f"{name}() got argument {kw.arg!r} twice")
        given[kw.arg] = kw.value
    missing = [p for p in params[:required] if p not in given]
    if missing:
        raise ExpressionError(f"{name}() takes {_count(required, len(params))}, "
                              f"got {len(given)}")
    for param, arg in list(given.items()):
        if param in _FLAGS:
            if not (type(arg) is ast.Constant and type(arg.value) is bool):
                raise ExpressionError(f"{name}(): {param}= must be True or False")
            del given[param]
    return list(given.values())


def _count(low, high):
    if low == high:
        return f"{low} argument" + ("s" if low > 1 else "")
    return f"{low} or {high} arguments"


def evaluate(expr, env, ns=None):
    """evaluate(expr, env, ns=dualdiff) -> the value of `expr` with variables from `env`.

    `env` maps each of ``expr.variables`` to a number: a float, or any of
    dualdiff's number types (``Dual``, ``HyperDual``, ``GradientDual``, ...).
    The functions come from `ns` (a backend namespace; default the
    ``dualdiff`` package).  Errors of the arithmetic propagate as raised
    (``ValueError`` for a domain error, ``ZeroDivisionError``,
    ``OverflowError``); a variable missing from `env` is an ExpressionError.
    """
    if ns is None:
        import dualdiff as ns
    for name in expr.variables:
        if name not in env:
            raise ExpressionError(f"no value for variable {name!r}")
    return _eval(expr.tree.body, env, ns)


def _eval(root, env, ns):
    # Post-order with an explicit stack: a 1000-term sum is 1000 levels deep.
    values = []
    stack = [(root, False)]
    while stack:
        node, ready = stack.pop()
        kind = type(node)
        if kind is ast.Constant:
            values.append(node.value)
        elif kind is ast.Name:
            values.append(CONSTANTS[node.id] if node.id in CONSTANTS else env[node.id])
        elif not ready:
            stack.append((node, True))
            stack += [(child, False) for child in reversed(_operands(node))]
        elif kind is ast.BinOp:
            b = values.pop()
            a = values.pop()
            values.append(_apply_binary(type(node.op), a, b, ns))
        elif kind is ast.UnaryOp:
            a = values.pop()
            values.append(-a if type(node.op) is ast.USub else +a)
        else:   # ast.Call, checked by _check_call
            n = len(_operands(node))
            args = values[len(values) - n:]
            del values[len(values) - n:]
            kwargs = {kw.arg: (kw.value.value if kw.arg in _FLAGS else args.pop())
                      for kw in reversed(node.keywords)}
            values.append(getattr(ns, FUNCTIONS_TARGET[node.func.id])(*args, **kwargs))
    return values.pop()


def _operands(node):
    """The child nodes whose values an operation needs, in evaluation order."""
    if type(node) is ast.BinOp:
        return [node.left, node.right]
    if type(node) is ast.UnaryOp:
        return [node.operand]
    return node.args + [kw.value for kw in node.keywords if kw.arg not in _FLAGS]


def _apply_binary(op, a, b, ns):
    if op is ast.Add:
        return a + b
    if op is ast.Sub:
        return a - b
    if op is ast.Mult:
        return a * b
    if op is ast.Div:
        return a / b
    return ns.power(a, b)   # not a ** b: float ** float may return a complex

"""Random expressions over dualdiff's functions, for the parity tests.

Shared by the multivariate test files: a hypothesis strategy for expression
trees over n variables, their evaluation with one backend's functions, and
the outcome of a call (its result, or the type of the exception it raised).
"""

import operator

import pytest
from hypothesis import strategies as st

from dualdiff._public import namespace

EXPR_UNARY = ("sin", "cos", "exp", "log", "sqrt", "tanh", "arctan", "sigmoid", "abs", "expm1",
              "log1p", "softplus", "cbrt", "erf", "arcsinh", "gelu")
EXPR_BINARY = ("+", "-", "*", "/", "hypot", "arctan2")
OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def expressions(nvars, max_leaves):
    """Expression trees over the variables x[0] ... x[nvars - 1]."""
    leaves = st.one_of(
        st.tuples(st.just("x"), st.integers(0, nvars - 1)),
        st.tuples(st.just("x"), st.integers(0, nvars - 1)),
        st.tuples(st.just("const"), st.floats(-5.0, 5.0, allow_subnormal=False)),
        st.tuples(st.just("const"), st.integers(-3, 3)),
    )

    def extend(children):
        return st.one_of(
            st.tuples(st.just("fn"), st.sampled_from(EXPR_UNARY), children),
            st.tuples(st.just("op"), st.sampled_from(EXPR_BINARY), children, children),
            st.tuples(st.just("pow"), children, st.sampled_from([2, 3, -1, 0.5, 2.5])),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def evaluate(tree, ns, x):
    """The expression `tree` at the point x, with the functions of namespace ns."""
    kind = tree[0]
    if kind == "x":
        return x[tree[1]]
    if kind == "const":
        return tree[1]
    if kind == "op":
        a, b = evaluate(tree[2], ns, x), evaluate(tree[3], ns, x)
        return OPS[tree[1]](a, b) if tree[1] in OPS else getattr(ns, tree[1])(a, b)
    if kind == "pow":
        return evaluate(tree[1], ns, x) ** tree[2]
    return getattr(ns, tree[1])(evaluate(tree[2], ns, x))


def outcome(call):
    """call()'s result, or the type of the exception it raised.

    TypeError included: a constant subexpression such as (-1.0) ** 0.5 is a
    complex number in Python, which both backends must reject alike.
    """
    try:
        return call()
    except (ArithmeticError, ValueError, TypeError) as exc:
        return type(exc)


def both_backends():
    """The compiled and the pure-Python namespaces (skip: the only allowed one)."""
    try:
        return namespace("c"), namespace("python")
    except ImportError:
        pytest.skip("the compiled backend is not built: parity needs both backends")

"""The one list of dualdiff's elementwise functions.

Every function is one ``Function`` entry below, in the order of the C rule
table (a ``rule`` entry's position is its rule id).  Everything else that
names the functions is derived from this list, never written by hand:

* at build time (``dualdiff/_codegen.py``, run by setup.py): the rule table's
  X-macro list (``dd_spec.h``), the Cython enum of rule ids, the compiled
  public functions with their docstrings, and the methods every compiled
  number type inherits;
* at import: the pure backend's public functions and methods, the public
  namespace and its aliases, the nested-call functions, the array methods
  and the NumPy ufuncs that dispatch to rules, the command line's functions;
* checked by tests (``python -m dualdiff._codegen --write`` rewrites them):
  the stubs' overloads and methods in ``__init__.pyi`` and the README's list.

Adding a function is CONTRIBUTING.md's recipe: an entry here, its rule body
in ``src_c/dd_rules.h`` and in ``dualdiff/_pure/_rules.py``, its oracle in
``tests/oracles.py``.

This module is plain data and imports nothing outside the standard library,
so that setup.py can read it before anything is built.
"""

from dataclasses import dataclass

#: What a finite argument giving an infinite value means at a scalar point
#: (the math module's convention): a domain error (log(0)), or an overflow (exp).
POLE = "pole"
OVERFLOWS = "overflows"


@dataclass(frozen=True)
class Function:
    """One public elementwise function.

    name      the public name (NumPy's spelling), also the method's name
    params    the signature's parameters, as written in the signature
    rule      None when the function is not a rule of the table; else its
              flag, POLE or OVERFLOWS (a rule has one argument; parameters
              such as log's base are handled by its implementation)
    impl      None for a plain rule (the generic unary dispatch); else the
              name of the backend's hand-written implementation, called with
              the parameters in order
    ufuncs    NumPy ufuncs (names in ``numpy``) that apply this function
    scipy     the scipy.special function of the same meaning, if any
    values    the backends have a C loop (a NumPy expression in pure Python)
              for its values over a float ndarray
    method    every number type and array type has a method of this name
    group     the README's grouping
    doc       the docstring; ``>>> import dualdiff as dd`` is prepended to the
              first example
    """

    name: str
    doc: str
    group: str
    params: tuple = ("x",)
    rule: str | None = None
    impl: str | None = None
    ufuncs: tuple = ()
    scipy: str | None = None
    values: bool = False
    method: bool = True

    @property
    def docstring(self):
        text = _dedent(self.doc)
        head, sep, examples = text.partition("\n>>> ")
        if not sep:
            return text
        return f"{head}\n>>> import dualdiff as dd\n>>> {examples}"

    @property
    def summary(self):
        """The docstring's first line without its signature: "e**x.  d/dx = exp(x)."."""
        return _dedent(self.doc).split("\n", 1)[0].split(" -> ", 1)[1]

    @property
    def signature(self):
        return f"{self.name}({', '.join(self.params)})"

    @property
    def arguments(self):
        """The parameters' names, in order."""
        return tuple(p.split("=")[0] for p in self.params)


@dataclass(frozen=True)
class Rule:
    """A rule of the table without a public function of its own name."""

    name: str
    rule: str


def _dedent(doc):
    lines = doc.strip("\n").split("\n")
    indent = min(len(s) - len(s.lstrip()) for s in lines if s.strip())
    return "\n".join(s[indent:] for s in lines).rstrip()


ENTRIES = (
    Function("exp", rule=OVERFLOWS, ufuncs=("exp",), group="exponential", doc="""
    exp(x) -> e**x.  d/dx = exp(x).

    >>> dd.exp(dd.Dual(0.0, 1.0))
    Dual(1.0, 1.0)
    """),
    Function("exp2", rule=OVERFLOWS, ufuncs=("exp2",), group="exponential", doc="""
    exp2(x) -> 2**x.  d/dx = 2**x log(2).

    >>> dd.exp2(dd.Dual(0.0, 1.0))
    Dual(1.0, 0.6931471805599453)
    """),
    Function("expm1", rule=OVERFLOWS, ufuncs=("expm1",), group="exponential", doc="""
    expm1(x) -> e**x - 1, accurate near 0.  d/dx = exp(x).

    >>> dd.expm1(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """),
    Function("log", params=("x", "base=None"), rule=POLE, impl="_log", ufuncs=("log",),
             group="exponential", doc="""
    log(x, base=None) -> natural logarithm, or logarithm to `base`.  d/dx = 1/(x log(base)).

    >>> dd.log(dd.Dual(1.0, 1.0))
    Dual(0.0, 1.0)
    >>> dd.log(dd.Dual(8.0, 1.0), 2.0)
    Dual(3.0, 0.18033688011112042)
    """),
    Function("log2", rule=POLE, ufuncs=("log2",), group="exponential", doc="""
    log2(x) -> base-2 logarithm.  d/dx = 1/(x log 2).

    >>> dd.log2(dd.Dual(8.0, 1.0))
    Dual(3.0, 0.18033688011112042)
    """),
    Function("log10", rule=POLE, ufuncs=("log10",), group="exponential", doc="""
    log10(x) -> base-10 logarithm.  d/dx = 1/(x log 10).

    >>> dd.log10(dd.Dual(100.0, 1.0))
    Dual(2.0, 0.0043429448190325185)
    """),
    Function("log1p", rule=POLE, ufuncs=("log1p",), group="exponential", doc="""
    log1p(x) -> log(1 + x), accurate near 0.  d/dx = 1/(1 + x).

    >>> dd.log1p(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """),
    Function("sqrt", rule=POLE, ufuncs=("sqrt",), group="exponential", doc="""
    sqrt(x) -> square root.  d/dx = 1/(2 sqrt(x)), +inf at 0.

    >>> dd.sqrt(dd.Dual(4.0, 1.0))
    Dual(2.0, 0.25)
    >>> dd.derivative(dd.sqrt, 0.0)
    inf
    """),
    Function("cbrt", rule=POLE, ufuncs=("cbrt",), group="exponential", doc="""
    cbrt(x) -> real cube root.  d/dx = 1/(3 cbrt(x)**2).

    >>> dd.cbrt(dd.Dual(8.0, 1.0))
    Dual(2.0, 0.08333333333333333)
    >>> dd.cbrt(-8.0)
    -2.0
    """),
    Function("sin", rule=POLE, ufuncs=("sin",), group="trigonometric", doc="""
    sin(x) -> sine.  d/dx = cos(x).

    >>> dd.sin(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """),
    Function("cos", rule=POLE, ufuncs=("cos",), group="trigonometric", doc="""
    cos(x) -> cosine.  d/dx = -sin(x).

    >>> dd.cos(dd.Dual(0.0, 1.0))
    Dual(1.0, -0.0)
    """),
    Function("tan", rule=POLE, ufuncs=("tan",), group="trigonometric", doc="""
    tan(x) -> tangent.  d/dx = 1 + tan(x)**2.

    >>> dd.tan(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """),
    Function("arcsin", rule=POLE, ufuncs=("arcsin",), group="trigonometric", doc="""
    arcsin(x) -> inverse sine.  d/dx = 1/sqrt((1 - x)(1 + x)).

    >>> dd.arcsin(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """),
    Function("arccos", rule=POLE, ufuncs=("arccos",), group="trigonometric", doc="""
    arccos(x) -> inverse cosine.  d/dx = -1/sqrt((1 - x)(1 + x)).

    >>> dd.arccos(dd.Dual(0.0, 1.0))
    Dual(1.5707963267948966, -1.0)
    """),
    Function("arctan", rule=POLE, ufuncs=("arctan",), group="trigonometric", doc="""
    arctan(x) -> inverse tangent.  d/dx = 1/(1 + x**2).

    >>> dd.arctan(dd.Dual(1.0, 1.0))
    Dual(0.7853981633974483, 0.5)
    """),
    Function("deg2rad", rule=POLE, ufuncs=("deg2rad", "radians"), group="trigonometric", doc="""
    deg2rad(x) -> x pi/180, degrees to radians.  d/dx = pi/180.

    >>> dd.deg2rad(dd.Dual(180.0, 1.0))
    Dual(3.141592653589793, 0.017453292519943295)
    """),
    Function("rad2deg", rule=OVERFLOWS, ufuncs=("rad2deg", "degrees"), group="trigonometric", doc="""
    rad2deg(x) -> x 180/pi, radians to degrees.  d/dx = 180/pi.

    >>> dd.rad2deg(dd.Dual(1.0, 1.0))
    Dual(57.29577951308232, 57.29577951308232)
    """),
    Function("sinh", rule=OVERFLOWS, ufuncs=("sinh",), group="hyperbolic", doc="""
    sinh(x) -> hyperbolic sine.  d/dx = cosh(x).

    >>> dd.sinh(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """),
    Function("cosh", rule=OVERFLOWS, ufuncs=("cosh",), group="hyperbolic", doc="""
    cosh(x) -> hyperbolic cosine.  d/dx = sinh(x).

    >>> dd.cosh(dd.Dual(0.0, 1.0))
    Dual(1.0, 0.0)
    """),
    Function("tanh", rule=POLE, ufuncs=("tanh",), group="hyperbolic", doc="""
    tanh(x) -> hyperbolic tangent.  d/dx = sech(x)**2, exact in the tails.

    >>> dd.tanh(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """),
    Function("arcsinh", rule=POLE, ufuncs=("arcsinh",), group="hyperbolic", doc="""
    arcsinh(x) -> inverse hyperbolic sine.  d/dx = 1/sqrt(1 + x**2).

    >>> dd.arcsinh(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """),
    Function("arccosh", rule=POLE, ufuncs=("arccosh",), group="hyperbolic", doc="""
    arccosh(x) -> inverse hyperbolic cosine.  d/dx = 1/sqrt((x - 1)(x + 1)).

    >>> y = dd.arccosh(dd.Dual(2.0, 1.0))
    >>> round(y.real, 12), round(y.dual, 12)
    (1.316957896925, 0.57735026919)
    """),
    Function("arctanh", rule=POLE, ufuncs=("arctanh",), group="hyperbolic", doc="""
    arctanh(x) -> inverse hyperbolic tangent.  d/dx = 1/((1 - x)(1 + x)).

    >>> dd.arctanh(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.0)
    """),
    Function("erf", rule=POLE, scipy="erf", values=True, group="error", doc="""
    erf(x) -> error function.  d/dx = 2/sqrt(pi) exp(-x**2).

    >>> dd.erf(dd.Dual(0.0, 1.0))
    Dual(0.0, 1.1283791670955126)
    """),
    Function("erfc", rule=POLE, scipy="erfc", values=True, group="error", doc="""
    erfc(x) -> complementary error function.  d/dx = -2/sqrt(pi) exp(-x**2).

    >>> dd.erfc(dd.Dual(0.0, 1.0))
    Dual(1.0, -1.1283791670955126)
    """),
    Function("abs", rule=POLE, ufuncs=("absolute", "fabs"), group="piecewise", doc="""
    abs(x) -> |x|.  d/dx = sign(x), 0 at 0.

    >>> dd.abs(dd.Dual(-2.0, 1.0))
    Dual(2.0, -1.0)
    >>> dd.derivative(dd.abs, 0.0)
    0.0
    """),
    Function("sign", rule=POLE, ufuncs=("sign",), group="piecewise", doc="""
    sign(x) -> -1.0, 0.0 or 1.0.  d/dx = 0.

    >>> dd.sign(dd.Dual(-2.0, 1.0))
    Dual(-1.0, 0.0)
    """),
    Function("floor", rule=POLE, ufuncs=("floor",), group="piecewise", doc="""
    floor(x) -> largest integer <= x, as a float.  d/dx = 0.

    >>> dd.floor(dd.Dual(2.5, 1.0))
    Dual(2.0, 0.0)
    """),
    Function("ceil", rule=POLE, ufuncs=("ceil",), group="piecewise", doc="""
    ceil(x) -> smallest integer >= x, as a float.  d/dx = 0.

    >>> dd.ceil(dd.Dual(2.5, 1.0))
    Dual(3.0, 0.0)
    """),
    Function("sigmoid", rule=POLE, scipy="expit", values=True, group="activation", doc="""
    sigmoid(x) -> 1/(1 + exp(-x)).  d/dx = sigmoid(x) sigmoid(-x).

    >>> dd.sigmoid(dd.Dual(0.0, 1.0))
    Dual(0.5, 0.25)
    """),
    Function("relu", rule=POLE, values=True, group="activation", doc="""
    relu(x) -> max(x, 0).  d/dx = 1 for x > 0, else 0.

    >>> dd.relu(dd.Dual(3.0, 1.0))
    Dual(3.0, 1.0)
    >>> dd.derivative(dd.relu, 0.0)
    0.0
    """),
    Function("leaky_relu", params=("x", "alpha=0.01"), impl="_leaky_relu", values=True,
             group="activation", doc="""
    leaky_relu(x, alpha=0.01) -> x for x > 0, else alpha*x.  d/dx = 1 or alpha (alpha at 0).

    >>> dd.leaky_relu(dd.Dual(-2.0, 1.0))
    Dual(-0.02, 0.01)
    >>> dd.derivative(dd.leaky_relu, 0.0)
    0.01
    """),
    Function("softplus", rule=OVERFLOWS, values=True, group="activation", doc="""
    softplus(x) -> log(1 + exp(x)), without overflow.  d/dx = sigmoid(x).

    >>> dd.softplus(dd.Dual(0.0, 1.0))
    Dual(0.6931471805599453, 0.5)
    """),
    Function("gelu", params=("x", "approximate=False"), rule=POLE, impl="_gelu", values=True,
             group="activation", doc="""
    gelu(x, approximate=False) -> x Phi(x); with approximate=True the tanh form.

    approximate takes True or False (NumPy's bools too), or PyTorch's names
    "tanh" and "none"; anything else is an error.

    >>> dd.gelu(dd.Dual(0.0, 1.0))
    Dual(0.0, 0.5)
    >>> dd.gelu(dd.Dual(0.0, 1.0), approximate=True)
    Dual(0.0, 0.5)
    """),
    Rule("gelu_tanh", POLE),   # gelu(x, approximate=True)
    Function("power", params=("x", "p"), impl="_power", method=False, ufuncs=("power",),
             group="exponential", doc="""
    power(x, p) -> x**p; a negative x needs an integer p (ValueError otherwise).

    >>> dd.power(dd.Dual(-2.0, 1.0), 3)
    Dual(-8.0, 12.0)
    """),
    Function("arctan2", params=("y", "x"), impl="_arctan2", ufuncs=("arctan2",),
             group="trigonometric", doc="""
    arctan2(y, x) -> angle of the point (x, y).  Partials x/r**2 and -y/r**2.

    >>> dd.arctan2(dd.Dual(0.0, 1.0), 1.0)
    Dual(0.0, 1.0)
    """),
    Function("hypot", params=("x", "y"), impl="_hypot", ufuncs=("hypot",),
             group="exponential", doc="""
    hypot(x, y) -> sqrt(x**2 + y**2) without overflow.  Partials x/r and y/r.

    >>> dd.hypot(dd.Dual(3.0, 1.0), 4.0)
    Dual(5.0, 0.6)
    """),
    Function("softmax", params=("xs", "axis=None"), impl="_softmax", method=False, scipy="softmax",
             group="sequence", doc="""
    softmax(xs, axis=None) -> exp(x_i) / sum_j exp(x_j).  Jacobian p_i (delta_ij - p_j).

    An ndarray or a DualArray is normalised along `axis` (all of it by default).

    >>> [round(p, 6) for p in dd.softmax([0.0, 0.0, 0.0, 0.0])]
    [0.25, 0.25, 0.25, 0.25]
    """),
    Function("logsumexp", params=("xs", "axis=None"), impl="_logsumexp", method=False, scipy="logsumexp",
             group="sequence", doc="""
    logsumexp(xs, axis=None) -> log(sum(exp(x) for x in xs)), without overflow.  Gradient: softmax(xs).

    An ndarray or a DualArray is reduced along `axis` (all of it by default).

    >>> round(dd.logsumexp([1.0, 2.0, 3.0]), 12)
    3.407605964444
    """),
)

#: The public functions, in the table's order.
FUNCTIONS = tuple(e for e in ENTRIES if isinstance(e, Function))

#: name -> Function.
BY_NAME = {f.name: f for f in FUNCTIONS}

#: The rule table: (name, flag) in rule-id order.
RULES = tuple((e.name, e.rule) for e in ENTRIES if e.rule is not None)

#: The rules' names, in rule-id order (``dualdiff.RULE_NAMES``).
RULE_NAMES = tuple(name for name, _ in RULES)

#: Functions of one number that are the generic unary dispatch of their rule.
UNARY = tuple(f.name for f in FUNCTIONS if f.rule is not None and f.impl is None)

#: Functions every number type carries as a method.
METHODS = tuple(f.name for f in FUNCTIONS if f.method)

#: math-module spellings of NumPy-named functions.
ALIASES = {
    "asin": "arcsin", "acos": "arccos", "atan": "arctan", "atan2": "arctan2",
    "asinh": "arcsinh", "acosh": "arccosh", "atanh": "arctanh",
    "pow": "power", "fabs": "abs",
}

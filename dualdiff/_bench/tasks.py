"""The bench's tasks: each function written once, its exact derivative beside it.

A task's ``make(m)`` builds its function from a namespace ``m`` of elementary
functions (``m.sin``, ``m.sigmoid``, ...), so the same code runs on floats
(``math``), dual numbers (``dualdiff``), complex numbers (``cmath``), and the
peers' types; it returns None where ``m`` lacks a function the task needs.
``exact(e, x)`` is the closed-form derivative, written with a namespace ``e``
of ``math`` or ``mpmath`` functions: at 50 digits with mpmath it is the
oracle.  Rosenbrock's derivatives are exact in rational arithmetic.
"""

import cmath
import math
import operator
from dataclasses import dataclass
from fractions import Fraction
from types import SimpleNamespace

import numpy as np

_ELEMENTARY = ("sin", "cos", "exp", "log", "log1p", "sqrt", "tanh")


@dataclass(frozen=True)
class Task:
    name: str
    kind: str       # "derivative", "second", "gradient" or "hessian"
    text: str       # the function, as the table prints it
    make: object    # make(namespace) -> f, or None
    x: object       # the point: a float, or a list of floats
    exact: object   # exact(e, x): the derivative in namespace e (rosenbrock: exact(x))


# ---------------------------------------------------------------------------
# Namespaces of elementary functions
# ---------------------------------------------------------------------------

def float_namespace(dd):
    """math's functions on floats; math has no activations, so dualdiff's (on floats)."""
    names = {k: getattr(math, k) for k in _ELEMENTARY}
    return SimpleNamespace(**names, sigmoid=dd.sigmoid, relu=dd.relu,
                           softplus=dd.softplus, gelu=dd.gelu)


def numpy_namespace(dd):
    """NumPy's functions (nan, not an error, outside the domain), dualdiff's activations."""
    names = {k: getattr(np, k) for k in _ELEMENTARY}
    return SimpleNamespace(**names, sigmoid=dd.sigmoid, relu=dd.relu,
                           softplus=dd.softplus, gelu=dd.gelu)


def complex_namespace():
    """cmath's functions, for the complex step; cmath has no erf, so no gelu."""
    exp, log = cmath.exp, cmath.log
    names = {k: getattr(cmath, k) for k in _ELEMENTARY if k != "log1p"}
    # log(1 + z) is fine here: only the imaginary part, arg(1 + z), is used
    return SimpleNamespace(**names, log1p=lambda z: log(1 + z),
                           sigmoid=lambda z: 1 / (1 + exp(-z)),
                           relu=lambda z: z if z.real > 0 else 0 * z,
                           softplus=lambda z: log(1 + exp(z)), gelu=None)


def method_namespace():
    """num-dual's and fastdual's numbers carry methods (x.sin()); they have no erf, so no gelu."""
    names = {k: operator.methodcaller(k) for k in _ELEMENTARY}
    return SimpleNamespace(**names, sigmoid=lambda x: 1 / (1 + (-x).exp()),
                           relu=lambda x: x if x > 0 else 0 * x,
                           softplus=lambda x: x.exp().log1p(), gelu=None)


def jax_namespace(jax):
    jnp, nn = jax.numpy, jax.nn
    names = {k: getattr(jnp, k) for k in _ELEMENTARY}
    return SimpleNamespace(**names, sigmoid=nn.sigmoid, relu=nn.relu, softplus=nn.softplus,
                           gelu=lambda x: nn.gelu(x, approximate=False))


def torch_namespace(torch):
    fn = torch.nn.functional
    names = {k: getattr(torch, k) for k in _ELEMENTARY}
    return SimpleNamespace(**names, sigmoid=torch.sigmoid, relu=torch.relu,
                           softplus=fn.softplus, gelu=fn.gelu)


def exact_namespace(mp=None):
    """The functions the closed forms use: mpmath's when given, else math's."""
    lib = mp if mp is not None else math
    return SimpleNamespace(**{k: getattr(lib, k) for k in _ELEMENTARY + ("erf", "pi")})


# ---------------------------------------------------------------------------
# The functions and their closed-form derivatives
# ---------------------------------------------------------------------------

def poly(x):
    """The seed polynomial; the same code runs on floats and on any dual type."""
    return x**3 + 2*x**2 - x + 1


def _poly(m):
    return poly


def _rules(m):
    sin, exp, log = m.sin, m.exp, m.log
    return lambda x: x * exp(x) + x / (x + 1) + sin(x * x) + log(x * x + 1)


def _rules_d1(e, x):
    return e.exp(x) * (1 + x) + 1 / (x + 1)**2 + 2 * x * e.cos(x * x) + 2 * x / (x * x + 1)


def _g(m):
    sin, exp, log1p, sqrt, tanh = m.sin, m.exp, m.log1p, m.sqrt, m.tanh

    def g(x):
        return sin(x) * exp(x) / (1 + x * x) + log1p(x * x) + sqrt(x) + tanh(x)
    return g


def _g_d1(e, x):
    v = 1 / (1 + x * x)
    u, du = e.sin(x) * e.exp(x), e.exp(x) * (e.sin(x) + e.cos(x))
    t = e.tanh(x)
    return du * v - 2 * x * u * v * v + 2 * x * v + 1 / (2 * e.sqrt(x)) + (1 - t * t)


def _g_d2(e, x):
    v = 1 / (1 + x * x)
    dv, d2v = -2 * x * v * v, (6 * x * x - 2) * v**3
    u, du, d2u = (e.sin(x) * e.exp(x), e.exp(x) * (e.sin(x) + e.cos(x)),
                  2 * e.exp(x) * e.cos(x))
    t = e.tanh(x)
    return (d2u * v + 2 * du * dv + u * d2v + (2 - 2 * x * x) * v * v
            - 1 / (4 * x * e.sqrt(x)) - 2 * t * (1 - t * t))


def _unary(name):
    return lambda m: getattr(m, name)


def _sigmoid(e, x):
    return 1 / (1 + e.exp(-x))


ACTIVATION_D1 = {
    "sigmoid": lambda e, x: _sigmoid(e, x) * _sigmoid(e, -x),
    "tanh": lambda e, x: 1 - e.tanh(x)**2,
    "softplus": _sigmoid,
    "gelu": lambda e, x: ((1 + e.erf(x / e.sqrt(2))) / 2
                          + x * e.exp(-x * x / 2) / e.sqrt(2 * e.pi)),
    "relu": lambda e, x: 1 if x > 0 else 0,
}


def rosen(x):
    """Rosenbrock as a Python loop: the same code runs on every number type."""
    s = 0.0
    for i in range(len(x) - 1):
        s += 100 * (x[i + 1] - x[i]**2)**2 + (1 - x[i])**2
    return s


def rosen_point(n):
    """x_i = 0.2 + 1.2 frac(i / golden ratio): irregular, away from the minimum at 1."""
    return [0.2 + 1.2 * ((i * 0.6180339887498949) % 1.0) for i in range(n)]


def rosen_direction(n):
    """The direction of the hvp tasks: v_i = frac(i * 0.7548776662466927) - 0.5, in [-0.5, 0.5)."""
    return [((i * 0.7548776662466927) % 1.0) - 0.5 for i in range(n)]


def rosen_hvp(x, v):
    """H(x) v exactly, H tridiagonal: rows i and i+1 of each term's 2x2 block."""
    q = [Fraction(a) for a in x]
    w = [Fraction(b) for b in v]
    r = [Fraction(0)] * len(q)
    for i in range(len(q) - 1):
        r[i] += (1200 * q[i] ** 2 - 400 * q[i + 1] + 2) * w[i] - 400 * q[i] * w[i + 1]
        r[i + 1] += 200 * w[i + 1] - 400 * q[i] * w[i]
    return r


def rosen_gradient(x):
    q = [Fraction(v) for v in x]
    g = [Fraction(0)] * len(q)
    for i in range(len(q) - 1):
        d = q[i + 1] - q[i]**2
        g[i] += -400 * q[i] * d - 2 * (1 - q[i])
        g[i + 1] += 200 * d
    return g


def rosen_hessian(x):
    q = [Fraction(v) for v in x]
    n = len(q)
    h = [[Fraction(0)] * n for _ in range(n)]
    for i in range(n - 1):
        h[i][i] += 1200 * q[i]**2 - 400 * q[i + 1] + 2
        h[i + 1][i + 1] += 200
        h[i][i + 1] = h[i + 1][i] = -400 * q[i]
    return h


G_TEXT = "g(x) = sin(x)*exp(x)/(1+x**2) + log1p(x**2) + sqrt(x) + tanh(x)"
ROSEN_TEXT = "rosen(x) = sum(100*(x[i+1]-x[i]**2)**2 + (1-x[i])**2), a Python loop"

TASKS = (
    Task("poly", "derivative", "x**3 + 2*x**2 - x + 1 (the seed's polynomial)", _poly, 2.0,
         lambda e, x: 3 * x * x + 4 * x - 1),
    Task("poly-second", "second", "x**3 + 2*x**2 - x + 1 (the seed's polynomial)", _poly, 2.0,
         lambda e, x: 6 * x + 4),
    Task("rules", "derivative", "x*exp(x) + x/(x+1) + sin(x*x) + log(x*x+1) "
         "(the seed's product, quotient and chain-rule examples)", _rules, 0.8, _rules_d1),
    Task("g", "derivative", G_TEXT, _g, 0.7, _g_d1),
    Task("g-second", "second", G_TEXT, _g, 0.7, _g_d2),
    *(Task(a, "derivative", f"{a}(x)", _unary(a), 0.5, d1) for a, d1 in ACTIVATION_D1.items()),
    *(Task(f"rosenbrock-gradient-{n}", "gradient", ROSEN_TEXT, lambda m: rosen,
           rosen_point(n), rosen_gradient) for n in (10, 100)),
    Task("rosenbrock-hessian-10", "hessian", ROSEN_TEXT, lambda m: rosen, rosen_point(10),
         rosen_hessian),
)

TASK_NAMES = tuple(t.name for t in TASKS)
TASKS_BY_NAME = {t.name: t for t in TASKS}

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
    sin, exp, log, sqrt, tanh = m.sin, m.exp, m.log, m.sqrt, m.tanh

    def g(x):
        return sin(x)*exp(x)/(1+x*x) + log(1+x*x) + sqrt(x) + tanh(x)
    return g


def g_method_form(x):
    """g in the method style of num-dual's and fastdual's numbers (x.sin(), ...)."""
    return x.sin()*x.exp()/(1+x*x) + (1+x*x).log() + x.sqrt() + x.tanh()


def g_d1(e, x):
    v = 1 / (1 + x * x)
    u, du = e.sin(x) * e.exp(x), e.exp(x) * (e.sin(x) + e.cos(x))
    t = e.tanh(x)
    return du * v - 2 * x * u * v * v + 2 * x * v + 1 / (2 * e.sqrt(x)) + (1 - t * t)


def g_d2(e, x):
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


#: g as the README's performance table and bench_scalar.py have it: log(1+x*x), not log1p
G_TEXT = "g(x) = sin(x)*exp(x)/(1+x*x) + log(1+x*x) + sqrt(x) + tanh(x)"
ROSEN_TEXT = "rosen(x) = sum(100*(x[i+1]-x[i]**2)**2 + (1-x[i])**2), a Python loop"

TASKS = (
    Task("poly", "derivative", "x**3 + 2*x**2 - x + 1 (the seed's polynomial)", _poly, 2.0,
         lambda e, x: 3 * x * x + 4 * x - 1),
    Task("poly-second", "second", "x**3 + 2*x**2 - x + 1 (the seed's polynomial)", _poly, 2.0,
         lambda e, x: 6 * x + 4),
    Task("rules", "derivative", "x*exp(x) + x/(x+1) + sin(x*x) + log(x*x+1) "
         "(the seed's product, quotient and chain-rule examples)", _rules, 0.8, _rules_d1),
    Task("g", "derivative", G_TEXT, _g, 0.7, g_d1),
    Task("g-second", "second", G_TEXT, _g, 0.7, g_d2),
    *(Task(a, "derivative", f"{a}(x)", _unary(a), 0.5, d1) for a, d1 in ACTIVATION_D1.items()),
    *(Task(f"rosenbrock-gradient-{n}", "gradient", ROSEN_TEXT, lambda m: rosen,
           rosen_point(n), rosen_gradient) for n in (10, 100)),
    Task("rosenbrock-hessian-10", "hessian", ROSEN_TEXT, lambda m: rosen, rosen_point(10),
         rosen_hessian),
)

TASK_NAMES = tuple(t.name for t in TASKS)
TASKS_BY_NAME = {t.name: t for t in TASKS}


# ---------------------------------------------------------------------------
# Array tasks (bench_arrays.py, bench_values.py): NumPy forms on float64 arrays
# ---------------------------------------------------------------------------

#: g on arrays keeps log1p(x**2), as the README's arrays table was measured
ARRAY_G_TEXT = "sin(x)*exp(x)/(1+x**2) + log1p(x**2) + sqrt(x) + tanh(x)"
ARRAY_GP_TEXT = ("e*(s+c)/q - 2*x*s*e/q**2 + 2*x/q + 0.5/sqrt(x) + 1/cosh(x)**2, "
                 "s = sin x, c = cos x, e = exp x, q = 1+x**2")
LEAKY_ALPHA = 0.01   # dualdiff's default, and jax's and torch's default slope
SQRT2 = math.sqrt(2.0)
GELU_K = math.sqrt(2.0 / math.pi)
SQRT1_2 = math.sqrt(0.5)


def array_g(m):
    """g with the elementwise functions of module m (numpy, jax.numpy, torch)."""
    sin, exp, log1p, sqrt, tanh = m.sin, m.exp, m.log1p, m.sqrt, m.tanh

    def g(x):
        return sin(x)*exp(x)/(1+x**2) + log1p(x**2) + sqrt(x) + tanh(x)
    return g


def array_g_prime(x):
    """g'(x), derived by hand, in NumPy.

    g = u/q + log1p(x^2) + sqrt(x) + tanh(x), u = sin x exp x, q = 1 + x^2:
    (u/q)' = e(s + c)/q - u 2x/q^2, (log1p(x^2))' = 2x/q, sqrt' = 1/(2 sqrt x),
    tanh' = 1/cosh^2.
    """
    s, c, e = np.sin(x), np.cos(x), np.exp(x)
    q = 1 + x**2
    return e*(s + c)/q - 2*x*s*e/q**2 + 2*x/q + 0.5/np.sqrt(x) + 1/np.cosh(x)**2


def _scipy_special():
    try:
        import scipy.special
        return scipy.special
    except Exception:
        return None


SPECIAL = _scipy_special()


def _np_gelu(x):
    return 0.5*x*(1 + SPECIAL.erf(x*SQRT1_2))


#: the activations alone on arrays: the NumPy form (the baseline) and its text,
#: dualdiff's function, whether dualdiff takes the NumPy form itself, the JAX
#: (jax -> f) and PyTorch (torch -> f) forms
ARRAY_ACTIVATIONS = {
    "sigmoid": dict(
        numpy=lambda x: 1/(1 + np.exp(-x)), text="1/(1+exp(-x))", dd="sigmoid",
        dd_takes_numpy=True, jax=lambda jax: jax.nn.sigmoid, jax_text="jax.nn.sigmoid",
        torch=lambda torch: torch.sigmoid, torch_text="torch.sigmoid"),
    "relu": dict(
        numpy=lambda x: np.maximum(x, 0.0), text="maximum(x, 0)", dd="relu",
        dd_takes_numpy=True, jax=lambda jax: jax.nn.relu, jax_text="jax.nn.relu",
        torch=lambda torch: torch.relu, torch_text="torch.relu"),
    "leaky_relu": dict(
        numpy=lambda x: np.where(x > 0, x, LEAKY_ALPHA*x),
        text=f"where(x > 0, x, {LEAKY_ALPHA}*x)", dd="leaky_relu", dd_takes_numpy=True,
        jax=lambda jax: (lambda x: jax.nn.leaky_relu(x, LEAKY_ALPHA)),
        jax_text=f"jax.nn.leaky_relu(x, {LEAKY_ALPHA})",
        torch=lambda torch: (lambda x: torch.nn.functional.leaky_relu(x, LEAKY_ALPHA)),
        torch_text=f"F.leaky_relu(x, {LEAKY_ALPHA})"),
    "gelu": dict(
        numpy=_np_gelu if SPECIAL is not None else None,
        text="0.5*x*(1+scipy.special.erf(x/sqrt(2)))", dd="gelu", dd_takes_numpy=False,
        jax=lambda jax: (lambda x: jax.nn.gelu(x, approximate=False)),
        jax_text="jax.nn.gelu(x, approximate=False)",
        torch=lambda torch: torch.nn.functional.gelu, torch_text="F.gelu"),
    "softplus": dict(
        # the stable form; np.logaddexp(0, x) is as accurate but about 2.5x slower
        numpy=lambda x: np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))),
        text="maximum(x, 0) + log1p(exp(-|x|))", dd="softplus", dd_takes_numpy=True,
        jax=lambda jax: jax.nn.softplus, jax_text="jax.nn.softplus",
        torch=lambda torch: torch.nn.functional.softplus, torch_text="F.softplus"),
    "tanh": dict(
        numpy=np.tanh, text="tanh(x)", dd="tanh", dd_takes_numpy=True,
        jax=lambda jax: jax.numpy.tanh, jax_text="jnp.tanh",
        torch=lambda torch: torch.tanh, torch_text="torch.tanh"),
}

#: the activations' exact derivatives, leaky_relu's included (namespace e, point x)
ARRAY_ACTIVATION_D1 = {**ACTIVATION_D1,
                       "leaky_relu": lambda e, x: 1 if x > 0 else LEAKY_ALPHA}

#: bench_values.py: task -> (the NumPy expression's text, its statement, needs
#: scipy, dualdiff's statement), each against dualdiff's own function on values
VALUE_TASKS = {
    "sigmoid": ("1/(1+np.exp(-x))", "1/(1+np.exp(-x))", False, "dd.sigmoid(x)"),
    "softplus": ("np.logaddexp(0, x)", "np.logaddexp(0, x)", False, "dd.softplus(x)"),
    "relu": ("np.maximum(x, 0)", "np.maximum(x, 0)", False, "dd.relu(x)"),
    # max(x, a x) is leaky_relu for 0 < a < 1, and NumPy's fastest form of it
    # (np.where(x > 0, x, a*x) took 10x longer here: a bool temporary and a gather)
    "leaky_relu": ("np.maximum(x, a*x)", "np.maximum(x, a*x)", False, "dd.leaky_relu(x, a)"),
    "gelu": ("x*0.5*erfc(-x/sqrt2)  (scipy)", "x*0.5*erfc(-x/SQRT2)", True, "dd.gelu(x)"),
    "gelu_tanh": ("0.5*x*(1+np.tanh(k*(x+0.044715*x*x*x)))",
                  "0.5*x*(1+np.tanh(K*(x+0.044715*(x*x*x))))", False,
                  "dd.gelu(x, approximate=True)"),
    "erf": ("scipy.special.erf(x)", "erf(x)", True, "dd.erf(x)"),
    "erfc": ("scipy.special.erfc(x)", "erfc(x)", True, "dd.erfc(x)"),
}


def value_function(dd, task):
    """The scalar dualdiff function of a values task, on one float."""
    if task == "leaky_relu":
        return lambda v: dd.leaky_relu(v, LEAKY_ALPHA)
    if task == "gelu_tanh":
        return lambda v: dd.gelu(v, approximate=True)
    return getattr(dd, task)


# ---------------------------------------------------------------------------
# bench_vectorized.py: gradients, Jacobians and Hessians of NumPy code, sparse
# against vectorized=True; f in each library's form, its hand-written derivative
# ---------------------------------------------------------------------------

#: (kind, n)
VECTOR_TASKS = [("lse", 10), ("lse", 100), ("lse", 1000), ("rosen", 10), ("rosen", 100),
                ("rosen", 1000), ("tanh-mlp", 10), ("tanh-mlp", 100),
                ("lse-hessian", 10), ("lse-hessian", 30), ("lse-hessian", 100)]


def vector_f(kind, A, sum_, tanh, logsumexp):
    """f of the task, written with one library's functions (and A in its array type)."""
    if kind == "lse":
        return lambda x: logsumexp(A @ x)
    if kind == "rosen":
        return lambda x: sum_(100*(x[1:] - x[:-1]**2)**2 + (1 - x[:-1])**2)
    if kind == "lse-hessian":
        return lambda x: logsumexp(A @ x)
    return lambda x: tanh(A @ x)


def hand_lse(x, A):   # A.T @ softmax(A x)
    z = A @ x
    p = np.exp(z - z.max())
    return A.T @ (p / p.sum())


def hand_rosen(x, A):
    d = x[1:] - x[:-1]**2
    g = np.zeros_like(x)
    g[:-1] = -400*x[:-1]*d - 2*(1 - x[:-1])
    g[1:] += 200*d
    return g


def hand_tanh_mlp(x, A):   # diag(1 - tanh(A x)**2) A
    return (1 - np.tanh(A @ x)**2)[:, None] * A


def hand_lse_hessian(x, A):   # A.T (diag(p) - p p^T) A
    z = A @ x
    p = np.exp(z - z.max())
    p = p / p.sum()
    return A.T @ ((np.diag(p) - np.outer(p, p)) @ A)


VECTOR_HAND = {"lse": ("A.T @ softmax(A @ x)", hand_lse),
               "rosen": ("Rosenbrock gradient", hand_rosen),
               "tanh-mlp": ("(1 - tanh(W @ x)**2)[:, None] * W", hand_tanh_mlp),
               "lse-hessian": ("A.T @ (diag(p) - p p^T) @ A", hand_lse_hessian)}
VECTOR_TITLES = {"lse": "gradient of dd.logsumexp(A @ x), A ({n}, {n})",
                 "rosen": "gradient of np.sum(100*(x[1:]-x[:-1]**2)**2 + (1-x[:-1])**2)",
                 "tanh-mlp": "Jacobian of np.tanh(W @ x), W ({n}, {n})",
                 "lse-hessian": "Hessian of dd.logsumexp(A @ x), A ({n}, {n})"}

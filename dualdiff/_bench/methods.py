"""The methods each task compares: dualdiff, finite differences, the complex step, the peers.

A method is a statement to time (``derivative(f, x)``), the names it uses,
and how to read the derivative from its result.  The peers (fastdual,
num-dual, JAX, PyTorch, numdifftools: ``peers.REGISTRY``) are imported lazily
and only when installed; dualdiff itself needs nothing but NumPy.
"""

import numpy as np

from dualdiff import finite
from dualdiff._bench import tasks as T
from dualdiff._bench.peers import PEERS, find_peers  # noqa: F401  (the suite's peer list)
from dualdiff._bench.timing import Timed

#: the rows that are dualdiff's exact derivatives
DUALDIFF_KEYS = ("dual", "hyper-dual", "one-pass")


class NotApplicable(Exception):
    """A peer that cannot express the task (num-dual has no erf)."""


class Method(Timed):
    def __init__(self, key, label, stmt, names, read=float):
        super().__init__(label, stmt, names, "method", key)
        self.key = key          # the JSON key and the plot's legend
        self.read = read        # result -> the derivative (float or ndarray)
        self.error = self.ratio = self.time_s = None


def complex_step_gradient(f, x, h=1e-20):
    """The gradient by n complex steps, one per component (f takes a list)."""
    out = np.empty(len(x))
    for i in range(len(x)):
        z = list(x)
        z[i] = complex(x[i], h)
        out[i] = f(z).imag / h
    return out


def _on_list(f):
    # f is timed on a list of Python floats (the baseline), so the finite
    # differences, which hand f a float64 ndarray, hand it the same list
    return lambda a: f(a.tolist())


def _first(x, f_float, f_dd, f_c, dd, notes):
    fd = dict(f=f_float, x=x)
    out = [Method("dual", "dual: derivative(f, x)", "derivative(f, x)",
                  dict(derivative=dd.derivative, f=f_dd, x=x)),
           Method("forward FD", "forward FD: forward_difference(f, x)",
                  "forward_difference(f, x)",
                  dict(fd, forward_difference=finite.forward_difference)),
           Method("central FD", "central FD: central_difference(f, x)",
                  "central_difference(f, x)",
                  dict(fd, central_difference=finite.central_difference)),
           Method("4th-order FD", "4th-order FD: central_difference(f, x, accuracy=4)",
                  "central_difference(f, x, accuracy=4)",
                  dict(fd, central_difference=finite.central_difference))]
    if f_c is None:
        notes.append("complex step: n/a (cmath has no complex erf)")
    else:
        out.append(Method("complex step", "complex step: complex_step(f, x)",
                          "complex_step(f, x)",
                          dict(complex_step=finite.complex_step, f=f_c, x=x)))
    return out


def _second(x, f_float, f_dd, f_c, dd, notes):
    return [Method("hyper-dual", "hyper-dual: second_derivative(f, x)",
                   "second_derivative(f, x)",
                   dict(second_derivative=dd.second_derivative, f=f_dd, x=x)),
            Method("central FD", "central FD: second_difference(f, x)",
                   "second_difference(f, x)",
                   dict(f=f_float, x=x, second_difference=finite.second_difference))]


def _gradient(x, f_float, f_dd, f_c, dd, notes):
    fl, xa = _on_list(f_float), np.array(x)
    # the point as an ndarray, as optimisers pass it (f itself indexes it)
    return [Method("one-pass", "one-pass: gradient(f, x)", "gradient(f, x)",
                   dict(gradient=dd.gradient, f=f_dd, x=xa), read=np.asarray),
            Method("forward FD", "forward FD: fd_gradient(f, x, method='forward')",
                   "fd_gradient(f, x, method='forward')",
                   dict(fd_gradient=finite.fd_gradient, f=fl, x=xa), read=np.asarray),
            Method("central FD", "central FD: fd_gradient(f, x)", "fd_gradient(f, x)",
                   dict(fd_gradient=finite.fd_gradient, f=fl, x=xa), read=np.asarray),
            Method("complex step", "complex step: n complex steps",
                   "complex_step_gradient(f, x)",
                   dict(complex_step_gradient=complex_step_gradient, f=f_float, x=x),
                   read=np.asarray)]


def _hessian(x, f_float, f_dd, f_c, dd, notes):
    return [Method("one-pass", "one-pass: hessian(f, x)", "hessian(f, x)",
                   dict(hessian=dd.hessian, f=f_dd, x=np.array(x)), read=np.asarray),
            Method("central FD", "central FD: fd_hessian(f, x)", "fd_hessian(f, x)",
                   dict(fd_hessian=finite.fd_hessian, f=_on_list(f_float), x=np.array(x)),
                   read=np.asarray)]


_BY_KIND = {"derivative": _first, "second": _second, "gradient": _gradient,
            "hessian": _hessian}


def build(task, dd, peers):
    """The baseline and the methods for `task`, and notes on those left out."""
    notes = []
    f_float = task.make(T.float_namespace(dd))
    base = Method("f (float)", "f(x) on floats  [baseline]", "f(x)",
                  {"f": f_float, "x": task.x}, read=lambda r: r)
    out = _BY_KIND[task.kind](task.x, f_float, task.make(dd),
                              task.make(T.complex_namespace()), dd, notes)
    for name, (mod, _) in peers.items():
        if mod is None:
            continue
        try:
            out += PEER_BUILDERS[name](mod, task, dd)
        except NotApplicable as exc:
            notes.append(f"{name}: n/a ({exc})")
        except Exception as exc:  # a peer that cannot do the task is left out, and said so
            notes.append(f"{name}: left out ({type(exc).__name__}: {exc})")
    return base, out, notes


# ---------------------------------------------------------------------------
# The peers
# ---------------------------------------------------------------------------

def _num_dual(nd, task, dd):
    f = task.make(T.method_namespace())
    if f is None:
        raise NotApplicable("num-dual has no erf")
    call, index, read = {"derivative": ("first_derivative", 1, float),
                         "second": ("second_derivative", 2, float),
                         "gradient": ("gradient", 1, np.asarray),
                         "hessian": ("hessian", 2, np.asarray)}[task.kind]
    return [Method("num-dual", f"num-dual: {call}(f, x)", f"{call}(f, x)",
                   {call: getattr(nd, call), "f": f, "x": task.x},
                   read=lambda r: read(r[index]))]


def _fastdual(fd, task, dd):
    f = task.make(T.method_namespace())
    if f is None:
        raise NotApplicable("fastdual has no erf")
    if task.kind == "derivative":
        stmt, label, read = "f(_xd := Dual(x)).der(_xd)", "f(xd := Dual(x)).der(xd)", float
    elif task.kind == "second":
        stmt = label = "f(HyperDual(x, 1.0, 1.0, 0.0)).f12"
        read = float
    elif task.kind == "gradient":
        stmt, label = "jac([f(_xs := DualArray(x))], _xs)", "jac([f(xs := DualArray(x))], xs)"
        read = np.ravel
    else:
        stmt = label = "autohess(lambda *a: f(a))(*x)"
        read = lambda r: np.asarray(r[1])  # noqa: E731
    names = {"Dual": fd.Dual, "HyperDual": fd.HyperDual, "DualArray": fd.DualArray,
             "jac": fd.jac, "autohess": fd.autohess, "f": f, "x": task.x}
    return [Method("fastdual", f"fastdual: {label}", stmt, names, read=read)]


def _numdifftools(ndt, task, dd):
    if task.kind in ("derivative", "second"):
        n = 1 if task.kind == "derivative" else 2
        # its first steps are large (g at 0.7 meets sqrt(-0.3)): NumPy's nan, not
        # math's ValueError, lets it discard them
        op, x = ndt.Derivative(task.make(T.numpy_namespace(dd)), n=n), task.x
        label = f"numdifftools: Derivative(f, n={n})(x)"
    else:
        cls = ndt.Gradient if task.kind == "gradient" else ndt.Hessian
        op, x = cls(T.rosen), np.array(task.x)
        label = f"numdifftools: {cls.__name__}(f)(x)"
    return [Method("numdifftools", label, "op(x)", {"op": op, "x": x}, read=np.asarray)]


def _autodiff(name, lib, task, fn, arg, to_numpy):
    """Rows for a functional AD library: fn is its grad / hessian; arg converts x."""
    f = task.make(T.jax_namespace(lib) if name == "JAX" else T.torch_namespace(lib))
    if task.kind == "second":
        op, call = fn["grad"](fn["grad"](f)), "grad(grad(f))"
    elif task.kind == "hessian":
        op, call = fn["hessian"](f), "hessian(f)"
    else:
        op, call = fn["grad"](f), "grad(f)"
    x = arg(task.x)
    rows = [(name, f"{name}: {call}(x)", op)]
    if name == "JAX":
        rows.append(("JAX jit", f"JAX: jit({call})(x)", lib.jit(op)))
    # JAX returns before it has computed: wait for the result inside the timing
    stmt = "op(x).block_until_ready()" if name == "JAX" else "op(x)"
    return [Method(key, label, stmt, {"op": o, "x": x}, read=to_numpy)
            for key, label, o in rows]


def _jax(jax, task, dd):
    x64 = jax.numpy.float64
    return _autodiff("JAX", jax, task, {"grad": jax.grad, "hessian": jax.hessian},
                     lambda x: jax.numpy.asarray(x, dtype=x64), np.asarray)


def _torch(torch, task, dd):
    return _autodiff("PyTorch", torch, task,
                     {"grad": torch.func.grad, "hessian": torch.func.hessian},
                     lambda x: torch.tensor(x, dtype=torch.float64),
                     lambda r: r.detach().numpy())


PEER_BUILDERS = {"fastdual": _fastdual, "num-dual": _num_dual, "numdifftools": _numdifftools, "JAX": _jax,
                 "PyTorch": _torch}

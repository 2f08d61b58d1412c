"""The multilinear NumPy functions over the dualdiff arrays: matmul, dot,
norm, einsum.  Each tangent row of a multilinear function is a sum of the
function with operands replaced by their rows; the shape's algebra
(_bilinear, _multilinear_rows) says which sums."""

import string

import numpy as np

from dualdiff.arrays.base import not_elementwise
from dualdiff.arrays.functions import _lead, _no_extras, _operand_error, _values


def _matmul(x, y, out=None, **kwargs):
    _no_extras("matmul", out=out, **kwargs)
    like = _lead([x, y])
    if like._seed:
        raise not_elementwise("numpy.matmul (@)")
    lx, ly = like._lift(x), like._lift(y)
    if lx is None or ly is None:
        return NotImplemented
    (xr, tx), (yr, ty) = lx, ly
    xr, yr = np.asarray(xr, dtype=np.float64), np.asarray(yr, dtype=np.float64)
    if xr.ndim == 0 or yr.ndim == 0:
        raise ValueError("matmul: an operand is 0-d (use *)")
    squeeze = []
    if xr.ndim == 1:   # a row vector, and its rows (k, n) -> (k, 1, n)
        xr = xr[None, :]
        tx = None if tx is None else tx[:, None, :]
        squeeze.append(-2)
    if yr.ndim == 1:   # a column vector, and its rows (k, n) -> (k, n, 1)
        yr = yr[:, None]
        ty = None if ty is None else ty[..., None]
        squeeze.append(-1)

    def op(a, b):
        # k stacked vectors against one matrix: one matrix product, not k
        # (each rereading the matrix)
        if a.ndim == 2 and b.ndim == 3 and b.shape[-1] == 1:
            return np.matmul(a, b[..., 0].T).T[..., None]
        if b.ndim == 2 and a.ndim == 3 and a.shape[-2] == 1:
            return np.matmul(a[:, 0, :], b)[:, None, :]
        return np.matmul(a, b)

    value, t = like._bilinear(op, (xr, tx), (yr, ty))
    for ax in squeeze:
        value = np.squeeze(value, ax)
        t = np.squeeze(t, ax)
    if value.ndim + 1 != t.ndim:   # rows broadcast against stacked matrices
        t = like._rows_for(t, value.shape)
    return like._element(value, t)


def _dot(x, y, out=None):
    _no_extras("dot", out=out)
    nx, ny = np.ndim(_values(x)), np.ndim(_values(y))
    if nx == 0 or ny == 0:
        return x * y
    if nx > 2 or ny > 2:
        raise TypeError("numpy.dot of arrays with more than 2 dimensions is not supported "
                        "for dualdiff arrays; use matmul or einsum-free reshapes")
    return _matmul(x, y)


def _norm(x, ord=None, axis=None, keepdims=False):
    if ord not in (None, 2, "fro") or (ord == 2 and (axis is None and x.ndim > 1
                                                      or isinstance(axis, tuple))):
        raise TypeError(f"numpy.linalg.norm with ord={ord!r} is not supported for dualdiff "
                        "arrays (only the 2-norm of vectors and the Frobenius norm)")
    return np.sqrt((x * x).sum(axis=axis, keepdims=keepdims))


def _einsum_output(inputs):
    """The output subscripts of implicit-mode einsum: the letters used once, sorted."""
    letters = [c for c in inputs if c.isalpha()]
    out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return ("..." if "..." in inputs else "") + out


def _einsum(*operands, out=None, optimize=False, **kwargs):
    """numpy.einsum(subscripts, *operands): a multilinear function, so each
    tangent row is the sum of the einsums with one operand replaced by its
    row (and, for second order, two operands by their first-order rows)."""
    _no_extras("einsum", out=out, **kwargs)
    subscripts, operands = operands[0], operands[1:]
    if not isinstance(subscripts, str):
        raise TypeError("numpy.einsum with dualdiff arrays takes its subscripts as a string "
                        "(np.einsum('ij,j->i', a, x)), not the interleaved form")
    like = _lead(operands)
    subs = subscripts.replace(" ", "")
    inputs, arrow, output = subs.partition("->")
    if not arrow:
        output = _einsum_output(inputs)
    specs = inputs.split(",")
    if len(specs) != len(operands):
        raise ValueError("numpy.einsum: as many operands as subscripts are needed")
    parts = []
    for o in operands:
        lifted = like._lift(o)
        if lifted is None:
            raise _operand_error("numpy.einsum", like, o)
        parts.append((np.asarray(lifted[0], dtype=np.float64), lifted[1]))
    values = [p[0] for p in parts]
    free = [c for c in string.ascii_letters if c not in subs]

    def term(replaced):
        """The einsum with operand i replaced by array r (with leading axes
        labelled `lead`) for each i: (r, lead) in replaced."""
        ins, arrays, lead_out = [], [], ""
        for i, spec in enumerate(specs):
            if i in replaced:
                r, lead = replaced[i]
                ins.append(lead + spec)
                arrays.append(r)
                lead_out += lead
            else:
                ins.append(spec)
                arrays.append(values[i])
        lead_out = "".join(sorted(lead_out, key=free.index))
        return np.einsum(",".join(ins) + "->" + lead_out + output, *arrays, optimize=optimize)

    value = np.einsum(subs if arrow else inputs + "->" + output, *values, optimize=optimize)
    tangents = {i: p[1] for i, p in enumerate(parts) if p[1] is not None}
    rows = like._multilinear_rows(term, tangents, free[0], free[1], value.shape)
    return like._element(value, np.broadcast_to(rows, (like._t.shape[0],) + value.shape))

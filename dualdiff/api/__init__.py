"""The operators: derivatives of functions of several variables, written
once over the backend interface (``dualdiff._backend``).

- ``points``: the point an operator is called at, and f's one result;
- ``multivariate``: gradient, value_and_gradient, jacobian,
  value_and_jacobian, jvp;
- ``hessian``: hessian, hvp;
- ``nested``: their way inside an enclosing derivative call;
- ``auto``: what they return without a point (vectorized="auto" timing);
- ``namespace``: each backend's public namespace, the operators bound to it.

The scalar operators (derivative, second_derivative, value_and_derivative)
are the backends' own: the hot path, compiled in the C backend.
"""

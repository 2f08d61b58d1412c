"""The documentation: every public name has a docstring whose first line is
its call signature and which carries a runnable example, and the examples
run.

Each backend's examples run against that backend's objects: an example's
``import dualdiff as dd`` is dropped and ``dd`` is the backend's namespace,
so the pure-Python run checks pure Python even where the compiled core
loads.  Compiled functions are not found by ``doctest.DocTestFinder`` (they
are "not from this module"), so the tests are built from ``__doc__``.
"""

import ast
import doctest
import inspect
import io

import numpy as np
import pytest

import dualdiff
from dualdiff import finite
from dualdiff._public import ALIASES, PUBLIC_NAMES, UNARY_FUNCTIONS, namespace

#: Every public name of a backend's namespace, with the math-module aliases
#: (the same objects as their targets, so documented under the target's name).
PUBLIC = [n for n in PUBLIC_NAMES if n != "RULE_NAMES"] + sorted(ALIASES)
CANONICAL = {n: ALIASES.get(n, n) for n in PUBLIC}
TYPES = ("Dual", "HyperDual", "GradientDual", "HessianDual", "DualArray", "HyperDualArray")
SCALAR_TYPES = TYPES[:4]
#: Methods of the scalar types that exist so that NumPy's ufuncs find them
#: (np.sin(x) calls x.sin()); the type's docstring says so, collectively.
UFUNC_METHODS = set(UNARY_FUNCTIONS) | {"log", "leaky_relu", "gelu", "arctan2", "hypot"}


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def _imports_dualdiff(node):
    if isinstance(node, ast.Import):
        return any(a.name.split(".")[0] == "dualdiff" for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "dualdiff"
    return False


def _for_backend(example):
    """The example without ``import dualdiff as dd`` (``dd`` is given); None if
    nothing is left of it.  Any other import of dualdiff is an error: it would
    test the backend `import dualdiff` loaded, not the one asked for."""
    tree = ast.parse(example.source)
    body, changed = [], False
    for node in tree.body:
        if isinstance(node, ast.Import):
            keep = [a for a in node.names if (a.name, a.asname) != ("dualdiff", "dd")]
            changed = changed or len(keep) != len(node.names)
            node.names = keep
            if not keep:
                continue
        body.append(node)
    for node in body:
        for sub in ast.walk(node):
            assert not _imports_dualdiff(sub), (
                f"an example imports dualdiff other than as `import dualdiff as dd`: "
                f"{example.source.strip()!r}")
    if not changed:
        return example
    if not body:
        assert not example.want, f"an import that prints: {example.source!r}"
        return None
    example.source = ast.unparse(ast.Module(body=body, type_ignores=[])) + "\n"
    return example


def run_examples(doc, globs, name):
    """Run the examples of `doc`: (number attempted, report of the failures)."""
    test = doctest.DocTestParser().get_doctest(doc, dict(globs), name, None, 0)
    test.examples = [e for e in map(_for_backend, test.examples) if e is not None]
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    failed, attempted = runner.run(test, out=out.write)
    return attempted, out.getvalue() if failed else ""


def _globs(dd):
    return {"dd": dd, "np": np}


def _parameters(first_line, name):
    """The parameters written in a signature line ``name(a, b=1, *, c=2) -> ...``."""
    assert first_line.startswith(name + "("), f"{name}: the first line {first_line!r} is not its signature"
    depth = 0
    for end, ch in enumerate(first_line):
        depth += ch == "("
        depth -= ch == ")"
        if ch == ")" and depth == 0:
            break
    else:
        raise AssertionError(f"unbalanced parentheses in {first_line!r}")
    params = first_line[len(name) + 1:end]
    args = ast.parse(f"def f({params}): pass").body[0].args
    assert not (args.vararg or args.kwarg), first_line
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    written = [(a.arg, False, d) for a, d in zip(positional, defaults)]
    written += [(a.arg, True, d) for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    return written


def _check_signature_line(obj, name):
    """The signature line names the parameters of `obj`, in order, with their
    kinds and defaults (a point written without a default defaults to `...`:
    called without it, the function returns the derivative function)."""
    first = obj.__doc__.splitlines()[0]
    written = _parameters(first, name)
    actual = [p for p in inspect.signature(obj).parameters.values()]
    assert [w[0] for w in written] == [p.name for p in actual], (
        f"{first!r} against the signature {inspect.signature(obj)}")
    for (pname, kwonly, default), p in zip(written, actual):
        assert kwonly == (p.kind is p.KEYWORD_ONLY), f"{name}: kind of {pname} in {first!r}"
        if default is None:
            assert p.default in (p.empty, ...), f"{name}: {pname} has a default {p.default!r}"
        else:
            value = ast.literal_eval(default)
            assert value == p.default and type(value) is type(p.default), (
                f"{name}: {pname}={ast.unparse(default)} written, {p.default!r} actual")


# ---------------------------------------------------------------------------
# Docstrings
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", PUBLIC)
def test_docstring_starts_with_the_signature_and_has_an_example(dd, name):
    doc = getattr(dd, name).__doc__
    assert doc and doc.strip(), f"{name} has no docstring"
    first = doc.splitlines()[0]
    assert first.startswith(CANONICAL[name] + "("), (
        f"{dd.backend} {name}: the first line is {first!r}, not the call signature")
    assert ">>>" in doc, f"{dd.backend} {name}: no example"


@pytest.mark.parametrize("name", sorted(set(CANONICAL.values())))
def test_signature_line_matches_the_real_signature(dd, name):
    _check_signature_line(getattr(dd, name), name)


@pytest.mark.parametrize("name", sorted(set(CANONICAL.values())))
def test_docstrings_are_the_same_on_both_backends(dd, name):
    reference = namespace("python")
    assert inspect.getdoc(getattr(dd, name)) == inspect.getdoc(getattr(reference, name)), (
        f"the {dd.backend} and pure-Python docstrings of {name} differ")


@pytest.mark.parametrize("cls", TYPES)
def test_members_of_the_types_are_documented(dd, cls):
    t = getattr(dd, cls)
    members = [n for n in dir(t) if not n.startswith("_")]
    missing = [n for n in members if not (getattr(t, n).__doc__ or "").strip()]
    if cls in SCALAR_TYPES:
        # the NumPy-dispatch methods are described once, in the type's docstring
        assert "np.sin(x)" in t.__doc__
        missing = [n for n in missing if n not in UFUNC_METHODS]
    assert not missing, f"{dd.backend} {cls}: members without a docstring: {missing}"
    for n in members:   # a method's signature line names the method (flatten is ravel)
        m = getattr(t, n)
        first = (m.__doc__ or "").split("\n")[0]
        head = first.split("(")[0]
        if callable(m) and "(" in first and head.isidentifier():
            assert head == getattr(m, "__name__", n), f"{dd.backend} {cls}.{n}: {first!r}"


def test_the_users_members_are_among_the_documented():
    # A guard on the test above: these are what the docs promise.
    expected = {"Dual": ["real", "dual"], "HyperDual": ["real", "e1", "e2", "e12"],
                "GradientDual": ["real", "partials", "gradient"],
                "HessianDual": ["real", "partials", "hessian_entries", "gradient", "hessian"],
                "DualArray": ["real", "dual", "tangents", "sum", "reshape"],
                "HyperDualArray": ["real", "e1", "e2", "e12"]}
    for backend in ("python",) + (("c",) if dualdiff.backend == "c" else ()):
        ns = namespace(backend)
        for cls, names in expected.items():
            for n in names:
                assert (getattr(getattr(ns, cls), n).__doc__ or "").strip(), f"{cls}.{n}"


# ---------------------------------------------------------------------------
# The examples run
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(set(CANONICAL.values())))
def test_examples_run(dd, name):
    obj = getattr(dd, name)
    attempted, failures = run_examples(obj.__doc__, _globs(dd), f"{dd.backend}:{name}")
    assert attempted, f"{name}: no example ran"
    assert not failures, failures


@pytest.mark.parametrize("cls", TYPES)
def test_examples_of_the_members_run(dd, cls):
    t = getattr(dd, cls)
    for n in dir(t):
        doc = getattr(t, n).__doc__ if not n.startswith("_") else None
        if doc and ">>>" in doc:
            _, failures = run_examples(doc, _globs(dd), f"{dd.backend}:{cls}.{n}")
            assert not failures, failures


def test_examples_of_the_package_docstring_run(dd):
    attempted, failures = run_examples(dualdiff.__doc__, _globs(dd), f"{dd.backend}:dualdiff")
    assert attempted, "no example ran"
    assert not failures, failures


@pytest.mark.parametrize("name", finite.__all__)
def test_finite_differences_are_documented(name):
    fn = getattr(finite, name)
    assert fn.__doc__.startswith(name + "("), fn.__doc__.splitlines()[0]
    _check_signature_line(fn, name)
    attempted, failures = run_examples(fn.__doc__, vars(finite), f"dualdiff.finite.{name}")
    assert attempted, f"{name}: no example ran"
    assert not failures, failures


def test_examples_of_the_finite_module_docstring_run():
    _, failures = run_examples(finite.__doc__, vars(finite), "dualdiff.finite")
    assert not failures, failures


# ---------------------------------------------------------------------------
# The checks themselves can fail
# ---------------------------------------------------------------------------

def test_a_wrong_example_is_reported(dd):
    doc = """sin(x) -> sine.

    >>> import dualdiff as dd
    >>> dd.sin(dd.Dual(0.0, 1.0))
    Dual(0.0, 2.0)
    """
    attempted, failures = run_examples(doc, _globs(dd), "wrong")
    assert attempted == 1
    assert "Dual(0.0, 2.0)" in failures and "Dual(0.0, 1.0)" in failures


def test_the_examples_use_the_backend_they_are_given(dd):
    doc = """>>> import numpy as np, dualdiff as dd
    >>> dd.backend == BACKEND
    True
    >>> type(dd.Dual(1.0)).__module__.startswith(MODULE)
    True
    """
    module = "dualdiff._core" if dd.backend == "c" else "dualdiff._pure"
    _, failures = run_examples(doc, dict(_globs(dd), BACKEND=dd.backend, MODULE=module), "which")
    assert not failures, failures
    with pytest.raises(AssertionError, match="other than as"):
        run_examples(">>> from dualdiff import sin\n", _globs(dd), "leak")


def test_a_wrong_signature_line_is_reported(dd):
    def f(x, base=None):
        """f(x, base=2) -> ..."""

    def g(x, *, base=None):
        """g(x, base=None) -> ..."""

    for fn in (f, g):
        with pytest.raises(AssertionError):
            _check_signature_line(fn, fn.__name__)

"""The transforms beyond ``grad``: ``vjp``, ``jvp``, ``jvp_fn``, ``hessian``, ``hvp``.

After import, each transform runs code generated for the shapes of the
arguments it is called with (compiled once per combination of shapes, kept
by ``srcxform/cache`` while everything it was made from still holds, as
``grad``'s are).  ``f`` may be a ``functools.partial``, a bound method or a
callable object (its bound arguments come first; only the primals given are
differentiated); differentiated integer arguments are promoted to float:

* ``vjp(f, *primals)`` runs the generated forward sweep once and returns
  ``(out, pullback)``; ``pullback(cotangent)`` runs only the generated
  backward sweep on the saved residuals, as often as wanted;
* ``jvp(f, primals, tangents)`` runs the forward-mode code (the tangent is
  carried along with each value);
* ``hessian(f)`` and ``hvp`` are forward-over-reverse: the forward-mode
  transform applied to the *generated source* of ``f``'s gradient.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import backends, pytrees, varargs
from .cache import bind_all, concrete, concrete_maker, specialized
from .cache import shape_of as _shape
from .cache.specialise import as_float, needs_float
from .compiler import transform
from .compiler.parse import code_signature
from .compiler.results import from_result, to_result
from .errors import TransformError
from .origins import math_located

__all__ = ["bind_all", "concrete", "hessian", "hvp", "jvp", "jvp_fn", "specialized", "vjp"]


def _bound(f: Callable[..., Any], primals: tuple
           ) -> tuple[Callable[..., Any], tuple, dict, int]:
    """``(function, arguments, keywords, offset)``: a partial, bound method or callable
    object's function with its bound arguments first; ``offset`` of the first primal."""
    from .api import unwrap
    from .bridge import rule_caller

    fn, args, kwargs = unwrap(f)
    if not callable(fn):
        raise TypeError(f"expected a function, got {type(f).__name__}")
    fn = rule_caller(fn) or fn  # a function with a rule from sx.adjoint: through its rule
    return fn, tuple(args) + tuple(primals), kwargs, len(args)


def _fixed_arity(f: Callable[..., Any], args: tuple, kwargs: dict, wrt: Any = None
                 ) -> tuple[Callable[..., Any], tuple, dict, Any]:
    """A function with ``*args``/``**kwargs`` as its twin for this call's arity, the twin's
    arguments and ``wrt`` as the twin's (``srcxform/varargs.py``; positions are kept);
    any other function as it is."""
    if not varargs.is_variadic(f):
        return f, args, kwargs, wrt
    made, values = varargs.fixed(f, args, kwargs)
    return made.fn, tuple(values), {}, None if wrt is None else made.wrt(wrt, f.__qualname__)


def _promoted(values: list[Any], positions: Any) -> list[Any]:
    """Integer arguments at ``positions`` (differentiated) promoted to float."""
    return [as_float(v) if i in positions and needs_float(v) else v for i, v in enumerate(values)]


def _as_one_array(exc: TransformError, primals: list[Any]) -> bool:
    """A container primal used whole (``np.stack(xs)``) that NumPy reads as one array: it is
    differentiated as that array, as before pytrees (``srcxform/pytrees.py``)."""
    from .cache.specialise import container_shape

    return getattr(exc, "construct", None) == "pytree argument" and all(
        type(container_shape(v)) is tuple for v in primals if pytrees.is_tree(v))


def _check_like(what: str, value: Any, like: Any) -> None:
    if isinstance(like, (tuple, list)):
        if not isinstance(value, type(like)) or len(value) != len(like):
            raise ValueError(f"the {what} must be a {type(like).__name__} of {len(like)} "
                             f"like the output")
        for v, w in zip(value, like):
            _check_like(what, v, w)
        return
    if _shape(value) != _shape(like):
        raise ValueError(f"the {what} has shape {_shape(value)}; the output has shape "
                         f"{_shape(like)}")


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., tuple]]:
    """``(f(*primals), pullback)``: ``pullback(cotangent)`` gives one gradient per primal.

    The forward sweep runs here, once; ``pullback`` runs only the backward
    sweep, any number of times.  ``cotangent`` has the output's shape (a
    tuple of them for a tuple output).  ``sx.source(pullback)`` shows both
    generated sweeps.
    """
    if not callable(f):
        raise TypeError(f"vjp expects a function, got {type(f).__name__}")
    f, args, kwargs, offset = _bound(f, primals)
    f, args, kwargs, _ = _fixed_arity(f, args, kwargs)
    names, values = bind_all(f, args, kwargs)
    wrt = tuple(range(offset, offset + len(primals)))
    if not wrt:
        raise ValueError(f"vjp of {f.__qualname__} needs at least one primal")
    if any(pytrees.is_tree(values[i]) for i in wrt):
        try:
            return pytrees.vjp(f, names, values, wrt, _promoted, _check_like)
        except TransformError as exc:
            if not _as_one_array(exc, [values[i] for i in wrt]):
                raise
    values = _promoted(values, wrt)
    try:
        made = specialized(f, "vjp", wrt, names, values)
    except TransformError:
        if concrete_maker(f) is None:
            raise
        return _vjp_by_gradient(f, wrt, values)  # generated code with tapes (loops)
    floats = [type(v) is float for v in values[offset:]]
    forward, backward, values, adopt = backends.sweeps(made.fn, made.backward, values)
    with math_located():
        value, residuals = forward(*values)
    layout = made.result_layout

    def pullback(cotangent: Any) -> tuple:
        cotangent = from_result(layout, cotangent)
        _check_like("cotangent", cotangent, value)
        return _floats(backward(residuals, adopt(cotangent)), floats)

    pullback.__srcxform__ = made
    pullback.__doc__ = f"The pullback of {f.__qualname__} at the primals given to vjp."
    return to_result(layout, value), pullback


def _number(block: Any) -> float | complex:
    """A 0-d block of a Hessian as a Python number: a float, or a complex when it is one."""
    try:
        return float(block)
    except TypeError:  # a complex value (the function makes complex values of a float)
        return complex(block)


def _floats(grads: tuple, floats: list[bool]) -> tuple:
    """The gradient of each Python float primal a Python float (API.md), not a NumPy
    scalar."""
    return tuple(float(g) if is_float and isinstance(g, np.floating) else g
                 for g, is_float in zip(grads, floats))


def _vjp_by_gradient(f: Callable[..., Any], wrt: tuple, values: list[Any]
                     ) -> tuple[Any, Callable[..., tuple]]:
    """``vjp`` of a function srcxform made whose code reverse mode cannot read back (its
    tapes): from ``value_and_grad`` (forward columns), for a scalar output."""
    from .api import value_and_grad

    value, grads = value_and_grad(f, wrt=wrt)(*values)
    floats = [type(values[i]) is float for i in wrt]
    if np.size(value) != 1:
        raise ValueError(f"vjp of {f.__qualname__}: its code keeps tapes and is "
                         "differentiated by forward columns, only for a scalar output")

    def pullback(cotangent: Any) -> tuple:
        _check_like("cotangent", cotangent, value)
        return _floats(tuple(g * cotangent for g in grads), floats)

    pullback.__doc__ = f"The pullback of {f.__qualname__} at the primals given to vjp."
    return value, pullback


def jvp(f: Callable[..., Any], primals: tuple, tangents: tuple) -> tuple[Any, Any]:
    """Forward mode: ``(f(*primals), J @ tangents)``.

    ``tangents`` has one entry per primal, of the primal's shape (``None``:
    that argument is held constant).
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp got {len(primals)} primals but {len(tangents)} tangents")
    _check_tangents(primals, tangents)
    f, args, kwargs, offset = _bound(f, primals)
    tangents = (None,) * offset + tangents
    f, args, kwargs, _ = _fixed_arity(f, args, kwargs)
    names, values = bind_all(f, args, kwargs)
    if all(t is None for t in tangents):
        out = f(*args, **kwargs)
        return out, _zeros_like(out)
    return _jvp_bound(f, names, values, tangents)


def _check_tangents(primals: Any, tangents: tuple) -> None:
    for i, (p, t) in enumerate(zip(primals, tangents)):
        if t is not None and _shape(t) != _shape(p):
            raise ValueError(f"tangent {i} has shape {_shape(t)}; its primal has shape "
                             f"{_shape(p)}")


def _parameters(f: Callable[..., Any]) -> tuple[list[str], int]:
    """``f``'s parameter names and how many of them can be given by position (the others
    are keyword-only)."""
    params = code_signature(f).parameters.values()
    return [p.name for p in params], sum(
        p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


def _jvp_of_values(f: Callable[..., Any], values: list[Any], tangents: tuple) -> Any:
    """The tangent ``jvp`` gives for ``f`` at ``values``: one value per parameter of ``f`` in
    order, the keyword-only ones given by keyword (so none is left to its default), and
    ``tangents`` by the same positions (``None``: held constant)."""
    names, count = _parameters(f)
    args, kwargs = tuple(values[:count]), dict(zip(names[count:], values[count:]))
    _check_tangents(values, tangents)
    if all(t is None for t in tangents):
        return _zeros_like(f(*args, **kwargs))
    names, values = bind_all(f, args, kwargs)
    return _jvp_bound(f, names, values, tangents)[1]


def _jvp_bound(f: Callable[..., Any], names: list[str], values: list[Any], tangents: tuple
               ) -> tuple[Any, Any]:
    """``jvp`` of ``f`` at bound ``values`` (one per parameter, by ``names``); ``tangents`` by
    parameter position, at least one not ``None``.  A keyword-only parameter is differentiated
    by its name (``wrt`` indices count positional parameters only)."""
    wrt = tuple(i for i, t in enumerate(tangents) if t is not None)
    if any(pytrees.is_tree(values[i]) for i in wrt):
        try:
            out, tangent, layout = pytrees.jvp(f, names, values, tangents, _promoted)
            return to_result(layout, out), to_result(layout, _kind_of(tangent, out))
        except TransformError as exc:
            if not _as_one_array(exc, [values[i] for i in wrt]):
                raise
    values = _promoted(values, wrt)
    count = _parameters(f)[1]
    made = specialized(f, "jvp", tuple(i if i < count else names[i] for i in wrt), names, values)
    with math_located():
        out, tangent = backends.run(made.fn, (*values, *[tangents[i] for i in wrt]))
    layout = made.result_layout
    return to_result(layout, out), to_result(layout, _kind_of(tangent, out))


def _kind_of(tangent: Any, value: Any) -> Any:
    """A 0-d array tangent of a scalar value as the value's scalar type."""
    if isinstance(value, tuple) and isinstance(tangent, tuple):
        return tuple(_kind_of(t, v) for t, v in zip(tangent, value))
    if type(tangent) is np.ndarray and tangent.ndim == 0 and type(value) is not np.ndarray:
        return float(tangent) if isinstance(value, float) and type(value) is float \
            else tangent[()]
    return tangent


def _zeros_like(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_zeros_like(v) for v in value)
    if isinstance(value, float):
        return 0.0
    return np.zeros_like(value)


def jvp_fn(f: Callable[..., Any], wrt: Any = 0) -> Callable[..., tuple]:
    """The generated forward-mode function of ``f`` (its source: ``sx.source``).

    It takes all of ``f``'s parameters, then one tangent per ``wrt`` parameter,
    and returns ``(value, tangent)``.  This is the generic code; ``jvp``
    compiles the same transform specialized to the arguments' shapes.
    """
    from .api import check_wrt

    made = transform(f, check_wrt(wrt), "jvp")
    made.fn.__srcxform__ = made
    return made.fn


def _gradient_code(f: Callable[..., Any], wrt: Any, names: list[str],
                   values: list[Any]) -> Callable[..., Any]:
    """The generated gradient of ``f`` for these shapes: a real function with source.
    (Of a function srcxform made: what ``grad`` of it runs, forward columns where its
    code keeps tapes.)"""
    if concrete_maker(f) is not None:
        from .api import grad

        return concrete(grad(f, wrt=wrt), tuple(values))
    return specialized(f, "grad", wrt, names, values).fn


def hvp(f: Callable[..., Any], primals: tuple, tangents: tuple, wrt: Any = 0) -> Any:
    """The Hessian-vector product: the tangent of ``grad(f, wrt)`` at ``primals``.

    Forward-over-reverse: the forward-mode transform of the generated gradient
    source.  ``tangents`` has one entry per primal (``None``: held constant).
    """
    f, args, kwargs, offset = _bound(f, tuple(primals))
    wrt = _shifted(wrt, offset)
    tangents = (None,) * offset + tuple(tangents)
    f, args, kwargs, wrt = _fixed_arity(f, args, kwargs, wrt)
    names, values = bind_all(f, args, kwargs)
    values = _promoted(values, [i for i, t in enumerate(tangents) if t is not None])
    df = _gradient_code(f, wrt, names, values)
    return _jvp_of_values(df, values, tangents + (None,) * (len(values) - len(tangents)))


def _shifted(wrt: Any, offset: int) -> Any:
    """``wrt`` of a bound callable as ``wrt`` of its function (indices move by ``offset``)."""
    if isinstance(wrt, (tuple, list)):
        return tuple(_shifted(w, offset) for w in wrt)
    return wrt + offset if isinstance(wrt, int) and wrt >= 0 else wrt


def hessian(f: Callable[..., Any], wrt: Any = 0) -> Callable[..., Any]:
    """The second derivative of scalar ``f`` with respect to ``wrt``.

    ``hessian(f)(*args)`` has shape ``x.shape + x.shape`` for one ``wrt``
    (a float for a float argument); for a tuple ``wrt`` it is a tuple of
    tuples of blocks, ``H[i][j]`` of shape ``xi.shape + xj.shape``.  Each
    column is a forward-mode pass over the generated gradient code (the
    forward-mode transform of that generated source), never finite differences.
    """

    from .api import check_wrt

    check_wrt(wrt)

    def hess(*args: Any, **kwargs: Any) -> Any:
        fn, args, bound_kwargs, offset = _bound(f, args)
        fn_wrt = _shifted(wrt, offset)
        fn, args, call_kwargs, fn_wrt = _fixed_arity(fn, args, {**bound_kwargs, **kwargs},
                                                     fn_wrt)
        names, values = bind_all(fn, args, call_kwargs)
        tuple_wrt = isinstance(wrt, (tuple, list))
        items = list(fn_wrt) if tuple_wrt else [fn_wrt]
        count = _parameters(fn)[1]
        index = [names.index(w) if isinstance(w, str) else w % count for w in items]
        pytrees.refuse_hessian(fn, names, values, index)
        values = _promoted(values, index)
        df = _gradient_code(fn, fn_wrt, names, values)
        m = backends.array_module(values)  # numpy, or the arguments' array namespace
        rows: list[list[Any]] = [[None] * len(index) for _ in index]
        for j, pj in enumerate(index):
            xj = values[pj]
            size = int(m.size(xj))
            columns: list[list[Any]] = [[] for _ in index]
            for k in range(size):
                basis = np.zeros(size)
                basis[k] = 1.0
                tangent = basis.reshape(m.shape(xj)) if m.ndim(xj) else 1.0
                tangents = tuple(tangent if i == pj else None for i in range(len(values)))
                dg = _jvp_of_values(df, values, tangents)
                dgs = dg if tuple_wrt else (dg,)
                for i in range(len(index)):
                    columns[i].append(m.ravel(dgs[i]))
            for i, pi in enumerate(index):
                xi = values[pi]
                block = m.reshape(m.stack(columns[i], axis=-1), m.shape(xi) + m.shape(xj))
                rows[i][j] = _number(block) if block.ndim == 0 and isinstance(xi, float) \
                    else block
        if tuple_wrt:
            return tuple(tuple(r) for r in rows)
        return rows[0][0]

    hess.__name__ = hess.__qualname__ = f"hessian_{getattr(f, '__name__', 'f')}"
    hess.__doc__ = f"The Hessian of {getattr(f, '__qualname__', f)} with respect to {wrt!r}."
    return hess

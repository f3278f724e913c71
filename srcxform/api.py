"""The transforms users call: ``grad``, ``value_and_grad``, ``source``.

After ``df = grad(f, wrt)``, ``df`` is a guard compiled in front of the
generated function (``srcxform/cache``): on every call it checks by identity
that nothing the generated code relies on has changed — ``f``'s code and
defaults, the helpers and rules it inlined, the rule table's version — and
runs the generated code (or the version specialised on the arguments' shapes,
for code that still asks about shapes); otherwise it rebuilds first.  It is
built once per ``(f, wrt, kind)`` and cached while ``f`` lives.  ``f`` may
also be a ``functools.partial``, a bound method or a callable object (their
bound arguments are passed, the underlying function is differentiated), or a
function with a rule registered by ``sx.adjoint`` (its rule is used).
``source(df)`` returns the generated text.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import numpy as np

from . import cache, varargs
from .compiler.checkpoint import check_spec
from .compiler.generated import columns_function
from .errors import TransformError


def check_wrt(wrt: Any) -> Any:
    """``wrt`` as the cache keys it; ``TypeError`` naming the problem if it is no index or name."""
    items = list(wrt) if isinstance(wrt, (tuple, list)) else [wrt]
    for w in items:
        if isinstance(w, bool) or not isinstance(w, (int, str)):
            what = type(w).__name__
            raise TypeError(f"wrt must be a parameter index, a parameter name, or a tuple of "
                            f"them; got a {what} {w!r}" + (
                                " (a dict names no parameter: pass the names, e.g. "
                                "wrt=('x', 'W'))" if isinstance(w, dict) else ""))
    return tuple(wrt) if isinstance(wrt, list) else wrt


def _not_a_python_function(f: Any, kind: str) -> TypeError:
    name = getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or repr(f)
    if isinstance(f, np.ufunc):
        name = f"np.{f.__name__}"
        what = f"{name} is a NumPy ufunc"
    elif isinstance(f, (type(len), type(np.ndarray.sum))):
        what = f"{name} is a built-in function"
    elif isinstance(f, type):
        what = f"{name} is a class"
    else:
        what = f"{name} (a {type(f).__name__}) is not a Python function"
    return TypeError(f"sx.{kind}({name}): {what}, without Python source to transform. "
                     f"Differentiate a Python function that calls it, e.g. "
                     f"def f(x): return {name}(x)")


def unwrap(f: Any) -> tuple[Any, tuple, dict]:
    """``(function, bound positional arguments, bound keywords)`` of a callable.

    A ``functools.partial`` gives its function and arguments, a bound method
    its function and ``self``, a callable object ``type(obj).__call__`` and
    ``obj``, ``sx.compile(f)`` what ``f`` gives; a function gives itself and
    nothing bound.
    """
    compiled = getattr(f, "__srcxform_compiled__", None)
    if compiled is not None:  # sx.compile(f) computes f
        return unwrap(compiled)
    if isinstance(f, functools.partial):
        inner, args, kwargs = unwrap(f.func)
        return inner, args + tuple(f.args), {**kwargs, **(f.keywords or {})}
    if inspect.ismethod(f):
        inner, args, kwargs = unwrap(f.__func__)
        return inner, args + (f.__self__,), kwargs
    if inspect.isfunction(f) or not callable(f) or isinstance(f, type):
        return f, (), {}
    call = inspect.getattr_static(type(f), "__call__", None)
    if inspect.isfunction(call):
        return call, (f,), {}
    return f, (), {}


def _bound_wrt(f: Any, wrt: Any) -> Any:
    """``wrt`` (indices or names of ``f``'s visible parameters) as parameter names."""
    params = [p for p in inspect.signature(f).parameters.values()]
    positional = [p.name for p in params
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names = [p.name for p in params]
    items = list(wrt) if isinstance(wrt, (tuple, list)) else [wrt]
    out = []
    for w in items:
        if isinstance(w, int):
            if not -len(positional) <= w < len(positional):
                raise ValueError(f"wrt={w!r} is out of range: {f!r} takes {len(positional)} "
                                 "positional argument(s)")
            out.append(positional[w])
        elif w not in names:
            raise ValueError(f"wrt={w!r} is not a parameter of {f!r} (parameters: "
                             f"{', '.join(names)})")
        else:
            out.append(w)
    return tuple(out) if isinstance(wrt, (tuple, list)) else out[0]


def _bound_gradient(kind: str, f: Any, fn: Any, args: tuple, kwargs: dict, wrt: Any) -> Any:
    """The gradient of a partial, bound method or callable object: ``fn``'s, bound."""

    if varargs.is_variadic(fn):  # an index counts the call's positional arguments
        shifted = tuple(w + len(args) if isinstance(w, int) and w >= 0 else w
                        for w in (wrt if isinstance(wrt, tuple) else (wrt,)))
        inner = _variadic_gradient(kind, fn, shifted if isinstance(wrt, tuple) else shifted[0])
    else:
        inner = _decorator(kind, fn, _bound_wrt(f, wrt))

    def bound(*more: Any, **more_kwargs: Any) -> Any:
        return inner(*args, *more, **{**kwargs, **more_kwargs})

    bound.__name__ = bound.__qualname__ = getattr(inner, "__name__", kind)
    bound.__doc__ = getattr(inner, "__doc__", None)
    bound.__signature__ = inspect.signature(f)
    bound.__srcxform_of__ = inner
    return bound


def _decorator(kind: str, f: Callable[..., Any] | None, wrt: Any,
               checkpoint: Any = None) -> Any:
    if f is None:
        return functools.partial(_decorator, kind, wrt=wrt, checkpoint=checkpoint)
    wrt = check_wrt(wrt)
    checkpoint = check_spec(checkpoint)
    if checkpoint is not None:
        return _checkpointed(kind, f, wrt, checkpoint)
    if not callable(f):
        raise TypeError(f"{kind} expects a function, got {type(f).__name__}")
    fn, args, kwargs = unwrap(f)
    if args or kwargs:
        return _bound_gradient(kind, f, fn, args, kwargs, wrt)
    if cache.concrete_maker(fn) is not None:  # a function srcxform made: its generated code
        return _of_gradient(kind, fn, wrt)
    from .bridge import rule_caller

    fn = rule_caller(fn) or fn
    if not inspect.isfunction(fn):
        raise _not_a_python_function(f, kind)

    if varargs.is_variadic(fn):  # compiled per arity, through a fixed-arity twin
        return _variadic_gradient(kind, fn, wrt)
    entry = cache.entry_for(fn, kind, wrt)
    try:
        return entry.public(fn)
    except TransformError:
        if getattr(fn, "__srcxform__", None) is None:
            raise
        # generated code with tapes (loops) is differentiated in forward mode instead
        public = _forward_columns(kind, fn, wrt)
        entry.adopt(public, fn)
        return public


def _forward_columns(kind: str, f: Callable[..., Any], wrt: Any) -> Callable[..., Any]:
    """The gradient of generated code ``f`` by forward mode, one pass per input element.

    Used for ``grad(grad(g))`` when ``grad(g)``'s code keeps tapes (loops), which
    reverse mode does not read back; for a scalar argument it is a single pass.
    """
    tuple_wrt = isinstance(wrt, (tuple, list))

    def columns(*args: Any, **kwargs: Any) -> Any:
        names, values = cache.bind_all(f, args, kwargs)
        items = list(wrt) if tuple_wrt else [wrt]
        index = [names.index(w) if isinstance(w, str) else w % len(names) for w in items]
        made = cache.specialized(f, "jvp", tuple(index), names, values)
        columns.__srcxform__ = made
        grads, value = [], None
        for j, p in enumerate(index):
            x = values[p]
            size = int(np.size(x))
            column = np.zeros(size)
            for k in range(size):
                tangents = [np.zeros_like(values[q], dtype=float) if np.ndim(values[q])
                            else 0.0 for q in index]
                if np.ndim(x):
                    tangents[j].flat[k] = 1.0
                else:
                    tangents[j] = 1.0
                value, dvalue = made.fn(*values, *tangents)
                if np.size(value) != 1:
                    raise ValueError(f"the function must return a scalar to take its gradient, "
                                     f"got an output of shape {np.shape(value)}")
                column[k] = np.ravel(dvalue)[0]
            grads.append(column.reshape(np.shape(x)) if np.ndim(x) else float(column[0]))
        if value is None:
            value = f(*values)
        result = tuple(grads) if tuple_wrt else grads[0]
        return (value, result) if kind == "value_and_grad" else result

    columns.__name__ = columns.__qualname__ = f"{kind}_{f.__name__}"
    columns.__signature__ = inspect.signature(f)
    columns.__srcxform__ = None
    cache.give_concrete(columns, lambda args, kwargs: _columns_code(kind, f, wrt, args, kwargs))
    return columns


def _columns_code(kind: str, f: Callable[..., Any], wrt: Any, args: Any, kwargs: Any
                  ) -> Callable[..., Any]:
    """What forward columns of generated code ``f`` compute for these arguments, as a
    generated function (so it can be differentiated again): for one scalar ``wrt``, ``f``'s
    forward-mode code with the tangent fixed to 1."""
    name = f"{kind}_{f.__name__}"
    names, values = (None, None) if args is None else cache.bind_all(f, args, kwargs)
    items = list(wrt) if isinstance(wrt, (tuple, list)) else [wrt]
    index = [] if names is None else [
        names.index(w) if isinstance(w, str) else w % len(names) for w in items]
    if names is None or len(index) != 1 or np.ndim(values[index[0]]):
        raise TypeError(f"{name} is computed by forward columns (its generated code keeps "
                        "tapes); it can be differentiated again, or called inside a "
                        "function being differentiated, only for one scalar argument")
    made = cache.specialized(f, "jvp", tuple(index), names, values)
    return columns_function(made, kind, name, len(names), isinstance(wrt, (tuple, list)),
                            f.__defaults__)


def concrete(f: Callable[..., Any], args: tuple, kwargs: dict | None = None) -> Callable[..., Any]:
    """``f`` itself, or for a gradient made by ``grad`` the generated function it runs
    for these arguments now (a real function with source, which can be transformed)."""
    return cache.concrete(f, args, kwargs)


def _of_gradient(kind: str, df: Callable[..., Any], wrt: Any) -> Callable[..., Any]:
    """``grad`` of a function srcxform made (a gradient, of any order): per call, transform
    the generated code ``df`` runs now (``cache.concrete``).

    ``df`` checks its own facts first, so when it is rebuilt (a helper rebound,
    a rule replaced) this gradient follows.  The result is itself made by
    srcxform: it can be differentiated again, or called inside a function
    being differentiated (its generated code is inlined there).
    """
    entry = cache.entry_for(df, kind, wrt)
    for public in list(entry.publics):
        return public

    def inner_of(args: Any, kwargs: Any) -> Any:
        return _decorator(kind, cache.concrete(df, args, kwargs), wrt)

    def through(*args: Any, **kwargs: Any) -> Any:
        inner = inner_of(args, kwargs)
        through.__srcxform__ = getattr(inner, "__srcxform__", None)
        return _float_gradients(kind, _bindable(df, args, kwargs), wrt, args, kwargs,
                                inner(*args, **kwargs))

    through.__name__ = through.__qualname__ = f"{kind}_{getattr(df, '__name__', 'df')}"
    through.__signature__ = inspect.signature(df)
    through.__srcxform__ = None
    cache.give_concrete(through, lambda args, kwargs: cache.concrete(
        inner_of(args, kwargs), args, kwargs))
    df_entry = getattr(df, "__srcxform_entry__", None)
    if df_entry is not None and df_entry.mode == "generic":
        # no shape to wait for: transform now, as grad(f) does
        first = _decorator(kind, df_entry.generic.fn, wrt)
        through.__srcxform__ = getattr(first, "__srcxform__", None)
    entry.adopt(through, getattr(df, "__srcxform_fn__", df))
    return through


def _bindable(df: Callable[..., Any], args: tuple, kwargs: dict) -> Callable[..., Any]:
    """``df``, or for the gradient of a variadic function (its signature has ``*args``)
    the generated code it runs for this call, whose parameters name each argument."""
    kinds = {p.kind for p in inspect.signature(df).parameters.values()}
    if kinds & {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD}:
        return cache.concrete(df, args, kwargs)
    return df


def _checkpointed(kind: str, f: Callable[..., Any], wrt: Any, checkpoint: Any) -> Any:
    """``grad(f, checkpoint=...)`` of a plain function: an entry of its own."""
    fn, args, kwargs = unwrap(f)
    if args or kwargs or getattr(fn, "__srcxform_entry__", None) is not None \
            or not inspect.isfunction(fn):
        raise TypeError(f"{kind}(f, checkpoint=...) expects a plain Python function")
    return cache.entry_for(fn, kind, wrt, checkpoint).public(fn)


def _float_gradients(kind: str, f: Callable[..., Any], wrt: Any, args: tuple, kwargs: dict,
                     out: Any) -> Any:
    """``out`` of ``kind`` of ``f`` with the gradient of each Python float argument a Python
    float (generated code of generated code computes NumPy scalars)."""
    names, values = cache.bind_all(f, args, kwargs)
    tuple_wrt = isinstance(wrt, (tuple, list))
    items = list(wrt) if tuple_wrt else [wrt]
    index = [names.index(w) if isinstance(w, str) else w % len(names) for w in items]
    grads = out[1] if kind == "value_and_grad" else out
    grads = list(grads) if tuple_wrt else [grads]
    grads = [float(g) if type(values[i]) is float and isinstance(g, (float, np.floating))
             and not isinstance(g, np.ndarray) else g for i, g in zip(index, grads)]
    grads = tuple(grads) if tuple_wrt else grads[0]
    return (out[0], grads) if kind == "value_and_grad" else grads


def grad(f: Callable[..., Any] | None = None, wrt: Any = 0,
         checkpoint: Any = None) -> Callable[..., Any]:
    """The gradient of scalar-valued ``f`` with respect to parameter(s) ``wrt``.

    ``wrt`` is a positional index, a parameter name, or a tuple of them; a
    tuple gives a tuple of gradients.  Usable as ``@grad`` and ``@grad(wrt=...)``.
    ``checkpoint``: ``True``/``"sqrt"`` or a positive int ``k`` keeps the state of
    each top-level ``for ... in range(...)`` loop every ``k`` (about ``sqrt(T)``)
    steps instead of taping every step, and runs each stretch again in the backward
    sweep (less memory, one more forward run of the loop).
    """
    return _decorator("grad", f, wrt, checkpoint)


def value_and_grad(f: Callable[..., Any] | None = None, wrt: Any = 0,
                   checkpoint: Any = None) -> Callable[..., Any]:
    """Like :func:`grad`, returning ``(f(*args), gradient)`` from one run of ``f``."""
    return _decorator("value_and_grad", f, wrt, checkpoint)


def source(df: Callable[..., Any]) -> str:
    """The generated Python source of a function made by srcxform.

    For a gradient specialized on its arguments' shapes (see ``grad``), this
    is the code of the most recent version compiled, or the generic code
    before the first call.
    """
    seen = 0
    while getattr(df, "__srcxform_of__", None) is not None and seen < 16:
        df, seen = df.__srcxform_of__, seen + 1
    entry = getattr(df, "__srcxform_entry__", None)
    if entry is not None and entry.latest is not None:
        return entry.latest.source
    fn = getattr(df, "__srcxform_fn__", None)
    if entry is not None and fn is not None and entry.kind in ("grad", "value_and_grad"):
        return entry.generic_code(fn).source  # before the first call: made now
    if hasattr(df, "__srcxform__") and df.__srcxform__ is None:
        generic = _generic_source(df)
        if generic is not None:
            return generic
        raise TypeError(f"{df.__name__} is compiled per argument shape on its first call; "
                        "call it once, then ask for its source")
    info = getattr(df, "__srcxform__", None)
    if info is None:
        raise TypeError(f"{getattr(df, '__name__', df)!r} was not generated by srcxform")
    return info.source


def _generic_source(df: Callable[..., Any]) -> str | None:
    """The source of the generic code a function srcxform made runs (a gradient of a
    gradient before its first call), or None where there is none (forward columns)."""
    make = cache.concrete_maker(df)
    if make is None:
        return None
    try:
        code = make(None, None)
    except (TypeError, ValueError):
        return None
    info = getattr(code, "__srcxform__", None)
    return info.source if info is not None else inspect.getsource(code)


def _variadic_gradient(kind: str, fn: Callable[..., Any], wrt: Any) -> Callable[..., Any]:
    """``grad`` / ``value_and_grad`` (``kind``) of variadic ``fn``: per call, that of the
    twin for the call's arity."""

    def through(*args: Any, **kwargs: Any) -> Any:
        made, values = varargs.fixed(fn, args, kwargs)
        inner = _decorator(kind, made.fn, made.wrt(wrt, fn.__qualname__))
        through.__srcxform_of__ = inner
        return inner(*values)

    def twin_gradient(args: Any, kwargs: Any) -> Any:
        # the gradient of the twin for this call's arity: its positional parameters are the
        # call's positional arguments, so its code takes the same call
        if args is None:
            raise TypeError(f"{kind} of {fn.__qualname__}, which has *args/**kwargs, is "
                            f"compiled per arity, which a starred call (f(*xs)) does not "
                            f"show; list the arguments one by one in the call, or name "
                            f"its parameters")
        made = varargs.fixed(fn, args, kwargs)[0]
        if made.keys:
            raise TypeError(f"{kind} of {fn.__qualname__}, called with extra keywords for "
                            f"its **kwargs, cannot be differentiated again; pass them "
                            f"positionally or name its parameters for that")
        return _decorator(kind, made.fn, made.wrt(wrt, fn.__qualname__))

    def twin_code(args: Any, kwargs: Any) -> Any:
        return cache.concrete(twin_gradient(args, kwargs), args, kwargs)

    def twin_code_by_arity(positional: int, keywords: tuple[str, ...]) -> Any:
        # a call inside code being transformed: its arity is known, its values are not
        inner = twin_gradient((None,) * positional, dict.fromkeys(keywords))
        return cache.concrete(inner, None, None)

    through.__name__ = through.__qualname__ = f"{kind}_{fn.__name__}"
    through.__doc__ = fn.__doc__
    through.__signature__ = inspect.signature(fn, follow_wrapped=False)
    through.__srcxform__ = None
    through.__srcxform_of__ = None
    cache.give_concrete(through, twin_code, by_arity=twin_code_by_arity)
    return through

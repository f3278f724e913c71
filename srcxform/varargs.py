"""Differentiated functions with ``*args`` / ``**kwargs``: compiled per arity.

A transformed function's ``*data`` and ``**opts`` have a length and keys known
only per call.  After import, such a function is transformed through a
*fixed-arity twin* made once per arity (number of extra positional
arguments, and the extra keywords in order) — for ``def loss(w, *data)``
called with two extras::

    def loss(w, data_0, data_1):
        data = (data_0, data_1, )
        return loss(w, *data)

(``**opts`` with keyword ``scale`` becomes a parameter ``opts_scale`` and
``opts = dict(scale=opts_scale)``).  As for pytree twins
(``srcxform/pytrees.py``), the compiler does not inline the user's function
into the twin: it parses the user's function itself with the twin's
parameters and the prologue first (``compiler/parse.py``), so the body keeps
every ability of a top-level function and is checked like one.  So:

* :func:`is_variadic` says whether a function has ``*args`` or ``**kwargs``;
* :func:`fixed` gives, for a call, the twin (made once per function code and
  arity: code made for two extra arguments is never run for three — the twin
  for three is another function with its own cache) and the twin's arguments;
* the twin's positional parameters are the call's positional arguments in
  order, so an integer ``wrt`` (or a primal's position) means the same
  argument for the twin; a ``wrt`` name may name a parameter or a key of
  ``**kwargs``;
* ``api.py`` makes ``grad`` / ``value_and_grad`` of such a function from the twins
  (``_variadic_gradient``); for a call without extra keywords its generated code is
  the twin's, which takes the same call, so it can be differentiated again.

What the twin's body cannot follow (a differentiated extra argument used as
one container) is the compiler's located ``TransformError``.
"""

from __future__ import annotations

import inspect
import keyword
import weakref
from dataclasses import dataclass
from typing import Any, Callable

from .twins import compile_twin

_TWINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_VARIADIC = 0x04 | 0x08  # CO_VARARGS | CO_VARKEYWORDS


def is_variadic(fn: Any) -> bool:
    """``fn`` is a user's Python function with ``*args`` or ``**kwargs`` parameters (not
    srcxform's own: a guard or a gradient's wrapper takes ``*args, **kwargs`` and is
    served as before)."""
    code = getattr(fn, "__code__", None)
    return inspect.isfunction(fn) and code is not None and bool(code.co_flags & _VARIADIC) \
        and not code.co_filename.startswith("<srcxform") \
        and not (getattr(fn, "__module__", "") or "").startswith("srcxform") \
        and not hasattr(fn, "__srcxform__")


@dataclass
class Fixed:
    """The twin of a variadic function for one arity, and how to call it."""

    fn: Callable[..., Any]
    params: list[str]          # the twin's parameters, in order
    positional: int            # how many of them take the call's positional arguments
    keys: dict[str, str]       # a key of **kwargs -> its twin parameter
    vararg: str | None
    kwarg: str | None
    named: frozenset[str]      # the user function's named parameters

    def wrt(self, wrt: Any, qualname: str) -> Any:
        """``wrt`` of the user's function (indices of the call's positional arguments,
        names of parameters or of ``**kwargs`` keys) as names of the twin's parameters."""
        items = list(wrt) if isinstance(wrt, (tuple, list)) else [wrt]
        out = []
        for w in items:
            if isinstance(w, int):
                if not -self.positional <= w < self.positional:
                    raise ValueError(f"wrt={w!r} is out of range: this call of {qualname} "
                                     f"passes {self.positional} positional argument(s)")
                out.append(self.params[w % self.positional])
            elif w in self.keys:
                out.append(self.keys[w])
            elif w in (self.vararg, self.kwarg):
                raise ValueError(f"wrt={w!r} names the variadic parameter of {qualname}; "
                                 f"name its arguments instead (their positions, or the "
                                 f"keywords)")
            elif w in self.named:
                out.append(w)
            else:
                raise ValueError(f"wrt={w!r} is not a parameter of {qualname} nor a "
                                 f"keyword of this call")
        return tuple(out) if isinstance(wrt, (tuple, list)) else out[0]


def _fresh(base: str, taken: set[str]) -> str:
    name = base if base.isidentifier() and not keyword.iskeyword(base) else "_" + base
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    out, k = name, 1
    while out in taken:
        out, k = f"{name}_{k}", k + 1
    taken.add(out)
    return out


def fixed(fn: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[Fixed, list[Any]]:
    """The twin of variadic ``fn`` for the arity of ``fn(*args, **kwargs)``, and the
    twin's arguments for that call (``TypeError`` if ``fn`` cannot take them)."""
    signature = inspect.signature(fn, follow_wrapped=False)
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"{fn.__qualname__}(): {exc}") from None
    bound.apply_defaults()
    params = signature.parameters
    vararg = next((p.name for p in params.values() if p.kind is p.VAR_POSITIONAL), None)
    kwarg = next((p.name for p in params.values() if p.kind is p.VAR_KEYWORD), None)
    extras = tuple(bound.arguments.get(vararg, ())) if vararg else ()
    extra_kw = dict(bound.arguments.get(kwarg, {})) if kwarg else {}
    key = (fn.__code__, len(extras), tuple(extra_kw))
    per_fn = _TWINS.setdefault(fn, {})
    made = per_fn.get(key)
    if made is None:
        made = per_fn[key] = _make(fn, signature, len(extras), list(extra_kw))
    values: list[Any] = []
    for name, p in params.items():
        if p.kind is p.VAR_POSITIONAL:
            values += extras
        elif p.kind is p.VAR_KEYWORD:
            values += list(extra_kw.values())
        else:
            values.append(bound.arguments[name])
    return made, values


def _make(fn: Callable[..., Any], signature: inspect.Signature, n: int,
          keys: list[str]) -> Fixed:
    """A new twin of ``fn`` taking ``n`` extra positional arguments and keywords ``keys``."""

    params = signature.parameters
    target = fn.__name__ if fn.__name__.isidentifier() else "function"
    taken = {target} | {p.name for p in params.values()}
    names: list[str] = []
    prologue: list[str] = []
    call: list[str] = []
    positional = 0
    key_params: dict[str, str] = {}
    vararg = kwarg = None
    for name, p in params.items():
        if p.kind is p.VAR_POSITIONAL:
            vararg = name
            extra = [_fresh(f"{name}_{i}", taken) for i in range(n)]
            names += extra
            positional += n
            prologue.append(f"    {name} = (" + "".join(e + ", " for e in extra) + ")")
            call.append(f"*{name}")
        elif p.kind is p.VAR_KEYWORD:
            kwarg = name
            extra = [_fresh(f"{name}_{k}", taken) for k in keys]
            key_params = dict(zip(keys, extra))
            names += extra
            if all(k.isidentifier() and not keyword.iskeyword(k) for k in keys):
                body = "dict(" + ", ".join(f"{k}={e}" for k, e in zip(keys, extra)) + ")"
            else:
                body = "{" + ", ".join(f"{k!r}: {e}" for k, e in zip(keys, extra)) + "}"
            prologue.append(f"    {name} = {body}")
            call.append(f"**{name}")
        else:
            names.append(name)
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                positional += 1
                call.append(name)
            else:
                call.append(f"{name}={name}")
    stars = ", ".join(s for s in (vararg and f"*{vararg}", kwarg and f"**{kwarg}") if s)
    twin = compile_twin(fn, target, names, prologue, ", ".join(call), "fixed-arity",
                        f"{fn.__qualname__} ({stars})")
    named = frozenset(p.name for p in params.values()
                      if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
    return Fixed(twin, names, positional, key_params, vararg, kwarg, named)

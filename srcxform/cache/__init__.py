"""The cache of generated code: what is kept, keyed on what, checked how, rebuilt when.

What is cached: for each function and transform (``grad``, ``value_and_grad``,
``vjp``, ``jvp``; with its ``wrt``) the generated code — the generic code and
up to :data:`SHAPE_CACHE_SIZE` versions specialised on the arguments (today
their shapes; ``specialise.py`` says how to add a kind; ``sizes.py``, versions
generic in the batch sizes that changed), least recently used dropped first.
The cache lives as long as the function: it is released with it, and each
generated function's ``linecache`` entry with that function.

Keyed on everything the generated code depends on (``facts.py``):

* the function's ``__code__``, ``__defaults__``, ``__kwdefaults__``;
* for every name its source reads — in its closure cells, its module's
  globals (or the builtins), and along attribute chains through user modules,
  classes and objects — the object it denotes; likewise for every inlined
  helper (and the helper's own code and defaults) and every rule a user
  registered with ``sx.adjoint`` whose body was inlined;
* the rule table's version, which changes whenever a rule is added or
  replaced (``sx.adjoint`` again for the same function);
* the specialisation key of the call (argument shapes).

Checked on every call: the object returned by ``grad`` is a small compiled
guard (``guard.py``) that tests each fact by identity — one ``is`` per fact,
a global of the function's module read by name — and runs the generated code.
When a test fails, the slow path asks whether the new object is as good for
the code (an equal number; an array of the same shape and dtype that the code
reads live) and then only refreshes the snapshot; otherwise it rebuilds the
code, and every guard of that transform runs the new code from then on.  So
a stale gradient is never served, and rebinding ``m.helper``, reloading a
module, changing defaults or registering a rule take effect at the next call.
A function whose source file was edited without reloading raises a
``ValueError`` saying so (``compiler/freshness.py``).

Below the in-memory cache, a disk cache (``disk.py``, ``persist.py``,
``describe.py``, ``rebind.py``) keeps each version's generated text and the facts it relied
on, described so that a new process can check them: a restarted script whose
source, helpers, rules, constants and versions are unchanged gets the code
without running a pass (``SRCXFORM_DISK_CACHE=0`` turns it off;
``SRCXFORM_CACHE_DIR`` moves it).
"""

from __future__ import annotations

from typing import Any, Callable

from ..compiler import Transformed
from ..compiler.generated import concrete_maker, give_concrete
from .entry import SHAPE_CACHE_SIZE, Entry, entries_of, entry_for
from .specialise import SPECIALISERS, Specialiser, bind_all, promote, shape_of, wrt_parameters

__all__ = ["SHAPE_CACHE_SIZE", "SPECIALISERS", "Entry", "Specialiser", "bind_all", "concrete",
           "concrete_maker", "entries_of", "entry_for", "give_concrete", "promote", "public",
           "shape_of", "specialized", "wrt_parameters"]


def public(fn: Callable[..., Any], kind: str, wrt: Any) -> Callable[..., Any]:
    """The guarded gradient ``grad``/``value_and_grad`` returns for ``fn``."""
    return entry_for(fn, kind, wrt).public(fn)


def concrete(f: Callable[..., Any], args: tuple | None,
             kwargs: dict | None = None) -> Callable[..., Any]:
    """``f`` itself, or for a function made by srcxform (a guard made by ``grad``, a
    gradient of a gradient, forward columns) the generated function it runs for these
    arguments now — with ``args`` None, for any arguments — a real function with source,
    which can be transformed or inlined.  Every such function has the attribute
    ``__srcxform_concrete__(args, kwargs)`` that answers this (``compiler/generated.py``)."""
    make = concrete_maker(f)
    if make is None:
        return f
    return make(None if args is None else tuple(args), dict(kwargs or {}))


def specialized(f: Callable[..., Any], kind: str, wrt: Any, names: list[str],
                values: list[Any]) -> Transformed:
    """The transform of ``f`` (``kind``) compiled for these arguments (checked, cached)."""
    f = concrete(f, tuple(values))
    return entry_for(f, kind, wrt).lookup(f, names, values)

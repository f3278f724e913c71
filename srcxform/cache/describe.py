"""Descriptions: values written as JSON data that another process can check or rebuild.

The disk cache (``disk.py``, ``persist.py``) keeps what a transform relied on
in a form that means the same thing in a new process.  After import:

* :func:`encode` writes an immutable value (``None``, ``bool``, ``int``,
  ``float``, ``complex``, ``str``, ``bytes``, a NumPy number, ``Ellipsis``, a
  ``slice``, a batch size ``compiler.shapes.Dim``, tuples and lists of them,
  dicts with string keys) as JSON data of
  its exact type and bits (a float as its hex; ``0.0`` is not ``-0.0``), and
  :func:`decode` gives back an equal value of the same type; any other value
  raises :class:`Unkeyable`.
* :func:`describe` says what a fact (``facts.py``) keeps of a value, by the
  fact's rule: ``"type"`` its type, ``"layout"`` an array's type, dtype and
  shape, ``"equal"`` the value itself (:func:`encode`), ``"array_equal"`` an
  array's dtype, shape and a hash of its bytes, ``"identity"`` where it lives:
  a module by name; a library's function, class or object by module and
  qualified name (the very object found there); a user's function or class by
  module, qualified name and a hash of its source text (found there, defined
  in a file).  Two values with equal descriptions are as good as each other
  for code made for either.  A value with no such description (a user's
  object, a closure, a lambda) raises :class:`Unkeyable`: its code is not
  kept on disk.
* :func:`locate` answers an ``"identity"``/``"ref"`` description with the
  object it names in this process — only among modules already imported
  (nothing named in a cache file is ever imported) — or raises.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
import types
from typing import Any

import numpy as np

from .. import depends
from ..compiler.shapes import Dim


class Unkeyable(Exception):
    """A value that cannot be described reliably: its code is not kept on disk."""


# -- immutable values ------------------------------------------------------------------------

def encode(value: Any) -> Any:
    """``value`` as JSON data of its exact type (see the module docstring)."""
    kind = type(value)
    if value is None:
        return ["None"]
    if kind is bool:
        return ["bool", value]
    if kind is int:
        return ["int", str(value)]
    if kind is float:
        return ["float", value.hex()]
    if kind is complex:
        return ["complex", value.real.hex(), value.imag.hex()]
    if kind is str:
        return ["str", value]
    if kind is bytes:
        return ["bytes", value.hex()]
    if value is Ellipsis:
        return ["Ellipsis"]
    if kind is slice:
        return ["slice", encode(value.start), encode(value.stop), encode(value.step)]
    if kind is tuple or kind is list:
        return [kind.__name__, [encode(v) for v in value]]
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise Unkeyable("a dict with keys that are not strings")
        return ["dict", [[k, encode(v)] for k, v in value.items()]]
    if isinstance(value, np.generic) and value.dtype.kind in "biufc" \
            and kind is value.dtype.type:
        return ["np", value.dtype.str, value.tobytes().hex()]
    if kind is Dim:  # a batch size of a shape pattern (cache/sizes.py)
        return ["dim", value.index]
    raise Unkeyable(f"a value of type {kind.__qualname__}")


def decode(data: Any) -> Any:
    """The value :func:`encode` wrote as ``data``."""
    tag = data[0]
    if tag == "None":
        return None
    if tag == "bool":
        return bool(data[1])
    if tag == "int":
        return int(data[1])
    if tag == "float":
        return float.fromhex(data[1])
    if tag == "complex":
        return complex(float.fromhex(data[1]), float.fromhex(data[2]))
    if tag == "str":
        return str(data[1])
    if tag == "bytes":
        return bytes.fromhex(data[1])
    if tag == "Ellipsis":
        return Ellipsis
    if tag == "slice":
        return slice(decode(data[1]), decode(data[2]), decode(data[3]))
    if tag in ("tuple", "list"):
        items = [decode(v) for v in data[1]]
        return tuple(items) if tag == "tuple" else items
    if tag == "dict":
        return {str(k): decode(v) for k, v in data[1]}
    if tag == "np":
        return np.frombuffer(bytes.fromhex(data[2]), dtype=np.dtype(data[1]))[0]
    if tag == "dim":
        return Dim(int(data[1]))
    raise ValueError(f"unknown encoded value {tag!r}")


# -- where an object lives ---------------------------------------------------------------------

def source_hash(obj: Any) -> str:
    """A hash of the source text of a function (of the code it runs) or class."""
    target = obj.__code__ if inspect.isfunction(obj) else obj
    try:
        lines, first = inspect.getsourcelines(target)
    except (OSError, TypeError) as exc:
        raise Unkeyable(f"no source for {getattr(obj, '__qualname__', obj)!r}") from exc
    return lines_hash(lines, first)


def lines_hash(lines: list[str], first: int) -> str:
    """A hash of source lines starting at line ``first``."""
    digest = hashlib.sha256("".join(lines).encode("utf-8", "surrogatepass"))
    digest.update(f"\0{first}".encode())
    return digest.hexdigest()[:32]


def _walk(module: str, qualname: str) -> Any:
    """The object ``module.qualname`` names among the modules imported (or raises)."""
    if "<locals>" in qualname or "<lambda>" in qualname:
        raise Unkeyable(f"{module}.{qualname} is not reachable by name")
    found: Any = sys.modules.get(module)
    if found is None:
        raise Unkeyable(f"module {module} is not imported")
    for part in qualname.split("."):
        try:
            found = inspect.getattr_static(found, part) if isinstance(found, type) \
                else getattr(found, part)
        except AttributeError:
            raise Unkeyable(f"{module}.{qualname} is not there") from None
        if isinstance(found, (staticmethod, classmethod)):
            found = found.__func__
    return found


def _names(obj: Any) -> tuple[str, str] | None:
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str):  # a method descriptor: its class's module
        owner = getattr(obj, "__objclass__", None)
        module = getattr(owner, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if isinstance(module, str) and isinstance(qualname, str):
        return module, qualname
    return None


def _is_user_code(obj: Any) -> bool:
    """A function or class defined in a user's file."""
    if inspect.isfunction(obj):
        filename = obj.__code__.co_filename
    elif isinstance(obj, type):
        filename = getattr(sys.modules.get(obj.__module__), "__file__", None) or ""
    else:
        return False
    return bool(filename) and not filename.startswith("<")


def identity(value: Any) -> list:
    """Where ``value`` lives (see the module docstring), or :class:`Unkeyable`."""
    if isinstance(value, types.ModuleType):
        if sys.modules.get(value.__name__) is not value:
            raise Unkeyable(f"module {value.__name__} is not the one imported under its name")
        return ["module", value.__name__]
    if isinstance(value, np.dtype):
        return ["dtype", value.str]
    names = _names(value)
    if names is None:
        raise Unkeyable(f"a {type(value).__qualname__} object")
    module, qualname = names
    if _walk(module, qualname) is not value:
        raise Unkeyable(f"{module}.{qualname} names another object")
    if depends.is_library(value) or type(value) is types.BuiltinFunctionType:
        return ["ref", module, qualname]
    if not _is_user_code(value):
        raise Unkeyable(f"{module}.{qualname} has no source file")
    desc = ["code", module, qualname, source_hash(value)]
    primal = getattr(value, "__srcxform_primal__", None)  # sx.adjoint's dispatcher
    if primal is not None:
        desc.append(source_hash(primal))
    if inspect.isfunction(value):
        desc.append(encode((value.__defaults__, value.__kwdefaults__)))
    return desc


def locate(desc: list) -> Any:
    """The object an :func:`identity` description names in this process."""
    tag = desc[0]
    if tag == "module":
        found = sys.modules.get(desc[1])
        if found is None:
            raise Unkeyable(f"module {desc[1]} is not imported")
        return found
    if tag == "dtype":
        return np.dtype(desc[1])
    if tag not in ("ref", "code"):
        raise Unkeyable(f"not a place: {tag!r}")
    found = _walk(desc[1], desc[2])
    if identity(found) != desc:
        raise Unkeyable(f"{desc[1]}.{desc[2]} changed")
    return found


# -- what a fact keeps of a value ----------------------------------------------------------------

def _type_name(value: Any) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def describe(value: Any, accept: str) -> list:
    """What a fact with rule ``accept`` keeps of ``value`` (see the module docstring)."""
    if accept == "type":
        return ["type", _type_name(value)]
    if accept == "layout":
        if type(value) is not np.ndarray:  # (a new value of another type: not the same)
            return ["type", _type_name(value)]
        return ["layout", _type_name(value), value.dtype.str, list(value.shape)]
    if accept == "equal":
        return ["equal", encode(value)]
    if accept == "array_equal":
        if type(value) is not np.ndarray:
            raise Unkeyable("an array_equal fact about a non-array")
        digest = hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()[:32]
        return ["array", value.dtype.str, list(value.shape), digest]
    return ["identity", identity(value)]

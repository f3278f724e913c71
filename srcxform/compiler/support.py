"""Small run-time helpers that generated code may call (besides ``unbroadcast``).

After import, :func:`scalar_seed` is the one place that checks a function's
output is a scalar before its gradient is taken, and :func:`zeros_like_or_none`
zeroes the adjoint of a value that a branch not taken never assigned,
:func:`complex_adjoints` gives the dtype of adjoint buffers when a call meets
complex values and :func:`widened` makes an accumulator complex (``widen.py``),
:func:`copy_with_views` copies an array with the views of it the backward
sweep reads, and :func:`require_scalar_index` refuses, on entry, an argument
that would make an augmented assignment write through an alias.  (The
helpers of list and tuple adjoints, with their table entries, are in
``rules/sequences.py``.)
"""

from __future__ import annotations

import numbers
from collections import abc
from typing import Any

import numpy as np

from ..errors import TransformError


def scalar_seed(value: Any) -> Any:
    """The cotangent 1 for a scalar ``value``; ``ValueError`` for anything else."""
    size = np.size(value)
    if size != 1:
        what = (f"a {type(value).__name__} of {len(value)} elements"
                if isinstance(value, (list, tuple)) else f"an output of shape {np.shape(value)}")
        raise ValueError(f"the function must return a scalar to take its gradient, got "
                         f"{what}; use sx.vjp for other outputs")
    if isinstance(value, np.ndarray):
        return np.ones_like(value)
    return 1.0


def zero_gradient(value: Any) -> Any:
    """The gradient of an argument the result does not depend on: ``0.0`` for a Python
    float (API.md: a float argument gets a float), else ``np.zeros_like(value)``."""
    return 0.0 if type(value) is float else np.zeros_like(value)


_REAL_SCALARS = (float, int, np.floating, np.integer, np.bool_)
_NDARRAY = np.ndarray


def _complex_type(value: Any) -> Any:
    """The complex scalar type of ``value`` (searched through lists, tuples and dicts), or
    None when it holds none."""
    kind = type(value)
    if kind is float or kind is int or kind is bool or value is None:
        return None
    if kind is complex:
        return np.complex128
    if kind is type:  # the result of an earlier complex_adjoints
        return value if issubclass(value, np.complexfloating) else None
    dtype = getattr(value, "dtype", None)
    if isinstance(dtype, np.dtype):
        return dtype.type if dtype.kind == "c" else None
    if kind is list or kind is tuple or kind is dict:
        for item in (value.values() if kind is dict else value):
            found = _complex_type(item)
            if found is not None:
                return found
    return None


def complex_adjoints(*values: Any, inside: bool = False) -> Any:
    """The dtype every adjoint buffer of this call is allocated in: None (each buffer has
    its value's dtype) unless a value is complex (or ``inside``: the function makes
    complex values itself), then a complex type at least as wide as ``complex128``.

    Cotangents can only be complex when a complex value takes part, and a buffer of a
    real value (the adjoint of ``x`` whose slice ``x[0:2]`` was multiplied by ``1j``)
    must then hold complex numbers: NumPy would drop their imaginary parts.  Real
    arrays, Python floats and ints and lists of real arrays are passed over first."""
    if not inside:
        for value in values:
            kind = type(value)
            if kind is _NDARRAY:
                if value.dtype.kind != "c":
                    continue
            elif kind is float or kind is int or value is None \
                    or isinstance(value, _REAL_SCALARS):
                continue
            elif kind is list or kind is tuple:
                try:  # a list of arrays and numbers (nested or empty: looked at below)
                    if np.result_type(*value).kind != "c":
                        continue
                except (TypeError, ValueError):
                    pass
            break
        else:
            return None
    wide = np.complex128 if inside else None
    for value in values:
        found = _complex_type(value)
        if found is not None and (wide is None or np.dtype(found).itemsize
                                  > np.dtype(wide).itemsize):
            wide = found
    return None if wide is None else np.promote_types(wide, np.complex128).type


def widened(value: Any, dtype: Any) -> Any:
    """``value`` as an array of ``dtype`` (a complex type, ``complex_adjoints``) when it is
    a real ndarray, so later in-place updates can hold complex numbers; else ``value``
    (numbers are never updated in place)."""
    if type(value) is np.ndarray and value.dtype.kind != "c":
        return value.astype(np.promote_types(value.dtype, dtype))
    return value


def zeros_like_or_none(value: Any, dtype: Any = None) -> Any:
    """``np.zeros_like(value, dtype)``, or ``None`` for a value never assigned on this run."""
    return None if value is None else np.zeros_like(value, dtype)


class HeldValues(list):
    """A tape (tapearrays.py) that keeps each step's value itself, one entry per step.

    :func:`retape` makes one when a value would not fit a typed tape exactly;
    ``dtype`` is ``None`` so the generated store's test sends every later value
    to :func:`retape` too.
    """

    dtype = None


def float_tape(steps: range, *firsts: Any) -> Any:
    """A tape of one value per step of ``steps`` (listtapes.py) for a loop state that
    stays a float when each of ``firsts`` is one as the loop starts (floatstates.py).

    When every one of ``firsts`` is exactly a ``float`` and the loop has
    :data:`FLOAT_TAPE_STEPS` steps or more, ``len(steps)`` preallocated doubles (a
    ``memoryview`` of a ``bytearray`` cast to ``"d"``: 8 bytes per step, written faster
    than an ``array("d")``, whose items are parsed as format arguments); its rows read
    back as Python floats, exactly the floats stored (a double holds a float's bits),
    and ``reversed`` iterates over them.  Else a list of
    ``len(steps)`` entries that keeps each value itself: a float in a list costs 32
    bytes, but a list is written and read faster (no float is made again when the
    backward sweep reads it), so a short loop keeps one.
    """
    n = len(steps)
    if n >= FLOAT_TAPE_STEPS and all(type(v) is float for v in firsts):
        return memoryview(bytearray(8 * n)).cast("d")
    return [None] * n


#: The fewest steps whose float tape is an array of doubles (below, a list costs at most
#: 24 kB more and runs about 5% faster on a float loop).
FLOAT_TAPE_STEPS = 1000


def retape(tape: Any, row: int, value: Any) -> Any:
    """Store ``value`` as row ``row`` of ``tape`` and return the tape, a new one if need be.

    ``tape`` is an ``np.empty((steps, ...))`` array whose rows ``0 .. row-1`` hold
    earlier values of its dtype, or a :class:`HeldValues` (so is another library's
    array, when the code runs on its namespace: ``backends/``).  An ndarray of the row's
    shape and the tape's dtype is copied into the row; when nothing is stored yet,
    one of another dtype starts a tape of that dtype; anything else (another dtype
    later, a subclass, a value that is not an ndarray) turns the tape into a
    :class:`HeldValues` of the rows so far (exact: they have the tape's dtype) and
    the value itself.  No value is ever cast.
    """
    if type(tape) is np.ndarray:
        if type(value) is np.ndarray and value.shape == tape.shape[1:]:
            if value.dtype == tape.dtype:
                tape[row] = value
                return tape
            if row == 0:
                tape = np.empty(tape.shape, value.dtype)
                tape[0] = value
                return tape
    if type(tape) is not HeldValues:  # (or another library's array: backends/)
        held = HeldValues([None] * len(tape))
        for i in range(row):
            held[i] = tape[i]
        tape = held
    tape[row] = value
    return tape


def writable(array: Any) -> Any:
    """``array``, or a copy of it when it is a read-only NumPy array (a tangent that is a
    view made by ``np.broadcast_to``, about to be written into by forward-mode code)."""
    if type(array) is np.ndarray and not array.flags.writeable:
        return array.copy()
    return array


def copy_with_views(array: Any, *views: Any) -> tuple:
    """A copy of ``array`` and each of ``views`` seen in that copy where it lies in
    ``array`` (a view that shares no memory with it is returned as it is; a list or tuple
    of views, such as a tape of them, is rebased element by element into a new list).
    The backward sweep of ``vjp`` restores overwritten elements into its own copy of an
    array; the views it reads must see those restores too."""
    if not isinstance(array, np.ndarray):  # None (never assigned on this run), a list
        return (array if array is None else array.copy(), *views)
    if not (array.flags.c_contiguous or array.flags.f_contiguous):
        raise ValueError("srcxform: cannot rebase views of an array that is not contiguous")
    new = array.copy(order="K")
    start = array.__array_interface__["data"][0]

    def rebase(view: Any) -> Any:
        if isinstance(view, (list, tuple)):
            return type(view)(rebase(v) for v in view) if type(view) in (list, tuple) \
                else view
        if isinstance(view, np.ndarray) and np.shares_memory(view, array):
            offset = view.__array_interface__["data"][0] - start
            return np.ndarray(view.shape, view.dtype, buffer=new, offset=offset,
                              strides=view.strides)
        return view

    return (new, *(rebase(v) for v in views))


def require_sequence(value: Any, located: tuple) -> None:
    """Raise the ``TransformError`` ``located`` unless ``value`` can be walked by position
    (``value[0], value[1], ...``) as Python's loop walks it: a dict, a set or a dict view
    cannot (the compiled loop walks a parameter by index; ``loops.py``)."""
    if isinstance(value, (abc.Mapping, abc.Set, abc.MappingView, abc.Iterator)) or \
            not hasattr(value, "__getitem__"):
        message, filename, lineno, col, construct = located
        raise TransformError(message, filename=filename, lineno=lineno, col=col,
                             construct=construct)


def require_array(value: Any, count: int, located: tuple) -> None:
    """Raise the ``TransformError`` ``located`` unless ``value`` is a NumPy array of at least
    ``count`` axes: where ``z op= e`` writes through another name into an array the
    function made from ``value`` (``aliaswrites.py``), the generated code is right exactly
    then (for a number, Python rebinds ``z``)."""
    if not (isinstance(value, np.ndarray) and value.ndim >= count):
        message, filename, lineno, col, construct = located
        raise TransformError(message, filename=filename, lineno=lineno, col=col,
                             construct=construct)


def require_scalar_index(value: Any, count: int, located: tuple) -> None:
    """Raise the ``TransformError`` ``located`` (message, file, line, column, construct) unless
    ``value`` indexed by ``count`` integers is a number (``count`` 0: ``value`` is a number;
    else an array of at most ``count`` axes).  The generated code checks this on entry
    where ``z op= e`` was compiled as a rebinding, which is what Python does only when
    ``z`` holds no array (``arrayness.py``)."""
    if count == 0:
        ok = isinstance(value, numbers.Number)
    else:  # (a number has no axes: fewer than ``count``)
        ok = isinstance(value, numbers.Number) or \
            isinstance(value, np.ndarray) and value.ndim <= count
    if not ok:
        message, filename, lineno, col, construct = located
        raise TransformError(message, filename=filename, lineno=lineno, col=col,
                             construct=construct)


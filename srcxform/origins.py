"""Origins: which call of the user's source a line of generated code computes.

After :func:`register` (the loader calls it for every generated file), each
line of generated code that computes a primal call, its backward block or its
tangent maps to the user's call: ``(line, column, construct)`` in the file
the code was generated from.  :func:`locate` walks a stack (a frame or a
traceback) to the innermost line of generated code that has an origin and
returns the user's place; a line of code generated from generated code
(``hessian``, ``grad(grad(f))``) is followed back to the user's file.  The map
of a generated file goes with the last function compiled from it.

:func:`complex_refusal` is the located error of a complex value at a step
that has no complex derivative (``rules/complexes.py`` raises it when the
derivative reaches one); :func:`relocate` turns the ``TypeError`` of a
``math`` function given a complex value inside generated code into the same
kind of located error (:func:`math_located` around a call of generated code).
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .errors import ComplexDerivativeError

#: (line, column, construct) of a user's call.
Origin = tuple[int, int, str]


@dataclass(frozen=True)
class _FileOrigins:
    """The origins of one generated file: the user's file and line -> origin."""

    source: str
    lines: dict[int, Origin]


_FILES: dict[str, _FileOrigins] = {}
_lock = threading.Lock()


def register(filename: str, source: str, lines: dict[int, Origin]) -> None:
    """Record that line ``k`` of generated file ``filename`` computes ``lines[k]`` of the
    user's file ``source``."""
    if lines:
        with _lock:
            _FILES[filename] = _FileOrigins(source, dict(lines))


def forget(filename: str) -> None:
    """Drop the origins of a generated file whose code is gone."""
    with _lock:
        _FILES.pop(filename, None)


def origin_at(filename: str, line: int) -> tuple[str, int, int, str] | None:
    """``(file, line, column, construct)`` in the user's source that ``line`` of generated
    file ``filename`` computes (followed through generated files), or None."""
    found = None
    for _ in range(16):  # (a gradient of a gradient ... of f: a few files deep)
        known = _FILES.get(filename)
        if known is None or line not in known.lines:
            break
        at_line, col, construct = known.lines[line]
        found = (known.source, at_line, col, construct or (found[3] if found else ""))
        filename, line = known.source, at_line
    return found


def _frames(where: Any) -> list[tuple[str, int]]:
    """``(filename, line)`` of each frame of a traceback (outermost first) or of a frame and
    its callers (innermost first)."""
    out = []
    if isinstance(where, types.TracebackType):
        while where is not None:
            out.append((where.tb_frame.f_code.co_filename, where.tb_lineno))
            where = where.tb_next
        out.reverse()
        return out
    while where is not None:
        out.append((where.f_code.co_filename, where.f_lineno))
        where = where.f_back
    return out


def locate(where: Any) -> tuple[str, int, int, str] | None:
    """The user's ``(file, line, column, construct)`` of the innermost line of generated code
    with an origin on the stack ``where`` (a traceback, or a frame and its callers)."""
    for filename, line in _frames(where):
        if filename in _FILES:
            found = origin_at(filename, line)
            if found is not None:
                return found
    return None


HINT = ("differentiate the real and imaginary parts separately (pass them as real "
        "arguments), or apply it to real values only")


def complex_refusal(what: str) -> ComplexDerivativeError:
    """The error of a complex value at ``what``, a step with no complex derivative, located
    at the user's call the caller's generated code computes (when there is one)."""
    found = locate(sys._getframe(1))
    message = (f"the derivative of {what} at a complex value is not defined (it is not "
               "holomorphic); srcxform differentiates complex values only through "
               f"holomorphic functions: {HINT}")
    if found is None:
        return ComplexDerivativeError(message, construct=what)
    filename, line, col, construct = found
    return ComplexDerivativeError(message, filename=filename, lineno=line, col=col,
                                  construct=construct or what)


def relocate(exc: BaseException) -> None:
    """Raise a located ``ComplexDerivativeError`` for ``exc`` when it is the ``TypeError`` a
    ``math`` function raises for a complex value in generated code; else return."""
    if type(exc) is not TypeError or "complex" not in str(exc):
        return
    found = locate(exc.__traceback__)
    if found is None or not found[3].startswith("math."):
        return
    filename, line, col, construct = found
    name = construct.removesuffix("()")
    raise ComplexDerivativeError(
        f"{name} does not take complex values ({exc}); use cmath.{name[5:]} or "
        f"np.{name[5:]} for a complex argument (np.* of a complex value is differentiated "
        "where it is holomorphic)", filename=filename, lineno=line, col=col,
        construct=construct) from exc


@contextmanager
def math_located() -> Iterator[None]:
    """Run generated code with :func:`relocate` applied to a ``TypeError`` it raises."""
    try:
        yield
    except TypeError as exc:
        relocate(exc)
        raise

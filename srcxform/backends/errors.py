"""The error raised when an array library cannot do what generated code asks of it.

After import, :class:`NamespaceError` is the one exception a gradient run on
a non-NumPy namespace raises for something that namespace cannot do (an
in-place write on immutable JAX arrays, a NumPy function with no
counterpart, ``out=``); its message names the operation, the generated
function when known, and the namespace.
"""

from __future__ import annotations


class NamespaceError(TypeError):
    """An operation of generated code that the arguments' array namespace cannot run."""


def cannot(operation: str, namespace: str, where: str = "", why: str = "") -> NamespaceError:
    """A :class:`NamespaceError` saying ``namespace`` cannot run ``operation`` (in ``where``)."""
    place = f" in {where}" if where else ""
    reason = f": {why}" if why else ""
    return NamespaceError(f"srcxform: {operation}{place} cannot run on {namespace} arrays"
                          f"{reason}")

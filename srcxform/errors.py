"""The error users see when a construct cannot be transformed.

``TransformError`` always carries the file, line, column and construct, and
its message starts ``file:line:col:`` so editors can jump to it.
"""

from __future__ import annotations


class TransformError(ValueError):
    """Raised at transform time for Python that srcxform cannot differentiate."""

    def __init__(self, message: str, *, filename: str = "<unknown>", lineno: int = 0,
                 col: int = 0, construct: str = "") -> None:
        self.filename = filename
        self.lineno = lineno
        self.col = col
        self.construct = construct
        self.reason = message
        where = f"{filename}:{lineno}:{col}"
        what = f" [{construct}]" if construct else ""
        super().__init__(f"{where}: {message}{what}")


class ComplexDerivativeError(TransformError, TypeError):
    """A complex value at a step with no complex derivative (``abs``, ``real``, a ``math``
    function ...), located at the user's call.  Also a ``TypeError``: the value's type is
    what the step does not take."""

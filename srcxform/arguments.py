"""What the transforms read from the arguments of a call, shared by ``api`` and ``transforms``.

After import, :func:`shape_of_argument` gives the shape that keys a
specialization (``()`` for a Python number) and :func:`concrete` the real
generated function a shape dispatcher runs for given arguments.  (They live
here, not in ``api.py``, so that ``transforms.py`` need not import ``api.py``,
which imports it.)
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def shape_of_argument(value: Any) -> tuple[int, ...]:
    """The shape of an argument, as a specialization key."""
    kind = type(value)
    if kind is float or kind is int or kind is bool:
        return ()
    return tuple(np.shape(value))


def concrete(f: Callable[..., Any], args: tuple, kwargs: dict | None = None) -> Callable[..., Any]:
    """``f`` itself, or for a shape dispatcher made by ``grad`` the generated function it
    runs for these arguments (a real function with source, which can be transformed)."""
    specialize = getattr(f, "__srcxform_specialize__", None)
    return f if specialize is None else specialize(tuple(args), dict(kwargs or {}))

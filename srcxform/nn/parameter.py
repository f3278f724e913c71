"""``nn.Parameter``: a leaf tensor that modules register as trainable.

After import, ``Parameter(t)`` shares ``t``'s memory, requires grad (unless
told otherwise) and prints as ``Parameter containing:`` followed by the
tensor, as in PyTorch.  Operations on it give plain tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..runtime import Tensor, dtypes
from ..runtime.formatting import tensor_repr


class Parameter(Tensor):
    """A tensor that is a module parameter."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            value = np.zeros((0,), dtypes.default_numpy_dtype())
        elif isinstance(data, Tensor):
            value = data._value
        else:
            value = np.asarray(data)
        self._value = value
        self._requires_grad = False
        self._grad = None
        self._grad_fn = None
        self._retains_grad = False
        self._accumulator = None
        self.requires_grad = requires_grad

    def __repr__(self) -> str:
        return "Parameter containing:\n" + tensor_repr(self)

    __str__ = __repr__

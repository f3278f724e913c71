"""srcxform: source-transformation AD for NumPy code, and a PyTorch-style eager runtime.

The public names of the contract (shared/API.md) and nothing else.
"""

from . import rules  # noqa: F401  (registers the built-in derivative table)
from .api import grad, source, value_and_grad
from .errors import TransformError

__all__ = ["TransformError", "grad", "source", "value_and_grad"]

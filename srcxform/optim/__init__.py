"""``srcxform.optim``: ``SGD``, ``Adam`` and ``AdamW`` over tensors' ``.grad``.

After import, ``import srcxform.optim as optim`` offers optimizers that take
``model.parameters()`` (or a list of leaf tensors, or parameter groups) and
update them in place from their gradients, as PyTorch's do.
"""

from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]

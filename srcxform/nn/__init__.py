"""``srcxform.nn``: modules, parameters, losses, ``functional`` and ``init``, PyTorch-style.

After import, ``import srcxform.nn as nn`` offers what PyTorch's ``torch.nn``
offers for small models: ``Module``, ``Parameter``, ``Linear``, activations,
containers, ``MSELoss``, ``BCEWithLogitsLoss``, ``CrossEntropyLoss``, and the
``functional`` and ``init`` modules.
"""

from . import functional, init
from .layers import (
    Flatten,
    Identity,
    Linear,
    LogSoftmax,
    ModuleList,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
)
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from .module import Module
from .parameter import Parameter

__all__ = [
    "BCEWithLogitsLoss", "CrossEntropyLoss", "Flatten", "Identity", "Linear", "LogSoftmax",
    "MSELoss", "Module", "ModuleList", "Parameter", "ReLU", "Sequential", "Sigmoid", "Softmax",
    "Softplus", "Tanh", "functional", "init",
]

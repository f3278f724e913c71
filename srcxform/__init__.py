"""srcxform: source-transformation AD for NumPy code, and a PyTorch-style eager runtime.

The public names of the contract (shared/API.md): the transforms (``grad``,
``value_and_grad``, ``vjp``, ``jvp``, ``hessian``, ``hvp``, ``source``,
``TransformError``), the array namespaces (``computed``, ``NamespaceError``:
``backends``), the bridge (``adjoint``, ``compile``), the eager runtime
(``tensor``, ``Tensor``, grad mode, ``nn``, ``optim``, ...), ``testing``, and the
pytree utilities ``tree`` (``sx.flatten`` is ``sx.tree.flatten``).
"""

from . import (  # noqa: E402,F401,I001  (they import the runtime)
           nn,
           optim,
           rules,  # noqa: F401  (registers the built-in derivative table)
           testing,
)
from .api import grad, source, value_and_grad
from .transforms import hessian, hvp, jvp, jvp_fn, vjp
from .bridge import adjoint, compile  # noqa: A004  (sx.compile)
from .backends import NamespaceError, computed
from .compiler.primitives import stops_gradient
from .errors import TransformError
from .runtime import *  # noqa: F401,F403  (eager runtime)
from .runtime import __all__ as _runtime_names
from .runtime import detach
from . import tree  # noqa: E402,I001  (after the runtime: sx.flatten is the pytree flatten)
from .tree import flatten  # noqa: E402,F401  (in the runtime's __all__ already)

stops_gradient(detach)

__all__ = ["NamespaceError", "TransformError", "adjoint", "compile", "computed", "grad",
           "hessian", "hvp", "jvp", "jvp_fn",
           "nn", "optim", "source", "testing", "tree", "value_and_grad", "vjp",
           *_runtime_names]

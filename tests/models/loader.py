"""Each corpus program as NumPy runs it, and the same source run under HIPS autograd.

``real(name)`` imports ``tests.models.programs.<name>`` normally.
``twin(name)`` executes the *same source text* as a fresh module in which
``import numpy`` yields ``autograd.numpy`` (``numpy.random``, ``numpy.linalg``
likewise), ``import scipy...`` yields ``autograd.scipy...`` and ``import
srcxform`` yields :data:`SX_FOR_AUTOGRAD` (``grad`` is autograd's, ``flatten``
is ``autograd.misc.flatten``).  So factories, closures, classes and
module-level data are all built by the twin's own code, and every helper the
program calls sees autograd's NumPy.  Module-level random data is drawn from
seeded generators, so both modules hold equal values.
"""

from __future__ import annotations

import builtins
import functools
import importlib
import types
from typing import Any

PACKAGE = "tests.models.programs"


def real(name: str) -> types.ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _sx_for_autograd() -> types.SimpleNamespace:
    import autograd
    from autograd.misc import flatten

    def grad(f, wrt=0):
        return autograd.grad(f, wrt)

    def value_and_grad(f, wrt=0):
        return autograd.value_and_grad(f, wrt)

    return types.SimpleNamespace(grad=grad, value_and_grad=value_and_grad, flatten=flatten)


def _autograd_import(name: str, globals=None, locals=None, fromlist=(), level=0):
    if level == 0:
        top = name.split(".")[0]
        if top in ("numpy", "scipy"):
            module = importlib.import_module(f"autograd.{name}")
            return module if fromlist else importlib.import_module(f"autograd.{top}")
        if top == "srcxform":
            return _sx_for_autograd()
    return builtins.__import__(name, globals, locals, fromlist, level)


@functools.cache
def twin(name: str) -> types.ModuleType:
    """The program's source executed with autograd's NumPy, SciPy and gradient."""
    import autograd.numpy.linalg  # noqa: F401  (submodules the programs may import)
    import autograd.numpy.random  # noqa: F401
    import autograd.scipy.special  # noqa: F401
    import autograd.scipy.stats  # noqa: F401

    original = real(name)
    path = original.__file__
    with open(path) as handle:
        text = handle.read()
    module = types.ModuleType(f"{PACKAGE}.{name}__autograd")
    module.__file__ = path
    patched = dict(vars(builtins))
    patched["__import__"] = _autograd_import
    module.__dict__["__builtins__"] = patched
    exec(compile(text, path, "exec"), module.__dict__)
    return module


def entry(module: types.ModuleType, entry_name: str) -> tuple[Any, tuple]:
    """``(function, arguments)`` as the program's entry function builds them."""
    fn, args = getattr(module, entry_name)()
    return fn, tuple(args)

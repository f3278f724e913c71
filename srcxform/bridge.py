"""The bridge between the compiler and the eager runtime: ``adjoint`` and ``compile``.

After import:

* ``adjoint(fn)`` is a decorator over a rule ``rule(g, out, *args)``.  It
  enters the rule in the one table under ``fn``, so transformed code that
  calls ``fn`` uses it (inlined when its body is plain statements, called
  otherwise), and it makes the module-level name ``fn`` dispatch: called on
  Tensors, ``fn`` records one graph node whose backward runs the rule;
  called on anything else, it is ``fn`` itself.  Registering again for the
  same function (or its dispatcher) replaces the rule everywhere: the table
  (whose new version makes every cached gradient that may use it rebuild),
  the one dispatcher of ``fn``, hence the eager runtime, ``vjp`` and
  ``compile``.
* ``rule_caller(fn)`` is, for a function with a registered rule, a function
  of the same parameters that calls it, so ``grad(fn)`` (and
  ``sx.testing.check_grad``) differentiates through the rule, not ``fn``'s
  body.
* ``compile(f)`` returns a function that, called on Tensors that require
  grad, runs ``f``'s generated forward sweep and returns a Tensor whose
  single ``grad_fn`` (``CompiledFunctionBackward``) runs the generated
  backward sweep on the saved residuals.  Without such a Tensor, or under
  ``no_grad``, it runs ``f`` and records nothing.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import itertools
import weakref
from typing import Any, Callable

import numpy as np

from . import rules
from .cache import bind_all, specialized
from .compiler.loader import register
from .rules import Rule
from .runtime import graph
from .runtime.grad_mode import _mode

#: The one dispatcher of each function with a rule registered by ``adjoint`` (by id of
#: the function; the table keeps those functions alive).
_DISPATCHERS: dict[int, Callable[..., Any]] = {}


def _has_tensor(values: Any) -> bool:
    for v in values:
        if isinstance(v, graph.TensorType):
            return True
        if type(v) in (list, tuple) and any(isinstance(e, graph.TensorType) for e in v):
            return True
    return False


def adjoint(fn: Callable[..., Any]) -> Callable[[Callable[..., tuple]], Callable[..., tuple]]:
    """Use the decorated rule as the derivative of ``fn`` (compiler and eager runtime).

    The rule has the built-in rules' signature: ``rule(g, out, *args, **kwargs)``
    with ``fn``'s parameters after ``g`` (the output's cotangent) and ``out``
    (the result), returning a tuple with one gradient per positional argument
    of ``fn`` (``None`` where there is none).  Returns the rule unchanged.
    """
    if not callable(fn):
        raise TypeError(f"sx.adjoint expects the function the rule differentiates, got "
                        f"{type(fn).__name__}")
    original = getattr(fn, "__srcxform_primal__", fn)

    def decorate(rule: Callable[..., tuple]) -> Callable[..., tuple]:
        if not callable(rule):
            raise TypeError("sx.adjoint(fn) decorates a rule function def rule(g, out, *args)")
        params = list(inspect.signature(rule).parameters)
        if params[:2] != ["g", "out"]:
            raise TypeError(f"the rule {rule.__name__} must start with the parameters (g, out, "
                            f"...), got ({', '.join(params)})")
        name = getattr(original, "__name__", "custom")
        dispatch = _DISPATCHERS.get(id(original))
        if dispatch is None:
            dispatch = _DISPATCHERS[id(original)] = _dispatcher(original)
        rules.register(original, dispatch, backward_name=f"{name}Backward")(rule)
        dispatch.__srcxform_rule__ = rule.__srcxform_rule__
        module_globals = getattr(original, "__globals__", None)
        if module_globals is not None and module_globals.get(name) is original:
            module_globals[name] = dispatch  # calls of ``fn`` by name now dispatch
        rule.primal = dispatch
        return rule

    return decorate


def _dispatcher(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def dispatch(*args: Any, **kwargs: Any) -> Any:
        if _has_tensor(args) or _has_tensor(kwargs.values()):
            entry = dispatch.__srcxform_rule__
            return graph.record(fn, entry, args, kwargs, name=entry.backward_name)
        return fn(*args, **kwargs)

    dispatch.__srcxform_primal__ = fn
    return dispatch


_callers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_caller_count = itertools.count(1)


def rule_caller(fn: Callable[..., Any]) -> Callable[..., Any] | None:
    """For ``fn`` (or its dispatcher) with a rule from :func:`adjoint`: a function with
    ``fn``'s parameters whose body calls ``fn``, so transforms of it use the rule."""
    original = getattr(fn, "__srcxform_primal__", fn)
    dispatch = _DISPATCHERS.get(id(original))
    if dispatch is None or not inspect.isfunction(original):
        return None
    made = _callers.get(original)
    if made is not None and made[0] is original.__code__:
        made[1].__defaults__ = original.__defaults__  # as they are now (the cache checks)
        made[1].__kwdefaults__ = original.__kwdefaults__
        return made[1]
    code = original.__code__
    params = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    if code.co_flags & 0x0C:  # *args/**kwargs: transforms refuse them, say where
        return None
    positional = params[:code.co_argcount]
    keywords = params[code.co_argcount:]
    name = original.__name__ if original.__name__.isidentifier() else "fn"
    if name in params:
        return None
    signature = ", ".join(positional + (["*", *keywords] if keywords else []))
    call = ", ".join(positional + [f"{k}={k}" for k in keywords])
    text = f"def {name}({signature}):\n    return {name}({call})\n"
    filename = f"<srcxform call of {name} #{next(_caller_count)}>"
    namespace = {"__builtins__": __builtins__, "__name__": original.__module__}
    exec(builtins.compile(text, filename, "exec"), namespace)
    caller = namespace[name]
    namespace[name] = dispatch  # the name in its body is the function with the rule
    caller.__defaults__ = original.__defaults__
    caller.__kwdefaults__ = original.__kwdefaults__
    caller.__qualname__ = getattr(original, "__qualname__", name)
    caller.__module__ = original.__module__
    register(filename, text, [caller.__code__])
    _callers[original] = (code, caller)
    return caller


def _backward_rule(made: Any, wrt: tuple[int, ...], name: str) -> Rule:
    """A rule whose ``vjp`` runs the generated backward sweep (residuals are the last arg)."""
    backward = made.backward

    def compiled_backward(g, out, *args):
        grads = backward(args[-1][0], g)
        found = [None] * (len(args) - 1)
        for k, pos in enumerate(wrt):
            found[pos] = grads[k]
        return tuple(found)

    return Rule(name=name, vjp=compiled_backward, backward_name="CompiledFunctionBackward",
                signature=inspect.signature(compiled_backward))


def compile(f: Callable[..., Any] | None = None) -> Any:  # noqa: A001  (sx.compile)
    """``f`` as one node of the eager graph, differentiated by generated code.

    Usable as ``@sx.compile``.  ``f`` is plain NumPy code returning one array;
    the positional arguments that are Tensors requiring grad are
    differentiated, all others are constants.
    """
    if f is None:
        return compile
    if not callable(f):
        raise TypeError(f"sx.compile expects a function, got {type(f).__name__}")

    @functools.wraps(f)
    def compiled(*args: Any, **kwargs: Any) -> Any:
        wrt = tuple(i for i, a in enumerate(args)
                    if isinstance(a, graph.TensorType) and a.requires_grad)
        for key, value in kwargs.items():
            if isinstance(value, graph.TensorType) and value.requires_grad and _mode.enabled:
                raise TypeError(f"{f.__qualname__}: sx.compile differentiates positional "
                                f"arguments; pass {key!r} positionally")
        raw_args = [graph.unwrap(a) for a in args]
        raw_kwargs = {k: graph.unwrap(v) for k, v in kwargs.items()}
        if not wrt or not _mode.enabled:
            if not _has_tensor(args) and not _has_tensor(kwargs.values()):
                return f(*args, **kwargs)
            return graph.wrap(np.asarray(f(*raw_args, **raw_kwargs)))
        names, values = bind_all(f, tuple(raw_args), raw_kwargs)
        made = specialized(f, "vjp", wrt, names, values)
        rule = getattr(made, "compiled_rule", None)  # one per generated version
        if rule is None or rule[0] != wrt:
            rule = (wrt, _backward_rule(made, wrt, f.__name__))
            made.compiled_rule = rule
        rule = rule[1]
        holder: list = []

        def run(*raw: Any) -> Any:
            value, residuals = made.fn(*values)
            if isinstance(value, tuple):
                what = "a tuple" if made.result_layout is None else "a pytree with dicts"
                raise TypeError(f"sx.compile: {f.__qualname__} returns {what}; a compiled "
                                "function returns one array")
            raw[-1].append(residuals)
            return value

        return graph.record(run, rule, list(args) + [holder], None,
                            name="CompiledFunctionBackward")

    compiled.__srcxform_compiled__ = f
    return compiled

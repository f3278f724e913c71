"""Graph nodes and the one function that records an operation.

After import, :func:`record` runs any primitive of the rule table on tensors:
it unwraps the arguments, runs the NumPy forward, and, when grad mode is on
and an argument requires grad, returns a non-leaf tensor whose ``grad_fn`` is
a :class:`Node`.  A node's class is named after the table's
``backward_name`` (``MulBackward0`` ...), so ``repr(t.grad_fn)`` reads as in
PyTorch.  A node only remembers what its rule needs: the raw primal arguments,
the result and one edge per input that requires grad.  Derivatives are never
computed here: :meth:`Node.input_grads` calls the table's rule and passes
elementwise gradients through ``rules.unbroadcast``.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import weakref
from dataclasses import replace
from typing import Any, Callable

import numpy as np

from ..rules import Rule, unbroadcast
from . import dtypes, messages
from .grad_mode import _mode

#: The Tensor class (tensor_class.py imports this module, so it is not imported here).
Tensor = Any


#: The Tensor class, bound by ``tensor_class.py`` once it exists (which imports this module).
TensorType: Any = None


def bind_tensor_class(cls: type) -> None:
    """Tell the recorder which class to build results from."""
    global TensorType
    TensorType = cls


def wrap(value: np.ndarray, requires_grad: bool = False) -> Tensor:
    """A new leaf tensor over ``value`` (no copy)."""
    t = TensorType.__new__(TensorType)
    t._value = value
    t._requires_grad = requires_grad
    t._grad = None
    t._grad_fn = None
    t._retains_grad = False
    t._accumulator = None
    return t


def _result(value: np.ndarray, node: Node) -> Tensor:
    t = TensorType.__new__(TensorType)
    t._value = value
    t._requires_grad = True
    t._grad = None
    t._grad_fn = node
    t._retains_grad = False
    t._accumulator = None
    return t


class Node:
    """One recorded operation; subclasses carry PyTorch's grad_fn names."""

    __slots__ = ("_rule", "_args", "_kwargs", "_out", "_edges", "_arity", "_freed",
                 "_retained", "__weakref__")

    def __init__(self, rule: Rule, args: list, kwargs: dict, out: np.ndarray,
                 edges: list, arity: int) -> None:
        self._rule = rule
        self._args = args
        self._kwargs = kwargs
        self._out = out
        self._edges = edges  # (position, item or -1, input tensor, its grad_fn then)
        self._arity = arity
        self._freed = False
        self._retained = None

    def name(self) -> str:
        """PyTorch's name of this node, e.g. ``"MulBackward0"``."""
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    @property
    def next_functions(self) -> tuple:
        """``(node, 0)`` per operand: its grad_fn, an AccumulateGrad, or None."""
        by_pos: dict[int, Any] = {}
        for pos, _item, t, fn in self._edges:
            by_pos.setdefault(pos, fn if fn is not None else accumulator_of(t))
        return tuple((by_pos.get(i), 0) for i in range(self._arity))

    def input_grads(self, g: np.ndarray) -> list[tuple[Tensor, Node | None, np.ndarray]]:
        """Run the rule: ``(input tensor, its grad_fn, gradient)`` per edge with a gradient."""
        if self._freed:
            raise RuntimeError(messages.SECOND_BACKWARD)
        args = self._args
        grads = self._rule.vjp(g, self._out, *args, **self._kwargs)
        n = len(grads)
        elementwise = self._rule.elementwise
        found = []
        for pos, item, t, fn in self._edges:
            gi = grads[pos] if pos < n else None
            if gi is None and self._rule.no_derivative:
                _check_derivative(self._rule, pos)
            if gi is None:
                continue
            if item >= 0:
                gi = gi[item]
            elif elementwise:
                gi = unbroadcast(gi, args[pos])
            found.append((t, fn, gi))
        return found

    def release(self) -> None:
        """Free what the rule reads by value; a later run then raises (as PyTorch)."""
        if _needs_values(self):
            self._freed = True
            self._args = self._kwargs = self._out = None
            return
        # Only shapes are read: keep zero-stride stand-ins, the node stays runnable.
        self._args = [_shape_only(a) for a in self._args]
        self._out = _shape_only(self._out)


def _shape_only(a: Any) -> Any:
    """A zero-stride stand-in of the same shape and dtype for a large array."""
    if type(a) is np.ndarray and a.size > 64 and any(a.strides):
        return np.broadcast_to(np.zeros((), a.dtype), a.shape)
    return a


def _check_derivative(rule: Rule, pos: int) -> None:
    """Raise for a tensor that requires grad in an argument the table has no derivative of."""
    params = rule.primal_params
    name = params[pos] if pos < len(params) else None
    if name in rule.no_derivative:
        raise NotImplementedError(f"srcxform has no derivative of {rule.name} with respect to "
                                  f"its argument {name!r}; detach it")


class AccumulateGrad:
    """The node that adds a leaf's gradient into ``.grad`` (as PyTorch names it)."""

    __slots__ = ("variable", "__weakref__")

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"

    next_functions: tuple = ()


def accumulator_of(t: Tensor) -> AccumulateGrad | None:
    """The (cached) AccumulateGrad of a leaf that requires grad, else None."""
    if not t._requires_grad or t._grad_fn is not None:
        return t._grad_fn
    acc = t._accumulator
    if acc is None:
        acc = t._accumulator = AccumulateGrad(t)
    return acc


_NODE_CLASSES: dict[str, type] = {}


def node_class(name: str) -> type:
    """The Node subclass called ``name`` (made once)."""
    cls = _NODE_CLASSES.get(name)
    if cls is None:
        cls = _NODE_CLASSES[name] = type(name or "Backward", (Node,), {"__slots__": ()})
    return cls


# --- which saved values a rule reads --------------------------------------------------

_SHAPE_FUNCTIONS = {"np.shape", "np.ndim", "np.size", "np.zeros_like", "np.ones_like",
                    "np.empty_like", "numpy.shape", "numpy.ndim", "numpy.size"}
_SHAPE_ATTRIBUTES = {"shape", "ndim", "size", "dtype"}
_VALUE_NAMES: dict[int, frozenset[str] | None] = {}


class _ValueReads(ast.NodeVisitor):
    """Names a rule body reads other than through their shape."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        self.names.add(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if not (node.attr in _SHAPE_ATTRIBUTES and isinstance(node.value, ast.Name)):
            self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        callee = ast.unparse(node.func)
        if callee in _SHAPE_FUNCTIONS:
            rest = [a for a in node.args if not isinstance(a, ast.Name)]
        elif callee.endswith("unbroadcast") and len(node.args) == 2:
            rest = [node.args[0]]  # the second operand only lends its shape
        else:
            rest = node.args
        for a in rest:
            self.visit(a)
        for k in node.keywords:
            self.visit(k)
        self.visit(node.func)


def value_names(fn: Callable) -> frozenset[str] | None:
    """Parameters a rule reads by value (None when its source is unavailable)."""
    key = id(fn)
    if key not in _VALUE_NAMES:
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
            reads = _ValueReads()
            for stmt in tree.body[0].body:  # type: ignore[attr-defined]
                reads.visit(stmt)
            _VALUE_NAMES[key] = frozenset(reads.names)
        except (OSError, TypeError, SyntaxError, IndexError, AttributeError):
            _VALUE_NAMES[key] = None
    return _VALUE_NAMES[key]


_PLANS: dict[int, tuple] = {}


def _plan(rule: Rule) -> tuple:
    """``(names read by value or None, positional parameter names, *args name)`` of a rule."""
    plan = _PLANS.get(id(rule))
    if plan is None:
        params = rule.signature.parameters.values()
        positional = [p.name for p in params
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][2:]
        star = next((p.name for p in params if p.kind == p.VAR_POSITIONAL), None)
        plan = _PLANS[id(rule)] = (value_names(rule.vjp), positional, star, rule)
    return plan


def _needs_values(node: Node) -> bool:
    names, positional, star, _ = _plan(node._rule)
    if names is None or "out" in names:
        return True
    for i, a in enumerate(node._args):
        if _holds_array(a):
            pname = positional[i] if i < len(positional) else star
            if pname is None or pname in names:
                return True
    return any(_holds_array(v) and k in names for k, v in node._kwargs.items())


def _holds_array(a: Any) -> bool:
    if isinstance(a, np.ndarray):
        return True
    return isinstance(a, (list, tuple)) and any(isinstance(e, np.ndarray) for e in a)


# --- recording ------------------------------------------------------------------------

def _result_dtype_fix(out: np.ndarray, raw: list) -> np.ndarray:
    """Give float64 results PyTorch's dtype: ints and Python floats make the default."""
    dims64 = dims32 = False
    for a in raw:
        items = a if isinstance(a, (list, tuple)) else (a,)
        for e in items:
            if isinstance(e, np.ndarray) and e.dtype.kind == "f":
                if e.dtype == dtypes.F64:
                    if e.ndim:
                        return out
                    dims64 = True
                elif e.ndim:
                    dims32 = True
                    low = e.dtype
    if dims32:
        return out.astype(low)
    if dims64:
        return out
    default = dtypes.default_numpy_dtype()
    return out if default == dtypes.F64 else out.astype(default)


def unwrap(a: Any) -> Any:
    """The raw value of a tensor (lists and tuples of tensors element-wise)."""
    if isinstance(a, TensorType):
        return a._value
    if isinstance(a, (list, tuple)):
        return type(a)(e._value if isinstance(e, TensorType) else e for e in a)
    return a


def record(forward: Callable, rule: Rule, args: tuple | list, kwargs: dict | None = None,
           name: str | None = None, promote: bool = True) -> Tensor:
    """Run ``forward`` on the raw values of ``args`` and record ``rule`` for backward.

    ``name`` overrides the node's class name; ``promote=False`` keeps a float64
    result that PyTorch's promotion would otherwise narrow (explicit casts).
    """
    raw = []
    edges = None
    arity = 0
    for i, a in enumerate(args):
        if isinstance(a, TensorType):
            raw.append(a._value)
            arity = i + 1
            if a._requires_grad:
                if edges is None:
                    edges = []
                edges.append((i, -1, a, a._grad_fn))
        elif type(a) in (list, tuple) and any(isinstance(e, TensorType) for e in a):
            raw.append(type(a)(e._value if isinstance(e, TensorType) else e for e in a))
            arity = i + 1
            for j, e in enumerate(a):
                if isinstance(e, TensorType) and e._requires_grad:
                    if edges is None:
                        edges = []
                    edges.append((i, j, e, e._grad_fn))
        else:
            raw.append(a)
    if kwargs:
        kwargs = {k: unwrap(v) for k, v in kwargs.items()}
    else:
        kwargs = {}
    if edges is not None and rule.refuse is not None and _mode.enabled:
        why = rule.refusal(dict(rule.bind(*raw, **kwargs).arguments))
        if why is not None:
            raise NotImplementedError(f"srcxform cannot differentiate {rule.name}: {why}")
    out = forward(*raw, **kwargs)
    if rule.multi_output and isinstance(out, tuple):
        return _record_parts(rule, raw, kwargs, out, edges, arity, name)
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    if out.dtype == dtypes.F64 and promote and kwargs.get("dtype") is None:
        out = _result_dtype_fix(out, raw)
    if edges is None or not _mode.enabled:
        return wrap(out)
    if out.dtype.kind == "c":
        raise RuntimeError(messages.COMPLEX_RESULT)
    cls = _NODE_CLASSES.get(name or rule.backward_name) or node_class(name or rule.backward_name)
    node = cls(rule, raw, kwargs, out, edges, len(raw) if rule.elementwise else arity)
    return _result(out, node)


def _part_rule(rule: Rule, k: int) -> Rule:
    """``rule`` seen from output ``k`` of its tuple: the cotangent is zero elsewhere."""
    key = (id(rule), k)
    part = _PART_RULES.get(key)
    if part is None:
        def vjp(g, out, *args, **kwargs):
            full = tuple(g if i == k else np.zeros_like(o) for i, o in enumerate(out))
            return rule.vjp(full, out, *args, **kwargs)

        part = _PART_RULES[key] = replace(rule, vjp=vjp)
    return part


_PART_RULES: dict[tuple[int, int], Rule] = {}


def _record_parts(rule: Rule, raw: list, kwargs: dict, out: tuple, edges: list | None,
                  arity: int, name: str | None) -> tuple:
    """The tensors of a multi-output primitive (``eigh``, ``slogdet``, ``svd``): one node
    per output, each running the rule with a cotangent that is zero on the others."""
    parts = tuple(np.asarray(o) for o in out)
    if edges is None or not _mode.enabled:
        values = [wrap(p) for p in parts]
    else:
        cls = node_class(name or rule.backward_name)
        values = [_result(p, cls(_part_rule(rule, k), raw, kwargs, parts, edges, arity))
                  for k, p in enumerate(parts)]
    return type(out)(*values) if hasattr(out, "_fields") else tuple(values)


def retain(t: Tensor) -> None:
    """Make backward store ``t``'s gradient in ``t.grad`` (``retain_grad``)."""
    t._grad_fn._retained = weakref.ref(t)

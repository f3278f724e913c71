"""What a normalized statement computes, in terms of the rule table.

:func:`classify` maps each normalized statement to an :class:`Op`: which rule
(if any) differentiates it, which atoms are its primal arguments, and through
which local names a gradient can flow.  Activity analysis and the reverse
pass both read this, so they can never disagree about a statement.
"""

from __future__ import annotations

import ast
import inspect
import operator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import rules
from ..rules import Rule
from . import anno
from .support import complex_adjoints, scalar_seed, widened, zeros_like_or_none

#: Python operators and the NumPy ufunc whose rule differentiates them.
BINOPS: dict[type, Any] = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.true_divide,
    ast.Pow: np.power, ast.MatMult: np.matmul, ast.Mod: np.remainder,
}
UNARYOPS: dict[type, Any] = {ast.USub: np.negative, ast.UAdd: np.positive}

#: Callables that return their argument with the gradient stopped.
STOP_GRADIENT: set[int] = set()


# the cotangent seed and the zeros of generated gradient code are constants (for transforms
# of generated code: hessian, grad of grad)
rules.nondifferentiable(scalar_seed, zeros_like_or_none, complex_adjoints)


@rules.register(widened, linear=True)
def _widened(g, out, value, dtype):
    return (g,)  # the identity on values (a complex copy of a real array)



def stops_gradient(fn: Any) -> None:
    """Declare ``fn(x)`` as returning ``x`` with its gradient stopped (``sx.detach``)."""
    STOP_GRADIENT.add(id(fn))


@dataclass
class Op:
    """The differentiation-relevant reading of one normalized statement."""

    kind: str  # "rule", "copy", "pack", "unpack", "nondiff", "unknown", "effect"
    rule: Rule | None = None
    args: list[ast.expr] = field(default_factory=list)
    keywords: dict[str, ast.expr] = field(default_factory=dict)
    what: str = ""
    node: ast.AST | None = None

    def flow_names(self) -> list[str]:
        """Local names whose gradient this statement may need."""
        if self.kind in ("nondiff", "effect"):
            return []
        args = list(self.args)
        if self.kind == "rule" and self.rule is not None:
            # arguments registered without a tangent (``unbroadcast``'s ``like``: only its
            # shape is read) carry no derivative either way
            declared = rules.tangents_of(self.rule) or ()
            args = [a for i, a in enumerate(args)
                    if not (i < len(declared) and declared[i] is None)]
        exprs = args + list(self.keywords.values())
        return [e.id for e in exprs if isinstance(e, ast.Name) and not _is_global(e)]


def _is_global(node: ast.AST) -> bool:
    return anno.get(node, anno.GLOBAL, False)


def targets(stmt: ast.stmt) -> list[str]:
    """Names a normalized statement assigns."""
    if anno.get(stmt, anno.APPEND, False):
        return [stmt.value.func.value.id]  # appending changes the list
    if isinstance(stmt, ast.Assign):
        t = stmt.targets[0]
        if isinstance(t, ast.Name):
            return [t.id]
        if isinstance(t, ast.Tuple):
            return [e.id for e in t.elts]
        if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
            return [t.value.id]  # an element write changes the array
    return []


def is_basic_index_syntax(index: ast.expr) -> bool:
    """True when an index is made only of int constants, slices, None and ``...``."""
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    for p in parts:
        if isinstance(p, ast.Slice):
            continue
        if isinstance(p, ast.Constant) and (p.value is None or p.value is Ellipsis or (
                isinstance(p.value, int) and not isinstance(p.value, bool))):
            continue
        if isinstance(p, ast.Name) and anno.get(p, anno.INT, False):
            continue  # a name that only ever holds an int (a loop counter, a length)
        return False
    return True


#: ``tuple_outputs`` of a call whose count depends on an option that is not a constant.
UNKNOWN_OUTPUTS = -1


def _constant_options(op: Op, fn: Any) -> dict[str, Any] | None:
    """The values of the call's arguments that ``fn``'s parameters name, all constants;
    ``None`` when one of them is a variable (or the call cannot be bound)."""
    try:
        bound = op.rule.arguments(op.args, op.keywords)
    except TypeError:
        return {}  # the reverse and forward passes report the call they cannot bind
    asked = set(inspect.signature(fn).parameters)
    options = {}
    for name, value in bound.items():
        if name not in asked:
            continue
        if isinstance(value, ast.Constant):
            value = value.value
        elif isinstance(value, ast.AST):
            return None
        options[name] = value
    return options


def tuple_outputs(op: Op) -> int:
    """How many values the primitive of a rule op returns as a tuple (0: one value).

    Read from the rule's ``multi_output`` and the call's constant options;
    ``UNKNOWN_OUTPUTS`` when that depends on an option given as a variable.
    """
    rule = op.rule
    if op.kind != "rule" or rule is None or not rule.multi_output:
        return 0
    if not callable(rule.multi_output):
        return rule.multi_output
    options = _constant_options(op, rule.multi_output)
    return UNKNOWN_OUTPUTS if options is None else rule.outputs(options)


def refusal(op: Op) -> str | None:
    """Why the rule cannot differentiate this call's constant options (``Rule.refuse``)."""
    if op.rule is None or op.rule.refuse is None:
        return None
    options = _constant_options(op, op.rule.refuse)
    return None if options is None else op.rule.refusal(options)


def _callee_text(func: ast.expr) -> str:
    """``ast.unparse(func)``; of a dotted name (``np.linalg.norm``) joined directly."""
    parts = []
    node = func
    while node.__class__ is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if node.__class__ is not ast.Name:
        return ast.unparse(func)
    parts.append(node.id)
    return ".".join(reversed(parts))


def classify(stmt: ast.stmt) -> Op:
    """Read a normalized statement as an :class:`Op`."""
    if anno.get(stmt, anno.APPEND, False):
        call = stmt.value
        if anno.get(stmt, anno.POPPED, False):  # reverse mode cannot undo a pop-and-append
            return Op("unknown", args=[call.func.value, call.args[0]],
                      what="list.append on a list that is also popped", node=call)
        return Op("append", args=[call.func.value, call.args[0]], what="list.append", node=call)
    if not isinstance(stmt, ast.Assign):
        return Op("effect", node=stmt)
    if anno.get(stmt, anno.NOGRAD, False):
        return Op("nondiff", node=stmt.value)
    target = stmt.targets[0]
    value = stmt.value
    if isinstance(target, ast.Subscript):
        return Op("setitem", args=[target.value, value], what="element write", node=target)
    if isinstance(target, ast.Tuple):
        return Op("unpack", args=[value], what="tuple unpacking", node=value)
    if isinstance(value, ast.Name):
        if _is_global(value):
            return Op("nondiff", node=value)
        return Op("copy", args=[value], what="assignment", node=value)
    if isinstance(value, ast.Constant) or _is_global(value) or isinstance(value, ast.JoinedStr):
        return Op("nondiff", node=value)
    if isinstance(value, ast.BinOp):
        fn = BINOPS.get(type(value.op))
        what = f"operator {type(value.op).__name__}"
        if fn is None:
            return Op("nondiff", node=value)
        return Op("rule", rules.lookup(fn), [value.left, value.right], what=what, node=value)
    if isinstance(value, ast.UnaryOp):
        fn = UNARYOPS.get(type(value.op))
        if fn is None:
            return Op("nondiff", node=value)
        return Op("rule", rules.lookup(fn), [value.operand], what="unary operator", node=value)
    if isinstance(value, (ast.Compare, ast.BoolOp)):
        return Op("nondiff", node=value)
    if isinstance(value, (ast.Tuple, ast.List)):
        return Op("pack", args=list(value.elts), what="tuple", node=value)
    if isinstance(value, ast.Attribute):
        attr = value.attr
        if attr in rules.NONDIFF_ATTRIBUTES:
            return Op("nondiff", node=value)
        rule = rules.lookup_attribute(attr)
        kind = "rule" if rule else "unknown"
        return Op(kind, rule, [value.value], what=f"attribute .{attr}", node=value)
    if isinstance(value, ast.Subscript) and anno.has(value, anno.INDEX_RULE):
        # an object the table differentiates when indexed (np.r_[items])
        return Op("rule", anno.get(value, anno.INDEX_RULE).value, [value.slice],
                  what=f"{ast.unparse(value.value)}[]", node=value)
    if isinstance(value, ast.Subscript) and anno.get(value, anno.LIST, False):
        return Op("listitem", args=[value.value], what="list element", node=value)
    if isinstance(value, ast.Subscript):
        basic = is_basic_index_syntax(value.slice)
        key = rules.BASIC_GETITEM if basic else operator.getitem
        return Op("rule", rules.lookup(key), [value.value, value.slice], what="indexing",
                  node=value)
    if isinstance(value, ast.Call):
        keywords = {k.arg: k.value for k in value.keywords}
        method = anno.get(value, anno.METHOD)
        if method is not None:
            args = [value.func.value] + list(value.args)
            if method in ("detach",) or method in rules.NONDIFF_METHODS:
                return Op("nondiff", node=value)
            rule = rules.lookup_method(method)
            kind = "rule" if rule else "unknown"
            return Op(kind, rule, args, keywords, what=f"method .{method}()", node=value)
        callee = anno.get(value, anno.CALLEE)
        name = _callee_text(value.func)
        if callee is sum and len(value.args) == 1 and not value.keywords:
            return Op("listsum", args=list(value.args), what="sum()", node=value)
        if id(callee) in STOP_GRADIENT or rules.is_nondifferentiable(callee):
            return Op("nondiff", node=value)
        rule = rules.lookup(callee)
        if rule is not None:
            return Op("rule", rule, list(value.args), keywords, what=f"{name}()", node=value)
        return Op("unknown", None, list(value.args), keywords, what=f"{name}()", node=value)
    return Op("unknown", what=type(value).__name__, node=value)

"""How a normalized call meets its rule, for both modes (reverse and forward).

After import:

* :func:`rule_mapping` binds a call's atoms to the primal parameters of its
  rule (a default as a Constant, ``*args`` as a Tuple, ``a:b`` index parts
  as ``slice(a, b)``), or raises a located ``TransformError``;
* :func:`no_rule` is the located ``TransformError`` for a differentiated
  call without a rule (for an object's attribute, saying to differentiate a
  pytree of the parameters instead), :func:`check_differentiable` refuses (located) options a
  rule refuses and differentiated arguments without a derivative, and
  :func:`unknown_outputs` a call whose number of results depends on a variable;
  :func:`at_line` a node placed at the user's line a normalized statement came
  from (for errors about generated statements), :func:`origin_of` the user's call
  as an ``anno.ORIGIN`` (where a run-time refusal in generated code points).
"""

from __future__ import annotations

import ast
import operator
import types
from collections.abc import Callable

import numpy as np

from .. import rules
from ..rules import Rule
from . import anno
from .check import error
from .env import Env
from .primitives import Op, refusal


def at_line(stmt: ast.stmt) -> ast.AST:
    """A node located at the user's line a normalized statement came from."""
    node = ast.Pass()
    node.lineno, node.col_offset = anno.get(stmt, anno.LINE, 0), 0
    return node


#: Attributes and methods a differentiated value may have (an array's, a number's, a
#: container's): any other one read from a differentiated value is an object's.
_VALUE_MEMBERS = frozenset().union(*(dir(t) for t in (
    np.ndarray, np.generic, float, complex, list, tuple, dict)))


def no_rule(parsed, op: Op, stmt: ast.stmt) -> Exception:
    """The ``TransformError`` for a differentiated call that has no rule, located; for an
    attribute or method that no array has (``model.W`` of a differentiated ``model``), one
    saying to differentiate the parameters themselves."""
    node = op.node if op.node is not None else stmt
    node = anno.get(node, anno.NODE, node)
    if not hasattr(node, "lineno"):
        node = stmt
    member = _object_member(op, node)
    if member is not None:
        verb = "calls a method" if isinstance(node, ast.Call) else "reads an attribute"
        return error(parsed, node, f"{member} {verb} of an object that is differentiated "
                     "(it comes from an argument in wrt); srcxform "
                     "differentiates arrays, numbers and pytrees of them (lists, tuples, "
                     "dicts), not an object's attributes: make the parameters the "
                     "differentiated argument and read them from it, e.g. "
                     "f(params, model, x) with params = {'W': model.W, 'b': model.b} (or a "
                     "tuple, or the array model.W alone) and params['W'] inside; sx.tree "
                     "flattens and rebuilds such a pytree; the object stays an argument "
                     "that is not differentiated", op.what)
    return error(parsed, node, f"no derivative rule for {op.what}; register one with "
                 "sx.adjoint or stop its gradient with sx.detach", op.what)


def _object_member(op: Op, node: ast.AST) -> str | None:
    """``receiver.name`` as the user wrote it when ``op`` reads an attribute, or calls a
    method, that arrays and numbers do not have; else None."""
    if not op.what.startswith(("attribute .", "method .")):
        return None
    attribute = node.func if isinstance(node, ast.Call) else node
    if not isinstance(attribute, ast.Attribute) or attribute.attr in _VALUE_MEMBERS:
        return None
    call = "()" if isinstance(node, ast.Call) else ""
    return f"{ast.unparse(attribute.value)}.{attribute.attr}{call}"


def _where(op: Op, stmt: ast.stmt) -> ast.AST:
    """The user's node an error about ``op`` points at."""
    node = anno.get(op.node, anno.NODE, op.node) if op.node is not None else None
    return node if hasattr(node, "lineno") else at_line(stmt)


def origin_of(op: Op) -> tuple[int, int, str] | None:
    """``(line, column, construct)`` of the user's call ``op`` came from, if it has a place."""
    node = anno.get(op.node, anno.NODE, op.node) if op.node is not None else None
    if not getattr(node, "lineno", 0):
        return None
    return (node.lineno, node.col_offset, op.what)


def check_differentiable(parsed, op: Op, stmt: ast.stmt, mapping: dict[str, ast.expr],
                         differentiated: Callable[[ast.expr], bool]) -> None:
    """Refuse, located, a call the table cannot differentiate: options its rule refuses
    (``Rule.refuse``), or a differentiated argument without a derivative (``no_derivative``)."""
    why = refusal(op)
    if why is not None:
        raise error(parsed, _where(op, stmt), f"cannot differentiate {op.what}: {why}", op.what)
    for p in op.rule.no_derivative:
        if p in mapping and differentiated(mapping[p]):
            why = op.rule.no_derivative_why
            raise error(parsed, _where(op, stmt), f"{op.what} has no derivative with respect "
                        f"to its argument {p!r}; " + (why or "hold it constant (sx.detach)"),
                        op.what)


def unknown_outputs(parsed, op: Op, stmt: ast.stmt) -> Exception:
    """The ``TransformError`` for a call whose number of results depends on a variable."""
    return error(parsed, _where(op, stmt), f"whether {op.what} returns one value or a tuple "
                 "depends on an option given as a variable; pass it as a constant", op.what)


def rule_mapping(rule: Rule, op: Op, parsed, env: Env) -> dict[str, ast.expr]:
    """Each primal parameter of ``rule`` mapped to the caller's atom for ``op``.

    A defaulted parameter maps to a Constant, a ``*args`` parameter to a Tuple.
    A call the rule's signature cannot bind raises ``TransformError``.
    """
    try:
        bound = rule.arguments(op.args, op.keywords)
    except TypeError as exc:
        raise error(parsed, anno.get(op.node, anno.NODE, op.node),
                    f"cannot differentiate {op.what} called this way: {exc}",
                    op.what) from None
    params = rule.primal_params
    mapping: dict[str, ast.expr] = {}
    sig_params = rule.signature.parameters
    for p in params:
        value = bound.get(p, sig_params[p].default)
        kind = sig_params[p].kind
        if kind is sig_params[p].VAR_POSITIONAL:
            value = ast.Tuple(list(value), ast.Load())
        elif kind is sig_params[p].VAR_KEYWORD:
            continue
        elif not isinstance(value, ast.AST):
            value = ast.Constant(value)
        elif isinstance(value, ast.Attribute) and anno.get(value, anno.GLOBAL, False) \
                and isinstance(env.resolve(value.value), types.ModuleType):
            # a library constant (np.inf as an ord) folds; a user's global may change later
            obj = env.resolve(value)
            if isinstance(obj, (bool, int, float, str)):
                value = ast.Constant(obj)
        mapping[p] = value
    if rule is rules.lookup(operator.getitem):
        mapping[params[1]] = _slices_as_calls(mapping[params[1]], env)
    return mapping


def _slices_as_calls(index: ast.expr, env: Env) -> ast.expr:
    """Write ``a:b`` parts of an index as ``slice(a, b)`` so it can be passed around."""
    if isinstance(index, ast.Tuple):
        return ast.Tuple([_slices_as_calls(e, env) for e in index.elts], ast.Load())
    if isinstance(index, ast.Slice):
        parts = [p if p is not None else ast.Constant(None)
                 for p in (index.lower, index.upper, index.step)]
        return ast.Call(ast.Name(env.ref(slice, "slice"), ast.Load()), parts, [])
    return index

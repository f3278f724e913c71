"""The load-time rewrite that runs NumPy-spelled code on another array namespace.

After :func:`rewrite`, a syntax tree of generated code (or of a helper it
calls) reads every NumPy name through the namespace object, with each node
at its original line and column, so the text users read (``sx.source``,
tracebacks) is unchanged while the code that runs is:

* a name that denotes the ``numpy`` module (``np``, or the user's alias),
  ``numpy.linalg``, a NumPy function imported by name, or the ``math``
  module reads the namespace object (``NS``, ``NS.linalg``, ``NS.<name>``,
  ``NS.math``); a NumPy array read from a global or closure variable is
  converted (``NS.adopt_global(name)``); ``len`` is ``NS.len``;
* a call of an array method NumPy has and the array API lacks
  (``a.sum(axis=0)``, ``a.copy()``, ``a.reshape(...)``; ``methods.METHODS``)
  is ``NS.m_sum(a, axis=0)``, and an attribute (``a.T``, ``a.size``) is
  ``NS.a_T(a)`` — both fall back to the object's own on non-arrays;
* ``np.add.at(a, i, v)`` as a statement is ``a = NS.add_at(a, i, v)``, and
  ``f(v, out=v)`` (a ufunc into its own operand, ``compiler/outbuffers.py``) is
  ``v = f(v)``; ``sum_rows``/``sum_columns`` are the namespace's sums;
* ``name op= value`` is ``name = NS.iop_<op>(name, value)`` (no output
  buffer of another library is ever written through), and for a namespace
  whose operators are strict, every arithmetic operator is ``NS.op_<op>``;
* where the namespace's indexing differs from NumPy's (``index_rewrite``:
  PyTorch's ``a[i]`` of a vector is a view, the array API wants ``...`` and
  takes integer arrays only alone), ``a[i]`` is ``NS.getitem(a, i)`` and
  ``a[i] = v`` is ``NS.setitem(a, i, v)``;
* a helper function the code calls (a name that denotes a Python function
  using NumPy) reads a version of that function rewritten the same way
  (:attr:`Rewrite.functions` lists them; ``bind.py`` loads them).

What the namespace cannot do is refused here, before the code runs: a
NumPy name without a counterpart, and on immutable arrays (JAX) any
subscript write; the :class:`~.errors.NamespaceError` names the construct,
its line and the function.
"""

from __future__ import annotations

import ast
import builtins
import math
import types
from typing import Any

import numpy as np

from ..compiler.support import complex_adjoints, copy_with_views, widened, writable
from ..rules.reductions import sum_columns, sum_rows
from .errors import cannot
from .methods import ATTRIBUTES, METHODS

NS = "__sx_ns__"
_NUMPY_FUNCTIONS: dict[int, str] = {}
_OPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv",
        ast.FloorDiv: "floordiv", ast.Mod: "mod", ast.Pow: "pow", ast.MatMult: "matmul"}
_MISSING = object()


def _numpy_functions() -> dict[int, str]:
    """``id`` of each public NumPy function or ufunc -> its name in ``numpy``."""
    if not _NUMPY_FUNCTIONS:
        for name in dir(np):
            obj = getattr(np, name, None)
            if callable(obj) and not isinstance(obj, type) and not name.startswith("_"):
                _NUMPY_FUNCTIONS.setdefault(id(obj), name)
    return _NUMPY_FUNCTIONS


def _stored_names(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            found.add(node.id)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
            if isinstance(node, ast.FunctionDef):
                found.add(node.name)
    return found


class Rewrite(ast.NodeTransformer):
    """One rewrite of one tree for one namespace object ``ns``.

    ``lookup(name)`` gives the object a free name denotes (``_MISSING`` if
    none); ``where`` names the function for messages.
    """

    def __init__(self, ns: Any, lookup: Any, where: str) -> None:
        self.ns = ns
        self.lookup = lookup
        self.where = where
        self.locals: set[str] = set()
        self.functions: dict[str, types.FunctionType] = {}  # free name -> helper to rebind

    # -- names -------------------------------------------------------------------------------
    def _ns(self, node: ast.AST, *attrs: str) -> ast.expr:
        out: ast.expr = ast.Name(NS, ast.Load())
        for attr in attrs:
            out = ast.Attribute(out, attr, ast.Load())
        return _located(out, node)

    def visit_Name(self, node: ast.Name) -> Any:
        if not isinstance(node.ctx, ast.Load) or node.id in self.locals or node.id == NS:
            return node
        value = self.lookup(node.id)
        if value is _MISSING:
            return node
        if value is np:
            return self._ns(node)
        if value is np.linalg:
            return self._ns(node, "linalg")
        if value is math:
            return self._ns(node, "math")
        if value is len:
            return self._ns(node, "len")
        if type(value) is np.ndarray:
            call = ast.Call(self._ns(node, "adopt_global"), [node], [])
            return _located(call, node)
        name = _numpy_functions().get(id(value)) if callable(value) else None
        if name is not None and getattr(np, name, None) is value:
            self._require((name,), node)
            return self._ns(node, name)
        if value is copy_with_views or value is writable or value is complex_adjoints \
                or value is widened or value is sum_rows or value is sum_columns:  # NumPy-only
            return self._ns(node, value.__name__)
        if isinstance(value, types.FunctionType) and _needs_namespace(value):
            self.functions[node.id] = value
        return node

    # -- attributes and calls ------------------------------------------------------------------
    def _module_chain(self, node: ast.expr) -> bool:
        """Whether ``node`` is (after rewriting) the namespace or a module's attribute chain."""
        while isinstance(node, ast.Attribute):
            node = node.value
        if isinstance(node, ast.Name):
            if node.id == NS:
                return True
            if node.id in self.locals:
                return False
            return isinstance(self.lookup(node.id), types.ModuleType)
        return False

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        node.value = self.visit(node.value)
        chain = _chain(node)
        if chain is not None and chain[0] == NS:
            self._require(chain[1:], node)
            return node
        if isinstance(node.ctx, ast.Load) and node.attr in ATTRIBUTES and \
                not self._module_chain(node.value):
            return _located(ast.Call(self._ns(node, "a_" + node.attr), [node.value], []), node)
        return node

    def visit_Call(self, node: ast.Call) -> Any:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in METHODS and \
                isinstance(func.ctx, ast.Load):
            target = self.visit(func.value)
            if not self._module_chain(target):
                args = [target] + [self.visit(a) for a in node.args]
                keywords = [self.visit(k) for k in node.keywords]
                call = ast.Call(self._ns(func, "m_" + func.attr), args, keywords)
                return _located(call, node)
            func.value = target
            node.args = [self.visit(a) for a in node.args]
            node.keywords = [self.visit(k) for k in node.keywords]
            chain = _chain(func)
            if chain is not None and chain[0] == NS:
                self._require(chain[1:], func)
            return node
        return self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> Any:
        node = self.generic_visit(node)
        call = node.value
        if isinstance(call, ast.Call) and _chain(call.func) == (NS, "add", "at") and \
                call.args and isinstance(call.args[0], ast.Name):
            target = call.args[0]
            new = ast.Call(self._ns(call.func, "add_at"), call.args, call.keywords)
            assign = ast.Assign([ast.Name(target.id, ast.Store())], _located(new, call))
            return _located(assign, node)
        if isinstance(call, ast.Call) and len(call.args) == 1 and len(call.keywords) == 1 \
                and call.keywords[0].arg == "out" and isinstance(call.args[0], ast.Name) \
                and isinstance(call.keywords[0].value, ast.Name) \
                and call.keywords[0].value.id == call.args[0].id:
            # f(v, out=v) (compiler/outbuffers.py) is v = f(v): no buffer written through
            target = call.args[0]
            new = ast.Call(call.func, call.args, [])
            assign = ast.Assign([ast.Name(target.id, ast.Store())], _located(new, call))
            return _located(assign, node)
        return node

    # -- operators and writes -------------------------------------------------------------------
    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.generic_visit(node)
        if self.ns.strict and type(node.op) in _OPS:
            op = _OPS[type(node.op)]
            return _located(ast.Call(self._ns(node, "op_" + op), [node.left, node.right], []),
                            node)
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> Any:
        node.value = self.visit(node.value)
        op = _OPS.get(type(node.op))
        target = node.target
        if isinstance(target, ast.Name) and op is not None:
            load = _located(ast.Name(target.id, ast.Load()), target)
            call = _located(ast.Call(self._ns(node, "iop_" + op), [load, node.value], []),
                            node)
            return _located(ast.Assign([target], call), node)
        if isinstance(target, ast.Subscript):
            self._write(target)
            if self.ns.index_rewrite and op is not None and _pure(target):
                obj, index = self.visit(target.value), self._index(target.slice)
                read = self._call(node, "getitem", obj, index)
                new = self._call(node, "iop_" + op, read, node.value)
                return _located(ast.Expr(self._call(node, "setitem", obj, index, new)), node)
        node.target = self.visit(target)
        return node

    def visit_Assign(self, node: ast.Assign) -> Any:
        for target in node.targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Subscript) and isinstance(sub.ctx, ast.Store):
                    self._write(sub)
        target = node.targets[0]
        if self.ns.index_rewrite and len(node.targets) == 1 and \
                isinstance(target, ast.Subscript):
            obj, index = self.visit(target.value), self._index(target.slice)
            call = self._call(node, "setitem", obj, index, self.visit(node.value))
            return _located(ast.Expr(call), node)
        return self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> Any:
        for target in node.targets:
            if isinstance(target, ast.Subscript):
                self._write(target)
        return self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        if self.ns.index_rewrite and isinstance(node.ctx, ast.Load):
            return self._call(node, "getitem", self.visit(node.value), self._index(node.slice))
        return self.generic_visit(node)

    def _index(self, index: ast.expr) -> ast.expr:
        """An index expression as a value (``a:b`` as ``slice(a, b)``), rewritten."""
        if isinstance(index, ast.Slice):
            parts = [self.visit(p) if p is not None else _located(ast.Constant(None), index)
                     for p in (index.lower, index.upper, index.step)]
            return self._call(index, "slice", *parts)
        if isinstance(index, ast.Tuple):
            return _located(ast.Tuple([self._index(e) for e in index.elts], ast.Load()), index)
        return self.visit(index)

    def _call(self, node: ast.AST, name: str, *args: ast.expr) -> ast.expr:
        return _located(ast.Call(self._ns(node, name), list(args), []), node)

    def _write(self, target: ast.Subscript) -> None:
        if not self.ns.mutable:
            text = ast.unparse(target)
            raise cannot(f"the in-place write {text} = ... (line {target.lineno})",
                         self.ns.name, self.where, "its arrays are immutable")

    def _require(self, chain: tuple[str, ...], node: ast.AST) -> None:
        if chain and not self.ns.has(chain):
            raise cannot(f"np.{'.'.join(chain)} (line {getattr(node, 'lineno', '?')})",
                         self.ns.name, self.where, "srcxform has no counterpart for it")


def _pure(target: ast.Subscript) -> bool:
    """Whether evaluating ``target``'s array and index twice is the same as once."""
    allowed = (ast.Name, ast.Constant, ast.Slice, ast.Tuple, ast.UnaryOp, ast.BinOp,
               ast.Load, ast.operator, ast.unaryop, ast.Attribute)
    return all(isinstance(n, allowed) for part in (target.value, target.slice)
               for n in ast.walk(part))


def _chain(node: ast.expr) -> tuple[str, ...] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return (node.id, *reversed(parts))
    return None


def _located(new: ast.AST, old: ast.AST) -> Any:
    ast.copy_location(new, old)
    if hasattr(old, "end_lineno"):
        new.end_lineno, new.end_col_offset = old.end_lineno, old.end_col_offset
    return ast.fix_missing_locations(new)


_NEEDS: dict[int, tuple[Any, bool]] = {}


def _needs_namespace(fn: types.FunctionType, seen: frozenset = frozenset()) -> bool:
    """Whether ``fn`` (or a function it reads by name) reads NumPy or ``math``."""
    found = _NEEDS.get(id(fn))
    if found is not None and found[0] is fn.__code__:
        return found[1]
    if fn.__module__ and fn.__module__.startswith(("srcxform.backends", "srcxform.runtime")):
        return False
    if id(fn) in seen:
        return False
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    answer = False
    for code in _codes(fn.__code__):
        for name in code.co_names + code.co_freevars:
            if name in cells:
                try:
                    value = cells[name].cell_contents
                except ValueError:
                    continue
            else:
                value = fn.__globals__.get(name, getattr(builtins, name, None))
            if value is np or value is math or value is np.linalg or (
                    callable(value) and id(value) in _numpy_functions()):
                answer = True
            elif isinstance(value, types.FunctionType) and value is not fn and \
                    _needs_namespace(value, seen | {id(fn)}):
                answer = True
            if answer:
                break
        if answer:
            break
    _NEEDS[id(fn)] = (fn.__code__, answer)
    return answer


def _codes(code: types.CodeType) -> list[types.CodeType]:
    out = [code]
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            out += _codes(const)
    return out


def rewrite(tree: ast.Module, ns: Any, lookup: Any, where: str) -> Rewrite:
    """Rewrite ``tree`` in place for ``ns``; the returned :class:`Rewrite` lists the
    helper functions it found (free name -> function)."""
    rw = Rewrite(ns, lookup, where)
    rw.locals = _stored_names(tree)
    rw.visit(tree)
    return rw


def lookup_in(globals_: dict, cells: dict[str, Any]) -> Any:
    """The ``lookup`` of a function: its closure cells, its globals, the builtins."""

    def lookup(name: str) -> Any:
        if name in cells:
            try:
                return cells[name].cell_contents
            except ValueError:
                return _MISSING
        if name in globals_:
            return globals_[name]
        return getattr(builtins, name, _MISSING)

    return lookup

"""The rewriter: applies rewrite rules to one node, asking shape facts.

A :class:`Rewriter` holds the rules it applies (by kind of node), the shape
facts of the point the propagation walk has reached, and the helpers the
rules share: the callee of a call (resolved once), broadcasts of scalars and
arrays, references to NumPy.  :meth:`Rewriter.simplify` tries the rules of a
node's kind in order and takes the first answer.  The list of rules itself
is ``rewrites.RULES``; a test may give a rewriter no rules, or one.
"""

from __future__ import annotations

import ast
import copy
from typing import Any, Callable

import numpy as np

from .env import Env
from .facts import Facts, Pair
from .shapefacts import SCALAR, ShapeFacts

#: A rule: the node, the rewriter, the facts at the node -> a replacement or ``None``.
Rule = Callable[[Any, "Rewriter", Facts], "ast.expr | None"]


class Rewriter:
    """Applies :data:`RULES` to one node, asking ``shapes`` what is known."""

    def __init__(self, env: Env, shapes: ShapeFacts, rules: dict[Any, list[Rule]]) -> None:
        self.env = env
        self.shapes = shapes
        self.rules = rules  # kind of node -> its rules, in the order they are tried
        self.rank_queries = 0  # rewrites that knowing the arguments' ranks would enable
        self._callee_of: ast.Call | None = None
        self._callee: Any = None

    def simplify(self, node: ast.expr, facts: Facts) -> ast.expr:
        """The first answer of ``node``'s rules, or ``node`` itself (of a ``BinOp``, the
        rules kept for its operator when ``rules`` has them: ``rewrites.py``)."""
        kind = node.__class__
        rules = self.rules.get((kind, node.op.__class__)) if kind is ast.BinOp else None
        if rules is None:
            rules = self.rules.get(kind, ())
        for rule in rules:
            new = rule(node, self, facts)
            if new is not None:
                return new
        return node

    def callee(self, call: ast.Call) -> Any:
        """The object ``call`` calls, or ``None`` (resolved once per call node)."""
        if self._callee_of is not call:
            self._callee_of, self._callee = call, self.env.resolve(call.func)
        return self._callee

    def wants_ranks(self) -> None:
        """Note a rewrite that the arguments' ranks (a specialization) would enable."""
        self.rank_queries += 1

    def np_name(self) -> ast.Name:
        """A reference to NumPy in generated code."""
        return ast.Name(self.env.ref(np, "np"), ast.Load())

    def scalar_broadcast(self, node: ast.expr, facts: Facts) -> Pair | None:
        """``(s, v)`` when ``node`` is a broadcast of a scalar ``s`` to ``v``'s shape."""
        if isinstance(node, ast.Name) and node.id in facts.scalar_broadcasts:
            return copy.deepcopy(facts.scalar_broadcasts[node.id])  # (rules build on it)
        parts = self.shapes.broadcast_parts(node)
        if parts is not None and self.shapes.class_of(parts[0]) == SCALAR:
            return parts
        return None

    def array_broadcast(self, node: ast.expr, facts: Facts) -> Pair | None:
        """``(a, like)`` when ``node`` is ``np.broadcast_to(a, like)`` (or names one)."""
        if isinstance(node, ast.Name):
            found = facts.array_broadcasts.get(node.id)
            return None if found is None else copy.deepcopy(found)
        return self.shapes.broadcast_parts(node)

    def broadcast(self, scalar: ast.expr, like: ast.expr) -> ast.expr:
        """``np.broadcast_to(scalar, like)`` for a literal shape, else to ``np.shape(like)``."""
        npname = self.np_name()
        if isinstance(like, ast.Constant):
            return ast.Call(ast.Attribute(npname, "broadcast_to", ast.Load()),
                            [scalar, like], [])
        shape = ast.Call(ast.Attribute(npname, "shape", ast.Load()), [copy.deepcopy(like)], [])
        return ast.Call(ast.Attribute(copy.deepcopy(npname), "broadcast_to", ast.Load()),
                        [scalar, shape], [])

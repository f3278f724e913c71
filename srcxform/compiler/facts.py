"""Facts: what constant and copy propagation knows about names at one point of a body.

A :class:`Facts` maps names to what their current value is known to be:

* ``values``: an expression the name may be replaced by where it is read
  (a literal, another name, or a negation ``-u`` read once);
* ``scalar_broadcasts``: ``(s, v)`` for a name holding a scalar ``s``
  broadcast to ``v``'s shape (``np.broadcast_to(s, np.shape(v))``);
* ``array_broadcasts``: ``(a, like)`` for a name holding
  ``np.broadcast_to(a, like)`` of a name ``a``;
* ``pieces``: the basic slices a name holding ``np.split(g, ...)`` of known
  offsets is made of.

After :meth:`Facts.kill` of a name, no fact about it and no fact mentioning
it remains, so a fact never outlives a value it was derived from.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .astutil import mentions

Pair = tuple[ast.expr, ast.expr]


@dataclass
class Facts:
    """Facts about names at one point (see the module docstring)."""

    values: dict[str, ast.expr] = field(default_factory=dict)
    scalar_broadcasts: dict[str, Pair] = field(default_factory=dict)
    array_broadcasts: dict[str, Pair] = field(default_factory=dict)
    pieces: dict[str, list[ast.expr]] = field(default_factory=dict)

    def copy(self) -> Facts:
        """An independent copy (the expressions are shared: facts never change them)."""
        return Facts(dict(self.values), dict(self.scalar_broadcasts),
                     dict(self.array_broadcasts), dict(self.pieces))

    def without_negations(self) -> Facts:
        """A copy without the negations ``-u`` waiting for their one reader (a loop body
        must not compute them once per iteration)."""
        new = self.copy()
        for n in [n for n, v in new.values.items() if isinstance(v, ast.UnaryOp)]:
            del new.values[n]
        return new

    def kill(self, name: str) -> None:
        """Forget every fact about ``name`` and every fact that mentions it."""
        self.values.pop(name, None)
        for k in [k for k, v in self.values.items() if mentions(v, name)]:
            del self.values[k]
        for pairs in (self.scalar_broadcasts, self.array_broadcasts):
            pairs.pop(name, None)
            for k in [k for k, (s, v) in pairs.items() if mentions(s, name) or mentions(v, name)]:
                del pairs[k]
        self.pieces.pop(name, None)
        for k in [k for k, parts in self.pieces.items()
                  if any(mentions(p, name) for p in parts)]:
            del self.pieces[k]

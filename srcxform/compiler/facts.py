"""Facts: what constant and copy propagation knows about names at one point of a body.

A :class:`Facts` maps names to what their current value is known to be:

* ``values``: an expression the name may be replaced by where it is read
  (a literal, another name, or a negation ``-u`` read once);
* ``scalar_broadcasts``: ``(s, v)`` for a name holding a scalar ``s``
  broadcast to ``v``'s shape (``np.broadcast_to(s, np.shape(v))``);
* ``array_broadcasts``: ``(a, like)`` for a name holding
  ``np.broadcast_to(a, like)`` of a name ``a``;
* ``pieces``: the basic slices a name holding ``np.split(g, ...)`` of known
  offsets is made of;
* ``aranges``: the length ``n`` of a name holding ``np.arange(n)`` (distinct
  integers: an index made with it selects each position once);
* ``sizes``: for a name holding a batch size (``n = X.shape[0]``) that size, a
  ``shapes.Dim``, and for a name holding a shape (``s = X.shape``) its pattern.

After :meth:`Facts.kill` of a name, no fact about it and no fact mentioning
it remains, so a fact never outlives a value it was derived from.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .astutil import mentions, names_mentioned

Pair = tuple[ast.expr, ast.expr]


_TABLES = ("values", "scalar_broadcasts", "array_broadcasts", "pieces")


@dataclass
class Facts:
    """Facts about names at one point (see the module docstring).

    Write a fact with :meth:`learn`, which also indexes it under every name it
    mentions, so that :meth:`kill` touches only the facts that mention the
    name killed (not every fact: a long function knows thousands).
    """

    values: dict[str, ast.expr] = field(default_factory=dict)
    scalar_broadcasts: dict[str, Pair] = field(default_factory=dict)
    array_broadcasts: dict[str, Pair] = field(default_factory=dict)
    pieces: dict[str, list[ast.expr]] = field(default_factory=dict)
    aranges: dict[str, int] = field(default_factory=dict)
    sizes: dict[str, object] = field(default_factory=dict)
    #: name -> (table, key) of the facts whose expression mentions it (may be stale:
    #: :meth:`kill` checks before it drops)
    mentioned_by: dict[str, set[tuple[str, str]]] = field(default_factory=dict)

    def copy(self) -> Facts:
        """An independent copy (the expressions are shared: facts never change them)."""
        return Facts(dict(self.values), dict(self.scalar_broadcasts),
                     dict(self.array_broadcasts), dict(self.pieces), dict(self.aranges),
                     dict(self.sizes), {n: set(keys) for n, keys in self.mentioned_by.items()})

    def learn(self, table: str, name: str, fact: object) -> None:
        """``table[name] = fact`` (a table of :data:`_TABLES`), indexed by what it mentions."""
        getattr(self, table)[name] = fact
        for n in names_mentioned(list(fact) if isinstance(fact, (tuple, list)) else fact):
            self.mentioned_by.setdefault(n, set()).add((table, name))

    def without_negations(self) -> Facts:
        """A copy without the negations ``-u`` waiting for their one reader (a loop body
        must not compute them once per iteration)."""
        new = self.copy()
        for n in [n for n, v in new.values.items() if isinstance(v, ast.UnaryOp)]:
            del new.values[n]
        return new

    def kill(self, name: str) -> None:
        """Forget every fact about ``name`` and every fact that mentions it."""
        self.aranges.pop(name, None)
        self.sizes.pop(name, None)
        for table in _TABLES:
            getattr(self, table).pop(name, None)
        for table, key in self.mentioned_by.pop(name, ()):
            facts = getattr(self, table)
            fact = facts.get(key)
            if fact is not None and mentions(
                    list(fact) if isinstance(fact, (tuple, list)) else fact, name):
                del facts[key]

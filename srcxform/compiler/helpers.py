"""Helpers have the top-level function's abilities: writes, appends, procedures.

After :func:`adopt_effects`, an inlined callee's arrays that it creates and
then writes into by element (``out = np.zeros(n); out[i] = ...``) are
writable, and the lists it creates and grows by ``append`` are growing
lists, exactly as the alias analysis (``aliases.py``) decides for the
function being transformed — under the callee's fresh names, added to the
normalizer's sets, with every array written into keeping one name.  A list
is a growing list only when the call is at the top level of the function
being transformed (as the function's own lists must be created there): a
helper called inside a loop or a branch makes its list anew on each pass,
which the backward sweep does not follow, so there its appends stay calls
for their effect, which the activity pass refuses, located, when they see a
differentiated value (a list of constants still works).

A *procedure* — a helper with no ``return`` (``def draw(ax, x): if ax is not
None: ax.plot(x)``), or one whose paths do not all return — has its missing
returns made ``return None`` by :func:`complete_returns` before the check
pass; called for its effect its result is unused (``None``), and a
procedure whose result is used is refused by the check pass only where it
is used as a value.
"""

from __future__ import annotations

import ast
from typing import Any

from .aliases import growing_lists, writable_arrays
from .astutil import names_written_into, params_of, walk
from .parse import Parsed


def adopt_effects(norm: Any, inner: Parsed, rename: dict[str, str]) -> None:
    """Let the normalizer write into the arrays and grow the lists ``inner`` owns."""
    fn = inner.node
    writable = writable_arrays(fn, params_of(fn))
    lists = growing_lists(fn, inner)
    norm.writable |= {rename.get(n, n) for n in writable}
    if getattr(norm, "depth", 0) == 0:  # (in a loop or a branch: made per pass, see above)
        norm.lists |= {rename.get(n, n) for n in lists}
    norm.fixed |= {rename.get(n, n) for n in names_written_into(fn)}


def complete_returns(parsed: Parsed) -> None:
    """A body that may end without ``return``: ``return None`` where it ends."""
    fn = parsed.node
    if not _always_returns(fn.body):
        end = ast.Return(ast.Constant(None))
        last = fn.body[-1] if fn.body else fn
        ast.copy_location(end, last)
        end.lineno = getattr(last, "end_lineno", None) or last.lineno
        fn.body.append(end)
    for node in walk(fn):
        if isinstance(node, ast.Return) and node.value is None:
            node.value = ast.copy_location(ast.Constant(None), node)


def _always_returns(block: list[ast.stmt]) -> bool:
    if not block:
        return False
    last = block[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    if isinstance(last, ast.If):
        return _always_returns(last.body) and _always_returns(last.orelse)
    return False

"""The arguments of a call, as the normalizer passes them on (``normalize.py``).

After :func:`call_arguments` a call's positional arguments are atoms, a
``*xs`` of a tuple or list whose elements are known (a literal, a bound
tuple) replaced by those elements; any other ``*xs`` stays starred only in a
call nothing differentiates through, and is a located ``TransformError``
into a user function or a function with a rule (``np.einsum(a, [0, 1], b, [1, 2])``
with constant sublists is ``np.einsum('ab,bc->ac', a, b)``).  After :func:`sequence_items`
a tuple or list literal's items are atoms, ``[*xs]`` expanded the same way
(else a located error).  After
:func:`call_keywords` the keywords are atoms, ``**options`` of a dict bound
as ``dict(k=v, ...)`` replaced by its keywords (else a located error).
"""

from __future__ import annotations

import ast
import copy
from typing import Any

from .. import rules
from .diagnostics import error
from .einsum_forms import subscripts_form
from .funcvalues import is_user_function


def call_arguments(norm: Any, node: ast.Call, callee: Any, method: str | None
                   ) -> list[ast.expr]:
    """The atoms of a call's positional arguments; ``*xs`` of a tuple or list whose
    elements are known here (a literal, a bound tuple) is those elements.  Any other
    ``*xs`` stays starred in a call nothing differentiates through (``rs.randn(*shape)``)
    and is refused, located, elsewhere.  ``np.einsum``'s interleaved form with constant
    sublists becomes its subscripts string (``einsum_forms.py``)."""
    if method is None:
        node = subscripts_form(norm, node, callee)
    args: list[ast.expr] = []
    for a in node.args:
        if not isinstance(a, ast.Starred):
            args.append(norm.atom(a))
            continue
        if isinstance(a.value, (ast.Tuple, ast.List)):
            args += sequence_items(norm, a.value)
            continue
        held = norm.atom(a.value)
        known = _known_elements(norm, held)
        if known is not None:
            args += known
        elif is_user_function(callee) or (rules.lookup(callee) if method is None
                                           else rules.lookup_method(method)) is not None:
            raise error(norm.parsed, a, "a starred argument whose length srcxform "
                        "cannot see: pass the arguments one by one, or star a tuple "
                        "built in the function (xs = (a, b); f(*xs))", "starred argument")
        else:
            args.append(ast.copy_location(ast.Starred(held, ast.Load()), a))
    return args


def sequence_items(norm: Any, node: ast.Tuple | ast.List) -> list[ast.expr]:
    """The atoms of a tuple or list literal's items; ``*xs`` of a tuple or list whose
    elements are known here (``[*xs]`` of a function's ``*xs``) is those elements, any
    other ``*xs`` a located ``TransformError``."""
    items: list[ast.expr] = []
    for e in node.elts:
        if not isinstance(e, ast.Starred):
            items.append(norm.atom(e))
            continue
        known = sequence_items(norm, e.value) if isinstance(e.value, (ast.Tuple, ast.List)) \
            else _known_elements(norm, norm.atom(e.value))
        if known is None:
            raise error(norm.parsed, e, "a starred item whose length srcxform cannot see: "
                        "write the items one by one, or star a tuple built in the function "
                        "or the function's *args ([*xs])", "starred argument")
        items += known
    return items


def _known_elements(norm: Any, held: ast.expr) -> list[ast.expr] | None:
    """The element atoms of ``*held`` (an atom) when its length is known here, else None."""
    if isinstance(held, ast.Constant) and isinstance(held.value, tuple):
        return [ast.Constant(v) for v in held.value]
    if isinstance(held, ast.Name) and held.id in norm.literal_seqs:
        return [copy.deepcopy(e) for e in norm.literal_seqs[held.id]]
    return None


def call_keywords(norm: Any, node: ast.Call) -> list[ast.keyword]:
    """The atoms of a call's keyword arguments; ``**options`` of a dict bound here as
    ``dict(k=v, ...)`` (a helper's ``**kwargs``: inline.py) is those keywords."""
    out: list[ast.keyword] = []
    for k in node.keywords:
        if k.arg is not None:
            out.append(ast.keyword(arg=k.arg, value=norm.atom(k.value)))
            continue
        held = norm.atom(k.value)
        known = norm.literal_dicts.get(held.id) if isinstance(held, ast.Name) else None
        if known is None:
            raise error(norm.parsed, k.value, "a **dict argument whose keys srcxform "
                        "cannot see: pass the keywords one by one, or pass a helper's "
                        "**kwargs on", "double-starred argument")
        out += [ast.keyword(arg=kw.arg, value=copy.deepcopy(kw.value)) for kw in known]
    return out

"""The one rule table: importing this package registers every built-in rule.

After import, ``lookup``/``lookup_method``/``lookup_attribute`` answer for
every primitive srcxform differentiates, ``is_nondifferentiable`` for the
functions that stop the gradient, and ``unbroadcast`` is the single place
where NumPy broadcasting is undone.  SciPy's rules join the table once SciPy
is imported (``optional``); ``load_scipy()`` loads them now.
"""

from . import (  # noqa: F401  (registers rules)
    called_rules,
    complexes,
    creation,
    decompositions,
    diagonals,
    elementwise,
    joins,
    linalg,
    nn,
    optional,
    rearrange,
    reductions,
    scans,
    shaping,
    statistics,
    tangents,  # noqa: F401  (after the rules it completes)
    ufuncs,
)
from .optional import load_scipy
from .registry import (
    NONDIFF_ATTRIBUTES,
    NONDIFF_METHODS,
    Rule,
    all_rules,
    is_nondifferentiable,
    load_when_imported,
    lookup,
    lookup_attribute,
    lookup_method,
    nondifferentiable,
    register,
    register_tangents,
    tangents_of,
    unbroadcast,
)
from .shaping import BASIC_GETITEM, is_basic_index

__all__ = [
    "BASIC_GETITEM", "NONDIFF_ATTRIBUTES", "NONDIFF_METHODS", "Rule", "all_rules",
    "is_basic_index", "is_nondifferentiable", "load_scipy", "load_when_imported", "lookup",
    "lookup_attribute", "lookup_method", "nondifferentiable", "register", "register_tangents",
    "tangents_of", "unbroadcast",
]

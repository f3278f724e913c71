"""Annotations: facts the passes attach to syntax-tree nodes, under declared keys.

After import, :data:`KEYS` declares every annotation the compiler uses: what
it means, which passes set it and which read it.  :func:`get`, :func:`set`,
:func:`has`, :func:`delete` and :func:`copy_all` are the only way to touch
one; a key that is not declared raises :class:`UndeclaredAnnotation`, so a
typo is an error rather than a silently missing fact.

An annotation is stored on the node as the attribute ``_sx_<key>``, so it
travels with the node exactly as a field does: ``copy.deepcopy`` (and
``copy.copy``) of a node copies its annotations, ``ast.copy_location`` and
a fresh node made by hand do not.  Values are deep-copied with the node (a
node-valued annotation such as :data:`NODE` is copied too).

Use the key constants (``anno.get(stmt, anno.LINE)``) rather than strings.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

__all__ = ["KEYS", "Key", "Shared", "UndeclaredAnnotation", "copy_all", "declared", "delete", "get",
           "has", "keys_of", "set"]

_PREFIX = "_sx_"


class Shared:
    """An annotation value that copies of its node share (``copy.deepcopy`` of the tree
    keeps ``value`` itself: a rule or an object known by identity)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __deepcopy__(self, memo: dict) -> Shared:
        return self


class UndeclaredAnnotation(KeyError):
    """An annotation key that :data:`KEYS` does not declare."""


@dataclass(frozen=True)
class Key:
    """One declared annotation."""

    name: str
    meaning: str
    set_by: tuple[str, ...]
    read_by: tuple[str, ...]

    @property
    def attribute(self) -> str:
        """The node attribute that stores it."""
        return _PREFIX + self.name


#: Every declared annotation, by key.
KEYS: dict[str, Key] = {}
_ATTRIBUTES: dict[str, str] = {}


def _declare(name: str, meaning: str, set_by: str, read_by: str) -> str:
    KEYS[name] = Key(name, meaning, tuple(set_by.split()), tuple(read_by.split()))
    _ATTRIBUTES[name] = _PREFIX + name
    return name


# -- every statement ------------------------------------------------------------------------
LINE = _declare(
    "line", "int: the user's source line a statement computes (0 or None: no line); the "
    "emitter writes a '# grad of: <that line>' comment above each backward block",
    set_by="aliaswrites "
    "complexsteps widen normalize inline closures reverse forward tape defer lower split "
    "emit checkpoint tapearrays containers horner hoist listtapes",
    read_by="aliaswrites "
    "complexsteps widen emit reverse rulecalls forward tape defer lower checkpoint "
    "tapearrays containers horner hoist listtapes")
GRAD = _declare(
    "grad", "bool: the statement belongs to the backward sweep of reverse mode",
    set_by="reverse tape defer lower checkpoint tapearrays horner widen",
    read_by="widen deadcode refold emit split tape defer lower liveness checkpoint tapearrays "
    "optimize horner listtapes loopzeros hoist signs")
ORIGIN = _declare(
    "origin", "(line, column, construct): the user's call a backward or tangent statement "
    "differentiates; the emitter maps its generated lines to it (srcxform/origins.py), where "
    "a run-time refusal in it points", set_by="complexsteps reverse forward",
    read_by="emit reverse")
FORWARD = _declare(
    "forward", "bool: the statement is tangent code of forward mode (commented like a "
    "backward block)", set_by="forward", read_by="refold emit optimize")
NOGRAD = _declare(
    "nograd", "bool: the statement was computed under the user's 'with sx.no_grad():' (no "
    "gradient flows through it; the block is kept in generated code)",
    set_by="aliaswrites "
    "normalize", read_by="aliaswrites complexsteps refold cse primitives assemble emit")

# -- normalized atoms and calls ---------------------------------------------------------------
GLOBAL = _declare(
    "global", "bool: a Name or dotted Attribute atom that denotes a module global, closure "
    "value, builtin or helper object, not a local variable (it has no adjoint)",
    set_by="normalize inline closures containers",
    read_by="cse normalize funcvalues primitives rulecalls reverse forward containers arrayness "
    "einsum_forms")
CALLEE = _declare(
    "callee", "the object a normalized call calls, resolved at transform time (None: a method "
    "call or an unknown callee)", set_by="aliaswrites complexsteps normalize closures containers",
    read_by="aliaswrites "
    "complexsteps cse normalize primitives activity ints mutation arrayness reverse "
    "forward shift "
    "containers wholeseqs emit")
METHOD = _declare(
    "method", "str | None: the method name of a normalized method call ('sum' for x.sum()); "
    "None for a function call", set_by="aliaswrites normalize closures",
    read_by="aliaswrites "
    "cse normalize primitives effects shapefacts mutation arrayness forward shift")
NODE = _declare(
    "node", "ast.AST: the user's original expression a normalized call came from (the place "
    "an error about the call points at)", set_by="aliaswrites complexsteps normalize closures",
    read_by="aliaswrites complexsteps normalize activity rulecalls reverse forward emit")
LOOP_EXIT = _declare(
    "loop_exit", "bool: the 'if stop: break' a canonical while loop begins with (its test is "
    "used as it is, not copied for the backward sweep)", set_by="loops", read_by="normalize")
TEMPORARY = _declare(
    "temporary", "str | None: on 'name = value' made by the loops pass to evaluate a value once "
    "before a loop; the normalizer makes 'name' stand for a temporary holding the value, named "
    "after this base (after the operation when None), so 'name' itself never appears",
    set_by="loops", read_by="normalize")
RANGE = _declare(
    "range", "bool: the range(...) call of a canonical 'for k in range(...)' loop (its counter "
    "is an int)", set_by="normalize", read_by="ints containers")
INT = _declare(
    "int", "bool: a Name inside an index that only ever holds a Python int (a loop counter, "
    "a length), so the index is basic indexing", set_by="normalize",
    read_by="primitives lower")

# -- lists and sequences ----------------------------------------------------------------------
APPEND = _declare(
    "append", "bool: an expression statement 'xs.append(v)' on a list that grows by append "
    "(treated as an assignment of xs)", set_by="normalize",
    read_by="cse normalize activity primitives reverse forward containers")
POPPED = _declare(
    "popped", "bool: an APPEND statement on a list that is also popped (reverse mode cannot "
    "undo it)", set_by="normalize", read_by="primitives")
LIST = _declare(
    "list", "bool: a Subscript reading an element of a list whose adjoint is a list of element "
    "adjoints (built by append, or a literal read at a computed position)",
    set_by="normalize", read_by="aliaswrites primitives")
INDEX_RULE = _declare(
    "index_rule", "Shared(Rule): a Subscript of a global object the rule table differentiates "
    "when indexed (np.r_[a, b], np.c_[...]); its slice is one atom holding the items",
    set_by="normalize", read_by="aliaswrites primitives")
SEQUENCE = _declare(
    "sequence", "bool: a Subscript reading an element of a name bound to a tuple or list "
    "literal (not of an array)", set_by="normalize", read_by="aliaswrites reverse")

# -- the adjoint and its tapes ------------------------------------------------------------------
ZERO = _declare(
    "zero", "bool: a backward statement that starts an adjoint from zeros "
    "(bv = np.zeros_like(...))", set_by="reverse", read_by="lower")
KEEP = _declare(
    "keep", "bool: the seed statement kept even when its value looks unused (it checks the "
    "output is a scalar)", set_by="reverse", read_by="liveness")
OWN_COPY = _declare(
    "own_copy", "bool: 'b = b.copy()' before an element write into an adjoint, dropped where "
    "the adjoint is already an array of its own", set_by="reverse", read_by="lower")
DEFERRED = _declare(
    "deferred", "bool: a statement the defer pass adds around a backward loop (the row "
    "lists, their appends, the block sums inside and after it)", set_by="defer",
    read_by="tapearrays")
TAPE = _declare(
    "tape", "str: on a push ('h_stack.append(h)') or pop ('h = h_stack.pop()') the tape pass "
    "made, the name of its stack (on a store or read of a preallocated tape, the tape's name)",
    set_by="tape tapearrays listtapes", read_by="deadcode checkpoint tapearrays memory "
    "loopzeros listtapes")
NOTE = _declare(
    "note", "list[str]: comment lines (generated text, never the user's) the emitter writes "
    "above a statement", set_by="checkpoint tapearrays hoist listtapes widen", read_by="emit")
SITE = _declare(
    "site", "int: the id of a forward assignment of an overwritten name (whose old value a "
    "restore marker with the same site brings back)", set_by="reverse",
    read_by="reverse tape")
HEADER_SITE = _declare(
    "header_site", "int: the site id of a for loop's counter, when the backward sweep reads it",
    set_by="reverse", read_by="reverse tape")
MARKER = _declare(
    "marker", "(site, [names]): a placeholder statement of the backward sweep that restores "
    "the values the names had before the assignment at that site",
    set_by="refold reverse tape", read_by="refold astutil optimize propagate memory tape defer")
STORE_INDEX = _declare(
    "store_index", "ast.expr: on a MARKER of an element write 'a[i] = v', the index i (the "
    "elements to restore)", set_by="reverse", read_by="refold memory tape")
INPLACE = _declare(
    "inplace", "(user statement, user name, old name): on a normalized statement that Python "
    "runs in place: an element write 'a[i] = v' (old name: a) or the rebinding 'z_1 = z + e' "
    "a 'z += e' became (old name: z, which Python writes into when it holds an array)",
    set_by="aliaswrites normalize", read_by="aliaswrites cse mutation")
HOLE = _declare(
    "hole", "bool: the operand forward mode replaces by its tangent while it copies an "
    "expression (set and removed within one call)", set_by="forward", read_by="forward")


def _attribute(key: str) -> str:
    try:
        return _ATTRIBUTES[key]
    except KeyError:
        raise UndeclaredAnnotation(f"annotation key {key!r} is not declared in "
                                   f"srcxform.compiler.anno") from None


def declared(key: str) -> Key:
    """The declaration of ``key``."""
    _attribute(key)
    return KEYS[key]


def get(node: ast.AST, key: str, default: Any = None) -> Any:
    """The annotation ``key`` of ``node``, or ``default`` when it has none."""
    try:  # (_attribute, inlined: the passes ask about ten thousand times per function)
        attribute = _ATTRIBUTES[key]
    except KeyError:
        _attribute(key)
    return getattr(node, attribute, default)


def set(node: ast.AST, key: str, value: Any) -> None:
    """Annotate ``node`` with ``key`` = ``value``."""
    try:
        attribute = _ATTRIBUTES[key]
    except KeyError:
        _attribute(key)
    setattr(node, attribute, value)


def has(node: ast.AST, key: str) -> bool:
    """True when ``node`` carries annotation ``key``."""
    try:
        attribute = _ATTRIBUTES[key]
    except KeyError:
        _attribute(key)
    return hasattr(node, attribute)


def delete(node: ast.AST, key: str) -> None:
    """Remove annotation ``key`` from ``node`` (nothing happens when it has none)."""
    attribute = _attribute(key)
    if hasattr(node, attribute):
        delattr(node, attribute)


def keys_of(node: ast.AST) -> dict[str, Any]:
    """Every annotation of ``node``, by key."""
    return {key: getattr(node, attribute) for key, attribute in _ATTRIBUTES.items()
            if hasattr(node, attribute)}


def copy_all(src: ast.AST, dst: ast.AST) -> None:
    """Give ``dst`` every annotation of ``src`` (the values are shared, not copied)."""
    for key, value in keys_of(src).items():
        setattr(dst, _ATTRIBUTES[key], value)

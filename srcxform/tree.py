"""Pytrees: nested tuples, lists and dicts of arrays and numbers, seen as one thing.

A *pytree* is a leaf or a container of pytrees.  Containers are ``tuple``
(namedtuples included), ``list`` and ``dict`` (subclasses too); ``None`` is a
container with no children (it keeps its place, holds no leaf, as in JAX).
Everything else is a leaf.  After import:

* ``leaves(tree)`` lists the leaves in a deterministic order: sequences in
  order, dicts by sorted keys (an ``OrderedDict`` in its own order), depth
  first;
* ``structure(tree)`` is a hashable :class:`Structure` (containers, keys, and
  the shape and type of every leaf), equal for equal trees of equal leaf
  shapes, so it can key a cache; its ``paths`` are the keys leading to each
  leaf; ``unflatten(structure, leaves)`` rebuilds a tree from a list of
  leaves;
* ``map(fn, tree, *rest)`` applies ``fn`` leaf by leaf; each of ``rest`` has
  ``tree``'s containers (at ``tree``'s leaves it may hold anything);
* ``flatten(tree)`` returns ``(vector, unflatten)``: one 1-d array of every
  numeric leaf raveled in that order (its dtype the leaves' common floating
  type), and a function rebuilding the same structure from such a vector,
  each leaf with its shape and dtype (a Python float as a Python float;
  dicts with their keys in sorted order).  Leaves that are not numbers or
  numeric arrays raise ``TypeError`` naming the leaf's path.

The numeric bodies (:func:`ravel_leaves`, :func:`unravel_leaves`) are plain
NumPy (``ravel``, ``concatenate``, ``astype``, slices, ``reshape``,
``float``); everything else walks the containers, which a compiler
specialised on the structure knows before the call, so ``flatten(params)``
inside differentiated code can become ``ravel_leaves([leaf, ...], dtype)``
with the leaves written out, and ``unflatten(v)`` the slices and reshapes
of ``unravel_leaves`` for the known specs.
"""

from __future__ import annotations

import builtins
import collections
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = ["Structure", "flatten", "leaves", "map", "ravel_leaves", "structure", "unflatten",
           "unravel_leaves"]

_NUMERIC_KINDS = "biufc"


# -- the structure ---------------------------------------------------------------------


@dataclass(frozen=True)
class LeafSpec:
    """What ``flatten`` must know to rebuild one leaf: its shape, dtype and Python type."""

    shape: tuple[int, ...]
    dtype: np.dtype
    kind: str  # "array", "numpy" (a NumPy scalar), "python" (bool, int, float, complex), "other"
    pytype: type

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=int))


@dataclass(frozen=True)
class Structure:
    """The containers of a pytree and the spec of each leaf (hashable)."""

    node: Any  # a nested tuple describing the containers; see _describe
    specs: tuple[LeafSpec, ...]

    @property
    def num_leaves(self) -> int:
        return len(self.specs)

    @property
    def container(self) -> str | None:
        """The outermost container's kind ("tuple", "namedtuple", "list", "dict"), or
        ``None`` for a leaf or ``None`` itself."""
        if self.node is _LEAF or self.node is _NONE:
            return None
        return self.node[0][0][0]

    @property
    def paths(self) -> list[tuple[Any, ...]]:
        """The keys leading to each leaf, in leaf order (``tree[k0][k1]...`` is the leaf)."""
        out: list[tuple[Any, ...]] = []
        _collect_paths(self.node, (), out)
        return out

    def unflatten(self, leaves_: list[Any]) -> Any:
        """The tree of this structure holding ``leaves_`` (in ``leaves`` order)."""
        leaves_ = list(leaves_)
        if len(leaves_) != len(self.specs):
            raise ValueError(f"this structure has {len(self.specs)} leaves; got "
                             f"{len(leaves_)}")
        return _build(self.node, iter(leaves_))

    def __repr__(self) -> str:
        return f"Structure({_show(self.node, iter(self.specs))})"


_LEAF = ("leaf",)
_NONE = ("none",)


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _dict_keys(d: dict, path: str) -> list[Any]:
    if isinstance(d, collections.OrderedDict):
        return list(d.keys())
    try:
        return sorted(d.keys())
    except TypeError:
        raise TypeError(f"the keys of the dict at {path or 'the root'} cannot be sorted "
                        f"({sorted({type(k).__name__ for k in d})}); pytree dicts need "
                        f"keys of one sortable type") from None


def _children(x: Any, path: str) -> tuple[Any, list[tuple[str, Any]]] | None:
    """``(container description, [(path, child)])`` of a container, None for a leaf."""
    if x is None:
        return _NONE, []
    kind = type(x)
    if isinstance(x, tuple):
        tag = ("namedtuple", kind) if _is_namedtuple(x) else ("tuple", kind)
        return (tag, len(x)), [(f"{path}[{i}]", v) for i, v in enumerate(x)]
    if isinstance(x, list):
        return (("list", kind), len(x)), [(f"{path}[{i}]", v) for i, v in enumerate(x)]
    if isinstance(x, dict):
        keys = _dict_keys(x, path)
        extra = x.default_factory if isinstance(x, collections.defaultdict) else None
        return (("dict", kind, extra), tuple(keys)), [(f"{path}[{k!r}]", x[k]) for k in keys]
    return None


def _walk(x: Any, path: str, out: list[tuple[str, Any]]) -> Any:
    """The container description of ``x``; appends ``(path, leaf)`` for each leaf."""
    found = _children(x, path)
    if found is None:
        out.append((path, x))
        return _LEAF
    tag, children = found
    if tag is _NONE:
        return _NONE
    return (tag, tuple(_walk(child, p, out) for p, child in children))


def _collect_paths(node: Any, prefix: tuple[Any, ...], out: list[tuple[Any, ...]]) -> None:
    if node is _LEAF:
        out.append(prefix)
        return
    if node is _NONE:
        return
    (tag, keys), children = node
    labels = keys if tag[0] == "dict" else range(len(children))
    for key, child in zip(labels, children):
        _collect_paths(child, prefix + (key,), out)


def _build(node: Any, items: Any) -> Any:
    if node is _LEAF:
        return next(items)
    if node is _NONE:
        return None
    (tag, keys), children = node
    values = [_build(child, items) for child in children]
    family, kind = tag[0], tag[1]
    if family == "tuple":
        return tuple(values) if kind is tuple else kind(values)
    if family == "namedtuple":
        return kind(*values)
    if family == "list":
        return values if kind is list else kind(values)
    pairs = list(zip(keys, values))
    if kind is dict:
        return dict(pairs)
    if kind is collections.defaultdict:
        return collections.defaultdict(tag[2], pairs)
    return kind(pairs)


def _show(node: Any, specs: Any) -> str:
    if node is _LEAF:
        spec = next(specs)
        if spec.kind in ("other", "python"):
            return spec.pytype.__name__
        return f"{spec.dtype}{list(spec.shape)}"
    if node is _NONE:
        return "None"
    (tag, keys), children = node
    parts = [_show(child, specs) for child in children]
    if tag[0] == "dict":
        return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(keys, parts)) + "}"
    if tag[0] == "list":
        return "[" + ", ".join(parts) + "]"
    name = tag[1].__name__ if tag[0] == "namedtuple" else ""
    return name + "(" + ", ".join(parts) + ("," if len(parts) == 1 and not name else "") + ")"


def _spec(leaf: Any) -> LeafSpec:
    kind = type(leaf)
    if kind is float or kind is int or kind is bool or kind is complex:
        return LeafSpec((), np.dtype(kind), "python", kind)
    if isinstance(leaf, np.ndarray) and leaf.dtype.kind in _NUMERIC_KINDS:
        return LeafSpec(tuple(leaf.shape), leaf.dtype, "array", np.ndarray)
    if isinstance(leaf, np.generic) and leaf.dtype.kind in _NUMERIC_KINDS:
        return LeafSpec((), leaf.dtype, "numpy", kind)
    if isinstance(leaf, (float, int)):  # float/int subclasses (not bool)
        return LeafSpec((), np.dtype(float if isinstance(leaf, float) else int), "python", kind)
    return LeafSpec((), np.dtype(object), "other", kind)


def _paths_and_structure(tree: Any) -> tuple[list[tuple[str, Any]], Structure]:
    found: list[tuple[str, Any]] = []
    node = _walk(tree, "", found)
    return found, Structure(node, tuple(_spec(leaf) for _, leaf in found))


# -- the public walk -------------------------------------------------------------------


def leaves(tree: Any) -> list[Any]:
    """The leaves of ``tree``, depth first (dicts by sorted key); ``None`` holds none."""
    found: list[tuple[str, Any]] = []
    _walk(tree, "", found)
    return [leaf for _, leaf in found]


def structure(tree: Any) -> Structure:
    """The hashable structure of ``tree``: its containers and each leaf's shape and type."""
    return _paths_and_structure(tree)[1]


def unflatten(structure_: Structure, leaves_: list[Any]) -> Any:
    """The tree of ``structure_`` holding ``leaves_`` (the inverse of :func:`leaves`)."""
    if not isinstance(structure_, Structure):
        raise TypeError(f"unflatten expects a Structure (from sx.tree.structure), got "
                        f"{type(structure_).__name__}")
    return structure_.unflatten(leaves_)


def _map_into(fn: Callable[..., Any], x: Any, rest: tuple, path: str) -> Any:
    found = _children(x, path)
    if found is None:
        return fn(x, *rest)
    tag, children = found
    if tag is _NONE:
        for i, other in enumerate(rest):
            if other is not None:
                raise ValueError(f"map: tree {i + 2} holds {type(other).__name__} at "
                                 f"{path or 'the root'}, where the first tree holds None")
        return None
    others = []
    for i, other in enumerate(rest):
        theirs = _children(other, path)
        if theirs is None or theirs[0] != tag:
            raise ValueError(f"map: tree {i + 2} has a different structure at "
                             f"{path or 'the root'}: {_describe_node(other)} where the first "
                             f"tree has {_describe_node(x)}")
        others.append([child for _, child in theirs[1]])
    values = [_map_into(fn, child, tuple(o[j] for o in others), p)
              for j, (p, child) in enumerate(children)]
    return _build((tag, tuple(_LEAF for _ in values)), iter(values))


def _describe_node(x: Any) -> str:
    if isinstance(x, dict):
        return f"a {type(x).__name__} with keys {sorted(builtins.map(repr, x))}"
    if isinstance(x, (tuple, list)):
        return f"a {type(x).__name__} of {len(x)}"
    return f"a leaf of type {type(x).__name__}"


def map(fn: Callable[..., Any], tree: Any, *rest: Any) -> Any:  # noqa: A001
    """``tree``'s structure with ``fn(leaf, *matching leaves of rest)`` at each leaf.

    Each tree of ``rest`` has ``tree``'s containers (same types, lengths and
    keys); where ``tree`` has a leaf it may hold anything, which ``fn`` gets.
    """
    return _map_into(fn, tree, rest, "")


# -- one vector of all leaves ----------------------------------------------------------


def ravel_leaves(leaves_: list[Any], dtype: Any) -> np.ndarray:
    """Every leaf raveled, joined into one vector of ``dtype`` (plain NumPy)."""
    if not leaves_:
        return np.zeros(0, dtype=dtype)
    return np.concatenate([np.ravel(leaf) for leaf in leaves_]).astype(dtype)


def unravel_leaves(vector: np.ndarray, specs: tuple[LeafSpec, ...]) -> list[Any]:
    """The leaves of ``specs`` cut from ``vector`` in order (slices and reshapes)."""
    out: list[Any] = []
    start = 0
    for spec in specs:
        stop = start + spec.size
        if spec.kind == "array":
            out.append(np.reshape(vector[start:stop], spec.shape).astype(spec.dtype))
        else:  # a NumPy or Python scalar of its own type (np.float32, float, int, ...)
            out.append(spec.pytype(vector[start]))
        start = stop
    return out


def _vector_dtype(specs: tuple[LeafSpec, ...], found: list[tuple[str, Any]]) -> np.dtype:
    for spec, (path, leaf) in zip(specs, found):
        if spec.kind == "other":
            shown = f"array of dtype {leaf.dtype}" if isinstance(leaf, np.ndarray) \
                else type(leaf).__name__
            raise TypeError(f"flatten: the leaf at {path or 'the root'} is {shown}; flatten "
                            f"takes arrays and numbers (bool, int, float, complex) in "
                            f"tuples, lists and dicts")
    weak = [leaf for spec, (_, leaf) in zip(specs, found) if spec.kind == "python"]
    strong = [spec.dtype for spec in specs if spec.kind != "python"]
    return np.result_type(*strong, *weak, 0.0)


def flatten(tree: Any, *dims: int, **dim_names: int) -> Any:
    """``(vector, unflatten)``: all numeric leaves as one 1-d array, and its inverse.

    The vector's dtype is the leaves' common type promoted to floating
    (float64 for Python numbers and integers, float32 if every leaf is
    float32).  ``unflatten(vector)`` returns ``tree``'s structure with leaves
    cut from ``vector`` in the same order, each of its leaf's shape and dtype.

    Called on an eager ``Tensor`` it is PyTorch's ``flatten(input, start_dim=0,
    end_dim=-1)`` instead, so ``sx.flatten(t, 1)`` reads as ``torch.flatten(t, 1)``.
    """
    from .runtime.tensor_class import Tensor

    if isinstance(tree, Tensor):
        from .runtime.shape_ops import flatten as flatten_tensor

        return flatten_tensor(tree, *dims, **dim_names)
    if dims or dim_names:
        raise TypeError("flatten(tree) takes only the tree; start_dim/end_dim are for Tensors")
    found, struct = _paths_and_structure(tree)
    dtype = _vector_dtype(struct.specs, found)
    vector = ravel_leaves([leaf for _, leaf in found], dtype)
    size = vector.shape[0]

    def unflatten_vector(vector: Any) -> Any:
        vector = np.asarray(vector)
        if vector.ndim != 1 or vector.shape[0] != size:
            raise ValueError(f"unflatten expects a vector of {size} elements (the flattened "
                             f"tree's), got an array of shape {vector.shape}")
        return struct.unflatten(unravel_leaves(vector, struct.specs))

    unflatten_vector.structure = struct  # type: ignore[attr-defined]
    return vector, unflatten_vector

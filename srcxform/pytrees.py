"""The pytree front door: transforms of functions whose arguments are nested containers.

After import, a differentiated argument that is a ``list``, ``tuple`` or
``dict`` (nested, of arrays and numbers; see ``srcxform/tree.py``) is
handled by a *twin*: a small generated function taking one parameter per
leaf, which rebuilds the containers from its leaves and calls the user's
function, e.g. for ``f(params, x)`` with ``params = [(W0, b0), (W1, b1)]``::

    def f(params_0_0, params_0_1, params_1_0, params_1_1, x):
        params = [(params_0_0, params_0_1), (params_1_0, params_1_1)]
        return f(params, x)

(a dict is rebuilt as ``dict(key=leaf, ...)``).  The compiler does not
inline the user's function into the twin: it parses the user's function
itself with the twin's parameters and the prologue's assignments first
(``compiler/parse.py``), so the body keeps every ability of a top-level
function (lists it appends to, arrays it writes into), and dissolves the
containers (``compiler/containers.py``), so the generated code works on the leaves;
the twin's gradient with respect to the leaves is regrouped into the
argument's structure (a list of ``(dW, db)`` for a list of ``(W, b)``).

* :func:`tree_arguments` says which bound arguments go through a twin;
* :func:`twin_of` makes (once per function and container layout — the
  :func:`structure_key`) the twin; leaf shapes are then the ordinary shape
  specialisation of the twin's own cache;
* :func:`call` runs ``grad`` / ``value_and_grad`` through a twin;
  :func:`vjp` and :func:`jvp` do the same for those transforms.

Containers that are not differentiated are passed as they are.  A dict
whose keys are not all identifiers, and namedtuples, are refused with a
``TypeError`` saying what to pass instead.
"""

from __future__ import annotations

import inspect
import keyword
import weakref
from dataclasses import dataclass
from typing import Any, Callable

from . import tree
from .compiler.results import from_result, to_result
from .twins import compile_twin

_TWINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
CONTAINER_TYPES = (list, tuple, dict)


def is_tree(value: Any) -> bool:
    """A container the front door flattens (a list, tuple or dict)."""
    return isinstance(value, CONTAINER_TYPES)


def structure_key(value: Any) -> Any:
    """The container layout of ``value`` (types, lengths, keys; not leaf shapes): one twin
    per distinct key.  Kept apart from the shape keys of ``srcxform/cache``."""
    return tree.structure(value).node


@dataclass
class Twin:
    """A twin function and how to map arguments to its leaves and gradients back."""

    fn: Callable[..., Any]
    names: list[str]                       # the user function's parameters
    leaves: dict[str, list[str]]           # tree parameter -> its leaf parameters
    structures: dict[str, tree.Structure]  # tree parameter -> its structure (shapes too)

    def expand(self, values: list[Any]) -> list[Any]:
        """The twin's arguments for the user function's bound ``values``."""
        out: list[Any] = []
        for name, value in zip(self.names, values):
            if name in self.leaves:
                out += tree.leaves(value)
            else:
                out.append(value)
        return out

    def leaf_wrt(self, wrt: list[str]) -> tuple[str, ...]:
        out: list[str] = []
        for w in wrt:
            out += self.leaves.get(w, [w])
        return tuple(out)

    def regroup(self, wrt: list[str], grads: tuple, values: dict[str, Any]) -> list[Any]:
        """One gradient per name of ``wrt`` from the twin's per-leaf gradients."""
        it = iter(grads)
        out = []
        for w in wrt:
            if w in self.leaves:
                struct = tree.structure(values[w])
                parts = [_like_leaf(next(it), spec) for spec in struct.specs]
                out.append(struct.unflatten(parts))
            else:
                g = next(it)
                kind = type(values[w])
                out.append(float(g) if kind is float and g is not None else
                           complex(g) if kind is complex and g is not None else g)
        return out


def _like_leaf(gradient: Any, spec: tree.LeafSpec) -> Any:
    """A leaf's gradient as its argument's kind: a Python float for a Python number."""
    if spec.kind == "python" and gradient is not None:
        return complex(gradient) if spec.pytype is complex else float(gradient)
    return gradient


def _identifier(text: str) -> str:
    text = "".join(c if c.isalnum() or c == "_" else "_" for c in str(text))
    return text if text and not text[0].isdigit() else "_" + text


def _expression(node: Any, names: Any) -> str:
    """Source rebuilding the container ``node`` (a ``Structure.node``) from leaf names."""
    if node == ("leaf",):
        return next(names)
    if node == ("none",):
        return "None"
    (tag, keys), children = node
    parts = [_expression(child, names) for child in children]
    family, kind = tag[0], tag[1]
    if family == "list" and kind is list:
        return "[" + ", ".join(parts) + "]"
    if family == "tuple" and kind is tuple:
        return "(" + "".join(p + ", " for p in parts) + ")"
    if family == "dict" and kind is dict and all(
            isinstance(k, str) and k.isidentifier() and not keyword.iskeyword(k) for k in keys):
        return "dict(" + ", ".join(f"{k}={p}" for k, p in zip(keys, parts)) + ")"
    what = {"namedtuple": f"a namedtuple ({kind.__name__})",
            "dict": "a dict whose keys are not all identifiers" if kind is dict
            else f"a {kind.__name__}"}.get(family, f"a {kind.__name__}")
    raise TypeError(f"a differentiated argument holds {what}; srcxform differentiates "
                    f"lists, tuples and dicts with identifier keys of arrays and numbers "
                    f"(pass a plain tuple, list or dict instead)")


def _leaf_names(param: str, struct: tree.Structure, taken: set[str]) -> list[str]:
    out = []
    for path in struct.paths:
        base = _identifier("_".join([param, *(str(p) for p in path)]))
        name, k = base, 1
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        out.append(name)
    return out


def twin_of(fn: Callable[..., Any], names: list[str], values: list[Any],
            trees: list[str]) -> Twin:
    """The twin of ``fn`` for these argument values, flattening parameters ``trees``."""
    key = (fn.__code__, tuple(names), tuple(trees),
           tuple(structure_key(values[names.index(t)]) for t in trees))
    per_fn = _TWINS.setdefault(fn, {})
    found = per_fn.get(key)
    if found is not None:
        found.structures = {t: tree.structure(values[names.index(t)]) for t in trees}
        return found
    target = fn.__name__ if fn.__name__.isidentifier() else "function"
    taken = set(names) | {target}
    leaves: dict[str, list[str]] = {}
    structures: dict[str, tree.Structure] = {}
    params: list[str] = []
    prologue: list[str] = []
    for name, value in zip(names, values):
        if name in trees:
            struct = tree.structure(value)
            structures[name] = struct
            leaves[name] = _leaf_names(name, struct, taken)
            params += leaves[name]
            prologue.append(f"    {name} = {_expression(struct.node, iter(leaves[name]))}")
        else:
            params.append(name)
    signature = inspect.signature(fn).parameters
    call = ", ".join(n if signature[n].kind in (inspect.Parameter.POSITIONAL_ONLY,
                                                 inspect.Parameter.POSITIONAL_OR_KEYWORD)
                     else f"{n}={n}" for n in names)
    twin = compile_twin(fn, target, params, prologue, call, "pytree", fn.__qualname__)
    made = Twin(twin, list(names), leaves, structures)
    per_fn[key] = made
    return made


def may_take_trees(fn: Callable[..., Any]) -> bool:
    """True when ``fn`` has no unsupported construct of its own (``check`` passes), so a
    failure of its generic transform may come from treating a container argument as an
    array: the error then waits for the first call without containers."""
    from .compiler.check import check_function
    from .compiler.parse import parse_function
    from .errors import TransformError

    if getattr(fn, "__srcxform__", None) is not None:
        return False  # generated code never takes containers (its caller handles the error)
    try:
        parsed = parse_function(fn)
        check_function(parsed)
    except (TransformError, TypeError, ValueError):
        return False
    return not (parsed.node.args.vararg or parsed.node.args.kwarg)


def tree_arguments(names: list[str], values: list[Any], wrt: list[str]) -> list[str]:
    """The differentiated parameters whose values are containers."""
    return [w for w in wrt if is_tree(values[names.index(w)])]


def call(kind: str, fn: Callable[..., Any], wrt: Any, args: tuple, kwargs: dict) -> Any:
    """``grad`` or ``value_and_grad`` of ``fn`` at these arguments, through a twin."""
    from . import api
    from .cache import bind_all
    from .compiler.program import wrt_names

    names, values = bind_all(fn, args, kwargs)
    positional = [n for n, p in inspect.signature(fn).parameters.items()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    wrt_list, is_tuple = wrt_names(names, positional, wrt, fn.__qualname__)
    trees = tree_arguments(names, values, wrt_list)
    twin = twin_of(fn, names, values, trees)
    leaf_wrt = twin.leaf_wrt(wrt_list)
    if not leaf_wrt:
        raise ValueError(f"{fn.__qualname__}: the differentiated argument(s) hold no leaf")
    inner = api._decorator(kind, twin.fn, leaf_wrt)
    out = inner(*twin.expand(values))
    value, grads = out if kind == "value_and_grad" else (None, out)
    grads = tuple(grads)  # (leaf_wrt is a tuple: one gradient per leaf, even for one)
    result = twin.regroup(wrt_list, grads, dict(zip(names, values)))
    gradient = tuple(result) if is_tuple else result[0]
    return (value, gradient) if kind == "value_and_grad" else gradient


def _leaf_positions(twin: Twin, positions: list[int]) -> list[int]:
    """The twin's parameter positions of the leaves of the user's parameters ``positions``."""
    out, at = [], 0
    for i, name in enumerate(twin.names):
        width = len(twin.leaves[name]) if name in twin.leaves else 1
        if i in positions:
            out += list(range(at, at + width))
        at += width
    return out


def _regroup_positions(twin: Twin, positions: list[int], grads: tuple,
                       values: list[Any]) -> tuple:
    wrt = [twin.names[p] for p in positions]
    return tuple(twin.regroup(wrt, grads, dict(zip(twin.names, values))))


def vjp(fn: Callable[..., Any], names: list[str], values: list[Any], wrt: tuple[int, ...],
        promote: Callable[[list[Any], Any], list[Any]],
        check_like: Callable[[str, Any, Any], None]) -> tuple[Any, Callable[..., tuple]]:
    """``sx.vjp`` when some primals are containers: through a twin (module docstring)."""
    from .cache import specialized

    trees = [names[p] for p in wrt if is_tree(values[p])]
    twin = twin_of(fn, names, values, trees)
    leaf_values = twin.expand(values)
    leaf_wrt = tuple(_leaf_positions(twin, list(wrt)))
    if not leaf_wrt:
        raise ValueError(f"vjp of {fn.__qualname__}: the primals hold no leaf")
    leaf_values = promote(leaf_values, leaf_wrt)
    made = specialized(twin.fn, "vjp", leaf_wrt, twin_parameters(twin.fn), leaf_values)
    value, residuals = made.fn(*leaf_values)
    backward = made.backward
    layout = made.result_layout

    def pullback(cotangent: Any) -> tuple:
        cotangent = from_result(layout, cotangent)
        check_like("cotangent", cotangent, value)
        grads = backward(residuals, cotangent)
        return _regroup_positions(twin, list(wrt), tuple(grads), values)

    pullback.__srcxform__ = made
    pullback.__doc__ = f"The pullback of {fn.__qualname__} at the primals given to vjp."
    return to_result(layout, value), pullback


def jvp(fn: Callable[..., Any], names: list[str], values: list[Any], tangents: tuple,
        promote: Callable[[list[Any], Any], list[Any]]) -> tuple[Any, Any, Any]:
    """``sx.jvp`` when some primals with tangents are containers: through a twin; the
    output and tangent as the generated code gives them, and the result's layout
    (``compiler/results.py``)."""
    from .cache import specialized

    wrt = [i for i, t in enumerate(tangents) if t is not None]
    trees = [names[p] for p in wrt if is_tree(values[p])]
    for p in wrt:
        if names[p] in trees and structure_key(tangents[p]) != structure_key(values[p]):
            raise ValueError(f"tangent {p} has structure {tree.structure(tangents[p])}; its "
                             f"primal has {tree.structure(values[p])}")
    twin = twin_of(fn, names, values, trees)
    leaf_values = twin.expand(values)
    leaf_wrt = _leaf_positions(twin, wrt)
    leaf_tangents: list[Any] = []
    for p in wrt:
        leaf_tangents += tree.leaves(tangents[p]) if names[p] in trees else [tangents[p]]
    leaf_values = promote(leaf_values, leaf_wrt)
    made = specialized(twin.fn, "jvp", tuple(leaf_wrt), twin_parameters(twin.fn), leaf_values)
    out, tangent = made.fn(*leaf_values, *leaf_tangents)
    return out, tangent, made.result_layout


def twin_parameters(fn: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(fn).parameters)


def refuse_hessian(fn: Callable[..., Any], names: list[str], values: list[Any],
                   positions: list[int]) -> None:
    """``sx.hessian`` does not take container arguments: a ``TypeError`` saying what to do."""
    for p in positions:
        if is_tree(values[p]):
            raise TypeError(f"sx.hessian({fn.__qualname__}): argument {names[p]!r} is a "
                            f"{type(values[p]).__name__}; the Hessian of a pytree argument is "
                            f"not supported. Differentiate a function of one vector instead: "
                            f"v, unflatten = sx.flatten(params); "
                            f"sx.hessian(lambda v: f(unflatten(v), ...))")

"""Reverse-mode execution of a recorded graph (``Tensor.backward``).

After :func:`backward` returns, every leaf reached from the roots that
requires grad has the sum of its gradients added into ``.grad`` (in place
once ``.grad`` exists, as PyTorch does), retained non-leaves likewise, and,
unless ``retain_graph``, every node run has released what its rule reads by
value.  Nodes run in topological order: a node runs once all its consumers
have added their contributions, so shared subgraphs are visited once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import graph
from .graph import Node

#: The Tensor class (tensor_class.py imports this module, so it is not imported here).
Tensor = Any


def _as_grad(t: Tensor, g: Any) -> np.ndarray:
    g = np.asarray(g)
    value = t._value
    if g.dtype != value.dtype:
        g = g.astype(value.dtype)
    if g.shape != value.shape:
        raise RuntimeError(
            f"srcxform internal error: a rule gave a gradient of shape {g.shape} "
            f"for an input of shape {value.shape}")
    return g


def _store_grad(t: Tensor, g: np.ndarray) -> None:
    """Add ``g`` into ``t.grad`` (a fresh owned copy the first time)."""
    if t._grad is None:
        t._grad = graph.wrap(np.array(g, copy=True, order="C"))
    else:
        t._grad._value += g


def backward(roots: list[Tensor], grads: list[np.ndarray], retain_graph: bool = False,
             capture: list[Tensor] | None = None) -> list[np.ndarray | None] | None:
    """Propagate ``grads`` (one per root, already shaped) back to the leaves.

    With ``capture``, nothing is stored in ``.grad``: the gradients of the
    tensors listed are returned instead (None for one the roots do not reach).
    """
    found_grads: dict[int, np.ndarray] = {}
    if capture is not None:
        wanted_leaves = {id(t) for t in capture if t._grad_fn is None}
        wanted_nodes = {t._grad_fn: id(t) for t in capture if t._grad_fn is not None}

        def _store(t: Tensor, g: np.ndarray) -> None:
            if id(t) in wanted_leaves:
                key = id(t)
                found_grads[key] = found_grads[key] + g if key in found_grads else g
    else:
        wanted_nodes = {}
        _store = _store_grad
    pending: dict[Node, np.ndarray] = {}
    starts: list[Node] = []
    with np.errstate(all="ignore"):
        for t, g in zip(roots, grads):
            fn = t._grad_fn
            if fn is None:
                _store(t, _as_grad(t, g))
            elif fn in pending:
                pending[fn] = pending[fn] + g
            else:
                pending[fn] = g
                starts.append(fn)
        consumers = _count_consumers(starts)
        ready = [n for n in starts if not consumers.get(n)]
        while ready:
            node = ready.pop()
            g = pending.pop(node, None)
            if g is not None and node in wanted_nodes:
                found_grads[wanted_nodes[node]] = g
            if g is not None:
                retained = node._retained() if node._retained is not None else None
                if retained is not None and capture is None:
                    _store(retained, _as_grad(retained, g))
                found = node.input_grads(g)
            else:
                found = []  # no gradient reached this node; its inputs still wait on it
            for t, fn, gi in found:
                gi = _as_grad(t, gi)
                if fn is None:
                    _store(t, gi)
                    continue
                pending[fn] = pending[fn] + gi if fn in pending else gi
            for _pos, _item, _t, fn in node._edges:
                if fn is None:
                    continue
                consumers[fn] -= 1
                if consumers[fn] == 0:
                    ready.append(fn)
            if not retain_graph:
                node.release()
    if capture is None:
        return None
    return [found_grads.get(id(t)) for t in capture]


def _count_consumers(starts: list[Node]) -> dict[Node, int]:
    """For each node reachable from ``starts``: how many edges lead into it."""
    counts: dict[Node, int] = {}
    seen = set(starts)
    stack = list(starts)
    while stack:
        node = stack.pop()
        for _pos, _item, _t, fn in node._edges:
            if fn is None:
                continue
            counts[fn] = counts.get(fn, 0) + 1
            if fn not in seen:
                seen.add(fn)
                stack.append(fn)
    return counts

"""Shape changes, joins, copies, casts and index reads of tensors.

After import, each function records one table primitive (reshape, transpose,
concatenate, stack, copy, broadcast_to, getitem) and names its node as
PyTorch does for the spelling used (``UnsqueezeBackward0`` for ``unsqueeze``,
``SelectBackward0`` for ``x[0]``, ``SliceBackward0`` for ``x[1:]``,
``IndexBackward0`` for ``x[[0, 2]]`` ...).
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import rules
from . import graph, messages
from .dims import check_dim
from .dtypes import to_numpy_dtype
from .grad_mode import _mode
from .graph import record, unwrap, wrap

#: The Tensor class (tensor_class.py imports this module, so it is not imported here).
Tensor = Any


RESHAPE, TRANSPOSE, T_ATTR = (rules.lookup(np.reshape), rules.lookup(np.transpose),
                              rules.lookup_attribute("T"))
COPY, CONCAT, STACK = rules.lookup(np.copy), rules.lookup(np.concatenate), rules.lookup(np.stack)
EXPAND = rules.lookup(np.broadcast_to)
BASIC_INDEX, INDEX = rules.lookup(rules.BASIC_GETITEM), rules.lookup(operator.getitem)


def shape_arg(shape: tuple) -> tuple:
    """``(2, 3)``, ``((2, 3),)`` or ``([2, 3],)`` as one tuple of ints."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _ndim(x: Any) -> int:
    return np.ndim(unwrap(x))


def reshape(input: Any, *shape: Any) -> Tensor:
    """The same elements in a new shape (one entry may be -1)."""
    new = shape_arg(shape)
    try:
        return record(np.reshape, RESHAPE, (input, new), None, "ViewBackward0")
    except ValueError:
        raise RuntimeError(messages.invalid_view(new, np.size(unwrap(input)))) from None


view = reshape


def _reshaped(input: Any, new: tuple, name: str) -> Tensor:
    return record(np.reshape, RESHAPE, (input, new), None, name)


def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dimensions ``start_dim``..``end_dim`` merged into one."""
    shape = np.shape(unwrap(input))
    if not shape:
        return _reshaped(input, (1,), "ViewBackward0")
    n = len(shape)
    s, e = check_dim(start_dim, n) % n, check_dim(end_dim, n) % n
    new = shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:]
    return _reshaped(input, new, "ViewBackward0")


def unsqueeze(input: Any, dim: int) -> Tensor:
    """A new dimension of size 1 at ``dim``."""
    shape = list(np.shape(unwrap(input)))
    n = len(shape) + 1
    if not -n <= dim < n:
        raise IndexError(messages.dim_out_of_range(dim, n))
    shape.insert(dim % n, 1)
    return _reshaped(input, tuple(shape), "UnsqueezeBackward0")


def squeeze(input: Any, dim: Any = None) -> Tensor:
    """Dimensions of size 1 removed (only ``dim`` when given)."""
    shape = np.shape(unwrap(input))
    if dim is None:
        return _reshaped(input, tuple(s for s in shape if s != 1), "SqueezeBackward0")
    dims = {check_dim(d, len(shape)) % max(len(shape), 1)
            for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
    new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return _reshaped(input, new, "SqueezeBackward1" if not isinstance(dim, (tuple, list))
                     else "SqueezeBackward2")


def t(input: Any) -> Tensor:
    """The transpose of a matrix (vectors and scalars unchanged)."""
    if _ndim(input) > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{_ndim(input)}D")
    return record(np.transpose, TRANSPOSE, (input,), None, "TBackward0")


def T(input: Any) -> Tensor:  # noqa: N802  (the attribute it implements)
    """All dimensions reversed (``x.T``)."""
    return record(_attr_t, T_ATTR, (input,))


def _attr_t(a: np.ndarray) -> np.ndarray:
    return a.T


def transpose(input: Any, dim0: int, dim1: int) -> Tensor:
    """Dimensions ``dim0`` and ``dim1`` swapped."""
    n = _ndim(input)
    perm = list(range(n))
    a, b = check_dim(dim0, n) % max(n, 1), check_dim(dim1, n) % max(n, 1)
    if n:
        perm[a], perm[b] = perm[b], perm[a]
    return record(np.transpose, TRANSPOSE, (input, tuple(perm)), None, "TransposeBackward0")


def permute(input: Any, *dims: Any) -> Tensor:
    """Dimensions reordered as ``dims``."""
    order = shape_arg(dims)
    n = _ndim(input)
    if len(order) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {n} is not equal to len(dims) = {len(order)}")
    return record(np.transpose, TRANSPOSE, (input, tuple(check_dim(d, n) for d in order)), None,
                  "PermuteBackward0")


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """The tensors joined along ``dim``."""
    tensors = list(tensors)
    d = check_dim(dim, _ndim(tensors[0])) if tensors else dim
    return record(np.concatenate, CONCAT, (tensors,), {"axis": d})


concatenate = concat = cat


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """The tensors stacked along a new dimension ``dim``."""
    return record(np.stack, STACK, (list(tensors),), {"axis": dim})


def expand(input: Any, *sizes: Any) -> Tensor:
    """``input`` broadcast to ``sizes`` (-1 keeps a dimension)."""
    want = shape_arg(sizes)
    have = np.shape(unwrap(input))
    lead = len(want) - len(have)
    new = tuple(have[i - lead] if s == -1 else s for i, s in enumerate(want))
    return record(np.broadcast_to, EXPAND, (input, new))


def broadcast_to(input: Any, size: Any) -> Tensor:
    """``input`` broadcast to ``size``."""
    return expand(input, tuple(size))


def clone(input: Any) -> Tensor:
    """A copy that keeps the graph (``CloneBackward0``)."""
    return record(np.copy, COPY, (input,))


def _astype(a: np.ndarray, d: np.dtype) -> np.ndarray:
    return a.astype(d)


def to_dtype(input: Tensor, d: Any) -> Tensor:
    """``input`` converted to dtype ``d`` (itself when it already has it)."""
    nd = to_numpy_dtype(d)
    if input._value.dtype == nd:
        return input
    if input._requires_grad and nd.kind not in "fc":
        return wrap(input._value.astype(nd))
    return record(_astype, COPY, (input, nd), None, "ToCopyBackward0", promote=False)


def detach(x: Any) -> Any:
    """``x.detach()`` for a tensor; anything else unchanged."""
    if isinstance(x, graph.TensorType):
        return x.detach()
    return x


# --- indexing ----------------------------------------------------------------------------------

def _raw_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_raw_index(i) for i in index)
    if isinstance(index, graph.TensorType):
        v = index._value
        return int(v) if v.ndim == 0 and v.dtype.kind in "iu" else v
    if isinstance(index, list) and any(isinstance(i, graph.TensorType) for i in index):
        return [unwrap(i) for i in index]
    return index


def _index_name(parts: tuple) -> str:
    """PyTorch's node for a basic index: that of the last step that does something."""
    steps = [p for p in parts
             if p is not Ellipsis and not (isinstance(p, slice) and p == slice(None))]
    if not steps:
        return "SliceBackward0" if any(isinstance(p, slice) for p in parts) else "AliasBackward0"
    last = steps[-1]
    if last is None:
        return "UnsqueezeBackward0"
    return "SliceBackward0" if isinstance(last, slice) else "SelectBackward0"


def getitem(input: Tensor, index: Any) -> Tensor:
    """``input[index]``: basic indexes read views, advanced ones copies."""
    idx = _raw_index(index)
    if rules.is_basic_index(idx):
        name = _index_name(idx if isinstance(idx, tuple) else (idx,))
        return record(operator.getitem, BASIC_INDEX, (input, idx), None, name)
    return record(operator.getitem, INDEX, (input, idx), None, "IndexBackward0")


def setitem(target: Tensor, index: Any, value: Any) -> None:
    """``target[index] = value`` in place (outside the graph only)."""
    tracking = _mode.enabled and (target._requires_grad or (
        isinstance(value, graph.TensorType) and value._requires_grad))
    if tracking:
        if target._grad_fn is None and target._requires_grad:
            raise RuntimeError(messages.VIEW_OF_LEAF_INPLACE)
        raise NotImplementedError(
            "srcxform: index assignment into a tensor that is part of the autograd graph is not "
            "supported eagerly; build the result with torch.where/cat, or assign under no_grad()")
    target._value[_raw_index(index)] = unwrap(value)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """The slices along ``dim``, as a tuple."""
    d = check_dim(dim, input.ndim) % max(input.ndim, 1)
    lead = (slice(None),) * d
    return tuple(getitem(input, lead + (i,)) for i in range(input._value.shape[d]))


def split(input: Tensor, split_size: Any, dim: int = 0) -> tuple:
    """Pieces of ``split_size`` along ``dim`` (or of the sizes listed)."""
    d = check_dim(dim, input.ndim) % max(input.ndim, 1)
    n = input._value.shape[d]
    sizes = [split_size] * (n // split_size) + ([n % split_size] if n % split_size else []) \
        if isinstance(split_size, int) else list(split_size)
    lead = (slice(None),) * d
    out, start = [], 0
    for s in sizes:
        out.append(getitem(input, lead + (slice(start, start + s),)))
        start += s
    return tuple(out)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """``chunks`` nearly equal pieces along ``dim``."""
    n = input._value.shape[check_dim(dim, input.ndim)]
    return split(input, -(-n // chunks), dim)

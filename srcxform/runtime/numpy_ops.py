"""PyTorch's spellings of the table's NumPy rules: scans, flips, stacks, statistics ...

After import, each function here records one primitive of the rule table
(``graph.record``) under PyTorch's name and argument conventions (``dim``,
``keepdim``, ``dims``, ``diagonal=``, ``repeat`` meaning ``np.tile``,
``repeat_interleave`` meaning ``np.repeat``, the lower median, ``sort``
returning values and indices ...), with the ``grad_fn`` name PyTorch gives
it.  They serve as ``Tensor`` methods and top-level functions alike.  The
functions that return pieces (``tensor_split``, ``hsplit`` ...) and the NumPy
ones reached through ``np.split(t)`` return slices of the tensor
(:func:`pieces`), as PyTorch does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import rules
from . import graph
from .graph import record, unwrap, wrap
from .math_ops import _ReturnType, check_dim

#: The Tensor class (tensor_class.py imports this module, so it is not imported here).
Tensor = Any

_rule = rules.lookup


def _ndim(x: Any) -> int:
    return np.ndim(unwrap(x))


def _dims(dims: Any, ndim: int) -> Any:
    """``dims`` (an int or a sequence) checked against ``ndim``, as a NumPy axis."""
    return check_dim(tuple(dims) if isinstance(dims, (list, tuple)) else dims, ndim)


def _scalar(x: Any) -> Any:
    return unwrap(x) if isinstance(x, graph.TensorType) else x


# --- elementwise ---------------------------------------------------------------------------

def _unary(np_fn: Any, name: str, doc: str) -> Any:
    rule = _rule(np_fn)

    def op(input: Any) -> Tensor:
        return record(np_fn, rule, (input,), None, name)

    op.__name__ = op.__qualname__ = np_fn.__name__
    op.__doc__ = doc
    return op


def _binary(np_fn: Any, name: str, doc: str) -> Any:
    rule = _rule(np_fn)

    def op(input: Any, other: Any) -> Tensor:
        return record(np_fn, rule, (input, other), None, name)

    op.__name__ = op.__qualname__ = np_fn.__name__
    op.__doc__ = doc
    return op


acosh = arccosh = _unary(np.arccosh, "AcoshBackward0", "The inverse hyperbolic cosine.")
deg2rad = _unary(np.deg2rad, "Deg2RadBackward0", "Degrees to radians.")
rad2deg = _unary(np.rad2deg, "Rad2DegBackward0", "Radians to degrees.")
sinc = _unary(np.sinc, "SincBackward0", "sin(pi x) / (pi x), 1 at 0.")
fmax = _binary(np.fmax, "FmaxBackward0", "The larger, ignoring NaN.")
fmin = _binary(np.fmin, "FminBackward0", "The smaller, ignoring NaN.")
logaddexp = _binary(np.logaddexp, "LogaddexpBackward0", "log(exp(input) + exp(other)).")
logaddexp2 = _binary(np.logaddexp2, "Logaddexp2Backward0", "log2(2**input + 2**other).")
hypot = _binary(np.hypot, "HypotBackward0", "sqrt(input**2 + other**2).")
fmod = _binary(np.fmod, "FmodBackward0", "The remainder with the sign of input.")


def copysign(input: Any, other: Any) -> Tensor:
    """|input| with the sign of other."""
    name = "CopysignBackward0" if isinstance(other, graph.TensorType) else "CopysignBackward1"
    return record(np.copysign, _rule(np.copysign), (input, other), None, name)


def ldexp(input: Any, other: Any) -> Tensor:
    """input * 2**other (other an integer tensor)."""
    return record(np.ldexp, _rule(np.ldexp), (input, _scalar(other)), None, "LdexpBackward0")


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent in double precision."""
    return record(np.float_power, _rule(np.float_power), (input, exponent), None,
                  "PowBackward0", promote=False)


def nan_to_num(input: Any, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Tensor:
    """NaN and infinities replaced by finite numbers."""
    return record(np.nan_to_num, _rule(np.nan_to_num), (input,),
                  {"nan": nan, "posinf": posinf, "neginf": neginf}, "NanToNumBackward0")


# --- scans, reductions, statistics -------------------------------------------------------------

def cumsum(input: Any, dim: int, *, dtype: Any = None) -> Tensor:
    """The running sum along ``dim``."""
    return record(np.cumsum, _rule(np.cumsum), (input,),
                  {"axis": check_dim(dim, max(_ndim(input), 1)) if _ndim(input) else None},
                  "CumsumBackward0")


def cumprod(input: Any, dim: int, *, dtype: Any = None) -> Tensor:
    """The running product along ``dim`` (exact gradients where elements are 0)."""
    return record(np.cumprod, _rule(np.cumprod), (input,),
                  {"axis": check_dim(dim, max(_ndim(input), 1)) if _ndim(input) else None},
                  "CumprodBackward0")


def diff(input: Any, n: int = 1, dim: int = -1) -> Tensor:
    """The n-th forward difference along ``dim``."""
    return record(np.diff, _rule(np.diff), (input, n, check_dim(dim, _ndim(input))), None,
                  "SubBackward0")


def trace(input: Any) -> Tensor:
    """The sum of the main diagonal of a matrix."""
    return record(np.trace, _rule(np.trace), (input,), None, "TraceBackward0")


def nansum(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The sum, NaNs counted as 0."""
    kwargs = {"keepdims": keepdim} if dim is None else {
        "axis": _dims(dim, _ndim(input)), "keepdims": keepdim}
    return record(np.nansum, _rule(np.nansum), (input,), kwargs, "NansumBackward0")


def nanmean(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean of the elements that are not NaN."""
    kwargs = {"keepdims": keepdim} if dim is None else {
        "axis": _dims(dim, _ndim(input)), "keepdims": keepdim}
    return record(np.nanmean, _rule(np.nanmean), (input,), kwargs, "DivBackward0")


class MedianResult(_ReturnType):
    __slots__ = ()
    _kind = "median"


class SortResult(_ReturnType):
    __slots__ = ()
    _kind = "sort"


def _median(nan: bool, input: Any, dim: Any, keepdim: bool, names: tuple) -> Any:
    quantile = np.nanquantile if nan else np.quantile
    rule = _rule(quantile)
    if dim is None:  # PyTorch's median is the lower of the two middle values
        return record(quantile, rule, (input, 0.5), {"method": "lower"}, names[0])
    d = check_dim(dim, max(_ndim(input), 1))
    values = record(quantile, rule, (input, 0.5), {"axis": d, "method": "lower",
                                                   "keepdims": keepdim}, names[1])
    raw = unwrap(input)
    picked = np.abs(raw - np.expand_dims(unwrap(values), d) if not keepdim
                    else raw - unwrap(values))
    indices = np.argmin(np.where(np.isnan(picked), np.inf, picked), axis=d, keepdims=keepdim)
    return MedianResult(values, wrap(np.asarray(indices)))


def median(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """The lower median; along ``dim`` a (values, indices) pair."""
    return _median(False, input, dim, keepdim, ("MedianBackward0", "MedianBackward1"))


def nanmedian(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """The lower median of the elements that are not NaN; along ``dim`` (values, indices)."""
    return _median(True, input, dim, keepdim, ("NanmedianBackward0", "NanmedianBackward1"))


def _quantile(fn: Any, input: Any, q: Any, dim: Any, keepdim: bool, interpolation: str) -> Any:
    kwargs = {"method": interpolation, "keepdims": keepdim}
    if dim is not None:
        kwargs["axis"] = check_dim(dim, _ndim(input))
    return record(fn, _rule(fn), (input, _scalar(q)), kwargs, "SqueezeBackward4")


def quantile(input: Any, q: Any, dim: Any = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    """The ``q``-th quantiles (``q`` a number or a 1-d tensor)."""
    return _quantile(np.quantile, input, q, dim, keepdim, interpolation)


def nanquantile(input: Any, q: Any, dim: Any = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    """The ``q``-th quantiles of the elements that are not NaN."""
    return _quantile(np.nanquantile, input, q, dim, keepdim, interpolation)


# --- flips, rolls, triangles, diagonals ----------------------------------------------------------

def flip(input: Any, dims: Any) -> Tensor:
    """The elements in reverse order along each of ``dims``."""
    return record(np.flip, _rule(np.flip), (input, _dims(dims, _ndim(input))), None,
                  "FlipBackward0")


def fliplr(input: Any) -> Tensor:
    """Columns in reverse order."""
    return record(np.fliplr, _rule(np.fliplr), (input,), None, "FlipBackward0")


def flipud(input: Any) -> Tensor:
    """Rows in reverse order."""
    return record(np.flipud, _rule(np.flipud), (input,), None, "FlipBackward0")


def roll(input: Any, shifts: Any, dims: Any = None) -> Tensor:
    """The elements shifted cyclically by ``shifts`` along ``dims``."""
    axis = None if dims is None else _dims(dims, _ndim(input))
    return record(np.roll, _rule(np.roll), (input, shifts, axis), None, "RollBackward0")


def rot90(input: Any, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    """Rotated by 90 degrees ``k`` times in the plane of ``dims``."""
    return record(np.rot90, _rule(np.rot90), (input, k, tuple(dims)), None, "Rot90Backward0")


def tril(input: Any, diagonal: int = 0) -> Tensor:
    """The lower triangle (on and below ``diagonal``)."""
    return record(np.tril, _rule(np.tril), (input, diagonal), None, "TrilBackward0")


def triu(input: Any, diagonal: int = 0) -> Tensor:
    """The upper triangle (on and above ``diagonal``)."""
    return record(np.triu, _rule(np.triu), (input, diagonal), None, "TriuBackward0")


def diag(input: Any, diagonal: int = 0) -> Tensor:
    """A vector on a diagonal of a matrix, or a matrix's diagonal as a vector."""
    name = "DiagEmbedBackward0" if _ndim(input) == 1 else "DiagonalBackward0"
    return record(np.diag, _rule(np.diag), (input, diagonal), None, name)


def diagflat(input: Any, offset: int = 0) -> Tensor:
    """The flattened input on diagonal ``offset`` of a matrix."""
    return record(np.diagflat, _rule(np.diagflat), (input, offset), None, "DiagEmbedBackward0")


def diagonal(input: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """Diagonal ``offset`` of the planes of ``dim1`` and ``dim2``, as a last dimension."""
    n = _ndim(input)
    return record(np.diagonal, _rule(np.diagonal), (input, offset, check_dim(dim1, n),
                                                     check_dim(dim2, n)), None,
                  "DiagonalBackward0")


# --- moving, repeating, sorting, picking ---------------------------------------------------

def movedim(input: Any, source: Any, destination: Any) -> Tensor:
    """Dimensions ``source`` moved to positions ``destination``."""
    n = _ndim(input)
    return record(np.moveaxis, _rule(np.moveaxis), (input, _dims(source, n),
                                                     _dims(destination, n)), None,
                  "PermuteBackward0")


moveaxis = movedim


def tile(input: Any, dims: Any) -> Tensor:
    """The tensor repeated ``dims`` times along each dimension (as ``np.tile``)."""
    return record(np.tile, _rule(np.tile), (input, tuple(dims)), None, "RepeatBackward0")


def repeat(input: Any, *sizes: Any) -> Tensor:
    """PyTorch's ``repeat``: whole copies along each dimension (``np.tile``)."""
    reps = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (list, tuple)) \
        else tuple(sizes)
    if len(reps) < _ndim(input):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    return record(np.tile, _rule(np.tile), (input, reps), None, "RepeatBackward0")


def repeat_interleave(input: Any, repeats: Any, dim: Any = None) -> Tensor:
    """Each element repeated ``repeats`` times (as ``np.repeat``)."""
    axis = None if dim is None else check_dim(dim, _ndim(input))
    return record(np.repeat, _rule(np.repeat), (input, _scalar(repeats), axis), None,
                  "ViewBackward0" if axis is not None or np.ndim(_scalar(repeats)) == 0
                  else "IndexSelectBackward0")


def _sort_descending(a: np.ndarray, axis: int) -> np.ndarray:
    return np.flip(np.sort(np.flip(a, axis), axis, kind="stable"), axis)


def sort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """Sorted values along ``dim`` and the indices they came from."""
    d = check_dim(dim, max(_ndim(input), 1)) if _ndim(input) else -1
    fn = _sort_descending if descending else np.sort
    values = record(fn, _rule(np.sort), (input, d), None, "SortBackward0")
    raw = unwrap(input)
    indices = np.argsort(-raw if descending else raw, axis=d, kind="stable")
    return SortResult(values, wrap(np.asarray(indices)))


def msort(input: Any) -> Tensor:
    """Sorted along the first dimension."""
    return record(np.sort, _rule(np.sort), (input, 0), None, "SortBackward0")


def take(input: Any, index: Any) -> Tensor:
    """The elements at flat positions ``index``."""
    return record(np.take, _rule(np.take), (input, unwrap(index)), None, "TakeBackward0")


def take_along_dim(input: Any, indices: Any, dim: Any = None) -> Tensor:
    """The elements at ``indices`` along ``dim`` (flattened when ``dim`` is None)."""
    axis = None if dim is None else check_dim(dim, _ndim(input))
    return record(np.take_along_axis, _rule(np.take_along_axis),
                  (input, unwrap(indices), axis), None, "GatherBackward0")


# --- joins and splits ----------------------------------------------------------------------------

def _join(np_fn: Any, doc: str) -> Any:
    rule = _rule(np_fn)

    def op(tensors: Any) -> Tensor:
        return record(np_fn, rule, (list(tensors),), None, "CatBackward0")

    op.__name__ = op.__qualname__ = np_fn.__name__
    op.__doc__ = doc
    return op


hstack = _join(np.hstack, "The tensors joined along the second dimension (first for 1-d).")
vstack = row_stack = _join(np.vstack, "The tensors joined along the first dimension, 1-d as rows.")
dstack = _join(np.dstack, "The tensors joined along the third dimension.")
column_stack = _join(np.column_stack, "1-d tensors as columns, joined along the second.")


def atleast_3d(input: Any) -> Tensor:
    """The tensor with at least three dimensions."""
    return record(np.atleast_3d, _rule(np.atleast_3d), (input,), None, "UnsqueezeBackward0")


def pieces(fn: Any, input: Any, *args: Any, **kwargs: Any) -> list:
    """The pieces ``fn`` (``np.split`` and the like) cuts ``input`` into, as slices of it
    (one ``SliceBackward0`` node each, as PyTorch's splits)."""
    from .shape_ops import getitem

    raw = unwrap(input)
    parts = fn(raw, *[unwrap(a) for a in args], **kwargs)
    # the axis the pieces run along: the one whose sizes differ from the input's
    axis = next((i for i in range(raw.ndim) if any(np.shape(p)[i] != raw.shape[i]
                                                    for p in parts)), 0)
    out, start = [], 0
    for p in parts:
        stop = start + np.shape(p)[axis]
        out.append(getitem(input, (slice(None),) * axis + (slice(start, stop),)))
        start = stop
    return out


def tensor_split(input: Any, indices_or_sections: Any, dim: int = 0) -> tuple:
    """Pieces along ``dim``: ``n`` nearly equal ones, or cut at the indices given."""
    return tuple(pieces(np.array_split, input, indices_or_sections,
                        axis=check_dim(dim, _ndim(input))))


def hsplit(input: Any, indices_or_sections: Any) -> tuple:
    """Pieces along the second dimension (the first of a 1-d tensor)."""
    return tuple(pieces(np.hsplit, input, indices_or_sections))


def vsplit(input: Any, indices_or_sections: Any) -> tuple:
    """Pieces along the first dimension."""
    return tuple(pieces(np.vsplit, input, indices_or_sections))


def dsplit(input: Any, indices_or_sections: Any) -> tuple:
    """Pieces along the third dimension."""
    return tuple(pieces(np.dsplit, input, indices_or_sections))


def unstack(input: Any, axis: int = 0) -> tuple:
    """The slices along ``axis`` (NumPy's ``np.unstack`` on a tensor)."""
    from .shape_ops import unbind

    return unbind(input, axis)


#: the functions of this module that become Tensor methods (PyTorch has them as methods)
METHODS = (
    "acosh", "arccosh", "deg2rad", "rad2deg", "sinc", "fmax", "fmin", "logaddexp", "logaddexp2",
    "hypot", "fmod", "copysign", "ldexp", "float_power", "nan_to_num", "cumsum", "cumprod",
    "diff", "trace", "nansum", "nanmean", "median", "nanmedian", "quantile", "nanquantile",
    "flip", "fliplr", "flipud", "roll", "rot90", "tril", "triu", "diag", "diagflat", "diagonal",
    "movedim", "moveaxis", "tile", "repeat", "repeat_interleave", "sort", "msort", "take",
    "take_along_dim", "tensor_split", "hsplit", "vsplit", "dsplit",
)

#: the functions of this module that are top-level names (torch.flip, torch.hstack ...)
FUNCTIONS = tuple(n for n in METHODS if n != "repeat") + (
    "hstack", "vstack", "row_stack", "dstack", "column_stack", "atleast_3d")

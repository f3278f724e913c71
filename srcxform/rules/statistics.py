"""Rules of statistics: NaN-ignoring reductions, ``average``, ``ptp``, quantiles.

After import, ``np.nansum``, ``np.nanmean``, ``np.nanmax``/``np.nanmin``,
``np.nanprod``, ``np.nanvar``/``np.nanstd``, ``np.average`` (with
``weights``, differentiable in both), ``np.ptp`` and ``np.median``/
``np.percentile``/``np.quantile`` and their NaN-ignoring twins have rules
covering ``axis`` (int, tuple, None) and ``keepdims``.  NaN elements get a
zero gradient.  A quantile's gradient is the subgradient of NumPy's selection:
the weights its interpolation method puts on the order statistics it reads
(:func:`quantile_weights`), sent back to the elements they came from (one of
tied elements).  Every rule here is first-order exact; their gradients are
sums and products of table primitives, so second derivatives go through too.
"""

from __future__ import annotations

import numpy as np

from .complexes import real_valued
from .reductions import _groups, max_, min_, prod_of_others
from .registry import register, register_tangents, unbroadcast

# nanmax/nanmin: the maximum ignores NaNs, which never equal it, so max's rule holds
register(np.nanmax, backward_name="NanmaxBackward0")(max_)
register(np.nanmin, backward_name="NanminBackward0")(min_)


@register(np.nansum, backward_name="NansumBackward0")
def nansum(g, out, a, axis=None, dtype=None, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return (np.where(np.isnan(a), 0.0, g),)


@register(np.nanmean, backward_name="NanmeanBackward0")
def nanmean(g, out, a, axis=None, dtype=None, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    valid = ~np.isnan(a)
    count = np.sum(valid, axis=axis, keepdims=True, dtype=np.result_type(a, 0.0))
    return (np.where(valid, g / count, 0.0),)


@register(np.nanprod, backward_name="NanprodBackward0")
def nanprod(g, out, a, axis=None, dtype=None, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return (np.where(np.isnan(a), 0.0, g * prod_of_others(np.where(np.isnan(a), 1.0, a), axis)),)


@register(np.nanvar, backward_name="NanvarBackward0")
def nanvar(g, out, a, axis=None, dtype=None, ddof=0, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    valid = ~np.isnan(real_valued(a, "nanvar"))
    centered = np.where(valid, a - np.nanmean(a, axis=axis, keepdims=True), 0.0)
    count = np.sum(valid, axis=axis, keepdims=True, dtype=np.result_type(a, 0.0))
    return (g * 2 * centered / (count - ddof),)


@register(np.nanstd, backward_name="NanstdBackward0")
def nanstd(g, out, a, axis=None, dtype=None, ddof=0, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
        out = np.expand_dims(out, axis)
    valid = ~np.isnan(real_valued(a, "nanstd"))
    centered = np.where(valid, a - np.nanmean(a, axis=axis, keepdims=True), 0.0)
    count = np.sum(valid, axis=axis, keepdims=True, dtype=np.result_type(a, 0.0)) - ddof
    return (g * centered / (count * np.where(out == 0, 1, out)),)


def _nansum_tangent(t, out, a, axis=None, dtype=None, keepdims=False):
    return np.sum(np.where(np.isnan(a), 0.0, t), axis=axis, keepdims=keepdims)


def _nanmean_tangent(t, out, a, axis=None, dtype=None, keepdims=False):
    valid = ~np.isnan(a)
    return (np.sum(np.where(valid, t, 0.0), axis=axis, keepdims=keepdims)
            / np.sum(valid, axis=axis, keepdims=keepdims))


def _nanprod_tangent(t, out, a, axis=None, dtype=None, keepdims=False):
    others = prod_of_others(np.where(np.isnan(a), 1.0, a), axis)
    return np.sum(np.where(np.isnan(a), 0.0, t * others), axis=axis, keepdims=keepdims)


def _nanvar_tangent(t, out, a, axis=None, dtype=None, ddof=0, keepdims=False):
    valid = ~np.isnan(real_valued(a, "nanvar"))
    centered = np.where(valid, a - np.nanmean(a, axis=axis, keepdims=True), 0.0)
    return (2 * np.sum(np.where(valid, centered * t, 0.0), axis=axis, keepdims=keepdims)
            / (np.sum(valid, axis=axis, keepdims=keepdims) - ddof))


def _nanstd_tangent(t, out, a, axis=None, dtype=None, ddof=0, keepdims=False):
    valid = ~np.isnan(real_valued(a, "nanstd"))
    centered = np.where(valid, a - np.nanmean(a, axis=axis, keepdims=True), 0.0)
    count = np.sum(valid, axis=axis, keepdims=keepdims) - ddof
    return (np.sum(np.where(valid, centered * t, 0.0), axis=axis, keepdims=keepdims)
            / (count * np.where(out == 0, 1, out)))


register_tangents(nansum, _nansum_tangent)
register_tangents(nanmean, _nanmean_tangent)
register_tangents(nanprod, _nanprod_tangent)
register_tangents(nanvar, _nanvar_tangent)
register_tangents(nanstd, _nanstd_tangent)


def weights_along(weights, a, axis):
    """``np.average``'s ``weights`` shaped to broadcast against ``a`` (a 1-D or
    reduced-shape ``weights`` lies along ``axis``)."""
    if np.ndim(weights) == np.ndim(a):
        return weights
    axes = np.ravel(axis) % np.ndim(a)
    return np.reshape(weights, [np.shape(a)[i] if i in axes else 1 for i in range(np.ndim(a))])


@register(weights_along, backward_name="ViewBackward0")
def weights_along_(g, out, weights, a, axis):
    return (np.reshape(g, np.shape(weights)),)


def _weights_along_tangent(t, out, weights, a, axis):
    return weights_along(t, a, axis)


register_tangents(weights_along_, _weights_along_tangent, None)  # `a` lends its shape


@register(np.average, backward_name="AverageBackward0")
def average(g, out, a, axis=None, weights=None, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
        out = np.expand_dims(out, axis)
    if weights is None:
        return (np.broadcast_to(g / (np.size(a) / np.size(out)), np.shape(a)),)
    w = weights_along(weights, a, axis)
    total = np.sum(np.broadcast_to(w, np.shape(a)), axis=axis, keepdims=True)
    return (g * w / total, None,
            np.reshape(unbroadcast(g * (a - out) / total, w), np.shape(weights)))


def _average_tangent_a(t, out, a, axis=None, weights=None, keepdims=False):
    if weights is None:
        return np.mean(t, axis=axis, keepdims=keepdims)
    w = weights_along(weights, a, axis)
    total = np.sum(np.broadcast_to(w, np.shape(a)), axis=axis, keepdims=keepdims)
    return np.sum(w * t, axis=axis, keepdims=keepdims) / total


def _average_tangent_weights(t, out, a, axis=None, weights=None, keepdims=False):
    w = weights_along(weights, a, axis)
    dw = weights_along(t, a, axis)
    full = out if axis is None or keepdims else np.expand_dims(out, axis)
    total = np.sum(np.broadcast_to(w, np.shape(a)), axis=axis, keepdims=keepdims)
    return np.sum(dw * (a - full), axis=axis, keepdims=keepdims) / total


register_tangents(average, _average_tangent_a, None, _average_tangent_weights)


@register(np.ptp, backward_name="PtpBackward0")
def ptp(g, out, a, axis=None, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    top = a == np.max(a, axis=axis, keepdims=True)
    bottom = a == np.min(a, axis=axis, keepdims=True)
    share = np.result_type(a, 0.0)  # ties share the gradient
    return (g * (top / np.sum(top, axis=axis, keepdims=True, dtype=share)
                 - bottom / np.sum(bottom, axis=axis, keepdims=True, dtype=share)),)


def _ptp_tangent(t, out, a, axis=None, keepdims=False):
    top = a == np.max(a, axis=axis, keepdims=True)
    bottom = a == np.min(a, axis=axis, keepdims=True)
    high = np.sum(t * top, axis=axis, keepdims=keepdims) / np.sum(top, axis=axis,
                                                                    keepdims=keepdims)
    low = np.sum(t * bottom, axis=axis, keepdims=keepdims) / np.sum(bottom, axis=axis,
                                                                     keepdims=keepdims)
    return high - low


register_tangents(ptp, _ptp_tangent)


# --- quantiles ---------------------------------------------------------------------------

_METHODS = ("linear", "lower", "higher", "nearest", "midpoint")


def _positions(a, q, axis, method, ignore_nan):
    """The grouped ``a`` (reduced axes last, flattened), its sort order, the number of
    values per line, and the fractional rank ``q (count - 1)`` with its interpolation."""
    if method not in _METHODS:
        raise NotImplementedError(f"gradient of a quantile with method={method!r} "
                                  f"(supported: {', '.join(_METHODS)})")
    flat, shape, axes, last = _groups(a, axis)
    order = np.argsort(flat, axis=-1)  # NaNs last
    count = (np.sum(~np.isnan(flat), -1, keepdims=True) if ignore_nan
             else np.full(flat.shape[:-1] + (1,), flat.shape[-1]))
    position = np.reshape(q, np.shape(q) + (1,) * flat.ndim) * (count - 1)
    low, high = np.floor(position), np.ceil(position)
    frac = position - low
    if method == "lower":
        high, frac = low, 0.0 * frac
    elif method == "higher":
        low, frac = high, 0.0 * frac
    elif method == "nearest":
        low = high = np.around(position)
        frac = 0.0 * frac
    elif method == "midpoint":
        frac = np.where(high > low, 0.5, 0.0)
    return flat, shape, axes, last, order, count, low, high, frac


def quantile_weights(a, q, axis=None, method="linear", ignore_nan=False):
    """The weight each element of ``a`` has in ``np.quantile(a, q, axis, method=method)``:
    an array of shape ``np.shape(q) + np.shape(a)`` (the subgradient of the selection;
    of tied elements, the one NumPy's sort puts at the rank read)."""
    flat, shape, axes, last, order, count, low, high, frac = _positions(a, q, axis, method,
                                                                        ignore_nan)
    ranks = np.arange(flat.shape[-1])
    by_rank = (ranks == low) * (1.0 - frac) + (ranks == high) * frac
    by_rank = np.where(count > 0, by_rank, 0.0)  # an all-NaN line is NaN: no gradient
    weights = np.take_along_axis(by_rank, np.broadcast_to(np.argsort(order, -1),
                                                          by_rank.shape), -1)
    lead = np.ndim(q)
    weights = np.reshape(weights, np.shape(q) + shape).astype(np.result_type(a, 0.0))
    return np.moveaxis(weights, [lead + i for i in last], [lead + i for i in axes])


def quantile_slope(a, q, axis=None, method="linear", ignore_nan=False):
    """d np.quantile(a, q, axis, keepdims=True) / dq: ``(count - 1)`` times the gap between
    the order statistics interpolated (to the right at an exact rank); 0 for the methods
    that pick one element."""
    flat, shape, axes, last, order, count, low, high, frac = _positions(a, q, axis, method,
                                                                        ignore_nan)
    ordered = np.take_along_axis(flat, order, -1)
    top = np.maximum(count - 1, 0)
    above = np.minimum(low + 1, top).astype(int)
    below = np.minimum(low, top).astype(int)
    lines = np.broadcast_to(ordered, np.shape(low)[:-1] + ordered.shape[-1:])
    gap = (np.take_along_axis(lines, np.broadcast_to(above, np.shape(low)), -1)
           - np.take_along_axis(lines, np.broadcast_to(below, np.shape(low)), -1))
    slope = gap * (count - 1) if method == "linear" else 0.0 * gap
    kept = tuple(1 if i in axes else n for i, n in enumerate(np.shape(a)))
    return np.reshape(slope, np.shape(q) + kept)


def _reduced(a, axis, lead):
    return tuple(lead + i for i in (range(np.ndim(a)) if axis is None
                                    else np.ravel(axis) % np.ndim(a)))


def quantile_gradient(g, a, q, axis, method, keepdims, ignore_nan):
    """The gradient of ``a`` for the cotangent ``g`` of a quantile."""
    if not keepdims:
        g = np.expand_dims(g, _reduced(a, axis, np.ndim(q)))
    return np.sum(quantile_weights(a, q, axis, method, ignore_nan) * g,
                  axis=tuple(range(np.ndim(q))))


def quantile_q_gradient(g, a, q, axis, method, keepdims, ignore_nan):
    """The gradient of ``q`` for the cotangent ``g`` of a quantile."""
    if not keepdims:
        g = np.expand_dims(g, _reduced(a, axis, np.ndim(q)))
    slope = quantile_slope(a, q, axis, method, ignore_nan)
    return np.sum(g * slope, axis=tuple(range(np.ndim(q), np.ndim(slope))))


def quantile_tangent(t, a, q, axis, method, keepdims, ignore_nan):
    """The tangent of a quantile for the tangent ``t`` of ``a``."""
    return np.sum(quantile_weights(a, q, axis, method, ignore_nan) * t,
                  axis=_reduced(a, axis, np.ndim(q)), keepdims=keepdims)


def quantile_q_tangent(t, a, q, axis, method, keepdims, ignore_nan):
    """The tangent of a quantile for the tangent ``t`` of ``q``."""
    slope = quantile_slope(a, q, axis, method, ignore_nan)
    t = np.reshape(t, np.shape(t) + (1,) * np.ndim(a))
    return t * slope if keepdims else np.squeeze(t * slope, _reduced(a, axis, np.ndim(q)))


@register(np.quantile, backward_name="QuantileBackward0")
def quantile(g, out, a, q, axis=None, method="linear", keepdims=False):
    return (quantile_gradient(g, a, q, axis, method, keepdims, False),
            quantile_q_gradient(g, a, q, axis, method, keepdims, False))


@register(np.nanquantile, backward_name="NanquantileBackward0")
def nanquantile(g, out, a, q, axis=None, method="linear", keepdims=False):
    return (quantile_gradient(g, a, q, axis, method, keepdims, True),
            quantile_q_gradient(g, a, q, axis, method, keepdims, True))


@register(np.percentile, backward_name="QuantileBackward0")
def percentile(g, out, a, q, axis=None, method="linear", keepdims=False):
    return (quantile_gradient(g, a, np.true_divide(q, 100), axis, method, keepdims, False),
            quantile_q_gradient(g, a, np.true_divide(q, 100), axis, method, keepdims,
                                False) / 100)


@register(np.nanpercentile, backward_name="NanquantileBackward0")
def nanpercentile(g, out, a, q, axis=None, method="linear", keepdims=False):
    return (quantile_gradient(g, a, np.true_divide(q, 100), axis, method, keepdims, True),
            quantile_q_gradient(g, a, np.true_divide(q, 100), axis, method, keepdims,
                                True) / 100)


@register(np.median, backward_name="MedianBackward0")
def median(g, out, a, axis=None, keepdims=False):
    return (quantile_gradient(g, a, 0.5, axis, "linear", keepdims, False),)


@register(np.nanmedian, backward_name="NanmedianBackward0")
def nanmedian(g, out, a, axis=None, keepdims=False):
    return (quantile_gradient(g, a, 0.5, axis, "linear", keepdims, True),)


def _quantile_t(t, out, a, q, axis=None, method="linear", keepdims=False):
    return quantile_tangent(t, a, q, axis, method, keepdims, False)


def _quantile_q_t(t, out, a, q, axis=None, method="linear", keepdims=False):
    return quantile_q_tangent(t, a, q, axis, method, keepdims, False)


def _nanquantile_t(t, out, a, q, axis=None, method="linear", keepdims=False):
    return quantile_tangent(t, a, q, axis, method, keepdims, True)


def _nanquantile_q_t(t, out, a, q, axis=None, method="linear", keepdims=False):
    return quantile_q_tangent(t, a, q, axis, method, keepdims, True)


def _percentile_t(t, out, a, q, axis=None, method="linear", keepdims=False):
    return quantile_tangent(t, a, np.true_divide(q, 100), axis, method, keepdims, False)


def _percentile_q_t(t, out, a, q, axis=None, method="linear", keepdims=False):
    return quantile_q_tangent(np.true_divide(t, 100), a, np.true_divide(q, 100), axis, method,
                              keepdims, False)


def _nanpercentile_t(t, out, a, q, axis=None, method="linear", keepdims=False):
    return quantile_tangent(t, a, np.true_divide(q, 100), axis, method, keepdims, True)


def _nanpercentile_q_t(t, out, a, q, axis=None, method="linear", keepdims=False):
    return quantile_q_tangent(np.true_divide(t, 100), a, np.true_divide(q, 100), axis, method,
                              keepdims, True)


def _median_t(t, out, a, axis=None, keepdims=False):
    return quantile_tangent(t, a, 0.5, axis, "linear", keepdims, False)


def _nanmedian_t(t, out, a, axis=None, keepdims=False):
    return quantile_tangent(t, a, 0.5, axis, "linear", keepdims, True)


@register(quantile_gradient, backward_name="QuantileBackward0")
def quantile_gradient_(g, out, g_, a, q, axis, method, keepdims, ignore_nan):
    return (quantile_tangent(g, a, q, axis, method, keepdims, ignore_nan),)


@register(quantile_tangent, backward_name="QuantileBackward0")
def quantile_tangent_(g, out, t, a, q, axis, method, keepdims, ignore_nan):
    return (quantile_gradient(g, a, q, axis, method, keepdims, ignore_nan),)


def _quantile_gradient_t(t, out, g_, a, q, axis, method, keepdims, ignore_nan):
    return quantile_gradient(t, a, q, axis, method, keepdims, ignore_nan)


def _quantile_tangent_t(t, out, t_, a, q, axis, method, keepdims, ignore_nan):
    return quantile_tangent(t, a, q, axis, method, keepdims, ignore_nan)


# linear in the cotangent; the selection weights are constant in `a` (away from ties)
# and vary with `q`, whose derivative here is not supported (refused where it is asked)
register_tangents(quantile_gradient_, _quantile_gradient_t, None)
register_tangents(quantile_tangent_, _quantile_tangent_t, None)
register_tangents(quantile, _quantile_t, _quantile_q_t)
register_tangents(nanquantile, _nanquantile_t, _nanquantile_q_t)
register_tangents(percentile, _percentile_t, _percentile_q_t)
register_tangents(nanpercentile, _nanpercentile_t, _nanpercentile_q_t)
register_tangents(median, _median_t)
register_tangents(nanmedian, _nanmedian_t)

"""Rules of ``scipy.special`` (imported only once the user's program imports SciPy).

After import, the special functions models use -- ``gammaln``, ``digamma``
(``psi``), ``polygamma``, ``zeta`` (in ``q``), ``gamma``, ``rgamma``, ``beta``,
``betaln``, ``erf``, ``erfc``, ``erfinv``, ``erfcinv``, ``expit``, ``logit``,
``xlogy``, ``xlog1py``, ``i0``, ``i1``, ``i0e``, ``i1e``, ``iv``, ``ive``,
``j0``, ``j1``, ``jv``/``jn``, ``y0``, ``y1``, ``yv``, ``yn``, ``ndtr``,
``log_ndtr``, ``ndtri``, ``multigammaln``, and ``gammainc``, ``gammaincc``,
``betainc`` in ``x`` -- have elementwise rules (``gammasgn`` has no gradient),
and ``logsumexp`` (``axis``, ``keepdims``, ``b=``; not ``return_sign``),
``softmax`` and ``log_softmax`` (whose ``axis`` defaults to all axes, as
SciPy's) have rules and tangents.  Orders and shape parameters without a
closed-form derivative (``polygamma``'s ``n``, ``jv``'s ``v``, ``gammainc``'s
``a``, ...) are listed in ``no_derivative``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from .registry import nondifferentiable, register, register_tangents, unbroadcast

SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2.0
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
SQRT_2PI = math.sqrt(2.0 * math.pi)
LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


# --- gamma family ---------------------------------------------------------------------

@register(special.gammaln, elementwise=True, backward_name="LgammaBackward0")
def gammaln(g, out, x):
    return (g * special.digamma(x),)


@register(special.digamma, elementwise=True, backward_name="DigammaBackward0")  # also psi
def digamma(g, out, x):
    return (g * special.zeta(2.0, x),)  # polygamma(1, x), keeping float32


@register(special.polygamma, elementwise=True, backward_name="PolygammaBackward0",
          no_derivative=("n",))
def polygamma(g, out, n, x):
    return None, g * special.polygamma(n + 1, x)


@register(special.zeta, elementwise=True, backward_name="ZetaBackward0", no_derivative=("x",))
def zeta(g, out, x, q=None):
    # Hurwitz zeta(x, q) = sum_k (k + q)^-x; Riemann's when q is None
    return None, None if q is None else -g * x * special.zeta(x + 1.0, q)


@register(special.gamma, elementwise=True, backward_name="GammaBackward0")
def gamma(g, out, x):
    return (g * out * special.digamma(x),)


@register(special.beta, elementwise=True, backward_name="BetaBackward0")
def beta(g, out, a, b):
    both = special.digamma(a + b)
    return g * out * (special.digamma(a) - both), g * out * (special.digamma(b) - both)


@register(special.betaln, elementwise=True, backward_name="BetalnBackward0")
def betaln(g, out, a, b):
    both = special.digamma(a + b)
    return g * (special.digamma(a) - both), g * (special.digamma(b) - both)


@register(special.multigammaln, elementwise=True, backward_name="MvlgammaBackward0",
          no_derivative=("d",))
def multigammaln(g, out, a, d):
    terms = special.digamma(np.expand_dims(a, -1) - 0.5 * np.arange(d))
    return g * np.sum(terms, axis=-1), None


@register(special.rgamma, elementwise=True, backward_name="RgammaBackward0")
def rgamma(g, out, x):
    return (-g * out * special.digamma(x),)


@register(special.gammainc, elementwise=True, backward_name="IgammaBackward0",
          no_derivative=("a",))
def gammainc(g, out, a, x):
    return None, g * np.exp((a - 1.0) * np.log(x) - x - special.gammaln(a))


@register(special.gammaincc, elementwise=True, backward_name="IgammacBackward0",
          no_derivative=("a",))
def gammaincc(g, out, a, x):
    return None, -g * np.exp((a - 1.0) * np.log(x) - x - special.gammaln(a))


@register(special.betainc, elementwise=True, backward_name="BetaincBackward0",
          no_derivative=("a", "b"))
def betainc(g, out, a, b, x):
    log_beta = np.asarray(special.betaln(a, b), dtype=np.result_type(a, b, x))
    return None, None, g * np.exp((a - 1.0) * np.log(x) + (b - 1.0) * np.log1p(-x) - log_beta)


nondifferentiable(special.gammasgn)


# --- error functions and the normal distribution --------------------------------------

@register(special.erf, elementwise=True, backward_name="ErfBackward0")
def erf(g, out, x):
    return (g * TWO_OVER_SQRT_PI * np.exp(-x * x),)


@register(special.erfc, elementwise=True, backward_name="ErfcBackward0")
def erfc(g, out, x):
    return (-g * TWO_OVER_SQRT_PI * np.exp(-x * x),)


@register(special.erfinv, elementwise=True, backward_name="ErfinvBackward0")
def erfinv(g, out, y):
    return (g * SQRT_PI_OVER_2 * np.exp(out * out),)


@register(special.erfcinv, elementwise=True, backward_name="ErfcinvBackward0")
def erfcinv(g, out, y):
    return (-g * SQRT_PI_OVER_2 * np.exp(out * out),)


@register(special.ndtr, elementwise=True, backward_name="SpecialNdtrBackward0")
def ndtr(g, out, x):
    return (g * np.exp(-0.5 * x * x) / SQRT_2PI,)


@register(special.log_ndtr, elementwise=True, backward_name="SpecialLogNdtrBackward0")
def log_ndtr(g, out, x):
    return (g * np.exp(-0.5 * x * x - LOG_SQRT_2PI - out),)


@register(special.ndtri, elementwise=True, backward_name="SpecialNdtriBackward0")
def ndtri(g, out, p):
    return (g * SQRT_2PI * np.exp(0.5 * out * out),)


# --- logistic -------------------------------------------------------------------------

@register(special.expit, elementwise=True, backward_name="SigmoidBackward0")
def expit(g, out, x):
    return (g * out * (1.0 - out),)


@register(special.logit, elementwise=True, backward_name="LogitBackward0")
def logit(g, out, p):
    return (g / (p * (1.0 - p)),)


@register(special.xlogy, elementwise=True, backward_name="XlogyBackward0")
def xlogy(g, out, x, y):
    return g * np.log(y), g * np.where(x == 0, 0.0, x / np.where(x == 0, 1.0, y))


@register(special.xlog1py, elementwise=True, backward_name="SpecialXlog1pyBackward0")
def xlog1py(g, out, x, y):
    return g * np.log1p(y), g * np.where(x == 0, 0.0, x / np.where(x == 0, 1.0, 1.0 + y))


# --- modified Bessel functions --------------------------------------------------------

@register(special.i0, elementwise=True, backward_name="I0Backward0")
def i0(g, out, x):
    return (g * special.i1(x),)


@register(special.i1, elementwise=True, backward_name="SpecialI1Backward0")
def i1(g, out, x):
    # I1' = I0 - I1 / x, which is 1/2 at x = 0
    return (g * np.where(x == 0, 0.5, special.i0(x) - out / np.where(x == 0, 1.0, x)),)


@register(special.i0e, elementwise=True, backward_name="SpecialI0EBackward0")
def i0e(g, out, x):
    return (g * (special.i1e(x) - np.sign(x) * out),)


@register(special.i1e, elementwise=True, backward_name="SpecialI1EBackward0")
def i1e(g, out, x):
    safe = np.where(x == 0, 1.0, x)
    return (g * np.where(x == 0, 0.5, special.i0e(x) - out / safe - np.sign(x) * out),)


# --- Bessel functions of the first and second kind ---------------------------------------

@register(special.j0, elementwise=True, backward_name="SpecialBesselJ0Backward0")
def j0(g, out, x):
    return (-g * special.j1(x),)


@register(special.j1, elementwise=True, backward_name="SpecialBesselJ1Backward0")
def j1(g, out, x):
    return (g * 0.5 * (special.j0(x) - special.jv(2, x)),)


@register(special.y0, elementwise=True, backward_name="SpecialBesselY0Backward0")
def y0(g, out, x):
    return (-g * special.y1(x),)


@register(special.y1, elementwise=True, backward_name="SpecialBesselY1Backward0")
def y1(g, out, x):
    return (g * 0.5 * (special.y0(x) - special.yv(2, x)),)


@register(special.jv, special.jn, elementwise=True, backward_name="BesselJvBackward0",
          no_derivative=("v",))
def jv(g, out, v, x):
    return None, g * 0.5 * (special.jv(v - 1, x) - special.jv(v + 1, x))


@register(special.yv, special.yn, elementwise=True, backward_name="BesselYvBackward0",
          no_derivative=("v",))
def yv(g, out, v, x):
    return None, g * 0.5 * (special.yv(v - 1, x) - special.yv(v + 1, x))


@register(special.iv, elementwise=True, backward_name="BesselIvBackward0", no_derivative=("v",))
def iv(g, out, v, x):
    return None, g * 0.5 * (special.iv(v - 1, x) + special.iv(v + 1, x))


@register(special.ive, elementwise=True, backward_name="BesselIveBackward0",
          no_derivative=("v",))
def ive(g, out, v, x):
    # ive = iv * exp(-|x|)
    return None, g * (0.5 * (special.ive(v - 1, x) + special.ive(v + 1, x)) - np.sign(x) * out)


# --- reductions: logsumexp, softmax ---------------------------------------------------

def logsumexp_refusal(return_sign=False):
    """``return_sign=True`` returns a sign with the value; its rule does not take it."""
    return "return_sign=True is not supported; use b= with positive weights" \
        if return_sign else None


@register(special.logsumexp, backward_name="LogsumexpBackward0", refuse=logsumexp_refusal)
def logsumexp(g, out, a, axis=None, b=None, keepdims=False, return_sign=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
        out = np.expand_dims(out, axis)
    weights = np.exp(a - out)
    if b is None:
        return (g * weights,)
    return unbroadcast(g * b * weights, a), None, unbroadcast(g * weights, b)


def logsumexp_tangent_a(t, out, a, axis=None, b=None, keepdims=False, return_sign=False):
    full = out if axis is None or keepdims else np.expand_dims(out, axis)
    weights = np.exp(a - full) if b is None else b * np.exp(a - full)
    return np.sum(weights * t, axis=axis, keepdims=keepdims)


def logsumexp_tangent_b(t, out, a, axis=None, b=None, keepdims=False, return_sign=False):
    full = out if axis is None or keepdims else np.expand_dims(out, axis)
    return np.sum(np.exp(a - full) * t, axis=axis, keepdims=keepdims)


register_tangents(logsumexp, logsumexp_tangent_a, None, logsumexp_tangent_b)


@register(special.softmax, backward_name="SoftmaxBackward0")
def softmax(g, out, x, axis=None):
    return (out * (g - np.sum(g * out, axis=axis, keepdims=True)),)


def softmax_tangent(t, out, x, axis=None):
    return out * (t - np.sum(t * out, axis=axis, keepdims=True))


@register(special.log_softmax, backward_name="LogSoftmaxBackward0")
def log_softmax(g, out, x, axis=None):
    return (g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),)


def log_softmax_tangent(t, out, x, axis=None):
    return t - np.sum(np.exp(out) * t, axis=axis, keepdims=True)


register_tangents(softmax, softmax_tangent)
register_tangents(log_softmax, log_softmax_tangent)

"""Rules of the remaining elementwise NumPy ufuncs and ``math`` functions.

After import, every public NumPy ufunc (and ``np.sinc``, ``np.nan_to_num``)
whose derivative is not zero almost everywhere has a rule, beside those of
``elementwise.py``: inverse hyperbolic cosine, angle conversions, ``fmax``/
``fmin`` (NaN-ignoring), ``logaddexp2``, ``sinc``, ``float_power``,
``copysign``, ``ldexp``, ``nextafter``, and the ``math`` twins.  The ufuncs
whose derivative is zero (``signbit``, ``spacing``, integer and bitwise
ufuncs) are on the non-differentiable list in ``shaping.py``.

Like every elementwise rule, each returns gradients of the broadcast shape;
the consumer undoes broadcasting.  Arguments that only choose a sign or an
exponent (``copysign``'s ``y``, ``ldexp``'s integer exponent) are declared to
have no derivative (``register_tangents`` with ``None``).
"""

from __future__ import annotations

import math

import numpy as np

from .registry import register, register_tangents

DEGREE = math.pi / 180.0  # d(radians)/d(degrees)
RADIAN = 180.0 / math.pi
PI = math.pi
LOG2 = math.log(2.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


@register(np.arccosh, math.acosh, elementwise=True, backward_name="AcoshBackward0")
def arccosh(g, out, x):
    return (g / np.sqrt(x * x - 1),)


@register(np.deg2rad, np.radians, math.radians, elementwise=True,
          backward_name="Deg2RadBackward0")
def deg2rad(g, out, x):
    return (g * DEGREE,)


@register(np.rad2deg, np.degrees, math.degrees, elementwise=True,
          backward_name="Rad2DegBackward0")
def rad2deg(g, out, x):
    return (g * RADIAN,)


@register(np.fmax, elementwise=True, backward_name="FmaxBackward0")
def fmax(g, out, x, y):
    # the larger operand, or the one that is not NaN
    return g * ((x >= y) | np.isnan(y)), g * ((x < y) | np.isnan(x))


@register(np.fmin, elementwise=True, backward_name="FminBackward0")
def fmin(g, out, x, y):
    return g * ((x <= y) | np.isnan(y)), g * ((x > y) | np.isnan(x))


@register(np.logaddexp2, elementwise=True, backward_name="Logaddexp2Backward0")
def logaddexp2(g, out, x, y):
    t = np.tanh(0.5 * LOG2 * (x - y))  # 2**x / (2**x + 2**y), without overflow
    return g * 0.5 * (1 + t), g * 0.5 * (1 - t)


@register(np.sinc, elementwise=True, backward_name="SincBackward0")
def sinc(g, out, x):
    nonzero = np.where(x == 0, 1.0, x)
    return (g * np.where(x == 0, 0.0, (np.cos(PI * x) - out) / nonzero),)


@register(np.float_power, elementwise=True, backward_name="PowBackward0")
def float_power(g, out, x, y):
    return (g * y * np.float_power(x, y - 1 + 0 ** (y * y)),  # as np.power
            g * out * np.log(np.where(x == 0, 1, x)))


@register(np.copysign, math.copysign, elementwise=True, backward_name="CopysignBackward0")
def copysign(g, out, x, y):
    return (g * np.sign(x) * np.sign(out),)


@register(np.ldexp, math.ldexp, elementwise=True, backward_name="LdexpBackward0")
def ldexp(g, out, x, exponent):
    return (np.ldexp(g, exponent),)


@register(np.nextafter, math.nextafter, elementwise=True, backward_name="NextafterBackward0")
def nextafter(g, out, x, y):
    return (g,)  # one step of the float grid away from x: slope 1 in x, none in y


@register(np.nan_to_num, elementwise=True, backward_name="NanToNumBackward0")
def nan_to_num(g, out, x, copy=True, nan=0.0, posinf=None, neginf=None):
    return (g * np.isfinite(x),)


@register(math.erfc, elementwise=True, backward_name="ErfcBackward0")
def erfc(g, out, x):
    return (-g * TWO_OVER_SQRT_PI * np.exp(-x * x),)


@register(math.exp2, elementwise=True, backward_name="Exp2Backward0")
def exp2(g, out, x):
    return (g * out * LOG2,)


@register(math.remainder, elementwise=True, backward_name="RemainderBackward0")
def remainder(g, out, x, y):
    # x - n y with n the integer nearest x / y
    return g, -g * np.round((x - out) / y)


def _copysign_tangent(t, out, x, y):
    return t * np.sign(x) * np.sign(out)


def _ldexp_tangent(t, out, x, exponent):
    return np.ldexp(t, exponent)


def _nextafter_tangent(t, out, x, y):
    return np.broadcast_to(t, np.shape(out))


# the second arguments only choose a sign, an exponent or a direction
register_tangents(copysign, _copysign_tangent, None)
register_tangents(ldexp, _ldexp_tangent, None)
register_tangents(nextafter, _nextafter_tangent, None)

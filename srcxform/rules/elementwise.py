"""Rules of arithmetic operators and elementwise NumPy / math functions.

After import, every operator the compiler maps to a ufunc (``+ - * / ** %``,
unary ``-``/``+``) and every elementwise function listed here has its rule.
Elementwise rules return gradients of the broadcast shape; the consumer undoes
broadcasting.  Constants like ``log 2`` are Python floats so float32 inputs
keep float32 gradients (NumPy's weak scalars).
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from .complexes import sign_of_real
from .registry import register

LOG2 = math.log(2.0)
LOG10 = math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


# --- arithmetic -------------------------------------------------------------

@register(np.add, elementwise=True, backward_name="AddBackward0")
def add(g, out, x, y):
    return g, g


@register(np.subtract, elementwise=True, backward_name="SubBackward0")
def subtract(g, out, x, y):
    return g, -g


@register(np.multiply, elementwise=True, backward_name="MulBackward0")
def multiply(g, out, x, y):
    return g * y, g * x


@register(np.true_divide, elementwise=True, backward_name="DivBackward0")
def true_divide(g, out, x, y):
    return g / y, -g * out / y


@register(np.power, math.pow, builtins.pow, elementwise=True, backward_name="PowBackward0")
def power(g, out, x, y):
    # y x**(y - 1), with x**0 where y is 0 (0 ** (y * y) is 1 there, else 0): the
    # derivative of x**0 is 0 also at x = 0, where x**-1 is infinite
    return g * y * x ** (y - 1 + 0 ** (y * y)), g * out * np.log(np.where(x == 0, 1, x))


@register(np.negative, elementwise=True, backward_name="NegBackward0")
def negative(g, out, x):
    return (-g,)


@register(np.positive, float, elementwise=True, backward_name="CloneBackward0")
def positive(g, out, x):
    return (g,)


@register(np.remainder, elementwise=True, backward_name="RemainderBackward0")
def remainder(g, out, x, y):
    return g, -g * np.floor_divide(x, y)


@register(np.fmod, math.fmod, elementwise=True, backward_name="FmodBackward0")
def fmod(g, out, x, y):
    return g, -g * np.trunc(x / y)


@register(np.maximum, builtins.max, elementwise=True, backward_name="MaximumBackward0")
def maximum(g, out, x, y):
    return g * (x >= y), g * (x < y)


@register(np.minimum, builtins.min, elementwise=True, backward_name="MinimumBackward0")
def minimum(g, out, x, y):
    return g * (x <= y), g * (x > y)


@register(np.where, elementwise=True, backward_name="WhereBackward0")
def where(g, out, condition, x, y):
    return None, np.where(condition, g, 0), np.where(condition, 0, g)


@register(np.clip, methods=("clip",), elementwise=True, backward_name="ClampBackward1")
def clip(g, out, x, a_min=None, a_max=None):
    return g * (out == x), g * (x < out), g * (x > out)


@register(np.logaddexp, elementwise=True, backward_name="LogaddexpBackward0")
def logaddexp(g, out, x, y):
    t = np.tanh(0.5 * (x - y))  # sigmoid(x - y) = (1 + t) / 2, without overflow or `out`
    return g * 0.5 * (1 + t), g * 0.5 * (1 - t)


@register(np.arctan2, math.atan2, elementwise=True, backward_name="Atan2Backward0")
def arctan2(g, out, y, x):
    return g * x / (x * x + y * y), -g * y / (x * x + y * y)


@register(np.hypot, math.hypot, elementwise=True, backward_name="HypotBackward0")
def hypot(g, out, x, y):
    return g * x / out, g * y / out


# --- unary functions ----------------------------------------------------------

@register(np.exp, math.exp, elementwise=True, backward_name="ExpBackward0")
def exp(g, out, x):
    return (g * out,)


@register(np.exp2, elementwise=True, backward_name="Exp2Backward0")
def exp2(g, out, x):
    return (g * out * LOG2,)


@register(np.log, math.log, elementwise=True, backward_name="LogBackward0")
def log(g, out, x):
    return (g / x,)


@register(np.log2, math.log2, elementwise=True, backward_name="Log2Backward0")
def log2(g, out, x):
    return (g / (x * LOG2),)


@register(np.log10, math.log10, elementwise=True, backward_name="Log10Backward0")
def log10(g, out, x):
    return (g / (x * LOG10),)


@register(np.log1p, math.log1p, elementwise=True, backward_name="Log1PBackward0")
def log1p(g, out, x):
    return (g / (1 + x),)


@register(np.expm1, math.expm1, elementwise=True, backward_name="Expm1Backward0")
def expm1(g, out, x):
    return (g * (out + 1),)


@register(np.sqrt, math.sqrt, elementwise=True, backward_name="SqrtBackward0")
def sqrt(g, out, x):
    return (g / (2 * out),)


@register(np.cbrt, math.cbrt, elementwise=True, backward_name="PowBackward0")
def cbrt(g, out, x):
    return (g / (3 * out * out),)


@register(np.square, elementwise=True, backward_name="PowBackward0")
def square(g, out, x):
    return (g * 2 * x,)


@register(np.reciprocal, elementwise=True, backward_name="ReciprocalBackward0")
def reciprocal(g, out, x):
    return (-g * out * out,)


@register(np.sin, math.sin, elementwise=True, backward_name="SinBackward0")
def sin(g, out, x):
    return (g * np.cos(x),)


@register(np.cos, math.cos, elementwise=True, backward_name="CosBackward0")
def cos(g, out, x):
    return (-g * np.sin(x),)


@register(np.tan, math.tan, elementwise=True, backward_name="TanBackward0")
def tan(g, out, x):
    return (g * (1 + out * out),)


@register(np.arcsin, math.asin, elementwise=True, backward_name="AsinBackward0")
def arcsin(g, out, x):
    return (g / np.sqrt(1 - x * x),)


@register(np.arccos, math.acos, elementwise=True, backward_name="AcosBackward0")
def arccos(g, out, x):
    return (-g / np.sqrt(1 - x * x),)


@register(np.arctan, math.atan, elementwise=True, backward_name="AtanBackward0")
def arctan(g, out, x):
    return (g / (1 + x * x),)


@register(np.sinh, math.sinh, elementwise=True, backward_name="SinhBackward0")
def sinh(g, out, x):
    return (g * np.cosh(x),)


@register(np.cosh, math.cosh, elementwise=True, backward_name="CoshBackward0")
def cosh(g, out, x):
    return (g * np.sinh(x),)


@register(np.tanh, math.tanh, elementwise=True, backward_name="TanhBackward0")
def tanh(g, out, x):
    return (g * (1 - out * out),)


@register(np.arcsinh, math.asinh, elementwise=True, backward_name="AsinhBackward0")
def arcsinh(g, out, x):
    return (g / np.sqrt(x * x + 1),)


@register(np.arctanh, math.atanh, elementwise=True, backward_name="AtanhBackward0")
def arctanh(g, out, x):
    return (g / (1 - x * x),)


@register(np.absolute, np.fabs, math.fabs, builtins.abs, elementwise=True,
          backward_name="AbsBackward0")
def absolute(g, out, x):
    return (g * sign_of_real(x),)


@register(math.erf, elementwise=True, backward_name="ErfBackward0")
def erf(g, out, x):
    return (g * TWO_OVER_SQRT_PI * np.exp(-x * x),)

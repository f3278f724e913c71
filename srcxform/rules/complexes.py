"""Complex values: ``real``, ``imag``, ``conj``, ``angle``, and the refusal of the rest.

srcxform differentiates real values.  A complex value is differentiated only
through holomorphic functions (sums, products, ``exp``, ``sin`` ... whose
rules hold unchanged for complex numbers: the gradient is the complex
derivative, as ``jax.grad(holomorphic=True)`` and HIPS autograd give it).  A
step that is not holomorphic (``abs``, ``real``, ``imag``, ``conj``,
``angle``, ``var``/``std`` of complex values, a cast of complex to real) has
no complex derivative, and choosing a convention for one silently would give
wrong gradients somewhere else; such a step on a complex value raises
``ComplexDerivativeError`` (a ``TransformError`` and a ``TypeError``) naming
the function and located at the user's call (``file:line:col``), at the
first call of the derivative that reaches it, never a gradient.

After import, ``np.real``/``np.imag``/``np.conj``/``np.angle`` (and the
``.real``/``.imag`` attributes, ``.conj()``/``.conjugate()`` methods,
``np.real_if_close``) have rules for real input, and :func:`real_valued` and
:func:`sign_of_real` are the helpers the rules of non-holomorphic steps call
(the generated code shows them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..origins import complex_refusal
from .registry import nondifferentiable, register, register_tangents


def real_valued(x: Any, what: str = "this function") -> Any:
    """``x`` unchanged when it is real; for a complex value a ``ComplexDerivativeError`` (a
    ``TransformError`` and a ``TypeError``) located at the user's call the calling
    generated code differentiates (``srcxform/origins.py``)."""
    if np.iscomplexobj(x):
        raise complex_refusal(what)
    return x


def refuse_complex(x: Any, what: str) -> None:
    """Nothing for a real ``x``; for a complex one the ``ComplexDerivativeError`` of
    :func:`real_valued`, located at the user's call the calling generated code computes.
    A float or a real ndarray is passed over first (two type tests)."""
    kind = type(x)
    if kind is np.ndarray:
        if x.dtype.kind != "c":
            return
    elif kind is float or kind is int:
        return
    if np.iscomplexobj(x):
        raise complex_refusal(what)


def sign_of_real(x: Any) -> Any:
    """``np.sign(x)`` for real ``x`` (the derivative of ``abs``); complex ``x`` is refused."""
    return np.sign(real_valued(x, "abs"))


nondifferentiable(sign_of_real)


@register(real_valued, linear=True)
def real_valued_(g, out, x, what="this function"):
    return (g,)  # the identity (on the real values it lets through)


def through_real(g: Any, x: Any, what: str = "this function") -> Any:
    """``g``: the gradient through a function that is the identity on real ``x``
    (``real``, ``conj``); complex ``x`` is refused."""
    real_valued(x, what)
    return g


@register(through_real)
def through_real_(g, out, g_, x, what="this function"):
    return (g,)


def _through_real_tangent(t, out, g_, x, what="this function"):
    return through_real(t, x, what)


register_tangents(through_real_, _through_real_tangent, None)  # x: only its dtype is read


@register(np.real, np.real_if_close, attributes=("real",), linear=True,
          backward_name="RealBackward0")
def real(g, out, x, tol=100):
    return (through_real(g, x, "real"),)


@register(np.imag, attributes=("imag",), linear=True, backward_name="ImagBackward0")
def imag(g, out, x):
    return (through_real(np.zeros_like(x), x, "imag"),)


@register(np.conj, np.conjugate, methods=("conj", "conjugate"), linear=True,
          backward_name="ConjBackward0")
def conj(g, out, x):
    return (through_real(g, x, "conj"),)


@register(np.angle, backward_name="AngleBackward0")
def angle(g, out, z, deg=False):
    return (through_real(np.zeros_like(z), z, "angle"),)  # 0 or pi on real values: constant


def _angle_tangent(t, out, z, deg=False):
    return through_real(np.zeros_like(z), z, "angle")


register_tangents(angle, _angle_tangent)

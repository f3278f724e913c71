"""Input specs of the rule-table tests: placeholders, cases and their families.

A :class:`Case` is one call of a primitive with placeholder arguments
(:class:`Arr` arrays of a shape, value range and kind, :class:`Flt` Python
floats, :class:`Seq` lists or tuples of placeholders, :class:`Mask` boolean
arrays) that ``materialize`` draws from a seeded generator; the family
helpers (``unary``, ``binary``, ``reduction`` ...) give the argument variety
every rule of a kind is checked on.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# --- input placeholders -----------------------------------------------------------

@dataclass(frozen=True)
class Arr:
    """A float64 array (0-d when ``shape`` is empty) drawn uniformly from ``[lo, hi)``.

    ``kind`` chooses the distribution: ``"uniform"``; ``"away"`` (random sign,
    magnitude in ``[lo, hi)``, so no value sits near a kink at 0); ``"distinct"``
    (a shuffled grid with gaps of 0.1, so maxima and minima have no ties);
    ``"nan"`` (uniform, every third element NaN); ``"zeros"`` (uniform, every
    third element exactly 0, so some lines hold one zero and some several).
    """

    shape: tuple[int, ...]
    lo: float = -1.0
    hi: float = 1.0
    kind: str = "uniform"

    def make(self, rng: np.random.Generator) -> np.ndarray:
        n = math.prod(self.shape)
        if self.kind == "away":
            vals = rng.choice([-1.0, 1.0], n) * rng.uniform(self.lo, self.hi, n)
        elif self.kind == "distinct":
            vals = (rng.permutation(n) - n / 2) * 0.1 + rng.uniform(-0.02, 0.02, n)
        else:
            vals = rng.uniform(self.lo, self.hi, n)
        if self.kind == "nan":
            vals[1::3] = np.nan
        elif self.kind == "zeros":
            vals[1::3] = 0.0
        return np.asarray(vals, dtype=np.float64).reshape(self.shape)


@dataclass(frozen=True)
class Flt:
    """A Python float drawn uniformly from ``[lo, hi)``."""

    lo: float = -1.0
    hi: float = 1.0

    def make(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.lo, self.hi))


@dataclass(frozen=True)
class Seq:
    """A Python list (or tuple) of placeholders (the argument of concatenate, stack,
    np.array; items that are not placeholders are passed as they are)."""

    items: tuple
    kind: type = list

    def make(self, rng: np.random.Generator) -> list | tuple:
        return self.kind(item.make(rng) if hasattr(item, "make") else item
                         for item in self.items)


@dataclass(frozen=True)
class Mask:
    """A random boolean array (a ``where`` condition); never differentiated."""

    shape: tuple[int, ...]

    def make(self, rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(size=self.shape) < 0.5


def A(*shape: int, lo: float = -1.0, hi: float = 1.0) -> Arr:
    return Arr(shape, lo, hi)


def P(*shape: int) -> Arr:
    """Positive values, away from 0 (log, sqrt, power base)."""
    return Arr(shape, 0.5, 2.0)


def S(*shape: int) -> Arr:
    """Values of either sign, |v| in [0.3, 1.5) (abs, reciprocal, divisors)."""
    return Arr(shape, 0.3, 1.5, "away")


def D(*shape: int) -> Arr:
    """Distinct, well separated values (max, min)."""
    return Arr(shape, kind="distinct")


def F(lo: float = -1.0, hi: float = 1.0) -> Flt:
    return Flt(lo, hi)


def L(*items: Any) -> Seq:
    return Seq(tuple(items))


def T(*items: Any) -> Seq:
    """A tuple of placeholders (``np.r_``'s index)."""
    return Seq(tuple(items), tuple)


def N(*shape: int) -> Arr:
    """Values in [-1, 1) with every third one NaN."""
    return Arr(shape, kind="nan")


def Z(*shape: int, lo: float = -1.0, hi: float = 1.0) -> Arr:
    """Values in [lo, hi) with every third one exactly zero."""
    return Arr(shape, lo, hi, "zeros")


PLACEHOLDERS = (Arr, Flt, Seq)
UNIT = Flt()


@dataclass(frozen=True)
class Case:
    """One call of a primitive: positional and keyword arguments (placeholders
    or literals), which positions to differentiate (default: every placeholder
    position), and the exception the rule must raise instead, if any.  ``eps``
    and ``rtol`` override the finite-difference step and tolerance (for a
    primitive whose result has low precision, e.g. a cast to float32)."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    wrt: tuple[int, ...] | None = None
    raises: type[Exception] | None = None
    eps: float | None = None
    rtol: float | None = None

    def positions(self) -> tuple[int, ...]:
        if self.wrt is not None:
            return self.wrt
        return tuple(i for i, a in enumerate(self.args) if isinstance(a, PLACEHOLDERS))

    def label(self) -> str:
        def show(a: Any) -> str:
            if isinstance(a, Arr):
                return f"{a.kind[0]}{a.shape}"
            if isinstance(a, Flt):
                return "float"
            if isinstance(a, Seq):
                inner = ",".join(show(i) for i in a.items)
                return f"({inner})" if a.kind is tuple else f"[{inner}]"
            if isinstance(a, slice):
                return f"{a.start}:{a.stop}"
            if isinstance(a, Mask):
                return f"mask{a.shape}"
            if isinstance(a, np.ndarray):
                return f"arr{a.tolist()}"
            if callable(a):  # a function passed along (no address in a test id)
                return getattr(a, "__name__", type(a).__name__)
            return repr(a)

        parts = [show(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return ",".join(parts).replace(" ", "")


def c(*args: Any, wrt: tuple[int, ...] | None = None,
      raises: type[Exception] | None = None, **kwargs: Any) -> Case:
    return Case(args, kwargs, wrt, raises)


def low_precision(case: Case, eps: float = 1e-2, rtol: float = 1e-4) -> Case:
    """``case`` checked with a larger step and tolerance (a float32 or float16 result)."""
    return dataclasses.replace(case, eps=eps, rtol=rtol)


def materialize(case: Case, rng: np.random.Generator) -> tuple[list, dict]:
    """Draw the case's placeholders (keyword ones too: those are held fixed, not checked)."""
    args = [a.make(rng) if isinstance(a, (*PLACEHOLDERS, Mask)) else a for a in case.args]
    kwargs = {k: v.make(rng) if isinstance(v, (*PLACEHOLDERS, Mask)) else v
              for k, v in case.kwargs.items()}
    return args, kwargs


# --- the specs --------------------------------------------------------------------

def unary(make: Callable[..., Arr], *, scalar: tuple[float, float] | None = None) -> list[Case]:
    """A NumPy elementwise function: 0-d, 1-D, 2-D, a large array, a Python float."""
    cases = [c(make()), c(make(4)), c(make(2, 3)), c(make(30, 40))]
    if scalar is not None:
        cases.append(c(F(*scalar)))
    return cases


def binary(left: Callable[..., Any] = A, right: Callable[..., Any] = A,
           lf: Flt = UNIT, rf: Flt = UNIT) -> list[Case]:
    """A binary elementwise function over broadcasting shapes."""
    return [
        c(left(2, 3), right(2, 3)),
        c(left(3, 1), right(1, 4)),
        c(left(5), right(2, 5)),
        c(left(2, 5), right(5)),
        c(left(), right(3, 2)),
        c(left(2, 1, 3), right(4, 1)),
        c(left(), right()),
        c(lf, right(2, 3)),
        c(left(2, 3), rf),
        c(lf, rf),
    ]


def scalar_math(*domains: tuple[float, float]) -> list[Case]:
    """A ``math`` function on Python floats, at three points of its domain."""
    return [c(*(F(*d) for d in domains)) for _ in range(3)]


AXES_3D = [None, 0, 1, 2, -1, -2, (0, 2), (-1, 0), (0, 1, 2)]


def reduction(make: Callable[..., Arr], **extra: Any) -> list[Case]:
    """A reduction function: every axis form, with and without keepdims."""
    cases = [c(make(5), **extra), c(make(), **extra), c(make(3, 4), 1, **extra)]
    for axis in AXES_3D:
        cases.append(c(make(2, 3, 4), axis=axis, **extra))
        cases.append(c(make(2, 3, 4), axis=axis, keepdims=True, **extra))
    cases.append(c(make(30, 40), axis=0, **extra))
    return cases


def reduction_method(make: Callable[..., Arr], **extra: Any) -> list[Case]:
    """The same reduction as an array method (``x.sum(axis=...)``)."""
    return [
        c(make(5), **extra),
        c(make(3, 4), 0, **extra),
        c(make(2, 3, 4), axis=-1, **extra),
        c(make(2, 3, 4), axis=(0, 2), keepdims=True, **extra),
        c(make(2, 3, 4), axis=None, keepdims=True, **extra),
    ]


def variance(method: bool) -> list[Case]:
    """var/std with ddof 0, 1, 2; no 0-d input (a variance of one value is 0 identically,
    std's sqrt has a kink there and ddof=1 divides by zero)."""
    base = [case for case in (reduction_method(A) if method else reduction(A))
            if case.args[0].shape != ()]
    with_ddof = [dataclasses.replace(case, kwargs={**case.kwargs, "ddof": 1}) for case in base]
    return base + with_ddof + [c(A(2, 3, 4), axis=(1, 2), ddof=2, keepdims=True)]



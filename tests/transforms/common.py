"""The two program corpora as one list, and oracles shared by the transform tests.

Each :class:`Entry` is a corpus program with its argument builder, the
arguments it differentiates (``wrt``), HIPS autograd's version of the same
source (``None`` with a reason when autograd cannot run it) and, for programs
that stop the gradient, a frozen surrogate for finite differences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

from tests import corpus as straight
from tests.control_flow import programs
from tests.control_flow.oracles import for_autograd
from tests.helpers import as_tuple, central_difference, with_autograd_numpy


@dataclass(frozen=True)
class Entry:
    name: str
    f: Callable[..., Any]
    make: Callable[[], tuple]
    wrt: tuple[int, ...]
    autograd_reason: str | None
    frozen: Callable[[tuple, tuple], Any] | None  # stop-gradient surrogate (live, base)

    def autograd_fn(self) -> Callable[..., Any]:
        if self.name in STRAIGHT_NAMES:
            return with_autograd_numpy(self.f)
        return for_autograd(self.f)


STRAIGHT_NAMES = {f.__name__ for f, _, _ in straight.CORPUS}


def _entries() -> list[Entry]:
    out = []
    for f, make, wrt in straight.CORPUS:
        reason = "autograd has no rule for it" if f.__name__ in straight.NOT_FOR_AUTOGRAD \
            else None
        out.append(Entry(f.__name__, f, make, as_tuple(wrt), reason, None))
    for (f, make, wrt, _), name in zip(programs.CORPUS, programs.corpus_ids()):
        pid = programs.program_id(f)
        spec = programs.STOP_GRADIENT.get(pid)
        out.append(Entry(name, f, make, as_tuple(wrt), programs.NOT_FOR_AUTOGRAD.get(pid),
                         spec.frozen if spec else None))
    return out


ENTRIES = _entries()


def params(entries=None, *, autograd: bool = False) -> list:
    """pytest params of ``entries``; with ``autograd``, skipping what autograd cannot run."""
    out = []
    for e in entries if entries is not None else ENTRIES:
        marks = [pytest.mark.skip(reason=f"autograd cannot check this: {e.autograd_reason}")] \
            if autograd and e.autograd_reason else []
        out.append(pytest.param(e, id=e.name, marks=marks))
    return out


def rng_for(name: str) -> np.random.Generator:
    return np.random.default_rng(sum(map(ord, name)) * 7919 % 2**32)


def like(x: Any, rng: np.random.Generator) -> Any:
    """A random value of ``x``'s shape (a Python float for a float)."""
    if isinstance(x, float):
        return float(rng.normal())
    return rng.normal(size=np.shape(x))


def frozen_fd(entry: Entry, args: tuple, tangents: tuple, eps: float = 1e-6) -> np.ndarray:
    """Directional differences of the stop-gradient surrogate (stopped values at ``args``)."""
    base = tuple(args)
    return central_difference(lambda *live: entry.frozen(tuple(live), base), args, tangents,
                              eps)


def assert_close(actual, expected, *, rtol, atol, what):
    a = np.asarray(actual, dtype=float)
    b = np.asarray(expected, dtype=float)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)


# -- functions with array outputs (vjp and jvp) ---------------------------------------

def layer(x, W):
    return np.tanh(W @ x)


def every_other(x):
    return x[::2] * 3.0


def prefix_products(x):
    out = np.zeros(len(x))
    p = 1.0
    for i in range(len(x)):
        p = p * x[i]
        if p > 0:
            out[i] = p + math.sin(x[i])
        else:
            out[i] = 0.5 * p
    return out


def stacked(x, y):
    rows = []
    for k in range(3):
        rows.append(np.sin(x * k) + y ** 2)
    return np.stack(rows)


def matrix_out(A, v):
    return np.outer(np.exp(A @ v), v) + A.T


VECTOR_CASES = [
    (layer, lambda: (np.array([0.3, -0.5, 0.8]), np.array([[0.2, 0.1, -0.4], [0.7, -0.3, 0.5]])),
     True),
    (every_other, lambda: (np.array([0.5, -1.0, 2.0, 0.3, -0.7]),), True),
    (prefix_products, lambda: (np.array([0.9, -1.1, 0.6, 1.3]),), False),  # array writes
    (stacked, lambda: (np.array([0.2, -0.4]), np.array([1.1, 0.3])), True),
    (matrix_out, lambda: (np.array([[0.2, -0.3], [0.5, 0.1]]), np.array([0.4, -0.6])), True),
]

"""The control-flow fuzzer: parameters and locals rebound under ``if``, loops and returns.

``generate(seed)`` writes one function ``f<seed>(x, y, a)`` (two vectors and a
float) whose body rebinds its parameters and a few scalar locals under
``if``/``else`` (on ``a`` and on values), ``for`` loops with ``break`` and
``continue``, and early ``return``s, from straight-line NumPy: no writes into
arrays (the mutation fuzzer's business), so HIPS autograd runs the same source.

``check(f, f_autograd, args)`` is the oracle: the function's own value, and
autograd's gradient of the same source (``np`` rebound to ``autograd.numpy``)
for every parameter, against ``sx.value_and_grad``, ``sx.vjp`` and ``sx.jvp``.
It returns the list of disagreements ("" when there is none); a
``TransformError`` is a refusal, never a finding.

This fuzzer found the rebinding of a parameter under a branch being read
back after the branch in the backward sweep (``tests/fuzz/FINDINGS.md``).
"""

from __future__ import annotations

import copy
import random
import warnings
from typing import Any

import numpy as np

import srcxform as sx

ARRAYS = ["x", "y"]
SCALARS = ["s", "t", "a"]


def _array(r: random.Random, depth: int = 0) -> str:
    n = r.choice(ARRAYS)
    if depth > 1 or r.random() < 0.3:
        return n
    return r.choice([
        f"{_array(r, depth + 1)} * {_array(r, depth + 1)}",
        f"np.sin({_array(r, depth + 1)})",
        f"{_array(r, depth + 1)} + {r.choice(['0.5', '1.5', 'a'])} * {n}",
        f"np.tanh({n}) - {_array(r, depth + 1)}",
        f"{n} / (1.0 + {_array(r, depth + 1)} ** 2)",
    ])


def _scalar(r: random.Random) -> str:
    return r.choice([
        f"np.sum({_array(r)})",
        f"np.mean({r.choice(ARRAYS)} * {r.choice(ARRAYS)})",
        f"{r.choice(SCALARS)} * {r.choice(['2.0', '0.5', r.choice(SCALARS)])}",
        f"np.max({r.choice(ARRAYS)})",
        f"{r.choice(SCALARS)} + np.sum({r.choice(ARRAYS)})",
    ])


def _condition(r: random.Random) -> str:
    return r.choice([f"a > {r.uniform(-0.5, 1.0):.2f}",
                     f"np.sum({r.choice(ARRAYS)}) > {r.uniform(-1.0, 1.0):.2f}",
                     f"{r.choice(SCALARS)} < {r.uniform(-1.0, 2.0):.2f}"])


def _block(r: random.Random, depth: int, indent: int, in_loop: bool, lines: list[str]) -> None:
    pad = "    " * indent
    for _ in range(r.randint(1, 3)):
        k = r.random()
        if k < 0.35:
            lines.append(f"{pad}{r.choice(ARRAYS)} = {_array(r)}")
        elif k < 0.5:
            lines.append(f"{pad}{r.choice(SCALARS)} = {_scalar(r)}")
        elif k < 0.65 and depth < 2:
            lines.append(f"{pad}if {_condition(r)}:")
            _block(r, depth + 1, indent + 1, in_loop, lines)
            if r.random() < 0.5:
                lines.append(f"{pad}else:")
                _block(r, depth + 1, indent + 1, in_loop, lines)
        elif k < 0.78 and depth < 2:
            lines.append(f"{pad}for i{depth} in range({r.randint(1, 3)}):")
            _block(r, depth + 1, indent + 1, True, lines)
        elif k < 0.86 and in_loop:
            lines.append(f"{pad}if {r.choice(SCALARS)} > {r.uniform(-1.0, 2.0):.2f}:")
            lines.append(f"{pad}    {r.choice(['break', 'continue'])}")
        elif k < 0.93:
            lines.append(f"{pad}if a > {r.uniform(0.0, 1.5):.2f}:")
            lines.append(f"{pad}    return {_scalar(r)}")
        else:
            t = r.choice(SCALARS)
            lines.append(f"{pad}{t} = {t} + np.sum({r.choice(ARRAYS)} * {r.choice(ARRAYS)})")


def generate(seed: int) -> str:
    """The source of ``f<seed>(x, y, a)`` (a module's text: it imports NumPy as ``np``)."""
    r = random.Random(seed)
    lines = ["import numpy as np", "", "", f"def f{seed}(x, y, a):", "    s = 0.0", "    t = a"]
    _block(r, 0, 1, False, lines)
    lines.append("    return np.sum(x * y) + s * t + a * np.sum(x)")
    return "\n".join(lines) + "\n"


def arguments(seed: int) -> tuple:
    """The point ``(x, y, a)`` program ``seed`` is differentiated at."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 4), float(rng.uniform(-0.5, 1.5))


def _close(a: Any, b: Any) -> bool:
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-7, atol=1e-9)


def check(f: Any, f_autograd: Any, args: tuple) -> str | None:
    """The disagreements of srcxform with ``f``'s value and autograd's gradients ("" for
    none); ``None`` when the program is not judged (it overflows, or srcxform refuses it)."""
    import autograd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = f(*copy.deepcopy(args))
        if not np.isfinite(want) or abs(want) > 1e6:
            return None
        grads = [autograd.grad(f_autograd, i)(*copy.deepcopy(args)) for i in range(3)]
        found = []
        try:
            value, got = sx.value_and_grad(f, wrt=(0, 1, 2))(*copy.deepcopy(args))
        except sx.TransformError:
            return None
        except Exception as exc:  # noqa: BLE001 (a crash is a finding)
            return f"value_and_grad crashed: {exc!r}"
        if not _close(value, want):
            found.append(f"value_and_grad: value {value}, the function returns {want}")
        found += [f"value_and_grad: gradient {i} is {g}, autograd {w}"
                  for i, (g, w) in enumerate(zip(got, grads)) if not _close(g, w)]
        try:
            value, pullback = sx.vjp(f, *copy.deepcopy(args))
            found += [f"vjp: gradient {i} is {g}, autograd {w}"
                      for i, (g, w) in enumerate(zip(pullback(1.0), grads)) if not _close(g, w)]
            tangents = (np.ones(4), np.full(4, 0.5), 1.0)
            value, tangent = sx.jvp(f, copy.deepcopy(args), tangents)
            want_t = sum(np.sum(g * t) for g, t in zip(grads, tangents))
            if not _close(tangent, want_t):
                found.append(f"jvp: tangent {tangent}, autograd {want_t}")
        except Exception as exc:  # noqa: BLE001 (value_and_grad took it: vjp and jvp must)
            found.append(f"vjp/jvp failed: {exc!r}")
    return "; ".join(found)

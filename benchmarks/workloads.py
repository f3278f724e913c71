"""Benchmark workloads: plain NumPy losses with hand-written gradients.

After import, ``WORKLOADS`` lists every :class:`Workload`.  Each has

* ``f``: a loss written as a user would (module-level ``np``, no srcxform),
  returning a scalar;
* ``df_hand``: its gradient as an expert writes it in NumPy (one forward pass
  that keeps what the backward pass needs, in-place updates where they save
  an allocation), returning one gradient for an int ``wrt`` and a tuple, in
  ``wrt`` order, for a tuple ``wrt``; a float argument gets a float;
* ``make_args(rng, small)``: the arguments (``small=True`` gives sizes small
  enough for per-element finite differences);
* ``needs_control_flow``: the workload loops in Python (``for``).

The losses call no helper of their own, so rebinding ``np`` in a copy of
``f`` (to ``autograd.numpy``, say) changes every array call it makes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Workload:
    """One benchmark: a loss, its hand gradient, and how to build its arguments."""

    name: str
    f: Callable[..., Any]
    df_hand: Callable[..., Any]
    make_args: Callable[[np.random.Generator, bool], tuple]
    wrt: int | str | tuple[int | str, ...]
    needs_control_flow: bool = False
    description: str = ""

    def wrt_indices(self) -> tuple[int, ...]:
        """``wrt`` as positional indices (names resolved against ``f``'s parameters)."""
        names = self.f.__code__.co_varnames[: self.f.__code__.co_argcount]
        items = self.wrt if isinstance(self.wrt, tuple) else (self.wrt,)
        return tuple(names.index(w) if isinstance(w, str) else w for w in items)


# --- polynomial -----------------------------------------------------------------------

def poly(x):
    return np.sum(3 * x**3 + 2 * x**2 + x)


def poly_hand(x):
    # d/dx (3x^3 + 2x^2 + x) = (9x + 4)x + 1, with one temporary
    g = 9.0 * x
    g += 4.0
    g *= x
    g += 1.0
    return g


def poly_args(n: int) -> Callable[[np.random.Generator, bool], tuple]:
    def make(rng: np.random.Generator, small: bool) -> tuple:
        return (rng.standard_normal(min(n, 10) if small else n),)

    return make


# --- two-layer tanh MLP, mean squared error ----------------------------------------------

def mlp(W1, b1, W2, b2, X, Y):
    H = np.tanh(X @ W1 + b1)
    P = H @ W2 + b2
    return np.mean((P - Y) ** 2)


def mlp_hand(W1, b1, W2, b2, X, Y):
    H = np.tanh(X @ W1 + b1)
    R = H @ W2
    R += b2
    R -= Y
    R *= 2.0 / R.size  # dL/dP
    dW2 = H.T @ R
    db2 = R.sum(axis=0)
    dZ = R @ W2.T
    H *= H
    np.subtract(1.0, H, out=H)
    dZ *= H  # dL/d(X W1 + b1)
    return X.T @ dZ, dZ.sum(axis=0), dW2, db2


def mlp_args(rng: np.random.Generator, small: bool) -> tuple:
    batch, n_in, n_hidden = (4, 3, 5) if small else (64, 32, 64)
    X = rng.standard_normal((batch, n_in))
    Y = rng.standard_normal((batch, 1))
    W1 = rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in)
    b1 = 0.1 * rng.standard_normal(n_hidden)
    W2 = rng.standard_normal((n_hidden, 1)) / np.sqrt(n_hidden)
    b2 = 0.1 * rng.standard_normal(1)
    return W1, b1, W2, b2, X, Y


# --- logistic regression, binary cross-entropy on logits -----------------------------------

def logreg(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def logreg_hand(w, b, X, y):
    z = X @ w
    z += b
    # sigmoid(z) = (1 + tanh(z / 2)) / 2 never overflows
    z *= 0.5
    s = np.tanh(z, out=z)
    s += 1.0
    s *= 0.5
    s -= y
    s /= s.size  # dL/dz
    return X.T @ s, float(s.sum())


def logreg_args(rng: np.random.Generator, small: bool) -> tuple:
    batch, n_features = (6, 3) if small else (256, 20)
    X = rng.standard_normal((batch, n_features))
    w = rng.standard_normal(n_features)
    y = (rng.uniform(size=batch) < 0.5).astype(np.float64)
    return w, float(rng.standard_normal()), X, y


# --- softmax cross-entropy ------------------------------------------------------------------

def softmax_xent(W, b, X, Y):
    logits = X @ W + b
    m = np.max(logits, axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * (logits - lse), axis=1))


def softmax_xent_hand(W, b, X, Y):
    logits = X @ W
    logits += b
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits, out=logits)
    p /= p.sum(axis=1, keepdims=True)  # softmax
    p -= Y
    p /= p.shape[0]  # dL/dlogits (each row of Y sums to 1)
    return X.T @ p, p.sum(axis=0)


def softmax_args(rng: np.random.Generator, small: bool) -> tuple:
    batch, n_features, n_classes = (5, 3, 4) if small else (128, 32, 10)
    X = rng.standard_normal((batch, n_features))
    W = rng.standard_normal((n_features, n_classes)) / np.sqrt(n_features)
    b = 0.1 * rng.standard_normal(n_classes)
    Y = np.eye(n_classes)[rng.integers(0, n_classes, batch)]
    return W, b, X, Y


# --- RNN over 50 steps ---------------------------------------------------------------------

def rnn(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def rnn_hand(W, U, h, xs):
    steps = xs.shape[0]
    hs = np.empty((steps + 1, h.shape[0]))
    hs[0] = h
    inputs = xs @ U.T  # every U @ xs[t] in one product
    for t in range(steps):
        hs[t + 1] = np.tanh(W @ hs[t] + inputs[t])
    dz = np.empty((steps, h.shape[0]))  # dL/d(pre-activation) per step
    dh = 2.0 * hs[steps]
    for t in range(steps - 1, -1, -1):
        dz[t] = dh * (1.0 - hs[t + 1] * hs[t + 1])
        dh = W.T @ dz[t]
    return dz.T @ hs[:-1], dz.T @ xs


def rnn_args(rng: np.random.Generator, small: bool) -> tuple:
    steps, n_hidden, n_in = (4, 3, 2) if small else (50, 32, 16)
    W = 0.9 * rng.standard_normal((n_hidden, n_hidden)) / np.sqrt(n_hidden)
    U = rng.standard_normal((n_hidden, n_in)) / np.sqrt(n_in)
    h = 0.1 * rng.standard_normal(n_hidden)
    xs = rng.standard_normal((steps, n_in))
    return W, U, h, xs


# --- a 100-step loop on Python floats ---------------------------------------------------------

def float_loop(a, x):
    for _ in range(100):
        x = x + 0.05 * (math.sin(a * x) - 0.5 * x)
    return x * x


def float_loop_hand(a, x):
    xs = [x]
    for _ in range(100):
        x = x + 0.05 * (math.sin(a * x) - 0.5 * x)
        xs.append(x)
    dx = 2.0 * x
    da = 0.0
    for x in reversed(xs[:-1]):
        c = 0.05 * math.cos(a * x) * dx
        da += c * x
        dx = dx * 0.975 + c * a  # 1 - 0.05 * 0.5 = 0.975
    return da, dx


def float_loop_args(rng: np.random.Generator, small: bool) -> tuple:
    return float(rng.uniform(0.5, 2.0)), float(rng.uniform(-1.0, 1.0))


# --- a damped spring chain integrated with explicit Euler -----------------------------------

def springs(k, x, v, target):
    for _ in range(100):
        ext = np.concatenate((np.zeros(1), x, np.zeros(1)))
        a = k * (ext[:-2] - 2.0 * x + ext[2:]) - 0.5 * v
        x = x + 0.01 * v
        v = v + 0.01 * a
    return np.sum((x - target) ** 2)


def _laplacian(x):
    lap = -2.0 * x
    lap[1:] += x[:-1]
    lap[:-1] += x[1:]
    return lap


def springs_hand(k, x, v, target):
    steps, dt, damping = 100, 0.01, 0.5
    laps = np.empty((steps, x.shape[0]))  # the only state the backward pass reads
    for t in range(steps):
        laps[t] = _laplacian(x)
        x, v = x + dt * v, v + dt * (k * laps[t] - damping * v)
    bx = 2.0 * (x - target)
    bv = np.zeros_like(x)
    bk = 0.0
    for t in range(steps - 1, -1, -1):
        bk += dt * float(bv @ laps[t])
        # x' = x + dt v, v' = v + dt (k L x - c v); L is symmetric
        bx, bv = bx + (dt * k) * _laplacian(bv), dt * bx + (1.0 - dt * damping) * bv
    return bk, bx


def springs_args(rng: np.random.Generator, small: bool) -> tuple:
    n = 4 if small else 32
    x = 0.1 * rng.standard_normal(n)
    v = 0.1 * rng.standard_normal(n)
    target = 0.1 * rng.standard_normal(n)
    return float(rng.uniform(50.0, 100.0)), x, v, target


WORKLOADS: list[Workload] = [
    Workload("poly_n10", poly, poly_hand, poly_args(10), 0,
             description="np.sum(3x^3 + 2x^2 + x), n = 10"),
    Workload("poly_n1e6", poly, poly_hand, poly_args(10**6), 0,
             description="np.sum(3x^3 + 2x^2 + x), n = 10**6"),
    Workload("mlp_tanh", mlp, mlp_hand, mlp_args, (0, 1, 2, 3),
             description="tanh MLP 32-64-1, MSE, batch 64, wrt W1 b1 W2 b2"),
    Workload("logreg_bce", logreg, logreg_hand, logreg_args, ("w", "b"),
             description="logistic regression, stable BCE, batch 256, 20 features"),
    Workload("softmax_xent", softmax_xent, softmax_xent_hand, softmax_args, (0, 1),
             description="softmax cross-entropy, batch 128, 10 classes"),
    Workload("rnn_50", rnn, rnn_hand, rnn_args, (0, 1), needs_control_flow=True,
             description="h = tanh(W h + U x[t]), 50 steps, hidden 32"),
    Workload("float_loop_100", float_loop, float_loop_hand, float_loop_args, (0, 1),
             needs_control_flow=True, description="100-step loop on Python floats"),
    Workload("springs_euler", springs, springs_hand, springs_args, ("k", "x"),
             needs_control_flow=True,
             description="damped spring chain of 32, explicit Euler, 100 steps"),
]

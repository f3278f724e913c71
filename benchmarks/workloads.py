"""Benchmark workloads: plain NumPy losses with hand-written gradients.

After import, ``WORKLOADS`` lists every :class:`Workload` that ``run.py`` times.
Each has

* ``f``: a loss written as a user would (module-level ``np``, no srcxform),
  returning a scalar;
* ``df_hand``: its gradient as an expert writes it in NumPy (one forward pass
  that keeps what the backward pass needs, in-place updates where they save
  an allocation), returning one gradient for an int ``wrt`` and a tuple, in
  ``wrt`` order, for a tuple ``wrt``; a float argument gets a float;
* ``make_args(rng, small)``: the arguments (``small=True`` gives sizes small
  enough for per-element finite differences);
* ``needs_control_flow``: the workload loops in Python (``for``);
* ``max_ratio``: the bound CI's gross-regression guard (``run.py --guard``)
  holds srcxform's time / hand time to.

``MEMORY_WORKLOADS`` lists the long loops of the memory table
(``memory.py``), whose hand gradients keep every state in one preallocated
array.  The losses call no helper of their own, so rebinding ``np`` in a
copy of ``f`` (to ``autograd.numpy``, say) changes every array call it makes.
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
    max_ratio: float = 3.0  # CI's gross-regression bound on srcxform time / hand time

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


def float_scan(a, x):
    for _ in range(SCAN_STEPS):
        x = x + 0.01 * (math.sin(a * x) - 0.5 * x)
    return x * x


def float_scan_hand(a, x):
    xs = np.empty(SCAN_STEPS)  # the state at the start of every step, in one array
    for t in range(SCAN_STEPS):
        xs[t] = x
        x = x + 0.01 * (math.sin(a * x) - 0.5 * x)
    dx = 2.0 * x
    da = 0.0
    for t in range(SCAN_STEPS - 1, -1, -1):
        x = xs.item(t)
        c = 0.01 * math.cos(a * x) * dx
        da += c * x
        dx = dx * 0.995 + c * a
    return da, dx


def float_scan_list_hand(a, x):
    xs = []  # the state at the start of every step: a list is the fastest to write and read
    for _ in range(SCAN_STEPS):
        xs.append(x)
        x = x + 0.01 * (math.sin(a * x) - 0.5 * x)
    dx = 2.0 * x
    da = 0.0
    for x in reversed(xs):
        c = 0.01 * math.cos(a * x) * dx
        da += c * x
        dx = dx * 0.995 + c * a
    return da, dx


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


# --- softmax cross-entropy with integer labels -------------------------------------------------

def softmax_xent_labels(W, b, X, labels):
    logits = X @ W + b
    m = np.max(logits, axis=1, keepdims=True)
    logp = logits - m - np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(X.shape[0]), labels])


def softmax_xent_labels_hand(W, b, X, labels):
    n = X.shape[0]
    p = X @ W
    p += b
    p -= p.max(axis=1, keepdims=True)
    np.exp(p, out=p)
    p /= p.sum(axis=1, keepdims=True)  # softmax
    p[np.arange(n), labels] -= 1.0  # minus the one-hot labels: one row each, no collisions
    p /= n  # dL/dlogits
    return X.T @ p, p.sum(axis=0)


def softmax_labels_args(rng: np.random.Generator, small: bool) -> tuple:
    batch, n_features, n_classes = (5, 3, 4) if small else (128, 32, 10)
    X = rng.standard_normal((batch, n_features))
    W = rng.standard_normal((n_features, n_classes)) / np.sqrt(n_features)
    b = 0.1 * rng.standard_normal(n_classes)
    labels = rng.integers(0, n_classes, batch)
    return W, b, X, labels


# --- a one-room building, three thermal masses, 20 explicit Euler steps ------------------------

# Physical constants as an engineer writes them: module globals (SI units, degrees Celsius).
N_STEPS = 20
DT = 900.0  # time step: 15 minutes, s
C_WALL = 4.0e6  # heat capacity of the walls, J/K
C_AIR = 2.5e5  # of the room's air, J/K
C_FLOOR = 8.0e6  # of the floor slab, J/K
T_OUT = 2.0  # outdoor temperature
T_SET = 21.0  # the heater's set point
SOLAR = 300.0  # sun on the floor, W


def thermal(p, target):
    r_out = p[0]  # wall to outside, K/W
    r_in = p[1]  # wall to air
    r_floor = p[2]  # floor to air
    gain = p[3]  # the heater's proportional gain, W/K
    t_wall = 10.0
    t_air = 15.0
    t_floor = 14.0
    loss = 0.0
    for k in range(N_STEPS):
        q_out = (t_wall - T_OUT) / r_out
        q_in = (t_air - t_wall) / r_in
        q_floor = (t_floor - t_air) / r_floor
        q_heat = gain * (T_SET - t_air)
        t_wall = t_wall + DT * (q_in - q_out) / C_WALL
        t_air = t_air + DT * (q_heat + q_floor - q_in) / C_AIR
        t_floor = t_floor + DT * (SOLAR - q_floor) / C_FLOOR
        loss = loss + (t_air - target[k]) ** 2
    return loss / N_STEPS


def thermal_hand(p, target):
    r_out, r_in, r_floor, gain = p[0], p[1], p[2], p[3]
    t_wall, t_air, t_floor = 10.0, 15.0, 14.0
    walls, airs, floors = [], [], []  # the states at the start of each step
    for _ in range(N_STEPS):
        walls.append(t_wall)
        airs.append(t_air)
        floors.append(t_floor)
        q_in = (t_air - t_wall) / r_in
        q_floor = (t_floor - t_air) / r_floor
        t_wall = t_wall + DT * (q_in - (t_wall - T_OUT) / r_out) / C_WALL
        t_air = t_air + DT * (gain * (T_SET - t_air) + q_floor - q_in) / C_AIR
        t_floor = t_floor + DT * (SOLAR - q_floor) / C_FLOOR
    airs.append(t_air)
    kw, ka, kf = DT / C_WALL, DT / C_AIR, DT / C_FLOOR
    b_wall = b_air = b_floor = 0.0  # adjoints of the states after step k
    g_out = g_in = g_floor = g_gain = 0.0
    for k in range(N_STEPS - 1, -1, -1):
        b_air += 2.0 * (airs[k + 1] - target[k]) / N_STEPS
        t_wall, t_air, t_floor = walls[k], airs[k], floors[k]
        b_in = kw * b_wall - ka * b_air  # adjoints of the fluxes q_in, q_out, q_floor, q_heat
        b_out = -kw * b_wall
        b_fl = ka * b_air - kf * b_floor
        b_heat = ka * b_air
        g_out -= b_out * (t_wall - T_OUT) / (r_out * r_out)
        g_in -= b_in * (t_air - t_wall) / (r_in * r_in)
        g_floor -= b_fl * (t_floor - t_air) / (r_floor * r_floor)
        g_gain += b_heat * (T_SET - t_air)
        b_wall, b_air, b_floor = (b_wall + b_out / r_out - b_in / r_in,
                                  b_air + b_in / r_in - b_fl / r_floor - gain * b_heat,
                                  b_floor + b_fl / r_floor)
    return np.array([g_out, g_in, g_floor, g_gain])


def thermal_args(rng: np.random.Generator, small: bool) -> tuple:
    p = np.array([rng.uniform(0.015, 0.03), rng.uniform(0.008, 0.012),
                  rng.uniform(0.008, 0.012), rng.uniform(50.0, 100.0)])
    target = 18.0 + rng.standard_normal(N_STEPS)
    return p, target


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
    Workload("softmax_labels", softmax_xent_labels, softmax_xent_labels_hand,
             softmax_labels_args, (0, 1),
             description="softmax cross-entropy, integer labels, batch 128, 10 classes"),
    Workload("rnn_50", rnn, rnn_hand, rnn_args, (0, 1), needs_control_flow=True,
             description="h = tanh(W h + U x[t]), 50 steps, hidden 32"),
    Workload("float_loop_100", float_loop, float_loop_hand, float_loop_args, (0, 1),
             needs_control_flow=True, description="100-step loop on Python floats"),
    Workload("float_scan_5000", float_scan, float_scan_list_hand, float_loop_args, (0, 1),
             needs_control_flow=True,
             description="5000-step loop on Python floats (hand: the states in a list)"),
    Workload("springs_euler", springs, springs_hand, springs_args, ("k", "x"),
             needs_control_flow=True,
             description="damped spring chain of 32, explicit Euler, 100 steps"),
    Workload("thermal_20", thermal, thermal_hand, thermal_args, 0, needs_control_flow=True,
             description="building with three thermal masses, 20 steps, module constants"),
]


# --- long loops, for the memory table (benchmarks/memory.py) ----------------------------------
#
# Their hand gradients are written for memory as much as for speed: the states
# the backward sweep needs go into one preallocated array, and the sums of
# outer products are taken a block of steps at a time from a small buffer.

SCAN_STEPS = 5000
BLOCK = 64  # steps whose outer products one matrix product sums


def rnn_lean_hand(W, U, h, xs):
    steps, n = xs.shape[0], h.shape[0]
    hs = np.empty((steps + 1, n))  # every state, in one array
    hs[0] = h
    for t in range(steps):
        np.tanh(W @ hs[t] + U @ xs[t], out=hs[t + 1])
    dW, dU = np.zeros_like(W), np.zeros_like(U)
    dz = np.empty((min(BLOCK, steps), n))  # dL/d(pre-activation) for one block of steps
    dh = 2.0 * hs[steps]
    for stop in range(steps, 0, -BLOCK):
        start = max(0, stop - BLOCK)
        for t in range(stop - 1, start - 1, -1):
            z = dz[t - start]
            np.multiply(hs[t + 1], hs[t + 1], out=z)
            np.subtract(1.0, z, out=z)
            z *= dh
            dh = z @ W
        rows = dz[: stop - start]
        dW += rows.T @ hs[start:stop]
        dU += rows.T @ xs[start:stop]
    return dW, dU


def rnn_sized(steps: int, n_hidden: int) -> Callable[[np.random.Generator, bool], tuple]:
    def make(rng: np.random.Generator, small: bool) -> tuple:
        t, n, n_in = (5, 3, 2) if small else (steps, n_hidden, 16)
        W = 0.9 * rng.standard_normal((n, n)) / np.sqrt(n)
        U = rng.standard_normal((n, n_in)) / np.sqrt(n_in)
        h = 0.1 * rng.standard_normal(n)
        xs = rng.standard_normal((t, n_in))
        return W, U, h, xs

    return make


def scan(a, x, drive):
    for t in range(drive.shape[0]):
        x = x + 0.01 * (np.sin(a * x) - 0.5 * x + drive[t])
    return np.sum(x * x)


def scan_hand(a, x, drive):
    steps = drive.shape[0]
    xs = np.empty((steps + 1,) + x.shape)  # every state, in one array
    xs[0] = x
    for t in range(steps):
        xs[t + 1] = xs[t] + 0.01 * (np.sin(a * xs[t]) - 0.5 * xs[t] + drive[t])
    dx = 2.0 * xs[steps]
    da = np.zeros_like(a)
    for t in range(steps - 1, -1, -1):
        c = 0.01 * np.cos(a * xs[t]) * dx  # dL/d(a x) at step t
        da += c * xs[t]
        dx *= 0.995  # 1 - 0.01 * 0.5
        dx += c * a
    return da, dx


def scan_args(n: int) -> Callable[[np.random.Generator, bool], tuple]:
    def make(rng: np.random.Generator, small: bool) -> tuple:
        steps, size = (4, 3) if small else (SCAN_STEPS, n)
        return (rng.uniform(0.5, 2.0, size), rng.uniform(-1.0, 1.0, size),
                0.1 * rng.standard_normal((steps, size)))

    return make


MEMORY_WORKLOADS: list[Workload] = [
    Workload("rnn_T2000_H256", rnn, rnn_lean_hand, rnn_sized(2000, 256), (0, 1),
             needs_control_flow=True, description="tanh RNN, 2000 steps, hidden 256"),
    Workload("rnn_T20000_H64", rnn, rnn_lean_hand, rnn_sized(20000, 64), (0, 1),
             needs_control_flow=True, description="tanh RNN, 20000 steps, hidden 64"),
    Workload("scan_vec_5000", scan, scan_hand, scan_args(64), (0, 1), needs_control_flow=True,
             description="x = x + 0.01 (sin(a x) - x/2 + d[t]), 5000 steps, 64 elements"),
    Workload("scan_float_5000", float_scan, float_scan_hand, float_loop_args, (0, 1),
             needs_control_flow=True, description="the same on Python floats, 5000 steps"),
]

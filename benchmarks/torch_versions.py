"""PyTorch eager translations of the workloads, for the runner's torch column.

After import (which needs ``torch``), ``TORCH_LOSSES`` maps a workload name
to a loss taking tensors in the workload's argument order (float64; a float
argument arrives as a 0-d tensor, an integer array as an int64 tensor) and
computing the same value as the NumPy ``f``, written as a PyTorch user would.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def poly(x):
    return torch.sum(3 * x**3 + 2 * x**2 + x)


def mlp(W1, b1, W2, b2, X, Y):
    H = torch.tanh(X @ W1 + b1)
    return torch.mean((H @ W2 + b2 - Y) ** 2)


def logreg(w, b, X, y):
    z = X @ w + b
    return torch.mean(torch.nn.functional.softplus(z, threshold=50.0) - y * z)


def softmax_xent(W, b, X, Y):
    logits = X @ W + b
    return -torch.mean(torch.sum(Y * torch.log_softmax(logits, dim=1), dim=1))


def softmax_xent_labels(W, b, X, labels):
    logp = torch.log_softmax(X @ W + b, dim=1)
    return -torch.mean(logp[torch.arange(X.shape[0]), labels])


def rnn(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = torch.tanh(W @ h + U @ xs[t])
    return torch.sum(h * h)


def float_loop(a, x):
    for _ in range(100):
        x = x + 0.05 * (torch.sin(a * x) - 0.5 * x)
    return x * x


def springs(k, x, v, target):
    zero = torch.zeros(1, dtype=x.dtype)
    for _ in range(100):
        ext = torch.cat((zero, x, zero))
        a = k * (ext[:-2] - 2.0 * x + ext[2:]) - 0.5 * v
        x = x + 0.01 * v
        v = v + 0.01 * a
    return torch.sum((x - target) ** 2)


def thermal(p, target):
    from workloads import C_AIR, C_FLOOR, C_WALL, DT, N_STEPS, SOLAR, T_OUT, T_SET

    r_out, r_in, r_floor, gain = p[0], p[1], p[2], p[3]
    t_wall, t_air, t_floor = 10.0, 15.0, 14.0
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


TORCH_LOSSES: dict[str, Callable[..., torch.Tensor]] = {
    "poly_n10": poly,
    "poly_n1e6": poly,
    "mlp_tanh": mlp,
    "logreg_bce": logreg,
    "softmax_xent": softmax_xent,
    "softmax_labels": softmax_xent_labels,
    "rnn_50": rnn,
    "float_loop_100": float_loop,
    "springs_euler": springs,
    "thermal_20": thermal,
}

"""NumPy programs with control flow, calls, containers and mutation.

Each ``CORPUS`` entry is ``(function, make_args, wrt, tags)``:

* ``function`` is plain NumPy/``math`` code, written as a numerical programmer
  would, returning a scalar;
* ``make_args()`` builds deterministic float64 inputs (fixed seeds) kept away
  from kinks and ties: no branch condition, loop exit or ``break`` flips when
  any input coordinate moves by 1e-4 (``test_corpus`` checks this by tracing
  the executed lines), so central finite differences are reliable;
* ``wrt`` is a parameter index or a tuple of them;
* ``tags`` names the features the program exercises (see ``REQUIRED_TAGS``).

Some functions appear twice with inputs that take different branches.
Programs that stop the gradient (``sx.no_grad``, ``sx.detach``) have an entry
in ``STOP_GRADIENT``: a hand-derived closed-form gradient and a "frozen"
surrogate in which the stopped values are constants, for finite differences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

import srcxform as sx

# ----------------------------------------------------------------------------
# branches


def leaky_penalty(x):
    s = 0.0
    for i in range(len(x)):
        if x[i] > 0:
            s += x[i] ** 2
        else:
            s += 0.1 * x[i]
    return s


def branch_on_sum(x):
    if np.sum(x) > 0:
        y = np.sin(x)
    else:
        y = np.cos(x)
    return np.sum(y * x)


def gated_scale(x, w):
    y = x * w
    if np.mean(x) > 0.2:
        y = y * 2.0
    return np.sum(y ** 2)


def smooth_step(t):
    if t < 0.0:
        y = 0.05 * t
    elif t < 1.0:
        y = 3.0 * t ** 2 - 2.0 * t ** 3
    else:
        y = 1.0 + 0.1 * (t - 1.0)
    return y * math.exp(0.5 * t)


def quadrant_energy(p, q):
    u = np.sum(p)
    v = np.sum(q)
    if u > 0:
        if v > 0:
            e = u * v
        else:
            e = u - v ** 2
    else:
        if v > 0.5:
            e = np.sin(u) * v
        else:
            e = u ** 2 + v
    return e + 0.1 * np.sum(p * q)


def sign_aware_scale(x):
    s = np.sum(x)
    scale = 2.0 if s > 0 else 0.5
    t = s if s > 1.0 else -s
    return scale * np.sum(x ** 2) + t


def trust_region_step(g, radius):
    n = np.sqrt(np.sum(g ** 2))
    if n > radius and not radius < 0.1:
        step = g * (radius / n)
    elif n < 0.5 * radius or np.max(g) < 0.0:
        step = 0.5 * g
    else:
        step = g
    return np.sum(step ** 2) + radius * np.sum(step)


def gain_or_default(x, gain):
    g = gain or 1.0  # a nonzero gain is used as given
    s = np.sum(x)
    pos = s > 0 and s  # the positive part of s
    return g * np.sum(x ** 2) + pos


def alternating_series(x):
    s = 0.0
    for i in range(len(x)):
        if i % 2 == 0:
            s += x[i] ** 2
        else:
            s -= np.sin(x[i])
    return s


def central_slope_energy(x):
    n = len(x)
    s = 0.0
    for i in range(n):
        if i == 0:
            d = x[1] - x[0]
        elif i == n - 1:
            d = x[n - 1] - x[n - 2]
        else:
            d = 0.5 * (x[i + 1] - x[i - 1])
        s += d ** 2
    return s


def clamp_update(x, lr):
    step = lr * np.cos(x)
    n = np.sum(step ** 2)
    if n > 1.0:
        step = step / np.sqrt(n)
    elif n < 0.01:
        step = step * 10.0
    return np.sum((x - step) ** 2)


def soft_saturation(x):
    s = 0.0
    for v in x:
        if v < -1.0:
            s += -1.0 + 0.1 * (v + 1.0)
        elif v < 1.0:
            s += v - v ** 3 / 3.0
        else:
            s += 2.0 / 3.0 + 0.1 * (v - 1.0)
    return s


# ----------------------------------------------------------------------------
# loops


def sum_squares(x):
    s = 0.0
    for i in range(len(x)):
        s += x[i] ** 2
    return s


def odd_pairs(x):
    s = 0.0
    for i in range(1, len(x), 2):
        s += x[i] * x[i - 1]
    return s


def horner(c, t):
    acc = 0.0
    for i in range(len(c) - 1, -1, -1):
        acc = acc * t + c[i]
    return acc


def row_loss(X, w):
    s = 0.0
    for row in X:
        s += np.tanh(row @ w) ** 2
    return s


def multi_scale(x):
    s = 0.0
    for scale in [0.5, 1.0, 2.0]:
        s += np.sum(np.sin(scale * x))
    return s


def tuple_of_arrays(a, b):
    s = 0.0
    for v in (a, b, a * b):
        s += np.sum(v ** 2)
    return s


def weighted_enumerate(x):
    s = 0.0
    for i, v in enumerate(x):
        s += (i + 1) * v ** 2
    return s


def zip_residuals(x, y):
    s = 0.0
    for a, b in zip(x, y):
        s += a * b + np.sin(a - b)
    return s


def explicit_matvec(A, x):
    s = 0.0
    for i in range(A.shape[0]):
        acc = 0.0
        for j in range(A.shape[1]):
            acc += A[i, j] * x[j]
        s += np.tanh(acc)
    return s


def pairwise_products(x):
    s = 0.0
    for i in range(len(x)):
        for j in range(i):
            s += x[i] * x[j]
    return s


def babylonian_sqrt(a):
    y = a
    k = 0
    while k < 6:
        y = 0.5 * (y + a / y)
        k += 1
    return y


def newton_sqrt(a):
    x = a
    step = 1.0
    k = 0
    while abs(step) > 1e-12 and k < 50:
        step = (x * x - a) / (2.0 * x)
        x -= step
        k += 1
    return x


def solve_cubic(c):
    z = 0.5 * c
    step = np.ones(len(c))
    k = 0
    while np.max(np.abs(step)) > 1e-12 and k < 50:
        step = (z ** 3 + z - c) / (3.0 * z ** 2 + 1.0)
        z = z - step
        k += 1
    return np.sum(z ** 2)


def accumulate_until(x):
    total = 0.0
    i = 0
    while i < len(x) and total < 2.5:
        total += x[i] ** 2
        i += 1
    return total * x[i - 1]


def sum_until_outlier(x):
    s = 0.0
    for i in range(len(x)):
        if abs(x[i]) > 1.5:
            break
        s += x[i] ** 2
    return s


def sqrt_of_positives(x):
    s = 0.0
    for v in x:
        if v < 0:
            continue
        s += np.sqrt(v)
    return s


def capped_dot(x, y):
    s = 0.0
    for i in range(len(x)):
        s += x[i] * y[i]
        if s > 1.0:
            if i > 1:
                break
    return s


def skip_and_stop(x):
    s = 0.0
    for i in range(len(x)):
        if i % 3 == 0:
            continue
        if x[i] > 2.0:
            break
        s += np.exp(0.5 * x[i])
    return s


def first_hit_per_row(A):
    s = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            if A[i, j] > 1.0:
                break
            s += A[i, j] ** 2
        s += 0.1 * A[i, 0]
    return s


def off_diagonal_energy(A):
    s = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            if i == j:
                continue
            s += A[i, j] ** 2
    return s


def shrink_until_small(x):
    y = x
    k = 0
    while True:
        y = 0.9 * np.sin(y)
        k += 1
        if np.max(np.abs(y)) < 0.3 or k >= 20:
            break
    return np.sum(y)


def safe_log_energy(x):
    e = np.sum(x ** 2)
    if e < 1e-3:
        return e
    return np.log(e)


def first_crossing(x):
    s = 0.0
    for i in range(len(x)):
        s += x[i]
        if s > 2.0:
            return s * x[i]
    return s


def huber(r, delta):
    a = abs(r)
    if a <= delta:
        return 0.5 * r * r
    return delta * (a - 0.5 * delta)


def branch_twice(x, c):
    # `m` exists only when the first branch ran; the second `if` reads it under the
    # same condition (its adjoint's zero on the other path must not read `m`)
    if c > 0:
        m = x * 2.0
    s = np.sum(x)
    if c > 0:
        s = s + np.sum(m * x)
    return s


def first_large_entry(A):
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            if A[i, j] > 1.2:
                return A[i, j] * (i + j + 1.0)
    return np.sum(A)


def loop_logsumexp(z):
    m = z[0]
    for v in z:
        if v > m:
            m = v
    s = 0.0
    for v in z:
        s += np.exp(v - m)
    return np.log(s) + m


def running_max_sum(x):
    best = x[0]
    s = best
    for v in x[1:]:
        best = max(best, v)
        s += best
    return s


def total_variation(x):
    s = 0.0
    for i in range(len(x) - 1):
        s += abs(x[i + 1] - x[i])
    return s


def triple_zip(x, y, z):
    s = 0.0
    for a, b, c in zip(x, y, z):
        s += a * np.cos(b) + c ** 2
    return s


def enumerate_from_one(x):
    s = 0.0
    for k, v in enumerate(x, 1):
        s += np.sin(v) / k
    return s


def two_layer_loop(x, W1, b1, W2, b2):
    h = x
    for W, b in [(W1, b1), (W2, b2)]:
        h = np.tanh(W @ h + b)
    return np.sum(h ** 2)


# ----------------------------------------------------------------------------
# accumulation patterns


def running_product(x):
    p = 1.0
    for v in x:
        p *= 1.0 + 0.1 * v
    return p


def rnn(W, U, b, xs):
    h = np.zeros(3)
    for x_t in xs:
        h = np.tanh(W @ h + U @ x_t + b)
    return np.sum(h ** 2)


def rnn_mean_output(W, xs):
    h = np.zeros(2)
    outs = []
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
        outs.append(np.sum(h))
    return sum(outs) / len(outs)


def inner_gradient_steps(x, A):
    z = x
    for _ in range(4):
        z = z - 0.1 * (A @ z - x)
    return np.sum(z ** 2)


def repeated_sine(x):
    for _ in range(5):
        x = np.sin(x)
    return np.sum(x)


def power_iteration(A, v):
    for _ in range(5):
        v = A @ v
        v = v / np.sqrt(np.sum(v ** 2))
    return v @ A @ v


def float_series(a, b):
    s = 0.0
    for k in range(1, 6):
        s += math.sin(k * a) / k + math.exp(-k * b)
    return s


def logistic_map(r, x0):
    x = x0
    for _ in range(6):
        x = r * x * (1.0 - x)
    return x


def fibonacci_like(a, b):
    for _ in range(5):
        a, b = b, a + 0.5 * b
    return a * b


def euler_decay(k, y0):
    y = y0
    dt = 0.1
    for n in range(10):
        y = y + dt * (-k * y + math.sin(n * dt))
    return y * y


def cumulative_energy(x, w):
    parts = []
    c = 0.0
    for v in x:
        c = c + v
        parts.append(c)
    s = 0.0
    for i in range(len(parts)):
        s += w[i] * parts[i] ** 2
    return s


# ----------------------------------------------------------------------------
# user functions, closures, globals


def _sq_norm(v):
    return np.sum(v * v)


def helper_reuse(x, y):
    return _sq_norm(x) + _sq_norm(x - y) + 0.5 * _sq_norm(np.sin(y))


def _softplus(z, beta=1.0):
    return np.log1p(np.exp(beta * z)) / beta


def helper_kwargs(x):
    return np.sum(_softplus(x) + _softplus(x, beta=2.0) + _softplus(beta=0.5, z=0.5 * x))


def _moments(v):
    m = np.mean(v)
    return m, np.mean((v - m) ** 2)


def helper_tuple(x):
    m, var = _moments(x)
    return m ** 2 + var + np.sum(x * m)


def _poly(coeffs, t):
    acc = 0.0
    for c in coeffs:
        acc = acc * t + c
    return acc


def helper_with_loop(c, x):
    return np.sum(_poly(c, x) ** 2)


def _huber_term(r, delta=1.0):
    if abs(r) <= delta:
        return 0.5 * r * r
    return delta * (abs(r) - 0.5 * delta)


def robust_fit(w, X, y):
    s = 0.0
    for row, t in zip(X, y):
        s += _huber_term(row @ w - t, delta=0.5)
    return s


def _rotate(u, v, theta):
    c = np.cos(theta)
    s = np.sin(theta)
    return c * u - s * v, s * u + c * v


def rotations(u, v, theta):
    for k in range(3):
        u, v = _rotate(u, v, theta * (k + 1))
    return np.sum(u * v) + np.sum(u)


def make_weighted_loss(weights):
    def weighted_loss(x):
        return np.sum(weights * np.tanh(x) ** 2)

    return weighted_loss


weighted_loss = make_weighted_loss(np.array([0.5, 1.0, 2.0, -0.3]))


def make_smoother(kernel):
    def smooth_energy(x):
        s = 0.0
        for i in range(len(x) - len(kernel) + 1):
            acc = 0.0
            for k in range(len(kernel)):
                acc += kernel[k] * x[i + k]
            s += acc ** 2
        return s

    return smooth_energy


smooth_energy = make_smoother(np.array([0.25, 0.5, 0.25]))

DECAY = 0.9
TARGET = np.array([0.5, -1.0, 0.25, 2.0])


def discounted_error(x):
    s = 0.0
    w = 1.0
    for i in range(len(x)):
        s += w * (x[i] - TARGET[i]) ** 2
        w *= DECAY
    return s


# ----------------------------------------------------------------------------
# containers


def pack_unpack(x, y):
    pair = (x * y, x + y)
    a, b = pair
    a, b = b, a
    return np.sum(a * b) + np.sum(pair[0])


def list_features(x):
    feats = []
    for i in range(len(x)):
        feats.append(np.sin(x[i]) * x[i])
    total = sum(feats)
    return total / len(feats) + feats[0] * feats[-1]


def layer_list(x, W1, W2):
    layers = [W1, W2]
    h = x
    for W in layers:
        h = np.tanh(W @ h)
    return np.sum(h) + np.sum(layers[0] ** 2)


def dict_params(x, w, b):
    p = {"w": w, "b": b}
    p["scale"] = 2.0 * w
    return np.sum((p["w"] * x + p["b"]) ** 2) + np.sum(p["scale"] * x)


def dict_activations(x, W):
    cache = {}
    cache["h1"] = np.tanh(W @ x)
    cache["h2"] = np.tanh(W @ cache["h1"])
    return np.sum(cache["h2"] ** 2) + np.sum(cache["h1"])


def dict_running_stats(x):
    stats = {"sum": 0.0, "sq": 0.0}
    for v in x:
        stats["sum"] += v
        stats["sq"] += v * v
    n = len(x)
    mean = stats["sum"] / n
    return stats["sq"] / n - mean ** 2


# ----------------------------------------------------------------------------
# mutation


def augmented_names(x, y):
    s = x * 2.0
    for k in range(3):
        s += y * k
        s *= 0.9
    s -= 1.0
    s /= 2.0
    return np.sum(s ** 2)


def elementwise_fill(x):
    out = np.zeros(len(x))
    for i in range(len(x)):
        out[i] = np.sin(x[i]) * x[i]
    return np.sum(out ** 2)


def overlapping_slices(x):
    out = np.zeros(6)
    out[0:3] += x
    out[2:5] += 2.0 * x
    out[3:6] += x ** 2
    return np.sum(out * np.arange(1.0, 7.0))


def overwrite_element(x):
    out = np.zeros(3)
    out[0] = x[0] ** 3
    out[0] = np.sin(x[1])  # the first value is dead: d/dx[0] is 0
    out[1] = x[2] * x[1]
    out[2] = out[0] + x[2]
    return np.sum(out ** 2)


def column_fill(x, w):
    feats = np.zeros((len(x), 2))
    feats[:, 0] = x
    feats[:, 1] = x ** 2
    return np.sum(np.tanh(feats @ w))


def laplacian_energy(x):
    lap = np.zeros(len(x))
    for i in range(1, len(x) - 1):
        lap[i] = x[i - 1] - 2.0 * x[i] + x[i + 1]
    return np.sum(lap ** 2)


def binned_energy(x):
    bins = np.zeros(3)
    for i in range(len(x)):
        bins[i % 3] += x[i] ** 2
    return np.sum(np.sqrt(bins + 1.0))


def iir_filter(x, alpha):
    y = np.zeros(len(x))
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = alpha * y[i - 1] + (1.0 - alpha) * x[i]
    return np.sum(y ** 2)


def leaky_fill(x):
    out = np.zeros(len(x))
    for i in range(len(x)):
        if x[i] > 0:
            out[i] = x[i]
        else:
            out[i] = 0.01 * x[i]
    return np.sum(out * np.cos(x))


def jacobi_sweeps(b):
    u = np.zeros(len(b))
    for _ in range(3):
        new = np.zeros(len(b))
        for i in range(len(b)):
            left = u[i - 1] if i > 0 else 0.0
            right = u[i + 1] if i < len(b) - 1 else 0.0
            new[i] = 0.5 * (left + right + b[i])
        u = new
    return np.sum(u ** 2)


def scaled_rows(X, s):
    out = np.zeros(X.shape)
    for i in range(X.shape[0]):
        out[i] = X[i] * s[i]
        out[i, 0] -= 0.5 * s[i]
    return np.sum(out ** 2)


# ----------------------------------------------------------------------------
# stopping the gradient


def no_grad_block(x):
    with sx.no_grad():
        c = x ** 3
    y3 = x ** 2 + c
    return np.sum(y3)


def no_grad_normalizer(x):
    with sx.no_grad():
        scale = np.sqrt(np.sum(x ** 2))
    u = x / scale
    return np.sum(u * x)


def no_grad_in_loop(x):
    s = 0.0
    for _ in range(3):
        with sx.no_grad():
            m = np.mean(x)  # a baseline, treated as a constant
        s += np.sum((x - m) ** 2)
        x = 0.5 * x
    return s


def no_grad_gate(x, w):
    with sx.no_grad():
        score = np.sum(w * x)
    if score > 0:
        return score * np.sum(w * x)
    return -np.sum(w * x)


def detach_expression(x):
    return np.sum(x ** 2 + sx.detach(x ** 3))


def detached_norm(x):
    n = sx.detach(np.sqrt(np.sum(x ** 2)))
    return np.sum((x / n) ** 3)


def detach_in_loop(x):
    y = x
    for _ in range(3):
        y = y * sx.detach(np.cos(y)) + 0.1 * x
    return np.sum(y)


# ----------------------------------------------------------------------------
# inputs


def _r(seed, *shape, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def _fixed(*values):
    return np.array(values, dtype=float)


CORPUS: list[tuple[Callable[..., Any], Callable[[], tuple], Any, frozenset[str]]] = []


def _add(fn, make, wrt, *tags):
    CORPUS.append((fn, make, wrt, frozenset(tags)))


_add(leaky_penalty, lambda: (_fixed(0.7, -0.4, 1.2, -1.1, 0.3),), 0,
     "for_range", "if_else", "branch_data", "accumulate")
_add(branch_on_sum, lambda: (_fixed(0.5, -0.2, 0.9),), 0, "if_else", "branch_data")
_add(branch_on_sum, lambda: (_fixed(-0.5, -0.2, 0.3),), 0, "if_else", "branch_data")
_add(gated_scale, lambda: (_fixed(0.5, 0.4, 0.1), _r(1, 3)), (0, 1), "if", "branch_data")
_add(gated_scale, lambda: (_fixed(-0.5, 0.4, 0.1), _r(2, 3)), (0, 1), "if", "branch_data")
_add(smooth_step, lambda: (-0.6,), 0, "if_elif_else", "float_arg", "math")
_add(smooth_step, lambda: (0.4,), 0, "if_elif_else", "float_arg", "math")
_add(smooth_step, lambda: (1.7,), 0, "if_elif_else", "float_arg", "math")
_add(quadrant_energy, lambda: (_fixed(0.4, 0.3), _fixed(0.2, 0.5)), (0, 1),
     "nested_if", "branch_data")
_add(quadrant_energy, lambda: (_fixed(0.4, 0.3), _fixed(-0.2, -0.5)), (0, 1),
     "nested_if", "branch_data")
_add(quadrant_energy, lambda: (_fixed(-0.4, 0.1), _fixed(0.6, 0.5)), (0, 1),
     "nested_if", "branch_data")
_add(quadrant_energy, lambda: (_fixed(-0.4, 0.1), _fixed(0.1, 0.2)), (0, 1),
     "nested_if", "branch_data")
_add(sign_aware_scale, lambda: (_fixed(0.9, 0.6, -0.2),), 0, "cond_expr", "branch_data")
_add(sign_aware_scale, lambda: (_fixed(-0.9, 0.4, -0.2),), 0, "cond_expr", "branch_data")
_add(trust_region_step, lambda: (_fixed(1.0, -0.5, 0.8), 0.7), (0, 1),
     "if_elif_else", "and", "not", "branch_data", "float_arg")
_add(trust_region_step, lambda: (_fixed(-0.1, 0.2, -0.1), 1.0), (0, 1),
     "if_elif_else", "or", "branch_data", "float_arg")
_add(trust_region_step, lambda: (_fixed(0.3, 0.35, 0.2), 0.6), (0, 1),
     "if_elif_else", "and", "or", "not", "branch_data", "float_arg")
_add(gain_or_default, lambda: (_fixed(0.4, 0.3, -0.2), 0.7), (0, 1),
     "bool_value", "and", "or", "float_arg")
_add(alternating_series, lambda: (_r(3, 5),), 0, "for_range", "branch_index", "if_else")
_add(central_slope_energy, lambda: (_r(4, 5),), 0, "for_range", "branch_index",
     "if_elif_else")
_add(clamp_update, lambda: (_r(5, 4), 0.8), (0, 1), "if_elif_else", "branch_data", "float_arg")
_add(clamp_update, lambda: (_r(6, 4), 0.03), (0, 1), "if_elif_else", "branch_data", "float_arg")
_add(soft_saturation, lambda: (_fixed(-1.6, -0.3, 0.5, 1.4),), 0,
     "for_array", "if_elif_else", "branch_data", "accumulate")

_add(sum_squares, lambda: (_r(7, 5),), 0, "for_range", "accumulate")
_add(odd_pairs, lambda: (_r(8, 6),), 0, "range_step", "accumulate")
_add(horner, lambda: (_r(9, 5), 0.7), (0, 1), "range_step", "recurrence", "float_arg")
_add(row_loss, lambda: (_r(10, 4, 3), _r(11, 3)), (0, 1), "for_array", "accumulate")
_add(multi_scale, lambda: (_r(12, 4),), 0, "for_list", "accumulate")
_add(tuple_of_arrays, lambda: (_r(13, 3), _r(14, 3)), (0, 1), "for_tuple", "accumulate")
_add(weighted_enumerate, lambda: (_r(15, 4),), 0, "enumerate", "accumulate")
_add(zip_residuals, lambda: (_r(16, 4), _r(17, 4)), (0, 1), "zip", "accumulate")
_add(explicit_matvec, lambda: (_r(18, 3, 4), _r(19, 4)), (0, 1), "nested_loops", "for_range")
_add(pairwise_products, lambda: (_r(20, 4),), 0, "nested_loops", "for_range")
_add(babylonian_sqrt, lambda: (2.0,), 0, "while_counter", "float_arg")
_add(newton_sqrt, lambda: (3.0,), 0, "while_data", "and", "float_arg")
_add(solve_cubic, lambda: (_fixed(0.5, 2.0, -1.5),), 0, "while_data", "and")
_add(accumulate_until, lambda: (_fixed(0.9, -1.1, 0.8, 0.7, 1.0),), 0, "while_data", "and")
_add(sum_until_outlier, lambda: (_fixed(0.3, -0.8, 1.1, 1.9, 0.2),), 0, "break", "for_range")
_add(sqrt_of_positives, lambda: (_fixed(0.3, -0.8, 1.1, -0.5, 0.2),), 0, "continue",
     "for_array")
_add(capped_dot, lambda: (_fixed(0.9, 0.8, 0.7, 0.6, 0.5), _fixed(1.0, 0.6, 0.5, 0.4, 0.3)),
     (0, 1), "break", "nested_if", "break_nested_if")
_add(skip_and_stop, lambda: (_fixed(0.5, 0.1, -0.7, 0.3, 2.6, 0.4),), 0,
     "continue", "break", "branch_index")
_add(first_hit_per_row, lambda: (_fixed(0.3, 1.4, 0.2, -0.5, 0.6, 0.7, 1.6, 0.1, 0.9)
                                 .reshape(3, 3),), 0, "break", "nested_loops")
_add(off_diagonal_energy, lambda: (_r(21, 3, 3),), 0, "continue", "nested_loops",
     "branch_index")
_add(shrink_until_small, lambda: (_fixed(0.9, -0.7, 0.5),), 0, "while_true", "break", "or")
_add(safe_log_energy, lambda: (_fixed(0.01, -0.02, 0.015),), 0, "early_return")
_add(safe_log_energy, lambda: (_r(22, 4),), 0, "early_return")
_add(first_crossing, lambda: (_fixed(0.9, 0.8, 0.7, 0.6),), 0, "return_in_loop",
     "early_return")
_add(first_crossing, lambda: (_fixed(0.9, -0.8, 0.7, 0.6),), 0, "return_in_loop")
_add(huber, lambda: (0.3, 1.0), (0, 1), "several_returns", "float_arg")
_add(huber, lambda: (-1.7, 1.0), (0, 1), "several_returns", "float_arg")
_add(branch_twice, lambda: (_r(41, 3), 1.0), 0, "branches")
_add(branch_twice, lambda: (_r(42, 3), -1.0), 0, "branches")
_add(first_large_entry, lambda: (_fixed(0.2, 0.5, 1.4, -0.3, 0.1, 0.6).reshape(2, 3),), 0,
     "return_in_loop", "nested_loops")
_add(first_large_entry, lambda: (_r(23, 2, 3),), 0, "return_in_loop", "nested_loops")
_add(loop_logsumexp, lambda: (_fixed(0.3, 1.2, -0.5, 0.8),), 0, "for_array", "if")
_add(running_max_sum, lambda: (_fixed(0.1, 0.5, 0.3, 0.9, -0.2),), 0, "for_array", "builtins")
_add(total_variation, lambda: (_fixed(0.1, 0.5, 0.3, 0.9, -0.2),), 0, "for_range",
     "builtins")
_add(triple_zip, lambda: (_r(24, 3), _r(25, 3), _r(26, 3)), (0, 1, 2), "zip")
_add(enumerate_from_one, lambda: (_r(27, 4),), 0, "enumerate")
_add(two_layer_loop, lambda: (_r(28, 3), _r(29, 4, 3), _r(30, 4), _r(31, 2, 4), _r(32, 2)),
     (0, 1, 2, 3, 4), "for_list", "tuple_unpack")

_add(running_product, lambda: (_r(33, 5),), 0, "running_product", "for_array")
_add(rnn, lambda: (0.5 * _r(34, 3, 3), _r(35, 3, 2), _r(36, 3), _r(37, 4, 2)), (0, 1, 2),
     "rnn", "recurrence", "for_array")
_add(rnn_mean_output, lambda: (_r(38, 2, 2), _r(39, 4, 2)), (0, 1),
     "rnn", "list_append", "builtin_sum", "len")
_add(inner_gradient_steps, lambda: (_r(40, 3), np.eye(3) + 0.2 * _r(41, 3, 3)), (0, 1),
     "loop_carried_array")
_add(repeated_sine, lambda: (_r(42, 4),), 0, "overwrite_in_loop")
_add(power_iteration, lambda: (np.diag([3.0, 1.0, 0.5]) + 0.1 * _r(43, 3, 3), _r(44, 3)),
     (0, 1), "loop_carried_array")
_add(float_series, lambda: (0.7, 0.4), (0, 1), "math", "float_arg", "accumulate")
_add(logistic_map, lambda: (2.5, 0.3), (0, 1), "recurrence", "float_arg")
_add(fibonacci_like, lambda: (0.7, 1.1), (0, 1), "tuple_swap", "float_arg")
_add(euler_decay, lambda: (0.8, 1.5), (0, 1), "math", "recurrence", "float_arg")
_add(cumulative_energy, lambda: (_r(45, 4), _r(46, 4)), (0, 1),
     "list_append", "list_index", "len")

_add(helper_reuse, lambda: (_r(47, 3), _r(48, 3)), (0, 1), "helper")
_add(helper_kwargs, lambda: (_r(49, 4),), 0, "helper", "helper_kwargs")
_add(helper_tuple, lambda: (_r(50, 4),), 0, "helper", "helper_tuple")
_add(helper_with_loop, lambda: (_r(51, 3), _r(52, 4)), (0, 1), "helper", "helper_loop")
_add(robust_fit, lambda: (_fixed(0.5, -0.3), _fixed(0.9, 0.1, -0.4, 0.8, 0.3, 0.5).reshape(3, 2),
                          _fixed(0.2, 1.3, -0.6)), (0, 1, 2),
     "helper", "helper_kwargs", "several_returns", "zip")
_add(rotations, lambda: (_r(53, 3), _r(54, 3), 0.4), (0, 1, 2), "helper", "helper_tuple",
     "tuple_unpack", "float_arg")
_add(weighted_loss, lambda: (_r(55, 4),), 0, "closure")
_add(smooth_energy, lambda: (_r(56, 6),), 0, "closure", "nested_loops")
_add(discounted_error, lambda: (_r(57, 4),), 0, "globals", "augassign")

_add(pack_unpack, lambda: (_r(58, 3), _r(59, 3)), (0, 1), "tuple", "tuple_unpack",
     "tuple_swap")
_add(list_features, lambda: (_r(60, 4),), 0, "list_append", "list_index", "builtin_sum",
     "len")
_add(layer_list, lambda: (_r(61, 3), _r(62, 3, 3), _r(63, 2, 3)), (0, 1, 2),
     "list_literal", "list_index", "for_list")
_add(dict_params, lambda: (_r(64, 3), _r(65, 3), _r(66, 3)), (0, 1, 2),
     "dict_literal", "dict_write", "dict_read")
_add(dict_activations, lambda: (_r(67, 3), _r(68, 3, 3)), (0, 1), "dict_empty", "dict_write",
     "dict_read")
_add(dict_running_stats, lambda: (_r(69, 5),), 0, "dict_literal", "subscript_augassign",
     "for_array")

_add(augmented_names, lambda: (_r(70, 3), _r(71, 3)), (0, 1), "augassign", "for_range")
_add(elementwise_fill, lambda: (_r(72, 4),), 0, "array_write", "for_range")
_add(overlapping_slices, lambda: (_r(73, 3),), 0, "slice_augassign", "array_write")
_add(overwrite_element, lambda: (_r(74, 3),), 0, "overwrite_element", "array_write")
_add(column_fill, lambda: (_r(75, 4), _r(76, 2)), (0, 1), "column_write", "array_write")
_add(laplacian_energy, lambda: (_r(77, 5),), 0, "array_write", "for_range")
_add(binned_energy, lambda: (_r(78, 7),), 0, "subscript_augassign", "array_write")
_add(iir_filter, lambda: (_r(79, 5), 0.6), (0, 1), "array_write", "recurrence", "float_arg")
_add(leaky_fill, lambda: (_fixed(0.7, -0.4, 1.2, -1.1),), 0, "array_write", "if_else",
     "branch_data")
_add(jacobi_sweeps, lambda: (_r(80, 4),), 0, "array_write", "double_buffer", "cond_expr",
     "branch_index", "nested_loops")
_add(scaled_rows, lambda: (_r(81, 3, 2), _r(82, 3)), (0, 1), "array_write",
     "subscript_augassign")

_add(no_grad_block, lambda: (_r(83, 4),), 0, "no_grad")
_add(no_grad_normalizer, lambda: (_r(84, 4),), 0, "no_grad")
_add(no_grad_in_loop, lambda: (_r(85, 4),), 0, "no_grad", "for_range", "overwrite_in_loop")
_add(no_grad_gate, lambda: (_fixed(0.5, 0.7, -0.2), _fixed(0.9, 0.4, 0.3)), (0, 1),
     "no_grad", "branch_data", "early_return")
_add(no_grad_gate, lambda: (_fixed(-0.5, 0.7, -0.2), _fixed(0.9, 0.4, 0.3)), (0, 1),
     "no_grad", "branch_data", "early_return")
_add(detach_expression, lambda: (_r(86, 4),), 0, "detach")
_add(detached_norm, lambda: (_r(87, 4),), 0, "detach")
_add(detach_in_loop, lambda: (_r(88, 3),), 0, "detach", "overwrite_in_loop")


# ----------------------------------------------------------------------------
# metadata

#: Every feature the brief asks for must be named by at least one entry.
REQUIRED_TAGS = frozenset({
    "if", "if_else", "if_elif_else", "nested_if", "cond_expr", "and", "or", "not",
    "bool_value", "branch_data", "branch_index",
    "for_range", "range_step", "for_array", "for_list", "for_tuple", "enumerate", "zip",
    "nested_loops", "while_counter", "while_data", "while_true", "break", "continue",
    "break_nested_if", "early_return", "return_in_loop", "several_returns",
    "accumulate", "running_product", "recurrence", "rnn", "loop_carried_array",
    "overwrite_in_loop", "math",
    "helper", "helper_kwargs", "helper_tuple", "helper_loop", "closure", "globals",
    "tuple", "tuple_unpack", "tuple_swap", "list_append", "list_index", "builtin_sum",
    "len", "dict_literal", "dict_empty", "dict_write", "dict_read",
    "augassign", "subscript_augassign", "array_write", "slice_augassign",
    "overwrite_element", "column_write",
    "no_grad", "detach",
})


@dataclass(frozen=True)
class StopGradient:
    """What a program that stops the gradient must differentiate to.

    ``expected(*args)`` is the hand-derived gradient (a tuple, one per ``wrt``);
    ``frozen(live, base)`` is the program with every stopped value computed
    from ``base`` (a constant) and everything else from ``live``: its finite
    differences at ``live == base`` are the gradient too.
    """

    expected: Callable[..., tuple]
    frozen: Callable[[tuple, tuple], float]


def _no_grad_in_loop_expected(x):
    # s = sum_k sum((x/2^k - m_k)^2) with m_k = mean(x/2^k) held constant, so
    # ds/dx = sum_k 2 (x/2^k - m_k) / 2^k.
    g = np.zeros_like(x)
    for k in range(3):
        xk = x / 2.0 ** k
        g += 2.0 * (xk - np.mean(xk)) / 2.0 ** k
    return (g,)


def _no_grad_in_loop_frozen(live, base):
    (x,), (x0,) = live, base
    s = 0.0
    for k in range(3):
        s += np.sum((x / 2.0 ** k - np.mean(x0 / 2.0 ** k)) ** 2)
    return s


def _detach_in_loop_expected(x):
    # y_{k+1} = y_k * c_k + 0.1 x with c_k = cos(y_k) held constant:
    # dy_{k+1}/dx = c_k dy_k/dx + 0.1, starting from dy_0/dx = 1 (elementwise).
    y, dy = x, np.ones_like(x)
    for _ in range(3):
        c = np.cos(y)
        y, dy = y * c + 0.1 * x, c * dy + 0.1
    return (dy,)


def _detach_in_loop_frozen(live, base):
    (x,), (x0,) = live, base
    y, y0 = x, x0
    for _ in range(3):
        c = np.cos(y0)
        y, y0 = y * c + 0.1 * x, y0 * c + 0.1 * x0
    return np.sum(y)


STOP_GRADIENT: dict[str, StopGradient] = {
    # sum(x^2 + c) with c = x^3 stopped: d/dx = 2x.
    "no_grad_block": StopGradient(
        expected=lambda x: (2.0 * x,),
        frozen=lambda live, base: np.sum(live[0] ** 2 + base[0] ** 3)),
    # sum(x * x) / scale with scale = |x| stopped: d/dx = 2x / |x|.
    "no_grad_normalizer": StopGradient(
        expected=lambda x: (2.0 * x / np.sqrt(np.sum(x ** 2)),),
        frozen=lambda live, base: np.sum(live[0] ** 2) / np.sqrt(np.sum(base[0] ** 2))),
    "no_grad_in_loop": StopGradient(_no_grad_in_loop_expected, _no_grad_in_loop_frozen),
    # score = w.x stopped.  score > 0: score * (w.x) -> (score w, score x);
    # otherwise -(w.x) -> (-w, -x).
    "no_grad_gate": StopGradient(
        expected=lambda x, w: ((np.sum(w * x) * w, np.sum(w * x) * x) if np.sum(w * x) > 0
                               else (-w, -x)),
        frozen=lambda live, base: (np.sum(base[0] * base[1]) * np.sum(live[0] * live[1])
                                   if np.sum(base[0] * base[1]) > 0
                                   else -np.sum(live[0] * live[1]))),
    # sum(x^2 + detach(x^3)): d/dx = 2x.
    "detach_expression": StopGradient(
        expected=lambda x: (2.0 * x,),
        frozen=lambda live, base: np.sum(live[0] ** 2 + base[0] ** 3)),
    # sum((x / n)^3) with n = |x| stopped: d/dx = 3 (x/n)^2 / n.
    "detached_norm": StopGradient(
        expected=lambda x: (3.0 * (x / np.sqrt(np.sum(x ** 2))) ** 2
                            / np.sqrt(np.sum(x ** 2)),),
        frozen=lambda live, base: np.sum((live[0] / np.sqrt(np.sum(base[0] ** 2))) ** 3)),
    "detach_in_loop": StopGradient(_detach_in_loop_expected, _detach_in_loop_frozen),
}

#: Programs autograd cannot check, with the reason.
NOT_FOR_AUTOGRAD: dict[str, str] = {
    name: "sx.no_grad() has no autograd equivalent (a no-op stand-in would give the "
          "unstopped gradient); checked against the hand-derived gradient instead"
    for name in ("no_grad_block", "no_grad_normalizer", "no_grad_in_loop", "no_grad_gate")
}
NOT_FOR_AUTOGRAD["augmented_names"] = (
    "`s += y * k` updates an ndarray the function created in place; autograd cannot trace "
    "an in-place update of a plain array by a traced value")


def program_id(fn: Callable[..., Any]) -> str:
    """A readable name: ``f`` or ``factory.f`` for a closure."""
    return fn.__qualname__.replace("<locals>.", "")


def corpus_ids() -> list[str]:
    """One id per CORPUS entry; repeated functions get ``-2``, ``-3``, …"""
    seen: dict[str, int] = {}
    ids = []
    for fn, _, _, _ in CORPUS:
        name = program_id(fn)
        seen[name] = seen.get(name, 0) + 1
        ids.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return ids

"""Programs that write through an alias or a view, as users write them (tests/test_alias_writes.py).

Each ``*_functional`` twin computes the same function without any in-place
write, so HIPS autograd (which cannot run writes into arrays) can differentiate
it as an oracle independent of srcxform.
"""

import numpy as np


def ident(v):
    return v


def head(v):
    return v[0:2]


def scale_into(v, s):
    v *= s
    return v


def euler_through_alias(x):
    h = x.copy()
    state = h  # the integrator updates `state`; the caller reads `h`
    for _ in range(3):
        state += 0.1 * np.tanh(state)
    return np.sum(h * x)


def euler_through_alias_functional(x):
    h = x * 1.0
    for _ in range(3):
        h = h + 0.1 * np.tanh(h)
    return np.sum(h * x)


def buffer_view_accumulated(x):
    buf = np.zeros(5)
    head_ = buf[0:3]
    for k in range(2):
        head_ += x * (k + 1.0)
    return np.sum(buf * buf) + np.sum(np.sin(head_))


def buffer_view_accumulated_functional(x):
    head_ = 3.0 * x
    return np.sum(head_ * head_) + np.sum(np.sin(head_))


def halve_through_transpose(W):
    W2 = W.copy()
    W_view = W2.T
    W_view *= 0.5
    return np.sum(W2 * W) + np.sum(W_view[0])


def halve_through_transpose_functional(W):
    W2 = 0.5 * W
    return np.sum(W2 * W) + np.sum(W2.T[0])


def grid_through_reshape(x):
    flat = np.zeros(6)
    grid = flat.reshape(2, 3)
    grid += np.outer(np.array([1.0, -2.0]), x)
    grid *= x
    return np.sum(flat * np.arange(6.0)) + np.sum(grid[1] ** 2)


def grid_through_reshape_functional(x):
    grid = np.outer(np.array([1.0, -2.0]), x) * x
    return np.sum(grid.reshape(6) * np.arange(6.0)) + np.sum(grid[1] ** 2)


def row_view_update(x):
    P = np.zeros((2, 3))
    r = P[1]
    r += x
    r *= x
    col = P[:, 2]
    col -= 0.5
    return np.sum(P * P) + r[0]


def row_view_update_functional(x):
    r = x * x
    P = np.stack([np.array([0.0, 0.0, -0.5]), r - np.array([0.0, 0.0, 0.5])])
    return np.sum(P * P) + r[0]


def element_write_seen_through_alias_and_view(x):
    b = x.copy()
    g = ident(b)
    tail = b[1:]
    q = np.sum(g * g)  # read before the write: the tape keeps it
    b[0] = x[1] * 3.0
    b[2] = q
    return np.sum(g * x) + np.sum(tail * tail)


def element_write_seen_through_alias_and_view_functional(x):
    q = np.sum(x * x)
    b = np.array([x[1] * 3.0, x[1], q])
    return np.sum(b * x) + np.sum(b[1:] * b[1:])


def helper_view_and_helper_scale(x, s):
    b = x.copy()
    h = head(b)
    h += x[1:3]
    c = scale_into(b, s)
    return np.sum(b * x) + np.sum(h) + c[2]


def helper_view_and_helper_scale_functional(x, s):
    b = np.concatenate([x[0:2] + x[1:3], x[2:]]) * s
    return np.sum(b * x) + np.sum(b[0:2]) + b[2]


def alias_updated_after_a_read(x):
    y = x * x[0]
    z = y
    q = np.sum(z * y)  # read before: the backward sweep needs the old values
    z += np.sin(x)
    z *= q
    return np.sum(y * x) + q


def alias_updated_after_a_read_functional(x):
    y = x * x[0]
    q = np.sum(y * y)
    y = (y + np.sin(x)) * q
    return np.sum(y * x) + q


def number_or_array_indexed(x):  # x[0]: a number fails in Python; served for arrays
    y = x * 1.0
    z = y
    z += x * x[0]
    return np.sum(y * x)


# -- left refused ------------------------------------------------------------------------


def argument_through_alias(x):
    z = x
    z += 1.0
    return np.sum(x * x)


def branch_dependent_alias(x, c):
    y = x.copy()
    w = x * 2.0
    if c > 0:
        z = y
    else:
        z = w
    z += x
    return np.sum(y * w)


def view_of_a_view(x):
    y = x.copy()
    v = y[1:]
    w = v[0:2]
    w += x[0:2]
    return np.sum(y * x)


def list_holding_the_array(x):
    y = x.copy()
    keep = [y]
    z = y
    z += x
    return np.sum(keep[0] * x)


def number_or_array(x):  # x may be a number or an array: served for numbers as today
    y = x * 1.0
    z = y
    z += x
    return np.sum(y * x)


def alias_chosen_before_a_break(x):
    y = x.copy()
    w = x * x[0]
    z = y
    for k in range(3):
        z = w  # on the path through the break, z is w, not y
        if k == 1:
            break
        z = y
    z += x
    return np.sum(y * x) + np.sum(w * w)

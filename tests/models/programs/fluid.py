"""A tiny smoke simulation (semi-Lagrangian advection, Jacobi pressure projection).

Helpers write into arrays they create; a plotting procedure returns nothing.
"""

import numpy as np


def plot_matrix(ax, mat, t):
    if ax is not None:
        ax.matshow(mat)
        ax.set_title(f"step {t}")


def divergence(vx, vy):
    div = np.zeros(vx.shape)
    div[1:-1, 1:-1] = -0.5 * (vx[2:, 1:-1] - vx[:-2, 1:-1] + vy[1:-1, 2:] - vy[1:-1, :-2])
    return div


def project(vx, vy, iterations=4):
    div = divergence(vx, vy)
    p = np.zeros(vx.shape)
    for _ in range(iterations):
        p_new = np.zeros(vx.shape)
        p_new[1:-1, 1:-1] = (div[1:-1, 1:-1] + p[2:, 1:-1] + p[:-2, 1:-1]
                             + p[1:-1, 2:] + p[1:-1, :-2]) / 4.0
        p = p_new
    vx = vx - 0.5 * (np.roll(p, -1, axis=0) - np.roll(p, 1, axis=0))
    vy = vy - 0.5 * (np.roll(p, -1, axis=1) - np.roll(p, 1, axis=1))
    return vx, vy


def advect(f, vx, vy):
    rows, cols = f.shape
    cell_xs, cell_ys = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    center_xs = (cell_xs - vx).ravel()
    center_ys = (cell_ys - vy).ravel()
    left = np.floor(center_xs).astype(int)
    top = np.floor(center_ys).astype(int)
    rw = center_xs - left
    bw = center_ys - top
    left = np.mod(left, rows)
    right = np.mod(left + 1, rows)
    top = np.mod(top, cols)
    bottom = np.mod(top + 1, cols)
    flat = ((1 - rw) * ((1 - bw) * f[left, top] + bw * f[left, bottom])
            + rw * ((1 - bw) * f[right, top] + bw * f[right, bottom]))
    return np.reshape(flat, (rows, cols))


def simulate(vx, vy, smoke, num_steps, ax=None):
    for t in range(num_steps):
        plot_matrix(ax, smoke, t)
        vx_new = advect(vx, vx, vy)
        vy_new = advect(vy, vx, vy)
        vx, vy = project(vx_new, vy_new)
        smoke = advect(smoke, vx, vy)
    return smoke


def initial_smoke(n):
    smoke = np.zeros((n, n))
    smoke[1:3, 1:4] = 1.0
    return smoke


TARGET = np.zeros((5, 5))
TARGET[2:4, 2:4] = 1.0


def objective(velocities):
    vx = np.reshape(velocities[:25], (5, 5))
    vy = np.reshape(velocities[25:], (5, 5))
    final = simulate(vx, vy, initial_smoke(5), 2)
    return np.mean((final - TARGET) ** 2)


def corpus_entry():
    rs = np.random.RandomState(21)
    return objective, (0.3 * rs.randn(50),)

"""A damped wave on a string: helpers fill arrays and lists they create."""

import numpy as np


def laplacian(u):
    out = np.zeros_like(u)
    out[1:-1] = u[2:] - 2 * u[1:-1] + u[:-2]
    out[0] = u[1] - 2 * u[0]
    out[-1] = u[-2] - 2 * u[-1]
    return out


def log_energy(ax, u, v):
    if ax is not None:
        ax.plot(u)
        ax.set_title(f"energy {0.5 * np.sum(v ** 2 + u ** 2):.3f}")


def rollout(u, v, stiffness, damping, dt, num_steps, ax=None):
    states = []
    for _ in range(num_steps):
        acc = stiffness * laplacian(u) - damping * v
        v = v + dt * acc
        u = u + dt * v
        log_energy(ax, u, v)
        states.append(u)
    return states


def trajectory_loss(params, u0, target):
    stiffness, damping = params[0], params[1]
    states = rollout(u0, np.zeros_like(u0), stiffness, damping, 0.1, 6)
    return sum(np.sum((u - target) ** 2) for u in states) / len(states)


def corpus_entry():
    u0 = np.sin(np.linspace(0, np.pi, 6))
    target = 0.5 * np.sin(np.linspace(0, np.pi, 6))
    return trajectory_loss, (np.array([1.5, 0.3]), u0, target)

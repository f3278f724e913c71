"""A small 2-D fluid simulation written as a user would: about a hundred lines.

After import, :func:`fluid` is a loss (the squared distance of a smoke
density field from a target after ``STEPS`` steps, plus smoothness and energy
terms) of the initial velocity ``(u, v)``, the density ``dens`` and the
viscosity ``nu``, on a periodic grid; ``fluid_args`` builds its arguments.
Every step advects (central differences), diffuses (an explicit Laplacian),
adds buoyancy from the density and a temperature field, adds vorticity
confinement, damps a sponge layer, and projects the velocity towards zero
divergence with a few Jacobi sweeps of a pressure equation; then advects and
diffuses the density and the temperature.  Neighbours are read with slices
and ``np.concatenate`` (no ``np.roll``), through small helper functions, so
the transform has helpers to inline, tuples to return, and loops in loops.
It is the transform-time benchmark's "fluid" row.
"""

from __future__ import annotations

import numpy as np

STEPS = 4  # time steps
JACOBI = 4  # pressure sweeps per step
DT = 0.1
KAPPA = 0.01  # the diffusivity of density and temperature
T_AMBIENT = 20.0
COOLING = 0.05
VORTICITY = 0.3  # the strength of vorticity confinement
SPONGE = 0.2  # damping at the edges


def north(q):
    return np.concatenate((q[-1:, :], q[:-1, :]), axis=0)


def south(q):
    return np.concatenate((q[1:, :], q[:1, :]), axis=0)


def west(q):
    return np.concatenate((q[:, -1:], q[:, :-1]), axis=1)


def east(q):
    return np.concatenate((q[:, 1:], q[:, :1]), axis=1)


def laplacian(q):
    return north(q) + south(q) + west(q) + east(q) - 4.0 * q


def ddx(q):
    return 0.5 * (east(q) - west(q))


def ddy(q):
    return 0.5 * (south(q) - north(q))


def advect(q, u, v, dt):
    flux_x = u * ddx(q)
    flux_y = v * ddy(q)
    return q - dt * (flux_x + flux_y)


def diffuse(q, nu, dt):
    return q + nu * dt * laplacian(q)


def divergence(u, v):
    return ddx(u) + ddy(v)


def project(u, v):
    div = divergence(u, v)
    p = 0.0 * div
    for _ in range(JACOBI):
        neighbours = north(p) + south(p) + west(p) + east(p)
        p = 0.25 * (neighbours - div)
    u_new = u - ddx(p)
    v_new = v - ddy(p)
    return u_new, v_new


def buoyancy(v, dens, temp, dt):
    lift = 0.5 * dens + 0.2 * (temp - T_AMBIENT)
    drag = 0.1 * v
    return v + dt * (lift - drag)


def curl(u, v):
    return ddx(v) - ddy(u)


def confinement(u, v, eps, dt):
    w = curl(u, v)
    magnitude = np.sqrt(w * w + 1e-6)
    gx = ddx(magnitude)
    gy = ddy(magnitude)
    norm = np.sqrt(gx * gx + gy * gy + 1e-6)
    nx = gx / norm
    ny = gy / norm
    fu = eps * ny * w
    fv = -eps * nx * w
    return u + dt * fu, v + dt * fv


def sponge(q, mask):
    return q * (1.0 - SPONGE * mask)


def step(u, v, dens, temp, nu, mask):
    u_adv = advect(u, u, v, DT)
    v_adv = advect(v, u, v, DT)
    u_visc = diffuse(u_adv, nu, DT)
    v_visc = diffuse(v_adv, nu, DT)
    v_lift = buoyancy(v_visc, dens, temp, DT)
    u_conf, v_conf = confinement(u_visc, v_lift, VORTICITY, DT)
    u_damp = sponge(u_conf, mask)
    v_damp = sponge(v_conf, mask)
    u_free, v_free = project(u_damp, v_damp)
    dens_adv = advect(dens, u_free, v_free, DT)
    dens_new = diffuse(dens_adv, KAPPA, DT)
    temp_adv = advect(temp, u_free, v_free, DT)
    temp_new = diffuse(temp_adv, KAPPA, DT)
    cooled = temp_new - DT * COOLING * (temp_new - T_AMBIENT)
    return u_free, v_free, dens_new, cooled


def kinetic_energy(u, v):
    return 0.5 * np.sum(u * u + v * v)


def edge_mask(q):
    rows = np.linspace(-1.0, 1.0, q.shape[0])
    cols = np.linspace(-1.0, 1.0, q.shape[1])
    return np.maximum(np.abs(rows)[:, None], np.abs(cols)[None, :]) ** 8


def fluid(u, v, dens, nu, target):
    mask = edge_mask(dens)
    temp = T_AMBIENT + 2.0 * dens
    for _ in range(STEPS):
        u, v, dens, temp = step(u, v, dens, temp, nu, mask)
    miss = dens - target
    smooth = ddx(dens) ** 2 + ddy(dens) ** 2
    energy = kinetic_energy(u, v)
    enstrophy = np.sum(curl(u, v) ** 2)
    heat = np.mean(temp)
    return (np.sum(miss * miss) + 0.01 * np.sum(smooth) + 0.001 * energy
            + 0.001 * enstrophy + 0.01 * heat)


def fluid_args(rng: np.random.Generator, n: int = 16) -> tuple:
    """Velocity, density, viscosity and target on an ``n`` x ``n`` grid."""
    u = 0.1 * rng.standard_normal((n, n))
    v = 0.1 * rng.standard_normal((n, n))
    dens = rng.uniform(0.0, 1.0, (n, n))
    target = rng.uniform(0.0, 1.0, (n, n))
    return u, v, dens, 0.05, target

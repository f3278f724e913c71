"""``sx.hessian``, ``sx.hvp`` and ``sx.grad(sx.grad(f))``: forward mode over generated gradients.

For every corpus program whose first differentiated argument has at most
``MAX_SIZE`` elements, ``sx.hessian(f, wrt=i)`` must match central differences
of ``sx.grad(f, wrt=i)`` and HIPS autograd's ``hessian`` (where autograd can run
the program), with shape ``x.shape + x.shape``.  A tuple ``wrt`` gives the
blocks ``H[i][j]``; ``sx.hvp`` is ``H @ v``; ``grad(grad(f))`` of scalar
functions of a float matches the analytic second derivative and autograd.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import srcxform as sx
from tests.helpers import jacobian_difference, second_difference
from tests.transforms.common import ENTRIES, assert_close, like, rng_for

MAX_SIZE = 12

#: Programs whose generated gradient forward mode cannot read yet (a clear TransformError).
UNSUPPORTED = {
}


def _params(entries, *, autograd=False):
    out = []
    for e in entries:
        marks = []
        if e.name in UNSUPPORTED:
            marks.append(pytest.mark.xfail(strict=True, raises=sx.TransformError,
                                           reason=UNSUPPORTED[e.name]))
        elif autograd and (e.autograd_reason or e.frozen is not None):
            marks.append(pytest.mark.skip(reason="autograd cannot run this program "
                                                 f"({e.autograd_reason or 'stop-gradient'})"))
        out.append(pytest.param(e, id=e.name, marks=marks))
    return out


SMALL = [e for e in ENTRIES if np.size(e.make()[e.wrt[0]]) <= MAX_SIZE]


def _fd_of_grad(f, args, i, eps=1e-6):
    """Central differences of ``sx.grad(f, wrt=i)``: shape ``x.shape + x.shape``."""
    return jacobian_difference(sx.grad(f, wrt=i), args, i, eps)


def _frozen_second_differences(entry, args, i, eps=1e-4):
    """The Hessian of the stop-gradient surrogate (stopped values fixed at ``args``)."""
    base = tuple(args)
    return second_difference(lambda *live: entry.frozen(tuple(live), base), args, i, eps)


@pytest.mark.parametrize("entry", _params(SMALL))
def test_hessian_matches_differences_of_grad(entry):
    """For programs that stop the gradient, the stopped values stay constant to second order:
    the reference is the Hessian of the frozen surrogate, not differences of ``sx.grad``."""
    args = entry.make()
    i = entry.wrt[0]
    H = sx.hessian(entry.f, wrt=i)(*args)
    shape = np.shape(args[i]) * 2
    assert np.shape(H) == shape
    if isinstance(args[i], float):
        assert isinstance(H, float)
    if entry.frozen is None:
        assert_close(H, _fd_of_grad(entry.f, args, i), rtol=1e-5, atol=1e-6,
                     what=f"hessian of {entry.name} wrt {i} vs differences of sx.grad")
    else:
        assert_close(H, _frozen_second_differences(entry, args, i), rtol=1e-4, atol=1e-5,
                     what=f"hessian of {entry.name} wrt {i} vs second differences of the "
                          f"frozen surrogate")


@pytest.mark.parametrize("entry", _params(SMALL, autograd=True))
def test_hessian_matches_autograd(entry):
    autograd = pytest.importorskip("autograd")
    args = entry.make()
    i = entry.wrt[0]
    H = sx.hessian(entry.f, wrt=i)(*args)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Output seems independent of input")
        ref = autograd.hessian(entry.autograd_fn(), i)(*args)
    assert_close(H, np.reshape(ref, np.shape(H)), rtol=1e-8, atol=1e-10,
                 what=f"hessian of {entry.name} wrt {i} vs autograd")


def test_hessian_is_symmetric_on_the_corpus():
    for e in SMALL:
        if e.name in UNSUPPORTED:
            continue
        args = e.make()
        H = np.asarray(sx.hessian(e.f, wrt=e.wrt[0])(*args))
        n = int(np.size(args[e.wrt[0]]))
        M = H.reshape(n, n)
        np.testing.assert_allclose(M, M.T, rtol=1e-9, atol=1e-10, err_msg=e.name)


TUPLE_CASES = ["tanh_layer", "broadcasting", "power_ops", "gated_scale", "quadrant_energy",
               "trust_region_step", "horner", "rotations", "iir_filter", "dict_params"]


@pytest.mark.parametrize("name", TUPLE_CASES)
def test_hessian_blocks_for_tuple_wrt(name):
    autograd = pytest.importorskip("autograd")
    entry = next(e for e in ENTRIES if e.name == name)
    args = entry.make()
    blocks = sx.hessian(entry.f, wrt=entry.wrt)(*args)
    assert isinstance(blocks, tuple) and len(blocks) == len(entry.wrt)
    fa = entry.autograd_fn()
    for r, i in enumerate(entry.wrt):
        assert isinstance(blocks[r], tuple) and len(blocks[r]) == len(entry.wrt)
        for c, j in enumerate(entry.wrt):
            block = blocks[r][c]
            assert np.shape(block) == np.shape(args[i]) + np.shape(args[j])
            ref = autograd.jacobian(autograd.grad(fa, i), j)(*args)
            assert_close(block, np.reshape(ref, np.shape(block)), rtol=1e-8, atol=1e-10,
                         what=f"{name}: block d2f/d{i}d{j} vs autograd")
    single = sx.hessian(entry.f, wrt=entry.wrt[0])(*args)
    assert_close(blocks[0][0], single, rtol=1e-12, atol=1e-14, what="block (0, 0)")


HVP_CASES = ["poly", "tanh_layer", "unary_zoo", "leaky_penalty", "rnn", "power_iteration",
             "jacobi_sweeps", "elementwise_fill", "first_crossing", "sum_squares"]


@pytest.mark.parametrize("name", HVP_CASES)
def test_hvp_matches_autograd(name):
    autograd = pytest.importorskip("autograd")
    entry = next(e for e in ENTRIES if e.name == name)
    args = entry.make()
    i = entry.wrt[0]
    v = like(args[i], rng_for("hvp" + name))
    tangents = tuple(v if k == i else None for k in range(len(args)))
    got = sx.hvp(entry.f, args, tangents, wrt=i)
    x = args[i]
    H = np.reshape(autograd.hessian(entry.autograd_fn(), i)(*args), (np.size(x), np.size(x)))
    ref = (H @ np.ravel(v)).reshape(np.shape(x))
    assert_close(got, ref, rtol=1e-8, atol=1e-10, what=f"hvp of {name} vs autograd")


def test_hvp_with_a_tuple_wrt_is_the_tangent_of_each_gradient():
    entry = next(e for e in ENTRIES if e.name == "tanh_layer")
    x, W = entry.make()
    rng = rng_for("hvp-tuple")
    tx, tW = like(x, rng), like(W, rng)
    gx, gW = sx.hvp(entry.f, (x, W), (tx, tW), wrt=(0, 1))
    blocks = sx.hessian(entry.f, wrt=(0, 1))(x, W)
    ex = blocks[0][0] @ tx + np.tensordot(blocks[0][1], tW, 2)
    eW = np.tensordot(blocks[1][0], tx, 1) + np.tensordot(blocks[1][1], tW, 2)
    assert_close(gx, ex, rtol=1e-10, atol=1e-12, what="d grad_x")
    assert_close(gW, eW, rtol=1e-10, atol=1e-12, what="d grad_W")


# -- grad of grad -----------------------------------------------------------------------

def sin_cube(x):
    return math.sin(x) * x ** 3


def sin_cube_second(x):
    return -math.sin(x) * x ** 3 + 6 * math.cos(x) * x ** 2 + 6 * x * math.sin(x)


def looped(x):
    s = x
    for _ in range(3):
        s = math.sin(s) * x + 0.5 * s
    return s


def branched(x):
    if x > 0.5:
        return x ** 4
    return math.exp(2.0 * x)


def test_grad_of_grad_analytic():
    for x in (0.7, -1.3, 2.1):
        assert_close(sx.grad(sx.grad(sin_cube))(x), sin_cube_second(x), rtol=1e-10,
                     atol=1e-12, what=f"d2/dx2 sin(x) x^3 at {x}")
    assert_close(sx.grad(sx.grad(branched))(0.7), 12 * 0.7 ** 2, rtol=1e-10, atol=0,
                 what="x^4 branch")
    assert_close(sx.grad(sx.grad(branched))(0.2), 4 * math.exp(0.4), rtol=1e-10, atol=0,
                 what="exp(2x) branch")


def test_grad_of_grad_with_a_loop_matches_autograd():
    pytest.importorskip("autograd")
    for x in (0.7, -0.4):
        assert_close(sx.grad(sx.grad(looped))(x), _autograd_second(looped, x), rtol=1e-9,
                     atol=1e-12, what=f"grad(grad(looped))({x})")


def _autograd_second(f, x):
    import autograd

    from tests.control_flow.oracles import for_autograd

    return autograd.grad(autograd.grad(for_autograd(f)))(x)


FLOAT_ENTRIES = [e for e in ENTRIES if isinstance(e.make()[e.wrt[0]], float)]
GRAD_GRAD_BUGS: dict[str, str] = {}


@pytest.mark.parametrize("entry", [
    pytest.param(e, id=e.name, marks=[pytest.mark.xfail(
        strict=True, raises=UnboundLocalError, reason=GRAD_GRAD_BUGS[e.name])]
        if e.name in GRAD_GRAD_BUGS else []) for e in FLOAT_ENTRIES])
def test_grad_of_grad_matches_hessian_on_float_programs(entry):
    args = entry.make()
    i = entry.wrt[0]
    second = sx.grad(sx.grad(entry.f, wrt=i), wrt=i)(*args)
    assert_close(second, sx.hessian(entry.f, wrt=i)(*args), rtol=1e-9, atol=1e-12,
                 what=f"grad(grad({entry.name}))")
    assert_close(second, _fd_of_grad(entry.f, args, i), rtol=1e-5, atol=1e-6,
                 what=f"grad(grad({entry.name})) vs differences of grad")

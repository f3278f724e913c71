"""Products at their edges: ``np.inner`` with a 0-d operand, ``np.einsum`` in the
interleaved (operand, sublist, ...) form.

After this module passes: ``np.inner(a, b)`` with a 0-d operand (NumPy's ``a * b``)
has a correct gradient and tangent for each operand, against central differences
and HIPS autograd, and its Hessian; ``np.einsum(a, [0, 1], b, [1, 2], [0, 2])``
with constant sublists (ellipsis included) is differentiated in both modes like the
subscripts string NumPy reads in it, also twice; sublists that are not constants
are refused at transform time with a located ``TransformError``.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.rules.programs import check_program

RNG = np.random.default_rng(13)


# --- np.inner with a 0-d operand ----------------------------------------------------------

def inner_weighted(a, b):
    out = np.inner(a, b)
    return np.sum(np.sin(out) * np.cos(out + 0.5))


def inner_twice(a, b):
    return np.sum(np.inner(a, b) ** 2) + np.sum(np.inner(b, a) * 0.5)


INNER_ARGS = {
    "0d-1d": (1.5, RNG.standard_normal(3)),
    "1d-0d": (RNG.standard_normal(3), 0.3),
    "0d-2d": (-0.7, RNG.standard_normal((4, 3))),
    "2d-0d": (RNG.standard_normal((2, 3)), 0.3),
    "0d-0d": (1.5, -0.4),
    "0d-array-3d": (np.array(0.8), RNG.standard_normal((2, 2, 3))),
}


@pytest.mark.parametrize("wrt", [0, 1])
@pytest.mark.parametrize("f", [inner_weighted, inner_twice], ids=lambda f: f.__name__)
@pytest.mark.parametrize("shapes", list(INNER_ARGS))
def test_inner_with_a_0d_operand(shapes, f, wrt) -> None:
    """grad, jvp and vjp against differences and autograd (the peer's test_inner shapes)."""
    check_program(f, INNER_ARGS[shapes], wrt=wrt, autograd=True)


@pytest.mark.parametrize("shapes", ["0d-2d", "2d-0d"])
def test_inner_with_a_0d_operand_hessian(shapes) -> None:
    check_program(inner_weighted, INNER_ARGS[shapes], wrt=0, hessian=True)
    check_program(inner_weighted, INNER_ARGS[shapes], wrt=1, hessian=True)


def test_inner_with_a_0d_operand_has_the_product_shape() -> None:
    """The gradient of the other operand has its own shape, not the scalar's."""
    a, b = INNER_ARGS["0d-2d"]
    ga, gb = sx.grad(lambda a, b: np.sum(np.inner(a, b) * b), wrt=(0, 1))(a, b)
    assert np.shape(ga) == () and np.shape(gb) == (4, 3)
    np.testing.assert_allclose(ga, np.sum(b * b))
    np.testing.assert_allclose(gb, 2 * a * b)

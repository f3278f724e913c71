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
from tests.helpers import central_difference
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


# --- np.einsum in the interleaved form ------------------------------------------------------

IDX = (0, 1)
A23, B34, B234 = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4)), \
    RNG.standard_normal((2, 3, 4))
C344, D443 = RNG.standard_normal((3, 4, 4)), RNG.standard_normal((4, 4, 3))


def matmul_lists(a, b):
    return np.sum(np.sin(np.einsum(a, [0, 1], b, [1, 2], [0, 2])) * np.arange(4.0))


def matmul_implicit_tuples(a, b):
    return np.sum(np.einsum(a, (0, 1), b, (1, 2)) ** 2)


def broadcast_ellipsis(a, b):
    return np.sum(np.einsum(a, [Ellipsis, 0, 1], b, [..., 1, 2], [..., 0, 2]) ** 2)


def three_operands(a, b):  # the peer's test_einsum2_three_args
    return np.sum(np.einsum(a, (0, 1, 2), b, (3, 1, 0), b, (3, 3, 0), (3, 2, 0)) ** 2)


def sublists_bound_once(a, b):
    s = [0, 1]
    t = (1, 27)
    return np.sum(np.einsum(a, s, b, t, [27, 0]) ** 2) + np.sum(np.einsum(a, IDX) ** 3)


def single_operand(a, b):
    return np.sum(np.einsum(a, [1, 0]) ** 2) * np.sum(np.einsum(b, [0, 1], [1]))


#: (f, args, whether HIPS autograd has it: it needs an output sublist, no repeated label)
EINSUMS = [
    (matmul_lists, (A23, B34), True), (matmul_implicit_tuples, (A23, B34), False),
    (broadcast_ellipsis, (RNG.standard_normal((2, 2, 3)), B234), True),
    (three_operands, (C344, D443), False), (sublists_bound_once, (A23, B34), False),
    (single_operand, (A23, B34), False),
]


@pytest.mark.parametrize("wrt", [0, 1])
@pytest.mark.parametrize(("f", "args", "ag"), EINSUMS, ids=[f.__name__ for f, _, _ in EINSUMS])
def test_einsum_interleaved(f, args, ag, wrt) -> None:
    """grad, jvp and vjp against differences and autograd (NumPy's definition: the
    subscripts string the sublists spell)."""
    check_program(f, args, wrt=wrt, autograd=ag)


@pytest.mark.parametrize(("f", "args", "ag"), EINSUMS[:4],
                         ids=[f.__name__ for f, _, _ in EINSUMS[:4]])
def test_einsum_interleaved_hessian(f, args, ag) -> None:
    check_program(f, args, wrt=0, hessian=True)
    check_program(f, args, wrt=1, hessian=True)


def test_einsum_interleaved_grad_of_grad() -> None:
    def f(x):
        return np.sum(np.einsum(A23 + x * A23 ** 2, [0, 1], B34, [1, 2], [0, 2]) ** 2)

    first = sx.grad(f)
    numeric = central_difference(first, (0.1,), (1.0,), 1e-5)
    second = sx.grad(sx.grad(f))(0.1)
    assert abs(second - numeric) <= 1e-6 * max(1.0, abs(numeric)), (second, numeric)


def test_einsum_interleaved_reads_as_its_subscripts() -> None:
    src = sx.source(sx.grad(matmul_lists))
    assert "np.einsum('ab,bc->ac', a, b)" in src and "[0, 1]" not in src.split("#")[0]


def sublists_as_arguments(a, b, s, t):
    return np.sum(np.einsum(a, s, b, t) ** 2)


def test_einsum_interleaved_with_variable_sublists_is_refused_located() -> None:
    """The form cannot be read at transform time: differentiating the operand in the
    subscripts slot is refused, where the call is, in both modes."""
    args = (A23, B34, [0, 1], [1, 2])
    with pytest.raises(sx.TransformError, match="interleaved form") as err:
        sx.grad(sublists_as_arguments)(*args)
    assert "test_product_edges.py:" in str(err.value)
    with pytest.raises(sx.TransformError, match="interleaved form"):
        sx.jvp(sublists_as_arguments, args, (A23, None, None, None))


def test_einsum_interleaved_with_a_variable_sublist_among_constants_is_refused() -> None:
    def f(a, b, t):
        return np.sum(np.einsum(a, [0, 1], b, t) ** 2)

    with pytest.raises(sx.TransformError, match="cannot read at transform time") as err:
        sx.grad(f, wrt=1)(A23, B34, [1, 2])
    assert "test_product_edges.py:" in str(err.value)


def test_einsum_sublist_labels_out_of_range_are_refused() -> None:
    def f(a, b):
        return np.sum(np.einsum(a, [0, 52], b, [52, 2]))

    with pytest.raises(sx.TransformError, match=r"label 52 is not in \[0, 52\)"):
        sx.grad(f)(A23, B34)


def test_einsum_interleaved_with_variable_sublists_other_operands() -> None:
    """Operands after the first get their gradient when the sublists are known only at run
    time (the rule reads them): grad, jvp and hessian against the subscripts string's,
    which the tests above check against differences."""
    def spelled(a, b):
        return np.sum(np.einsum("ab,bc->ac", a, b) ** 2)

    args = (A23, B34, [0, 1], [1, 2])
    np.testing.assert_allclose(sx.grad(sublists_as_arguments, wrt=1)(*args),
                               sx.grad(spelled, wrt=1)(A23, B34), rtol=1e-12)
    np.testing.assert_allclose(sx.hessian(sublists_as_arguments, wrt=1)(*args),
                               sx.hessian(spelled, wrt=1)(A23, B34), rtol=1e-12)
    _, jt = sx.jvp(sublists_as_arguments, args, (None, A23.T @ A23 @ B34, None, None))
    np.testing.assert_allclose(jt, sx.jvp(spelled, (A23, B34), (None, A23.T @ A23 @ B34))[1],
                               rtol=1e-12)
    got = sx.grad(sublists_as_arguments, wrt=1)(A23, B34, [Ellipsis, 1], [1, 5])
    want = sx.grad(lambda a, b: np.sum(np.einsum("...b,bf", a, b) ** 2), wrt=1)(A23, B34)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    check_program(spelled, (A23, B34), wrt=1, hessian=True)

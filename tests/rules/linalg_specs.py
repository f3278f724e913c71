"""Input specs of the matrix rules (products, ``np.linalg``), for ``linalg_check``.

After import, ``LINALG_SPECS`` maps each primitive (keyed as in
``tests/test_rules_table.py``: ``("function", fn)`` or ``("method", name)``) to
its cases: several shapes including stacks, both orders of matrix arguments,
every ``ord``/``axis``/``keepdims`` of ``norm``, and the inputs each function
needs to be differentiable (SPD, distinct eigenvalues or singular values).
"""

from __future__ import annotations

import numpy as np

from srcxform.rules.decompositions import LinalgDerivativeError, eigen_gaps
from tests.rules.linalg_check import M, c


def N(*shape: int) -> M:
    return M(shape)


def INV(*shape: int) -> M:
    return M(shape, "invertible")


def SPD(*shape: int) -> M:
    return M(shape, "spd")


def SYM(*shape: int) -> M:
    return M(shape, "sym")


def SV(*shape: int) -> M:
    return M(shape, "sv")


def EIG(*shape: int) -> M:
    return M(shape, "eig")


SQUARE = [(3, 3), (1, 1), (2, 3, 3), (2, 2, 4, 4)]

NORM_VECTOR_ORDS = [None, 2, 1, 3, 4, 0.5, -1, -2, np.inf, -np.inf, 0]
NORM_MATRIX_ORDS = [None, "fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf]


def norm_cases() -> list:
    cases = []
    for ord in NORM_VECTOR_ORDS:
        kind = M((5,), "uniform", 0.3, 2.0) if ord in (0.5, -1, -2) else SV(1, 5)
        if kind.kind == "sv":
            kind = M((5,), "normal")
        cases.append(c(kind, ord))
        cases.append(c(N(3, 4), ord, axis=1))
        cases.append(c(N(2, 3, 4), ord, axis=-2, keepdims=True))
        cases.append(c(N(3, 4), ord, axis=(0,)))
    for ord in NORM_MATRIX_ORDS:
        cases.append(c(SV(3, 4), ord))
        cases.append(c(SV(4, 3), ord, keepdims=True))
        cases.append(c(SV(2, 3, 4), ord, axis=(1, 2)))
        cases.append(c(M((3, 2, 4), "sv"), ord, axis=(0, 2)))
        cases.append(c(M((3, 2, 4), "sv"), ord, axis=(2, 0), keepdims=True))
    cases += [c(N(2, 3, 4)), c(N(2, 3, 4), keepdims=True), c(N()), c(N(3, 4), axis=(0, 1))]
    return cases


LINALG_SPECS: dict = {
    ("function", np.linalg.inv): [c(INV(*s)) for s in SQUARE],
    ("function", np.linalg.det): [c(INV(*s)) for s in SQUARE] + [c(N(4, 4))],
    ("function", np.linalg.slogdet): [c(INV(*s)) for s in SQUARE] + [c(N(4, 4))],
    ("function", np.linalg.solve): [
        c(INV(3, 3), N(3)), c(INV(3, 3), N(3, 2)), c(INV(2, 3, 3), N(3)),
        c(INV(2, 3, 3), N(2, 3, 1)), c(INV(2, 3, 3), N(3, 4)), c(INV(3, 3), N(2, 3, 2)),
        c(INV(1, 3, 3), N(2, 3, 2)), c(INV(4, 4), N(4, 4)),
    ],
    ("function", np.linalg.cholesky): [c(SPD(*s)) for s in SQUARE] + [c(SPD(4, 4), upper=True)],
    ("function", np.linalg.eigh): [c(SYM(*s)) for s in SQUARE] + [c(SYM(4, 4), "U")],
    ("function", np.linalg.eigvalsh): [c(SYM(*s)) for s in SQUARE] + [c(SYM(3, 3), UPLO="U")],
    ("function", np.linalg.eig): [c(EIG(*s)) for s in SQUARE] + [
        c(np.array([[0.0, -1.0], [1.0, 0.0]]), wrt=(0,), raises=LinalgDerivativeError)],
    ("function", np.linalg.svd): [
        c(SV(3, 5), full_matrices=False), c(SV(5, 3), full_matrices=False), c(SV(4, 4)),
        c(SV(2, 3, 5), full_matrices=False), c(SV(2, 4, 3), full_matrices=False),
        c(SV(2, 3, 3)), c(SV(1, 1)),
        c(SV(3, 5), compute_uv=False), c(SV(2, 5, 3), False, False), c(SV(4, 4), compute_uv=False),
        c(SV(3, 5), raises=LinalgDerivativeError),
    ],
    ("function", np.linalg.qr): [
        c(SV(5, 3)), c(SV(4, 4)), c(SV(2, 5, 3)), c(SV(5, 3), mode="r"),
        c(SV(4, 4), "complete"), c(SV(3, 5), raises=LinalgDerivativeError),
        c(SV(5, 3), mode="complete", raises=LinalgDerivativeError),
    ],
    ("function", np.linalg.pinv): [c(SV(3, 5)), c(SV(5, 3)), c(SV(4, 4)), c(SV(2, 3, 4))],
    ("function", np.linalg.matrix_power): [
        c(N(3, 3) , 3), c(N(3, 3), 1), c(N(3, 3), 0), c(INV(3, 3), -2), c(N(2, 3, 3), 2),
        c(INV(2, 3, 3), -1),
    ],
    ("function", np.linalg.norm): norm_cases(),
    ("function", eigen_gaps): [c(M((4,), "uniform", 0.0, 3.0)), c(M((2, 3), "uniform", 0.0, 3.0))],
}

EINSUM = [
    "ij,jk->ik", "ij,jk", "ij,kj->ik", "i,i->", "i,i", "i,j->ij", "ij->ji", "ij->", "ij", "ii->",
    "ii", "ii->i", "iij->ij", "ij,ij->ij", "ij,ij->i", "...ij,...jk->...ik", "...ij,jk",
    "bij,bjk->bik", "ijk,jil->kl", "i,ij,j->", "ij,jk,kl->il", "ab,bc,cd,de->ae", "i->",
    "ij->j", "iij,jk->ik", "...i,...i->...", "ba,Ab", "i...->...",
]
EINSUM_SHAPES = {
    "ij,jk->ik": [(2, 3), (3, 4)], "ij,jk": [(2, 3), (3, 4)], "ij,kj->ik": [(2, 3), (4, 3)],
    "i,i->": [(4,), (4,)], "i,i": [(4,), (4,)], "i,j->ij": [(3,), (2,)], "ij->ji": [(2, 3)],
    "ij->": [(2, 3)], "ij": [(2, 3)], "ii->": [(3, 3)], "ii": [(3, 3)], "ii->i": [(3, 3)],
    "iij->ij": [(3, 3, 2)], "ij,ij->ij": [(2, 3), (2, 3)], "ij,ij->i": [(2, 3), (2, 3)],
    "...ij,...jk->...ik": [(2, 2, 3), (1, 3, 2)], "...ij,jk": [(4, 2, 3), (3, 2)],
    "bij,bjk->bik": [(2, 2, 3), (2, 3, 2)], "ijk,jil->kl": [(2, 3, 2), (3, 2, 2)],
    "i,ij,j->": [(2,), (2, 3), (3,)], "ij,jk,kl->il": [(2, 3), (3, 2), (2, 2)],
    "ab,bc,cd,de->ae": [(2, 2), (2, 3), (3, 2), (2, 2)], "i->": [(5,)], "ij->j": [(2, 3)],
    "iij,jk->ik": [(2, 2, 3), (3, 2)], "...i,...i->...": [(2, 3), (3,)], "ba,Ab": [(2, 3), (4, 2)],
    "i...->...": [(3, 2, 2)],
}

PRODUCT_SPECS: dict = {
    ("function", np.vdot): [c(N(4), N(4)), c(N(2, 3), N(3, 2)), c(N(2, 2), N(4))],
    ("function", np.swapaxes): [c(N(2, 3), 0, 1), c(N(2, 3, 4), -1, -2), c(N(2, 3, 4), 0, 2)],
    ("method", "swapaxes"): [c(N(2, 3, 4), 1, 2), c(N(2, 3), -1, 0)],
    ("function", np.cross): [
        c(N(3), N(3)), c(N(4, 3), N(3)), c(N(3), N(2, 3)), c(N(2, 4, 3), N(4, 3)),
        c(N(3, 4), N(3, 4), axis=0), c(N(3, 2), N(2, 3), axisa=0, axisb=1, axisc=0),
        c(N(2), N(2), raises=NotImplementedError),
    ],
    ("function", np.kron): [
        c(N(2, 3), N(3, 2)), c(N(3, 2), N(2, 3)), c(N(3), N(2)), c(N(2), N(2, 3)),
        c(N(2, 3), N(2)), c(N(2, 1, 2), N(2, 2)),
    ],
    ("function", np.tensordot): [
        c(N(2, 3, 4), N(3, 4, 2)), c(N(2, 3), N(3, 4), 1), c(N(2, 3), N(4, 5), 0),
        c(N(2, 3, 4), N(4, 3, 2), ([1, 2], [1, 0])), c(N(2, 3, 4), N(2, 5), (0, 0)),
        c(N(3, 4), N(4, 3), axes=([0, 1], [1, 0])), c(N(2, 3, 4), N(4, 2), ([-1, 0], [0, 1])),
    ],
    ("function", np.einsum): [c(spec, *(N(*sh) for sh in EINSUM_SHAPES[spec])) for spec in EINSUM]
    + [c("ij,jk->ik", N(2, 3), N(3, 4), optimize=True),
       # the interleaved form as the rule meets it when the sublists are known only at run
       # time (constant sublists become a subscripts string: compiler/einsum_forms.py);
       # the first operand, in the subscripts slot, is not differentiated by the rule
       c(N(2, 2), [1, 0], N(2, 3), [0, 2], wrt=(2,)),
       c(N(2, 3), [Ellipsis, 0], N(3, 4), [0, 5], N(4), [5], [Ellipsis], wrt=(2, 4))],
    ("function", np.linalg.multi_dot): [
        c([N(2, 3), N(3, 4)]), c([N(2, 3), N(3, 4), N(4, 2)]), c([N(3), N(3, 4), N(4)]),
        c([N(3), N(3, 2), N(2, 2)]), c([N(2, 3), N(3, 2), N(2)]),
    ],
}
LINALG_SPECS.update(PRODUCT_SPECS)

"""The peer's systematic checks (``tests/rules/peer_checks.py``): all of the linear
algebra, a CI-sized sample of the rest.

After this module passes: every single check of the peer's ``tests/test_numpy.py``
passes in both modes; every check of ``kron``, ``inner``, ``tensordot``, ``einsum``
(both forms: subscripts string and interleaved sublists) and ``cross`` (187 checks)
passes in both modes; and for every other peer test of ``tests/test_systematic.py``
(the NumPy part), its first real combination and its first complex one pass in
reverse and forward mode, or
(complex values through a function that is not holomorphic) are refused with
an error, never answered with a number; the known gaps are strict xfails that
say why.  The whole enumeration (1,333 checks, about half a minute to a minute and
a half on the 2-core machine, depending on its load) is
``python -m tests.rules.peer_checks``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tests.rules import peer_checks

#: complex values through these are refused in reverse mode (not holomorphic)
NOT_HOLOMORPHIC = {"test_abs", "test_absolute", "test_real", "test_real_ic", "test_imag",
                   "test_conj", "test_angle", "test_var", "test_std", "test_sign"}
#: ... and in forward mode too (real, imag and conj are real-linear: their tangents are exact)
# (np.sign(z) = z/|z| of a complex z is refused in both modes: compiler/complexsteps.py)
NOT_HOLOMORPHIC_FORWARD = {"test_abs", "test_absolute", "test_angle", "test_var", "test_std",
                           "test_sign"}

KNOWN: dict[tuple[str, bool], str] = {}


def _sample() -> list:
    seen: set = set()
    params = []
    for check in peer_checks.checks():
        if any(name in check.call for name in peer_checks.LINALG):
            continue  # the linear-algebra part runs whole (test_peer_linalg_check)
        key = (check.test, check.complex)
        if key in seen:
            continue
        seen.add(key)
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN[key])] if key in KNOWN else []
        params.append(pytest.param(check, marks=marks,
                                   id=f"{check.test}{'-complex' if check.complex else ''}"))
    return params


SAMPLE = _sample()


@pytest.fixture(scope="module")
def module():
    return peer_checks._module([p.values[0] for p in SAMPLE])


SINGLE = peer_checks.numpy_checks()


@pytest.fixture(scope="module")
def single_module():
    return peer_checks._module(SINGLE)


@pytest.mark.parametrize("i", range(len(SINGLE)), ids=[f"{c.test}-{i}" for i, c in
                                                         enumerate(SINGLE)])
def test_peer_single_check(i: int, single_module) -> None:
    """Every single check of the peer's tests/test_numpy.py passes in both modes."""
    check = SINGLE[i]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        assert peer_checks.run_reverse(single_module, i, check) == "pass"
        assert peer_checks.run_forward(single_module, i, check) == "pass"


@pytest.mark.parametrize("check", SAMPLE)
def test_peer_check(check: peer_checks.Check, module) -> None:
    i = [p.values[0] for p in SAMPLE].index(check)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        rev = peer_checks.run_reverse(module, i, check)
        fwd = peer_checks.run_forward(module, i, check)
    refused = check.complex and check.test in NOT_HOLOMORPHIC
    assert rev == ("refused" if refused else "pass"), f"reverse: {rev}"
    refused = check.complex and check.test in NOT_HOLOMORPHIC_FORWARD
    assert fwd == ("refused" if refused else "pass"), f"forward: {fwd}"


LINALG_CHECKS = [check for check in peer_checks.checks()
                 if any(name in check.call for name in peer_checks.LINALG)]


@pytest.fixture(scope="module")
def linalg_module():
    return peer_checks._module(LINALG_CHECKS)


@pytest.mark.parametrize("i", range(len(LINALG_CHECKS)),
                         ids=[f"{c.test}-{i}" for i, c in enumerate(LINALG_CHECKS)])
def test_peer_linalg_check(i: int, linalg_module) -> None:
    """Every check of the linear-algebra part passes in both modes (none is complex)."""
    check = LINALG_CHECKS[i]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        rev = peer_checks.run_reverse(linalg_module, i, check)
        fwd = peer_checks.run_forward(linalg_module, i, check)
    assert (rev, fwd) == ("pass", "pass"), f"{check.call}: reverse {rev}, forward {fwd}"


def test_the_linalg_part_is_whole() -> None:
    """The part has every function and both einsum forms (the interleaved form's
    constants renamed apart: peer_checks._renamed)."""
    tests = {check.test for check in LINALG_CHECKS}
    assert len(LINALG_CHECKS) == 187
    assert {"test_kron", "test_inner", "test_tensordot_5", "test_einsum_three_args",
            "test_einsum2_matmult_broadcast", "test_einsum2_three_args",
            "test_cross"} <= tests
    assert not any(check.complex for check in LINALG_CHECKS)

"""A CI-sized sample of the peer's systematic checks (``tests/rules/peer_checks.py``).

After this module passes: every single check of the peer's ``tests/test_numpy.py``
passes in both modes; and for every peer test of ``tests/test_systematic.py`` (the
NumPy part), its first real combination and its first complex one pass in
reverse and forward mode, or
(complex values through a function that is not holomorphic) are refused with
an error, never answered with a number; the known gaps are strict xfails that
say why.  The whole enumeration (1,333 checks, several minutes) is
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
            continue  # the linear-algebra part of the issue (another branch)
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

"""Known families of wrong gradients and crashes, each recognised by a predicate.

A family is a root cause catalogued in ``tests/fuzz/FINDINGS.md``.  Its
predicate looks at a program (its tags, set by the generator, and its text)
and at one finding (transform, kind, message) and says whether the finding
may be that family.  The CI fuzz test fails only on a finding no *open*
family explains; refusals never fail it.

To close a family after fixing it, delete its name from ``OPEN`` (one line):
the fuzz test then fails on any program of that family that still goes
wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.fuzz.oracle import Finding, Result
from tests.fuzz.program import Program

Predicate = Callable[[Program, Finding], bool]


@dataclass(frozen=True)
class Family:
    name: str
    issue: str  # the item of issue 10 it belongs to ("new" when it is not listed)
    predicate: Predicate


FAMILIES: dict[str, Family] = {}

#: The families still open: a finding one of them explains does not fail CI.
OPEN: list[str] = []


def explain(result: Result, open_families: list[str] | None = None
            ) -> tuple[set[str], list[Finding]]:
    """(the open families that explain some finding, the bad findings none explains)."""
    names = OPEN if open_families is None else open_families
    matched: set[str] = set()
    unexplained: list[Finding] = []
    for finding in result.bad:
        hits = [n for n in names if FAMILIES[n].predicate(result.program, finding)]
        matched.update(hits)
        if not hits:
            unexplained.append(finding)
    return matched, unexplained

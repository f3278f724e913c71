"""Every finite difference of the suite comes from ``tests/helpers.py`` (README, "Tests").

A scan of the test sources for the spellings of a central difference quotient written
by hand (``/ (2 * eps)``, ``/ (2 * H)``, ``/ 2e-6`` ...): none outside ``tests/helpers.py``.
The library's own ``srcxform/testing.py`` (``check_grad``) and the stand-alone examples
and benchmarks are not part of the scan.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

#: A quotient by twice a step: ``/ (2 * eps)``, ``/ (2.0 * h)``, ``/ 2e-6``, ``/ 2 / eps``.
QUOTIENT = re.compile(r"/\s*\(\s*2(?:\.0)?\s*\*\s*(?:eps|EPS|h|H|step|delta|dx)\s*\)"
                      r"|/\s*2(?:\.0)?e-\d+\b|/\s*2(?:\.0)?\s*/\s*(?:eps|EPS|h|H|step)\b")


@pytest.mark.parametrize("text", [
    "numeric = (f(x + h * d) - f(x - h * d)) / (2 * h)",
    "return (f(*up) - f(*down)) / (2 * eps)",
    "fd = (g(w + 1e-6 * t) - g(w - 1e-6 * t)) / 2e-6",
    "(df(x + H * e) - df(x - H * e)) / (2 * H)",
    "q = (a - b) / 2 / eps",
])
def test_the_scan_finds_a_difference_written_by_hand(text):
    assert QUOTIENT.search(text)


def test_no_test_writes_its_own_central_difference():
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name == "helpers.py" and path.parent == TESTS or path == Path(__file__):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if QUOTIENT.search(line):
                found.append(f"{path.relative_to(TESTS.parent)}:{number}: {line.strip()}")
    assert not found, "central differences written outside tests/helpers.py " \
                      "(use central_difference, finite_difference or jacobian_difference):\n" \
                      + "\n".join(found)

"""The table rows whose cases live in ``tests/rules/`` (matrix functions, SciPy).

After import, SciPy's rules are in the table when SciPy is installed (loaded now,
so every test process sees the same table), and ``COVERED`` holds the
``(kind, key)`` of each row that ``tests/rules/test_linalg_rules.py`` or
``test_scipy_rules.py`` checks with the matrix-aware checker (tuple outputs,
symmetric inputs) instead of ``tests/test_rules_table.py``'s.
"""

from __future__ import annotations

from srcxform import rules
from tests.rules.linalg_specs import LINALG_SPECS

HAVE_SCIPY = rules.load_scipy()

COVERED: set = set(LINALG_SPECS)
if HAVE_SCIPY:
    from tests.rules.scipy_specs import SCIPY_SPECS

    COVERED |= set(SCIPY_SPECS)

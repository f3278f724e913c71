"""The table rows whose cases live in ``tests/rules/`` (matrix functions, SciPy).

After import, SciPy's rules are in the table when SciPy is installed (loaded now,
so every test process sees the same table), and ``COVERED`` holds the
``(kind, key)`` of each row that ``tests/rules/test_linalg_rules.py`` or
``test_scipy_rules.py`` checks with the matrix-aware checker (tuple outputs,
symmetric inputs) instead of ``tests/test_rules_table.py``'s; and the rows of the
rules gradient code calls (``einsum_vjp``, ``multi_dot``: tuple outputs holding
``None`` or a list), which ``tests/rules/test_called_rules.py`` checks.
"""

from __future__ import annotations

from srcxform import rules
from srcxform.rules import linalg as linalg_rules
from tests.rules.linalg_specs import LINALG_SPECS

HAVE_SCIPY = rules.load_scipy()

COVERED: set = set(LINALG_SPECS) | {("function", linalg_rules.einsum_vjp),
                                     ("function", linalg_rules.multi_dot)}
if HAVE_SCIPY:
    from tests.rules.scipy_specs import SCIPY_SPECS

    COVERED |= set(SCIPY_SPECS)

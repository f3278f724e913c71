"""SciPy's rules of the table against finite differences (skipped without SciPy).

After this module passes, every case of ``tests/rules/scipy_specs.py`` (special
functions, distributions, scipy.linalg) satisfies ``linalg_check.check_case``
and ``check_float32``; every SciPy rule of the table has cases; the arguments
without a closed-form derivative are exactly those the table lists; and the
checker fails on a broken SciPy rule.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from srcxform import rules
from tests.rules.covered import HAVE_SCIPY

pytestmark = pytest.mark.skipif(not HAVE_SCIPY, reason="SciPy is not installed")

if HAVE_SCIPY:
    from scipy import special, stats

    from tests.rules.linalg_check import M, c, check_case, check_float32
    from tests.rules.scipy_specs import SCIPY_SPECS
else:  # pragma: no cover
    SCIPY_SPECS = {}


def label_of(key: Any) -> str:
    owner = getattr(key, "__self__", None)
    if owner is not None and not isinstance(owner, type(np)):
        return f"stats.{type(owner).__name__.removesuffix('_gen')}.{key.__name__}"
    return f"{getattr(key, '__module__', None) or 'scipy'}.{key.__name__}"


def _params() -> list:
    params = []
    for (_, key), cases in SCIPY_SPECS.items():
        for n, case in enumerate(cases):
            label = f"{label_of(key)}#{n}:{case.label()}".replace(" ", "").replace("\n", "")
            params.append(pytest.param(key, case, label, id=label))
    return params


@pytest.mark.parametrize(("key", "case", "label"), _params())
def test_rule_and_tangent(key: Any, case, label: str) -> None:
    rule = rules.lookup(key)
    with np.errstate(all="ignore"):
        check_case(rule, key, case, label)
        if case.raises is None:
            check_float32(rule, key, case, label)


def test_every_scipy_rule_has_cases() -> None:
    rows = [key for kind, key, rule in rules.all_rules()
            if rule.vjp.__module__.startswith("srcxform.rules.scipy")]
    assert rows
    missing = [label_of(key) for key in rows if ("function", key) not in SCIPY_SPECS]
    assert not missing, f"SciPy rules without cases in tests/rules/scipy_specs.py: {missing}"


NO_CLOSED_FORM = {
    stats.t.cdf: ("df",), stats.t.logcdf: ("df",), stats.gamma.cdf: ("a",),
    stats.gamma.logcdf: ("a",), stats.beta.cdf: ("a", "b"), stats.beta.logcdf: ("a", "b"),
    stats.poisson.logpmf: ("k", "loc"), stats.poisson.pmf: ("k", "loc"),
    stats.poisson.cdf: ("k", "loc"), stats.poisson.logcdf: ("k", "loc"),
    special.polygamma: ("n",), special.multigammaln: ("d",), special.zeta: ("x",),
    special.gammainc: ("a",), special.gammaincc: ("a",), special.betainc: ("a", "b"),
    special.jv: ("v",), special.yv: ("v",), special.yn: ("v",), special.iv: ("v",),
    special.ive: ("v",), stats.chi2.cdf: ("df",), stats.chi2.logcdf: ("df",),
} if HAVE_SCIPY else {}


def test_arguments_without_a_derivative_are_listed() -> None:
    listed = {key: rule.no_derivative for _, key, rule in rules.all_rules()
              if rule.no_derivative and rule.vjp.__module__.startswith("srcxform.rules.scipy")}
    assert listed == NO_CLOSED_FORM


def test_checker_rejects_a_broken_scipy_rule() -> None:
    rule = rules.lookup(stats.norm.logpdf)
    broken = dataclasses.replace(
        rule, vjp=lambda g, out, x, loc=0.0, scale=1.0: (-g * (x - loc) / scale, None, None))
    with pytest.raises(AssertionError):
        check_case(broken, stats.norm.logpdf, c(M((4,)), M((4,)), M((4,), "positive")), "broken")

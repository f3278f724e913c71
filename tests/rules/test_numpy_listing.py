"""``python -m srcxform --rules``: the list of supported functions is the table itself.

After this module passes: the command prints :func:`rules.listing.listing`, in
which every row of the rule table appears (under each public name its
function has), with modes that hold: a row listed ``eager`` records a graph
node when called on tensors that require grad, ``forward`` ones have a
tangent (checked for every spec by ``tests/test_tangents_table.py``), and
the sequence-adjoint helpers are forward only.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings

import numpy as np
import pytest

import srcxform as sx
from srcxform import rules
from srcxform.__main__ import main
from srcxform.rules import listing, registry, sequences
from tests.rules.cases import Arr, Flt, Seq
from tests.test_rules_table import SPECS, materialize, rng_for


def _printed(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(argv)
    return status, out.getvalue()


def test_command_prints_the_listing() -> None:
    status, text = _printed(["--rules"])
    assert status == 0
    assert text.rstrip("\n") == listing.listing().rstrip("\n")


def test_every_table_row_is_listed() -> None:
    rows = listing.supported()
    assert len(rows) == len(registry.all_rules())
    text = listing.listing()
    for row in rows:
        assert ", ".join(row.names) in text


@pytest.mark.parametrize(("obj", "name", "modes"), [
    (np.cumsum, "np.cumsum", ("reverse", "forward", "eager")),
    (np.absolute, "np.abs", ("reverse", "forward", "eager")),
    (math.sin, "math.sin", ("reverse", "forward")),
    (np.r_, "np.r_", ("reverse", "forward")),
    (sequences.add_each, "srcxform.rules.sequences.add_each", ("forward",)),
])
def test_modes_of_a_sample(obj, name: str, modes: tuple) -> None:
    row = next(r for r in listing.supported() if name in r.names)
    assert row.modes == modes


def _as_tensor(value):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return sx.tensor(value, dtype=sx.float64, requires_grad=True)
    if isinstance(value, list):
        return [_as_tensor(v) for v in value]
    return value


def _eager_params() -> list:
    params = []
    for row in listing.supported():
        if row.kind != "function" or "eager" not in row.modes \
                or not row.names[0].startswith("np."):  # (SciPy's: tests/rules/test_scipy_*)
            continue
        key = eval(row.names[0], {"np": np})  # noqa: S307  (a listed NumPy name)
        cases = [c for c in SPECS.get(("function", key), []) if c.raises is None and any(
            isinstance(a, (Arr, Seq)) for a in c.args) and not any(
                isinstance(a, Flt) for a in c.args)]
        if cases:
            params.append(pytest.param(key, cases[0], id=row.names[0]))
    return params


@pytest.mark.parametrize(("key", "case"), _eager_params())
def test_functions_listed_eager_record_on_tensors(key, case) -> None:
    args, kwargs = materialize(case, rng_for(f"eager:{key.__name__}"))
    tensors = [_as_tensor(a) for a in args]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        out = key(*tensors, **kwargs)
    results = out if isinstance(out, (list, tuple)) else [out]
    assert results and all(isinstance(r, sx.Tensor) for r in results), type(out)
    assert any(r.grad_fn is not None for r in results), f"{key.__name__} recorded no node"


def test_no_rule_for_the_nondifferentiable() -> None:
    listed = {n for r in listing.supported() for n in r.names}
    assert "np.sign" not in listed and "np.argmax" not in listed
    assert rules.is_nondifferentiable(np.sign)

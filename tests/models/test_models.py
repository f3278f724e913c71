"""The model corpus of issue 12 through every transform, against autograd and differences.

For each program of ``corpus.MODELS`` (NumPy written the way people write
it; see ``programs/``):

* ``test_grad``, ``test_value_and_grad``, ``test_vjp``, ``test_jvp`` and (for
  small arguments) ``test_hessian`` run srcxform's transform and compare
  with HIPS autograd on the same source and with central finite
  differences, gradient leaf by leaf in the argument's own structure
  (``checks.py``).  What fails today is ``xfail(strict=True)`` with the
  exact features it needs (``corpus.Model.failure``): a fix turns it into an
  XPASS, and the fixer removes the entry from ``corpus.py``.
* ``test_oracles_agree`` checks the corpus itself, without srcxform:
  autograd's gradient equals finite differences, autograd's twin sees the
  same arguments, and differences are stable across step sizes (no kink
  near the inputs).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.models import checks, loader, oracles
from tests.models.corpus import BY_NAME, FEATURES, MODELS, ROWS, TRANSFORMS


def _params(transform: str) -> list:
    out = []
    for model in MODELS:
        if transform == "hessian" and not model.hessian:
            continue
        reason = model.failure(transform)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(model.name, id=model.name, marks=marks))
    return out


def _check(name: str, transform: str) -> None:
    try:
        checks.check(name, transform)
    except checks.NotApplicable as exc:
        pytest.skip(str(exc))
    except Exception as exc:
        if BY_NAME[name].failure(transform) is None:
            raise
        # an expected failure: a one-line error, not a deep traceback pytest would format
        lines = str(exc).strip().splitlines() or [""]
        raise AssertionError(f"{type(exc).__name__}: {lines[0]}") from None


@pytest.mark.parametrize("name", _params("grad"))
def test_grad(name):
    _check(name, "grad")


@pytest.mark.parametrize("name", _params("value_and_grad"))
def test_value_and_grad(name):
    _check(name, "value_and_grad")


@pytest.mark.parametrize("name", _params("vjp"))
def test_vjp(name):
    _check(name, "vjp")


@pytest.mark.parametrize("name", _params("jvp"))
def test_jvp(name):
    _check(name, "jvp")


@pytest.mark.parametrize("name", _params("hessian"))
def test_hessian(name):
    _check(name, "hessian")


# -- the corpus itself -----------------------------------------------------------------


def _same_values(a, b, what):
    assert type(a) is type(b) or (np.isscalar(a) and np.isscalar(b)), what
    if isinstance(a, dict):
        assert sorted(a) == sorted(b), what
        for k in a:
            _same_values(a[k], b[k], f"{what}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), what
        for k, (x, y) in enumerate(zip(a, b)):
            _same_values(x, y, f"{what}[{k}]")
    elif isinstance(a, np.ndarray) or np.isscalar(a):
        np.testing.assert_array_equal(a, b, err_msg=what)


@pytest.mark.parametrize("model", MODELS, ids=[m.name for m in MODELS])
def test_oracles_agree(model):
    module = loader.twin(model.module) if model.autograd is None else loader.real(model.module)
    fn, args = loader.entry(module, model.entry)
    wrt = model.wrt if isinstance(model.wrt, tuple) else (model.wrt,)
    if model.autograd is None:
        import autograd

        if not model.uses_sx:
            _, real_args = loader.entry(loader.real(model.module), model.entry)
            _same_values(real_args, args, f"{model.name}: arguments of the twin")
        for i in wrt:
            ag = autograd.grad(fn, i)(*args)
            fd = oracles.fd_gradient(fn, args, i)
            oracles.assert_leaves_close(ag, fd, args[i], rtol=1e-5, atol=1e-6,
                                        what=f"{model.name}: autograd vs differences, arg {i}")
    for i in wrt:
        fine = oracles.fd_gradient(fn, args, i, eps=1e-6)
        coarse = oracles.fd_gradient(fn, args, i, eps=1e-4)
        oracles.assert_leaves_close(fine, coarse, args[i], rtol=1e-4, atol=1e-5,
                                    what=f"{model.name}: differences at two step sizes, arg {i}")


def test_corpus_covers_the_issue():
    assert len(MODELS) >= 26
    assert len({m.name for m in MODELS}) == len(MODELS)
    covered = {row for m in MODELS for row in m.rows}
    assert covered == set(ROWS), f"rows without a model: {set(ROWS) - covered}"
    for m in MODELS:
        assert set(m.rows) <= set(ROWS), m.name
        assert set(m.needs) <= set(FEATURES), m.name
        for features in m.extra.values():
            assert set(features) <= set(FEATURES), m.name
        assert set(m.extra) <= set(TRANSFORMS), m.name
        if m.hessian:
            assert not isinstance(m.wrt, tuple) and m.autograd is None, m.name
    used = {n for m in MODELS for n in m.needs} | {n for m in MODELS for v in m.extra.values()
                                                  for n in v}
    assert used == set(FEATURES), f"features no model needs: {set(FEATURES) - used}"

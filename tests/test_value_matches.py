"""A standing check over every corpus program: ``value_and_grad``'s value is the function's.

For each program of ``tests/corpus.py``, ``tests/control_flow/programs.py``
and ``tests/hygiene_programs.py``, ``sx.value_and_grad(f, wrt)`` on fresh
arguments returns the value ``f`` itself returns on fresh arguments (the
same shape, equal up to the rounding of a regrouped sum), and leaves its
arguments as ``f`` leaves them.  A wrong value means the generated forward
sweep is not the user's program, whatever its gradient says.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests import hygiene_programs as hp
from tests.transforms.common import ENTRIES

_V = np.linspace(-1.0, 1.0, 5)

HYGIENE = [
    ("user_names_bx", hp.user_names_bx, lambda: (np.linspace(0.1, 1, 4), np.linspace(1, 2, 4)),
     (0, 1)),
    ("param_called_np", hp.param_called_np, lambda: (_V.copy(), 0.5), (0, 1)),
    ("local_called_np", hp.local_called_np, lambda: (_V.copy(),), 0),
    ("local_shadows_builtins", hp.local_shadows_builtins, lambda: (_V.copy(),), 0),
    ("closure_maker", hp.closure_maker(2.0), lambda: (np.arange(3.0),), 0),
    ("concatenate_with_user_a", hp.concatenate_with_user_a, lambda: (np.linspace(0.5, 2, 4),),
     0),
]

CASES = [pytest.param(e.f, e.make, e.wrt, id=e.name) for e in ENTRIES] + \
    [pytest.param(f, make, wrt, id=f"hygiene-{name}") for name, f, make, wrt in HYGIENE]


def _copies(args: tuple) -> tuple:
    import copy

    return copy.deepcopy(args)


@pytest.mark.parametrize("f,make,wrt", CASES)
def test_value_and_grad_value_is_the_functions_value(f, make, wrt):
    args = make()
    want_args = _copies(args)
    want = f(*want_args)
    got_args = _copies(args)
    value, _ = sx.value_and_grad(f, wrt=wrt)(*got_args)
    assert np.shape(value) == np.shape(want)
    np.testing.assert_allclose(value, want, rtol=1e-10, atol=1e-12)
    for before, after in zip(want_args, got_args):  # the same side effects as f
        np.testing.assert_equal(after, before)


def test_the_check_covers_every_corpus():
    from tests import corpus
    from tests.control_flow import programs

    assert len(CASES) == len(corpus.CORPUS) + len(programs.CORPUS) + len(HYGIENE)
    names = {name for name in dir(hp) if callable(getattr(hp, name))
             and getattr(getattr(hp, name), "__module__", "") == hp.__name__}
    assert names == {name for name, *_ in HYGIENE}, "a hygiene program has no arguments here"

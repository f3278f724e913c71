"""The corpora's generated derivatives on array-api-strict arrays and PyTorch tensors.

For every program of ``tests/corpus.py`` and ``tests/control_flow/programs.py``
that takes an array, its arrays are converted to ``array_api_strict`` arrays
(the array API's reference namespace, which refuses everything the standard
does not specify) and to PyTorch CPU tensors, and ``sx.grad``,
``sx.value_and_grad``, ``sx.vjp`` (pullback of ones) and ``sx.jvp`` (tangent of
ones) must give NumPy's results (which the corpora's own tests check against
finite differences and autograd) as arrays of that library; ``sx.source`` shows
the same text after a call on either.  Programs of numbers only run on NumPy
whatever they are given, and skip.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.backends.libraries import assert_like_numpy, convert_args, require
from tests.control_flow.programs import CORPUS as CONTROL_FLOW
from tests.control_flow.programs import corpus_ids
from tests.corpus import CORPUS as STRAIGHT_LINE

LIBRARIES = ("array_api_strict", "torch")
ENTRIES = [(f"{f.__name__}", f, make, wrt) for f, make, wrt in STRAIGHT_LINE]
ENTRIES += [(f"cf-{name}", f, make, wrt)
            for (f, make, wrt, _), name in zip(CONTROL_FLOW, corpus_ids())]
PARAMS = [pytest.param(f, make, wrt, lib, id=f"{name}-{lib}")
          for name, f, make, wrt in ENTRIES for lib in LIBRARIES]


def _ones_like(value):
    return np.ones_like(value) if isinstance(value, np.ndarray) else 1.0


@pytest.mark.parametrize("f,make,wrt,library", PARAMS)
def test_corpus_on_library(f, make, wrt, library):
    lib = require(library)
    args = make()
    if not any(isinstance(a, np.ndarray) for a in args):
        pytest.skip("no array argument: the program runs on NumPy whatever it is given")
    theirs = convert_args(lib, args)
    # a function of its own: one of the corpus called at other sizes by other tests is
    # served by a version generic in them, which other libraries' arrays never are
    f = type(f)(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)

    df = sx.grad(f, wrt=wrt)
    want = df(*args)
    text = sx.source(df)
    assert_like_numpy(df(*theirs), want, lib, f"grad of {f.__name__}")
    assert sx.source(df) == text, "the generated text differs between namespaces"

    dvf = sx.value_and_grad(f, wrt=wrt)
    assert_like_numpy(dvf(*theirs), dvf(*args), lib, f"value_and_grad of {f.__name__}")

    value, pullback = sx.vjp(f, *args)
    their_value, their_pullback = sx.vjp(f, *theirs)
    assert_like_numpy(their_value, value, lib, f"vjp value of {f.__name__}")
    ct = _ones_like(value)
    assert_like_numpy(their_pullback(convert_args(lib, (ct,))[0]), pullback(ct), lib,
                      f"vjp pullback of {f.__name__}")
    assert sx.source(their_pullback) == sx.source(pullback)

    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    tangents = tuple(_ones_like(np.asarray(a, dtype=float)) if i in positions and
                     np.ndim(a) else (1.0 if i in positions else None)
                     for i, a in enumerate(args))
    their_tangents = tuple(None if t is None else convert_args(lib, (t,))[0] for t in tangents)
    assert_like_numpy(sx.jvp(f, theirs, their_tangents), sx.jvp(f, args, tangents), lib,
                      f"jvp of {f.__name__}")

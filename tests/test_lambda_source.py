"""Lambdas whose source lines do not parse alone (issue 12 leftovers, item 4).

A lambda written inside a bracket that opens on an earlier line or closes on
a later one (a list of gradients, a dict of objectives) is found by parsing
its whole file and picking the lambda whose code it is
(``compiler/parse.py``).  Gradients are compared with HIPS autograd.
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np

import srcxform as sx


def test_second_derivatives_of_lambdas_in_a_list_over_two_lines():
    got = [sx.grad(sx.grad(lambda x, y: x * y ** 2), wrt=1)(2.0, 3.0),
           sx.grad(sx.grad(lambda x, y: x ** 3 * np.sin(y)), wrt=0)(2.0, 3.0)]
    want = [autograd.grad(autograd.grad(lambda x, y: x * y ** 2), 1)(2.0, 3.0),
            autograd.grad(autograd.grad(lambda x, y: x ** 3 * anp.sin(y), 0), 0)(2.0, 3.0)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


OBJECTIVES = {"square": lambda x: np.sum(x ** 2),
              "sine": lambda x: np.sum(np.sin(x) * x)}


def test_lambdas_in_a_dict_over_two_lines():
    x = np.linspace(-1.0, 1.0, 4)
    np.testing.assert_allclose(sx.grad(OBJECTIVES["sine"])(x),
                               autograd.grad(lambda x: anp.sum(anp.sin(x) * x))(x),
                               rtol=1e-12)
    np.testing.assert_allclose(sx.grad(OBJECTIVES["square"])(x), 2 * x, rtol=1e-12)

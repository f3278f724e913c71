"""Programs whose names collide with what generated code would like to use."""

import numpy as np
import numpy as numpy_alias

unbroadcast = "a user global called unbroadcast"
scalar_seed = 42


def user_names_bx(x, bx):
    _stack = x * bx
    grad_user_names_bx = np.sin(_stack)
    return np.sum(grad_user_names_bx * unbroadcast.count("a") + scalar_seed)


def param_called_np(x, np):
    return numpy_alias.sum(x * np + numpy_alias.tanh(x) ** 2)


def local_called_np(x):
    np = 3.0
    return numpy_alias.sum(numpy_alias.exp(x) * np)


def local_shadows_builtins(x):
    sum = numpy_alias.sum(x * x)
    max = sum * 2.0
    return max + sum


def closure_maker(scale):
    offset = numpy_alias.ones(3)

    def f(x):
        return numpy_alias.sum(scale * x ** 2 + offset * x)

    return f


def concatenate_with_user_a(x):
    a = x * 2.0
    ext = numpy_alias.concatenate((numpy_alias.zeros(1), a, numpy_alias.zeros(2)))
    return numpy_alias.sum(ext[:-2] * ext[2:]) + numpy_alias.sum(a)

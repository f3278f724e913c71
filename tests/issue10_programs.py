"""Programs of issue 10 whose subject is the module itself: globals, helpers, decorators.

Each is written the way a user would write it; ``tests/test_issue10_regressions.py``
checks them.  The module-level names (``y``, ``L2_reg``, ``softsq``, ``scale``)
are part of the programs: a helper reads the global while a caller has a
parameter or a local of the same name.
"""

import functools

import numpy as np

import srcxform as sx

# -- item 6: name capture across inlining -------------------------------------

y = np.array([0.5, -1.0, 2.0])


def residual(params, x, y):
    return -np.sum((params * x - y) ** 2)


def two_residuals(p, X, h):
    # the second call passes the global y to the parameter named y
    return residual(p, X, h) + residual(p, h, y)


def loss_of_two_residuals(p, X, h):
    return two_residuals(p, X, h) * 1.0


L2_reg = 0.5


def log_prior(w):
    return -L2_reg * np.sum(w ** 2)


def objective(w):
    prior = log_prior(w)
    L2_reg = 2.0  # a local of the caller, assigned after the call that reads the global
    return prior + L2_reg * np.sum(w)


inputs = np.array([1.0, -2.0])


def log_posterior(params, inputs, L2_reg):
    return -L2_reg * np.sum(params ** 2) + np.sum(inputs * params)


def neg_log_posterior(params, it):
    return -log_posterior(params, inputs, L2_reg)


def softsq(v):
    return np.log1p(v * v)


@sx.adjoint(softsq)
def softsq_rule(g, out, v):
    return (g * 2.0 * v / (1.0 + v * v),)


def penalty(v):
    return np.sum(softsq(v))


def adjoint_from_helper(x):
    return penalty(x) * 3.0


W0 = np.array([0.3, 0.2, -0.1])


def constant_penalty(v):
    return np.sum(softsq(W0)) * v


def adjoint_of_constant(x):
    return np.sum(constant_penalty(x))


def adjoint_shadowed_by_temporary(x):
    softsq = penalty(x)  # a temporary named like the function penalty calls
    return softsq * 3.0


scale = 0.7


def scaled(u, scale=scale):
    return u * scale


def keyword_and_default_calls(x, scale):
    # the parameter scale shadows the global that scaled's default captured
    return np.sum(scaled(x) + scaled(x, scale=scale) + scaled(u=x * scale))


def result_param_named_like_emitted(x, result):
    # ``result`` is also what the compiler names the return value of a
    # function with several returns
    for i in range(2):  # noqa: B007 (the program as users write it)
        if result > 5.0:
            return np.sum(x)
    return np.sum(x * result) + result ** 2


# -- item 8: a functools.wraps decorator ----------------------------------------


def twice(fn):
    @functools.wraps(fn)
    def wrapper(x):
        return 2.0 * fn(x)

    return wrapper


@twice
def triple_sum(x):
    return np.sum(x * 3.0)


def scaled_by_three(fn):
    @functools.wraps(fn)
    def wrapper(x, scale=3.0):
        return scale * fn(x)

    return wrapper


@scaled_by_three
def cubes(x):
    return np.sum(x ** 3)


def calls_scaled_cubes(x):
    return cubes(x) + np.sum(x)


# -- names families the fuzzer found ----------------------------------------------

reg = 0.72


def penalty_term(reg, v):
    return reg * v


def middle_term(v):
    # passes the global reg to the parameter named reg, from an inlined helper
    return penalty_term(reg, v[1]) * 2.0


def unlocated_unbound(x):
    return np.sum(x) * middle_term(x)


bu = 1.41


def scaled_by_global(v):
    return v * bu


def adjoint_named_like_global(x):
    u = np.sin(x)  # its adjoint would be called bu
    return np.sum(scaled_by_global(u)) + np.sum(u)


add = 0.74


def accumulate(v):
    total = 0.0
    for i in range(2):  # noqa: B007 (the program as users write it)
        total = total + add * v
    return total


def temporary_named_like_global(x):
    return np.sum(accumulate(x))


gain = 1.25


def amplified(v, gain=0.5):
    return v * gain


def amplified_sum(v):
    w = amplified(v, v[0])
    return np.sum(w) * gain  # the global gain, not amplified's parameter


def callee_parameter_leaks(x):
    return amplified_sum(x) + 1.0


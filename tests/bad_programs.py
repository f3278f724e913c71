"""Programs srcxform must reject with a located TransformError.

The offending line of each function carries the marker comment ``# BAD``;
the test checks the error names this file, that line, and the construct.
"""

import numpy as np


def uses_try(x):
    try:  # BAD
        y = x * 2
    except ValueError:
        y = x
    return np.sum(y)


def uses_yield(x):
    yield x  # BAD


async def uses_async(x):  # BAD
    return x


def uses_class(x):
    class Box:  # BAD
        pass
    return np.sum(x)


def uses_global(x):
    global COUNTER  # BAD
    return np.sum(x)


def uses_nonlocal(x):
    total = 0.0

    def inner():
        nonlocal total  # BAD
        total = total + x
        return total
    return np.sum(inner())


def uses_del(x):
    y = x * 2
    del y  # BAD
    return np.sum(x)


def uses_import(x):
    import math  # BAD
    return math.sin(x)


def uses_raise(x):
    raise ValueError("no")  # BAD


def uses_lambda(x):
    return np.sum(np.apply_along_axis(lambda t: t * 2, 0, x))  # BAD (a local function to NumPy)


def uses_listcomp(x):
    while sum([t * 2 for t in x]) > 0:  # BAD
        x = x - 1.0
    return np.sum(x)


def uses_genexp(x, flag):
    return np.sum(x) if flag else sum(t * 2 for t in x)  # BAD


def uses_set(x):
    s = {1, 2}  # BAD
    return np.sum(x) * len(s)


def uses_starred(x, shape):
    return np.sum(np.reshape(x, (*shape,)))  # BAD


def uses_walrus(x):
    return np.sum((y := x * 2) + y)  # BAD


def uses_attribute_store(x):
    x.flags.writeable = False  # BAD
    return np.sum(x)


def uses_kwargs_call(x, opts):
    return np.sum(x, **opts)  # BAD


def uses_varargs(*xs):  # BAD  (the extra arguments, differentiated, repeated as a tuple)
    return np.sum(np.stack(xs * 2))


def uses_unknown_function(x):
    return np.sum(np.unique(x))  # BAD


def uses_computed_callee(x, fs):
    return np.sum(fs[0](x))  # BAD


def uses_undefined_name(x):
    return np.sum(x * UNDEFINED_THING)  # BAD  # noqa: F821


def uses_annotated(x):
    y: float = x * 2  # BAD
    return np.sum(y)


def uses_match(x):
    match x:  # BAD
        case _:
            return np.sum(x)


def uses_exec(x):
    exec("y = 1")  # BAD
    return np.sum(x)


def recursive(x, n):
    if n == 0:
        return np.sum(x)
    return recursive(x * 2.0, n - 1)  # BAD


def uses_no_rule_bessel(x):
    return np.sum(np.i0(x) * x)  # BAD


BAD = [
    (uses_try, "try statement"), (uses_yield, "yield"), (uses_async, "async function"),
    (uses_class, "class definition"), (uses_global, "global statement"),
    (uses_nonlocal, "nonlocal statement"), (uses_del, "del statement"),
    (uses_import, "import"), (uses_raise, "raise statement"),
    (uses_lambda, "local function as an argument"),
    (uses_listcomp, "list comprehension"), (uses_genexp, "generator expression"),
    (uses_set, "set literal"), (uses_starred, "starred argument"),
    (uses_walrus, "assignment expression (:=)"), (uses_attribute_store, "attribute assignment"),
    (uses_kwargs_call, "double-starred argument"), (uses_varargs, "pytree argument"),
    (uses_unknown_function, "np.unique()"), (uses_computed_callee, "call of a computed function"),
    (uses_undefined_name, "undefined name"), (uses_annotated, "annotated assignment"),
    (uses_match, "match statement"), (uses_exec, "exec()"),
    (recursive, "recursion"), (uses_no_rule_bessel, "np.i0()"),
]

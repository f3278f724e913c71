"""Every item of issue 10 ("never a wrong gradient"), and every family the fuzzers found.

Each test is a few lines written the way users write them, checked against
an oracle derived independently of srcxform: central finite differences
(``finite_difference``, on fresh copies of the arguments), a value derived
by hand in the comment next to it, or the function's own value.  Where a
function has no derivative rule yet, the test accepts either the right
gradient or a ``TransformError`` naming this file, the line and the
construct — never a wrong value.

A test that fails today is marked ``xfail(strict=True, reason="issue 10:
<family>")``: the suite passes now, and the fix of a family turns its tests
into XPASS, which strict mode reports as a failure telling the fixer to
remove the mark.  ``tests/fuzz/FINDINGS.md`` lists the same families with
the fuzzers' counts.
"""

from __future__ import annotations

import copy
import inspect
import warnings

import numpy as np
import pytest

import srcxform as sx
from tests import issue10_programs as p10
from tests.helpers import central_difference, finite_difference

#: The mutation families and the tests below that pin them (every family is closed in
#: tests/fuzz/families.py: the CI-sized run of seeds 0-2999 shows none of them).
PINNED = {
    "vjp-early-return": "test_crash_vjp_of_a_loop_that_returns_early",
    "tape-before-first-assignment": "test_1_*, the array first made in a loop",
    "identity-folded-to-alias": "test_arithmetic_identity_makes_a_new_array",
    "argument-write": "test_augmented_assignment_into_an_argument_seen_through_a_view",
    "alias-through-helper": "test_4_alias_through_helper",
    "augassign-through-alias": "test_3_*_then_augassign",
    "slice-reads-own-target": "test_2_*",
    "read-then-write": "test_1_*, test_vjp_reads_an_array_after_a_later_write",
    "write-under-view": "test_write_into_the_base_of_a_reshaped_view",
    "append-then-mutate": "test_array_appended_then_written_in_place",
    "swap-of-different-shapes": "test_5_swap_shapes_then_loop",
    "builtin-sum-of-list": "test_9_builtin_sum_*",
    "float-gradient-type": "test_float_argument_without_gradient_gets_a_float",
}


def xfail(family: str):
    return pytest.mark.xfail(strict=True, reason=f"issue 10: {family}")


# -- oracles ---------------------------------------------------------------------


def fd(f, args, i=0):
    """Central differences on fresh copies (the function may write into its arrays)."""
    return finite_difference(lambda *a: f(*copy.deepcopy(a)), args, i)


def check_grad(f, *args, wrt=0, expected=None):
    """value_and_grad against f's own value and ``expected`` (default: finite differences)."""
    wrts = wrt if isinstance(wrt, tuple) else (wrt,)
    want_value = f(*copy.deepcopy(args))
    value, grads = sx.value_and_grad(f, wrt=wrt)(*copy.deepcopy(args))
    grads = grads if isinstance(wrt, tuple) else (grads,)
    np.testing.assert_allclose(value, want_value, rtol=1e-10, err_msg="value")
    for k, i in enumerate(wrts):
        want = fd(f, args, i) if expected is None else expected[k]
        assert np.shape(grads[k]) == np.shape(args[i]), "gradient shape"
        np.testing.assert_allclose(grads[k], want, rtol=1e-5, atol=1e-6,
                                   err_msg=f"gradient {i}")


def check_vjp(f, *args, expected=None):
    """``pullback(c)`` is ``c`` times the gradient of every argument."""
    out, pullback = sx.vjp(f, *copy.deepcopy(args))
    np.testing.assert_allclose(out, f(*copy.deepcopy(args)), rtol=1e-10)
    pulled = pullback(0.5)
    for i in range(len(args)):
        want = fd(f, args, i) if expected is None else expected[i]
        np.testing.assert_allclose(pulled[i], 0.5 * np.asarray(want), rtol=1e-5, atol=1e-6)


def check_jvp(f, *args):
    """The tangent along a fixed direction equals the directional difference."""
    rng = np.random.default_rng(3)
    tangents = tuple(rng.normal(size=np.shape(a)) if np.ndim(a) else float(rng.normal())
                     for a in args)
    out, tangent = sx.jvp(f, copy.deepcopy(args), tangents)
    numeric = central_difference(f, copy.deepcopy(args), tangents)
    np.testing.assert_allclose(out, f(*copy.deepcopy(args)), rtol=1e-10)
    np.testing.assert_allclose(tangent, numeric, rtol=1e-5, atol=1e-6)


def line_of(fn, text: str) -> int:
    lines, start = inspect.getsourcelines(fn)
    for k, line in enumerate(lines):
        if text in line:
            return start + k
    raise AssertionError(f"{text!r} is not in {fn.__name__}")


def grad_or_located_refusal(f, args, wrt, line: str, construct: str, expected=None):
    """The right gradient, or a TransformError naming this file, the line of ``f``
    containing ``line``, and ``construct``."""
    try:
        value, g = sx.value_and_grad(f, wrt=wrt)(*copy.deepcopy(args))
    except sx.TransformError as exc:
        where = f"{inspect.getsourcefile(f)}:{line_of(f, line)}:"
        assert str(exc).startswith(where), f"{exc} is not located at {where}"
        assert construct in str(exc), f"{exc} does not name {construct!r}"
        return
    np.testing.assert_allclose(value, f(*copy.deepcopy(args)), rtol=1e-10)
    want = fd(f, args, wrt) if expected is None else expected
    assert np.shape(g) == np.shape(args[wrt])
    np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)


# -- 1. a value read, then the same array written in place ---------------------------


def read_then_write(x):
    p = x.copy()
    q = np.sum(p * p)
    p[0] = 5.0
    return q


def min_then_write(x):
    s = x.copy()
    s[0] = np.min(s)
    return np.sum(s * np.array([1.0, 2.0, 3.0]))


def row_matmul_then_row_write(x):
    p = np.zeros((2, 2))
    p[0, :] = x
    q = p @ p
    p[1, :] = x
    return np.sum(q) + np.sum(p * np.array([[1.0, 2.0], [3.0, 4.0]]))


def element_reads_itself(x):
    p = x.copy()
    p[2] += np.sum(p * p)
    return np.sum(p)


X2 = np.array([0.3, 0.8])


def test_1_read_then_write_grad():
    check_grad(read_then_write, X2, expected=[2 * X2])  # q = sum(x^2): 2x = [0.6, 1.6]


def test_1_read_then_write_vjp():
    check_vjp(read_then_write, X2, expected=[2 * X2])


def test_1_read_then_write_hessian():
    np.testing.assert_allclose(sx.hessian(read_then_write)(X2), 2 * np.eye(2), atol=1e-9)


def test_1_min_then_write():
    # s = [min(x), x1, x2] with min = x1: f = x1 + 2 x1 + 3 x2
    check_grad(min_then_write, np.array([0.5, 0.2, 0.9]), expected=[[0.0, 3.0, 3.0]])


def test_1_row_matmul_then_row_write():
    check_grad(row_matmul_then_row_write, np.array([0.4, -0.7]))


def test_1_element_update_reads_its_array():
    # p2 = x2 + |x|^2, f = sum(x) + |x|^2: df = 1 + 2x
    x = np.array([0.3, -0.5, 0.2])
    check_grad(element_reads_itself, x, expected=[1 + 2 * x])


# -- 2. slice writes that read their own target ------------------------------------------


def scale_head(x, s):
    t = x.copy()
    t[:2] *= s
    return np.sum(t)


def scale_head_read_first(x, s):
    t = x.copy()
    total = np.sum(t * t)
    t[:2] *= s
    return total + np.sum(t)


def head_times_element(x):
    t = x.copy()
    t[:2] = t[:2] * x[0]
    return np.sum(t * t)


def tail_times_head(x):
    s = x.copy()
    s[1:] *= s[:1]
    return np.sum(s * np.array([1.0, 2.0, 3.0]))


def test_2_scale_head():
    x = np.array([0.1, 0.3, 0.5])
    # f = s (x0 + x1) + x2: df/ds = x0 + x1 = 0.4
    check_grad(scale_head, x, 2.0, wrt=(0, 1), expected=[[2.0, 2.0, 1.0], 0.4])


def test_2_scale_head_after_a_read():
    x = np.array([0.1, 0.3, 0.5])
    # f = |x|^2 + s (x0 + x1) + x2
    check_grad(scale_head_read_first, x, 2.0, wrt=(0, 1),
               expected=[2 * x + [2.0, 2.0, 1.0], 0.4])


def test_2_head_times_element():
    check_grad(head_times_element, np.array([0.6, -0.4, 0.9]))


def test_2_tail_times_head_vjp_and_jvp():
    x = np.array([0.6, -0.4, 0.9])
    # s = [x0, x1 x0, x2 x0]: f = x0 + 2 x0 x1 + 3 x0 x2
    want = [1 + 2 * x[1] + 3 * x[2], 2 * x[0], 3 * x[0]]
    check_grad(tail_times_head, x, expected=[want])
    check_vjp(tail_times_head, x, expected=[want])
    check_jvp(tail_times_head, x)


# -- 3. augmented assignment through an alias or a view ------------------------------------


def alias_then_augassign(x):
    y = x.copy()
    z = y
    z += x
    return np.sum(y * x)  # y is 2x: f = 2 |x|^2, df = 4x


def view_then_augassign(x):
    y = x.copy()
    z = y[0:2]
    z += x[0:2]
    return np.sum(y * x)


def transpose_then_augassign(X):
    Y = X.copy()
    Z = Y.T
    Z += X.T
    return np.sum(Y * X)


def reshape_then_augassign(x):
    y = x.copy()
    z = y.reshape(3)
    z += x
    return np.sum(y * x)


def alias_then_element_write(x):
    y = x.copy()
    z = y
    z[0] = 5.0
    return np.sum(y * x)


X3 = np.array([0.5, -1.0, 1.5])


def _right_everywhere(f, args, expected):
    """The write through the alias is followed (aliaswrites.py): grad, value_and_grad, vjp
    and jvp all right."""
    check_grad(f, *args, expected=[expected])
    check_grad(f, *args)  # and central differences
    check_vjp(f, *args, expected=[expected])
    check_jvp(f, *args)


def test_3_alias_then_augassign():
    _right_everywhere(alias_then_augassign, (X3,), 4 * X3)


def test_3_view_then_augassign():
    # y = [2 x0, 2 x1, x2]: f = 2 x0^2 + 2 x1^2 + x2^2
    _right_everywhere(view_then_augassign, (X3,), X3 * [4, 4, 2])


def test_3_transpose_then_augassign():
    X = np.arange(6.0).reshape(2, 3) / 5
    _right_everywhere(transpose_then_augassign, (X,), 4 * X)


def test_3_reshape_then_augassign():
    _right_everywhere(reshape_then_augassign, (X3,), 4 * X3)


def test_3_alias_then_augassign_called_with_a_number_is_refused_at_the_call():
    # with a number, z += x rebinds z (y keeps its value): the gradient made for arrays
    # refuses such a call, located at the write
    def number_alias(x):
        y = x.copy()
        z = y
        z += x
        return np.sum(y * x)

    check_grad(number_alias, X3, expected=[4 * X3])
    with pytest.raises(sx.TransformError) as info:
        sx.grad(number_alias)(np.float64(0.5))
    assert str(info.value).startswith(f"{__file__}:{line_of(number_alias, 'z += x')}:")
    assert "'x' a NumPy array" in str(info.value)


def test_3_alias_then_element_write_is_refused_or_right():
    # y = [5, x1, x2]: f = 5 x0 + x1^2 + x2^2 (an element write into a name that is not
    # the array's owner stays refused by the normalizer)
    grad_or_located_refusal(alias_then_element_write, (X3,), 0, "z[0] = 5.0", "'z'",
                            expected=[5.0, 2 * X3[1], 2 * X3[2]])


# -- 4. an alias made by a helper's return --------------------------------------------------


def ident(v):
    return v


def alias_through_helper(x):
    b = x.copy()
    g = ident(b)
    b[1] = x[0] * 3.0
    return np.mean(g)  # g is b = [x0, 3 x0, x2]: f = (4 x0 + x2) / 3


def test_4_alias_through_helper():
    _right_everywhere(alias_through_helper, (X3,), np.array([4 / 3, 0.0, 1 / 3]))


# -- 5. a tuple swap of values of different shapes, then a loop ----------------------------


def swap_shapes_then_loop(A, v):
    a, b = A, v  # a matrix, b a vector
    a, b = b, a
    s = 0.0
    for i in range(2):  # noqa: B007 (the program as users write it)
        s = s + np.sum(a) * np.sum(b)
        a = a * 0.5
    return s + np.sum(a) + np.sum(b)


def test_5_swap_shapes_then_loop():
    # family "swap-of-different-shapes": a name unpacked from a tuple takes that element's
    # shape, not the one its other assignments give
    A = np.array([[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]])
    v = np.array([0.7, -0.8, 0.9])
    check_grad(swap_shapes_then_loop, A, v, wrt=(0, 1))


# -- mutation families the fuzzer found (tests/fuzz/FINDINGS.md) ------------------


def times_one_then_write(x):
    p = x * 1.0  # a new array
    p[0] = 5.0
    return np.sum(p * x) + np.sum(x)


def plus_zero_then_write(x):
    p = x + 0.0
    p[0] = 5.0
    return np.sum(p * x) + np.sum(x)


def over_one_then_write(x):
    p = x / 1.0
    p[0] = 5.0
    return np.sum(p * x) + np.sum(x)


def power_one_then_write(x):
    p = x ** 1
    p[0] = 5.0
    return np.sum(p * x) + np.sum(x)


def view_then_write_base(x):
    p = np.copy(x)
    P = p.reshape(2, 2)
    p[1] = 1.5
    return np.sum(P * np.array([[1.0, 2.0], [3.0, 4.0]]))


def append_then_mutate(x):
    p = x * 2.0
    history = []
    history.append(p)
    p += x  # also changes history[0]
    return np.sum(history[0] * x)


def reshape_product_then_write(x):
    p = np.copy(x)
    P = np.mean(p) * p.reshape(2, 2)
    if np.sum(x) > 0.3:
        p[1] = 1.5
    return np.sum(P)


def scale_argument_in_place(x, s):
    head = x[0:2]
    x *= s  # the caller's array; head sees it too
    return np.sum(head) + np.sum(x)


def unused_float(x, a):
    return np.sum(x * x)


X4 = np.array([0.3, -0.2, 0.5, 0.1])


@pytest.mark.parametrize("f", [times_one_then_write, plus_zero_then_write, over_one_then_write,
                               power_one_then_write])
def test_arithmetic_identity_makes_a_new_array(f):
    x = X4.copy()
    # p = [5, x1, x2, x3]: f = 5 x0 + x1^2 + x2^2 + x3^2 + sum(x)
    check_grad(f, x, expected=[[6.0, *(2 * x[1:] + 1)]])
    sx.grad(f)(x)
    np.testing.assert_array_equal(x, X4)  # the caller's array is left alone


def test_write_into_the_base_of_a_reshaped_view():
    # P is p seen as 2x2; p[1] is overwritten: f = x0 + 2*1.5 + 3 x2 + 4 x3
    grad_or_located_refusal(view_then_write_base, (X4,), 0, "p[1] = 1.5", "'p'",
                            expected=[1.0, 0.0, 3.0, 4.0])


def test_array_appended_then_written_in_place():
    # history[0] is p = 3x: f = 3 |x|^2
    grad_or_located_refusal(append_then_mutate, (X4,), 0, "p += x", "'p'", expected=6 * X4)


def test_vjp_reads_an_array_after_a_later_write():
    x = np.array([0.3, -0.2, 0.5, 0.4])  # sum(x) > 0.3: the write happens
    check_grad(reshape_product_then_write, x)
    check_vjp(reshape_product_then_write, x)


def test_augmented_assignment_into_an_argument_seen_through_a_view():
    # f = s (x0 + x1) + s sum(x): df/dx = s [2, 2, 1, 1], df/ds = x0 + x1 + sum(x)
    grad_or_located_refusal(scale_argument_in_place, (X4, 2.0), 0, "x *= s", "'x'",
                            expected=2.0 * np.array([2.0, 2.0, 1.0, 1.0]))


def test_float_argument_without_gradient_gets_a_float():
    # family "float-gradient-type": the code for any shape returns zero_gradient(a)
    g = sx.grad(unused_float, wrt=(0, 1))
    for x in (X4, X4[:3], X4[:2]):  # the first shape's code, then the code for any shape
        gx, ga = g(x, 0.5)
        np.testing.assert_allclose(gx, 2 * x)
        assert isinstance(ga, float) and ga == 0.0


# -- 6. names across inlining -----------------------------------------------------------------

#: Fuzzer families of item 6, closed (tests/fuzz/families.py): the tests below pin them.
FIXED_NAMES_FAMILIES = ("inlining-capture", "emitted-name-collision", "unlocated-unbound-local",
                        "adjoint-in-inlined-helper")


def test_6_parameter_named_like_a_global_called_twice():
    p, X, h = 0.8, np.array([1.0, 2.0, -1.0]), np.array([0.3, 0.1, 0.6])
    check_grad(p10.loss_of_two_residuals, p, X, h, wrt=(0, 1, 2))


def test_6_global_read_by_helper_local_of_caller_assigned_later():
    check_grad(p10.objective, np.array([0.3, -0.2]))


def test_6_global_passed_to_a_parameter_of_the_same_name():
    check_grad(p10.neg_log_posterior, np.array([0.3, -0.2]), 0)


def test_6_adjoint_function_called_from_an_inlined_helper():
    x = np.array([0.3, -1.2, 0.5])
    check_grad(p10.adjoint_from_helper, x, expected=[3 * 2 * x / (1 + x * x)])


def test_6_adjoint_function_of_a_constant_in_an_inlined_helper():
    x = np.array([0.3, -1.2, 0.5])
    c = float(np.sum(np.log1p(p10.W0 * p10.W0)))
    check_grad(p10.adjoint_of_constant, x, expected=[c * np.ones(3)])


def test_6_temporary_named_like_the_adjoint_function():
    x = np.array([0.3, -1.2, 0.5])
    check_grad(p10.adjoint_shadowed_by_temporary, x, expected=[3 * 2 * x / (1 + x * x)])


def test_6_global_passed_to_same_named_parameter_from_an_inlined_helper():
    x = np.array([0.3, -0.2, 0.5])
    try:
        check_grad(p10.unlocated_unbound, x)
    except sx.TransformError as exc:  # a refusal must at least say where
        assert exc.lineno > 0, str(exc)


def test_6_global_named_like_an_adjoint():
    check_grad(p10.adjoint_named_like_global, np.array([0.3, -0.2, 0.5]))


def test_6_global_named_like_a_temporary():
    check_grad(p10.temporary_named_like_global, np.array([0.3, -0.2, 0.5]),
               expected=[2 * 0.74 * np.ones(3)])


def test_6_callee_parameter_does_not_leak_into_its_caller():
    # f = x0 sum(x) gain + 1: df = gain (sum(x) e0 + x0)
    x = np.array([0.3, -0.2, 0.5])
    check_grad(p10.callee_parameter_leaks, x,
               expected=[1.25 * (np.sum(x) * np.eye(3)[0] + x[0])])


def test_6_keyword_and_default_arguments_with_shadowed_global():
    x = np.array([0.3, -1.2, 0.5])
    check_grad(p10.keyword_and_default_calls, x, 1.5, wrt=(0, 1))


def test_6_parameter_named_result():
    check_grad(p10.result_param_named_like_emitted, np.array([0.3, -1.2]), 1.5, wrt=(0, 1))


# -- 7. functions without a rule: the right gradient or a located error ---------------------


def row_concat(x):
    return np.sum(np.r_[x, 2 * x] ** 2)


def column_concat(x):
    return np.sum(np.c_[x, x ** 2] * np.array([1.0, -1.0]))


def linspace_between(a, b):
    return np.sum(np.linspace(a, b, 5) ** 2)


def item_of(x):
    return x[1:2].item() * 3.0 + np.sum(x)


def tolist_of(x):
    values = (x * 2.0).tolist()
    return values[0] * values[1]


def test_7_r_():
    grad_or_located_refusal(row_concat, (X3,), 0, "np.r_", "r_", expected=10 * X3)  # 2x + 8x


def test_7_c_():
    grad_or_located_refusal(column_concat, (X3,), 0, "np.c_", "c_", expected=1 - 2 * X3)


def test_7_linspace():
    # points a + k (b - a) / 4, k = 0..4: d/da sum = sum 2 p_k (1 - k/4)
    a, b = 0.5, 2.0
    pts = np.linspace(a, b, 5)
    k = np.arange(5) / 4
    grad_or_located_refusal(linspace_between, (a, b), 0, "np.linspace", "linspace",
                            expected=float(np.sum(2 * pts * (1 - k))))


def test_7_item():
    grad_or_located_refusal(item_of, (X3,), 0, ".item()", "item", expected=[1.0, 4.0, 1.0])


def test_7_tolist():
    # f = 4 x0 x1
    grad_or_located_refusal(tolist_of, (X3,), 0, ".tolist()", "tolist",
                            expected=[4 * X3[1], 4 * X3[0], 0.0])


# -- 8. a functools.wraps decorator ----------------------------------------------------------


def test_8_wrapped_function_gets_the_wrappers_gradient():
    # f = 2 * 3 sum(x): what is called is the wrapper, not the function it wraps
    x = np.array([0.5, -1.0])
    assert p10.triple_sum(x) == pytest.approx(6 * np.sum(x))
    check_grad(p10.triple_sum, x, expected=[np.full(2, 6.0)])
    np.testing.assert_allclose(sx.vjp(p10.triple_sum, x)[1](1.0)[0], [6.0, 6.0])
    assert sx.jvp(p10.triple_sum, (x,), (np.array([1.0, 2.0]),))[1] == pytest.approx(18.0)


def test_8_wrapper_with_its_own_default_called_from_a_helper():
    # f = 3 sum(x ** 3) + sum(x): the wrapper's scale, through an inlined call
    x = np.array([0.5, -1.0])
    check_grad(p10.calls_scaled_cubes, x, expected=[9 * x ** 2 + 1])


def test_8_wrapper_parameters_are_the_ones_called():
    # f(x, scale) = scale sum(x ** 3): the wrapper's scale is a parameter to pass and to
    # differentiate (inspect.signature would report the wrapped cubes(x) only)
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(sx.grad(p10.cubes)(x, scale=2.0), 6 * x ** 2)
    check_grad(p10.cubes, x, 2.0, wrt=(0, 1), expected=[6 * x ** 2, np.sum(x ** 3)])


# -- 9. builtin sum of 2-D arrays, tuple concatenation ---------------------------------------


def builtin_sum_of_matrices(X):
    parts = [X * 2.0, X ** 2]
    return np.sum(sum(parts) * np.array([[1.0, 2.0], [3.0, 4.0]]))


def tuple_concatenation(x):
    args = (x * 2.0,)
    both = args + (x,)
    return np.sum(both[0] * both[1])


def test_9_builtin_sum_of_matrices():
    # family "builtin-sum-of-list": each element's adjoint is the sum's, not a row of it
    X = np.array([[0.5, -1.0], [0.25, 2.0]])
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    check_grad(builtin_sum_of_matrices, X, expected=[W * (2 + 2 * X)])


def sum_with_a_constant(x):
    return sum([np.sum(x * x), 0.5])


def test_9_builtin_sum_of_a_list_with_a_constant():
    # family "builtin-sum-of-list": the constant's adjoint is summed to its (scalar) shape
    check_grad(sum_with_a_constant, X3, expected=[2 * X3])


def test_9_tuple_concatenation():
    # f = 2 |x|^2
    grad_or_located_refusal(tuple_concatenation, (X3,), 0, "args + (x,)", "+",
                            expected=4 * X3)


# -- 10. std / var where they are constant, power(x, 0) -------------------------------------


def std_over_axis_of_one(X):
    return np.sum(np.std(X, axis=1)) + np.sum(X)


def var_over_axis_of_one(X):
    return np.sum(np.var(X, axis=1)) + np.sum(X)


def std_of_one_element(x):
    return np.std(x[1]) + np.sum(x)


def power_zero(x):
    return np.sum(np.power(x, 0.0) * 3.0 + x)


def power_zero_of_float(a):
    return np.power(a, 0.0) * 3.0 + a


X31 = np.array([[0.5], [-1.0], [2.0]])


def test_10_std_over_an_axis_of_length_one():
    grad_or_located_refusal(std_over_axis_of_one, (X31,), 0, "np.std", "std",
                            expected=np.ones((3, 1)))


def test_10_var_over_an_axis_of_length_one():
    grad_or_located_refusal(var_over_axis_of_one, (X31,), 0, "np.var", "var",
                            expected=np.ones((3, 1)))


def test_10_std_of_one_element():
    grad_or_located_refusal(std_of_one_element, (X3,), 0, "np.std", "std", expected=np.ones(3))


def test_10_power_zero_at_zero():
    x = np.array([0.0, 1.5, -2.0])
    grad_or_located_refusal(power_zero, (x,), 0, "np.power", "power", expected=np.ones(3))


def test_10_power_zero_of_a_float_zero():
    grad_or_located_refusal(power_zero_of_float, (0.0,), 0, "np.power", "power", expected=1.0)


# -- 11. an integer array as the differentiated argument -------------------------------------


def half_first_plus_square(x):
    return x[0] * 0.5 + x[1] ** 2


def test_11_integer_argument_gets_a_float_gradient():
    x = np.array([1, 2, 3])
    g = sx.grad(half_first_plus_square)(x)
    assert np.issubdtype(np.asarray(g).dtype, np.floating)
    np.testing.assert_allclose(g, [0.5, 4.0, 0.0])


# -- 12. rank inference through expand_dims ---------------------------------------------------


def pairwise_energy(X, s):
    D = np.expand_dims(X, 1) - np.expand_dims(X, 0)
    return np.sum(s * np.sum(D ** 2, axis=2))


def test_12_expand_dims_pairwise_differences():
    X = np.array([[0.1, 0.5], [-0.3, 0.2], [0.7, -0.4]])
    check_grad(pairwise_energy, X, 0.8, wrt=1)  # only the scalar parameter


# -- crashes in generated code -------------------------------------------------------------------


def early_return_then_buffer_loop(x, a):
    for i in range(2):  # noqa: B007 (the program as users write it)
        if a > 0.2:
            return a * 2.0
    buf = np.zeros(3)
    for i in range(2):  # noqa: B007 (the program as users write it)
        buf[:] = x
    return np.sum(buf * x)


def copy_first_made_in_loop(x):
    P = x.reshape(2, 2)
    for i in range(3):  # noqa: B007 (the program as users write it)
        c = np.copy(P)
    c[1, 1] = 0.5
    c *= np.sum(x)
    return np.sum(c)


def int_valued_name(x):
    n = 0
    for i in range(3):  # noqa: B007 (the program as users write it)
        n = n + 1
    return np.sum(x * n) + n


def zero_d_index(x):
    return x[()] ** 2


def mean_of_empty(x):
    return np.sum(x * x) + np.mean(x[3:])


def list_after_early_return(x, a):
    for i in range(2):  # noqa: B007 (the program as users write it)
        if a > 0.5:
            return a * 2.0
    values = []  # at the top level of the function, from a list literal
    values.append(np.sum(x * x))
    values.append(a * x[0])
    return values[0] + values[1]


def test_list_made_after_a_loop_that_can_return_is_not_refused():
    # (once "list-after-early-return": the list was made under the `if not done` guard
    # the early return adds; it is made before it now) a = 0.25 never returns early:
    # f = |x|^2 + a x0; a = 0.75 returns 2a at once
    x = np.array([0.6, 0.5, 0.2])
    check_grad(list_after_early_return, x, 0.25, wrt=(0, 1),
               expected=[2 * x + [0.25, 0.0, 0.0], 0.6])
    check_grad(list_after_early_return, x, 0.75, wrt=(0, 1), expected=[np.zeros(3), 2.0])
    for a in (0.25, 0.75):
        check_vjp(list_after_early_return, x, a)
        check_jvp(list_after_early_return, x, a)


def test_crash_vjp_of_a_loop_that_returns_early():
    x = np.array([0.6, 0.5, 0.2])
    check_vjp(early_return_then_buffer_loop, x, 0.5, expected=[np.zeros(3), 2.0])


def test_crash_array_first_assigned_in_a_loop_then_written():
    # c = x except c[3] = 0.5, times sum(x): f = (sum(x) - x3 + 0.5) sum(x)
    x = np.array([0.3, -0.6, 0.9, 0.4])
    s, t = np.sum(x), np.sum(x) - x[3] + 0.5
    check_grad(copy_first_made_in_loop, x, expected=[s + t - np.array([0, 0, 0, s])])


def test_crash_zero_adjoint_of_an_int_valued_name():
    check_grad(int_valued_name, X3, expected=[3 * np.ones(3)])


def test_crash_index_of_a_zero_d_array():
    # (once "zero-d-index": the 0-d adjoint written by element was folded to the number 0.0)
    check_grad(zero_d_index, np.array(1.5), expected=[3.0])


def test_crash_mean_of_an_empty_array():
    # the empty mean is nan and contributes no gradient (as in NumPy and PyTorch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value, g = sx.value_and_grad(mean_of_empty)(X3.copy())
    assert np.isnan(value)
    np.testing.assert_allclose(g, 2 * X3)


# -- np.arange with a differentiated argument: no longer a silent zero ----------------------
def arange_from_a_float(a, x):
    return np.sum(np.arange(a, 4.0) * x)


def arange_of_a_length(x):
    return np.sum(np.arange(len(x)) * x ** 2)


def test_arange_with_a_differentiated_start_is_refused_not_zero():
    x = np.array([0.3, 0.5, 0.7, 0.9])
    with pytest.raises(sx.TransformError) as info:
        sx.grad(arange_from_a_float, wrt=0)(0.5, x)
    assert info.value.filename == __file__
    assert "np.arange" in str(info.value)
    assert info.value.lineno == inspect.getsourcelines(arange_from_a_float)[1] + 1


def test_arange_of_constants_is_still_constant():
    x = np.array([0.3, 0.5, 0.7, 0.9])
    np.testing.assert_allclose(sx.grad(arange_from_a_float, wrt=1)(0.5, x),
                               finite_difference(arange_from_a_float, [0.5, x], 1), rtol=1e-6)
    np.testing.assert_allclose(sx.grad(arange_of_a_length)(x),
                               finite_difference(arange_of_a_length, [x], 0), rtol=1e-6)


# -- found by the fuzzers' full runs after the mutation model ---------------------------------


def square_if(x, a):
    if a > 0.3:
        x = x * x  # a parameter rebound under a branch: the backward sweep needs the old x
    return np.sum(x)


def square_after_early_return(x, a):
    if a > 0.3:
        return a
    y = x * x
    x = y + 1
    return np.sum(x * y)


def rebind_after_loop_with_return(x, a):
    for _ in range(3):
        s = x
        if a > 0.3:
            return a
    x *= s  # (the mutation fuzzer's seed 882: x and s are one array)
    return np.sum(x)


@pytest.mark.parametrize("f", [square_if, square_after_early_return,
                               rebind_after_loop_with_return])
@pytest.mark.parametrize("a", [0.1, 0.5])
def test_parameter_rebound_under_control_flow(f, a):
    # a parameter assigned once in the body is assigned twice at run time (on entry, then
    # there): it is saved and restored like any overwritten name, and never taken for an
    # int (its gradient once came back as the number 1.0, of the wrong shape)
    x = np.array([0.3, 0.7, -0.2, 0.5])
    check_grad(f, x, a)
    check_vjp(f, x, a)
    check_jvp(f, x, a)
    # by hand: sum(x ** 2) has Hessian 2 I, sum(x ** 4 + x ** 2) diag(12 x ** 2 + 2), a
    # constant (an early return of a) or sum(x) has none
    if a > 0.3:
        want = 2.0 * np.eye(4) if f is square_if else np.zeros((4, 4))
    else:
        want = {square_if: np.zeros((4, 4)),
                square_after_early_return: np.diag(12 * x ** 2 + 2.0),
                rebind_after_loop_with_return: 2.0 * np.eye(4)}[f]
    np.testing.assert_allclose(sx.hessian(f)(x.copy(), a), want, atol=1e-9)


def views_taped_in_a_loop(M, x):
    buf = np.zeros(4)
    for i in range(2):
        buf[i] = x[i]
        buf[:3] *= buf[0:3]  # two views of buf, saved on a tape each iteration
    return np.sum(buf)


def test_vjp_rebases_the_views_on_a_tape():
    # (mutation seed 359) vjp's backward sweep restores into its own copy of buf: the
    # views saved on the tape must be views of that copy
    M, x = np.zeros((2, 4)), np.array([0.3, 0.7, 0.2, 0.1])
    check_grad(views_taped_in_a_loop, M, x, wrt=1)
    check_vjp(views_taped_in_a_loop, M, x)


def identity_then_write(x):
    P1 = x.reshape(2, 2) * 1.0
    P1 *= 0.5
    P2 = P1 * 1.0  # a new array: the write below must not reach it
    P1[:, 0] = 1.0
    return np.sum(P1) + np.sum(P2)


def test_jvp_keeps_an_identity_a_new_array():
    # family "identity-folded-to-alias", in forward mode (mutation seed 492): tangent
    # code follows its primal's sharing
    x = np.array([0.3, 0.7, -0.2, 0.5])
    check_jvp(identity_then_write, x)
    check_grad(identity_then_write, x)


def sliding_window_then_scale(x, M, a):
    buf = np.zeros(4)
    for i in range(2):
        buf[i:i + 2] += 2.0  # the bound i + 2 is a temporary of each iteration
        p = x.copy()
    buf *= p[1]
    return np.sum(buf)


def test_restoring_a_slice_with_a_computed_bound():
    # (mutation seed 4955) the backward sweep puts back buf[i:i + 2] with the bound of its
    # own iteration, not the last one's: f = 8 x1, df/dx = [0, 8, 0, 0]
    x, M = np.array([0.3, 0.7, -0.2, 0.5]), np.zeros((2, 4))
    check_grad(sliding_window_then_scale, x, M, 0.1, expected=[np.array([0.0, 8.0, 0.0, 0.0])])
    check_vjp(sliding_window_then_scale, x, M, 0.1)


def test_rules_call_builtins_even_where_the_module_shadows_them():
    # (names seed 1003014) the module has globals max, sum, min: f = max * mean(x)
    from tests import shadowed_builtins_programs as sb

    x = np.array([1.1, -1.1, 0.2, -0.6])
    check_grad(sb.mean_of_copy, x, expected=[np.full(4, 0.31 / 4)])
    check_vjp(sb.mean_of_copy, x)
    check_jvp(sb.mean_of_copy, x)
    X = np.array([[0.3, -0.2, 0.5], [0.1, 0.9, -0.4]])
    check_grad(sb.mean_over_rows, X)
    check_jvp(sb.mean_over_rows, X)


def mean_of_a_scaled_sum(x):
    y = 1.25 * x + x
    return np.mean(y)


def test_folding_constants_never_changes_a_value_held_elsewhere():
    # (names seed 1004866) the mean's adjoint bnot_ * 0.25 is a fact substituted in two
    # places; folding (e * 0.25) * 1.25 in one of them changed the other: f = 2.25 mean(x)
    x = np.array([0.5, -0.8, -0.1, -0.3])
    check_vjp(mean_of_a_scaled_sum, x, expected=[np.full(4, 2.25 / 4)])
    check_grad(mean_of_a_scaled_sum, x, expected=[np.full(4, 2.25 / 4)])


def nested_loops_rebinding_parameters(x, y, a):
    s = 0.0
    t = a
    s = np.sum(y)
    for i0 in range(2):  # noqa: B007 (the fuzzer's program, as generated)
        y = y / (1.0 + x ** 2)
        for i1 in range(3):  # noqa: B007
            x = x * x + 0.5 * y
    return np.sum(x * y) + s * t + a * np.sum(x)


def test_recomputing_in_nested_backward_loops():
    # (control-flow fuzzer, seed 279) x * x + 0.5 * y is recomputed in the inner backward
    # loop; y / (1 + x ** 2), of the outer one, once crashed the transform asking where
    x = np.array([0.3, -0.5, 0.2, 0.1])
    y = np.array([0.4, 0.1, -0.3, 0.6])
    check_grad(nested_loops_rebinding_parameters, x, y, 0.7, wrt=(0, 1, 2))
    check_vjp(nested_loops_rebinding_parameters, x, y, 0.7)
    check_jvp(nested_loops_rebinding_parameters, x, y, 0.7)

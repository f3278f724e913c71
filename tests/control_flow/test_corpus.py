"""Every control-flow corpus program: srcxform's gradient against independent oracles.

For each entry of ``programs.CORPUS`` this module checks that

* ``sx.grad`` matches central finite differences (for programs that stop the
  gradient: finite differences of the hand-written frozen surrogate, and the
  hand-derived closed form), with the argument's shape, a float dtype, and a
  Python float for a float argument;
* ``sx.grad`` matches HIPS autograd run on the same source (``np``, ``math``
  and ``sx`` rebound, array writes through ``oracles.WriteBuffer``), except
  for the programs listed in ``NOT_FOR_AUTOGRAD``, which skip with the reason;
* ``sx.value_and_grad`` returns the function's value and ``sx.grad``'s gradient.

A ``TransformError`` is a failure: every construct in the corpus is one that
API.md section 1 says transformed code may contain.

The ``test_oracle_*`` tests check the corpus and the oracles themselves and do
not involve srcxform's compiler: inputs keep every branch at least 1e-4 from
flipping (traced opcode by opcode), finite differences are stable across step
sizes, autograd agrees with finite differences, and the stop-gradient
expectations are consistent with their programs.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import srcxform as sx
from tests.control_flow import programs
from tests.control_flow.oracles import autograd_grads
from tests.control_flow.programs import (
    CORPUS,
    NOT_FOR_AUTOGRAD,
    REQUIRED_TAGS,
    STOP_GRADIENT,
    corpus_ids,
    program_id,
)
from tests.helpers import as_tuple, finite_difference

IDS = corpus_ids()
ENTRIES = [pytest.param(f, make, wrt, tags, id=name)
           for (f, make, wrt, tags), name in zip(CORPUS, IDS)]


def _autograd_param(f, make, wrt, tags, name):
    reason = NOT_FOR_AUTOGRAD.get(program_id(f))
    marks = [pytest.mark.skip(reason=f"autograd cannot check this program: {reason}")] \
        if reason else []
    return pytest.param(f, make, wrt, tags, id=name, marks=marks)


AUTOGRAD_ENTRIES = [_autograd_param(f, make, wrt, tags, name)
                    for (f, make, wrt, tags), name in zip(CORPUS, IDS)]
STOPPED_ENTRIES = [p for p in ENTRIES if program_id(p.values[0]) in STOP_GRADIENT]
PLAIN_ENTRIES = [p for p in ENTRIES if program_id(p.values[0]) not in STOP_GRADIENT]


# ----------------------------------------------------------------------------
# helpers


def _describe(f, tags) -> str:
    return f"{program_id(f)} (features: {', '.join(sorted(tags))})"


def _transform(f, wrt, tags, kind=sx.grad):
    try:
        return kind(f, wrt=wrt)
    except sx.TransformError as exc:
        raise AssertionError(f"srcxform refused {_describe(f, tags)}, whose constructs are all "
                             f"in API.md section 1: {exc}") from exc


def _run(df, f, args, tags):
    try:
        return df(*args)
    except sx.TransformError as exc:  # the contract allows raising on the first call
        raise AssertionError(f"srcxform refused {_describe(f, tags)} on its first call: "
                             f"{exc}") from exc


def _grads(f, args, wrt, tags):
    df = _transform(f, wrt, tags)
    out = _run(df, f, args, tags)
    return df, (out if isinstance(wrt, tuple) else (out,))


def _generated(df) -> str:
    try:
        return sx.source(df)
    except Exception as exc:  # the report must not hide the real failure
        return f"<sx.source failed: {exc!r}>"


def _assert_close(actual, expected, *, rtol, atol, what, df):
    actual_arr = np.asarray(actual, dtype=float)
    expected_arr = np.asarray(expected, dtype=float)
    if actual_arr.shape == expected_arr.shape and np.allclose(actual_arr, expected_arr,
                                                              rtol=rtol, atol=atol):
        return
    err = np.abs(actual_arr - expected_arr) if actual_arr.shape == expected_arr.shape else None
    worst = "" if err is None or err.size == 0 else \
        f"\nworst element {np.unravel_index(np.argmax(err), err.shape)}: abs error {err.max():.3g}"
    raise AssertionError(
        f"{what}\n srcxform: {np.array2string(actual_arr, precision=10)}"
        f"\n expected: {np.array2string(expected_arr, precision=10)}"
        f" (rtol={rtol}, atol={atol}){worst}\n--- generated code ---\n{_generated(df)}")


def _check_gradient_type(g, arg, what):
    assert np.shape(g) == np.shape(arg), \
        f"{what}: gradient shape {np.shape(g)} != argument shape {np.shape(arg)}"
    if type(arg) is float:
        assert isinstance(g, float), \
            f"{what}: a float argument must get a float gradient, got {type(g).__name__}"
    else:
        assert np.asarray(g).dtype.kind == "f", f"{what}: gradient dtype {np.asarray(g).dtype}"


def _frozen_fd(spec, args, i, eps=1e-6):
    base = tuple(args)
    return finite_difference(lambda *live: spec.frozen(live, base), list(args), i, eps=eps)


# ----------------------------------------------------------------------------
# srcxform against the oracles


@pytest.mark.parametrize("f,make,wrt,tags", ENTRIES)
def test_matches_finite_differences(f, make, wrt, tags):
    args = make()
    df, grads = _grads(f, args, wrt, tags)
    spec = STOP_GRADIENT.get(program_id(f))
    for i, g in zip(as_tuple(wrt), grads):
        what = f"d {_describe(f, tags)} / d arg {i}"
        _check_gradient_type(g, args[i], what)
        if spec is None:
            ref, how = finite_difference(f, args, i), "central finite differences"
        else:
            ref, how = _frozen_fd(spec, args, i), "finite differences of the frozen surrogate"
        _assert_close(g, ref, rtol=1e-5, atol=1e-6, what=f"{what} disagrees with {how}", df=df)


@pytest.mark.parametrize("f,make,wrt,tags", STOPPED_ENTRIES)
def test_stopped_gradient_matches_hand_derivation(f, make, wrt, tags):
    args = make()
    df, grads = _grads(f, args, wrt, tags)
    expected = STOP_GRADIENT[program_id(f)].expected(*args)
    for i, g, e in zip(as_tuple(wrt), grads, expected):
        _assert_close(g, e, rtol=1e-10, atol=1e-12, df=df,
                      what=f"d {_describe(f, tags)} / d arg {i} is not the hand-derived "
                           f"gradient (the stopped value must act as a constant)")


@pytest.mark.parametrize("f,make,wrt,tags", AUTOGRAD_ENTRIES)
def test_matches_autograd(f, make, wrt, tags):
    pytest.importorskip("autograd")
    args = make()
    df, grads = _grads(f, args, wrt, tags)
    refs = autograd_grads(f, args, as_tuple(wrt))
    for i, g, ref in zip(as_tuple(wrt), grads, refs):
        _assert_close(g, ref, rtol=1e-8, atol=1e-10, df=df,
                      what=f"d {_describe(f, tags)} / d arg {i} disagrees with autograd")


@pytest.mark.parametrize("f,make,wrt,tags", ENTRIES)
def test_value_and_grad_agrees(f, make, wrt, tags):
    args = make()
    dvf = _transform(f, wrt, tags, kind=sx.value_and_grad)
    value, grads = _run(dvf, f, args, tags)
    expected_value = f(*make())  # fresh inputs: the function must not have mutated them
    _assert_close(value, expected_value, rtol=1e-12, atol=1e-14, df=dvf,
                  what=f"value_and_grad's value of {_describe(f, tags)} is not f(*args)")
    _, expected = _grads(f, make(), wrt, tags)
    for i, g, e in zip(as_tuple(wrt), as_tuple(grads) if isinstance(wrt, tuple) else (grads,),
                       expected):
        _assert_close(g, e, rtol=1e-12, atol=1e-14, df=dvf,
                      what=f"value_and_grad's gradient of {_describe(f, tags)} / d arg {i} "
                           f"differs from grad's")


@pytest.mark.parametrize("f,make,wrt,tags", [p for p in ENTRIES if p.values[3] & {
    "array_write", "augassign", "subscript_augassign", "overwrite_in_loop"}])
def test_arguments_are_not_mutated(f, make, wrt, tags):
    """Gradients of programs that write, update or rebind leave the caller's inputs alone."""
    args = make()
    before = [np.copy(a) for a in args]
    _grads(f, args, wrt, tags)
    for i, (a, b) in enumerate(zip(args, before)):
        np.testing.assert_array_equal(a, b, err_msg=f"{_describe(f, tags)} mutated arg {i}")


def test_overwritten_first_value_has_no_gradient():
    x = np.array([0.4, -0.7, 1.1])
    g = _grads(programs.overwrite_element, (x,), 0, {"overwrite_element"})[1][0]
    # out[0] = x[0]**3 is overwritten before any read: x[0] must not get its 3x[0]^2 term.
    assert g[0] == 0.0, f"gradient of the overwritten first value leaked: {g}"


def test_no_grad_block_gradient_is_2x():
    x = np.array([0.5, -1.5, 2.0])
    g = _grads(programs.no_grad_block, (x,), 0, {"no_grad"})[1][0]
    np.testing.assert_allclose(g, 2.0 * x, rtol=1e-12)  # not 2x + 3x^2


# ----------------------------------------------------------------------------
# the corpus and the oracles themselves (independent of srcxform's compiler)


def test_oracle_corpus_covers_every_feature():
    assert len({program_id(f) for f, _, _, _ in CORPUS}) >= 60
    assert len(set(IDS)) == len(IDS)
    tags = set().union(*(t for _, _, _, t in CORPUS))
    assert REQUIRED_TAGS <= tags, f"no program for: {sorted(REQUIRED_TAGS - tags)}"
    for f, make, wrt, _ in CORPUS:
        args = make()
        assert all(np.asarray(a).dtype == np.float64 for a in args), program_id(f)
        np.testing.assert_array_equal(np.asarray(f(*args)), np.asarray(f(*make())))
        assert np.ndim(f(*args)) == 0 and np.isfinite(f(*args)), program_id(f)
        assert all(0 <= i < len(args) for i in as_tuple(wrt)), program_id(f)


def _opcode_trace(f, args):
    """The (function, instruction offset) of every opcode the program's source executes."""
    target = programs.__file__
    trace = []

    def local(frame, event, arg):
        if event == "opcode":
            trace.append((frame.f_code.co_name, frame.f_lasti))
        return local

    def calls(frame, event, arg):
        if frame.f_code.co_filename != target:
            return None
        frame.f_trace_opcodes = True
        return local

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        f(*args)
    finally:
        sys.settrace(previous)
    return trace


def _perturbed(args, i, idx, delta):
    out = list(args)
    if type(args[i]) is float:
        out[i] = args[i] + delta
    else:
        out[i] = np.array(args[i], dtype=float)
        out[i][idx] += delta
    return out


@pytest.mark.parametrize("f,make,wrt,tags", ENTRIES)
def test_oracle_no_branch_is_near_flipping(f, make, wrt, tags):
    """Moving any input coordinate by 1e-4 executes exactly the same operations."""
    args = make()
    base = _opcode_trace(f, args)
    for i in as_tuple(wrt):
        for idx in np.ndindex(np.shape(args[i])):
            for delta in (1e-4, -1e-4):
                assert _opcode_trace(f, _perturbed(args, i, idx, delta)) == base, \
                    f"{program_id(f)}: control flow changes when arg {i}{list(idx)} " \
                    f"moves by {delta}"


@pytest.mark.parametrize("f,make,wrt,tags", PLAIN_ENTRIES)
def test_oracle_finite_differences_are_stable(f, make, wrt, tags):
    args = make()
    for i in as_tuple(wrt):
        np.testing.assert_allclose(finite_difference(f, args, i, eps=1e-6),
                                   finite_difference(f, args, i, eps=1e-5),
                                   rtol=1e-6, atol=1e-7, err_msg=f"arg {i}")


@pytest.mark.parametrize("f,make,wrt,tags", AUTOGRAD_ENTRIES)
def test_oracle_autograd_agrees_with_finite_differences(f, make, wrt, tags):
    pytest.importorskip("autograd")
    args = make()
    spec = STOP_GRADIENT.get(program_id(f))
    for i, g in zip(as_tuple(wrt), autograd_grads(f, args, as_tuple(wrt))):
        ref = finite_difference(f, args, i) if spec is None else _frozen_fd(spec, args, i)
        np.testing.assert_allclose(g, ref, rtol=1e-5, atol=1e-6, err_msg=f"arg {i}")


@pytest.mark.parametrize("f,make,wrt,tags", STOPPED_ENTRIES)
def test_oracle_stop_gradient_expectations_are_consistent(f, make, wrt, tags):
    args = make()
    spec = STOP_GRADIENT[program_id(f)]
    np.testing.assert_allclose(spec.frozen(tuple(args), tuple(args)), f(*args), rtol=1e-12)
    for i, e in zip(as_tuple(wrt), spec.expected(*args)):
        np.testing.assert_allclose(e, _frozen_fd(spec, args, i), rtol=1e-5, atol=1e-6,
                                   err_msg=f"arg {i}")

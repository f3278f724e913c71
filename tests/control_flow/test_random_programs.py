"""Hypothesis-generated control-flow programs: srcxform's gradient against finite differences.

``program_gen.programs`` writes random small programs (nested ``if``/``for``/
``while``/``break``/``continue``/early ``return``, helper calls, containers,
array writes) as source text; each is written to a file, imported, and
``sx.grad(f, wrt=(0, 1, 2))`` is compared with central finite differences.

Guarantees of this module:

* at least ``MIN_PROGRAMS`` (2,000) distinct programs are checked per run,
  deterministically (``derandomize=True``, no example database), in worker
  processes (one per CPU); a failure is replayed inline so that hypothesis
  shrinks it to a minimal program;
* every fourth program (by seed) is also run through ``sx.jvp`` along a random
  direction (against central differences along it) and ``sx.vjp`` (its
  ``pullback(1.0)`` must equal the gradient), and every twelfth through
  ``sx.hessian`` with respect to ``x`` (against differences of the gradient);
* no mismatch is tolerated; a mismatch is reported only when finite
  differences at two step sizes agree with each other, so it is srcxform's;
* a ``TransformError`` is a failure (the generator emits only constructs that
  API.md section 1 says transformed code may contain); every failure message
  shows the program's source, its inputs and the generated gradient code;
* ``test_generator_*`` check the generator itself without srcxform's
  compiler: programs use only whitelisted constructs, run as plain Python,
  their finite differences are stable across step sizes, autograd agrees with
  them, and the features of the brief all occur.
"""

from __future__ import annotations

import collections
import concurrent.futures
import multiprocessing
import os
import traceback
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, assume, given, reject, settings
from hypothesis import strategies as st

import srcxform as sx
from tests.control_flow.program_gen import (
    MARGIN,
    PROFILES,
    Program,
    check_constructs,
    features,
    load,
    measure,
    programs,
)
from tests.helpers import central_difference, finite_difference, jacobian_difference

MIN_PROGRAMS = 2000
EXAMPLES_PER_PROFILE = 750  # about a quarter repeat a source (other inputs): > 500 distinct each
SELF_CHECK_EXAMPLES = 300
RTOL, ATOL = 1e-5, 1e-6  # central differences, step 1e-6, values of at most 1e3
FORWARD_EVERY = 4  # every 4th program (by seed) also goes through sx.jvp and sx.vjp
HESSIAN_EVERY = 12  # every 12th, sx.hessian (forward mode over the generated gradient)

SETTINGS = dict(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    # Stop at the first bug and shrink only it: every shrinking step runs
    # srcxform, and a profile that reports every distinct bug can take ten
    # minutes while the compiler is young.
    report_multiple_bugs=False,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)


def _close(g, ref) -> bool:
    return np.shape(g) == np.shape(ref) and bool(np.allclose(g, ref, rtol=RTOL, atol=ATOL))


def _report(program: Program, headline: str, details: str = "", df=None) -> str:
    x, y, a = program.args()
    text = (f"{headline}\n--- generated program (profile {program.profile}, seed "
            f"{program.seed}) ---\n{program.source}\n--- inputs ---\nx = {x.tolist()}\n"
            f"y = {y.tolist()}\na = {a!r}\n")
    if details:
        text += f"--- details ---\n{details}\n"
    if df is not None:
        try:
            text += f"--- srcxform's gradient code ---\n{sx.source(df)}\n"
        except Exception as exc:  # never let the report hide the failure
            text += f"--- srcxform's gradient code unavailable: {exc!r} ---\n"
    return text


def check_against_finite_differences(program: Program, directory, loaded: dict) -> None:
    """The assertion every generated program must pass.

    ``loaded`` maps sources to imported modules: a source drawn again (with
    other inputs) reuses its module, so srcxform's cached gradient is reused.
    """
    measured = measure(program)
    assume(measured.acceptable)
    if program.source not in loaded:
        loaded[program.source] = load(program, directory)
    module = loaded[program.source]
    f = module.f
    args = program.args()
    df = None
    try:
        df = sx.grad(f, wrt=(0, 1, 2))
        grads = df(*args)
    except sx.TransformError as exc:
        raise AssertionError(_report(program, f"srcxform refused a generated program made "
                                              f"only of supported constructs: {exc}")) from exc
    except Exception as exc:
        raise AssertionError(_report(program, f"srcxform's gradient raised {exc!r}",
                                     df=df)) from exc
    assert isinstance(grads, tuple) and len(grads) == 3, \
        _report(program, f"grad with wrt=(0, 1, 2) returned {type(grads).__name__}", df=df)
    assert isinstance(grads[2], float), \
        _report(program, f"the float argument a got a {type(grads[2]).__name__} gradient",
                df=df)
    for i, (name, g) in enumerate(zip("xya", grads)):
        ref = finite_difference(f, args, i)
        if _close(g, ref):
            continue
        if not _close(ref, finite_difference(f, args, i, eps=1e-5)):
            reject()  # finite differences are not a reliable judge here
        raise AssertionError(_report(
            program, f"d f / d {name}: srcxform disagrees with central finite differences",
            f"srcxform:           {np.asarray(g).tolist()}\n"
            f"finite differences: {np.asarray(ref).tolist()}\n"
            f"(rtol={RTOL}, atol={ATOL}; f = {measured.value!r}, smallest branch margin "
            f"{measured.min_margin:.3g})", df=df))
    if program.seed % FORWARD_EVERY == 0:
        check_jvp_and_vjp(program, f, args, grads)
    if program.seed % HESSIAN_EVERY == 0:
        check_hessian(program, f, args)


def check_hessian(program: Program, f, args) -> None:
    """``sx.hessian`` (forward mode over the generated gradient code) with respect to ``x``
    against central differences of the gradient."""
    try:
        H = sx.hessian(f, wrt=0)(*args)
    except Exception as exc:
        raise AssertionError(_report(program, f"sx.hessian raised {exc!r}")) from exc
    grad = sx.grad(f, wrt=0)

    def columns(eps):
        return jacobian_difference(grad, args, 0, eps)

    ref = columns(1e-6)
    if not np.allclose(H, ref, rtol=1e-4, atol=1e-5):
        if not np.allclose(ref, columns(1e-5), rtol=1e-4, atol=1e-5):
            reject()  # the gradient is not smooth enough here to judge
        raise AssertionError(_report(
            program, "sx.hessian disagrees with differences of the gradient",
            f"hessian: {np.asarray(H).tolist()}\ndifferences: {ref.tolist()}"))


def check_jvp_and_vjp(program: Program, f, args, grads) -> None:
    """Forward mode along a random direction against finite differences, and the
    pullback of split motion against the (already checked) gradient."""
    rng = np.random.default_rng(program.seed)
    tangents = tuple(float(rng.normal()) if isinstance(a, float) else rng.normal(size=a.shape)
                     for a in args)
    try:
        _, tangent = sx.jvp(f, args, tangents)
        _, pullback = sx.vjp(f, *args)
        pulled = pullback(1.0)
    except Exception as exc:
        raise AssertionError(_report(program, f"sx.jvp or sx.vjp raised {exc!r}")) from exc
    ref = central_difference(f, args, tangents, 1e-6)
    if not _close(tangent, ref):
        if not _close(ref, central_difference(f, args, tangents, 1e-5)):
            reject()
        raise AssertionError(_report(
            program, "sx.jvp disagrees with finite differences along the tangent",
            f"jvp: {tangent!r}\nfinite differences: {ref!r}"))
    for name, p, g in zip("xya", pulled, grads):
        assert _close(p, g), _report(program, f"vjp's pullback(1.0) for {name} is not grad",
                                     f"pullback: {np.asarray(p).tolist()}\n"
                                     f"grad: {np.asarray(g).tolist()}")


# -- checking in parallel ---------------------------------------------------
#
# Transforming a program costs srcxform ~0.1 s, generating it ~0.01 s.  The
# profile tests therefore draw the programs with hypothesis first, then check
# them in a pool of worker processes (one per CPU), one task per distinct
# source (a source drawn again, with other inputs, reuses srcxform's cached
# gradient in the same worker).  If a worker reports a failure, the same
# hypothesis test runs again with the check done inline: derandomized, it
# draws exactly the same programs in the same order, so it fails on the same
# program and shrinks it to a minimal one.


def _check_in_worker(group: list[Program], directory: str) -> list[tuple[str, str | None]]:
    """For each program (all with the same source): "ok", "rejected" or "failed" + report."""
    from hypothesis.errors import UnsatisfiedAssumption

    loaded: dict = {}
    out = []
    for program in group:
        try:
            check_against_finite_differences(program, Path(directory), loaded)
        except UnsatisfiedAssumption:
            out.append(("rejected", None))
        except BaseException as exc:  # any error is a finding; keep the whole report
            out.append(("failed", "".join(traceback.format_exception(exc))))
        else:
            out.append(("ok", None))
    return out


def _pool() -> concurrent.futures.ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return concurrent.futures.ProcessPoolExecutor(max_workers=os.cpu_count() or 1,
                                                  mp_context=context)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_random_programs_match_finite_differences(profile, tmp_path):
    inline = False  # False: only draw the programs; True: check each one here
    loaded: dict = {}
    drawn: dict[str, list[Program]] = {}

    @settings(max_examples=EXAMPLES_PER_PROFILE, **SETTINGS)
    @given(programs(profile))
    def run(program):
        if inline:
            check_against_finite_differences(program, tmp_path, loaded)
        else:
            assume(measure(program).acceptable)  # exactly as the inline check does
            drawn.setdefault(program.source, []).append(program)

    run()
    results: dict[str, list] = {}
    try:
        with _pool() as pool:
            futures = {source: pool.submit(_check_in_worker, group, str(tmp_path))
                       for source, group in drawn.items()}
            results = {source: future.result() for source, future in futures.items()}
        failures = [report for outcome in results.values() for status, report in outcome
                    if status == "failed"]
    except concurrent.futures.BrokenExecutor as exc:  # a worker process died
        failures = [f"a worker process died: {exc!r}"]
    if failures:
        inline = True
        run()  # replays the same programs; fails on the first bad one and shrinks it
        raise AssertionError(f"{len(failures)} generated program(s) failed in the worker "
                             f"processes, but the inline replay passed; the first failure:\n"
                             f"{failures[0]}")
    checked = [source for source, outcome in results.items()
               if any(status == "ok" for status, _ in outcome)]
    # four profiles: at least MIN_PROGRAMS distinct programs in all
    assert len(checked) >= MIN_PROGRAMS // len(PROFILES), \
        f"only {len(checked)} distinct {profile!r} programs were checked"


# ----------------------------------------------------------------------------
# the generator itself (no srcxform compiler involved)

#: Features every self-check run must contain.
EXPECTED_FEATURES = {
    "if", "elif", "else", "ifexp", "and", "or", "not", "for_range", "for_range_args",
    "for_array", "for_tuple", "for_list", "for_enumerate", "for_zip", "while", "while_data",
    "break", "continue", "early_return", "helper_call", "keyword_call", "tuple_return",
    "tuple_assign", "subscript_write", "subscript_augassign", "append", "math",
}


def test_generator_programs_run_and_finite_differences_are_stable(tmp_path):
    seen: collections.Counter = collections.Counter()
    autograd = None
    try:
        from tests.control_flow.oracles import autograd_grads

        autograd = autograd_grads
    except ImportError:  # pragma: no cover - autograd is a test dependency
        pass

    @settings(max_examples=SELF_CHECK_EXAMPLES, **SETTINGS)
    @given(st.sampled_from(sorted(PROFILES)).flatmap(programs))
    def run(program):
        check_constructs(program.source)
        measured = measure(program)
        assume(measured.acceptable)
        f, args = load(program, tmp_path).f, program.args()
        value = f(*args)
        assert np.ndim(value) == 0 and float(value) == measured.value, program.source
        refs = [finite_difference(f, args, i) for i in range(3)]
        for i, ref in enumerate(refs):
            coarse = finite_difference(f, args, i, eps=1e-5)
            assert _close(ref, coarse), f"unstable FD for arg {i}:\n{program.source}"
        if autograd is not None:
            for i, (g, ref) in enumerate(zip(autograd(f, args, (0, 1, 2)), refs)):
                assert _close(g, ref), f"autograd disagrees for arg {i}:\n{program.source}"
        seen.update(features(program.source))
        seen["programs"] += 1

    run()
    assert seen["programs"] >= 0.9 * SELF_CHECK_EXAMPLES
    missing = EXPECTED_FEATURES - set(seen)
    assert not missing, f"the generator never produced: {sorted(missing)}"


def test_generator_measure_rejects_ties_and_large_values():
    tie = Program("import numpy as np\n\n\ndef f(x, y, a):\n    s = 0.0\n"
                  "    if a * 0.0 > 0.0:\n        s = a\n    return s + np.sum(x)\n", 1, "test")
    assert measure(tie).min_margin < MARGIN and not measure(tie).acceptable
    big = Program("import numpy as np\n\n\ndef f(x, y, a):\n    v = x * 1e5\n"
                  "    return np.sum(v) * 0.0\n", 1, "test")
    assert not measure(big).acceptable
    fine = Program("import numpy as np\n\n\ndef f(x, y, a):\n    s = np.sum(x)\n"
                   "    if a > 5.0:\n        s = -s\n    return s\n", 1, "test")
    m = measure(fine)
    assert m.acceptable and m.comparisons == 1 and m.value == pytest.approx(np.sum(fine.args()[0]))


def test_generator_loads_programs_that_inspect_can_read(tmp_path):
    import inspect

    program = Program("import numpy as np\n\n\ndef f(x, y, a):\n    return np.sum(x * y) + a\n",
                      3, "test")
    module = load(program, tmp_path)
    assert inspect.getsource(module.f) == program.source.split("\n\n\n")[1]

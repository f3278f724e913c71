"""The oracle both fuzzers share: run one program through every transform and judge it.

``check(program, f)`` returns a :class:`Result` whose ``outcome`` is one of

* ``"invalid"`` — the program itself raised, or its value is not finite or
  larger than ``MAX_ABS`` (a generator defect or bad luck; not counted);
* ``"nonsmooth"`` — central finite differences (``tests/helpers.py``) at
  steps ``EPS`` and ``EPS_COARSE`` along a random direction disagree with
  each other (the program is not smooth enough at its inputs to judge; not
  counted);
* ``"ok"`` — ``sx.value_and_grad`` (value equals calling the function,
  gradient projected on the random direction equals the directional
  differences at either step — element-wise differences are taken only to
  report a disagreement —, shapes of the
  arguments, a float for a float), ``sx.vjp`` (its value, and
  ``pullback(c)`` equals ``c`` times the finite differences) and ``sx.jvp``
  (its value, and the tangent equals the directional difference) all agree,
  and none of them changed an argument the function itself leaves alone;
* ``"refused"`` — at least one transform raised a located
  ``sx.TransformError`` (line > 0, a real file) and the others agreed;
* ``"contract"`` — the numbers are right but a promise of API.md is not
  (a float argument's gradient is not a float);
* ``"crash"`` — a transform raised anything else, a ``TransformError``
  without a location, or the checks took more than ``TIME_LIMIT`` CPU seconds;
* ``"wrong"`` — a transform returned a wrong value, gradient or tangent (the
  worst outcome).

Each disagreement, crash and refusal is one :class:`Finding` (transform,
kind, detail), so families (``families.py``) can match on them.  Every call
gets fresh copies of the arguments; the function's own value is taken the
same way.
"""

from __future__ import annotations

import contextlib
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import srcxform as sx
from tests.fuzz.program import Program
from tests.helpers import central_difference, finite_difference

RTOL, ATOL = 1e-5, 1e-6
EPS, EPS_COARSE = 1e-6, 1e-5
MAX_ABS = 1e3
VALUE_RTOL = 1e-10  # the generated forward sweep may group sums differently
COTANGENT = 0.7
TIME_LIMIT = 20.0  # CPU seconds per program, all transforms together (a loaded machine
#                    stretches wall-clock time, not CPU time)

OUTCOMES = ("ok", "refused", "contract", "crash", "wrong", "nonsmooth", "invalid")
TRANSFORMS = ("value_and_grad", "vjp", "jvp")


@dataclass(frozen=True)
class Finding:
    """One thing a transform did: ``kind`` is "wrong", "crash", "contract" or "refused"."""

    transform: str
    kind: str
    detail: str

    def line(self) -> str:
        return f"{self.transform}: {self.kind}: {self.detail}"


@dataclass
class Result:
    program: Program
    outcome: str = "ok"
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0  # wall-clock time of the check
    cpu: float = 0.0  # CPU time of the check (what a less loaded machine would take)

    @property
    def bad(self) -> list[Finding]:
        """The findings that break a promise (wrong values, crashes, API contract)."""
        return [f for f in self.findings if f.kind in ("wrong", "crash", "contract")]


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise ``_Timeout`` after ``seconds`` of CPU time (main thread of a POSIX process)."""
    if not hasattr(signal, "setitimer"):
        yield
        return
    try:
        old = signal.signal(signal.SIGPROF, _raise_timeout)
    except ValueError:  # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


def _raise_timeout(signum, frame):
    raise _Timeout()


def _close(a: Any, b: Any, rtol: float = RTOL, atol: float = ATOL) -> bool:
    try:
        return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        return False


def _copying(f: Callable, fresh: Callable[[], tuple]) -> Callable:
    """``f`` on copies of its arguments (a program may write into them), each argument a
    fresh copy's type: a float stays a float."""
    def call(*args: Any) -> float:
        base = fresh()
        copied = [np.array(a, dtype=float) if isinstance(b, np.ndarray) else float(a)
                  for a, b in zip(args, base)]
        return float(f(*copied))
    return call


def _fd(f: Callable, args: tuple, i: int, eps: float, fresh: Callable[[], tuple]) -> Any:
    """Central differences of ``f`` with respect to ``args[i]`` (tests/helpers.py)."""
    return finite_difference(_copying(f, fresh), list(fresh()), i, eps)


def _directional(f: Callable, fresh: Callable[[], tuple], tangents: tuple, eps: float) -> float:
    """The derivative of ``f`` along ``tangents`` by central differences (tests/helpers.py)."""
    return float(central_difference(_copying(f, fresh), list(fresh()), list(tangents), eps))


def _agrees(g: Any, refs: tuple) -> bool:
    return any(_close(g, r) for r in refs)


def _fmt(v: Any) -> str:
    return repr(np.round(np.asarray(v, dtype=float), 6).tolist()) \
        if np.asarray(v).dtype.kind in "fiub" else repr(v)


def _exception_finding(transform: str, exc: BaseException) -> Finding:
    if isinstance(exc, _Timeout):
        return Finding(transform, "crash", f"Timeout: more than {TIME_LIMIT} CPU seconds")
    if isinstance(exc, sx.TransformError):
        located = exc.lineno > 0 and exc.filename not in ("", "<unknown>")
        if located:
            return Finding(transform, "refused", f"{exc.reason} [{exc.construct}]")
        return Finding(transform, "crash", f"TransformError without a location: {exc}")
    frames = traceback.extract_tb(exc.__traceback__)
    where = frames[-1].filename if frames else "?"
    where = where if where.startswith("<") else where.rsplit("/", 1)[-1]
    text = str(exc).splitlines()[0] if str(exc) else ""
    return Finding(transform, "crash", f"{type(exc).__name__}: {text[:200]} (in {where})")


def _judge_value(transform: str, got: Any, want: float) -> list[Finding]:
    try:
        ok = np.size(got) == 1 and bool(np.isclose(float(np.asarray(got).ravel()[0]), want,
                                                   rtol=VALUE_RTOL, atol=1e-12))
    except (TypeError, ValueError):
        ok = False
    return [] if ok else [Finding(transform, "wrong", f"value {_fmt(got)}, the function "
                                                      f"returns {want!r}")]


def _judge_gradient(transform: str, i: int, g: Any, arg: Any, refs: tuple,
                    scale: float = 1.0) -> list[Finding]:
    form = _judge_form(transform, i, g, arg)
    if form:
        return form
    scaled = tuple(np.asarray(r) * scale for r in refs)
    if _agrees(g, scaled):
        return []
    return [Finding(transform, "wrong", f"gradient {i} is {_fmt(g)}, finite differences "
                                        f"{_fmt(scaled[0])}")]


def _judge_form(transform: str, i: int, g: Any, arg: Any) -> list[Finding]:
    """A gradient's shape, type and dtype are its argument's."""
    if np.shape(g) != np.shape(arg):
        return [Finding(transform, "wrong", f"gradient {i} has shape {np.shape(g)}, its "
                                            f"argument {np.shape(arg)}")]
    if isinstance(arg, float) and not isinstance(g, float):
        return [Finding(transform, "contract", f"gradient {i} of a float is a "
                                               f"{type(g).__name__}")]
    if not np.issubdtype(np.asarray(g).dtype, np.floating):
        return [Finding(transform, "wrong", f"gradient {i} has dtype {np.asarray(g).dtype}")]
    return []


def _unchanged(before: tuple, after: tuple) -> bool:
    return all(np.array_equal(a, b) for a, b in zip(before, after))


def check(program: Program, f: Callable[..., Any],
          transforms: tuple[str, ...] = TRANSFORMS) -> Result:
    """Run ``program`` (its entry function ``f``) through ``transforms``; see the module doc."""
    start, cpu = time.perf_counter(), time.process_time()
    result = Result(program)
    try:
        with np.errstate(all="ignore"), _time_limit(TIME_LIMIT):
            _check(program, f, result, transforms)
    except _Timeout:
        result.findings.append(Finding("oracle", "crash",
                                       f"Timeout: more than {TIME_LIMIT} CPU seconds"))
    result.seconds = time.perf_counter() - start
    result.cpu = time.process_time() - cpu
    if result.outcome in ("ok",):
        kinds = {x.kind for x in result.findings}
        result.outcome = next((k for k in ("wrong", "crash", "contract", "refused")
                               if k in kinds), "ok")
    return result


def _check(program: Program, f: Callable[..., Any], result: Result,
           transforms: tuple[str, ...]) -> None:
    fresh = program.args
    n = len(program.shapes)
    try:
        probe = fresh()
        value = float(f(*probe))
        mutates = not _unchanged(probe, fresh())
    except Exception:
        result.outcome = "invalid"
        return
    if not np.isfinite(value) or abs(value) > MAX_ABS:
        result.outcome = "invalid"
        return
    rng = np.random.default_rng(program.seed + 1)
    tangents = tuple(float(rng.normal()) if s == () else rng.normal(size=s)
                     for s in program.shapes)
    dref = (_directional(f, fresh, tangents, EPS), _directional(f, fresh, tangents, EPS_COARSE))
    if not _close(*dref):
        result.outcome = "nonsmooth"
        return
    # The cheap path: gradients are judged by their projection on the random direction
    # `tangents` (exact for a right gradient; a wrong one matches with probability 0).
    # Element-wise differences at both steps are taken only to report a disagreement.
    memo: dict[int, tuple] = {}

    def refs(i: int) -> tuple:
        if i not in memo:
            memo[i] = (_fd(f, probe, i, EPS, fresh), _fd(f, probe, i, EPS_COARSE, fresh))
        return memo[i]

    def judge_all(transform: str, gs: Any, scale: float = 1.0) -> list[Finding]:
        out: list[Finding] = []
        for i in range(n):
            out += _judge_form(transform, i, gs[i], probe[i])
        if out:
            return out
        projected = sum(float(np.sum(np.asarray(gs[i], dtype=float) * tangents[i]))
                        for i in range(n))
        if _agrees(projected, tuple(scale * d for d in dref)):
            return []
        for i in range(n):
            out += _judge_gradient(transform, i, gs[i], probe[i], refs(i), scale)
        return out or [Finding(transform, "wrong", f"gradient along the test direction "
                                                   f"{projected!r}, directional differences "
                                                   f"{scale * dref[0]!r}")]
    wrt = tuple(range(n))
    found = result.findings

    def attempt(transform: str, run: Callable[[tuple], list[Finding]]) -> None:
        args = fresh()
        try:
            found.extend(run(args))
        except _Timeout:
            raise
        except Exception as exc:
            found.append(_exception_finding(transform, exc))
            return
        if not mutates and not _unchanged(args, fresh()):
            found.append(Finding(transform, "wrong", "changed an argument the function "
                                                     "leaves alone"))

    def grad(args: tuple) -> list[Finding]:
        v, gs = sx.value_and_grad(f, wrt=wrt)(*args)
        return _judge_value("value_and_grad", v, value) + judge_all("value_and_grad", gs)

    def vjp(args: tuple) -> list[Finding]:
        v, pullback = sx.vjp(f, *args)
        out = _judge_value("vjp", v, value)
        cotangent = np.full(np.shape(v), COTANGENT) if isinstance(v, np.ndarray) else COTANGENT
        return out + judge_all("vjp", pullback(cotangent), COTANGENT)

    def jvp(args: tuple) -> list[Finding]:
        v, t = sx.jvp(f, args, tangents)
        out = _judge_value("jvp", v, value)
        if not (np.size(t) == 1 and _agrees(float(np.asarray(t).ravel()[0]), dref)):
            out.append(Finding("jvp", "wrong", f"tangent {_fmt(t)}, directional differences "
                                               f"{dref[0]!r}"))
        return out

    for name, run in (("value_and_grad", grad), ("vjp", vjp), ("jvp", jvp)):
        if name in transforms:
            attempt(name, run)

"""The oracle both fuzzers share: run one program through every transform and judge it.

``check(program, f)`` returns a :class:`Result` whose ``outcome`` is one of

* ``"invalid"`` — the program itself raised, or its value is not finite or
  larger than ``MAX_ABS`` (a generator defect or bad luck; not counted);
* ``"nonsmooth"`` — central finite differences at steps ``EPS`` and
  ``EPS_COARSE`` disagree with each other for some argument or along the jvp
  direction (the program is not smooth enough at its inputs to judge; not
  counted);
* ``"ok"`` — ``sx.value_and_grad`` (value equals calling the function,
  gradient equals finite differences at either step, shapes of the
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


def _fd(f: Callable, args: tuple, i: int, eps: float, fresh: Callable[[], tuple]) -> Any:
    base = fresh()
    x = np.array(base[i], dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        values = []
        for sign in (1.0, -1.0):
            xs = x.copy()
            xs[idx] += sign * eps
            call = list(fresh())
            call[i] = float(xs) if x.ndim == 0 else xs
            values.append(float(f(*call)))
        g[idx] = (values[0] - values[1]) / (2 * eps)
    return float(g) if x.ndim == 0 else g


def _directional(f: Callable, fresh: Callable[[], tuple], tangents: tuple, eps: float) -> float:
    out = []
    for sign in (1.0, -1.0):
        call = [a + sign * eps * t if np.ndim(a) else float(a + sign * eps * t)
                for a, t in zip(fresh(), tangents)]
        out.append(float(f(*call)))
    return (out[0] - out[1]) / (2 * eps)


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
    if np.shape(g) != np.shape(arg):
        return [Finding(transform, "wrong", f"gradient {i} has shape {np.shape(g)}, its "
                                            f"argument {np.shape(arg)}")]
    if isinstance(arg, float) and not isinstance(g, float):
        return [Finding(transform, "contract", f"gradient {i} of a float is a "
                                               f"{type(g).__name__}")]
    if not np.issubdtype(np.asarray(g).dtype, np.floating):
        return [Finding(transform, "wrong", f"gradient {i} has dtype {np.asarray(g).dtype}")]
    scaled = tuple(np.asarray(r) * scale for r in refs)
    if _agrees(g, scaled):
        return []
    return [Finding(transform, "wrong", f"gradient {i} is {_fmt(g)}, finite differences "
                                        f"{_fmt(scaled[0])}")]


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
    refs = [(_fd(f, probe, i, EPS, fresh), _fd(f, probe, i, EPS_COARSE, fresh))
            for i in range(n)]
    rng = np.random.default_rng(program.seed + 1)
    tangents = tuple(float(rng.normal()) if s == () else rng.normal(size=s)
                     for s in program.shapes)
    dref = (_directional(f, fresh, tangents, EPS), _directional(f, fresh, tangents, EPS_COARSE))
    if not all(_close(a, b) for a, b in refs) or not _close(*dref):
        result.outcome = "nonsmooth"
        return
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
        out = _judge_value("value_and_grad", v, value)
        for i in range(n):
            out += _judge_gradient("value_and_grad", i, gs[i], probe[i], refs[i])
        return out

    def vjp(args: tuple) -> list[Finding]:
        v, pullback = sx.vjp(f, *args)
        out = _judge_value("vjp", v, value)
        cotangent = np.full(np.shape(v), COTANGENT) if isinstance(v, np.ndarray) else COTANGENT
        gs = pullback(cotangent)
        for i in range(n):
            out += _judge_gradient("vjp", i, gs[i], probe[i], refs[i], COTANGENT)
        return out

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

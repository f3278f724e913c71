"""What a NumPy caller pays per call for the backend dispatch (the guard's namespace check).

Usage: ``python benchmarks/numpy_path.py [--quick]``.

Since gradients run on other array libraries (``srcxform/backends/``), the
cache's per-call guard also tests that each argument's type is plainly NumPy's
(``type(a) is np.ndarray or type(a) in PLAIN``, ``cache/guard.py``: ``_plain``
and the tail of ``_promotion``); anything else goes to the slow path, which
finds the arguments' namespace.  This script times, in one process with
interleaved repeats (min over repeats), on a tiny function (where the guard's
overhead dominates; one array differentiated, an array and a float not) and on
the MLP workload of ``workloads.py`` (four arrays differentiated, two not):

* ``generated``: the generated gradient called directly (no guard, no dispatch);
* ``guard``: ``sx.grad(f)`` as users call it (its fast path for calls like the
  last one: ``type(x) is <type>`` per argument, then the call);
* ``general``: the guard's general path (its fast path turned off), with the
  namespace check;
* ``general, no check``: the same guard built without the namespace check (the
  guard text before the backends, ``cb810ba^``), calling the same generated code;

and prints the namespace check's cost per call (``general`` minus ``general, no
check``) and the ratios: ``general / general, no check`` is the before/after of the
backends on the general path; the fast path never reaches the check.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import inspect
import linecache
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from common import interleaved_best  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

import srcxform as sx  # noqa: E402
from srcxform.cache import entry as cache_entry  # noqa: E402
from srcxform.cache import guard  # noqa: E402


def tiny(w, x, c):
    return np.sum(w * x) * c


def _promotion_before(value: str, S: str, X: str) -> str:
    """``guard._promotion`` as it was before the backends (``cb810ba^``)."""
    return (f"((({X} := {S}[2]({value})) is {S}[0] and {value}.dtype.kind not in 'biu') "
            f"or ({X} is not {S}[0] and {X} not in {S}[1]))")


def _plain_before(value: str, S: str, X: str) -> str:
    return "True"


@contextlib.contextmanager
def patched(no_fast: bool, no_check: bool):
    """Build guards without the fast path and/or without the namespace check."""
    saved = (cache_entry.Entry.fast_path, guard._promotion, guard._plain)
    if no_fast:
        cache_entry.Entry.fast_path = lambda self: None
    if no_check:
        guard._promotion, guard._plain = _promotion_before, _plain_before
    try:
        yield
    finally:
        cache_entry.Entry.fast_path, guard._promotion, guard._plain = saved


def guard_text(df) -> str:
    code = getattr(df, "__code__", None)
    return "".join(linecache.getlines(code.co_filename)) if code is not None else ""


def fresh_copy(f, tag: str):
    """``f`` defined again in a module of its own (a transformed function has one cache
    entry, whose guard every ``sx.grad`` of it shares: each variant needs its own)."""
    path = Path(tempfile.mkdtemp(prefix="numpy_path_")) / f"copy_{tag}.py"
    path.write_text("import numpy as np\n\n\n" + inspect.getsource(f))
    spec = importlib.util.spec_from_file_location(f"numpy_path_copy_{tag}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return getattr(module, f.__name__)


def variants(f, wrt, args) -> dict:
    """The four callables of the module docstring, checked to give the same gradient."""
    df = sx.grad(f, wrt=wrt)
    df(*args)
    df(*args)
    direct = sx.cache.concrete(df, args)
    made = {"generated": direct, "guard": df}
    for name, no_check in (("general", False), ("general, no check", True)):
        with patched(no_fast=True, no_check=no_check):
            g = sx.grad(fresh_copy(f, f"{f.__name__}_{int(no_check)}"), wrt=wrt)
            for _ in range(3):
                g(*args)
        made[name] = g
    for name, fn in made.items():  # (snapshot slot 7: backends.PLAIN)
        text = guard_text(fn)
        if name != "generated" and ("[7]" in text) == (name == "general, no check") \
                or name.startswith("general") and "return __sx_s[" in text:
            raise SystemExit(f"{name}: the guard was not built as asked:\n{text}")
    want = direct(*args)
    for name, fn in made.items():
        got = fn(*args)
        for a, b in zip(got, want) if isinstance(wrt, tuple) else [(got, want)]:
            np.testing.assert_allclose(a, b, rtol=0, atol=0, err_msg=name)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    rounds, repeats = (6, 10) if quick else (30, 25)
    mlp = next(w for w in WORKLOADS if w.name == "mlp_tanh")
    rng = np.random.default_rng(0)
    # tiny: w differentiated; an array x and a float c not (each gets the type test)
    cases = [("tiny (n = 3)", tiny, 0, (rng.standard_normal(3), rng.standard_normal(3), 0.5)),
             ("mlp_tanh", mlp.f, mlp.wrt, mlp.make_args(rng, False))]
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}; times per call "
          "(min of interleaved repeats)\n")
    names = ["generated", "guard", "general", "general, no check"]
    print(f"{'workload':<14} " + " ".join(f"{n:>18}" for n in names)
          + f" {'check':>8} {'general/no check':>17} {'guard/generated':>16}")
    for label, f, wrt, args in cases:
        made = variants(f, wrt, args)
        cols = {k: (lambda fn=fn, args=args: fn(*args)) for k, fn in made.items()}
        times = interleaved_best(cols, rounds, repeats, scale="generated")
        check = times["general"] - times["general, no check"]
        print(f"{label:<14} " + " ".join(f"{times[n] * 1e6:>16.3f}us" for n in names)
              + f" {check * 1e9:>6.0f}ns {times['general'] / times['general, no check']:>16.3f}x"
              f" {times['guard'] / times['generated']:>15.3f}x")


if __name__ == "__main__":
    main()

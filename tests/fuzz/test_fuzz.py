"""The two fuzzers in CI: mutation/aliasing programs and name-collision programs.

Each fuzzer checks ``SRCXFORM_FUZZ_PROGRAMS`` programs (default: the CI
budget ``DEFAULT_PROGRAMS``, 3,000 names programs and 2,000 mutation
programs — a mutation program costs about three times as much, see
FINDINGS.md) with fixed seeds, in test items of ``BATCH`` programs (one
module file per batch for the mutation fuzzer), so pytest-xdist spreads them
over the cores.  Every program goes through ``value_and_grad``, ``vjp``
and ``jvp`` against its own value and central finite differences at two
step sizes (``oracle.py``).

An item fails when

* a wrong value, gradient or tangent, or a crash (anything but a located
  ``TransformError``), is not explained by a family still open in
  ``families.OPEN`` (the report shows the program, its arguments, the
  findings and the command that shrinks it);
* fewer than ``MIN_COUNTED`` of its programs could be judged (the generator
  broke: programs that do not run or are not smooth are not counted).

Refusals (located ``TransformError``) never fail it.  The counts of each
batch are recorded and summed up at the end of the run (``tests/conftest.py``).
The self-tests at the bottom check the generators without srcxform and
that the oracle does flag a wrong gradient and a crash.
"""

from __future__ import annotations

import ast
import collections
import math
import os
from dataclasses import replace

import numpy as np
import pytest

import srcxform as sx
from tests.fuzz import families, oracle
from tests.fuzz.program import Program, load_batch
from tests.fuzz.run import GENERATORS, run_batch, seeds_of

DEFAULT_PROGRAMS = {"mutation": 3000, "names": 3000}
BATCH = 100
MIN_COUNTED = 0.8
_ASKED = os.environ.get("SRCXFORM_FUZZ_PROGRAMS")
PROGRAMS = {f: int(_ASKED) if _ASKED else DEFAULT_PROGRAMS[f] for f in sorted(GENERATORS)}
ITEMS = [(fuzzer, batch) for fuzzer in sorted(GENERATORS)
         for batch in range(math.ceil(PROGRAMS[fuzzer] / BATCH))]


def _report(result: oracle.Result, unexplained: list[oracle.Finding]) -> str:
    p = result.program
    lines = [f"{len(unexplained)} finding(s) no open family explains "
             f"(outcome {result.outcome}):"]
    lines += [f"  {f.line()}" for f in unexplained]
    others = [f for f in result.findings if f not in unexplained]
    lines += [f"  (also: {f.line()})" for f in others]
    lines += [p.describe(),
              f"shrink it with: PYTHONPATH=. python -m tests.fuzz.minimize {p.fuzzer} {p.seed}"]
    return "\n".join(lines)


@pytest.mark.fuzz
@pytest.mark.parametrize("fuzzer,batch", ITEMS, ids=[f"{f}-{b}" for f, b in ITEMS])
def test_fuzz_batch(fuzzer, batch, tmp_path, record_property):
    seeds = seeds_of(fuzzer, batch, BATCH, PROGRAMS[fuzzer])
    checked = run_batch(fuzzer, seeds, tmp_path)
    results = [c.result for c in checked]
    outcomes = collections.Counter(r.outcome for r in results)
    hit: collections.Counter = collections.Counter()
    failures = []
    for c in checked:
        hit.update(c.families)
        if c.unexplained:
            failures.append(_report(c.result, c.unexplained))
    record_property("fuzz", {"fuzzer": fuzzer, "outcomes": dict(outcomes),
                             "families": dict(hit),
                             "seconds": sum(r.seconds for r in results),
                             "cpu": sum(c.cpu for c in checked)})
    print(f"{fuzzer} batch {batch}: {dict(outcomes)}; open families hit: {dict(hit)}")
    assert not failures, f"{len(failures)} program(s) of {len(results)} failed; the first:\n" \
                         f"{failures[0]}"
    counted = len(results) - outcomes["invalid"] - outcomes["nonsmooth"]
    assert counted >= MIN_COUNTED * len(results), \
        f"only {counted} of {len(results)} programs could be judged: {dict(outcomes)}"


#: Programs per fuzzer checked with every array size a batch size (srcxform/cache/sizes.py),
#: from seeds the batches above do not reach in CI.
PATTERN_PROGRAMS = 100
PATTERN_START = 50_000


@pytest.mark.fuzz
@pytest.mark.parametrize("fuzzer", sorted(GENERATORS))
def test_fuzz_batch_with_every_size_a_batch_size(fuzzer, tmp_path, monkeypatch):
    """The same oracle on gradients compiled for shape patterns: each size of every array
    argument a ``Dim`` from the first call (code that must be right for any such size)."""
    from srcxform.cache import sizes

    monkeypatch.setattr(sizes, "EVERY_SIZE", True)
    base = seeds_of(fuzzer, 0, 1, 1).start + PATTERN_START
    checked = run_batch(fuzzer, range(base, base + PATTERN_PROGRAMS), tmp_path)
    failures = [_report(c.result, c.unexplained) for c in checked if c.unexplained]
    outcomes = collections.Counter(c.result.outcome for c in checked)
    print(f"{fuzzer} with patterns: {dict(outcomes)}")
    assert not failures, f"{len(failures)} program(s) failed; the first:\n{failures[0]}"
    assert outcomes["ok"] >= 0.3 * len(checked), dict(outcomes)


# ----------------------------------------------------------------------------
# the generators and the oracle themselves


@pytest.mark.parametrize("fuzzer", sorted(GENERATORS))
def test_generator_is_deterministic_and_programs_run(fuzzer, tmp_path):
    seeds = list(seeds_of(fuzzer, 0, 200, 200))
    programs = [GENERATORS[fuzzer](s) for s in seeds]
    assert programs == [GENERATORS[fuzzer](s) for s in seeds]
    assert len({p.function for p in programs}) >= 190
    tags: collections.Counter = collections.Counter()
    ran = 0
    for p, f in zip(programs, load_batch(programs, tmp_path)):
        ast.parse(p.source)
        tags.update(p.tags)
        value = f(*p.args())
        ran += bool(np.isfinite(value) and np.ndim(value) == 0)
    assert ran >= 0.95 * len(programs)
    wanted = {
        "mutation": {"copy", "create", "elem_write", "elem_aug", "slice_write", "slice_aug",
                     "slice_self_read", "slice_self_aug", "slice_overlap", "row_col_write",
                     "aug_name", "aug_alias", "view", "alias", "helper_alias", "helper_view",
                     "helper_mutates", "write_through_alias", "loop_buffer", "append_array",
                     "append_copy", "list_read", "swap_shapes", "early_return", "cond_write",
                     "arg_write", "copy_of_local", "profile_plain", "profile_alias"},
        "names": {"param_shadows_global", "local_shadows_global", "local_named_like_builtin",
                  "local_named_like_emitted", "local_named_like_callees_callee",
                  "local_named_like_adjoint", "adjoint_call", "same_name_argument",
                  "keyword_argument", "default_used", "default_parameter", "reads_global",
                  "call_level2", "call_level3", "loop", "builtin_sum", "builtin_abs",
                  "builtin_max", "builtin_min", "builtin_len"},
    }[fuzzer]
    assert not wanted - set(tags), f"never generated: {sorted(wanted - set(tags))}"


def _one(text: str, shapes, tmp_path) -> tuple[Program, object]:
    program = Program("mutation", 7, "g7", text, "import numpy as np\n", shapes)
    return program, load_batch([program], tmp_path)[0]


def test_oracle_accepts_a_right_gradient_and_discards_a_kink(tmp_path):
    good = _one("def g7(x, a):\n    p = x.copy()\n    p[1] *= a\n    return np.sum(p * p)\n",
                ((4,), ()), tmp_path)
    assert oracle.check(*good).outcome == "ok"
    x0 = Program("mutation", 7, "g7", "", "", ((4,),)).args()[0][0]
    jump = _one(f"def g7(x):\n    return np.sum(x) + (1.0 if x[0] > {x0 + 3e-6!r} else 0.0)\n",
                ((4,),), tmp_path)  # a step of 1e-5 crosses the jump, 1e-6 does not
    assert oracle.check(*jump).outcome == "nonsmooth"


def test_oracle_flags_wrong_gradients_and_crashes(tmp_path, monkeypatch):
    program, f = _one("def g7(x, a):\n    return np.sum(np.sin(x) * a)\n", ((4,), ()), tmp_path)
    real = sx.value_and_grad

    def off_by_a_bit(fn, wrt=0):
        inner = real(fn, wrt=wrt)

        def run(*args):
            value, grads = inner(*args)
            return value, (grads[0] * 1.01,) + tuple(grads[1:])
        return run

    monkeypatch.setattr(sx, "value_and_grad", off_by_a_bit)
    result = oracle.check(program, f)
    assert result.outcome == "wrong" and result.bad[0].transform == "value_and_grad"
    assert families.explain(result, open_families=[])[1] == result.bad

    def crash(fn, primals, tangents):
        raise IndexError("planted")

    monkeypatch.setattr(sx, "jvp", crash)
    result = oracle.check(program, f)
    assert any(x.kind == "crash" and "IndexError: planted" in x.detail for x in result.bad)


@pytest.mark.parametrize("fuzzer", sorted(GENERATORS))
def test_rewrites_compute_what_the_program_computes(fuzzer, tmp_path):
    """Every family's rewrite keeps the program's value and its finite differences."""
    from tests.fuzz.oracle import EPS, _fd

    rewrites = {fam.rewrite for fam in families.FAMILIES.values()
                if fam.rewrite is not None and fam.for_fuzzer(fuzzer)}
    programs = [GENERATORS[fuzzer](s) for s in seeds_of(fuzzer, 0, 60, 60)]
    pairs = [(p, q) for p in programs for q in (r(p) for r in rewrites) if q is not None]
    assert len(pairs) >= 40
    by_seed = dict(zip([p.seed for p in programs], load_batch(programs, tmp_path / "a")))
    rewritten = load_batch([replace(q, shared_module=False) for _, q in pairs], tmp_path / "b")
    for (p, q), g in zip(pairs, rewritten):
        f = by_seed[p.seed]
        with np.errstate(all="ignore"):
            want = f(*p.args())
            if not np.isfinite(want):
                continue
            assert g(*q.args()) == pytest.approx(want, rel=1e-12, abs=1e-12), q.source
            assert np.allclose(_fd(g, q.args(), 0, EPS, q.args), _fd(f, p.args(), 0, EPS, p.args),
                               rtol=1e-6, atol=1e-8), q.source


def test_every_family_is_open_or_closed_and_pinned_by_a_regression_test():
    from pathlib import Path

    assert set(families.OPEN) <= set(families.FAMILIES)
    text = (Path(__file__).parents[1] / "test_issue10_regressions.py").read_text()
    findings = (Path(__file__).parent / "FINDINGS.md").read_text()
    for name in families.FAMILIES:
        assert f'"{name}"' in text, f"no regression test names the family {name}"
        assert f"### {name}" in findings, f"FINDINGS.md has no section on {name}"

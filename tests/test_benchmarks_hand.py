"""The benchmark baselines are trustworthy and the runners run.

After this module passes: every workload of ``benchmarks/workloads.py``
(the timed ones and the long loops of the memory table) returns a scalar,
its hand-written gradient has the structure ``wrt`` asks for (one gradient,
or a tuple in ``wrt`` order; floats for float arguments) and agrees per
element with central finite differences of ``f`` on small float64 inputs;
``benchmarks/run.py --quick`` runs to the end and prints its table (whether
srcxform supports each workload yet is not asserted here); CI's gross
regression guard (``run.py --quick --guard --no-peers``) passes: srcxform
agrees with every hand gradient and is within each workload's ``max_ratio``
(3x unless the workload says why not) of its time; and the memory,
transform-time and profiling scripts run on small selections and print
their tables, with no gradient mismatch.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tests.helpers import finite_difference

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_srcxform_bench_{name}",
                                                  BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return module


workloads = _load("workloads")


ALL_WORKLOADS = workloads.WORKLOADS + [
    w for w in workloads.MEMORY_WORKLOADS if w.name not in {v.name for v in workloads.WORKLOADS}]


@pytest.mark.parametrize("w", ALL_WORKLOADS, ids=lambda w: w.name)
def test_hand_gradient_matches_finite_differences(w: Any) -> None:
    args = w.make_args(np.random.default_rng(7), True)
    value = w.f(*args)
    assert np.size(value) == 1 and np.isfinite(value)
    snapshot = [np.copy(a) for a in args]
    hand = w.df_hand(*args)
    for a, before in zip(args, snapshot):  # the hand gradient must not touch its inputs
        np.testing.assert_array_equal(a, before)
    indices = w.wrt_indices()
    if isinstance(w.wrt, tuple):
        assert isinstance(hand, tuple) and len(hand) == len(indices)
    else:
        hand = (hand,)
    for i, grad in zip(indices, hand):
        if isinstance(args[i], float):
            assert isinstance(grad, float), f"argument {i} is a float, its gradient {type(grad)}"
        else:
            assert np.shape(grad) == np.shape(args[i])
        np.testing.assert_allclose(grad, finite_difference(w.f, args, i), rtol=1e-6, atol=1e-7,
                                   err_msg=f"{w.name}: gradient of argument {i}")


def test_workload_names_are_unique() -> None:
    names = [w.name for w in ALL_WORKLOADS]
    assert len(names) == len(set(names))
    assert {"rnn_50", "float_loop_100", "springs_euler", "thermal_20"} <= {
        w.name for w in workloads.WORKLOADS if w.needs_control_flow}
    assert all(w.needs_control_flow for w in workloads.MEMORY_WORKLOADS)


def test_lean_hand_gradients_agree_with_the_plain_ones() -> None:
    """The memory table's RNN gradient (states in one array, outer products summed a block at
    a time) is the timed table's RNN gradient, also over several blocks."""
    args = workloads.rnn_sized(3 * workloads.BLOCK + 5, 4)(np.random.default_rng(1), False)
    for lean, plain in zip(workloads.rnn_lean_hand(*args), workloads.rnn_hand(*args)):
        np.testing.assert_allclose(lean, plain, rtol=1e-12, atol=1e-12)


def test_quick_run_prints_the_table() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick"],
        capture_output=True, text=True, timeout=600, cwd=BENCHMARKS.parent,
    )
    out = done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    # 0: all gradients agree; 3: some gradient mismatched (reported in the table).
    assert done.returncode in (0, 3), done.stderr
    assert "workload" in out and "hand" in out and "srcxform" in out
    for w in workloads.WORKLOADS:
        assert w.name in out


def test_runner_reports_a_wrong_gradient(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("autograd")  # at least one column to compare with the hand gradient
    runner = _load("run")
    poly = next(w for w in workloads.WORKLOADS if w.name == "poly_n10")
    wrong = runner.Workload("poly_wrong", poly.f, lambda x: 1.001 * poly.df_hand(x),
                            poly.make_args, 0)
    assert runner.run([wrong], quick=True) == runner.MISMATCH_EXIT
    assert "MISMATCH" in capsys.readouterr().out
    assert runner.run([poly], quick=True) == 0


def test_same_gradient_checks_structure_and_values() -> None:
    runner = _load("run")
    a, b = np.ones(3), np.zeros((2, 2))
    assert runner.same_gradient((a, b), (a, b), (0, 1))
    assert not runner.same_gradient((a,), (a, b), (0, 1))
    assert not runner.same_gradient((a, b.ravel()), (a, b), (0, 1))
    assert not runner.same_gradient(a * (1 + 1e-4), a, 0)
    assert runner.same_gradient(2.0, 2.0, "x")


def test_transforms_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """``benchmarks/transforms.py --quick`` checks its results, then prints its ratios."""
    bench = _load("transforms")
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "jvp / f" in out and "pullback / grad" in out and "hessian" in out


def test_gross_regression_guard() -> None:
    """CI's guard: every workload's srcxform gradient is right and within its bound."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--guard", "--no-peers"],
        capture_output=True, text=True, timeout=600, cwd=BENCHMARKS.parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for w in workloads.WORKLOADS:
        assert w.name in done.stdout
    assert all(w.max_ratio <= 40 for w in workloads.WORKLOADS)


def test_guard_reports_a_slow_gradient(capsys: pytest.CaptureFixture[str]) -> None:
    runner = _load("run")
    poly = next(w for w in workloads.WORKLOADS if w.name == "poly_n10")
    slow = runner.Workload("poly_tight", poly.f, poly.df_hand, poly.make_args, 0,
                           max_ratio=1e-3)
    assert runner.run([slow], quick=True, guard=True, peers=False) == runner.GUARD_EXIT
    assert "REGRESSION" in capsys.readouterr().out


def test_memory_table_runs(capsys: pytest.CaptureFixture[str]) -> None:
    memory = _load("memory")
    assert memory.main(["--quick", "--only", "scan_float_5000,mlp_tanh",
                        "--checkpoint", "10"]) == 0
    out = capsys.readouterr().out
    assert "scan_float_5000" in out and "mlp_tanh" in out and "peak" in out
    assert memory.peak_bytes(lambda: np.ones(10**5)) >= 8 * 10**5


def test_transform_time_table_runs(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _load("transform_time")
    assert bench.main(["--quick", "--only", "poly,straight_10,straight_20,loop_10"]) == 0
    out = capsys.readouterr().out
    assert "straight_20" in out and "loop_10" in out and "fitted slope" in out


def test_generated_functions_have_the_lines_asked_for() -> None:
    generate = _load("generate")
    for n in (10, 50):
        name, text = generate.straight_line(n)
        assert text.count("\n    v") == n - 1 and "return np.sum" in text
        name, text = generate.loop_body(n)
        assert text.count("\n        ") == n  # the body: n - 1 values and the update of x


def test_profile_script_runs(capsys: pytest.CaptureFixture[str]) -> None:
    profile = _load("profile_transform")
    assert profile.main(["--rows", "straight_10", "--cprofile", "3"]) == 0
    out = capsys.readouterr().out
    assert "straight_10" in out and "total" in out and "cProfile" in out

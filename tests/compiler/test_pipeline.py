"""The driver and the Program: modes, wrt, the passes each mode runs, debug stages."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from srcxform.compiler import driver
from srcxform.compiler.parse import parse_function
from srcxform.compiler.program import resolve_wrt, start


def f(x, y, /, z, *, w=1.0):
    return np.sum(x * y * z * w)


@pytest.mark.parametrize("wrt, names, is_tuple", [
    (0, ["x"], False), (-1, ["z"], False), ("w", ["w"], False),
    ((1, "z"), ["y", "z"], True), ([0], ["x"], True),
])
def test_wrt_as_parameter_names(wrt, names, is_tuple):
    program = resolve_wrt(start(parse_function(f), "grad", wrt))
    assert (program.wrt, program.tuple_wrt) == (names, is_tuple)
    assert program.params == ["x", "y", "z", "w"] and program.positional == ["x", "y", "z"]


@pytest.mark.parametrize("wrt, error, message", [
    (3, ValueError, "out of range"), ("v", ValueError, "not a parameter"),
    ((0, "x"), ValueError, "twice"), ((), ValueError, "names no parameter"),
    (1.5, TypeError, "parameter index or name"), (True, TypeError, "parameter index or name"),
])
def test_a_bad_wrt_says_what_is_wrong(wrt, error, message):
    with pytest.raises(error, match=message):
        resolve_wrt(start(parse_function(f), "grad", wrt))


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="unknown transform kind"):
        start(parse_function(f), "hessian")


def _names(passes):
    return [p.__name__ for p in passes]


def test_each_mode_runs_its_passes_in_order():
    grad = _names(driver.PIPELINES["grad"])
    assert grad[:16] == ["hoist_functions", "untape_generated", "check", "resolve_wrt",
                         "flatten_dict_results", "structure", "replace_dicts", "find_owned",
                         "canonicalize", "normalize", "resolve_containers", "check_mutation",
                         "share_repeats",
                         "find_varied", "check_effects", "check_sequence_arithmetic"]
    assert grad[16:] == ["scalar_result", "find_active", "drop_shift_maxima", "bind_env",
                         "check_complex_steps", "reverse", "optimize",
                         "defer_outer_products", "lower", "widen_adjoint_zeros",
                         "unshare_results", "insert_tapes",
                         "checkpoint_loops", "preallocate_tapes", "hoist_row_products",
                         "iterate_list_tapes", "zeros_of_known_shape", "widen_accumulators",
                         "drop_dead_forward", "drop_unread", "fast_sums",
                         "ufuncs_into_temporaries", "keep_no_grad", "emit_source", "load"]
    assert _names(driver.PIPELINES["vjp"]) == grad[:-2] + ["split", "emit_source", "load"]
    assert _names(driver.PIPELINES["jvp"])[16:] == [  # (no scalar_result: any output)
        "bind_env", "check_complex_steps", "forward", "optimize", "defer_outer_products", "lower",
        "hoist_row_products", "zeros_of_known_shape", "unshare_results", "fast_sums",
        "ufuncs_into_temporaries", "emit_source", "load"]


def layer(x, W):
    return np.sum(np.tanh(W @ x))


def test_debugging_shows_the_program_after_each_pass_that_changed_it(capsys):
    made = driver.transform(layer, 0, "grad", debug=True)
    shown = capsys.readouterr().err
    for stage in ("parse", "normalize", "find_active", "reverse", "optimize", "emit_source"):
        assert f"--- srcxform stage: {stage} ---" in shown
        assert stage in made.stages
    assert "--- srcxform stage: check ---" not in shown  # check changes nothing
    assert made.stages["normalize"].splitlines()[-1] == "return sum_"
    assert made.stages["emit_source"].endswith(made.source)
    quiet = driver.transform(layer, 0, "grad", debug=False)
    assert quiet.stages == {} and quiet.source == made.source


def scan(a, x):
    for _ in range(5):
        x = x + 0.1 * np.sin(a * x)
    return x * x


def test_debugging_a_loop_shows_its_tapes(capsys):
    """(Statements the tape pass makes had no position: printing them raised.)"""
    made = driver.transform(scan, (0, 1), "grad", shapes={"a": (), "x": ()}, debug=True)
    shown = capsys.readouterr().err
    assert "--- srcxform stage: insert_tapes ---" in shown and "x_stack.append(x)" in shown
    assert made.fn(0.7, 0.3) == pytest.approx(driver.transform(scan, (0, 1)).fn(0.7, 0.3))


@pytest.mark.parametrize("kind", ["grad", "value_and_grad", "vjp", "jvp"])
def test_every_mode_makes_a_function(kind):
    x, W = np.array([0.5, -1.0]), np.array([[1.0, 2.0], [0.5, -0.5], [0.0, 1.0]])
    made = driver.transform(layer, 0, kind)
    assert made.kind == kind and made.wrt == ("x",) and made.source.startswith("def ")
    expected = (1 - np.tanh(W @ x) ** 2) @ W
    if kind == "grad":
        assert made.fn(x, W) == pytest.approx(expected)
    elif kind == "value_and_grad":
        assert made.fn(x, W)[1] == pytest.approx(expected)
    elif kind == "vjp":
        value, residuals = made.fn(x, W)
        assert made.backward(residuals, 1.0)[0] == pytest.approx(expected)
    else:
        tangent = np.array([1.0, 0.0])
        assert made.fn(x, W, tangent)[1] == pytest.approx(expected @ tangent)


README = Path(__file__).resolve().parents[2] / "README.md"


def _pass_table() -> list[tuple[str, str]]:
    """The README's "What the compiler does" table: ``(pass, module cell)`` per row."""
    lines = README.read_text(encoding="utf-8").split("\n")
    start = lines.index("| pass | module | what holds after it |")
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("| "):
            break
        label, module, _ = line[2:].split(" | ", 2)
        rows.append((label, module))
    return rows


def _named(module_cell: str) -> set[str]:
    """The functions a module cell names: its backquoted words that are not files."""
    return {w for w in re.findall(r"`([A-Za-z_][\w.]*)`", module_cell) if not w.endswith(".py")}


def test_every_pass_of_every_pipeline_has_its_own_row_in_the_readme():
    """Each pass ``module.name`` of every mode is named (`` `name` ``) in exactly one row of
    the README's pass table, a row whose module cell names ``module.py``; and every function
    the table names is a pass (or ``parse_function``, which runs before them)."""
    rows = _pass_table()
    passes = {(p.__module__.rsplit(".", 1)[1], p.__name__)
              for pipeline in driver.PIPELINES.values() for p in pipeline}
    assert len(passes) > 40
    for module, name in sorted(passes):
        found = [label for label, cell in rows
                 if f"`{module}.py`" in cell and name in _named(cell)]
        assert len(found) == 1, f"{module}.{name} is described in the README's pass table " \
                                f"by {len(found)} rows ({found}), not one"
    known = {name for _, name in passes} | {"parse_function"}
    for label, cell in rows:
        assert _named(cell) <= known, f"the README row {label!r} names " \
                                      f"{sorted(_named(cell) - known)}, which is no pass"

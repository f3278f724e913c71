"""Writes tests/models/STATUS.md: what each corpus model does in srcxform today.

Run ``PYTHONPATH=$PWD python -m tests.models.status`` (``--print`` to show
instead of writing; ``--times N`` prints only a table of the transform times
of the models whose file has at least N lines).  For each model and transform
it runs the corpus check (``checks.check``) and records "passes", "n/a" with
the reason, or the first line of the failure; for models whose ``grad`` check
passes it records the transform time, ``sx.grad(f)`` plus the first call in
CPU time, the least of three builds, each on a fresh copy of the program's
module (new code objects, so no template is warm) with the disk cache off.  Models are
grouped by the first row of issue 12's table they exercise.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import time
import traceback
from pathlib import Path

import srcxform as sx
from tests.models import checks, loader
from tests.models.corpus import BUGS, FEATURES, MODELS, ROWS, TRANSFORMS

OUT = Path(__file__).with_name("STATUS.md")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    message = text[0] if text else ""
    return f"{type(exc).__name__}: {message}".replace("|", "\\|").replace(str(Path.cwd()) + "/",
                                                                          "")


def _where(exc: BaseException) -> str:
    """Where it was raised: generated code, or the innermost srcxform function."""
    frames = traceback.extract_tb(exc.__traceback__)
    if any(f.filename.startswith("<srcxform") for f in frames):
        return "generated code"
    package = str(Path(sx.__file__).parent.parent) + "/"
    ours = [f for f in frames if f.filename.startswith(package + "srcxform/")]
    if not ours:
        return ""
    f = ours[-1]
    return f"{f.filename[len(package):]}:{f.lineno} {f.name}"


def run(name: str, transform: str) -> tuple[str, str]:
    try:
        checks.check(name, transform)
    except checks.NotApplicable as exc:
        return "n/a", str(exc)
    except AssertionError as exc:
        return "wrong", _first_line(exc)
    except sx.TransformError as exc:
        return "refused", _first_line(exc)
    except Exception as exc:  # the status reports every failure, whatever it is
        where = _where(exc)
        frames = traceback.extract_tb(exc.__traceback__)
        package = str(Path(sx.__file__).parent) + "/"
        own = bool(frames) and frames[-1].filename.startswith(package) and \
            type(exc) in (TypeError, ValueError, NotImplementedError)  # a deliberate raise
        return ("error" if own else "crash"), _first_line(exc) + (f" (in {where})" if where
                                                                    else "")
    return "passes", ""


#: Runs of each transform-time measurement; the least is reported (the machine may be shared).
REPEATS = 3


def _timed_build(model) -> tuple[float, float]:
    """CPU seconds of ``sx.grad(f)`` and of its first call, on a freshly imported copy of
    the model's module (new code objects: no template of an earlier build serves it)."""
    module_name = f"{loader.PACKAGE}.{model.module}"
    sys.modules.pop(module_name, None)
    module = importlib.import_module(module_name)
    fn, args = loader.entry(module, model.entry)
    gc.collect()
    start = time.process_time()
    g = sx.grad(fn, wrt=model.wrt)
    made = time.process_time()
    g(*args)
    return made - start, time.process_time() - made


def transform_times(name: str, repeats: int = REPEATS) -> tuple[float, float, float]:
    """``(build, grad(), first call)``: CPU seconds of ``sx.grad(f)`` plus its first call,
    the least of ``repeats`` builds in this process, each on a fresh copy of the module,
    with the disk cache off (``SRCXFORM_DISK_CACHE=0``: the passes are timed, not a load);
    and the two parts of that least build."""
    model = checks.prepare(name).model
    saved = os.environ.get("SRCXFORM_DISK_CACHE")
    os.environ["SRCXFORM_DISK_CACHE"] = "0"
    try:
        runs = [_timed_build(model) for _ in range(repeats)]
    finally:
        if saved is None:
            os.environ.pop("SRCXFORM_DISK_CACHE", None)
        else:
            os.environ["SRCXFORM_DISK_CACHE"] = saved
    front, finish = min(runs, key=sum)
    return front + finish, front, finish


def transform_time(name: str) -> float:
    """CPU seconds for ``sx.grad(f)`` and its first call (:func:`transform_times`)."""
    return transform_times(name)[0]


def lines_of(model) -> int:
    """The number of lines of the model's program file."""
    return len((Path(__file__).parent / "programs" / f"{model.module}.py").read_text()
               .splitlines())


def time_table(min_lines: int) -> str:
    """A Markdown table of the transform times of the models whose file has at least
    ``min_lines`` lines (``--times N``)."""
    rows = ["| model | file lines | `sx.grad` + first call | `sx.grad()` | first call |",
            "| --- | --- | --- | --- | --- |"]
    for model in sorted((m for m in MODELS if lines_of(m) >= min_lines), key=lines_of):
        build, front, finish = transform_times(model.name)
        rows.append(f"| {model.name} | {lines_of(model)} | {build:.3f} s | {front:.3f} s | "
                    f"{finish:.3f} s |")
    return "\n".join(rows)


def _needs(model) -> str:
    parts = [FEATURES[n] for n in model.needs]
    parts += [f"{t} also: " + "; ".join(FEATURES[n] for n in ns) for t, ns in model.extra.items()]
    return "; ".join(parts) or "—"


def report() -> str:
    lines = [
        "# The model corpus today",
        "",
        "Generated by `PYTHONPATH=$PWD python -m tests.models.status` (do not edit by hand).",
        "Each model runs through every transform of `test_models.py`; \"refused\" is a",
        "`TransformError`, \"error\" another exception srcxform raises itself, \"crash\"",
        "one raised inside NumPy or generated code (the innermost srcxform frame named),",
        "\"wrong\" a value that differs from autograd or finite differences.",
        "The transform time (`sx.grad(f)` plus the first call, fresh module, CPU time, the",
        f"least of {REPEATS} builds in one process, disk cache off) is given where `grad`",
        "passes.",
        "",
    ]
    header = len(lines)
    counts = {t: 0 for t in TRANSFORMS}
    groups: dict[str, list] = {row: [] for row in ROWS}
    groups["rules"] = []
    for model in MODELS:
        groups[model.rows[0] if model.rows else "rules"].append(model)
    for row, models in groups.items():
        if not models:
            continue
        title = ROWS.get(row, "derivative rules only (issue 13)")
        lines += [f"## {title}", ""]
        for model in models:
            results = {t: run(model.name, t) for t in TRANSFORMS
                       if t != "hessian" or model.hessian}
            for t, (kind, _) in results.items():
                counts[t] += kind == "passes"
            seconds = ""
            if results["grad"][0] == "passes":
                build, front, finish = transform_times(model.name)
                seconds = (f"{build:.3f} s (`sx.grad()` {front:.3f} s, first call "
                           f"{finish:.3f} s; file of {lines_of(model)} lines)")
            lines.append(f"### `{model.name}` (`programs/{model.module}.py`)")
            lines.append("")
            lines.append(f"- rows: {', '.join(model.rows) or '—'}")
            lines.append(f"- issue 12 needs: {_needs(model)}")
            lines.append(f"- issue 13 rules: {', '.join(model.rules) or '—'}"
                         + (" (SciPy)" if model.scipy else ""))
            if model.bugs:
                lines.append(f"- bugs found: {'; '.join(BUGS[b] for b in model.bugs)}")
            if model.autograd:
                lines.append(f"- finite differences only: {model.autograd}")
            lines.append(f"- transform time: {seconds or '— (grad does not run today)'}")
            lines.append("")
            lines.append("| transforms | today | first line |")
            lines.append("| --- | --- | --- |")
            same: dict[tuple[str, str], list[str]] = {}
            for t, outcome in results.items():
                same.setdefault(outcome, []).append(t)
            for (kind, message), ts in same.items():
                lines.append(f"| {', '.join(ts)} | {kind} | {message} |")
            lines.append("")
    summary = ", ".join(f"{t} {counts[t]}" for t in TRANSFORMS)
    hessians = sum(m.hessian for m in MODELS)
    lines[header:header] = [f"**{len(MODELS)} models. Passing today: {summary}** "
                  f"(of {len(MODELS)}; hessian of {hessians}).", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    if "--times" in argv:  # only the transform-time table: --times N (file lines, at least)
        print(time_table(int(argv[argv.index("--times") + 1])))
        return
    text = report()
    if "--print" in argv:
        print(text)
    else:
        OUT.write_text(text)
        print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])

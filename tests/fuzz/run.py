"""Running the fuzzers: batches for the CI test, and a command line for large runs.

``run_batch(fuzzer, seeds, directory)`` generates the programs of ``seeds``,
writes them (one module file per batch for the mutation fuzzer, one per
program for the names fuzzer), checks each with ``oracle.check`` and returns
the results.  ``seeds_of(batch, size)`` fixes which seeds a batch holds, so a
run is the same on every machine.

From the command line (the worktree first on ``PYTHONPATH``)::

    python -m tests.fuzz.run mutation --programs 10000 --jobs 2 --out mutation.jsonl

runs seeds ``0 .. programs-1`` in ``jobs`` processes (``--patterns``: with every
array size compiled as a batch size, ``srcxform/cache/sizes.py``), writes one JSON line per
program (seed, outcome, findings, tags, seconds, matched families), and
prints programs per second, the counts by outcome and by family, and every
finding no open family explains.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from tests.fuzz import mutation_gen, names_gen

# the optimizer runs the round its fixed-point test skips, and fails if it changes anything
os.environ.setdefault("SRCXFORM_CHECK_ROUNDS", "1")
from tests.fuzz.families import Recheck, explain
from tests.fuzz.oracle import Finding, Result, check
from tests.fuzz.program import Program, load_batch

GENERATORS: dict[str, Callable[[int], Program]] = {
    "mutation": mutation_gen.generate,
    "names": names_gen.generate,
}
#: Seeds of the names fuzzer start here, so the two fuzzers never share a seed.
SEED_BASE = {"mutation": 0, "names": 1_000_000}


def seeds_of(fuzzer: str, batch: int, size: int, total: int) -> range:
    """The seeds of batch ``batch`` of ``size`` programs, of ``total`` in all."""
    start = batch * size
    return range(SEED_BASE[fuzzer] + start, SEED_BASE[fuzzer] + min(start + size, total))


@dataclass
class Checked:
    """A program's result and what the open families make of its findings."""

    result: Result
    families: set[str]
    unexplained: list[Finding]
    cpu: float = 0.0  # CPU seconds of the check and of explaining its findings


def recheck_in(directory: Path) -> Recheck:
    """A ``Recheck`` that writes rewritten programs under ``directory`` (results cached)."""
    cache: dict[tuple, Result] = {}

    def recheck(program: Program, transforms: tuple[str, ...]) -> Result:
        key = (program.source, program.entry, transforms)
        if key not in cache:
            try:
                f = load_batch([replace(program, shared_module=False)], directory)[0]
            except Exception:
                cache[key] = Result(program, "invalid")
            else:
                cache[key] = check(program, f, transforms)
        return cache[key]

    return recheck


def run_batch(fuzzer: str, seeds: Iterable[int], directory: Path) -> list[Checked]:
    """Generate, load and check the programs of ``seeds``, and explain their findings."""
    programs = [GENERATORS[fuzzer](seed) for seed in seeds]
    functions = load_batch(programs, directory)
    recheck = recheck_in(directory)
    out = []
    for p, f in zip(programs, functions):
        start = time.process_time()
        result = check(p, f)
        families, unexplained = explain(result, recheck)
        out.append(Checked(result, families, unexplained, time.process_time() - start))
    return out


def record(checked: Checked) -> dict:
    """A JSON-able line for one result."""
    result = checked.result
    return {"fuzzer": result.program.fuzzer, "seed": result.program.seed,
            "outcome": result.outcome, "seconds": round(result.seconds, 4),
            "cpu": round(checked.cpu, 4),
            "tags": sorted(result.program.tags),
            "findings": [[f.transform, f.kind, f.detail] for f in result.findings],
            "families": sorted(checked.families),
            "unexplained": [f.line() for f in checked.unexplained]}


def _worker(args: tuple[str, list[int], str, bool]) -> list[dict]:
    fuzzer, seeds, directory, patterns = args
    if patterns:  # every array size compiled as a batch size (srcxform/cache/sizes.py)
        from srcxform.cache import sizes

        sizes.EVERY_SIZE = True
    return [record(c) for c in run_batch(fuzzer, seeds, Path(directory))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("fuzzer", choices=sorted(GENERATORS))
    parser.add_argument("--programs", type=int, default=1000)
    parser.add_argument("--start", type=int, default=0, help="first program index")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--patterns", action="store_true",
                        help="compile every array size as a batch size (cache/sizes.py)")
    options = parser.parse_args(argv)
    base = SEED_BASE[options.fuzzer] + options.start
    seeds = list(range(base, base + options.programs))
    chunks = [seeds[i:i + options.batch] for i in range(0, len(seeds), options.batch)]
    directory = tempfile.mkdtemp(prefix="sx_fuzz_")
    start = time.perf_counter()
    records: list[dict] = []
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with concurrent.futures.ProcessPoolExecutor(options.jobs, mp_context=context) as pool:
        for done in pool.map(_worker, [(options.fuzzer, c, directory, options.patterns)
                                       for c in chunks]):
            records += done
            if options.out:
                with options.out.open("a") as out:
                    out.writelines(json.dumps(r) + "\n" for r in done)
    elapsed = time.perf_counter() - start
    print(summary(records, elapsed, options.jobs))
    return 0


def summary(records: list[dict], elapsed: float | None = None, jobs: int = 1) -> str:
    """Counts by outcome and by family, and the unexplained findings."""
    outcomes = collections.Counter(r["outcome"] for r in records)
    families = collections.Counter(f for r in records for f in r["families"])
    lines = [f"{len(records)} programs: " + ", ".join(f"{k} {v}" for k, v in
                                                       sorted(outcomes.items()))]
    if elapsed:
        lines.append(f"{elapsed:.1f} s with {jobs} process(es): "
                     f"{len(records) / elapsed:.2f} programs/s "
                     f"({len(records) / elapsed / jobs:.2f} per process)")
    for name, count in families.most_common():
        lines.append(f"  family {name}: {count} programs")
    unexplained = [(r["seed"], u) for r in records for u in r["unexplained"]]
    lines.append(f"{len(unexplained)} unexplained findings")
    for seed, line in unexplained[:20]:
        lines.append(f"  seed {seed}: {line}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

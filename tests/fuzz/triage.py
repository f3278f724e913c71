"""Counting a large run's findings by family (a triage tool, not run in CI).

``python -m tests.fuzz.triage mutation.jsonl [--jobs 2]`` reads the JSON
lines ``tests.fuzz.run`` wrote, regenerates each program with a finding
that breaks a promise, and names the family it is counted under: the first
family of ``families.FAMILIES`` that explains its first such finding (wrong
values before crashes before contract) on its own — by message or tags, or
because that family's rewrite alone makes the finding go away.  A program no
single family explains is checked with all open families' rewrites at once
("several") and otherwise counted as unexplained.  It prints, per family,
the number of programs and up to five seeds (shrink one with
``python -m tests.fuzz.minimize FUZZER SEED``).
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import multiprocessing
import sys
import tempfile
from pathlib import Path

from tests.fuzz.families import attribute, explain
from tests.fuzz.oracle import Finding, Result
from tests.fuzz.run import GENERATORS, recheck_in

_ORDER = {"wrong": 0, "crash": 1, "contract": 2}


def _finding(transform: str, kind: str, detail: str) -> Finding:
    if kind == "wrong" and " of a float is a " in detail:  # recorded before "contract" existed
        kind = "contract"
    return Finding(transform, kind, detail)


def classify(record: dict, directory: Path) -> tuple[int, str]:
    """(seed, the family the record's program is counted under)."""
    program = GENERATORS[record["fuzzer"]](record["seed"])
    findings = [_finding(*f) for f in record["findings"]]
    result = Result(program, record["outcome"], findings)
    bad = sorted(result.bad, key=lambda f: (_ORDER[f.kind], "changed an argument" in f.detail))
    recheck = recheck_in(directory)
    family = attribute(result, bad[0], recheck)
    if family is not None:
        return record["seed"], family
    _, unexplained = explain(result, recheck)
    return record["seed"], "several" if not unexplained else "UNEXPLAINED"


def _outcome(record: dict) -> str:
    if record["outcome"] in ("invalid", "nonsmooth"):
        return record["outcome"]
    kinds = {_finding(*f).kind for f in record["findings"]}
    return next((k for k in ("wrong", "crash", "contract", "refused") if k in kinds), "ok")


def _work(args: tuple[list[dict], str]) -> list[tuple[int, str]]:
    records, directory = args
    return [classify(r, Path(directory)) for r in records]


def main(argv: list[str] | None = None) -> int:
    import warnings

    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser(description="count a run's findings by family")
    parser.add_argument("results", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    options = parser.parse_args(argv)
    records = [json.loads(line) for line in options.results.open()]
    bad = [r for r in records
           if any(_finding(*f).kind in _ORDER for f in r["findings"])]
    chunks = [bad[i:i + 25] for i in range(0, len(bad), 25)]
    directory = tempfile.mkdtemp(prefix="sx_triage_")
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    counted: dict[str, list[int]] = collections.defaultdict(list)
    with concurrent.futures.ProcessPoolExecutor(options.jobs, mp_context=context) as pool:
        for done in pool.map(_work, [(c, directory) for c in chunks]):
            for seed, family in done:
                counted[family].append(seed)
    outcomes = collections.Counter(_outcome(r) for r in records)
    print(f"{len(records)} programs: " + ", ".join(f"{k} {v}" for k, v in
                                                   sorted(outcomes.items())))
    for family, seeds in sorted(counted.items(), key=lambda kv: -len(kv[1])):
        print(f"{family}: {len(seeds)} programs, e.g. seeds {sorted(seeds)[:5]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Suite-wide pytest hooks: the ``fuzz`` marker and the fuzzers' summary line.

The fuzz tests (``tests/fuzz/test_fuzz.py``) record the counts of each
batch as the user property ``fuzz``; with or without pytest-xdist the
reports reach this process, and the terminal summary adds them up per
fuzzer: programs run, by outcome, and the open families they hit.
"""

from __future__ import annotations

import collections


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "fuzz: random-program fuzzers of tests/fuzz (deselect with -m 'not fuzz'; "
                   "SRCXFORM_FUZZ_PROGRAMS sets the programs per fuzzer)")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    totals: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    families: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    seconds: collections.Counter = collections.Counter()
    cpu: collections.Counter = collections.Counter()
    for key in ("passed", "failed"):
        for report in terminalreporter.stats.get(key, []):
            if getattr(report, "when", "call") != "call":
                continue
            for name, value in getattr(report, "user_properties", []):
                if name != "fuzz":
                    continue
                totals[value["fuzzer"]].update(value["outcomes"])
                families[value["fuzzer"]].update(value["families"])
                seconds[value["fuzzer"]] += value["seconds"]
                cpu[value["fuzzer"]] += value.get("cpu", 0.0)
    if not totals:
        return
    terminalreporter.section("srcxform fuzzers")
    for fuzzer in sorted(totals):
        counts = totals[fuzzer]
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        terminalreporter.write_line(
            f"{fuzzer}: {sum(counts.values())} programs, {seconds[fuzzer]:.0f} s of checking "
            f"({cpu[fuzzer]:.0f} s CPU): {outcomes}")
        if families[fuzzer]:
            hits = ", ".join(f"{k} {v}" for k, v in families[fuzzer].most_common())
            terminalreporter.write_line(f"  programs in open families: {hits}")

"""Suite-wide pytest hooks: the ``fuzz`` marker, the fuzzers' summary line, a hermetic
disk cache.

The fuzz tests (``tests/fuzz/test_fuzz.py``) record the counts of each
batch as the user property ``fuzz``; with or without pytest-xdist the
reports reach this process, and the terminal summary adds them up per
fuzzer: programs run, by outcome, and the open families they hit.

The disk cache of generated code (``srcxform/cache/disk.py``) is off in the
suite unless ``SRCXFORM_DISK_CACHE`` is set (tests/test_disk_cache.py turns
it on for itself, in a temporary directory), and its directory is always a
temporary one of this run, removed at the end: no test reads or writes the
user's cache, and a test's expectations never depend on an earlier run.

With ``SRCXFORM_TEST_PATTERNS=1`` every gradient is compiled with each size of its
array arguments a batch size (``srcxform/cache/sizes.py``): a run of the gradient
tests that way tries the compiler on shape patterns (tests of the text or of the
number of transforms then fail by design).

The optimizer's early stop (``srcxform/compiler/fixedpoint.py``) is checked
in every test: ``SRCXFORM_CHECK_ROUNDS=1`` makes it run the round it skips
and fail if that round changes anything.

The fixture ``module`` makes fresh importable modules from source text (a test
module may define its own ``module``, which then stands for it there).
"""

from __future__ import annotations

import collections
import importlib
import itertools
import os
import shutil
import sys
import tempfile
import textwrap

import pytest

os.environ.setdefault("SRCXFORM_DISK_CACHE", "0")
os.environ.setdefault("SRCXFORM_CHECK_ROUNDS", "1")
_CACHE_DIR = None
if not os.environ.get("SRCXFORM_CACHE_DIR"):
    _CACHE_DIR = os.environ["SRCXFORM_CACHE_DIR"] = tempfile.mkdtemp(prefix="srcxform-test-cache-")


_module_names = itertools.count()


@pytest.fixture
def module(tmp_path, monkeypatch):
    """``module(source) -> module``: a fresh importable module per call, forgotten after."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made = []

    def make(source: str):
        name = f"fresh_mod_{next(_module_names)}"
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        importlib.invalidate_caches()
        made.append(name)
        return importlib.import_module(name)

    yield make
    for name in made:
        sys.modules.pop(name, None)


def pytest_configure(config):
    if os.environ.get("SRCXFORM_TEST_PATTERNS"):  # every array size a batch size (sizes.py)
        from srcxform.cache import sizes

        sizes.EVERY_SIZE = True
    config.addinivalue_line(
        "markers", "fuzz: random-program fuzzers of tests/fuzz (deselect with -m 'not fuzz'; "
                   "SRCXFORM_FUZZ_PROGRAMS sets the programs per fuzzer)")


def pytest_unconfigure(config):
    if _CACHE_DIR is not None:
        shutil.rmtree(_CACHE_DIR, ignore_errors=True)


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

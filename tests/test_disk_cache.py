"""The disk cache (issue 14): a restarted script skips the passes, never gets stale code.

A "restart" in one process is a module re-imported from its file (new function
and code objects: nothing in memory serves them, only the disk); two tests run
real second processes.  That the passes did not run is read from a counter on
``compiler.driver.run`` (every pass list goes through it), never from timing.
Every gradient is checked against central finite differences of the function as
it is in its file at that moment (an edited rule: against what the new rule
says).  The suite keeps the disk cache off (``conftest.py``); these tests turn
it on, in their own temporary directory.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import srcxform as sx
from srcxform import depends
from srcxform.cache import disk, persist
from srcxform.compiler import driver
from tests.helpers import finite_difference

_names = itertools.count()
ROOT = Path(__file__).resolve().parent.parent
X = np.array([0.3, -0.7, 1.1])
W = np.array([[0.5, -0.2, 0.1], [0.3, 0.8, -0.4]])


@pytest.fixture
def runs(monkeypatch):
    """How many pass lists ran (``driver.run`` calls) since the test began."""
    count = [0]
    real = driver.run

    def counting(program, passes):
        count[0] += 1
        return real(program, passes)

    monkeypatch.setattr(driver, "run", counting)
    return count


@pytest.fixture
def rules():
    """The rule table as srcxform ships it during the test, restored after it: the disk
    cache's key reads every rule registered from outside srcxform, and rules other tests
    registered from files since removed have no source (which turns the cache off)."""
    from srcxform.rules import registry

    tables = (registry._BY_FUNCTION, registry._FUNCTIONS, registry._BY_METHOD,
              registry._BY_ATTRIBUTE, registry._TANGENTS)
    saved = [(d, dict(d)) for d in tables]
    objects, nondiff = list(registry._NONDIFF_OBJECTS), set(registry.NONDIFF)
    for table in (registry._BY_FUNCTION, registry._BY_METHOD, registry._BY_ATTRIBUTE):
        for key, rule in list(table.items()):
            if disk._foreign(rule.vjp):
                del table[key]
    registry._NONDIFF_OBJECTS[:] = [f for f in objects if not disk._foreign(f)
                                    or depends.is_library(f)]
    registry.NONDIFF.intersection_update(registry._key(f) for f in registry._NONDIFF_OBJECTS)
    registry.VERSION[0] = object()
    yield
    for d, copy in saved:
        d.clear()
        d.update(copy)
    registry._NONDIFF_OBJECTS[:] = objects
    registry.NONDIFF.clear()
    registry.NONDIFF.update(nondiff)
    registry.VERSION[0] = object()


@pytest.fixture
def cache_dir(tmp_path, monkeypatch, rules):
    where = tmp_path / "cache"
    monkeypatch.setenv("SRCXFORM_DISK_CACHE", "1")
    monkeypatch.setenv("SRCXFORM_CACHE_DIR", str(where))
    monkeypatch.delenv("SRCXFORM_DEBUG", raising=False)
    disk.STATS.clear()
    assert disk.environment() is not None, "the disk cache is off in this process"
    yield where
    print("disk cache:", dict(disk.STATS))


class Source:
    """A module written to a file; ``load()`` imports it afresh (a restarted script)."""

    def __init__(self, tmp_path: Path, monkeypatch, text: str) -> None:
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.setattr(sys, "dont_write_bytecode", True)
        self.name = f"disk_mod_{next(_names)}"
        self.path = tmp_path / f"{self.name}.py"
        self.stamp = 1_000_000_000
        self.write(text)

    def write(self, text: str) -> None:
        self.path.write_text(textwrap.dedent(text))
        self.stamp += 10  # a new modification time: no import reads an old compiled copy
        os.utime(self.path, (self.stamp, self.stamp))

    def load(self):
        import linecache

        sys.modules.pop(self.name, None)
        linecache.checkcache(str(self.path))
        importlib.invalidate_caches()
        return importlib.import_module(self.name)

    def close(self) -> None:
        sys.modules.pop(self.name, None)


@pytest.fixture
def source(tmp_path, monkeypatch):
    made = []

    def make(text: str) -> Source:
        made.append(Source(tmp_path, monkeypatch, text))
        return made[-1]

    yield make
    for s in made:
        s.close()


def _close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def _check(f, *args, wrt=0):
    """sx.grad(f) at args, against finite differences; returns the gradient."""
    got = sx.grad(f, wrt=wrt)(*args)
    _close(got, finite_difference(f, args, wrt))
    return got


MODEL = """
import numpy as np

SCALE = 1.5
MODE = "square"

def helper(a, b=2.0):
    return np.tanh(a) * b

def loss(x, W):
    h = helper(W @ x)
    if MODE == "square":
        h = h * h
    return np.sum(h * SCALE) + np.sum(np.sin(x))
"""


def test_a_reimported_module_is_served_from_disk_without_running_the_passes(
        cache_dir, runs, source):
    src = source(MODEL)
    first = _check(src.load().loss, X, W)
    assert runs[0] > 0 and disk.STATS["stores"] >= 1
    runs[0] = 0
    mod = src.load()
    g = sx.grad(mod.loss)
    assert runs[0] == 0  # grad() knows the source was transformed: no front either
    _close(g(X, W), first)
    assert runs[0] == 0 and disk.STATS["hits"] == 1
    _close(g(X, W), finite_difference(mod.loss, (X, W), 0))
    # the code read from disk is shown and located like freshly made code
    assert "def grad_loss(x, W):" in sx.source(g)
    import inspect

    assert inspect.getsource(g.__wrapped__).startswith("def grad_loss(x, W):")
    # a new shape is a new specialisation: the passes run for it, and it is right
    _check(mod.loss, X[:2], W[:, :2])
    assert runs[0] > 0


def test_every_kind_is_served_from_disk(cache_dir, runs, source):
    src = source(MODEL)
    mod = src.load()
    t = np.array([1.0, 0.5, -2.0])
    want = (sx.value_and_grad(mod.loss, wrt=1)(X, W), sx.jvp(mod.loss, (X, W), (t, W))[1],
            sx.vjp(mod.loss, X, W)[1](1.0))
    runs[0] = 0
    mod = src.load()
    got = (sx.value_and_grad(mod.loss, wrt=1)(X, W), sx.jvp(mod.loss, (X, W), (t, W))[1],
           sx.vjp(mod.loss, X, W)[1](1.0))
    assert runs[0] == 0
    _close(got[0][0], want[0][0])
    _close(got[0][1], finite_difference(mod.loss, (X, W), 1))
    fd_x, fd_w = finite_difference(mod.loss, (X, W), 0), finite_difference(mod.loss, (X, W), 1)
    _close(got[1], fd_x @ t + np.sum(fd_w * W))
    _close(got[2][0], fd_x)
    _close(got[2][1], fd_w)


@pytest.mark.parametrize("edit", [
    ("return np.tanh(a) * b", "return np.tanh(a) * b + a * a"),  # the helper's body
    ("def helper(a, b=2.0)", "def helper(a, b=3.0)"),              # its defaults
    ('MODE = "square"', 'MODE = "plain"'),                         # a folded constant
    ("h = helper(W @ x)", "h = helper(W @ x) * 2.0"),              # the function itself
])
def test_an_edited_source_misses_and_the_gradient_is_the_new_one(cache_dir, runs, source,
                                                                 edit):
    src = source(MODEL)
    before = _check(src.load().loss, X, W)
    src.write(MODEL.replace(*edit))
    runs[0] = 0
    after = _check(src.load().loss, X, W)
    assert runs[0] > 0 and disk.STATS["hits"] == 0
    assert not np.allclose(after, before)
    # and the entry of the new text is the one served after the next restart
    runs[0] = 0
    _check(src.load().loss, X, W)
    assert runs[0] == 0 and disk.STATS["hits"] == 1


def test_a_global_read_live_keeps_its_entry_with_a_new_value(cache_dir, runs, source):
    src = source(MODEL)
    before = _check(src.load().loss, X, W)
    src.write(MODEL.replace("SCALE = 1.5", "SCALE = -4.0"))  # read live: same type
    runs[0] = 0
    after = _check(src.load().loss, X, W)
    assert runs[0] == 0 and disk.STATS["hits"] == 1
    assert not np.allclose(after, before)
    src.write(MODEL.replace("SCALE = 1.5", "SCALE = np.array([1.0, 2.0])"))  # another kind
    runs[0] = 0
    _check(src.load().loss, X, W)
    assert runs[0] > 0 and disk.STATS["hits"] == 1


RULED = """
import numpy as np
import srcxform as sx

def soft(x):
    return np.log1p(np.exp(x))

@sx.adjoint(soft)
def soft_rule(g, out, x):
    return (FACTOR * g / (1.0 + np.exp(-x)),)

def loss(x):
    return np.sum(soft(x) * x)
"""


def test_an_edited_adjoint_rule_misses(cache_dir, runs, source):
    def oracle(factor):
        s = 1.0 / (1.0 + np.exp(-X))
        return factor * s * X + np.log1p(np.exp(X))  # d/dx [soft(x) * x], soft' as the rule

    src = source(RULED.replace("FACTOR * ", ""))
    _close(sx.grad(src.load().loss)(X), oracle(1.0))
    src.write(RULED.replace("FACTOR * ", "2.0 * "))
    runs[0] = 0
    _close(sx.grad(src.load().loss)(X), oracle(2.0))
    assert runs[0] > 0 and disk.STATS["hits"] == 0


def test_a_rule_without_source_turns_the_disk_cache_off(cache_dir, runs, source):
    src = source(RULED.replace("FACTOR * ", "") + "\ndef other(x):\n    return x\n")
    mod = src.load()
    namespace = {"np": np}
    exec("def rule(g, out, x):\n    return (g,)\n", namespace)  # noqa: S102
    sx.adjoint(mod.other)(namespace["rule"])  # (a rule of another function)
    assert disk.environment() is None
    s = 1.0 / (1.0 + np.exp(-X))
    _close(sx.grad(mod.loss)(X), s * X + np.log1p(np.exp(X)))
    assert disk.STATS["stores"] == 0
    assert not cache_dir.exists() or not list(cache_dir.rglob("*.json"))


@pytest.mark.parametrize("part", ["package_key", "versions_key"])
def test_another_srcxform_or_numpy_misses(cache_dir, runs, source, monkeypatch, part):
    src = source(MODEL)
    _check(src.load().loss, X, W)
    real = getattr(disk, part)
    if part == "package_key":
        monkeypatch.setattr(disk, part, lambda: real() + "-edited")
    else:
        monkeypatch.setattr(disk, part, lambda: {**real(), "numpy": "0.0.0"})
    runs[0] = 0
    _check(src.load().loss, X, W)
    assert runs[0] > 0 and disk.STATS["hits"] == 0
    assert len(list((cache_dir / "v1").iterdir())) == 2  # one directory per environment


@pytest.mark.parametrize("damage", [
    lambda text: text[: len(text) // 2],                      # truncated
    lambda text: "",                                          # empty
    lambda text: "\x00\xff garbage",                          # not JSON
    lambda text: text.replace('"text":"', '"text":"def (:\\n'),  # text that does not compile
    lambda text: text.replace('"functions":[', '"functions":[7,'),  # a field of another shape
])
def test_a_damaged_entry_is_ignored_and_rewritten(cache_dir, runs, source, damage):
    src = source(MODEL)
    _check(src.load().loss, X, W)
    [path] = list(cache_dir.rglob("*.json"))
    path.write_text(damage(path.read_text()))
    runs[0] = 0
    _check(src.load().loss, X, W)
    assert runs[0] > 0 and disk.STATS["hits"] == 0
    json.loads(path.read_text())  # rewritten whole
    runs[0] = 0
    _check(src.load().loss, X, W)
    assert runs[0] == 0 and disk.STATS["hits"] == 1


def test_the_opt_out_reads_and_writes_nothing(cache_dir, runs, source, monkeypatch):
    src = source(MODEL)
    _check(src.load().loss, X, W)
    assert list(cache_dir.rglob("*.json"))
    monkeypatch.setenv("SRCXFORM_DISK_CACHE", "0")
    runs[0] = 0
    _check(src.load().loss, X, W)
    assert runs[0] > 0 and disk.STATS["hits"] == 0
    other = cache_dir.parent / "other"
    monkeypatch.setenv("SRCXFORM_CACHE_DIR", str(other))
    _check(src.load().loss, X[:2], W[:, :2])
    assert not other.exists()


def test_a_source_edited_without_reloading_is_refused_not_served(cache_dir, runs, source):
    src = source(MODEL)
    _check(src.load().loss, X, W)  # the first text's entry is on disk now
    src.write(MODEL.replace("h = helper(W @ x)", "h = helper(W @ x) * 2.0"))
    mod = src.load()
    src.write(MODEL)  # the file holds the first text again; the module runs the edited one
    import linecache

    linecache.checkcache(str(src.path))
    with pytest.raises(ValueError, match="no longer matches"):
        sx.grad(mod.loss)(X, W)
    assert disk.STATS["hits"] == 0


def test_an_object_compiled_in_is_not_kept_and_a_closure_is(cache_dir, runs, source):
    src = source("""
        import numpy as np

        class Box:
            def __init__(self, w):
                self.w = w

        BOX = Box(np.array([1.0, 2.0, 3.0]))

        def make(c):
            def loss(x):
                return np.sum(np.sin(x) * c)
            return loss

        def boxed(x):
            return np.sum(BOX.w * x * x)
        """)
    mod = src.load()
    _check(mod.boxed, X)  # an attribute of a user's object: no description outside
    assert disk.STATS["stores"] == 0 and disk.STATS["not kept"] == 1
    _check(mod.make(np.array([1.0, -1.0, 2.0])), X)  # its code reads its cell live
    assert disk.STATS["stores"] == 1
    runs[0] = 0
    mod = src.load()
    _check(mod.boxed, X)
    assert runs[0] > 0
    runs[0] = 0
    _check(mod.make(np.array([0.5, 4.0, -3.0])), X)  # another closure value, same layout
    assert runs[0] == 0 and disk.STATS["hits"] == 1
    _check(mod.make(np.array([0.5, 4.0])), X[:2])  # another shape: a miss, made anew
    assert runs[0] > 0


def test_prune_removes_the_least_recently_used_first(cache_dir):
    where = cache_dir / "v1" / "e" / "f"
    where.mkdir(parents=True)
    for i in range(5):
        p = where / f"{i}.json"
        p.write_text("x" * 1000)
        os.utime(p, (1000 + i, 1000 + i))
    assert disk.prune(limit=2500) == 3
    assert sorted(p.name for p in where.iterdir()) == ["3.json", "4.json"]


def test_knows_needs_an_entry_of_the_same_source(cache_dir, source):
    src = source(MODEL)
    mod = src.load()
    assert not persist.knows(mod.loss, "grad", 0)
    sx.grad(mod.loss)(X, W)
    assert persist.knows(mod.loss, "grad", 0)
    assert not persist.knows(mod.loss, "grad", 1)


SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import srcxform as sx
from srcxform.compiler import driver
from srcxform.cache import disk
runs = [0]
real = driver.run
def counting(program, passes):
    runs[0] += 1
    return real(program, passes)
driver.run = counting
sys.path.insert(0, sys.argv[1])
import {name} as mod
x = np.array([0.3, -0.7, 1.1]); W = np.array([[0.5, -0.2, 0.1], [0.3, 0.8, -0.4]])
t = time.perf_counter()
g = sx.grad(mod.loss, wrt=(0, 1))(x, W)
seconds = time.perf_counter() - t
print(json.dumps({{"runs": runs[0], "seconds": seconds, "stats": dict(disk.STATS),
                   "grad": [g[0].tolist(), g[1].tolist()]}}))
"""


def test_a_second_process_skips_the_passes(tmp_path, source):
    src = source(MODEL)
    script = tmp_path / "script.py"
    script.write_text(SCRIPT.format(name=src.name))
    env = dict(os.environ, SRCXFORM_DISK_CACHE="1", SRCXFORM_CACHE_DIR=str(tmp_path / "c"),
               PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    env.pop("SRCXFORM_DEBUG", None)
    out = []
    for _ in range(2):
        done = subprocess.run([sys.executable, str(script), str(tmp_path)], env=env,
                              capture_output=True, text=True, timeout=120, check=True)
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert out[0]["runs"] > 0 and out[0]["stats"].get("stores", 0) >= 1
    assert out[1]["runs"] == 0 and out[1]["stats"].get("hits", 0) >= 1
    mod = src.load()
    for got in (out[0]["grad"], out[1]["grad"]):
        _close(got[0], finite_difference(mod.loss, (X, W), 0))
        _close(got[1], finite_difference(mod.loss, (X, W), 1))


def test_a_global_the_generated_code_borrows_is_checked(cache_dir, runs, source):
    # ``f`` never reads ``np``, but the rules' bodies need NumPy, and the environment names
    # it by the module's own global ``np``: that global is part of the entry too
    text = textwrap.dedent("""
        import numpy
        import numpy as np
        from numpy import sin, sum

        def f(x):
            return sum(sin(x) * x)
        """)
    src = source(text)
    mod = src.load()
    g = sx.grad(mod.f)
    _close(g(X), finite_difference(mod.f, (X,), 0))
    assert "np.cos(x)" in sx.source(g)
    src.write(text + "\nnp = numpy.ma\n")  # another object under the borrowed name
    runs[0] = 0
    _check(src.load().f, X)
    assert runs[0] > 0 and disk.STATS["hits"] == 0


def test_a_checkpointed_gradient_has_entries_of_its_own(cache_dir, runs, source):
    src = source("""
        import numpy as np

        def rollout(x):
            s = x
            for _ in range(6):
                s = np.tanh(s) * 1.1
            return np.sum(s * s)
        """)
    mod = src.load()
    g_plain = sx.grad(mod.rollout)
    plain = g_plain(X)
    plain_source = sx.source(g_plain)
    stretched = sx.grad(mod.rollout, checkpoint=2)(X)
    want = finite_difference(mod.rollout, (X,), 0)
    _close(plain, want)
    _close(stretched, want)
    runs[0] = 0
    mod = src.load()
    g = sx.grad(mod.rollout, checkpoint=2)
    _close(g(X), want)
    assert runs[0] == 0 and disk.STATS["hits"] == 1
    assert sx.source(g) != plain_source  # the checkpointed code, not the plain one


def test_an_entry_of_another_world_is_not_taken_as_a_successful_transform(
        cache_dir, runs, source):
    # the function's source is unchanged, its helper's is not (it is refused now): grad must
    # not take the function's entries as proof that its transform succeeds
    src = source(MODEL)
    _check(src.load().loss, X, W)
    src.write(MODEL.replace("    return np.tanh(a) * b",
                            "    try:\n        return np.tanh(a) * b\n"
                            "    except ValueError:\n        return a"))
    mod = src.load()
    assert not persist.knows(mod.loss, "grad", 0)
    with pytest.raises(sx.TransformError, match="try statement"):
        sx.grad(mod.loss)(X, W)


def test_scipy_rules_leave_the_disk_cache_on(cache_dir):
    pytest.importorskip("scipy.special")
    import scipy.linalg  # noqa: F401
    import scipy.stats  # noqa: F401

    from srcxform.rules import registry

    registry._load_imported()  # srcxform's SciPy families: library objects, not the user's
    assert disk.environment() is not None


BATCHED = """
import numpy as np

def loss(W, X, labels):
    logits = X @ W
    logits = logits - np.max(logits, axis=1, keepdims=True)
    logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(labels)), labels])
"""


def test_a_version_generic_in_the_batch_size_is_kept(cache_dir, runs, source):
    src = source(BATCHED)
    rng = np.random.default_rng(3)
    W = rng.normal(size=(3, 4))

    def batch(n):
        return rng.normal(size=(n, 3)), rng.integers(0, 4, n)

    g = sx.grad(src.load().loss)
    for n in (8, 9):  # the second size makes the batch a Dim (cache/sizes.py)
        g(W, *batch(n))
    assert disk.STATS["stores"] == 2
    runs[0] = 0
    mod = src.load()
    g = sx.grad(mod.loss)
    g(W, *batch(8))
    assert runs[0] == 0 and disk.STATS["hits"] == 1
    # the pattern's version is read from disk, not made: only the judgement of the
    # generic code (no front was kept) runs the passes
    X, labels = batch(13)
    got = g(W, X, labels)
    assert disk.STATS["hits"] == 2
    assert "X.shape[0]" in sx.source(g)
    _close(got, finite_difference(mod.loss, (W, X, labels), 0))

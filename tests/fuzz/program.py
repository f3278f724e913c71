"""What a fuzzer produces: :class:`Program`, and writing programs to importable files.

A :class:`Program` is the text of one plain Python function (``entry``) plus
whatever module text it needs (``module``: imports, globals, helpers), the
shapes of its arguments, the seed of their values, and the tags of the
constructs the generator put in it (families of findings are recognised by
these tags, see ``families.py``).

``load_batch(programs, directory)`` writes the programs to real files and
imports them, so ``inspect.getsource`` (which srcxform needs) works:
programs that share a ``module`` text (the mutation fuzzer's fixed prelude)
go into one file per batch, each entry function under its own name;
programs that bring their own module (the names fuzzer, whose subject is the
module's globals) get one file each.  Modules are not entered in
``sys.modules``.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Program:
    """A generated function, its module text, its arguments' shapes and seed, its tags."""

    fuzzer: str
    seed: int
    entry: str  # the function's name
    function: str  # the function's source (``def entry(...): ...``)
    module: str  # the module text before the function (imports, globals, helpers)
    shapes: tuple[Shape, ...]  # one per parameter; () is a Python float
    tags: frozenset[str] = field(default_factory=frozenset)
    shared_module: bool = True  # True: ``module`` is a fixed prelude several programs share

    def args(self) -> tuple:
        """Fresh argument values (new arrays on every call)."""
        rng = np.random.default_rng(self.seed)
        out: list[Any] = []
        for shape in self.shapes:
            if shape == ():
                out.append(float(rng.uniform(-1.0, 1.0)))
            else:
                out.append(rng.uniform(-1.2, 1.2, shape))
        return tuple(out)

    @property
    def source(self) -> str:
        """The program as one standalone module text."""
        return f"{self.module.rstrip()}\n\n\n{self.function.rstrip()}\n"

    def describe(self) -> str:
        args = ", ".join(repr(np.asarray(a).round(6).tolist()) for a in self.args())
        return (f"# {self.fuzzer} program, seed {self.seed}, tags {sorted(self.tags)}\n"
                f"# arguments: {self.entry}({args})\n{self.source}")


_counter = itertools.count()


def _import(path: Path, text: str) -> Any:
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_batch(programs: Sequence[Program], directory: Path) -> list[Callable[..., Any]]:
    """Write ``programs`` under ``directory``, import them, return their entry functions."""
    directory.mkdir(parents=True, exist_ok=True)
    out: list[Callable[..., Any] | None] = [None] * len(programs)
    shared: dict[str, list[int]] = {}
    for i, p in enumerate(programs):
        if p.shared_module:
            shared.setdefault(p.module, []).append(i)
        else:
            name = f"sx_fuzz_{p.fuzzer}_{os.getpid()}_{next(_counter)}"
            out[i] = getattr(_import(directory / f"{name}.py", p.source), p.entry)
    for prelude, members in shared.items():
        names = [programs[i].entry for i in members]
        assert len(set(names)) == len(names), "programs of one batch need distinct names"
        text = prelude.rstrip() + "\n" + "".join(
            f"\n\n{programs[i].function.rstrip()}\n" for i in members)
        name = f"sx_fuzz_batch_{os.getpid()}_{next(_counter)}"
        module = _import(directory / f"{name}.py", text)
        for i in members:
            out[i] = getattr(module, programs[i].entry)
    return out  # type: ignore[return-value]

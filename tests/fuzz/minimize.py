"""Shrinking a failing program to a few lines (a triage tool, not run in CI).

``minimize(program, keep)`` deletes statements, drops terms of sums and
replaces expressions by one of their operands (``np.cos(e)`` → ``e``,
``a * b`` → ``a``), in the entry function and, for a program with its own
module, in the module's helpers and globals, keeping each change for which
``keep(result)`` still holds on the oracle's verdict of the smaller program;
it stops when no single change keeps it (or after ``max_checks`` checks).
Changes that break the program (a ``NameError``, a shape error) make it
``invalid`` and are never kept.

Command line::

    python -m tests.fuzz.minimize mutation 1234 [--transform vjp]

regenerates program 1234 of the mutation fuzzer, shrinks it while it keeps
its first bad finding (same transform, same kind, the same exception type
for a crash) and prints the small program with its findings.
"""

from __future__ import annotations

import argparse
import ast
import copy
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from tests.fuzz.oracle import Finding, Result, check
from tests.fuzz.program import Program, load_batch

Keep = Callable[[Result], bool]


def _statement_lists(tree: ast.AST) -> Iterator[list[ast.stmt]]:
    for node in ast.walk(tree):
        for name in ("body", "orelse"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                yield body


def _variants(tree: ast.AST) -> Iterator[Callable[[ast.AST], bool]]:
    """Edits of ``tree``, each a function applying itself to a deep copy (same walk order)."""
    n_lists = sum(1 for _ in _statement_lists(tree))
    for li in range(n_lists):
        size = len(list(_statement_lists(tree))[li])
        for si in reversed(range(size)):
            def delete(t, li=li, si=si):
                body = list(_statement_lists(t))[li]
                if isinstance(body[si], ast.Return) and si == len(body) - 1 and li == 0:
                    return False
                del body[si]
                if not body:
                    body.append(ast.Pass())
                return True
            yield delete
    nodes = list(ast.walk(tree))
    for ni, node in enumerate(nodes):
        children: list[str] = []
        if isinstance(node, ast.BinOp):
            children = ["left", "right"]
        elif isinstance(node, ast.UnaryOp):
            children = ["operand"]
        elif isinstance(node, ast.Call) and node.args and not node.keywords \
                and ast.unparse(node.func) not in ("range", "np.zeros", "np.array"):
            children = ["arg0"]
        for child in children:
            def lift(t, ni=ni, child=child):
                target = list(ast.walk(t))[ni]
                replacement = target.args[0] if child == "arg0" else getattr(target, child)
                return _replace(t, target, replacement)
            yield lift


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> bool:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return True
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
                        return True
    return False


def _with(program: Program, part: str, text: str) -> Program:
    return replace(program, **{part: text})


def minimize(program: Program, keep: Keep, directory: Path | None = None,
             max_checks: int = 600) -> tuple[Program, Result]:
    """The smallest program found that still satisfies ``keep`` (and its result)."""
    directory = directory or Path(tempfile.mkdtemp(prefix="sx_min_"))
    result = _check(program, directory)
    assert keep(result), "the program does not show the finding to keep"
    parts = ["function"] + ([] if program.shared_module else ["module"])
    checks = 0
    changed = True
    while changed and checks < max_checks:
        changed = False
        for part in parts:
            tree = ast.parse(getattr(program, part))
            for edit in _variants(tree):
                candidate = copy.deepcopy(tree)
                if not edit(candidate):
                    continue
                try:
                    text = ast.unparse(ast.fix_missing_locations(candidate))
                except Exception:
                    continue
                if text == ast.unparse(tree):
                    continue
                smaller = _with(program, part, text + "\n")
                checks += 1
                got = _check(smaller, directory)
                if keep(got):
                    program, result, changed = smaller, got, True
                    break
                if checks >= max_checks:
                    break
            if changed:
                break
    return program, result


def _check(program: Program, directory: Path) -> Result:
    try:
        f = load_batch([replace(program, shared_module=False)], directory)[0]
    except Exception:
        return Result(program, "invalid")
    return check(program, f)


def same_finding(target: Finding) -> Keep:
    """Keep programs with a bad finding like ``target`` (transform, kind, exception type)."""
    def signature(f: Finding) -> tuple:
        head = f.detail.split(":")[0] if f.kind == "crash" else ""
        return f.transform, f.kind, head

    want = signature(target)
    return lambda r: r.outcome not in ("invalid", "nonsmooth") and \
        any(signature(f) == want for f in r.bad)


def main(argv: list[str] | None = None) -> int:
    from tests.fuzz.run import GENERATORS

    parser = argparse.ArgumentParser(description="shrink one fuzzer program")
    parser.add_argument("fuzzer", choices=sorted(GENERATORS))
    parser.add_argument("seed", type=int)
    parser.add_argument("--transform", default=None)
    parser.add_argument("--kind", default=None)
    options = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    program = GENERATORS[options.fuzzer](options.seed)
    directory = Path(tempfile.mkdtemp(prefix="sx_min_"))
    result = _check(program, directory)
    bad = [f for f in result.bad if (options.transform in (None, f.transform))
           and (options.kind in (None, f.kind))]
    if not bad:
        print(f"seed {options.seed}: {result.outcome}, nothing to shrink")
        return 1
    small, got = minimize(program, same_finding(bad[0]), directory)
    print(small.describe() if not small.shared_module else
          f"# {small.fuzzer} seed {small.seed}, args {small.shapes}\n{small.function}")
    for f in got.findings:
        print("#", f.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())

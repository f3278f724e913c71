"""No class in ``srcxform`` is over 500 lines and no function over 120 (the house rule).

An ``ast`` scan of every module under ``srcxform/``: a class or function's size is
``end_lineno - lineno + 1`` (its ``class``/``def`` line to its last line, docstring
and comments inside included).  Nested functions and methods are measured too.
"""

from __future__ import annotations

import ast
from pathlib import Path

MAX_CLASS = 500
MAX_FUNCTION = 120
ROOT = Path(__file__).resolve().parents[2] / "srcxform"  # this checkout's sources


def oversized(source: str, where: str) -> list[str]:
    """``where:line name (n lines)`` for every class over ``MAX_CLASS`` lines and every
    function over ``MAX_FUNCTION`` in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            limit = MAX_CLASS
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            limit = MAX_FUNCTION
        else:
            continue
        size = node.end_lineno - node.lineno + 1
        if size > limit:
            found.append(f"{where}:{node.lineno} {node.name} ({size} lines, limit {limit})")
    return found


def test_the_scan_finds_a_class_or_function_over_the_limit():
    long_function = "def f():\n" + "    x = 1\n" * MAX_FUNCTION
    assert oversized(long_function, "m.py") == [f"m.py:1 f ({MAX_FUNCTION + 1} lines, "
                                                f"limit {MAX_FUNCTION})"]
    at_limit = "def f():\n" + "    x = 1\n" * (MAX_FUNCTION - 1)
    assert oversized(at_limit, "m.py") == []
    methods = "".join(f"    def m{i}(self):\n" + "        x = 1\n" * 9 for i in range(50))
    assert oversized("class C:\n" + methods, "m.py") == [
        f"m.py:1 C ({MAX_CLASS + 1} lines, limit {MAX_CLASS})"]


def test_no_class_or_function_in_srcxform_is_over_the_limit():
    modules = sorted(ROOT.rglob("*.py"))
    assert len(modules) > 100
    found = [line for path in modules
             for line in oversized(path.read_text(encoding="utf-8"),
                                   str(path.relative_to(ROOT.parent)))]
    assert not found, "over the size limits:\n" + "\n".join(found)

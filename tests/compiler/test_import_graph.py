"""No import cycles inside ``srcxform`` (a package re-exporting its children is fine).

The graph is built from the source with ``ast``: every ``import`` and
``from ... import`` of a srcxform module, at any depth (a function-local
import and an ``if TYPE_CHECKING:`` import count too: they hide a cycle, they
do not remove it).  An edge from a package's ``__init__`` to its own child is
left out (re-exporting is what an ``__init__`` is for).
"""

from __future__ import annotations

import ast
import pathlib

import srcxform

ROOT = pathlib.Path(srcxform.__file__).resolve().parent


def _modules() -> dict[str, pathlib.Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """Module name -> the srcxform modules it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name in modules}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    if full in modules:
                        deps.add(full)
                    elif target in modules:
                        deps.add(target)
        graph[name] = {d for d in deps - {name}
                       if not (path.name == "__init__.py" and d.startswith(name + "."))}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_the_compiler():
    graph = import_graph()
    assert "srcxform.compiler.program" in graph["srcxform.compiler.normalize"]
    assert "srcxform.cache" in graph["srcxform.api"]
    assert "srcxform.compiler" in graph["srcxform.cache"]
    assert "srcxform.compiler.driver" not in graph["srcxform.compiler"]  # a re-export


def test_a_cycle_would_be_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_srcxform_has_no_import_cycles():
    assert cycles(import_graph()) == []

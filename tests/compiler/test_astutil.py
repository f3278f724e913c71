"""The shared syntax-tree queries and walks."""

from __future__ import annotations

import ast

from srcxform.compiler import anno, astutil


def _body(text: str) -> list[ast.stmt]:
    return ast.parse(text).body


def test_names_stored_loaded_and_mentioned():
    body = _body("a = b + c\na[i] = d\nfor k in range(n):\n    e, f = g\n")
    assert astutil.names_stored(body) == {"a", "k", "e", "f"}
    assert astutil.names_loaded(body) == {"b", "c", "a", "i", "d", "range", "n", "g"}
    assert astutil.names_mentioned(body[0]) == {"a", "b", "c"}
    assert astutil.loads_in_order(_body("x = y + y * z")) == ["y", "y", "z"]
    assert astutil.load_counts(_body("x = y + y * z")) == {"y": 2, "z": 1}
    assert astutil.store_counts(_body("x = 1\nx = 2\ny = x")) == {"x": 2, "y": 1}
    assert astutil.mentions(body, "g") and not astutil.mentions(body, "h")
    assert astutil.assigns(body, "e") and not astutil.assigns(body, "g")


def test_root_of_a_target():
    target = ast.parse("a[i].b[j]", mode="eval").body
    assert astutil.root(target).id == "a" and astutil.root_name(target) == "a"
    assert astutil.root(ast.parse("f(x)[0]", mode="eval").body) is None
    assert astutil.root_name(ast.parse("f(x)[0]", mode="eval").body) is None


def test_written_root():
    assert astutil.written_root(_body("out[i] = v")[0]) == "out"
    assert astutil.written_root(_body("out[i:j] += v")[0]) == "out"
    assert astutil.written_root(_body("out = v")[0]) is None


def test_names_changed_counts_writes_and_restores():
    stmt = _body("a[i] = v")[0]
    assert astutil.names_changed(stmt) == {"a"}
    mark = _body("restore(3, h)")[0]
    anno.set(mark, anno.MARKER, (3, ["h", "c"]))
    assert astutil.names_changed(mark) == {"h", "c"}
    assert astutil.marker_names(mark) == ["h", "c"] and astutil.marker_names(stmt) == []


def test_walk_stmts_with_and_without_nested_loops():
    body = _body(
        "a = 1\n"
        "if c:\n    b = 2\nelse:\n    d = 3\n"
        "for i in r:\n    e = 4\n    while t:\n        g = 5\n"
        "with m:\n    h = 6\n")
    assigned = [s.targets[0].id for s in astutil.walk_stmts(body) if isinstance(s, ast.Assign)]
    assert assigned == ["a", "b", "d", "e", "g", "h"]
    loop = body[2]
    one_loop = [s.targets[0].id for s in astutil.walk_stmts(loop.body, into_loops=False)
                if isinstance(s, ast.Assign)]
    assert one_loop == ["e"]  # the nested while's body is not entered
    assert any(isinstance(s, ast.While) for s in astutil.walk_stmts(loop.body, into_loops=False))


def test_blocks_with_their_owners():
    body = _body("if c:\n    a = 1\nelse:\n    b = 2\nfor i in r:\n    e = 4\n")
    owners = [(type(owner).__name__ if owner else None, len(block))
              for block, owner in astutil.blocks(body)]
    assert owners == [(None, 2), ("If", 1), ("If", 1), ("For", 1)]


def test_names_under_control_flow():
    fn = _body("def f(x):\n    a = 1\n    if x:\n        b = 2\n    for i in x:\n"
               "        c = 3\n    return a\n")[0]
    assert astutil.names_under_control_flow(fn) == {"b", "i", "c"}


def test_parameters():
    fn = _body("def f(a, /, b, *, c):\n    return a\n")[0]
    assert astutil.params_of(fn) == ["a", "b", "c"]
    assert astutil.positional_params(fn) == ["a", "b"]


def test_negative_literal():
    assert astutil.is_negative_literal(ast.parse("-1", mode="eval").body)
    assert not astutil.is_negative_literal(ast.parse("-x", mode="eval").body)

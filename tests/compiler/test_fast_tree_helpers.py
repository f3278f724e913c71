"""The fast tree helpers of astutil.py against the stdlib functions they replace, and
driver.without_gc leaving the collector as it found it."""

from __future__ import annotations

import ast
import copy
import gc
import random
from pathlib import Path

import pytest

from srcxform.compiler import astutil
from srcxform.compiler.driver import without_gc

SOURCES = sorted((Path(astutil.__file__).parent).glob("*.py"))[:12]


def _trees() -> list[ast.Module]:
    return [ast.parse(p.read_text()) for p in SOURCES]


def _places(tree: ast.AST) -> list[tuple]:
    return [(type(n).__name__,) + tuple(getattr(n, a, "-") for a in
                                        ("lineno", "col_offset", "end_lineno", "end_col_offset"))
            for n in ast.walk(tree)]


def test_walk_and_nodes_yield_what_ast_walk_yields_in_its_order() -> None:
    for tree in _trees():
        expected = list(ast.walk(tree))
        assert list(astutil.walk(tree)) == expected
        assert astutil.nodes(tree) == expected
        body = tree.body
        assert list(astutil.walk(body)) == [n for s in body for n in ast.walk(s)]


def test_name_queries_agree_with_a_plain_walk() -> None:
    for tree in _trees():
        for part in [tree, tree.body, tree.body[-1:]]:
            names = [n for n in (ast.walk(part) if isinstance(part, ast.AST) else
                                 (x for s in part for x in ast.walk(s)))
                     if isinstance(n, ast.Name)]
            loads = [n.id for n in names if isinstance(n.ctx, ast.Load)]
            stores = [n.id for n in names if isinstance(n.ctx, ast.Store)]
            assert astutil.loads_in_order(part) == loads
            assert astutil.names_loaded(part) == set(loads)
            assert astutil.names_stored(part) == set(stores)
            assert astutil.names_mentioned(part) == {n.id for n in names}
            assert astutil.store_counts(part) == {k: stores.count(k) for k in set(stores)}
            written = {n.value.id for n in (ast.walk(part) if isinstance(part, ast.AST) else
                                            (x for s in part for x in ast.walk(s)))
                       if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)
                       and isinstance(n.value, ast.Name)}
            assert astutil.loads_and_writes(part) == (
                {k: loads.count(k) for k in set(loads)}, written)
            assert astutil.names_written_into(part) == written
            assert astutil.load_and_store_counts(part) == (
                astutil.load_counts(part), astutil.store_counts(part))


EVERY_FIELD = """
import a.b as c
from .d import e as f, g
global h
def k(p: q = r, *s: t, u: v = w, **x: y) -> z:
    nonlocal aa
    bb: cc = dd[ee:ff:gg, hh]
    ii = f"{jj!r:>{kk}} {ll}"
    mm = [nn for oo in pp if qq async for rr in ss]
    tt += uu if vv else -ww
    del xx[yy], zz.ab
    match ac:
        case [ad, *ae] if af: ag = 1
        case {"k": ah, **ai}: aj = 2
        case Ak(al, am=An()) | ao: ap = 3
        case None | aq.ar: pass
    with at as (au, av): aw = ax @ ay and not az or ba < bb2 <= bc
    lambda bd, *be, bf=bg: bd + bh
    async def bi(): await bj
    return (yield bk), [*bl], {bm: bn, **bo}, {bp}
"""


def _walk_outside_names(node: ast.AST) -> list[ast.AST]:
    """``ast.walk`` that does not enter a ``Name`` (whose context the searches skip)."""
    found, todo = [], [node]
    for n in todo:
        found.append(n)
        if not isinstance(n, ast.Name):
            todo.extend(ast.iter_child_nodes(n))
    return found


def test_name_searches_skip_only_fields_that_hold_no_name() -> None:
    trees = [ast.parse(EVERY_FIELD)] + _trees()
    for tree in trees:
        assert astutil.nodes(tree) == list(ast.walk(tree)) == list(astutil.walk(tree))
        fixed, theirs = copy.deepcopy(tree), copy.deepcopy(tree)
        for n in astutil.nodes(fixed) + astutil.nodes(theirs):
            for a in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
                if a in n._attributes and n is not fixed.body[0] and n is not theirs.body[0]:
                    n.__dict__.pop(a, None)
        astutil.fix_locations(fixed)
        ast.fix_missing_locations(theirs)
        assert _places(fixed) == _places(theirs)
        every = list(ast.walk(tree))
        assert astutil._names(tree) == [n for n in every if isinstance(n, ast.Name)]
        subs = [n for n in every if isinstance(n, (ast.Name, ast.Subscript))]
        assert astutil._names(tree, ast.Subscript) == subs
        outside = _walk_outside_names(tree)
        for also in (ast.Add, ast.alias):  # (classes of the fields the search may skip)
            assert astutil._names(tree, also) == [n for n in outside
                                                  if isinstance(n, (ast.Name, also))]
        for classes in (frozenset({ast.Subscript, ast.Assign}), frozenset({ast.Store}),
                        frozenset({ast.Add, ast.alias, ast.Lt}), frozenset({ast.Constant})):
            names, other = astutil.names_and(tree.body, classes)
            plain = [n for s in tree.body for n in _walk_outside_names(s)]
            assert names == [n for n in plain if isinstance(n, ast.Name)]
            assert other == [n for n in plain if type(n) in classes]


def test_fix_locations_fills_what_fix_missing_locations_fills() -> None:
    rng = random.Random(0)
    for tree in _trees():
        for n in ast.walk(tree):  # drop some positions, set some end positions to None
            for a in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
                if a in n.__dict__ and rng.random() < 0.3:
                    if a.startswith("end") and rng.random() < 0.5:
                        setattr(n, a, None)
                    else:
                        delattr(n, a)
        mine, theirs = copy.deepcopy(tree), copy.deepcopy(tree)
        astutil.fix_locations(mine)
        ast.fix_missing_locations(theirs)
        assert _places(mine) == _places(theirs)


def test_shift_lines_moves_lines_as_increment_lineno_does() -> None:
    for tree in _trees():
        mine, theirs = copy.deepcopy(tree), copy.deepcopy(tree)
        astutil.shift_lines(mine, 7)
        ast.increment_lineno(theirs, 7)
        assert _places(mine) == _places(theirs)


def test_copy_tree_copies_as_deepcopy_does_and_keeps_sharing() -> None:
    for tree in _trees():
        shared = tree.body[0]
        holder = [tree, shared]
        copied = astutil.copy_tree(holder, {})
        assert ast.dump(copied[0], include_attributes=True) == \
            ast.dump(copy.deepcopy(tree), include_attributes=True)
        assert copied[1] is copied[0].body[0]  # held twice, copied once
        pairs = list(zip(ast.walk(copied[0]), ast.walk(tree)))
        # every node new but the expression contexts, which copies share (no pass changes one)
        assert not any(a is b for a, b in pairs if not isinstance(b, ast.expr_context))
        contexts = [(a, b) for a, b in pairs if isinstance(b, ast.expr_context)]
        assert contexts and all(a is b for a, b in contexts)


def test_without_gc_leaves_the_collector_as_it_found_it() -> None:
    was = gc.isenabled()
    try:
        gc.enable()
        with without_gc():
            assert not gc.isenabled()
            with without_gc():  # nested: still off, and off after the inner one
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled()
        with pytest.raises(ValueError):
            with without_gc():
                raise ValueError("a pass failed")
        assert gc.isenabled()
        gc.disable()  # a caller's choice stays
        with without_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_callee_text_is_the_unparsed_callee() -> None:
    from srcxform.compiler.primitives import _callee_text

    funcs = [n.func for tree in [ast.parse(EVERY_FIELD)] + _trees() for n in ast.walk(tree)
             if isinstance(n, ast.Call)]
    assert len(funcs) > 500 and any(isinstance(f, ast.Attribute) for f in funcs)
    for func in funcs:
        assert _callee_text(func) == ast.unparse(func)

"""The faster front-end helpers against what they replace: ``parse.parse_text`` against
gast's round trip (``gast.gast_to_ast(gast.parse(text))``, what parsing used to be),
``complexity.maybe_complex_names`` against the plain fixed point it replaced (every
assignment's value walked again each round), ``complexity.index_mentions_complex``
against the walk of the whole body, and ``shapes.broadcast_shapes`` against
``np.broadcast_shapes``."""

from __future__ import annotations

import ast
import cmath
from pathlib import Path

import gast
import numpy as np
import pytest

from srcxform.compiler import astutil, complexity
from srcxform.compiler.parse import parse_text

ROOT = Path(astutil.__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "srcxform" / "compiler").glob("*.py")) \
    + sorted((ROOT / "tests" / "language").glob("*.py"))


def test_parse_text_makes_the_tree_gasts_round_trip_makes() -> None:
    assert len(SOURCES) > 60
    for path in SOURCES:
        text = path.read_text()
        mine = parse_text(text)
        theirs = gast.gast_to_ast(gast.parse(text))
        assert ast.dump(mine, include_attributes=True) == \
            ast.dump(theirs, include_attributes=True), path


def test_parse_text_gives_every_context_and_operator_a_node_of_its_own() -> None:
    for path in SOURCES[:40]:
        found = astutil.nodes(parse_text(path.read_text()))
        assert len({id(n) for n in found}) == len(found), path
    a, b = parse_text("x = y + z < w"), parse_text("u = v + t")
    assert a.body[0].value.left.op is not b.body[0].value.op
    assert a.body[0].targets[0].ctx is not b.body[0].targets[0].ctx


# -- maybe_complex_names ---------------------------------------------------------------------

def _old_mentions(node: ast.AST, names: set[str], env) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and (isinstance(sub.value, complex)
                                              or complexity._complex_dtype_name(sub.value)):
            return True
        if isinstance(sub, ast.Name) and sub.id in names:
            return True
        if env is not None and isinstance(sub, (ast.Name, ast.Attribute)) \
                and isinstance(getattr(sub, "ctx", None), ast.Load):
            obj = env.resolve(sub)
            if obj is not None and complexity._complex_object(obj):
                return True
    return False


def _old_maybe_complex_names(body: list[ast.stmt], env) -> frozenset[str]:
    """The fixed point as it was written before (the oracle)."""
    assignments = []
    for stmt in body:
        for node in ast.walk(stmt):
            targets, value = complexity._targets(node)
            if value is None:
                continue
            names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            if names:
                assignments.append((names, value))
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for names, value in assignments:
            if not names <= found and _old_mentions(value, found, env):
                found |= names
                changed = True
    return frozenset(found)


class _Env:
    """Resolves names (and ``m.attr``) from a dict, as ``Env.resolve`` does from a scope."""

    objects = {"C": np.array([1j]), "R": np.array([1.0]), "complex": complex, "cmath": cmath,
               "np": np, "k": 2.0 + 0j}

    def resolve(self, node: ast.expr):
        if isinstance(node, ast.Name):
            return self.objects.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return None if base is None else getattr(base, node.attr, None)
        return None


PROGRAMS = [
    "a = x * 2\nb = a + 1j\nc = b * y\nd = x + y",
    "d = c + 1\nc = b\nb = a\na = 1j",  # found only by iterating: read before assigned
    "a = C * x\nb = R * x\nc = np.exp(b)\nd = cmath.sin(x)\ne = complex(x, 0)\nf = k + x",
    "for i in range(3):\n    s = s + t\n    t = (u := x * 1j)\nv = u\nw = s",
    "a[0] = 1j\nb = a\nc, (d, e) = 1j, x\nf: float = d\ng: int\nh += c",
    "if x:\n    a = 2j\nelse:\n    a = 1.0\nb = [a, x][0]\nwhile y:\n    z = b\n    y = 0",
    "a = np.sqrt(x)\nb = np.lib.scimath.sqrt(a)\nc = (q := b) + (r := 1)\nd = r",
]


@pytest.mark.parametrize("text", PROGRAMS)
@pytest.mark.parametrize("env", [None, _Env()], ids=["no-env", "env"])
def test_maybe_complex_names_is_the_old_fixed_point(text: str, env) -> None:
    body = ast.parse(text).body
    assert complexity.maybe_complex_names(body, env) == _old_maybe_complex_names(body, env)


def test_maybe_complex_names_finds_the_chains() -> None:
    body = ast.parse(PROGRAMS[1]).body
    assert complexity.maybe_complex_names(body, None) == {"a", "b", "c", "d"}
    body = ast.parse(PROGRAMS[2]).body
    assert complexity.maybe_complex_names(body, _Env()) == {"a", "d", "e", "f"}


def test_maybe_complex_names_on_the_compilers_own_functions() -> None:
    env = _Env()
    count = 0
    for path in SOURCES[:60]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                count += 1
                assert complexity.maybe_complex_names(node.body, env) == \
                    _old_maybe_complex_names(node.body, env), (path, node.name)
    assert count > 300


MORE = [  # attribute chains and contexts (the chain is resolved once; a store is not read)
    "a = np.fft.fft(x)\nb = np.fft.fft(a)",
    "a = np.emath.sqrt(x)",
    "np.foo = x\na = np.foo",
    "a = x.real * np.pi\nb = [1, 2][0].imag",
    "a = 'complex64'\nb = x.astype('float32')",
    "a = (x + 1).conj()\nb = np.linalg.eig(a)",
]


@pytest.mark.parametrize("text", PROGRAMS + MORE)
@pytest.mark.parametrize("env", [None, _Env()], ids=["no-env", "env"])
def test_index_mentions_complex_is_mentions_complex_of_the_body(text: str, env) -> None:
    body = ast.parse(text).body
    names, others = astutil.names_and(body, frozenset({ast.Constant, ast.Attribute, ast.Assign}))
    whole = complexity.mentions_complex(ast.Module(body=body, type_ignores=[]), frozenset(), env)
    assert complexity.index_mentions_complex(names, others, env) == whole
    assert whole == _old_mentions(ast.Module(body=body, type_ignores=[]), set(), env)


def test_index_mentions_complex_on_the_compilers_own_functions() -> None:
    env = _Env()
    seen = set()
    for path in SOURCES[:60]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                names, others = astutil.names_and(node.body, frozenset({ast.Constant,
                                                                       ast.Attribute}))
                found = complexity.index_mentions_complex(names, others, env)
                assert found == _old_mentions(ast.Module(body=node.body, type_ignores=[]),
                                              set(), env), (path, node.name)
                seen.add(found)
    assert seen == {True, False}  # (both answers met)


# -- shapes.broadcast_shapes ------------------------------------------------------------------

def test_broadcast_shapes_answers_as_numpy_does() -> None:
    import random

    from srcxform.compiler.shapes import broadcast_shapes

    def numpy_answer(*shapes):
        try:
            return tuple(np.broadcast_shapes(*shapes))
        except ValueError:
            return None

    rng = random.Random(0)
    for _ in range(20000):
        shapes = tuple(tuple(rng.choice((0, 1, 2, 3)) for _ in range(rng.randint(0, 4)))
                       for _ in range(rng.randint(0, 4)))
        assert broadcast_shapes(*shapes) == numpy_answer(*shapes), shapes
    assert broadcast_shapes((2,), (np.int64(2),)) == (2,)  # (NumPy's to answer)
    assert broadcast_shapes((-1,)) is None


def _functions_of(modules: list) -> list:
    import types

    found = []
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                found += [v for v in vars(value).values() if isinstance(v, types.FunctionType)]
            elif isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
                found.append(value)
    return found


def test_the_quick_reading_of_a_source_is_inspects_where_it_applies() -> None:
    """parse's reading of a def's lines from its code's positions gives the tree, first
    line and indent that inspect.getsourcelines gives, for every function of the compiler
    and of the language tests (where the text does not confirm the cut, parse asks
    inspect: those are counted, not compared)."""
    import importlib
    import inspect

    from srcxform.compiler import parse

    names = [f"srcxform.compiler.{p.stem}" for p in SOURCES if p.parent.name == "compiler"]
    names += [f"tests.language.{p.stem}" for p in SOURCES if p.parent.name == "language"]
    functions = _functions_of([importlib.import_module(n) for n in names])
    compared = 0
    for fn in functions:
        quick = parse._lines_of_code(fn.__code__)
        if quick is None:
            continue
        try:
            node, _, first, indent = parse._located_source(fn, *quick)
        except ValueError:
            continue
        slow, _, slow_first, slow_indent = parse._located_source(
            fn, *inspect.getsourcelines(fn.__code__))
        assert (ast.dump(node), first, indent) == (ast.dump(slow), slow_first, slow_indent), fn
        compared += 1
    assert compared > 0.9 * len(functions) > 500

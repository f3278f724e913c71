"""Propagation alone (``propagate.py``, ``facts.py``): one forward walk over a body.

Hand-written bodies are walked by a :class:`Propagator` (no dead-code
removal), and the tests check what the module promises: copies and literals
substituted where they are read, folded, an ``if`` on a literal replaced by
its branch, ``x = x`` gone, a negation read once moved into its reader but
never into a loop, and nothing learned before a loop or branch that changes a
name survives it.
"""

from __future__ import annotations

import ast
import textwrap

from srcxform.compiler import anno
from srcxform.compiler.astutil import load_counts
from srcxform.compiler.facts import Facts
from srcxform.compiler.propagate import Derivation, Propagator, StableShapes
from srcxform.compiler.shapefacts import ShapeFacts
from tests.compiler.passes import env, statements, text


def propagated(source: str, overwritten: set[str] = frozenset(),
               exact: dict | None = None) -> tuple[str, Propagator]:
    """``source`` after one forward walk."""
    body = statements(textwrap.dedent(source))
    shapes = ShapeFacts(env(), specialized=exact is not None)
    shapes.exact = dict(exact or {})
    walk = Propagator(shapes, Derivation({}, set(overwritten)), StableShapes(),
                      load_counts(body))
    return text(walk.block(body, Facts())), walk


def test_copies_and_literals_are_substituted_and_folded():
    out, _ = propagated("""
        a = x
        b = a * 2
        c = 3
        d = c * 4.0
        return b + d
    """)
    assert out == "a = x\nb = x * 2\nc = 3\nd = 12.0\nreturn b + 12.0"


def test_an_if_on_a_literal_is_its_branch():
    out, _ = propagated("""
        flag = 1
        if flag > 0:
            r = x
        else:
            r = y
        return r
    """)
    assert out == "flag = 1\nr = x\nreturn x"


def test_self_assignment_is_gone():
    out, _ = propagated("a = x\nb = a\na = b\nreturn a")
    assert "a = a" not in out and out.splitlines()[1] == "b = x"


def test_a_negation_read_once_moves_into_its_reader():
    out, _ = propagated("t = -u\nr = t * 3\nreturn r")
    assert out == "t = -u\nr = u * -3\nreturn r"
    twice, _ = propagated("t = -u\nr = t * 3\nq = t * 2\nreturn r + q")
    assert "r = t * 3" in twice  # read twice: computed once


def test_a_negation_never_moves_into_a_loop():
    out, _ = propagated("""
        t = -u
        for i in range(3):
            r = t * 3
        return r
    """)
    assert "    r = t * 3" in out


def test_what_a_loop_changes_is_forgotten_before_and_after_it():
    out, _ = propagated("""
        a = x
        for i in range(2):
            b = a
            a = a + 1.0
        c = a
        return c
    """, overwritten={"a", "b"})
    assert "    b = a\n    a = a + 1.0" in out  # not x: a changes in the loop
    assert "c = a\nreturn a" in out  # c is a copy of a after the loop, not of x
    copied, _ = propagated("""
        a = x
        for i in range(2):
            a = y
        c = a
        return c
    """, overwritten={"a"})
    assert copied.endswith("c = a\nreturn a")  # the loop may not run: a may still be x
    shaped, _ = propagated("""
        a = x
        for i in range(2):
            a = y
        c = np.shape(a)
        return c
    """, overwritten={"a"}, exact={"x": (2,), "y": (3,)})
    assert shaped.endswith("c = np.shape(a)\nreturn c")  # (2,) or (3,): not known


def test_what_a_branch_changes_is_forgotten_after_it():
    out, _ = propagated("""
        a = x
        if y > 0:
            a = y
        c = a
        return c
    """, overwritten={"a"})
    assert out.endswith("c = a\nreturn a")


def test_a_write_into_an_array_forgets_what_was_derived_from_it():
    out, _ = propagated("b = a\na[0] = 1.0\nc = b\nreturn c")
    assert out.endswith("c = b\nreturn b")  # b = a no longer stands for the array's value
    kept, _ = propagated("b = a\nc = b\nreturn c")
    assert kept.endswith("c = a\nreturn a")


def test_a_restore_placeholder_forgets_what_it_restores():
    body = statements("a = x\nrestore(a)\nc = a\nreturn c")
    anno.set(body[1], anno.MARKER, (1, ["a"]))
    shapes = ShapeFacts(env(), specialized=False)
    walk = Propagator(shapes, Derivation({}, {"a"}), StableShapes(), load_counts(body))
    assert text(walk.block(body, Facts())).endswith("c = a\nreturn a")


LOOP = """
s = np.zeros(3)
for i in range(4):
    s = s + x[i]
return s
"""


def test_range_loop_counters_are_ints_and_assigned_shapes_are_recorded():
    _, walk = propagated(LOOP, overwritten={"s"}, exact={"x": (4, 3)})
    assert "i" in walk.shapes.int_names
    # s is forgotten where the loop begins: its assignment there has no known shape
    assert walk.assigned_shapes["s"] == {(3,), None}


def test_a_stable_shape_survives_the_loop_head():
    body = statements(LOOP)
    shapes = ShapeFacts(env(), specialized=True)
    shapes.exact = {"x": (4, 3)}
    walk = Propagator(shapes, Derivation({}, {"s"}), StableShapes({"s": (3,)}),
                      load_counts(body))
    walk.block(body, Facts())
    assert walk.assigned_shapes["s"] == {(3,)}
    assert walk.shapes.exact["s"] == (3,)


def test_facts_kill_forgets_every_fact_mentioning_a_name():
    facts = Facts()
    facts.learn("values", "b", ast.Name("a", ast.Load()))
    facts.learn("values", "c", ast.Constant(1.0))
    facts.learn("scalar_broadcasts", "g", (ast.Name("s", ast.Load()), ast.Name("a", ast.Load())))
    facts.learn("pieces", "p", [ast.parse("a[:2]", mode="eval").body])
    facts.learn("values", "n", ast.parse("-u", mode="eval").body)
    facts.learn("values", "b2", ast.Name("u", ast.Load()))
    facts.learn("values", "b2", ast.Name("a", ast.Load()))  # rewritten: now mentions a
    kept = facts.copy()
    facts.kill("a")
    assert set(facts.values) == {"c", "n"} and not facts.scalar_broadcasts and not facts.pieces
    assert set(kept.values) == {"b", "b2", "c", "n"}  # a copy is independent
    assert set(kept.without_negations().values) == {"b", "b2", "c"}
    kept.kill("u")  # b2 no longer mentions u: kept
    assert set(kept.values) == {"b", "b2", "c"}


def test_a_name_beginning_with_two_underscores_is_forgotten_like_any_other():
    """(The facts once lived in a dict with three keys starting with "__"; what mentioned
    a forgotten name was dropped only for names not starting so: ``__a`` kept standing
    for the old ``x``.)"""
    out, _ = propagated("""
        __a = x
        for i in range(3):
            x = x * 2.0
            s = __a * x
        return s
    """, overwritten={"x", "s"})
    assert "    s = __a * x" in out

"""Liveness (``liveness.py``) and dead-code removal (``deadcode.py``), each alone.

Liveness only marks: a statement is dead when no needed statement reads what
it defines and evaluating it has no effect; loops are solved around their
back edge.  Removal then drops exactly the dead statements (an emptied block
keeps a ``pass``).  Hand-written bodies, names checked by hand.
"""

from __future__ import annotations

import ast
import textwrap

from srcxform.compiler import anno
from srcxform.compiler.deadcode import remove_dead
from srcxform.compiler.liveness import liveness
from tests.compiler.passes import env, statements, text


def _dead(source: str, **kwargs) -> tuple[list[str], set[str], str]:
    """The dead statements' sources, the local names live on entry, and the body after
    removal."""
    body = statements(textwrap.dedent(source))
    names = env()
    found = liveness(body, names, **kwargs)
    dead = [text([s]) for s in _walk(body) if id(s) in found.dead]
    local = {n for n in found.live_in if names.resolve(ast.Name(n, ast.Load())) is None}
    return dead, local, text(remove_dead(body, found))


def _walk(body):
    for stmt in body:
        yield stmt
        for field in ("body", "orelse"):
            yield from _walk(getattr(stmt, field, []))


def test_an_unused_value_is_dead_and_a_used_one_is_live():
    dead, live_in, kept = _dead("a = x * 2\nb = y * 3\nreturn b")
    assert dead == ["a = x * 2"]
    assert live_in == {"y"}
    assert kept == "b = y * 3\nreturn b"


def test_a_chain_of_unused_values_dies_as_a_whole():
    dead, live_in, kept = _dead("a = x\nb = a * 2\nc = np.sin(b)\nreturn x")
    assert dead == ["a = x", "b = a * 2", "c = np.sin(b)"]
    assert live_in == {"x"} and kept == "return x"


def test_a_call_with_an_effect_stays():
    dead, _, kept = _dead("print(x)\nunknown(x)\nnp.sin(x)\nreturn x")
    assert dead == ["np.sin(x)"]
    assert kept == "print(x)\nunknown(x)\nreturn x"


def test_a_write_into_an_array_nobody_reads_is_dead():
    dead, _, _ = _dead("a = np.zeros(3)\na[0] = x\nreturn x")
    assert dead == ["a = np.zeros(3)", "a[0] = x"]
    alive, live_in, _ = _dead("a = np.zeros(3)\na[0] = x\nreturn a")
    assert alive == [] and live_in == {"x"}


def test_the_back_edge_keeps_a_carried_value_alive():
    source = """
        s = 0.0
        for i in range(3):
            t = s * 2.0
            u = s * 5.0
            s = t + x
        return s
    """
    dead, live_in, kept = _dead(source)
    assert dead == ["u = s * 5.0"]  # t is read on the next iteration's way to s
    assert live_in == {"x"}
    assert "    t = s * 2.0\n    s = t + x" in kept


def test_a_value_read_only_on_the_next_iteration_is_live():
    dead, _, _ = _dead("""
        p = 0.0
        s = 0.0
        for i in range(3):
            s = s + p
            p = x * i
        return s
    """)
    assert dead == []  # p reaches s only around the back edge


def test_an_if_with_one_needed_branch_stays():
    dead, _, kept = _dead("""
        if x > 0:
            a = 1.0
        else:
            print(x)
        return x
    """)
    assert dead == ["a = 1.0"]
    assert kept == "if x > 0:\n    pass\nelse:\n    print(x)\nreturn x"


def test_an_if_with_nothing_left_to_do_is_dead_and_so_is_an_emptied_range_loop():
    dead, _, kept = _dead("""
        if x > 0:
            a = 1.0
        else:
            a = 2.0
        for i in range(2):
            b = i * 2
        return x
    """)
    assert "a = 1.0" in dead and "a = 2.0" in dead and "b = i * 2" in dead
    assert "for i in range(2):\n    b = i * 2" in dead and kept == "return x"


def test_an_emptied_loop_stays_when_it_is_not_over_range_or_its_target_is_read():
    for source in ("""
        for i in range(2):
            b = i * 2
        return i
    """, """
        for v in x:
            b = v * 2
        return x
    """, """
        for i in range(2):
            b = i * 2
        else:
            c = 1.0
        return x
    """, """
        while x > 0:
            x = x - 1.0
            b = x * 2
        return x
    """):
        dead, _, kept = _dead(source)
        assert not any(d.startswith(("for", "while")) for d in dead), source
        assert kept.startswith(("for", "while")), source


def test_a_break_keeps_alive_what_the_code_after_the_loop_reads():
    dead, _, _ = _dead("""
        r = 0.0
        for i in range(3):
            r = x * i
            if r > 1.0:
                break
            r = r + 1.0
        return r
    """)
    assert dead == []


def test_the_seed_stays_and_so_do_saved_forward_values():
    body = statements("seed = scalar_seed(out)\nh = x * 2\nreturn x")
    anno.set(body[0], anno.KEEP, True)
    found = liveness(body, env(), overwritten={"h"})
    assert found.dead == set()  # the seed checks the output; h is restored backward
    assert liveness(body, env(), overwritten={"h"}, restores=False).dead == {id(body[1])}


def test_a_restore_placeholder_stays_and_reads_what_it_restores():
    body = statements("h = x * 2\nrestore(h)\nreturn x")
    anno.set(body[1], anno.MARKER, (1, ["h"]))
    anno.set(body[1], anno.GRAD, True)
    found = liveness(body, env(), overwritten={"h"}, restores=False)
    assert found.dead == set()

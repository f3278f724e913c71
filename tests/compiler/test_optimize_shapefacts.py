"""Shape facts alone (``shapefacts.py``, ``shapevalues.py``): queries that never guess.

A :class:`ShapeFacts` is filled by hand (classes, exact shapes, masks) and
its queries are checked against what NumPy itself gives, or ``None`` where
the shape cannot be known.
"""

from __future__ import annotations

import ast

import numpy as np

from srcxform.compiler.shapefacts import SCALAR, ShapeFacts
from srcxform.compiler.shapevalues import split_pieces
from tests.compiler.passes import env


def e(source: str) -> ast.expr:
    return ast.parse(source, mode="eval").body


def facts(exact=None) -> ShapeFacts:
    found = ShapeFacts(env(), specialized=exact is not None)
    found.exact = dict(exact or {})
    for name, shape in found.exact.items():
        found.classes.of[name] = found.classes.exact(shape)
    return found


def test_elementwise_results_share_their_operands_class():
    f = facts()
    a = f.classes.of["a"] = f.classes.new()
    f.classes.of["b"] = f.classes.new()
    assert f.class_of(e("np.sin(a) * 2.0 + a")) == a
    assert f.class_of(e("a + b")) is None  # two unknown classes: broadcasting unknown
    f.classes.union(f.classes.of["a"], f.classes.of["b"])
    assert f.same_shape(e("a"), e("b * 3.0"))


def test_ranks_follow_the_rules_and_stay_unknown_otherwise():
    f = facts()
    f.classes.of["M"] = f.classes.new(2)
    f.classes.of["v"] = f.classes.new(1)
    f.classes.of["u"] = f.classes.new()
    assert f.rank_of(e("M @ v")) == 1
    assert f.rank_of(e("np.sum(M, axis=0)")) == 1
    assert f.rank_of(e("np.sum(M)")) == 0
    assert f.rank_of(e("M.T")) == 2
    assert f.rank_of(e("u @ v")) is None
    assert f.class_of(e("np.sum(M)")) == SCALAR


def test_exact_shapes_agree_with_numpy():
    shapes = {"M": (4, 3), "v": (3,), "t": ()}
    f = facts(shapes)
    f.int_names.add("i")
    values = {"M": np.ones((4, 3)), "v": np.ones(3), "t": 1.0, "i": 2}
    for source in ("M @ v", "M * v", "M[i]", "M[:, 1:]", "np.sum(M, axis=1, keepdims=True)",
                   "np.outer(v, v)", "M.T", "np.reshape(M, (2, 6))", "np.transpose(M)",
                   "np.expand_dims(v, 0)", "t * v"):
        want = np.shape(eval(source, {"np": np}, values))
        assert f.exact_of(e(source)) == want, source
    assert f.exact_of(e("np.sum(M, axis=k)")) is None  # k unknown
    assert f.exact_of(e("np.concatenate((v, w))")) is None  # w unknown
    assert facts().exact_of(e("M")) is None  # not specialized: no exact shapes


def test_masks_are_told_apart_from_numbers():
    f = facts()
    f.bool_names.add("m")
    assert f.maybe_bool(e("x > 0")) and f.maybe_bool(e("m")) and f.maybe_bool(e("m * m"))
    assert not f.maybe_bool(e("m * 2.0")) and not f.maybe_bool(e("x"))


def test_broadcast_parts_and_earliest_like():
    f = facts()
    assert ast.unparse(f.broadcast_parts(e("np.broadcast_to(s, np.shape(v))"))[1]) == "v"
    assert f.broadcast_parts(e("np.broadcast_to(s, w)")) is None
    c = f.classes.new()
    f.classes.of.update({"first": c, "bfirst": c, "later": c})
    f.derivatives = {"bfirst"}
    f.always_defined = {"first", "bfirst", "later"}
    assert f.earliest_like("later") == "first"


def test_split_pieces_are_basic_slices_of_known_offsets():
    f = facts({"g": (7,), "a": (2,), "b": (5,)})
    f.tuple_shapes["seq"] = [(2,), (5,)]
    pieces = split_pieces(e("np.split(g, [2])"), f)
    assert [ast.unparse(p) for p in pieces] == ["g[:2]", "g[2:]"]
    assert split_pieces(e("np.split(g, [k])"), f) is None  # offsets unknown
    assert split_pieces(e("np.split(g, [2])"), facts()) is None  # not specialized

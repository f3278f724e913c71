"""``sx.tree``: leaves, structure, map and flatten over nested tuples, lists and dicts.

The expectations are written out by hand (orders, vectors, dtypes), not
derived from the module under test.
"""

from __future__ import annotations

import collections

import numpy as np
import pytest

import srcxform as sx
from srcxform import tree

Pair = collections.namedtuple("Pair", "W b")


def _mlp_params():
    return [(np.arange(6.0).reshape(2, 3), np.array([10.0, 11.0, 12.0])),
            (np.array([[20.0], [21.0], [22.0]]), np.array([30.0]))]


def _assert_same_tree(a, b):
    assert type(a) is type(b), f"{type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert sorted(a.keys()) == sorted(b.keys())
        for k in a:
            _assert_same_tree(a[k], b[k])
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same_tree(x, y)
    elif isinstance(a, np.ndarray):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


# -- exports ---------------------------------------------------------------------------


def test_exports():
    assert sx.flatten is sx.tree.flatten
    assert "tree" in sx.__all__ and "flatten" in sx.__all__
    for name in ("flatten", "map", "leaves", "structure", "unflatten"):
        assert callable(getattr(sx.tree, name))


# -- leaves and order ------------------------------------------------------------------


def test_leaves_of_list_of_pairs_in_order():
    params = _mlp_params()
    got = tree.leaves(params)
    assert len(got) == 4
    for g, want in zip(got, [params[0][0], params[0][1], params[1][0], params[1][1]]):
        assert g is want


def test_dicts_by_sorted_key_whatever_the_insertion_order():
    a = {"z": 1.0, "a": 2.0, "m": {"y": 3.0, "b": 4.0}}
    b = {"m": {"b": 4.0, "y": 3.0}, "a": 2.0, "z": 1.0}
    assert tree.leaves(a) == [2.0, 4.0, 3.0, 1.0]
    assert tree.leaves(b) == [2.0, 4.0, 3.0, 1.0]
    assert tree.structure(a) == tree.structure(b)
    assert hash(tree.structure(a)) == hash(tree.structure(b))


def test_rebuilt_dicts_list_keys_sorted_as_jax_does():
    _, unflatten = sx.flatten({"z": 1.0, "a": 2.0})
    assert list(unflatten(np.array([3.0, 4.0])).items()) == [("a", 3.0), ("z", 4.0)]


def test_ordered_dict_keeps_its_own_order():
    d = collections.OrderedDict([("z", 1.0), ("a", 2.0)])
    assert tree.leaves(d) == [1.0, 2.0]


def test_none_holds_no_leaf_and_keeps_its_place():
    t = [1.0, None, (None, 2.0)]
    assert tree.leaves(t) == [1.0, 2.0]
    assert tree.leaves(None) == []
    assert tree.map(lambda x: x * 10, t) == [10.0, None, (None, 20.0)]
    v, unflatten = tree.flatten(t)
    np.testing.assert_array_equal(v, [1.0, 2.0])
    assert unflatten(np.array([5.0, 6.0])) == [5.0, None, (None, 6.0)]


def test_a_bare_leaf_is_a_tree():
    assert tree.leaves(3.0) == [3.0]
    v, unflatten = tree.flatten(np.arange(4.0).reshape(2, 2))
    np.testing.assert_array_equal(v, [0.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(unflatten(v + 1), [[1.0, 2.0], [3.0, 4.0]])


# -- flatten ---------------------------------------------------------------------------


def test_flatten_list_of_pairs_vector_and_round_trip():
    params = _mlp_params()
    v, unflatten = sx.flatten(params)
    np.testing.assert_array_equal(
        v, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 11.0, 12.0, 20.0, 21.0, 22.0, 30.0])
    assert v.dtype == np.float64 and v.ndim == 1
    back = unflatten(v)
    _assert_same_tree(back, params)
    assert back[0][0] is not params[0][0]  # fresh arrays, not the originals


def test_unflatten_of_a_new_vector_puts_each_value_in_place():
    params = {"W": np.zeros((2, 2)), "b": np.zeros(2), "scale": 0.0}
    v, unflatten = sx.flatten(params)
    # sorted keys: W (4), b (2), scale (1)
    out = unflatten(np.arange(7.0))
    np.testing.assert_array_equal(out["W"], [[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(out["b"], [4.0, 5.0])
    assert out["scale"] == 6.0 and type(out["scale"]) is float


def test_optimiser_step_on_the_vector():
    params = {"W": np.ones((2, 3)), "b": np.zeros(3)}
    grads = {"W": np.full((2, 3), 2.0), "b": np.full(3, -1.0)}
    v, unflatten = sx.flatten(params)
    g, _ = sx.flatten(grads)
    new = unflatten(v - 0.5 * g)
    np.testing.assert_array_equal(new["W"], np.zeros((2, 3)))
    np.testing.assert_array_equal(new["b"], np.full(3, 0.5))


def test_scalars_keep_their_types():
    t = (1.5, np.float32(2.5), np.array(3.5), 4, True, np.int64(7))
    v, unflatten = sx.flatten(t)
    np.testing.assert_array_equal(v, [1.5, 2.5, 3.5, 4.0, 1.0, 7.0])
    assert v.dtype == np.float64
    back = unflatten(v)
    assert type(back[0]) is float and back[0] == 1.5
    assert type(back[1]) is np.float32 and back[1] == np.float32(2.5)
    assert type(back[2]) is np.ndarray and back[2].shape == () and back[2] == 3.5
    assert type(back[3]) is int and back[3] == 4
    assert type(back[4]) is bool and back[4] is True
    assert type(back[5]) is np.int64 and back[5] == 7


def test_vector_dtype_is_the_common_floating_type():
    f32 = [np.ones(2, dtype=np.float32), np.zeros((1, 2), dtype=np.float32)]
    assert sx.flatten(f32)[0].dtype == np.float32
    assert sx.flatten(f32 + [0.5])[0].dtype == np.float32  # a Python float does not widen
    assert sx.flatten(f32 + [np.ones(1)])[0].dtype == np.float64
    assert sx.flatten([np.arange(3)])[0].dtype == np.float64  # integers become float64
    assert sx.flatten([])[0].dtype == np.float64 and sx.flatten([])[0].shape == (0,)


def test_leaf_dtypes_restored():
    t = {"f32": np.ones((2, 2), dtype=np.float32), "i": np.arange(3), "f": np.ones(2)}
    v, unflatten = sx.flatten(t)
    back = unflatten(v)
    assert back["f32"].dtype == np.float32 and back["i"].dtype == np.arange(3).dtype
    _assert_same_tree(back, t)


def test_namedtuples_lists_and_nested_dicts_round_trip():
    t = {"layers": [Pair(np.ones((2, 2)), np.zeros(2)), Pair(np.full((2, 1), 3.0), None)],
         "extra": (np.array([1.0]),), "empty": [], "scale": 0.25}
    v, unflatten = sx.flatten(t)
    assert v.shape == (4 + 2 + 2 + 1 + 1,)
    back = unflatten(v)
    _assert_same_tree(back, t)
    assert isinstance(back["layers"][0], Pair) and back["layers"][1].b is None


def test_unflatten_refuses_a_vector_of_the_wrong_size():
    _, unflatten = sx.flatten(_mlp_params())
    with pytest.raises(ValueError, match="13 elements"):
        unflatten(np.zeros(12))
    with pytest.raises(ValueError, match="13 elements"):
        unflatten(np.zeros((13, 1)))


@pytest.mark.parametrize("bad,shown", [
    ("text", "str"),
    ({1, 2}, "set"),
    (object(), "object"),
    (np.array(["a", "b"]), "dtype <U1"),
    (len, "builtin_function_or_method"),
])
def test_flatten_refuses_unsupported_leaves_naming_the_path(bad, shown):
    t = {"ok": np.ones(2), "bad": [1.0, bad]}
    with pytest.raises(TypeError) as info:
        sx.flatten(t)
    message = str(info.value)
    assert "['bad'][1]" in message and shown in message and "arrays and numbers" in message


def test_unsortable_dict_keys_are_a_clear_error():
    with pytest.raises(TypeError, match="cannot be sorted"):
        tree.leaves({1: 1.0, "a": 2.0})


# -- structure and unflatten -----------------------------------------------------------


def test_structure_distinguishes_containers_and_shapes():
    s = tree.structure
    assert s([1.0, 2.0]) != s((1.0, 2.0))
    assert s([np.ones(2)]) != s([np.ones(3)])
    assert s({"a": 1.0}) != s({"b": 1.0})
    assert s([np.ones(2)]) == s([np.zeros(2)])
    assert s(Pair(1.0, 2.0)) != s((1.0, 2.0))
    assert tree.structure(_mlp_params()).num_leaves == 4


def test_unflatten_rebuilds_from_leaves():
    params = _mlp_params()
    struct = tree.structure(params)
    rebuilt = tree.unflatten(struct, ["a", "b", "c", "d"])
    assert rebuilt == [("a", "b"), ("c", "d")]
    with pytest.raises(ValueError, match="4 leaves"):
        tree.unflatten(struct, [1, 2, 3])
    with pytest.raises(TypeError, match="Structure"):
        tree.unflatten(params, [1, 2, 3, 4])


def test_structure_paths_lead_to_the_leaves():
    t = {"layers": [(np.ones(2), None), (np.zeros(1), 3.0)], "scale": 0.5}
    struct = tree.structure(t)
    assert struct.paths == [("layers", 0, 0), ("layers", 1, 0), ("layers", 1, 1), ("scale",)]
    for path, leaf in zip(struct.paths, tree.leaves(t)):
        node = t
        for key in path:
            node = node[key]
        assert node is leaf
    assert tree.structure(2.0).paths == [()]


def test_structure_repr_is_readable():
    text = repr(tree.structure({"W": np.ones((2, 3)), "b": [1.0, None]}))
    assert text == "Structure({'W': float64[2, 3], 'b': [float, None]})"


# -- map -------------------------------------------------------------------------------


def test_map_one_tree():
    params = _mlp_params()
    out = tree.map(lambda x: x * 2, params)
    assert isinstance(out, list) and isinstance(out[0], tuple)
    np.testing.assert_array_equal(out[1][0], [[40.0], [42.0], [44.0]])


def test_map_several_trees_an_sgd_step():
    params = _mlp_params()
    grads = tree.map(np.ones_like, params)
    new = tree.map(lambda p, g: p - 0.5 * g, params, grads)
    np.testing.assert_array_equal(new[0][1], [9.5, 10.5, 11.5])
    np.testing.assert_array_equal(new[1][1], [29.5])


def test_map_keeps_namedtuples_and_dict_types():
    t = collections.OrderedDict([("p", Pair(1.0, 2.0))])
    out = tree.map(lambda x: x + 1, t)
    assert type(out) is collections.OrderedDict and out["p"] == Pair(2.0, 3.0)
    dd = collections.defaultdict(list, {"a": 1.0})
    out = tree.map(lambda x: x + 1, dd)
    assert type(out) is collections.defaultdict and out.default_factory is list
    assert out["a"] == 2.0


def test_map_other_trees_may_hold_subtrees_at_leaves():
    out = tree.map(lambda x, sub: (x, len(sub)), [1.0, 2.0], [[0, 0], [0]])
    assert out == [(1.0, 2), (2.0, 1)]


@pytest.mark.parametrize("other,fragment", [
    ([1.0], "a list of 1"),
    ((1.0, 2.0), "a tuple of 2"),
    ({"a": 1.0}, "a dict"),
    (3.0, "a leaf of type float"),
])
def test_map_refuses_mismatched_structures(other, fragment):
    with pytest.raises(ValueError) as info:
        tree.map(lambda a, b: a + b, [1.0, 2.0], other)
    message = str(info.value)
    assert "tree 2" in message and "the root" in message and fragment in message


def test_map_mismatch_deep_names_the_path():
    with pytest.raises(ValueError, match=r"\[0\]\['W'\]"):
        tree.map(lambda a, b: a, [{"W": (1.0,)}], [{"W": [1.0]}])


def test_map_refuses_a_leaf_where_the_first_tree_has_none():
    with pytest.raises(ValueError, match=r"tree 2 holds float at \[1\]"):
        tree.map(lambda a, b: a, [1.0, None], [1.0, 2.0])


def test_map_refuses_a_tuple_for_a_namedtuple():
    with pytest.raises(ValueError, match="different structure"):
        tree.map(lambda a, b: a, Pair(1.0, 2.0), (1.0, 2.0))


def test_complex_leaves_give_a_complex_vector():
    t = [1.0 + 2.0j, np.ones(2, dtype=np.complex64)]
    v, unflatten = sx.flatten(t)
    assert v.dtype == np.complex64
    back = unflatten(v)
    assert type(back[0]) is complex and back[0] == 1.0 + 2.0j
    assert back[1].dtype == np.complex64

"""The annotation API: declared keys only, one getter/setter, facts that travel with nodes."""

from __future__ import annotations

import ast
import copy
import pathlib
import re

import pytest

from srcxform.compiler import anno

SOURCE = pathlib.Path(anno.__file__).resolve().parents[1]


def test_set_get_has_delete():
    node = ast.Name("x", ast.Load())
    assert anno.get(node, anno.LINE) is None
    assert anno.get(node, anno.LINE, 7) == 7
    assert not anno.has(node, anno.LINE)
    anno.set(node, anno.LINE, 3)
    assert anno.has(node, anno.LINE) and anno.get(node, anno.LINE, 7) == 3
    anno.delete(node, anno.LINE)
    assert not anno.has(node, anno.LINE)
    anno.delete(node, anno.LINE)  # deleting what is not there is fine


@pytest.mark.parametrize("use", [
    lambda n: anno.get(n, "colour"),
    lambda n: anno.set(n, "colour", 1),
    lambda n: anno.has(n, "colour"),
    lambda n: anno.delete(n, "colour"),
    lambda n: anno.declared("colour"),
])
def test_an_undeclared_key_is_an_error(use):
    with pytest.raises(anno.UndeclaredAnnotation, match="colour"):
        use(ast.Pass())


def test_every_key_is_documented_once():
    assert len(anno.KEYS) == len({k.attribute for k in anno.KEYS.values()})
    for key in anno.KEYS.values():
        assert key.meaning and key.set_by and key.read_by, key
        assert anno.declared(key.name) is key


def test_annotations_survive_deepcopy_but_not_copy_location():
    call = ast.Call(ast.Name("f", ast.Load()), [], [])
    original = ast.Name("x", ast.Load())
    anno.set(call, anno.CALLEE, len)
    anno.set(call, anno.NODE, original)
    anno.set(call, anno.MARKER, (3, ["h"]))
    twin = copy.deepcopy(call)
    assert anno.get(twin, anno.CALLEE) is len  # objects are not copied
    assert anno.get(twin, anno.NODE) is not original  # syntax is copied with the node
    assert ast.dump(anno.get(twin, anno.NODE)) == ast.dump(original)
    anno.get(twin, anno.MARKER)[1].append("c")
    assert anno.get(call, anno.MARKER) == (3, ["h"])  # the copy's facts are its own
    fresh = ast.copy_location(ast.Pass(), call)
    assert anno.keys_of(fresh) == {}


def test_copy_all_copies_every_annotation():
    src, dst = ast.Pass(), ast.Pass()
    anno.set(src, anno.LINE, 4)
    anno.set(src, anno.GRAD, True)
    anno.copy_all(src, dst)
    assert anno.keys_of(dst) == {"line": 4, "grad": True}


def test_the_compiler_uses_only_declared_keys():
    """No pass hangs an undeclared ad-hoc attribute on a node (``_sx_<key>``)."""
    used = set()
    for path in SOURCE.rglob("*.py"):
        used |= set(re.findall(r"(?<![_\w])_sx_([a-z_]+)", path.read_text()))
    assert used <= set(anno.KEYS), sorted(used - set(anno.KEYS))


def test_the_declarations_name_every_module_that_sets_or_reads_a_key():
    """The documentation of each key stays true: a module that sets (or reads) it through
    the API is named in its ``set_by`` (or ``read_by``)."""
    calls = re.compile(r"anno\.(set|get|has|delete)\([^,]+,\s*anno\.([A-Z_]+)")
    for path in SOURCE.rglob("*.py"):
        if path.name == "anno.py":
            continue
        for verb, constant in calls.findall(path.read_text()):
            key = anno.declared(getattr(anno, constant))
            named = key.set_by if verb in ("set", "delete") else key.read_by
            assert path.stem in named, (path.stem, verb, key.name)

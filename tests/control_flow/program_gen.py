"""Random small control-flow programs, as source text, for property tests.

``programs(profile)`` is a hypothesis strategy of :class:`Program`: the source
of a module that defines a global constant ``C``, zero to two helper functions
and ``def f(x, y, a)`` (``x``, ``y``: float64 arrays of shape (3,), ``a``: a
float) returning a scalar, plus the seed of its inputs.

What a generated program is guaranteed to be:

* made only of constructs API.md section 1 lists (``check_constructs``
  enforces a whitelist of AST nodes and called names): ``if``/``elif``/
  ``else``, conditional expressions, ``and``/``or``/``not``, ``for`` over
  ``range`` (one to three arguments), an array, a tuple, a list, ``enumerate``
  or ``zip``, ``while`` (counter-capped), ``break``, ``continue``, early
  ``return``, helper calls with positional and keyword arguments and tuple
  results, a module global, augmented assignment on scalars, element and
  slice writes into an array made by ``np.zeros``, list ``append``/``sum``/
  ``len``, tuple assignment;
* terminating: ``for`` loops run at most three times; every ``while`` has a
  counter that is incremented first in its body (so ``continue`` cannot spin)
  and capped at three;
* free of aliasing questions: arrays are never updated in place by name
  (``v += …`` is only generated for scalars), the ``np.zeros`` buffer is only
  read inside larger expressions and never iterated over;
* numerically tame once ``measure(p).acceptable``: every value assigned or
  returned is finite and at most ``MAX_ABS`` in magnitude, every float
  comparison evaluated is at least ``MARGIN`` from its threshold, so central
  finite differences with a step of 1e-6 neither cross a branch nor lose
  precision.  Only bounded functions are exponentiated (``np.exp(np.tanh(…))``).
"""

from __future__ import annotations

import ast
import importlib.util
import itertools
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType

import numpy as np
from hypothesis import strategies as st

MARGIN = 1e-3
MAX_ABS = 1e3

#: Statement kinds, repeated to weight them, per profile.  The first kind of
#: each list is the simplest: hypothesis shrinks towards it.
PROFILES: dict[str, list[str]] = {
    "branches": ["assign_sca"] * 2 + ["assign_arr"] * 2 + ["aug_sca", "swap"] + ["if"] * 6
    + ["guard"] * 2 + ["for"] * 2 + ["while"],
    "loops": ["assign_sca"] * 2 + ["assign_arr", "aug_sca", "aug_sca", "write", "write"]
    + ["append"] * 2 + ["if"] * 3 + ["guard"] * 3 + ["for"] * 7 + ["while"] * 3,
    "calls": ["assign_sca", "assign_arr", "aug_sca", "call_tuple", "call_tuple"]
    + ["if"] * 2 + ["guard"] + ["for"] * 2 + ["while"],
    "mixed": ["assign_sca", "assign_arr", "aug_sca", "swap", "write", "write", "append",
              "append", "call_tuple"]
    + ["if"] * 3 + ["guard"] * 2 + ["for"] * 4 + ["while"] * 2,
}

_FLOAT_CONSTANTS = ["0.5", "1.5", "0.25", "-0.3", "2.0"]
_THRESHOLDS = ["0.0", "0.3", "-0.4", "1.0", "-1.1"]


@dataclass(frozen=True)
class Program:
    """A generated module's source and the seed of ``f``'s inputs."""

    source: str
    seed: int
    profile: str

    def args(self) -> tuple:
        rng = np.random.default_rng(self.seed)
        return (rng.uniform(-1.2, 1.2, 3), rng.uniform(-1.2, 1.2, 3), float(rng.uniform(-1, 1)))

    def __repr__(self) -> str:  # hypothesis prints this for a falsifying example
        x, y, a = self.args()
        return (f"Program(profile={self.profile!r}, seed={self.seed}, x={x.tolist()}, "
                f"y={y.tolist()}, a={a!r}) with source:\n{self.source}")


# ----------------------------------------------------------------------------
# generation

Expr = tuple[str, bool]  # (text, is_atom): non-atoms are parenthesized as operands


def _p(e: Expr) -> str:
    return e[0] if e[1] else f"({e[0]})"


@dataclass(frozen=True)
class _Helper:
    name: str
    kind: str  # "arr", "sca" or "tuple"


@dataclass
class _Scope:
    arrays: list[str]  # assignable arrays
    scalars: list[str]  # assignable scalars
    ro_arrays: list[str] = field(default_factory=list)
    ro_scalars: list[str] = field(default_factory=list)
    ints: list[str] = field(default_factory=list)
    loop: bool = False
    ret: str | None = None  # what a `return` here returns: "sca", "arr" or "tuple"
    helpers: list[_Helper] = field(default_factory=list)
    buffer: str | None = None
    lst: str | None = None

    def child(self, **changes) -> _Scope:
        copy = replace(self, arrays=list(self.arrays), scalars=list(self.scalars),
                       ro_arrays=list(self.ro_arrays), ro_scalars=list(self.ro_scalars),
                       ints=list(self.ints))
        return replace(copy, **changes)


class _Gen:
    def __init__(self, draw, profile: str):
        self.draw = draw
        self.kinds = PROFILES[profile]
        self.budget = 0
        self.counter = itertools.count()

    # -- choices (every one shrinks towards the first option / towards "no") --
    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def chance(self, percent: int) -> bool:
        return self.draw(st.integers(0, 99)) >= 100 - percent

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"

    # -- expressions -----------------------------------------------------------
    def arr(self, sc: _Scope, depth: int) -> Expr:
        leaves = sc.arrays + sc.ro_arrays
        if depth <= 0 or not self.chance(50):
            return self.pick(leaves), True
        kinds = ["unary", "unary", "unary", "binary", "binary", "scale", "shift", "global",
                 "reverse", "ifexp"]
        if any(h.kind == "arr" for h in sc.helpers):
            kinds += ["helper", "helper"]
        if sc.buffer:
            kinds.append("buffer")
        kind = self.pick(kinds)
        if kind == "unary":
            inner = self.arr(sc, depth - 1)
            fn = self.pick(["np.sin", "np.cos", "np.tanh", "np.exp(np.tanh", "0.5 *"])
            if fn == "0.5 *":
                return f"0.5 * {_p(inner)}", False
            if fn == "np.exp(np.tanh":
                return f"np.exp(np.tanh({inner[0]}))", True
            return f"{fn}({inner[0]})", True
        if kind == "binary":
            op = self.pick(["+", "-", "*"])
            return f"{_p(self.arr(sc, depth - 1))} {op} {_p(self.arr(sc, depth - 1))}", False
        if kind == "scale":
            return f"{_p(self.sca(sc, depth - 1))} * {_p(self.arr(sc, depth - 1))}", False
        if kind == "shift":
            return f"{_p(self.arr(sc, depth - 1))} + {_p(self.sca(sc, depth - 1))}", False
        if kind == "global":
            return f"C * {_p(self.arr(sc, depth - 1))}", False
        if kind == "reverse":
            return f"{self.pick(leaves)}[::-1]", True
        if kind == "ifexp":
            a, b = self.arr(sc, depth - 1), self.arr(sc, depth - 1)
            return f"{_p(a)} if {self.cond(sc, 0)} else {_p(b)}", False
        if kind == "helper":
            return self.call(sc, "arr"), True
        return self.pick([f"np.sin({sc.buffer})", f"0.5 * {sc.buffer} + C"]), False

    def sca(self, sc: _Scope, depth: int) -> Expr:
        if depth <= 0 or not self.chance(50):
            arrays = sc.arrays + sc.ro_arrays
            category = self.pick(["var", "var", "var", "element", "element", "int", "const"])
            if category == "int" and sc.ints:
                i = self.pick(sc.ints)
                text = self.pick([f"{self.pick(arrays)}[{i} % 3]", f"{i} * 0.25"])
            elif category == "element" or (category == "int" and not sc.ints):
                text = f"{self.pick(arrays)}[{self.pick([0, 1, 2])}]"
            elif category == "const":
                text = self.pick(_FLOAT_CONSTANTS)
            else:
                text = self.pick(sc.scalars + sc.ro_scalars)
            return text, not (text.startswith("-") or " " in text)
        kinds = ["reduce", "reduce", "reduce", "unary", "binary", "binary", "ifexp", "math"]
        if any(h.kind == "sca" for h in sc.helpers):
            kinds += ["helper", "helper"]
        if sc.buffer:
            kinds.append("buffer")
        if sc.lst:
            kinds.append("list")
        kind = self.pick(kinds)
        if kind == "reduce":
            return f"{self.pick(['np.sum', 'np.mean'])}({self.arr(sc, depth - 1)[0]})", True
        if kind == "unary":
            fn = self.pick(["np.sin", "np.cos", "np.tanh"])
            return f"{fn}({self.sca(sc, depth - 1)[0]})", True
        if kind == "math":
            return f"{self.pick(['math.sin', 'math.cos', 'math.tanh'])}" \
                   f"({self.sca(sc, depth - 1)[0]})", True
        if kind == "binary":
            op = self.pick(["+", "-", "*"])
            return f"{_p(self.sca(sc, depth - 1))} {op} {_p(self.sca(sc, depth - 1))}", False
        if kind == "ifexp":
            a, b = self.sca(sc, depth - 1), self.sca(sc, depth - 1)
            return f"{_p(a)} if {self.cond(sc, 0)} else {_p(b)}", False
        if kind == "helper":
            return self.call(sc, "sca"), True
        if kind == "list":
            return self.pick([f"0.5 * sum({sc.lst})", f"0.1 * len({sc.lst})"]), False
        return f"{sc.buffer}[{self.pick([0, 1, 2])}]", True

    def cond(self, sc: _Scope, depth: int) -> str:
        kinds = ["data", "data", "data_vs"]
        if sc.ints:
            kinds += ["int", "int"]
        if depth > 0:
            kinds += ["and", "or", "not"]
        kind = self.pick(kinds)
        if kind == "data":
            op = self.pick([">", "<"])
            return f"{_p(self.sca(sc, 1))} {op} {self.pick(_THRESHOLDS)}"
        if kind == "data_vs":
            return f"{_p(self.sca(sc, 1))} > {_p(self.sca(sc, 1))}"
        if kind == "int":
            i = self.pick(sc.ints)
            return self.pick([f"{i} % 2 == 0", f"{i} > 0", f"{i} == 1", f"{i} < 2"])
        if kind == "not":
            return f"not {self.cond(sc, 0)}"
        return f"{self.cond(sc, 0)} {kind} {self.cond(sc, 0)}"

    def call(self, sc: _Scope, kind: str) -> str:
        helper = self.pick([h for h in sc.helpers if h.kind == kind])
        u = self.arr(sc, 1)[0]
        form = self.pick(["u", "u, t", "u, t=", "u=, t="])
        if form == "u":
            return f"{helper.name}({u})"
        t = self.sca(sc, 1)[0]
        if form == "u, t":
            return f"{helper.name}({u}, {t})"
        if form == "u, t=":
            return f"{helper.name}({u}, t={t})"
        return f"{helper.name}(t={t}, u={u})"

    def returned(self, sc: _Scope) -> str:
        if sc.ret == "arr":
            return self.arr(sc, 2)[0]
        if sc.ret == "sca":
            return self.sca(sc, 2)[0]
        return f"{self.arr(sc, 1)[0]}, {self.sca(sc, 1)[0]}"

    # -- statements --------------------------------------------------------------
    def block(self, sc: _Scope, depth: int, jump_ok: bool = False) -> list[str]:
        lines: list[str] = []
        n = self.draw(st.integers(1, 2))
        for _ in range(n):
            if self.budget <= 0 and lines:
                break
            self.budget -= 1
            lines += self.stmt(sc, depth)
        if jump_ok and self.chance(60 if sc.loop else 35):
            jumps = (["break", "continue"] * 2 if sc.loop else []) \
                + (["return"] if sc.ret else [])
            if jumps:
                jump = self.pick(jumps)
                lines.append(f"return {self.returned(sc)}" if jump == "return" else jump)
        return lines

    def stmt(self, sc: _Scope, depth: int, control_flow: bool = False) -> list[str]:
        kinds = [k for k in self.kinds if self._possible(k, sc, depth)
                 and (not control_flow or k in ("if", "for", "while"))]
        kind = self.pick(kinds)
        if kind == "assign_sca":
            return [f"{self.pick(sc.scalars)} = {self.sca(sc, 2)[0]}"]
        if kind == "assign_arr":
            e = self.arr(sc, 2)
            if self.chance(30):
                return [f"{self.pick(sc.arrays)} = np.tanh({e[0]})"]
            return [f"{self.pick(sc.arrays)} = {e[0]}"]
        if kind == "aug_sca":
            s = self.pick(sc.scalars)
            op = self.pick(["+=", "-=", "*="])
            if op == "*=":
                return [f"{s} *= {self.pick(['0.9', f'np.cos({self.sca(sc, 1)[0]})'])}"]
            return [f"{s} {op} {self.sca(sc, 2)[0]}"]
        if kind == "swap":
            if len(sc.scalars) >= 2 and self.chance(50):
                a, b = sc.scalars[:2]
                return [f"{a}, {b} = {b}, {self.sca(sc, 1)[0]}"]
            a, b = sc.arrays[:2]
            return [f"{a}, {b} = {b}, {self.arr(sc, 1)[0]}"]
        if kind == "write":
            w = sc.buffer
            forms = [f"{w}[{self.pick([0, 1, 2])}] = {self.sca(sc, 1)[0]}",
                     f"{w}[{self.pick([0, 1, 2])}] += {self.sca(sc, 1)[0]}",
                     f"{w}[0:2] = {self.pick(sc.arrays + sc.ro_arrays)}[1:3]",
                     f"{w}[1:] += 0.5 * {self.pick(sc.arrays + sc.ro_arrays)}[:2]"]
            if sc.ints:
                forms.append(f"{w}[{self.pick(sc.ints)} % 3] += {self.sca(sc, 1)[0]}")
            return [self.pick(forms)]
        if kind == "append":
            return [f"{sc.lst}.append({self.sca(sc, 2)[0]})"]
        if kind == "call_tuple":
            return [f"{self.pick(sc.arrays)}, {self.pick(sc.scalars)} = {self.call(sc, 'tuple')}"]
        if kind == "if":
            return self.if_stmt(sc, depth)
        if kind == "guard":
            jump = self.pick((["break", "continue"] if sc.loop else []) + ["return"])
            if jump == "return":
                jump = f"return {self.returned(sc)}"
            return [f"if {self.cond(sc, 1)}:", f"    {jump}"]
        if kind == "for":
            return self.for_stmt(sc, depth)
        return self.while_stmt(sc, depth)

    def _possible(self, kind: str, sc: _Scope, depth: int) -> bool:
        if kind in ("if", "for", "while"):
            return depth > 0 and self.budget > 0
        if kind == "guard":
            return sc.loop or sc.ret is not None
        if kind == "write":
            return sc.buffer is not None
        if kind == "append":
            return sc.lst is not None
        if kind == "call_tuple":
            return any(h.kind == "tuple" for h in sc.helpers)
        if kind == "swap":
            return len(sc.arrays) >= 2
        return True

    def if_stmt(self, sc: _Scope, depth: int) -> list[str]:
        lines = [f"if {self.cond(sc, 1)}:"] + _indent(self.block(sc, depth - 1, jump_ok=True))
        if self.chance(30):
            lines += [f"elif {self.cond(sc, 1)}:"] + _indent(self.block(sc, depth - 1, True))
        if self.chance(50):
            lines += ["else:"] + _indent(self.block(sc, depth - 1, jump_ok=True))
        return lines

    def for_stmt(self, sc: _Scope, depth: int) -> list[str]:
        kind = self.pick(["range", "range_args", "array", "tuple", "list", "enumerate", "zip"])
        arrays = sc.arrays + sc.ro_arrays
        inner = sc.child(loop=True)
        if kind in ("range", "range_args"):
            i = self.fresh("i")
            spec = str(self.pick([1, 2, 3])) if kind == "range" else \
                self.pick(["1, 3", "0, 3, 2", "2, -1, -1", "1, 4, 2"])
            header = f"for {i} in range({spec}):"
            inner.ints.append(i)
        elif kind == "array":
            e = self.fresh("e")
            header = f"for {e} in {self.pick(arrays)}:"
            inner.ro_scalars.append(e)
        elif kind == "tuple":
            t = self.fresh("t")
            header = f"for {t} in ({self.pick(arrays)}, {self.arr(sc, 1)[0]}):"
            inner.ro_arrays.append(t)
        elif kind == "list":
            c = self.fresh("c")
            header = f"for {c} in [0.5, -1.0, 2.0]:"
            inner.ro_scalars.append(c)
        elif kind == "enumerate":
            i, e = self.fresh("i"), self.fresh("e")
            header = f"for {i}, {e} in enumerate({self.pick(arrays)}):"
            inner.ints.append(i)
            inner.ro_scalars.append(e)
        else:
            p, q = self.fresh("p"), self.fresh("q")
            header = f"for {p}, {q} in zip({self.pick(arrays)}, {self.pick(arrays)}):"
            inner.ro_scalars += [p, q]
        return [header] + _indent(self.loop_body(inner, depth - 1))

    def while_stmt(self, sc: _Scope, depth: int) -> list[str]:
        k = self.fresh("k")
        cap = self.pick([2, 3, 1])
        cond = f"{k} < {cap}"
        if self.chance(50):
            cond += f" and {self.cond(sc, 0)}"
        inner = sc.child(loop=True)
        inner.ints.append(k)
        body = self.loop_body(inner, depth - 1)
        return [f"{k} = 0", f"while {cond}:", f"    {k} += 1"] + _indent(body)

    def loop_body(self, sc: _Scope, depth: int) -> list[str]:
        body = self.block(sc, depth)
        if self.chance(40):  # the common `if …: break` / `continue` guard
            guard = [f"if {self.cond(sc, 1)}:", f"    {self.pick(['break', 'continue'])}"]
            body = guard + body if self.chance(50) else body + guard
        return body


def _indent(lines: list[str]) -> list[str]:
    return ["    " + ln for ln in lines]


@st.composite
def programs(draw, profile: str = "mixed") -> Program:
    """A random program (see the module docstring for what it guarantees)."""
    g = _Gen(draw, profile)
    parts = ["import math", "", "import numpy as np", "",
             f"C = np.array([{draw(st.sampled_from(['0.3, -0.6, 0.9', '1.1, 0.2, -0.5']))}])"]
    helpers: list[_Helper] = []
    helper_text: dict[str, str] = {}
    n_helpers = draw(st.integers(0, 1)) if profile != "calls" else draw(st.integers(1, 2))
    for _ in range(n_helpers):
        kind = g.pick(["arr", "sca", "tuple"])
        h = _Helper(f"h{len(helpers)}", kind)
        sc = _Scope(arrays=["u"], scalars=["t"], ret=kind, helpers=list(helpers))
        g.budget = draw(st.integers(1, 2))
        body = g.block(sc, 1 if profile != "calls" else 2)
        default = g.pick(["0.5", "-0.2", "1.0"])
        helper_text[h.name] = "\n".join(
            ["", "", f"def {h.name}(u, t={default}):"] + _indent(body)
            + [f"    return {g.returned(sc)}"])
        helpers.append(h)

    sc = _Scope(arrays=[], scalars=[], ro_arrays=["x", "y"], ro_scalars=["a"],
                ret="sca", helpers=helpers)
    prologue = []
    for name in ("v0", "v1"):
        prologue.append(f"{name} = {g.arr(sc, 1)[0]}")
        sc.arrays.append(name)
    for name in ("s0", "s1"):
        prologue.append(f"{name} = {g.sca(sc, 1)[0]}")
        sc.scalars.append(name)
    final = ["np.sum(v0 * x + v1 * y)", "s0 * (s1 + a)"]
    if g.chance(50):
        sc.buffer = "w"
        prologue.append("w = np.zeros(3)")
        final[0] = "np.sum(w + v0 * x + v1 * y)"
    if g.chance(50):
        sc.lst = "acc"
        prologue.append("acc = []")
        final.append("0.5 * sum(acc)")
    g.budget = draw(st.integers(1, 4))
    body = g.block(sc, 3) if g.chance(40) else []
    g.budget = max(g.budget - 1, 1)
    body += g.stmt(sc, 3, control_flow=True)  # every program has some control flow
    if g.budget > 0 and g.chance(50):
        body += g.block(sc, 3)
    main = "\n".join(["", "", "def f(x, y, a):"] + _indent(prologue + body)
                     + [f"    return {' + '.join(final)}", ""])
    used = main
    for name in sorted(helper_text, reverse=True):  # a helper only calls earlier ones
        if f"{name}(" in used:
            used += helper_text[name]
    parts += [helper_text[name] for name in sorted(helper_text) if f"{name}(" in used]
    parts.append(main)
    seed = draw(st.integers(0, 2 ** 32 - 1))
    return Program("\n".join(parts), seed, profile)


# ----------------------------------------------------------------------------
# checking, measuring and loading

_ALLOWED_NODES = (
    ast.Module, ast.Import, ast.alias, ast.FunctionDef, ast.arguments, ast.arg, ast.Return,
    ast.Assign, ast.AugAssign, ast.For, ast.While, ast.If, ast.Break, ast.Continue, ast.Expr,
    ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.BinOp, ast.Add, ast.Sub,
    ast.Mult, ast.Mod, ast.Compare, ast.Lt, ast.Gt, ast.Eq, ast.Call, ast.keyword, ast.IfExp,
    ast.Constant, ast.Attribute, ast.Subscript, ast.Slice, ast.Name, ast.Load, ast.Store,
    ast.Tuple, ast.List,
)
_ALLOWED_CALLS = {"np.sin", "np.cos", "np.tanh", "np.exp", "np.sum", "np.mean", "np.zeros",
                  "np.array", "math.sin", "math.cos", "math.tanh", "range", "enumerate", "zip",
                  "sum", "len", "acc.append", "h0", "h1"}


def check_constructs(source: str) -> None:
    """Raise AssertionError unless the source uses only whitelisted constructs."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        assert isinstance(node, _ALLOWED_NODES), f"unexpected construct {ast.dump(node)[:80]}"
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            assert name in _ALLOWED_CALLS, f"unexpected call {name}"
        if isinstance(node, ast.Expr):
            assert isinstance(node.value, ast.Call) and ast.unparse(node.value.func) \
                == "acc.append", "a bare expression statement other than acc.append(...)"
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            assert node.target.id.startswith(("s", "t", "k")), \
                f"augmented assignment to the array {node.target.id}"


def features(source: str) -> set[str]:
    """The control-flow and container features a program uses (for coverage checks)."""
    out: set[str] = set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            out.add("if")
            if node.orelse:
                is_elif = len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If)
                out.add("elif" if is_elif else "else")
        elif isinstance(node, ast.For):
            it = node.iter
            name = ast.unparse(it.func) if isinstance(it, ast.Call) else type(it).__name__
            out.add({"range": "for_range_args" if isinstance(it, ast.Call) and len(it.args) > 1
                     else "for_range", "enumerate": "for_enumerate", "zip": "for_zip",
                     "Tuple": "for_tuple", "List": "for_list", "Name": "for_array"}[name])
        elif isinstance(node, ast.While):
            out.add("while_data" if isinstance(node.test, ast.BoolOp) else "while")
        elif isinstance(node, (ast.Break, ast.Continue)):
            out.add(type(node).__name__.lower())
        elif isinstance(node, ast.IfExp):
            out.add("ifexp")
        elif isinstance(node, ast.BoolOp):
            out.add("and" if isinstance(node.op, ast.And) else "or")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            out.add("not")
        elif isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in ("h0", "h1"):
                out.add("helper_call")
                if node.keywords:
                    out.add("keyword_call")
            if name.startswith("math."):
                out.add("math")
            if name == "acc.append":
                out.add("append")
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            out.add("subscript_write")
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Subscript):
            out.add("subscript_augassign")
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple):
            out.add("tuple_assign")
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.If) and any(isinstance(s, ast.Return)
                                                    for s in node.body + node.orelse):
                    out.add("early_return")
                if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                    out.add("tuple_return")
    return out


@dataclass
class Measurement:
    """What an instrumented run of a program saw."""

    value: float = math.nan
    min_margin: float = math.inf
    max_abs: float = 0.0
    comparisons: int = 0

    @property
    def acceptable(self) -> bool:
        return (math.isfinite(self.value) and self.max_abs <= MAX_ABS
                and self.min_margin >= MARGIN)


def _roots(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple):
        return [n for e in target.elts for n in _roots(e)]
    if isinstance(target, ast.Subscript):
        return _roots(target.value)
    return []


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


class _Instrument(ast.NodeTransformer):
    """Record every float comparison's margin and every assigned or returned value."""

    def visit_Compare(self, node):
        self.generic_visit(node)
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Lt, ast.Gt, ast.LtE, ast.GtE)):
            op = ast.Constant(type(node.ops[0]).__name__)
            return _call("_cmp", node.left, op, node.comparators[0])
        return node

    def _checked(self, node, targets):
        self.generic_visit(node)
        names = [n for t in targets for n in _roots(t)]
        return [node] + [ast.Expr(_call("_chk", ast.Name(n, ast.Load()))) for n in names]

    def visit_Assign(self, node):
        return self._checked(node, node.targets)

    def visit_AugAssign(self, node):
        return self._checked(node, [node.target])

    def visit_Return(self, node):
        self.generic_visit(node)
        node.value = _call("_chk", node.value)
        return node


_OPS = {"Lt": lambda a, b: a < b, "Gt": lambda a, b: a > b,
        "LtE": lambda a, b: a <= b, "GtE": lambda a, b: a >= b}


def measure(program: Program) -> Measurement:
    """Run an instrumented copy of the program on its inputs."""
    m = Measurement()

    def _cmp(lhs, op, rhs):
        if not (type(lhs) is int and type(rhs) is int):
            m.comparisons += 1
            m.min_margin = min(m.min_margin, abs(float(lhs) - float(rhs)))
        return _OPS[op](lhs, rhs)

    def _chk(value):
        if isinstance(value, tuple):
            for v in value:
                _chk(v)
        elif not isinstance(value, list):
            arr = np.asarray(value, dtype=float)
            if arr.size:
                m.max_abs = max(m.max_abs, float(np.max(np.abs(arr))))
                if not np.all(np.isfinite(arr)):
                    m.max_abs = math.inf
        return value

    tree = ast.fix_missing_locations(_Instrument().visit(ast.parse(program.source)))
    namespace = {"_cmp": _cmp, "_chk": _chk, "__name__": "instrumented_program"}
    with np.errstate(all="ignore"):
        exec(compile(tree, "<instrumented program>", "exec"), namespace)
        m.value = float(namespace["f"](*program.args()))
    return m


_module_counter = itertools.count()


def load(program: Program, directory: Path) -> ModuleType:
    """Write the program to ``directory`` and import it (so ``inspect.getsource`` works).

    The module is deliberately not entered in ``sys.modules``: nothing needs
    it there, and hypothesis would scan every such module for constants (and
    cache what it found on disk).
    """
    name = f"sx_generated_{os.getpid()}_{next(_module_counter)}"  # workers share directory
    path = directory / f"{name}.py"
    path.write_text(program.source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

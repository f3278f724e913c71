"""Random programs of in-place writes, views and aliases (the mutation fuzzer).

``generate(seed)`` returns a :class:`~tests.fuzz.program.Program`: a plain
function ``f<seed>`` of one to three arguments (vectors of length 4, a 2×4
matrix, a float) computing a scalar, built from

* local arrays made by copying (``x.copy()``, ``np.array(x)``, ``np.copy``,
  ``x * 1.0``) or creating (``np.zeros``, ``np.stack``, ``np.outer``, …);
* values read and then the same array written in place: element writes
  (``p[i] = …``, ``p[i] *= …``), slice writes and slice augmented
  assignments that read their own target (``t[:2] = t[:2] * x[0]``,
  ``s[1:] *= s[:1]``, ``p[2:] = p[:2]``), 2-D row and column writes,
  augmented assignment on a name (``p += …``);
* views (``p[0:2]``, ``p[::2]``, ``P.T``, ``p.reshape(2, 2)``, ``P[0]``,
  ``P[:, 1]``) and aliases (``z = p``; through helpers that return their
  argument or a view of it, or that write into it), then writes through
  either name and reads of both;
* buffers reused across loop iterations, lists of arrays appended and read,
  swaps of differently shaped values followed by a loop, early returns in
  loops, writes under a data-dependent ``if``, and (rarely) writes into an
  argument.

The generator tracks shapes, so every program runs as plain Python (the
oracle still discards the rare one that does not); it tracks which names
share memory only to tag programs.  Every program ends by reading every live
array through a fixed weight of its shape, so a wrong aliasing decision
shows in the value or the gradient.  Programs are deterministic in their
seed.  ``PRELUDE`` is the module text every program shares (weights and the
helpers).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tests.fuzz.program import Program

PRELUDE = '''\
import numpy as np

W4 = np.array([0.7, -0.4, 1.1, 0.3])
W2 = np.array([0.9, -0.6])
W22 = np.array([[0.5, -1.2], [0.8, 0.4]])
W24 = np.array([[0.3, -0.7, 0.5, 1.2], [-0.9, 0.2, 0.6, -0.4]])
W42 = W24.T.copy()


def ident(v):
    return v


def head(v):
    return v[0:2]


def transposed(m):
    return m.T


def scale_into(v, s):
    v *= s
    return v


def set_first(v, s):
    v[0] = s
    return v
'''

WEIGHT = {(4,): "W4", (2,): "W2", (2, 2): "W22", (2, 4): "W24", (4, 2): "W42"}
SIGNATURES: list[tuple[tuple[str, tuple[int, ...]], ...]] = [
    (("x", (4,)),),
    (("x", (4,)), ("a", ())),
    (("x", (4,)), ("y", (4,))),
    (("x", (4,)), ("y", (4,)), ("a", ())),
    (("M", (2, 4)), ("x", (4,))),
    (("x", (4,)), ("M", (2, 4)), ("a", ())),
]
VEC_SLICES = {2: ["0:2", "1:3", "2:", ":2", "2:4", "::2", "1::2"], 3: ["1:", ":3", "0:3"],
              1: ["0:1", ":1", "3:"]}


@dataclass
class _State:
    arrays: dict[str, tuple[int, ...]]  # live array names and shapes
    scalars: list[str]
    args: set[str]
    group: dict[str, int]  # names sharing memory share a group
    lists: dict[str, tuple[int, ...] | None] = field(default_factory=dict)  # None: scalars
    loop_var: str | None = None
    depth: int = 0

    def copy(self) -> _State:
        return _State(dict(self.arrays), list(self.scalars), set(self.args), dict(self.group),
                      dict(self.lists), self.loop_var, self.depth)


class _Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        # half the programs take views and aliases (mostly refused today); the
        # other half write only into arrays no other name refers to
        self.aliasing = self.r.random() < 0.5
        self.tags: set[str] = {"profile_alias" if self.aliasing else "profile_plain"}
        self.count = 0
        self.next_group = 100

    # -- small helpers ----------------------------------------------------------
    def fresh(self, stem: str) -> str:
        self.count += 1
        return f"{stem}{self.count}"

    def new_group(self) -> int:
        self.next_group += 1
        return self.next_group

    def of_shape(self, st: _State, shape, owned_only=False) -> list[str]:
        return [n for n, s in st.arrays.items() if s == shape
                and (not owned_only or n not in st.args)]

    def shared(self, st: _State, name: str) -> bool:
        g = st.group[name]
        return sum(1 for n in st.arrays if st.group.get(n) == g) > 1

    # -- expressions -----------------------------------------------------------
    def scalar(self, st: _State, depth: int = 1) -> str:
        r = self.r
        options = ["const", "var", "elem", "elem"]
        if depth > 0:
            options += ["reduce", "reduce", "fn", "prod"]
        kind = r.choice(options)
        if kind == "var" and st.scalars:
            return r.choice(st.scalars)
        if kind in ("elem", "var") and st.arrays:
            name = r.choice(list(st.arrays))
            shape = st.arrays[name]
            idx = ", ".join(str(r.randrange(d)) for d in shape)
            if st.loop_var and len(shape) == 1 and r.random() < 0.3:
                idx = f"{st.loop_var} % {shape[0]}"
            return f"{name}[{idx}]"
        if kind == "reduce" and st.arrays:
            name = r.choice(list(st.arrays))
            return r.choice([f"np.sum({name} * {WEIGHT[st.arrays[name]]})",
                             f"np.mean(np.sin({name}))", f"np.sum({name} * {name})",
                             f"np.tanh(np.sum({name}))"])
        if kind == "fn":
            return f"{r.choice(['np.sin', 'np.tanh', 'np.cos'])}({self.scalar(st, depth - 1)})"
        if kind == "prod":
            return f"{self.scalar(st, depth - 1)} * {self.scalar(st, 0)}"
        return r.choice(["0.5", "1.5", "-0.3", "2.0", "0.25"])

    def factor(self, st: _State) -> str:
        """A bounded scalar for scaling in place (keeps values tame)."""
        r = self.r
        return r.choice(["0.5", "1.5", "-0.8", f"np.tanh({self.scalar(st)})",
                         f"np.cos({self.scalar(st)})", f"(1.0 + 0.5 * np.sin({self.scalar(st)}))"])

    def array(self, st: _State, shape, depth: int = 1) -> str:
        """An expression of the given shape built from live arrays (a new value)."""
        r = self.r
        same = [n for n, s in st.arrays.items() if s == shape]
        options = ["same"] * 3 if same else []
        if len(shape) == 1:
            longer = [n for n, s in st.arrays.items() if len(s) == 1 and s[0] > shape[0]]
            if longer:
                options += ["slice", "slice"]
            if shape == (2,):
                rows = [n for n, s in st.arrays.items() if s == (2, 4)]
                if rows:
                    options.append("column")
            if shape == (4,):
                mats = [n for n, s in st.arrays.items() if s == (2, 4)]
                if mats:
                    options.append("row")
        if shape == (2, 2) and any(s == (4,) for s in st.arrays.values()):
            options.append("reshape")
        if shape == (4, 2) and any(s == (2, 4) for s in st.arrays.values()):
            options.append("T")
        if depth > 0 and options:
            options += ["unary", "scaled", "binary"]
        if not options:
            return f"np.full({shape}, {self.scalar(st, 0)})" if shape != (4,) \
                else f"np.ones(4) * {self.scalar(st, 0)}"
        kind = r.choice(options)
        if kind == "same":
            return r.choice(same)
        if kind == "slice":
            name = r.choice(longer)
            n = st.arrays[name][0]
            start = r.randrange(n - shape[0] + 1)
            return f"{name}[{start}:{start + shape[0]}]"
        if kind == "column":
            return f"{r.choice(rows)}[:, {r.randrange(4)}]"
        if kind == "row":
            return f"{r.choice(mats)}[{r.randrange(2)}]"
        if kind == "reshape":
            name = r.choice([n for n, s in st.arrays.items() if s == (4,)])
            return f"{name}.reshape(2, 2)"
        if kind == "T":
            return f"{r.choice([n for n, s in st.arrays.items() if s == (2, 4)])}.T"
        if kind == "unary":
            fn = r.choice(['np.sin', 'np.tanh', 'np.cos'])
            return f"{fn}({self.array(st, shape, depth - 1)})"
        if kind == "scaled":
            return f"{self.factor(st)} * {self.array(st, shape, depth - 1)}"
        return f"{self.array(st, shape, depth - 1)} + {self.array(st, shape, 0)}"

    # -- statements --------------------------------------------------------------
    def statement(self, st: _State) -> list[str]:
        r = self.r
        kinds = ["create", "create", "read", "read", "elem", "elem", "slice", "slice",
                 "aug_name", "aug_name", "copy"]
        if self.aliasing:
            kinds += ["view", "view", "alias", "alias"]
        if any(len(s) == 2 for s in st.arrays.values()):
            kinds += ["rowcol", "rowcol"]
        if st.depth == 0:
            kinds += ["loop", "loop", "list", "swap", "if"]
        if st.lists:
            kinds += ["list_read"]
        if r.random() < 0.03:
            kinds = ["arg_write"]
        kind = r.choice(kinds)
        return getattr(self, f"s_{kind}")(st)

    def _target(self, st: _State, dims: int | None = None) -> str | None:
        names = [n for n, s in st.arrays.items() if n not in st.args
                 and (dims is None or len(s) == dims)]
        return self.r.choice(names) if names else None

    def _wrote(self, st: _State, name: str, tag: str) -> None:
        self.tags.add(tag)
        if self.shared(st, name):
            self.tags.add("write_shared")
        if st.depth:
            self.tags.add("write_in_loop")

    def s_create(self, st: _State) -> list[str]:
        r = self.r
        vec_args = [n for n in st.args if st.arrays.get(n) == (4,)]
        forms = [("copy", f"{r.choice(vec_args)}.copy()", (4,)),
                 ("copy", f"np.array({r.choice(vec_args)})", (4,)),
                 ("copy", f"np.copy({r.choice(vec_args)})", (4,)),
                 ("create", f"{r.choice(vec_args)} * 1.0", (4,)),
                 ("create", "np.zeros(4)", (4,)),
                 ("create", f"np.tanh({r.choice(vec_args)})", (4,)),
                 ("create", "np.zeros((2, 4))", (2, 4)),
                 ("create", f"np.stack([{r.choice(vec_args)}, {self.array(st, (4,))}])",
                  (2, 4)),
                 ("create", f"np.outer(np.array([1.0, -0.5]), {r.choice(vec_args)})", (2, 4)),
                 ("create", "np.zeros(2)", (2,)),
                 ("create", f"{self.array(st, (2, 2))} * 1.0", (2, 2))]
        if "M" in st.args:
            forms.append(("copy", "M.copy()", (2, 4)))
        tag, expr, shape = r.choice(forms)
        name = self.fresh("P" if len(shape) == 2 else "p")
        self.tags.add(tag)
        if expr.endswith(" * 1.0"):
            self.tags.add("times_one")  # a new array, written like an identity
        st.arrays[name] = shape
        st.group[name] = self.new_group()
        return [f"{name} = {expr}"]

    def s_copy(self, st: _State) -> list[str]:
        src = self._target(st)
        if src is None:
            return self.s_create(st)
        name = self.fresh("c")
        expr = self.r.choice([f"{src}.copy()", f"np.array({src})", f"np.copy({src})"])
        st.arrays[name] = st.arrays[src]
        st.group[name] = self.new_group()
        self.tags.add("copy_of_local")
        return [f"{name} = {expr}"]

    def s_read(self, st: _State) -> list[str]:
        name = self.fresh("q")
        self.tags.add("read")
        line = f"{name} = {self.scalar(st, 2)}"
        st.scalars.append(name)
        return [line]

    def s_elem(self, st: _State) -> list[str]:
        r = self.r
        target = self._target(st)
        if target is None:
            return self.s_create(st)
        shape = st.arrays[target]
        idx = ", ".join(str(r.randrange(d)) for d in shape)
        if st.loop_var and len(shape) == 1 and r.random() < 0.5:
            idx = f"{st.loop_var} % {shape[0]}" if shape[0] != 4 or r.random() < 0.5 \
                else st.loop_var
        op = r.choice(["=", "=", "+=", "*=", "-="])
        value = self.factor(st) if op == "*=" else self.scalar(st, 1)
        if r.random() < 0.3:  # reads its own target
            value = f"{target}[{idx}] * {self.factor(st)}" if op == "=" else value
            self.tags.add("self_read")
        self._wrote(st, target, "elem_write" if op == "=" else "elem_aug")
        return [f"{target}[{idx}] {op} {value}"]

    def s_slice(self, st: _State) -> list[str]:
        r = self.r
        target = self._target(st, dims=1)
        if target is None or st.arrays[target][0] != 4:
            return self.s_elem(st)
        length = r.choice([2, 2, 3, 1])
        sl = r.choice(VEC_SLICES[length])
        form = r.choice(["set", "set", "scale", "add", "self", "self_aug", "overlap"])
        if form == "set":
            line = f"{target}[{sl}] = {self.array(st, (length,))}"
            tag = "slice_write"
        elif form == "scale":
            line = f"{target}[{sl}] *= {self.factor(st)}"
            tag = "slice_aug"
        elif form == "add":
            line = f"{target}[{sl}] += {self.array(st, (length,))}"
            tag = "slice_aug"
        elif form == "self":
            line = f"{target}[{sl}] = {target}[{sl}] * {self.factor(st)}"
            tag = "slice_self_read"
        elif form == "self_aug":
            other = r.choice(VEC_SLICES[length] + ["0:1"] if length > 1 else VEC_SLICES[1])
            line = f"{target}[{sl}] *= {target}[{other}]"
            tag = "slice_self_aug"
        else:
            other = r.choice([s for s in VEC_SLICES[length] if s != sl] or [sl])
            line = f"{target}[{sl}] = {target}[{other}]"
            tag = "slice_overlap"
        self._wrote(st, target, tag)
        return [line]

    def s_rowcol(self, st: _State) -> list[str]:
        r = self.r
        target = self._target(st, dims=2)
        if target is None:
            return self.s_elem(st)
        rows, cols = st.arrays[target]
        form = r.choice(["row", "row_aug", "col", "col_aug", "elem2"])
        if form == "row":
            line = f"{target}[{r.randrange(rows)}, :] = {self.array(st, (cols,))}"
        elif form == "row_aug":
            line = f"{target}[{r.randrange(rows)}] {r.choice(['+=', '*='])} " \
                   f"{self.factor(st) if r.random() < 0.5 else self.array(st, (cols,))}"
        elif form == "col":
            line = f"{target}[:, {r.randrange(cols)}] = {self.array(st, (rows,))}"
        elif form == "col_aug":
            line = f"{target}[:, {r.randrange(cols)}] *= {self.factor(st)}"
        else:
            line = f"{target}[{r.randrange(rows)}, {r.randrange(cols)}] = {self.scalar(st)}"
        self._wrote(st, target, "row_col_write")
        return [line]

    def s_aug_name(self, st: _State) -> list[str]:
        r = self.r
        target = self._target(st)
        if target is None:
            return self.s_create(st)
        shape = st.arrays[target]
        op = r.choice(["+=", "*=", "-=", "*="])
        value = self.factor(st) if op == "*=" and r.random() < 0.6 \
            else self.array(st, shape)
        self._wrote(st, target, "aug_name")
        if self.shared(st, target):
            self.tags.add("aug_alias")
        return [f"{target} {op} {value}"]

    def s_view(self, st: _State) -> list[str]:
        r = self.r
        base = self._target(st)
        if base is None:
            return self.s_create(st)
        shape = st.arrays[base]
        if shape == (4,):
            expr, vshape = r.choice([(f"{base}[0:2]", (2,)), (f"{base}[::2]", (2,)),
                                     (f"{base}[2:]", (2,)), (f"{base}.reshape(2, 2)", (2, 2)),
                                     (f"{base}[:]", (4,))])
        elif shape == (2, 4):
            expr, vshape = r.choice([(f"{base}.T", (4, 2)), (f"{base}[0]", (4,)),
                                     (f"{base}[1]", (4,)), (f"{base}[:, 1]", (2,))])
        elif shape == (2, 2):
            expr, vshape = r.choice([(f"{base}.T", (2, 2)), (f"{base}[1]", (2,)),
                                     (f"{base}.reshape(4)", (4,))])
        elif shape == (4, 2):
            expr, vshape = (f"{base}.T", (2, 4))
        else:
            expr, vshape = (f"{base}[0:2]", (2,))
        name = self.fresh("v")
        st.arrays[name] = vshape
        st.group[name] = st.group[base]
        self.tags.add("view")
        return [f"{name} = {expr}"] + self.write_either(st, name, base)

    def s_alias(self, st: _State) -> list[str]:
        r = self.r
        base = self._target(st)
        if base is None:
            return self.s_create(st)
        shape = st.arrays[base]
        forms = [("alias", f"{base}", shape), ("helper_alias", f"ident({base})", shape)]
        if shape == (4,):
            forms.append(("helper_view", f"head({base})", (2,)))
        if len(shape) == 2:
            forms.append(("helper_view", f"transposed({base})", shape[::-1]))
        forms.append(("helper_mutates", f"scale_into({base}, {self.factor(st)})", shape))
        if len(shape) == 1:
            forms.append(("helper_mutates", f"set_first({base}, {self.scalar(st)})", shape))
        tag, expr, vshape = r.choice(forms)
        name = self.fresh("z")
        st.arrays[name] = vshape
        st.group[name] = st.group[base]
        self.tags.add(tag)
        return [f"{name} = {expr}"] + self.write_either(st, name, base)

    def write_either(self, st: _State, view: str, base: str) -> list[str]:
        """Usually a write through the view or the base right after taking it."""
        r = self.r
        if r.random() < 0.25:
            return []
        lines = []
        if r.random() < 0.5:
            lines.append(f"{r.choice(['r', 'm'])}{self.count} = {self.scalar(st, 1)}")
            st.scalars.append(lines[-1].split(" = ")[0])
        who = view if r.random() < 0.6 else base
        shape = st.arrays[who]
        form = r.choice(["aug", "aug", "elem", "scale"])
        if form == "aug":
            lines.append(f"{who} {r.choice(['+=', '-='])} {self.array(st, shape)}")
            self.tags.add("aug_alias")
        elif form == "scale":
            lines.append(f"{who} *= {self.factor(st)}")
            self.tags.add("aug_alias")
        else:
            idx = ", ".join(str(r.randrange(d)) for d in shape)
            lines.append(f"{who}[{idx}] = {self.scalar(st)}")
            self.tags.add("write_through_alias" if who == view else "write_under_view")
        self.tags.add("write_shared")
        return lines

    def s_list(self, st: _State) -> list[str]:
        r = self.r
        name = self.fresh("L")
        src = self._target(st, dims=1)
        if src is None:
            st.lists[name] = None
            return [f"{name} = []", f"{name}.append({self.scalar(st)})"]
        form = r.choice(["itself", "copy", "scalar"] if self.aliasing else ["copy", "scalar"])
        if form == "scalar":
            st.lists[name] = None
            return [f"{name} = []", f"{name}.append({self.scalar(st)})",
                    f"{name}.append({self.scalar(st)})"]
        st.lists[name] = st.arrays[src]
        item = src if form == "itself" else f"{src}.copy()"
        self.tags.add("append_array" if form == "itself" else "append_copy")
        lines = [f"{name} = []", f"{name}.append({item})"]
        if r.random() < 0.6:
            lines.append(f"{src} {r.choice(['+=', '*='])} {self.factor(st)}")
            self._wrote(st, src, "write_after_append")
        return lines

    def s_list_read(self, st: _State) -> list[str]:
        r = self.r
        name = r.choice(list(st.lists))
        out = self.fresh("q")
        shape = st.lists[name]
        if shape is None:
            expr = r.choice([f"sum({name})", f"{name}[-1] * 2.0", f"{name}[0]"])
        else:
            w = WEIGHT[shape]
            expr = r.choice([f"np.sum({name}[0] * {w})", f"np.sum({name}[-1] * {w})",
                             f"np.sum(np.sin(sum({name})))"])
        self.tags.add("list_read")
        st.scalars.append(out)
        return [f"{out} = {expr}"]

    def s_loop(self, st: _State) -> list[str]:
        r = self.r
        i = self.fresh("i")
        n = r.choice([2, 3])
        lines = []
        body: list[str] = []
        acc = self.fresh("s")
        inner = st.copy()
        inner.loop_var = i
        inner.depth = 1
        if r.random() < 0.5:  # a buffer written and read in every iteration
            buf = self.fresh("buf")
            lines.append(f"{buf} = np.zeros(4)")
            self.tags.add("loop_buffer")
            body.append(r.choice([f"{buf}[{i}] = {self.scalar(inner, 1)}",
                                  f"{buf} *= {self.factor(inner)}",
                                  f"{buf}[{i}:{i} + 2] += {self.array(inner, (2,))}",
                                  f"{buf}[:] = {self.array(inner, (4,))}"]))
            for state in (st, inner):
                state.arrays[buf] = (4,)
                state.group[buf] = self.new_group()
        lines.append(f"{acc} = 0.0")
        for _ in range(r.randint(1, 3)):
            body += self.statement(inner)
        body.append(f"{acc} = {acc} + {self.scalar(inner, 2)}")
        if r.random() < 0.3:
            self.tags.add("early_return")
            body += [f"if {self.scalar(inner, 1)} > {r.choice(['0.3', '-0.2', '1.0'])}:",
                     f"    return {self.readout(inner)}"]
        lines.append(f"for {i} in range({n}):")
        lines += ["    " + b for b in body]
        self.tags.add("loop")
        # names created in the body exist after the loop (it runs at least once)
        st.arrays, st.group, st.lists = inner.arrays, inner.group, inner.lists
        st.scalars = inner.scalars + [acc]
        return lines

    def s_if(self, st: _State) -> list[str]:
        inner = st.copy()
        inner.depth = 1
        body = self.s_elem(inner) if self.r.random() < 0.5 else self.s_aug_name(inner)
        self.tags.add("cond_write")
        return [f"if {self.scalar(st, 1)} > {self.r.choice(['0.1', '-0.3'])}:"] + \
            ["    " + b for b in body]

    def s_swap(self, st: _State) -> list[str]:
        r = self.r
        owned = [n for n in st.arrays if n not in st.args]
        pairs = [(a, b) for a in owned for b in owned if a < b
                 and st.arrays[a] != st.arrays[b]]
        if not pairs:
            return self.s_create(st)
        a, b = r.choice(pairs)
        s = self.fresh("s")
        n = r.choice([1, 2, 3])
        self.tags.add("swap_shapes")
        # inside the loop only shape-agnostic operations are used
        lines = [f"{a}, {b} = {b}, {a}", f"{s} = 0.0", f"for _k in range({n}):",
                 f"    {s} = {s} + np.sum({a} * {a}) * 0.5 + np.sum(np.sin({b}))",
                 f"    {a}, {b} = {b}, {r.choice([f'{a} * 0.9', f'np.tanh({a})'])}"]
        sa, sb = st.arrays[a], st.arrays[b]
        # after the first swap a has sb, b has sa; each iteration swaps again
        if n % 2 == 1:
            st.arrays[a], st.arrays[b] = sa, sb
        else:
            st.arrays[a], st.arrays[b] = sb, sa
        st.group[a], st.group[b] = self.new_group(), self.new_group()
        st.scalars.append(s)
        return lines

    def s_arg_write(self, st: _State) -> list[str]:
        r = self.r
        arg = r.choice([n for n in st.args if n in st.arrays])
        shape = st.arrays[arg]
        self.tags.add("arg_write")
        if r.random() < 0.5:
            return [f"{arg} *= {self.factor(st)}"]
        idx = ", ".join(str(r.randrange(d)) for d in shape)
        return [f"{arg}[{idx}] = {self.scalar(st)}"]

    def readout(self, st: _State) -> str:
        terms = list(st.scalars[-4:])
        for name, shape in st.arrays.items():
            terms.append(f"np.sum({name} * {WEIGHT[shape]})")
        return " + ".join(terms) if terms else "0.0"


def generate(seed: int) -> Program:
    """The mutation program of this seed (see the module docstring)."""
    g = _Gen(seed)
    r = g.r
    signature = r.choice(SIGNATURES)
    st = _State(arrays={n: s for n, s in signature if s != ()},
                scalars=[n for n, s in signature if s == ()],
                args={n for n, _ in signature}, group={})
    for n in st.arrays:
        st.group[n] = g.new_group()
    body: list[str] = []
    body += g.s_create(st)
    for _ in range(r.randint(2, 7)):
        body += g.statement(st)
    entry = f"f{seed}"
    params = ", ".join(n for n, _ in signature)
    text = "\n".join([f"def {entry}({params}):"] + ["    " + b for b in body]
                     + [f"    return {g.readout(st)}"]) + "\n"
    return Program("mutation", seed, entry, text, PRELUDE,
                   tuple(s for _, s in signature), frozenset(g.tags))

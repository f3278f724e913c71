"""Random modules whose names collide everywhere (the names fuzzer).

``generate(seed)`` returns a :class:`~tests.fuzz.program.Program` whose
module text holds

* module globals (vectors of length 4 and floats) named like builtins
  (``sum``, ``abs``, ``len``, ``min``, ``max``, ``id``, ``input``), like the
  names srcxform emits (``add``, ``mul``, ``matmul``, ``tanh``, ``sum_``,
  ``bx``, ``trips``, ``add_stack``, ``residuals``, ``unbroadcast``, ``g``,
  ``out``, ``result``, ``scalar_seed``, ``grad_f``, …) and like the
  parameters of the functions below (``y``, ``params``, ``u``, ``t``);
* sometimes a function with an ``sx.adjoint`` rule (parameters ``g`` and
  ``out``, like the rule signature), called from a helper;
* two or three levels of helper functions (a leaf, one or two middle
  helpers, the entry point) whose parameters and locals are drawn from the
  same pool of names: they collide with the globals (a parameter shadows the
  global its callee reads), with builtins (a local ``sum``), with each other
  and with the callers' locals (a caller's temporary named like the function
  its callee calls); ``np`` itself is sometimes a local (that function then
  spells NumPy ``numpy``); helpers are called several times with different
  arguments, positionally, by keyword and with defaults, and a global is
  passed to a parameter of the same name;
* an entry function (``f``, ``loss``, ``model`` or ``add``) of one to three
  arguments returning a scalar.

Python's own scoping rules are respected (a name assigned in a function is
never read there as a global or called as a function before it is
assigned), so every program runs as plain Python.  Programs are
deterministic in their seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tests.fuzz.program import Program

BUILTINS = ["sum", "abs", "len", "min", "max", "id", "input"]
EMITTED = ["add", "mul", "sub", "matmul", "tanh", "sin", "sum_", "pow_", "bx", "by", "bu",
           "b", "trips", "add_stack", "mul_stack", "residuals", "unbroadcast", "g", "out",
           "result", "value", "done", "cond", "not_", "scalar_seed", "zeros_each",
           "add_to_each", "x_item", "bresult", "grad_f", "forward_f", "backward_f",
           "_stack", "i", "dx", "tangent"]
PLAIN = ["x", "y", "u", "t", "v", "w", "h", "params", "scale", "W", "a", "s"]
POOL = BUILTINS + EMITTED + PLAIN
CALLABLE_BUILTINS = ["sum", "abs", "max", "min", "len"]
ADJOINT_NAMES = ["softsq", "act", "squash"]
HELPER_NAMES = ["add", "mul", "g", "out", "h", "tanh", "step", "layer", "unbroadcast",
                "residuals", "matmul", "inner", "sum_"]


@dataclass
class _Fn:
    name: str
    params: list[tuple[str, str, str | None]]  # (name, "vec"|"sca", default text or None)
    returns: str  # "vec" or "sca"
    level: int


@dataclass
class _Scope:
    np: str
    vecs: list[str]
    scas: list[str]
    helpers: list[_Fn]
    builtins: list[str]
    adjoint: str | None
    reads: set[str] = field(default_factory=set)


class _Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.tags: set[str] = set()

    def names(self, k: int, avoid: set[str]) -> list[str]:
        return self.r.sample([n for n in POOL if n not in avoid], k)

    # -- expressions ---------------------------------------------------------------
    def sca(self, sc: _Scope, depth: int) -> str:
        r = self.r
        np_ = sc.np
        kinds = ["const"] + ["sca"] * 3 * bool(sc.scas) + ["elem"] * 2 * bool(sc.vecs)
        if depth > 0:
            if sc.vecs:
                kinds += ["reduce", "reduce", "dot"]
            kinds += ["fn", "arith", "arith"]
            kinds += ["call"] * 3 * any(h.returns == "sca" for h in sc.helpers)
            kinds += ["builtin"] * bool(sc.builtins)
        kind = r.choice(kinds)
        if kind == "sca":
            return self.use(sc, r.choice(sc.scas))
        if kind == "elem":
            return f"{self.use(sc, r.choice(sc.vecs))}[{r.randrange(4)}]"
        if kind == "reduce":
            return f"{np_}.{r.choice(['sum', 'mean'])}({self.vec(sc, depth - 1)})"
        if kind == "dot":
            return f"{np_}.sum({self.vec(sc, 0)} * {self.vec(sc, depth - 1)})"
        if kind == "fn":
            return f"{np_}.{r.choice(['sin', 'tanh', 'cos'])}({self.sca(sc, depth - 1)})"
        if kind == "arith":
            return f"({self.sca(sc, depth - 1)} {r.choice(['+', '-', '*'])} " \
                   f"{self.sca(sc, depth - 1)})"
        if kind == "call":
            return self.call(sc, "sca")
        if kind == "builtin":
            b = r.choice(sc.builtins)
            self.tags.add(f"builtin_{b}")
            if b == "sum":
                return f"sum([{self.sca(sc, 0)}, {self.sca(sc, depth - 1)}, 0.5])"
            if b == "abs":
                return f"abs({self.sca(sc, depth - 1)} + 2.5)"
            if b == "len":
                return f"len({self.vec(sc, 0)}) * 0.25" if sc.vecs else "0.5"
            return f"{b}({self.sca(sc, depth - 1)}, {self.sca(sc, 0)} + 3.0)" if b == "min" \
                else f"{b}({self.sca(sc, depth - 1)}, {self.sca(sc, 0)} - 3.0)"
        return r.choice(["0.5", "1.5", "-0.25", "2.0"])

    def vec(self, sc: _Scope, depth: int) -> str:
        r = self.r
        np_ = sc.np
        kinds = ["vec"] * 3 if sc.vecs else ["const"]
        if depth > 0:
            kinds += ["fn", "scaled", "sum2"] if sc.vecs else []
            kinds += ["call"] * 3 * any(h.returns == "vec" for h in sc.helpers)
            kinds += ["adjoint"] * 2 * bool(sc.adjoint and sc.vecs)
        kind = r.choice(kinds)
        if kind == "vec":
            return self.use(sc, r.choice(sc.vecs))
        if kind == "fn":
            return f"{np_}.{r.choice(['sin', 'tanh', 'cos'])}({self.vec(sc, depth - 1)})"
        if kind == "scaled":
            return f"{self.sca(sc, depth - 1)} * {self.vec(sc, depth - 1)}"
        if kind == "sum2":
            return f"({self.vec(sc, depth - 1)} + {self.vec(sc, 0)})"
        if kind == "call":
            return self.call(sc, "vec")
        if kind == "adjoint":
            self.tags.add("adjoint_call")
            return f"{sc.adjoint}({self.vec(sc, depth - 1)})"
        return f"{np_}.array([0.3, -0.2, 0.5, 0.1])"

    def use(self, sc: _Scope, name: str) -> str:
        sc.reads.add(name)
        return name

    def call(self, sc: _Scope, kind: str) -> str:
        r = self.r
        fn = r.choice([h for h in sc.helpers if h.returns == kind])
        parts: list[str] = []
        keyword = False
        for name, pkind, default in fn.params:
            if default is not None and r.random() < 0.4:
                self.tags.add("default_used")
                keyword = True  # later arguments must be keywords
                continue
            # a name of the caller's equal to the parameter's: passed to itself
            pool = sc.vecs if pkind == "vec" else sc.scas
            if name in pool and r.random() < 0.5:
                value = self.use(sc, name)
                self.tags.add("same_name_argument")
            else:
                value = self.vec(sc, 0) if pkind == "vec" else self.sca(sc, 0)
            if keyword or (default is not None and r.random() < 0.5):
                keyword = True
                self.tags.add("keyword_argument")
                parts.append(f"{name}={value}")
            else:
                parts.append(value)
        self.tags.add(f"call_level{fn.level}")
        return f"{fn.name}({', '.join(parts)})"

    # -- functions -----------------------------------------------------------------
    def parameters(self, fn_name: str, gl_vecs: list[str], gl_scas: list[str]
                   ) -> list[tuple[str, str, str | None]]:
        """Parameters of a helper, often named like a module global (of the global's
        kind); the last ones may have defaults (a vector's default may be a global)."""
        r = self.r
        names = self.names(r.randint(1, 3), {fn_name, "np", "numpy"})
        kinds = [r.choice(["vec", "vec", "sca"]) for _ in names]
        for i in range(len(names)):
            globals_ = [g for g in gl_vecs + gl_scas if g not in names and g != fn_name]
            if globals_ and r.random() < 0.35:
                names[i] = r.choice(globals_)
                kinds[i] = "vec" if names[i] in gl_vecs else "sca"
                self.tags.add("param_named_like_global")
        n_defaults = r.choice([0, 0, 1, 1, 2])
        out = []
        for i, (name, kind) in enumerate(zip(names, kinds)):
            default = None
            if i >= len(names) - n_defaults:
                if kind == "vec":
                    default = r.choice(gl_vecs + ["np.ones(4) * 0.5"])
                else:
                    default = r.choice(["0.5", "-1.25"] + gl_scas)
                self.tags.add("default_parameter")
            out.append((name, kind, default))
        return out

    def function(self, fn: _Fn, gl_vecs: list[str], gl_scas: list[str], helpers: list[_Fn],
                 deeper: set[str], taken: set[str], adjoint: str | None, loop: bool) -> str:
        r = self.r
        params = {p for p, _, _ in fn.params}
        n_locals = r.randint(1, 3)
        # locals may be named like globals, builtins, emitted names, ``np``, and the
        # functions this function's callees call (never like its own callees)
        candidates = [n for n in POOL + ["np"] + sorted(deeper)
                      if n not in params | {fn.name} | {h.name for h in helpers}]
        locals_ = r.sample(sorted(set(candidates)), n_locals)
        if deeper and r.random() < 0.4:  # a temporary named like a function a callee calls
            name = r.choice(sorted(deeper))
            if name not in locals_ and name not in params:
                locals_[0] = name
        local_set = set(locals_) | params
        np_ = "numpy" if "np" in local_set else "np"
        sc = _Scope(np_, [p for p, k, _ in fn.params if k == "vec"],
                    [p for p, k, _ in fn.params if k == "sca"],
                    [h for h in helpers if h.name not in local_set],
                    [b for b in CALLABLE_BUILTINS if b not in local_set and b not in taken],
                    adjoint if adjoint and adjoint not in local_set else None)
        sc.vecs += [g for g in gl_vecs if g not in local_set]
        sc.scas += [g for g in gl_scas if g not in local_set]
        if local_set & (set(gl_vecs) | set(gl_scas)):
            self.tags.add("local_shadows_global")
        if local_set & deeper:
            self.tags.add("local_named_like_callees_callee")
        if local_set & set(BUILTINS):
            self.tags.add("local_named_like_builtin")
        if local_set & set(EMITTED):
            self.tags.add("local_named_like_emitted")
        lines = []
        for name in locals_:
            kind = r.choice(["vec", "sca"])
            expr = self.vec(sc, 2) if kind == "vec" else self.sca(sc, 2)
            lines.append(f"{name} = {expr}")
            (sc.vecs if kind == "vec" else sc.scas).append(name)
        if loop:
            acc = r.choice([n for n in ("acc", "total", "trips", "out", "result", "value")
                            if n not in local_set and n not in taken])
            var = r.choice([n for n in ("i", "t", "_", "k") if n not in local_set
                            and n not in taken and n != acc])
            self.tags.add("loop")
            lines.append(f"{acc} = 0.0")
            inner = _Scope(np_, list(sc.vecs), list(sc.scas) + [acc], sc.helpers, sc.builtins,
                           sc.adjoint)
            lines.append(f"for {var} in range(2):")
            lines.append(f"    {acc} = {acc} + {self.sca(inner, 2)}")
            sc.scas.append(acc)
        returned = self.vec(sc, 1) if fn.returns == "vec" else self.sca(sc, 2)
        if fn.returns == "sca" and fn.level == 1:  # make every local reach the output
            used = [f"{np_}.sum({v})" for v in sc.vecs if v in locals_] + \
                   [s for s in sc.scas if s in locals_]
            returned = " + ".join([returned] + used)
        if any(g in sc.reads for g in gl_vecs + gl_scas):
            self.tags.add("reads_global")
        sig = []
        for name, _, default in fn.params:
            sig.append(name if default is None else f"{name}={default}")
        body = lines + [f"return {returned}"]
        return "\n".join([f"def {fn.name}({', '.join(sig)}):"] + ["    " + b for b in body])


def generate(seed: int) -> Program:
    """The names program of this seed (see the module docstring)."""
    g = _Gen(seed)
    r = g.r
    # module globals
    n_globals = r.randint(2, 6)
    globals_ = g.names(n_globals, {"np", "numpy", "sx"})
    gl_vecs, gl_scas = [], []
    lines = ["import numpy as np", "import numpy", "", "import srcxform as sx", ""]
    for name in globals_:
        if r.random() < 0.5:
            vals = ", ".join(f"{r.uniform(-1, 1):.2f}" for _ in range(4))
            lines.append(f"{name} = np.array([{vals}])")
            gl_vecs.append(name)
        else:
            lines.append(f"{name} = {r.uniform(0.2, 1.5):.2f}")
            gl_scas.append(name)
    taken = set(globals_)
    adjoint = None
    if r.random() < 0.3:
        adjoint = r.choice(ADJOINT_NAMES)
        taken.add(adjoint)
        taken.add(f"{adjoint}_rule")
        lines += ["", "", f"def {adjoint}(v):", "    return numpy.log1p(v * v)", "", "",
                  f"@sx.adjoint({adjoint})", f"def {adjoint}_rule(g, out, v):",
                  "    return (g * 2.0 * v / (1.0 + v * v),)"]
    # helper functions: leaf (level 3), middle (level 2), entry (level 1)
    helper_pool = [n for n in HELPER_NAMES if n not in taken]
    levels = r.choice([2, 3, 3])
    fns: list[_Fn] = []
    for level in range(levels, 1, -1):
        for _ in range(1 if level == levels else r.randint(1, 2)):
            name = r.choice([n for n in helper_pool if n not in {f.name for f in fns}])
            taken.add(name)
            fns.append(_Fn(name, g.parameters(name, gl_vecs, gl_scas), r.choice(["vec", "sca"]),
                           level))
    entry_name = r.choice([n for n in ["f", "loss", "model", "add"] if n not in taken])
    n_args = r.randint(1, 3)
    arg_names = ["x"] + g.names(n_args - 1, {"x", "np", "numpy", entry_name})
    arg_kinds = ["vec"] + [r.choice(["vec", "sca"]) for _ in range(n_args - 1)]
    entry = _Fn(entry_name, [(n, k, None) for n, k in zip(arg_names, arg_kinds)], "sca", 1)
    texts = []
    for fn in fns + [entry]:
        callees = [h for h in fns if h.level == fn.level + 1]
        deeper = {h.name for h in fns if h.level > fn.level + 1}
        if fn.level == 1 and adjoint:
            deeper.add(adjoint)
        loop = r.random() < 0.25
        texts.append(g.function(fn, gl_vecs, gl_scas, callees, deeper, taken - {fn.name},
                                adjoint if fn.level > 1 else None, loop))
    if adjoint and any(f"\n    {adjoint} = " in t for t in texts):
        g.tags.add("local_named_like_adjoint")
    module = "\n".join(lines) + "\n\n\n" + "\n\n\n".join(texts[:-1])
    if set(arg_names) & set(globals_):
        g.tags.add("param_shadows_global")
    shapes = tuple((4,) if k == "vec" else () for k in arg_kinds)
    return Program("names", seed, entry_name, texts[-1] + "\n", module, shapes,
                   frozenset(g.tags), shared_module=False)

"""Semantics-preserving rewrites that remove one suspected root cause from a program.

A family of findings (``families.py``) is recognised differentially: a
finding belongs to it when the same program, rewritten so that the family's
construct is gone but Python computes exactly the same thing, no longer
shows the finding.  Each function here takes a :class:`Program` and returns
the rewritten one, or ``None`` when the rewrite changes nothing.

* ``copy_times_one``: ``e * 1.0`` → ``np.copy(e)`` (the same new array);
* ``copy_written_args``: ``a = np.copy(a)`` first for every argument the
  function writes into (the oracle passes fresh copies, so nothing else
  sees the difference);
* ``unwrap_helpers``: ``ident(p)`` → ``p``, ``head(p)`` → ``p[0:2]``,
  ``transposed(m)`` → ``m.T``, ``z = scale_into(p, s)`` → ``p *= s; z = p``,
  ``z = set_first(p, s)`` → ``p[0] = s; z = p`` (the mutation prelude's
  helpers, spelled out);
* ``augassign_as_store``: ``n op= e`` on an array name → ``n[:] = n op e``
  (the same in-place write, spelled as a store);
* ``snapshot``: every array read inside a larger expression of the entry
  function becomes ``np.copy(read)`` and ``t[i] op= e`` becomes
  ``t[i] = np.copy(t[i]) op e`` (the values are the same; nothing the
  backward sweep reads can be overwritten any more);
  ``snapshot_slice_stores`` does it in the slice stores only;
* ``sum_as_additions``: ``sum([a, b])`` (the builtin) → ``0 + a + b``;
* ``rename_shared``, ``rename_emitted`` and ``rename_all``: consistent,
  scope-aware renaming of the user's identifiers — those bound in more than
  one scope (or bound in a function and also a builtin), those spelled like
  names the compiler emits, or all of them — so that no two scopes share a
  name (Python's own resolution decides what each name meant before the
  renaming).
"""

from __future__ import annotations

import ast
import copy
from dataclasses import replace

from tests.fuzz.program import Program

_MODULES = {"np", "numpy", "sx"}
_SCALAR_PREFIXES = ("q", "s", "r", "m", "a")  # scalars of the mutation generator


def _np_copy(node: ast.expr) -> ast.Call:
    return ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "copy", ast.Load()), [node], [])


def _entry(program: Program) -> tuple[ast.Module, ast.FunctionDef]:
    tree = ast.parse(program.function)
    return tree, tree.body[0]


def _with_function(program: Program, tree: ast.Module) -> Program | None:
    text = ast.unparse(ast.fix_missing_locations(tree)) + "\n"
    if ast.unparse(ast.parse(program.function)) + "\n" == text:
        return None
    return replace(program, function=text)


def _is_array_name(name: str, fn: ast.FunctionDef) -> bool:
    """Array-valued names of the mutation generator (params and locals but scalars)."""
    scalars = {a.arg for a in fn.args.args if a.arg == "a"}
    return name not in scalars and name not in _MODULES \
        and not name.startswith(_SCALAR_PREFIXES + ("i", "_k", "L", "W"))


# -- the mutation fuzzer's rewrites ----------------------------------------------------


def copy_times_one(program: Program) -> Program | None:
    class T(ast.NodeTransformer):
        def visit_BinOp(self, node):
            self.generic_visit(node)
            if isinstance(node.op, ast.Mult) and isinstance(node.right, ast.Constant) \
                    and node.right.value == 1.0 and type(node.right.value) is float:
                return _np_copy(node.left)
            return node

    tree, _ = _entry(program)
    return _with_function(program, T().visit(tree))


def copy_written_args(program: Program) -> Program | None:
    tree, fn = _entry(program)
    params = [a.arg for a in fn.args.args]
    written = set()
    for node in ast.walk(fn):
        target = getattr(node, "target", None) if isinstance(node, ast.AugAssign) else None
        targets = node.targets if isinstance(node, ast.Assign) else [target] if target else []
        for t in targets:
            root = t.value if isinstance(t, ast.Subscript) else t
            if isinstance(root, ast.Name) and root.id in params \
                    and (isinstance(t, ast.Subscript) or isinstance(node, ast.AugAssign)):
                written.add(root.id)
    if not written:
        return None
    fn.body[:0] = [ast.Assign([ast.Name(p, ast.Store())], _np_copy(ast.Name(p, ast.Load())))
                   for p in params if p in written]
    return _with_function(program, tree)


def unwrap_helpers(program: Program) -> Program | None:
    class T(ast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name == "ident":
                return node.args[0]
            if name == "head":
                return ast.Subscript(node.args[0], ast.Slice(ast.Constant(0), ast.Constant(2)),
                                     ast.Load())
            if name == "transposed":
                return ast.Attribute(node.args[0], "T", ast.Load())
            return node

        def visit_Assign(self, node):
            self.generic_visit(node)
            value = node.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
                    and value.func.id in ("scale_into", "set_first"):
                arr, s = value.args
                if value.func.id == "scale_into":
                    first = ast.AugAssign(copy.deepcopy(arr), ast.Mult(), s)
                else:
                    first = ast.Assign([ast.Subscript(copy.deepcopy(arr), ast.Constant(0),
                                                      ast.Store())], s)
                return [first, ast.Assign(node.targets, arr)]
            return node

    tree, _ = _entry(program)
    return _with_function(program, T().visit(tree))


def augassign_as_store(program: Program) -> Program | None:
    tree, fn = _entry(program)

    class T(ast.NodeTransformer):
        def visit_AugAssign(self, node):
            if isinstance(node.target, ast.Name) and _is_array_name(node.target.id, fn):
                name = node.target.id
                return ast.Assign(
                    [ast.Subscript(ast.Name(name, ast.Load()), ast.Slice(), ast.Store())],
                    ast.BinOp(ast.Name(name, ast.Load()), node.op, node.value))
            return node

    return _with_function(program, T().visit(tree))


def _slice_store(stmt: ast.stmt) -> bool:
    target = stmt.targets[0] if isinstance(stmt, ast.Assign) else \
        stmt.target if isinstance(stmt, ast.AugAssign) else None
    if not isinstance(target, ast.Subscript):
        return False
    index = target.slice
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    return any(isinstance(p, ast.Slice) for p in parts)


def snapshot(program: Program) -> Program | None:
    return _snapshot(program, lambda stmt: True)


def snapshot_slice_stores(program: Program) -> Program | None:
    """``snapshot`` of the slice stores only (``t[a:b] = …``, ``t[a:b] op= …``)."""
    return _snapshot(program, _slice_store)


def _snapshot(program: Program, chosen) -> Program | None:
    tree, fn = _entry(program)
    helpers = {"ident", "head", "transposed", "scale_into", "set_first"}

    class T(ast.NodeTransformer):
        def visit_AugAssign(self, node):
            self.generic_visit(node)
            if isinstance(node.target, ast.Subscript):
                load = copy.deepcopy(node.target)
                load.ctx = ast.Load()
                return ast.Assign([node.target], ast.BinOp(_np_copy(load), node.op, node.value))
            return node

        def visit_Assign(self, node):
            value = node.value
            node.targets = [self.visit(t) for t in node.targets]
            if not isinstance(node.targets[0], ast.Name):  # a store copies what it reads
                node.value = self.wrap(value) if isinstance(value, ast.Subscript) \
                    else self.visit(value)
            elif isinstance(value, ast.Subscript):  # a view keeps its base
                value.slice = self.visit(value.slice)
            elif not isinstance(value, (ast.Name, ast.Attribute, ast.Tuple)) and not (
                    isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                    and value.func.attr == "reshape"):
                node.value = self.visit(value)
            return node

        def visit_Call(self, node):
            if isinstance(node.func, ast.Name) and node.func.id in helpers \
                    or isinstance(node.func, ast.Attribute) and node.func.attr == "append":
                # their arguments are aliased on purpose: only reads inside them are copied
                node.args = [self.visit(a) for a in node.args]
                return node
            node.args = [self.wrap(a) for a in node.args]
            node.func = self.visit(node.func)  # p.reshape(...) in an expression: a copy's
            return node

        def visit_Attribute(self, node):
            if isinstance(node.ctx, ast.Load):
                node.value = self.wrap(node.value)
            return node

        def visit_BinOp(self, node):
            node.left, node.right = self.wrap(node.left), self.wrap(node.right)
            return node

        def visit_UnaryOp(self, node):
            node.operand = self.wrap(node.operand)
            return node

        def visit_Subscript(self, node):
            if isinstance(node.ctx, ast.Load):
                node.value = self.wrap(node.value)
            node.slice = self.visit(node.slice)
            return node

        def wrap(self, node):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
                node = copy.copy(node)
                node.value = self.wrap(node.value)
                node.slice = self.visit(node.slice)
                return node
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) \
                    and _is_array_name(node.id, fn):
                return _np_copy(node)
            return self.visit(node)

    def block(stmts: list[ast.stmt]) -> list[ast.stmt]:
        out = []
        for stmt in stmts:
            if isinstance(stmt, (ast.For, ast.While, ast.If)):
                stmt.body = block(stmt.body)
                stmt.orelse = block(stmt.orelse)
                if chosen(stmt):  # the loop header / test reads values too
                    for field in ("iter", "test"):
                        if hasattr(stmt, field):
                            setattr(stmt, field, T().visit(getattr(stmt, field)))
                out.append(stmt)
            elif chosen(stmt):
                out.append(T().visit(stmt))
            else:
                out.append(stmt)
        return out

    fn.body = block(fn.body)
    return _with_function(program, tree)


# -- the names fuzzer's rewrites ---------------------------------------------------------


def _bound_in(fn: ast.FunctionDef) -> set[str]:
    names = {a.arg for a in fn.args.args}
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _rename(program: Program, chosen) -> Program | None:
    """Rename every identifier for which ``chosen(name)`` holds, scope by scope."""
    module = ast.parse(program.module)
    entry = ast.parse(program.function)
    bodies = module.body + entry.body
    functions = {s.name: s for s in bodies if isinstance(s, ast.FunctionDef)}
    top = {s.name for s in bodies if isinstance(s, ast.FunctionDef)}
    for s in bodies:
        if isinstance(s, ast.Assign):
            top |= {t.id for t in s.targets if isinstance(t, ast.Name)}
    top -= _MODULES

    def global_name(n: str) -> str:
        return f"G__{n}" if n in top and chosen(n) else n

    def local_map(fn: ast.FunctionDef) -> dict[str, str]:
        fixed = {"g", "out"} if fn.decorator_list else set()  # sx.adjoint's rule signature
        return {n: f"{fn.name}__{n}" for n in _bound_in(fn) if chosen(n) and n not in fixed}

    maps = {name: local_map(fn) for name, fn in functions.items()}

    class Module(ast.NodeTransformer):  # module scope: globals, defaults, decorators
        def visit_Name(self, node):
            node.id = global_name(node.id)
            return node

        def visit_Call(self, node):
            self.generic_visit(node)
            _keywords(node)
            return node

        def visit_FunctionDef(self, node):
            locals_ = maps[node.name]
            node.args.defaults = [self.visit(d) for d in node.args.defaults]
            node.decorator_list = [self.visit(d) for d in node.decorator_list]
            for a in node.args.args:
                a.arg = locals_.get(a.arg, a.arg)
            body = Local(locals_)
            node.body = [body.visit(s) for s in node.body]
            node.name = global_name(node.name)
            return node

    def _keywords(call: ast.Call) -> None:
        callee = call.func.id if isinstance(call.func, ast.Name) else None
        original = next((n for n in functions if global_name(n) == callee or n == callee), None)
        if original is not None:
            for k in call.keywords:
                if k.arg is not None:
                    k.arg = maps[original].get(k.arg, k.arg)

    class Local(ast.NodeTransformer):
        def __init__(self, locals_: dict[str, str]):
            self.locals = locals_

        def visit_Name(self, node):
            node.id = self.locals.get(node.id) or global_name(node.id)
            return node

        def visit_Call(self, node):
            self.generic_visit(node)
            _keywords(node)
            return node

    module = Module().visit(module)
    entry = Module().visit(entry)
    new_entry = global_name(program.entry)
    text_m = ast.unparse(ast.fix_missing_locations(module)) + "\n"
    text_f = ast.unparse(ast.fix_missing_locations(entry)) + "\n"
    if text_m == ast.unparse(ast.parse(program.module)) + "\n" and new_entry == program.entry \
            and text_f == ast.unparse(ast.parse(program.function)) + "\n":
        return None
    return replace(program, module=text_m, function=text_f, entry=new_entry)


def sum_as_additions(program: Program) -> Program | None:
    """``sum([a, b, c])`` (the builtin) → ``0 + a + b + c``, what Python computes."""
    module = ast.parse(program.module)
    entry = ast.parse(program.function)
    top = {t.id for s in module.body + entry.body if isinstance(s, ast.Assign)
           for t in s.targets if isinstance(t, ast.Name)}
    top |= {s.name for s in module.body + entry.body if isinstance(s, ast.FunctionDef)}
    if "sum" in top:
        return None

    class T(ast.NodeTransformer):
        def visit_FunctionDef(self, node):
            if "sum" not in _bound_in(node):
                self.generic_visit(node)
            return node

        def visit_Call(self, node):
            self.generic_visit(node)
            if isinstance(node.func, ast.Name) and node.func.id == "sum" and len(node.args) == 1 \
                    and isinstance(node.args[0], ast.List) and not node.keywords:
                out: ast.expr = ast.Constant(0)
                for e in node.args[0].elts:
                    out = ast.BinOp(out, ast.Add(), e)
                return out
            return node

    text_m = ast.unparse(ast.fix_missing_locations(T().visit(module))) + "\n"
    text_f = ast.unparse(ast.fix_missing_locations(T().visit(entry))) + "\n"
    if text_m == ast.unparse(ast.parse(program.module)) + "\n" \
            and text_f == ast.unparse(ast.parse(program.function)) + "\n":
        return None
    return replace(program, module=text_m, function=text_f)


def rename_all(program: Program) -> Program | None:
    return _rename(program, lambda n: True)  # module imports are never renamed: not bound here


def rename_shared(program: Program) -> Program | None:
    """Rename the names bound in more than one scope (a helper's parameter named like a
    global or like another function's local, a local ``np``) or bound in a function
    and also a builtin: the collisions between the user's own scopes."""
    import builtins

    bodies = ast.parse(program.module).body + ast.parse(program.function).body
    module_bound = set(_MODULES)
    scopes = []
    for s in bodies:
        if isinstance(s, ast.FunctionDef):
            module_bound.add(s.name)
            scopes.append(_bound_in(s))
        elif isinstance(s, ast.Assign):
            module_bound |= {t.id for t in s.targets if isinstance(t, ast.Name)}
    counts: dict[str, int] = {}
    for scope in [module_bound] + scopes:
        for n in scope:
            counts[n] = counts.get(n, 0) + 1
    shared = {n for n, c in counts.items() if c > 1}
    shared |= {n for scope in scopes for n in scope if n in dir(builtins)}
    return _rename(program, lambda n: n in shared)


def rename_emitted(program: Program) -> Program | None:
    from tests.fuzz.names_gen import EMITTED

    # and the generic temporaries of normalize.py (``t`` for an expression it cannot
    # name after an operation, ``seq``, ``choice``, ``part``)
    emitted = set(EMITTED) | {"t", "seq", "choice", "part", "op", "call"}
    return _rename(program, lambda n: n in emitted)

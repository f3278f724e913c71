"""The program a transform works on, carrying every fact the passes establish.

After :func:`start`, a :class:`Program` holds the parsed function and what the
caller asked for (the mode, ``wrt``, known argument shapes and ranks); after
:func:`resolve_wrt`, ``wrt`` is a list of parameter names.  Each
pass is ``pass(program) -> program``: it reads the fields it needs and fills
in the ones it establishes (the field comments say which pass sets each), so
facts live on the program rather than in argument lists, and a new pass
needs no new parameters threaded through the driver.  ``show`` records the
text of a stage and prints it when debugging (``SRCXFORM_DEBUG=1``); ``text``
renders the program as it stands (its facts, then its code).
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

from .astutil import copy_tree, params_of, positional_params
from .names import Namer
from .parse import Parsed

#: The modes a program can be transformed for.
KINDS = ("grad", "value_and_grad", "vjp", "jvp")

Shapes = dict[str, tuple[int, ...]]


@dataclass
class Program:
    """A function on its way through the pipeline (see the module docstring)."""

    # -- the function and the request (driver.start) ----------------------------------------
    parsed: Parsed
    kind: str = "grad"                       # one of KINDS
    name: str = ""                           # the function's name ("lambda_" for a lambda)
    params: list[str] = field(default_factory=list)      # every parameter, in order
    positional: list[str] = field(default_factory=list)  # those that may be passed by position
    requested_wrt: Any = 0                   # wrt as the caller gave it (index, name, tuple)
    wrt: list[str] = field(default_factory=list)         # parameters differentiated (resolve_wrt)
    tuple_wrt: bool = False                  # wrt was a tuple: the gradient is a tuple
    ranks: dict[str, int] | None = None      # known argument ranks (a specialization)
    shapes: Shapes | None = None             # known argument shapes (a specialization)
    checkpoint: Any = None                   # checkpoint.check_spec of grad's checkpoint=
    statics: dict[str, Any] | None = None    # known function/object arguments (closures.py)
    debug: bool = False                      # print every stage as it is recorded
    stages: dict[str, str] = field(default_factory=dict)  # stage name -> its text

    # -- aliases ----------------------------------------------------------------------------
    writable: set[str] = field(default_factory=set)     # arrays it may write into by element

    # -- loops ------------------------------------------------------------------------------
    fixed_names: set[str] = field(default_factory=set)  # assigned in unrolled loops: one name

    # -- normalize --------------------------------------------------------------------------
    body: list[ast.stmt] = field(default_factory=list)   # the statements of the current stage
    result: ast.expr | None = None           # the atom the normalized function returns
    result_layout: Any = None                # results.py: where the result's dicts stand
    namer: Namer | None = None               # fresh names, never the user's (from the
                                             # tree as normalize receives it)
    versions: dict[str, str] = field(default_factory=dict)  # user name -> its last SSA name
    int_names: set[str] = field(default_factory=set)     # names that only ever hold ints
    # (parameter, integer indexes) -> the error to raise on entry unless the argument so
    # indexed is a number (mutation.py: `z op= e` compiled as a rebinding)
    entry_checks: dict[tuple[str, int], Any] = field(default_factory=dict)
    sequence_checks: dict[str, Any] = field(default_factory=dict)  # param -> its refusal
    lists: set[str] = field(default_factory=set)         # lists that grow by append (aliases)
    foreign: dict[str, Any] = field(default_factory=dict)  # inlined callees' globals, by name

    # -- activity ---------------------------------------------------------------------------
    varied: set[str] = field(default_factory=set)        # depend on wrt differentiably
    active: set[str] = field(default_factory=set)        # varied and useful: get adjoints

    # -- env (driver.bind_env): helper objects the generated code names ----------------------
    env: Any = None                          # an env.Env

    # -- reverse / forward ------------------------------------------------------------------
    adjoint_of: dict[str, str] = field(default_factory=dict)  # adjoint name -> primal name
    tangent_of: dict[str, str] = field(default_factory=dict)  # tangent name -> primal name
    tangent_params: list[str] = field(default_factory=list)   # jvp: the tangents' parameters
    overwritten: set[str] = field(default_factory=set)   # names assigned more than once
    scalar_names: set[str] = field(default_factory=set)  # names known to hold a scalar
    seed: str | None = None                  # vjp: the output cotangent, a backward parameter
    returns: list[str] = field(default_factory=list)     # names the generated code returns

    # -- optimize ---------------------------------------------------------------------------
    rank_dependent: bool = False             # the code still asks for ranks (np.ndim ...)
    # the body it optimized mentions a complex constant, object or maker (complexity.py);
    # the passes after it make none, so False holds for their bodies too
    mentions_complex: bool = True
    trusted_shapes: Shapes = field(default_factory=dict)  # exact shapes wherever read
    exact_shapes: Shapes = field(default_factory=dict)    # exact shapes after the last write
    # the same, with the shapes that hold a batch size the code is generic in (patterns,
    # ``shapes.Dim``): for the passes that only compare shapes or count their sizes
    trusted_patterns: Shapes = field(default_factory=dict)
    exact_patterns: Shapes = field(default_factory=dict)
    size_sources: dict[int, tuple[str, int]] = field(default_factory=dict)  # Dim -> X, axis

    # -- split (vjp) ------------------------------------------------------------------------
    forward_body: list[ast.stmt] = field(default_factory=list)
    backward_body: list[ast.stmt] = field(default_factory=list)
    residuals: str | None = None             # the name of the residuals tuple

    # -- emit / load ------------------------------------------------------------------------
    source: str = ""                         # the generated source text
    function_names: list[str] = field(default_factory=list)  # the functions it defines
    origins: dict[int, tuple] = field(default_factory=dict)  # source line -> user's call
    fn: Callable[..., Any] | None = None     # the generated function (vjp: the forward sweep)
    backward: Callable[..., Any] | None = None  # vjp: the backward sweep

    def show(self, stage: str, text: str) -> None:
        """Record the text of ``stage``; print it when debugging."""
        self.stages[stage] = text
        if self.debug:
            print(f"--- srcxform stage: {stage} ---\n{text}", file=sys.stderr)

    def text(self) -> str:
        """The program as it stands: its facts as comments, then its code."""
        facts = [f"# {label}: {', '.join(sorted(names))}" for label, names in (
            ("wrt", self.wrt), ("varied", self.varied), ("active", self.active)) if names]
        if self.source:
            code = self.source
        elif self.forward_body or self.backward_body:
            code = "\n".join(["# forward sweep:", _unparse(self.forward_body),
                              f"# backward sweep ({self.residuals}, {self.seed}):",
                              _unparse(self.backward_body)])
        elif self.body:
            code = _unparse(self.body)
            if self.result is not None and not isinstance(self.body[-1], ast.Return):
                code += f"\nreturn {ast.unparse(self.result)}"
        else:
            code = ast.unparse(self.parsed.node)
        return "\n".join(facts + [code])

    @property
    def derivative_of(self) -> dict[str, str]:
        """Derivative name -> primal name: the tangents in forward mode, else the adjoints."""
        return self.tangent_of if self.kind == "jvp" else self.adjoint_of

    @property
    def generated_params(self) -> list[str]:
        """Every parameter of the generated code: the primal's, then the tangents (jvp) or
        the output's cotangent (vjp's backward sweep)."""
        return self.params + self.tangent_params + ([self.seed] if self.seed else [])

    @property
    def base_name(self) -> str:
        """The function's name as generated names use it (``lambda`` for a lambda)."""
        return self.name if self.name != "lambda_" else "lambda"


def _unparse(body: list[ast.stmt]) -> str:
    """The text of ``body`` (a copy given positions: statements a pass made have none, and
    ``ast.unparse`` reads an assignment's line)."""
    module = ast.fix_missing_locations(ast.Module(copy_tree(body, {}), []))
    return "\n".join(ast.unparse(s) for s in module.body)


def start(parsed: Parsed, kind: str = "grad", wrt: Any = 0,
          ranks: dict[str, int] | None = None, shapes: Shapes | None = None,
          debug: bool = False, checkpoint: Any = None) -> Program:
    """A :class:`Program` for the parsed function ``parsed`` and the request."""
    if kind not in KINDS:
        raise ValueError(f"unknown transform kind {kind!r} (one of {', '.join(KINDS)})")
    fn = parsed.node
    return Program(parsed=parsed, kind=kind, name=fn.name, params=params_of(fn),
                   positional=positional_params(fn), requested_wrt=wrt, ranks=ranks,
                   shapes=shapes, debug=debug, checkpoint=checkpoint)


def resolve_wrt(program: Program) -> Program:
    """Set ``program.wrt`` to the parameter names ``requested_wrt`` denotes (an index, a
    name, or a tuple of them) and ``tuple_wrt`` to whether it was a tuple; a ``wrt`` that
    names no parameter raises ``ValueError`` (``TypeError`` for one of another type)."""
    program.wrt, program.tuple_wrt = wrt_names(
        program.params, program.positional, program.requested_wrt, program.parsed.fn.__qualname__)
    return program


def wrt_names(params: list[str], positional: list[str], wrt: Any,
              fname: str) -> tuple[list[str], bool]:
    """Parameter names for ``wrt`` (index, name, or tuple); and whether it was a tuple."""
    is_tuple = isinstance(wrt, (tuple, list))
    items = list(wrt) if is_tuple else [wrt]
    if is_tuple and not items:
        raise ValueError(f"wrt={wrt!r} names no parameter of {fname}")
    names = []
    for w in items:
        if isinstance(w, bool) or not isinstance(w, (int, str)):
            raise TypeError(f"wrt must be a parameter index or name, got {w!r}")
        if isinstance(w, int):
            if not -len(positional) <= w < len(positional):
                raise ValueError(f"wrt={w!r} is out of range: {fname} has {len(positional)} "
                                 f"positional parameter(s)")
            names.append(positional[w])
        else:
            if w not in params:
                raise ValueError(f"wrt={w!r} is not a parameter of {fname} "
                                 f"(parameters: {', '.join(params)})")
            names.append(w)
    if len(set(names)) != len(names):
        raise ValueError(f"wrt={wrt!r} names a parameter twice")
    return names, is_tuple

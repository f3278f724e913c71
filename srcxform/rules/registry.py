"""The one derivative table, read by the compiler and by the eager runtime.

After this module is imported (and ``srcxform.rules`` imports every family),
each differentiable primitive maps to exactly one :class:`Rule`:

* ``lookup(fn)`` for a callable (``np.tanh``, ``math.exp``, ``operator.mul``'s
  NumPy twin ``np.multiply``, ...),
* ``lookup_method(name)`` for an array method (``x.sum(...)``),
* ``lookup_attribute(name)`` for an array attribute (``x.T``).

A rule is a plain function ``rule(g, out, *args, **kwargs)`` returning a
tuple with one gradient per positional argument of the primitive (``None``
where there is none; a shorter tuple means the rest are ``None``); the
arguments a ``*operands`` parameter collects (``np.einsum``) count one by one.  ``g`` is
the output cotangent and ``out`` the primal result.  Rule bodies are small
straight-line NumPy (an ``if`` on a keyword argument is allowed); the compiler
inlines them, the eager runtime calls them.  Rules never undo broadcasting
themselves: a rule registered ``elementwise=True`` has its gradients passed
through :func:`unbroadcast` by whichever consumer runs it.

Forward mode reads the same table.  A rule's tangent (the Jacobian times a
tangent ``t``) is derived, never written twice, when the rule is

* ``elementwise``: its Jacobian is diagonal, so the tangent from argument
  ``i`` is the rule's own gradient ``i`` with ``g = t`` (broadcast to the
  output's shape);
* ``linear``: the primitive is linear in each differentiable argument when
  the others are held fixed — a one-argument linear map (``sum``, ``reshape``,
  indexing, ``concatenate`` of one sequence) or a product (``matmul``,
  ``outer``) — so the tangent from argument ``i`` is the primitive applied
  with ``t`` in place of argument ``i``.  A sum ``a + b`` is *not* linear in
  this sense (``f(t, b) != t``): such rules are elementwise or register tangents.

Other rules (``softmax``, ``max``, ``norm``, and the losses whose gradients are
elementwise but whose values are reduced) register per-argument tangent
functions ``tangent(t, out, *args, **kwargs)`` with :func:`register_tangents`;
registered ones take precedence.

A primitive that returns a tuple (``np.linalg.eigh``, ``slogdet``, ``svd``) is
registered with ``multi_output``: the number of values it returns, or a function
of its keyword options giving that number (0 when, with those options, it
returns one array: ``svd(a, compute_uv=False)``).  Its rule receives ``g`` as a
tuple with one cotangent per output (zeros for the outputs nothing used) and its
tangent functions return a tuple with one tangent per output.

An argument whose derivative has no closed form (``df`` of ``scipy.stats.t.cdf``)
is listed in ``no_derivative`` (its rule returns ``None`` for it): differentiating
with respect to it is refused, by the compiler at transform time and by the
eager runtime at backward time (with ``no_derivative_why`` in the message, if
given).  ``refuse`` (a function of the keyword options, like ``multi_output``)
names options that cannot be differentiated (``logsumexp(..., return_sign=True)``).

Bound methods (``scipy.stats.norm.logpdf``, a new object at every attribute
access) are keyed by their object's class and function.  Optional rule families
(SciPy's) are loaded by the first lookup that misses after their library was
imported (:func:`load_when_imported`); nothing here imports them.

Functions whose gradient is zero everywhere it exists (``np.shape``, ``len``,
``np.sign``, comparisons, ``np.argmax``, ``np.zeros_like``, ...) are listed in
``NONDIFF``; they need no rule and stop the gradient.

``VERSION[0]`` is a new object after every change of the table, so caches of
generated code compare one identity to notice a rule added or replaced.
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .. import depends


@dataclass(frozen=True)
class Rule:
    """One entry of the table."""

    name: str
    vjp: Callable[..., tuple]
    elementwise: bool = False
    backward_name: str = ""
    linear: bool = False  # linear in each differentiable argument (tangent: same primitive)
    sequence_output: bool = False  # returns a list or tuple of arrays (np.split)
    multi_output: int | Callable[..., int] = 0  # how many values it returns as a tuple
    no_derivative: tuple[str, ...] = ()  # arguments whose derivative has no closed form
    no_derivative_why: str = ""  # what the refusal of such an argument adds (or "")
    refuse: Callable[..., str | None] | None = None  # why it cannot differentiate these options
    signature: inspect.Signature = field(compare=False, repr=False, default=None)

    def bind(self, *args: Any, **kwargs: Any) -> inspect.BoundArguments:
        """Bind primal arguments to the rule's parameters (after ``g, out``)."""
        bound = self.signature.bind(None, None, *args, **kwargs)
        bound.apply_defaults()
        return bound

    def arguments(self, args: Sequence[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        """``bind(*args, **kwargs).arguments`` as a dict (defaults applied), without
        ``inspect`` for the common call: positional arguments only, to a rule whose
        primal parameters are all plain (no ``*args``, no keyword-only)."""
        spec = self.__dict__.get("_spec", _EMPTY)
        if spec is _EMPTY:  # (made once per rule; the dataclass is frozen)
            spec = _positional_spec(self.signature)
            object.__setattr__(self, "_spec", spec)
        given = len(args) + 2  # (g and out are bound to None, as bind does)
        if spec is not None and not kwargs and given <= len(spec) \
                and all(d is not _EMPTY for _, d in spec[given:]):
            found = {spec[0][0]: None, spec[1][0]: None}
            for (name, _), value in zip(spec[2:], args):
                found[name] = value
            for name, default in spec[given:]:
                found[name] = default
            return found
        return dict(self.bind(*args, **kwargs).arguments)

    @property
    def vararg(self) -> str | None:
        """The name of the ``*args`` parameter, if any: its arguments get gradients
        at their positions in the call (the rule returns them flattened)."""
        for p in self.signature.parameters.values():
            if p.kind is p.VAR_POSITIONAL:
                return p.name
        return None

    @property
    def primal_params(self) -> list[str]:
        """Names of the primal parameters, in order (``g`` and ``out`` dropped)."""
        return list(self.signature.parameters)[2:]

    def outputs(self, options: dict[str, Any]) -> int:
        """How many values the primitive returns as a tuple with these keyword options
        (0: a single value).  ``options`` holds the bound primal arguments' values."""
        if callable(self.multi_output):
            params = inspect.signature(self.multi_output).parameters
            return self.multi_output(**{k: v for k, v in options.items() if k in params})
        return self.multi_output

    def refusal(self, options: dict[str, Any]) -> str | None:
        """Why a call with these option values cannot be differentiated, or ``None``."""
        if self.refuse is None:
            return None
        params = inspect.signature(self.refuse).parameters
        return self.refuse(**{k: v for k, v in options.items() if k in params})


#: Replaced by a new object whenever the table changes; caches compare it by identity.
VERSION: list[object] = [object()]

_BY_FUNCTION: dict[Any, Rule] = {}
_FUNCTIONS: dict[Any, Any] = {}  # keep the keyed objects alive
_BY_METHOD: dict[str, Rule] = {}
_BY_ATTRIBUTE: dict[str, Rule] = {}

#: Callables with no gradient (the result is piecewise constant, integer, or
#: a shape).  They are pure: dead code elimination may drop their calls.
NONDIFF: set[Any] = set()
_NONDIFF_OBJECTS: list[Any] = []
#: Array methods and attributes with no gradient.
NONDIFF_METHODS: set[str] = {
    "argmax", "argmin", "argsort", "argpartition", "nonzero", "any", "all", "__len__",
}
NONDIFF_ATTRIBUTES: set[str] = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes"}


_METHOD = types.MethodType


def _key(fn: Any) -> Any:
    """The table key of a callable: its identity, or (class, function) for a bound method
    (a copy of the object, as ``copy.deepcopy`` of a method makes, keeps the key)."""
    if type(fn) is _METHOD:
        return (id(type(fn.__self__)), id(fn.__func__))
    return id(fn)


def register(
    *primitives: Any,
    methods: tuple[str, ...] = (),
    attributes: tuple[str, ...] = (),
    elementwise: bool = False,
    backward_name: str = "",
    linear: bool = False,
    sequence_output: bool = False,
    multi_output: int | Callable[..., int] = 0,
    no_derivative: tuple[str, ...] = (),
    no_derivative_why: str = "",
    refuse: Callable[..., str | None] | None = None,
) -> Callable[[Callable[..., tuple]], Callable[..., tuple]]:
    """Register ``rule`` for each primitive, array method and attribute named.

    ``sequence_output`` marks a primitive that returns a list or tuple of arrays: its
    cotangent ``g`` is a sequence of the pieces' cotangents (zeros where a piece has none).
    """

    def decorate(rule: Callable[..., tuple]) -> Callable[..., tuple]:
        sig = inspect.signature(rule)
        params = list(sig.parameters)
        if params[:2] != ["g", "out"]:
            raise TypeError(f"rule {rule.__name__} must start with (g, out, ...)")
        entry = Rule(
            name=rule.__name__.rstrip("_"),
            vjp=rule,
            elementwise=elementwise,
            backward_name=backward_name,
            linear=linear,
            sequence_output=sequence_output,
            multi_output=multi_output,
            no_derivative=tuple(no_derivative),
            no_derivative_why=no_derivative_why,
            refuse=refuse,
            signature=sig,
        )
        for p in primitives:
            _BY_FUNCTION[_key(p)] = entry
            _FUNCTIONS[_key(p)] = p
        for m in methods:
            _BY_METHOD[m] = entry
        for a in attributes:
            _BY_ATTRIBUTE[a] = entry
        rule.__srcxform_rule__ = entry
        VERSION[0] = object()
        return rule

    return decorate


#: Per-argument tangent functions of rules that are neither elementwise nor linear,
#: keyed by the rule function's identity.
_TANGENTS: dict[int, tuple[Callable[..., Any] | None, ...]] = {}


def register_tangents(rule: Callable[..., tuple],
                      *tangents: Callable[..., Any] | None) -> None:
    """Give ``rule`` one tangent function per primal argument.

    ``None`` declares that the output does not depend on that argument's values
    (only on its shape, or it is an option): it contributes no tangent, and in
    reverse mode it receives no gradient.  An argument past the end of the
    tuple has no tangent rule: forward mode refuses to differentiate it.

    Each is ``tangent(t, out, *args, **kwargs)`` with the rule's primal
    parameters and returns the output's tangent for tangent ``t`` of its
    argument.  The one tangent function of a ``*args`` parameter serves each
    argument it collects: it takes that argument's position among them after
    ``t, out`` (``tangent(t, out, position, *args, **kwargs)``).  Like rules,
    tangent functions are small NumPy bodies (or are called when they loop).
    """
    entry: Rule = rule.__srcxform_rule__
    _TANGENTS[id(entry.vjp)] = tuple(tangents)
    VERSION[0] = object()


def tangents_of(rule: Rule) -> tuple[Callable[..., Any] | None, ...] | None:
    """The registered tangent functions of ``rule``, or ``None``."""
    return _TANGENTS.get(id(rule.vjp))


def tangent(rule: Rule, primal: Callable[..., Any], index: int, t: Any, out: Any,
            args: list, kwargs: dict) -> Any:
    """The output's tangent for tangent ``t`` of positional argument ``index``, evaluated.

    The same derivation the forward-mode compiler inlines: a registered tangent
    function, else the primitive applied to ``t`` (``linear``), else the rule's
    gradient ``index`` at ``g = t`` broadcast to the output (``elementwise``).
    """
    explicit = tangents_of(rule)
    if explicit is not None:
        start = rule.primal_params.index(rule.vararg) if rule.vararg else len(args)
        slot = min(index, start)  # the arguments ``*args`` collects share its tangent
        fn = explicit[slot] if slot < len(explicit) else None
        if fn is None:
            raise ValueError(f"{rule.name} has no tangent for argument {index}")
        if index >= start:
            return fn(t, out, index - start, *args, **kwargs)
        return fn(t, out, *args, **kwargs)
    if rule.linear:
        return primal(*args[:index], t, *args[index + 1:], **kwargs)
    if rule.elementwise:
        return np.broadcast_to(rule.vjp(t, out, *args, **kwargs)[index], np.shape(out))
    raise ValueError(f"{rule.name} is neither elementwise nor linear and has no tangents")


def nondifferentiable(*fns: Any) -> None:
    """Declare callables whose gradient is zero (they stop the gradient)."""
    for fn in fns:
        NONDIFF.add(_key(fn))
        _NONDIFF_OBJECTS.append(fn)
    VERSION[0] = object()


#: Optional rule families not loaded yet: library module name -> loader.
_LAZY: dict[str, Callable[[], Any]] = {}


def load_when_imported(module: str, loader: Callable[[], Any]) -> None:
    """Run ``loader`` (which registers rules) once ``module`` has been imported by anyone."""
    if module in sys.modules:
        loader()
    else:
        _LAZY[module] = loader


def _load_imported() -> bool:
    """Load the optional families whose library is imported now; True if any was."""
    modules = sys.modules
    for m in _LAZY:
        if m in modules:
            break
    else:
        return False
    for m in [m for m in _LAZY if m in modules]:
        _LAZY.pop(m)()
    return True


def lookup(fn: Any) -> Rule | None:
    """The rule of a callable, or ``None``."""
    rule = _BY_FUNCTION.get(_key(fn))
    if rule is None and _LAZY and _load_imported():
        rule = _BY_FUNCTION.get(_key(fn))
    if rule is not None and depends.ACTIVE[0] and not _is_own(rule):
        depends.note_rule(rule)  # a transform is recording what it reads
    return rule


def _is_own(rule: Rule) -> bool:
    """A rule of srcxform's own (or not a Python function): nothing for the cache to note
    (``depends.note_rule`` returns at once for it); decided once per rule."""
    own = rule.__dict__.get("_own")
    if own is None:
        module = getattr(rule.vjp, "__module__", "") or ""
        own = module == "srcxform" or module.startswith("srcxform.") \
            or not inspect.isfunction(rule.vjp)
        object.__setattr__(rule, "_own", own)
    return own


def lookup_method(name: str) -> Rule | None:
    """The rule of an array method such as ``sum`` in ``x.sum()``."""
    return _BY_METHOD.get(name)


def lookup_attribute(name: str) -> Rule | None:
    """The rule of an array attribute such as ``T``."""
    return _BY_ATTRIBUTE.get(name)


def is_nondifferentiable(fn: Any) -> bool:
    """True for a callable listed as having no gradient."""
    if _LAZY:
        _load_imported()
    return _key(fn) in NONDIFF


def all_rules() -> list[tuple[str, Any, Rule]]:
    """Every (kind, key, rule) in the table, for table-driven tests."""
    _load_imported()
    rows: list[tuple[str, Any, Rule]] = []
    rows += [("function", _FUNCTIONS[k], r) for k, r in _BY_FUNCTION.items()]
    rows += [("method", m, r) for m, r in _BY_METHOD.items()]
    rows += [("attribute", a, r) for a, r in _BY_ATTRIBUTE.items()]
    return rows


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum ``g`` down to the shape of ``x`` (undo NumPy broadcasting)."""
    shape = np.shape(x)
    gshape = np.shape(g)
    if gshape == shape:
        return g
    if not shape:
        return np.sum(g)
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1
    )
    g = np.sum(g, axis=axes)
    return np.reshape(g, shape)


_EMPTY = inspect.Parameter.empty


def _positional_spec(signature: inspect.Signature) -> tuple[tuple[str, Any], ...] | None:
    """A rule's parameters as ``(name, default)`` pairs when each primal one (after ``g,
    out``) is positional-or-keyword (``Rule.arguments``' fast path), else None."""
    params = list(signature.parameters.values())
    if any(p.kind is not p.POSITIONAL_OR_KEYWORD for p in params[2:]):
        return None
    return tuple((p.name, p.default) for p in params)

"""The model corpus of issue 12: what each program is, what it uses, and what fails today.

Each :class:`Model` names a module of ``tests/models/programs`` and the
function there that returns ``(function to differentiate, arguments)``.
``rows`` are the rows of issue 12's table the program exercises (keys of
:data:`ROWS`).  What a program needs that srcxform lacks today is listed
exactly: ``needs`` (issue 12 language features, keys of :data:`FEATURES`),
``rules`` (derivative rules of issue 13) and ``bugs`` (generated-code bugs
found by the corpus, each with a regression test in ``test_found_bugs.py``);
``extra`` adds needs of a single transform.  The harness marks a model's
tests ``xfail(strict=True)`` with that list as the reason, so the fix that
removes the last blocker turns them into XPASSes, telling the fixer to
delete the entries.  ``STATUS.md`` (``python -m tests.models.status``)
shows the first failure of each today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROWS = {
    "pytree": "parameters as a list of (W, b) tuples, a dict, or a list of arrays of different "
              "shapes; `for W, b in params:`; a ragged list argument",
    "comprehension": "list comprehensions, generator expressions, `map`, `zip(*pairs)`",
    "functions": "nested `def` / `lambda`, closures, factories, function-valued parameters "
                 "and defaults, `functools.partial`",
    "starred": "`*args`, `**kwargs`, starred calls",
    "helper_effects": "a helper that writes into an array it created, or appends to a list it "
                      "created",
    "procedure": "a procedure without `return` whose result is unused",
    "methods": "methods of user objects, `self.shape` reads, `sx.grad(model.loss)`",
    "higher_order": "grad of grad of grad; a generated gradient called inside a differentiated "
                    "function",
    "tuples": "a tuple returned by a helper, indexed; tuple concatenation",
}

TRANSFORMS = ("grad", "value_and_grad", "vjp", "jvp", "hessian")

# Issue 12 features, as short exact names (the xfail reasons quote them).
FEATURES = {
    # pytrees
    "list-of-pairs-arg": "a list of (W, b) tuples as an argument",
    "pairs-in-helper": "a list of (W, b) tuples looped over in a helper (crashes even when "
                       "built inside the function: np.zeros_like of the list)",
    "dict-arg": "a dict argument",
    "list-of-arrays-arg": "a list of arrays of different shapes as an argument",
    "tuple-arg": "a tuple of arrays as an argument",
    "ragged-list-arg": "a ragged list argument that is not differentiated",
    "pair-list-arg": "a list of (array, float) pairs as an argument",
    "flatten-inside": "sx.flatten in differentiated code",
    # comprehensions
    "list-comp": "a list comprehension",
    "generator": "a generator expression in sum()",
    "nested-generator": "a nested generator expression with a condition",
    "dict-comp": "a dict comprehension",
    "items-sorted": "loops over dict.items() and sorted()",
    "map": "map over a known function",
    "zip-star": "zip(*pairs)",
    # *args
    "varargs": "a *args parameter",
    "kwargs": "a **kwargs parameter",
    "starred-call": "a starred call (f(*shape))",
    # higher order
    # tuples
    "tuple-index": "a tuple returned by a helper, indexed",
    "tuple-concat": "tuple concatenation",
}

# Generated-code bugs the corpus found (regression tests in test_found_bugs.py).
BUGS: dict[str, str] = {}  # (none open: temp-shadows-callee is fixed, see test_found_bugs.py)

# Why autograd cannot run a program's source (those are checked by finite differences only).
WRITES = "the program writes into arrays (autograd does not support assignment to arrays)"


@dataclass(frozen=True)
class Model:
    name: str
    module: str
    rows: tuple[str, ...]
    needs: tuple[str, ...] = ()  # issue 12 features (keys of FEATURES)
    rules: tuple[str, ...] = ()  # derivative rules of issue 13
    bugs: tuple[str, ...] = ()  # keys of BUGS
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)  # transform -> features
    wrt: Any = 0
    entry: str = "corpus_entry"
    autograd: str | None = None  # why autograd cannot run the source, or None
    hessian: bool = False  # cheap enough (one small array or float argument)
    uses_sx: bool = False  # calls srcxform itself: finite differences run on the twin

    @property
    def scipy(self) -> tuple[str, ...]:
        """The SciPy functions the program differentiates through."""
        return tuple(r for r in self.rules if r.startswith("scipy."))

    def failure(self, transform: str) -> str | None:
        """The xfail reason of this transform today, or None if it should pass."""
        needs = self.needs + self.extra.get(transform, ())
        parts = []
        if needs:
            parts.append("issue 12: " + "; ".join(FEATURES[n] for n in needs))
        if self.rules:
            parts.append("issue 13: rules for " + ", ".join(self.rules))
        if self.bugs:
            parts.append("bug: " + "; ".join(BUGS[b] for b in self.bugs))
        return " | ".join(parts) or None


MODELS: list[Model] = [
    Model("mlp_tuples", "mlp_tuples", ("pytree",),
          needs=("list-of-pairs-arg", "pairs-in-helper")),
    Model("list_of_arrays", "ragged_list", ("pytree",), needs=("list-of-arrays-arg",)),
    Model("bag_of_words", "bag_of_words", ("pytree",), wrt=(0, 1),
          needs=("ragged-list-arg",)),
    Model("flatten_penalty", "flatten_penalty", ("pytree",),
          needs=("dict-arg", "flatten-inside")),
    Model("gan", "gan", ("pytree",), wrt=(0, 1),
          needs=("list-of-pairs-arg", "pairs-in-helper")),
    Model("mixture", "mixture", ("comprehension", "pytree"),
          needs=("dict-arg", "list-comp", "generator")),
    Model("pairs_map_zip", "pairs_map_zip", ("comprehension", "pytree"),
          needs=("tuple-arg", "pair-list-arg", "zip-star", "list-comp", "map")),
    Model("robust_regression", "robust_regression", ("comprehension", "functions"),
          needs=("dict-comp", "items-sorted", "generator", "nested-generator", "list-comp"),
          hessian=True),
    Model("hmm", "hmm", ("comprehension", "pytree"),
          needs=("dict-arg", "ragged-list-arg", "generator")),
    Model("gp_factory", "gp_factory", ("functions",), hessian=True),
    Model("gp_kernel_default", "gp_kernels", ("functions",), hessian=True),
    Model("gp_kernel_argument", "gp_kernels", ("functions",), entry="corpus_entry_periodic",
          hessian=True),
    Model("deep_gp", "deep_gp", ("functions", "pytree", "comprehension"),
          needs=("dict-arg", "generator")),
    Model("nn_factory", "nn_factory", ("functions", "helper_effects"), hessian=True,
          extra={t: ("pairs-in-helper",) for t in ("grad", "value_and_grad", "vjp", "hessian")}),
    Model("partial_logistic", "partial_logistic", ("functions",), hessian=True),
    Model("bbvi", "bbvi", ("starred", "functions"), hessian=True, needs=("starred-call",)),
    Model("bayesian_nn", "bayesian_nn", ("starred", "pytree", "helper_effects"),
          needs=("dict-arg", "starred-call", "pairs-in-helper")),
    Model("rnn", "rnn", ("starred", "tuples", "functions", "pytree", "helper_effects"),
          needs=("dict-arg", "varargs", "tuple-concat")),
    Model("lstm", "lstm", ("starred", "tuples", "functions", "pytree", "helper_effects"),
          needs=("dict-arg", "varargs", "tuple-concat")),
    Model("vae", "vae", ("starred", "pytree", "functions"),
          needs=("dict-arg", "list-of-pairs-arg", "pairs-in-helper", "kwargs", "starred-call")),
    Model("fluid", "fluid", ("helper_effects", "procedure"), autograd=WRITES),
    Model("wave", "wave", ("helper_effects", "procedure", "comprehension"), autograd=WRITES,
          needs=("generator",)),
    Model("convnet", "convnet", ("methods",)),
    Model("model_object", "model_object", ("methods",), hessian=True),
    Model("newton", "newton", ("higher_order",), hessian=True, uses_sx=True),
    Model("tanh_third", "tanh_derivatives", ("higher_order",), hessian=True, uses_sx=True),
    Model("tanh_third_loop", "tanh_derivatives", ("higher_order",), entry="corpus_entry_loop",
          hessian=True, uses_sx=True),
    Model("gplvm", "gplvm", ("tuples", "comprehension"), hessian=True,
          needs=("tuple-index", "generator")),
    Model("ica", "ica", ("tuples",), hessian=True,  # (forward mode reads the tuple already)
          extra={t: ("tuple-index",) for t in ("grad", "value_and_grad", "vjp", "hessian")}),
    Model("negative_binomial", "negative_binomial", (), hessian=True),
]

BY_NAME = {m.name: m for m in MODELS}

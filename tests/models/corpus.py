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
FEATURES: dict[str, str] = {
    # comprehensions (pytree arguments, sx.flatten inside, indexed helper tuples, list
    # comprehensions, generator expressions, map and zip(*pairs), dict comprehensions and
    # loops over a dict's items/keys/values or sorted(dict) whose keys are known: done)
    # (functions as values, helpers' effects, methods, gradients of any order, *args and
    # **kwargs of helpers, starred calls, tuple indexing and concatenation: done)
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
    Model("mlp_tuples", "mlp_tuples", ("pytree",)),
    Model("list_of_arrays", "ragged_list", ("pytree",)),
    Model("bag_of_words", "bag_of_words", ("pytree",), wrt=(0, 1)),
    Model("flatten_penalty", "flatten_penalty", ("pytree",)),
    Model("gan", "gan", ("pytree",), wrt=(0, 1)),
    Model("mixture", "mixture", ("comprehension", "pytree")),
    Model("pairs_map_zip", "pairs_map_zip", ("comprehension", "pytree")),
    Model("robust_regression", "robust_regression", ("comprehension", "functions"),
          hessian=True),
    Model("hmm", "hmm", ("comprehension", "pytree")),
    Model("gp_factory", "gp_factory", ("functions",), hessian=True),
    Model("gp_kernel_default", "gp_kernels", ("functions",), hessian=True),
    Model("gp_kernel_argument", "gp_kernels", ("functions",), entry="corpus_entry_periodic",
          hessian=True),
    Model("gp_kernel_matrix", "gp_kernel_matrix", ("comprehension", "functions"),
          hessian=True),
    Model("deep_gp", "deep_gp", ("functions", "pytree", "comprehension")),
    Model("nn_factory", "nn_factory", ("functions", "helper_effects"), hessian=True),
    Model("partial_logistic", "partial_logistic", ("functions",), hessian=True),
    Model("bbvi", "bbvi", ("starred", "functions"), hessian=True),
    Model("bayesian_nn", "bayesian_nn", ("starred", "pytree", "helper_effects")),
    Model("rnn", "rnn", ("starred", "tuples", "functions", "pytree", "helper_effects")),
    Model("lstm", "lstm", ("starred", "tuples", "functions", "pytree", "helper_effects")),
    Model("vae", "vae", ("starred", "pytree", "functions")),
    Model("fluid", "fluid", ("helper_effects", "procedure"), autograd=WRITES),
    Model("wave", "wave", ("helper_effects", "procedure", "comprehension"), autograd=WRITES),
    Model("convnet", "convnet", ("methods",)),
    Model("model_object", "model_object", ("methods",), hessian=True),
    Model("newton", "newton", ("higher_order",), hessian=True, uses_sx=True),
    Model("tanh_third", "tanh_derivatives", ("higher_order",), hessian=True, uses_sx=True),
    Model("tanh_third_loop", "tanh_derivatives", ("higher_order",), entry="corpus_entry_loop",
          hessian=True, uses_sx=True),
    Model("gplvm", "gplvm", ("tuples", "comprehension"), hessian=True),
    Model("ica", "ica", ("tuples",), hessian=True),
    Model("negative_binomial", "negative_binomial", (), hessian=True),
]

BY_NAME = {m.name: m for m in MODELS}

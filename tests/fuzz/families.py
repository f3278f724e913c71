"""Known families of wrong results and crashes, and how a finding is recognised as one.

A family is a root cause catalogued in ``tests/fuzz/FINDINGS.md`` (with a
minimized program and the regression test of ``tests/test_issue10_regressions.py``
that pins it).  A finding (transform, kind, message) of a program belongs to
a family in one of two ways:

* by its message or the program's tags, when these identify the cause on
  their own (``UnboundLocalError`` in a vjp of a loop, a ``TransformError``
  at line 0, a float argument's gradient that is not a float, a gradient of
  the wrong shape after a swap of differently shaped values, an array
  appended to a list and then written in place, any wrong result of a
  program that takes a view: no rewrite can take the view away and keep
  what Python computes);
* differentially, by a rewrite (``rewrites.py``) that removes the family's
  construct while Python computes exactly the same thing: the finding
  belongs to the family when the rewritten program no longer shows it.
  The rewrites of all open families of the program's fuzzer are applied
  together (a program can have several causes at once) and the program is
  checked once more; a finding still there belongs to no open family.

The CI fuzz test fails only on a finding no *open* family explains;
refusals never fail it.  To close a family after fixing it, delete its name
from ``OPEN`` (one line): its predicate or rewrite is then no longer used,
and any program of the family that still goes wrong fails the test.
``attribute`` names the one family a finding is counted under (the first
that explains it alone, in the order of ``FAMILIES``), for the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tests.fuzz import rewrites
from tests.fuzz.oracle import Finding, Result
from tests.fuzz.program import Program

Applies = Callable[[Program, Finding], bool]
Recheck = Callable[[Program, tuple[str, ...]], Result]


@dataclass(frozen=True)
class Family:
    name: str
    issue: str  # the item of issue 10 ("new" when the issue does not list it)
    fuzzer: str  # "mutation", "names" or "both"
    applies: Applies  # a cheap test on the program and the finding
    rewrite: Callable[[Program], Program | None] | None = None  # None: ``applies`` decides

    def for_fuzzer(self, fuzzer: str) -> bool:
        return self.fuzzer in ("both", fuzzer)


def _bad(f: Finding) -> bool:
    return f.kind in ("wrong", "crash")


def _tags(*tags: str) -> Applies:
    return lambda p, f: _bad(f) and bool(p.tags & set(tags))


def _message(pattern: str, transform: str | None = None, kind: str = "crash") -> Applies:
    regex = re.compile(pattern)
    return lambda p, f: f.kind == kind and transform in (None, f.transform) \
        and bool(regex.search(f.detail))


_ADJOINT = "|".join(["softsq", "act", "squash"])
_SLICE_TAGS = ("slice_self_read", "slice_self_aug", "slice_overlap", "slice_aug")
_WRITE_TAGS = ("elem_write", "elem_aug", "slice_write", "row_col_write", "aug_name",
               "loop_buffer", "cond_write") + _SLICE_TAGS

FAMILIES: dict[str, Family] = {f.name: f for f in [
    Family("float-gradient-type", "new", "both",
           _message(r"gradient \d+ of a float is a ndarray", kind="contract")),
    Family("vjp-early-return", "crashes", "mutation",
           _message(r"'NoneType' object has no attribute 'copy'", "vjp")),
    Family("tape-before-first-assignment", "crashes", "mutation",
           lambda p, f: "loop" in p.tags and _message(
               r"UnboundLocalError: cannot access local variable '(c|p|P|v|z|buf)\d+'")(p, f)),
    Family("unlocated-unbound-local", "6", "names",
           _message(r"TransformError without a location: .*:0:0: '\w+' is used before it is "
                    r"assigned")),
    Family("adjoint-in-inlined-helper", "6", "names",
           _message(rf"UnboundLocalError: cannot access local variable '({_ADJOINT})'")),
    Family("identity-folded-to-alias", "new", "mutation", _tags("times_one"),
           rewrites.copy_times_one),
    Family("argument-write", "new", "mutation", _tags("arg_write"), rewrites.copy_written_args),
    Family("alias-through-helper", "4", "mutation",
           _tags("helper_alias", "helper_view", "helper_mutates"), rewrites.unwrap_helpers),
    Family("augassign-through-alias", "3", "mutation", _tags("aug_name", "aug_alias"),
           rewrites.augassign_as_store),
    Family("slice-reads-own-target", "2", "mutation", _tags(*_SLICE_TAGS),
           rewrites.snapshot_slice_stores),
    Family("read-then-write", "1", "mutation", _tags(*_WRITE_TAGS), rewrites.snapshot),
    Family("swap-of-different-shapes", "5", "mutation",
           lambda p, f: _bad(f) and "swap_shapes" in p.tags and bool(re.search(
               r"has shape|ValueError: (cannot reshape|could not broadcast|operands could not"
               r"|non-broadcastable output operand|matmul: .*mismatch in its core dimension"
               r"|shapes .* not aligned)",
               f.detail))),
    Family("write-under-view", "3", "mutation", _tags("view", "helper_view")),
    Family("append-then-mutate", "new", "mutation",
           lambda p, f: _bad(f) and {"append_array", "write_after_append"} <= p.tags),
    Family("builtin-sum-of-list", "9", "names", _tags("builtin_sum"), rewrites.sum_as_additions),
    Family("inlining-capture", "6", "names", lambda p, f: _bad(f), rewrites.rename_shared),
    Family("emitted-name-collision", "6", "names", lambda p, f: _bad(f),
           rewrites.rename_emitted),
]}

#: The families still open: a finding one of them explains does not fail CI.
#: Delete a name here when its family is fixed.
OPEN: list[str] = [
    # every family is closed: seeds 0-2999 of each fuzzer (the CI run) show none of them
    # (tests/fuzz/FINDINGS.md, "Closed"); a new finding fails CI until it is fixed or a
    # family for it is catalogued and listed here
]


def _signature(f: Finding) -> tuple:
    """What must stay the same for a finding to be "still there": for a crash, the
    message up to its location, with names the renaming rewrites made (``G__x``,
    ``fn__x``) read as the names they were."""
    if f.kind != "crash":
        return f.transform, f.kind
    message = f.detail.split(" (in ")[0]
    message = re.sub(r"'(\w+__)+(\w+)'", r"'\2'", message)
    return f.transform, f.kind, message


def _gone(finding: Finding, after: Result) -> bool:
    """``finding`` does not occur in ``after`` (a judged result of the rewritten program)."""
    return after.outcome not in ("invalid", "nonsmooth") and \
        all(_signature(g) != _signature(finding) for g in after.bad)


def _rewritten(program: Program, families: list[Family]) -> Program | None:
    out, changed = program, False
    for rewrite in dict.fromkeys(fam.rewrite for fam in families):  # each rewrite once
        new = rewrite(out)
        if new is not None:
            out, changed = new, True
    return out if changed else None


def explain(result: Result, recheck: Recheck | None = None,
            open_families: list[str] | None = None) -> tuple[set[str], list[Finding]]:
    """(the open families that explain some finding, the bad findings none explains).

    ``recheck(program, transforms)`` checks a rewritten program; without it
    only the families recognised by message or tags can explain a finding.
    """
    names = OPEN if open_families is None else open_families
    fams = [FAMILIES[n] for n in names if FAMILIES[n].for_fuzzer(result.program.fuzzer)]
    matched: set[str] = set()
    rest: list[Finding] = []
    for finding in result.bad:
        direct = [f.name for f in fams if f.rewrite is None and f.applies(result.program, finding)]
        matched.update(direct)
        if not direct:
            rest.append(finding)
    unexplained: list[Finding] = []
    if rest and recheck is not None:
        useful = [f for f in fams if f.rewrite is not None]  # one rewrite may need another
        program = _rewritten(result.program, useful)
        if program is not None:
            after = recheck(program, tuple(sorted({x.transform for x in rest})))
            for finding in rest:
                if _gone(finding, after):
                    matched.update(f.name for f in useful if f.applies(result.program, finding))
                else:
                    unexplained.append(finding)
            return matched, unexplained
    return matched, rest


def attribute(result: Result, finding: Finding, recheck: Recheck) -> str | None:
    """The first family (in ``FAMILIES`` order) that explains ``finding`` on its own."""
    for fam in FAMILIES.values():
        if not fam.for_fuzzer(result.program.fuzzer) or not fam.applies(result.program, finding):
            continue
        if fam.rewrite is None:
            return fam.name
        program = fam.rewrite(result.program)
        if program is not None and _gone(finding, recheck(program, (finding.transform,))):
            return fam.name
    return None

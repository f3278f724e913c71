"""Subscripts of the einsums that differentiate ``np.einsum``.

After :func:`einsum_gradient_spec`, the gradient of operand ``k`` of
``np.einsum(subscripts, *operands)`` is ``np.einsum(spec, g, *others,
*extras)`` (``others``: the operands except ``k``, in order; ``extras``:
identity matrices for indices ``k`` repeats, ``np.einsum("ii", a)``, and
vectors of ones for indices only ``k`` has), summed with ``keepdims`` over
the axes where operand ``k`` was broadcast (size 1 against a larger size).
Subscripts are first made explicit: ellipses become letters (aligned to the
right, as NumPy broadcasts them) and an implicit output is NumPy's (the
ellipsis, then the indices used once, in alphabetical order).

:func:`sublist_subscripts` spells the interleaved form's sublists
(``np.einsum(a, [0, 1], b, [1, 2], [0, 2])``) as the subscripts string NumPy reads
in them (``'ab,bc->ac'``), with the output written out.
"""

from __future__ import annotations

import string
from collections import Counter
from typing import Any

#: NumPy's sublist labels are the integers 0 <= label < 52
LABELS = 52
_LETTERS = string.ascii_lowercase + string.ascii_uppercase


def sublist_subscripts(sublists: list, output: Any = None) -> str:
    """The subscripts string of the interleaved form's ``sublists`` (ints in ``[0, 52)``
    and ``Ellipsis``) and ``output`` sublist (``None``: NumPy's implicit output, the
    ellipsis and then the labels used once, in increasing order)."""
    def spelled(labels: Any) -> str:
        out = []
        for label in labels:
            if label is Ellipsis:
                out.append("...")
            elif not 0 <= int(label) < LABELS or isinstance(label, bool):
                raise ValueError(f"np.einsum's sublist label {label!r} is not an int in "
                                 f"[0, {LABELS})")
            else:
                out.append(_LETTERS[int(label)])
        return "".join(out)

    inputs = ",".join(spelled(s) for s in sublists)
    if output is None:
        once = Counter(label for s in sublists for label in s if label is not Ellipsis)
        ellipsis = [Ellipsis] if any(label is Ellipsis for s in sublists for label in s) else []
        output = ellipsis + sorted(k for k, n in once.items() if n == 1)
    return f"{inputs}->{spelled(output)}"


def interleaved(arguments: tuple) -> tuple[str, list]:
    """``(subscripts, operands)`` of ``np.einsum(op0, sublist0, op1, sublist1, ...
    [, output])``'s positional ``arguments``."""
    pairs = len(arguments) // 2
    output = arguments[-1] if len(arguments) % 2 else None
    return (sublist_subscripts(list(arguments[1:2 * pairs:2]), output),
            list(arguments[0:2 * pairs:2]))


def explicit_subscripts(subscripts: str, shapes: list[tuple[int, ...]]
                        ) -> tuple[list[str], str, list[str]]:
    """Input and output subscripts without ellipses, and the letters still unused."""
    text = subscripts.replace(" ", "")
    lhs, _, rhs = text.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise ValueError(f"einsum subscripts {subscripts!r} name {len(inputs)} operands, "
                         f"{len(shapes)} given")
    unused = [c for c in string.ascii_letters if c not in text]
    ranks = [len(shape) - (len(sub) - 3) for sub, shape in zip(inputs, shapes) if "..." in sub]
    ell = max(ranks, default=0)
    ell_letters, unused = "".join(unused[:ell]), unused[ell:]
    explicit = []
    for sub, shape in zip(inputs, shapes):
        if "..." in sub:
            n = len(shape) - (len(sub) - 3)
            sub = sub.replace("...", ell_letters[ell - n:])
        explicit.append(sub)
    if "->" in text:
        output = rhs.replace("...", ell_letters)
    else:
        counts = Counter(lhs.replace("...", "").replace(",", ""))
        output = ell_letters + "".join(sorted(c for c, n in counts.items() if n == 1))
    return explicit, output, unused


def einsum_gradient_spec(subscripts: str, shapes: list[tuple[int, ...]], k: int,
                         gshape: tuple[int, ...]
                         ) -> tuple[str, list[tuple[str, int]], tuple[int, ...]]:
    """``(spec, extras, summed)`` of operand ``k``'s gradient (see the module docstring);
    ``extras`` lists ``("eye", n)`` and ``("ones", n)`` operands in order."""
    inputs, output, unused = explicit_subscripts(subscripts, shapes)
    fresh = iter(unused)
    others = [sub for i, sub in enumerate(inputs) if i != k]
    sizes: dict[str, int] = {}  # index sizes without operand k (the gradient's)
    for sub, shape in [(output, gshape)] + [(s, sh) for i, (s, sh) in
                                            enumerate(zip(inputs, shapes)) if i != k]:
        for c, n in zip(sub, shape):
            sizes[c] = max(sizes.get(c, 1), n)
    present = set("".join([output] + others))
    own, shape = inputs[k], shapes[k]
    extra_subs: list[str] = []
    extras: list[tuple[str, int]] = []
    result: list[str] = []
    seen: set[str] = set()
    for c, n in zip(own, shape):
        if c in seen:  # a repeated index: the gradient lives on that diagonal
            new = next(fresh)
            extra_subs.append(c + new)
            extras.append(("eye", n))
            result.append(new)
            continue
        seen.add(c)
        result.append(c)
        if c not in present:  # an index only this operand has: the gradient is constant along it
            extra_subs.append(c)
            extras.append(("ones", n))
    summed = tuple(i for i, (c, n) in enumerate(zip(own, shape)) if n == 1 and sizes.get(c, 1) > 1)
    spec = ",".join([output] + others + extra_subs) + "->" + "".join(result)
    return spec, extras, summed

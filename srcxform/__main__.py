"""Command line: print the generated derivative of a function in a file, or the rules.

    python -m srcxform FILE.py:FUNCTION [--wrt NAMES] [--mode reverse|forward]
    python -m srcxform --rules
    python -m srcxform --clear-cache

``--rules`` prints every function with a derivative rule and the modes that
differentiate it (generated from the rule table).  ``--clear-cache`` removes the
disk cache of generated code (``srcxform/cache/disk.py``) and prints its
directory.  A bad file, function or option prints one line to stderr and exits
with 2.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys

from .errors import TransformError


class _Usage(Exception):
    pass


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m srcxform",
        description="Print the generated derivative source of FILE.py:FUNCTION.")
    parser.add_argument("target", nargs="?", help="FILE.py:FUNCTION")
    parser.add_argument("--rules", action="store_true",
                        help="list every function with a derivative rule and its modes")
    parser.add_argument("--clear-cache", action="store_true",
                        help="remove the disk cache of generated code")
    parser.add_argument("--wrt", default=None,
                        help="comma-separated parameter names or indices (default: the first)")
    parser.add_argument("--mode", choices=("reverse", "forward"), default="reverse")
    parser.add_argument("--ranks", default=None, metavar="NAME=N,...",
                        help="specialize on the parameters' ranks, e.g. x=1,W=2 "
                             "(folds rank tests of products)")
    return parser.parse_args(argv)


def _wrt(text: str | None) -> object:
    if text is None:
        return 0
    items = [int(t) if t.strip().lstrip("-").isdigit() else t.strip() for t in text.split(",")]
    return items[0] if len(items) == 1 else tuple(items)


def run(argv: list[str]) -> str:
    """The source text the command prints for ``argv``."""
    args = _parse_args(argv)
    if args.rules:
        from .rules.listing import listing

        return listing()
    if args.clear_cache:
        from .cache import disk

        return f"removed {disk.clear()}\n"
    if args.target is None:
        raise _Usage("expected FILE.py:FUNCTION (or --rules)")
    path, sep, name = args.target.rpartition(":")
    if not sep or not path or not name:
        raise _Usage(f"expected FILE.py:FUNCTION, got {args.target!r}")
    if not os.path.isfile(path):
        raise _Usage(f"no such file: {path}")
    try:
        namespace = runpy.run_path(path, run_name="__srcxform_cli__")
    except Exception as exc:  # the user's module failed to import
        raise _Usage(f"could not run {path}: {type(exc).__name__}: {exc}") from None
    fn = namespace.get(name)
    if fn is None or not callable(fn):
        raise _Usage(f"{path} defines no function {name!r}")
    fn = getattr(fn, "__srcxform_primal__", fn)
    kind = "jvp" if args.mode == "forward" else "grad"
    ranks = None
    if args.ranks:
        try:
            ranks = {k.strip(): int(v) for k, v in (p.split("=") for p in args.ranks.split(","))}
        except ValueError:
            raise _Usage(f"--ranks expects NAME=N,..., got {args.ranks!r}") from None
    if ranks is not None or kind == "jvp":
        from .compiler import transform

        return transform(fn, _wrt(args.wrt), kind, ranks=ranks).source
    from .api import grad, source

    return source(grad(fn, wrt=_wrt(args.wrt)))


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    try:
        print(run(sys.argv[1:] if argv is None else argv), end="")
    except (_Usage, TransformError, ValueError, TypeError) as exc:
        print(f"srcxform: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

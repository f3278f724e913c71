"""Rule families of optional libraries (SciPy's), loaded only once the library is imported.

After import (which imports no SciPy module), the table holds the rules of
``scipy.special``, ``scipy.stats`` and ``scipy.linalg`` from the first lookup
after the user's program imported that module (the compiler and the eager
runtime look up every function they meet), and never before: ``import
srcxform`` does not import SciPy.  :func:`load_scipy` imports SciPy if it is
installed and loads all three families now (``python -m srcxform --rules``,
the tests); it returns False when SciPy is not installed.
"""

from __future__ import annotations

import importlib

from .registry import load_when_imported

FAMILIES = {
    "scipy.special": "srcxform.rules.scipy_special",
    "scipy.stats": "srcxform.rules.scipy_stats",
    "scipy.linalg": "srcxform.rules.scipy_linalg",
}


def _loader(rules_module: str):
    return lambda: importlib.import_module(rules_module)


for _library, _rules in FAMILIES.items():
    load_when_imported(_library, _loader(_rules))


def load_scipy() -> bool:
    """Import SciPy's special, stats and linalg modules and register their rules now."""
    try:
        for library in FAMILIES:
            importlib.import_module(library)
    except ImportError:
        return False
    for rules_module in FAMILIES.values():
        importlib.import_module(rules_module)
    return True

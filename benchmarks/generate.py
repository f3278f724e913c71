"""Generated source of growing size, for the transform-time table.

After import, :func:`straight_line` and :func:`loop_body` return the text of
a module (``import numpy as np`` and one function) whose size is a parameter,
and :func:`load` executes such a text from a real file, so that every call
gives new function objects with readable source (``inspect.getsource``
works, and no cache keyed on a function's identity has seen them).

Every generated line is one assignment of a bounded expression (sines,
tanh, averages: values stay below 1.5 in magnitude and do not decay to
zero) of the previous value and one other earlier value, so every line is
active and nothing overflows or vanishes, however long the function is.
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

OPS = (
    "np.tanh(2.0 * {a} + {b})",
    "{a} * np.cos({b})",
    "np.sin(2.0 * {a} - {b})",
    "0.5 * ({a} + {b})",
    "np.sin({a}) + 0.5 * {b}",
    "np.tanh(3.0 * {a} * {b} + {a})",
)

#: Where the generated modules are written (``SRCXFORM_BENCH_DIR``: a directory shared with
#: another process, as ``transform_time.py --disk`` does for its restarted processes).
_DIR = Path(os.environ.get("SRCXFORM_BENCH_DIR") or tempfile.mkdtemp(prefix="srcxform-bench-"))


def _assignments(count: int, inputs: list[str], seed: int, indent: str) -> list[str]:
    """``count`` lines ``v<k> = op(v<k-1>, earlier)``; the first reads ``inputs``."""
    rng = random.Random(seed)
    names = list(inputs)
    lines = []
    for k in range(count):
        a = names[-1]
        b = rng.choice(names[-6:-1] if len(names) > 1 else names)
        op = OPS[k % len(OPS)] if k % 3 else rng.choice(OPS)
        lines.append(f"{indent}v{k} = {op.format(a=a, b=b)}")
        names.append(f"v{k}")
    return lines


def straight_line(n_lines: int) -> tuple[str, str]:
    """A function ``f(x, y)`` of ``n_lines`` body lines (the last is the return)."""
    name = f"straight_{n_lines}"
    body = _assignments(n_lines - 1, ["x", "y"], seed=n_lines, indent="    ")
    last = f"v{n_lines - 2}" if n_lines > 1 else "x"
    text = "\n".join(["import numpy as np", "", "", f"def {name}(x, y):", *body,
                      f"    return np.sum({last})", ""])
    return name, text


def loop_body(n_statements: int, trips: int = 20) -> tuple[str, str]:
    """A function ``f(x, y)`` with a ``trips``-trip loop of ``n_statements`` statements."""
    name = f"loop_{n_statements}"
    body = _assignments(n_statements - 1, ["y", "x"], seed=n_statements, indent="        ")
    last = f"v{n_statements - 2}" if n_statements > 1 else "y"
    text = "\n".join(["import numpy as np", "", "", f"def {name}(x, y):",
                      f"    for _ in range({trips}):", *body,
                      f"        x = 0.5 * (x + {last})",
                      "    return np.sum(x * x)", ""])
    return name, text


def write(name: str, text: str) -> Path:
    """Write ``text`` to a file of its own (once) and return its path."""
    path = _DIR / f"{name}.py"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


def load(path: Path, name: str) -> Callable[..., Any]:
    """Execute the module at ``path`` afresh and return its function ``name``."""
    namespace: dict[str, Any] = {"__name__": f"srcxform_bench_{path.stem}",
                                 "__file__": str(path)}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace[name]

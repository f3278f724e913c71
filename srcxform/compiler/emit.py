"""Pass 7, emit: the generated function as readable Python source.

After :func:`emit`, the returned text is one ``def`` with the primal's
parameters (and defaults), the forward statements, then each backward block
under a ``# grad of: <primal line>`` comment naming the user's source line it
differentiates, then the return.  The text is what ``sx.source`` shows, what
``compile()`` accepts, and what tracebacks display.
"""

from __future__ import annotations

import ast

from .parse import Parsed

INDENT = "    "


def emit(name: str, args: ast.arguments, body: list[ast.stmt], parsed: Parsed) -> str:
    """Source text of ``def name(args): body`` with block comments."""
    header = f"def {name}({ast.unparse(args)}):"
    lines = [header]
    last_key = None
    for stmt in body:
        grad = getattr(stmt, "_sx_grad", False)
        line = getattr(stmt, "_sx_line", None)
        key = (grad, line)
        if grad and key != last_key and line:
            text = parsed.line_text(line)
            if text:
                lines.append(f"{INDENT}# grad of: {text}")
        last_key = key
        for text_line in ast.unparse(stmt).splitlines():
            lines.append(INDENT + text_line)
    return "\n".join(lines) + "\n"

"""The source-transformation compiler: one module per pass, listed by ``driver``.

``driver.PIPELINES`` names the passes of each mode in order; each takes and
returns a ``program.Program``.  ``transform`` is the entry point.
"""

from .driver import Transformed, transform

__all__ = ["Transformed", "transform"]

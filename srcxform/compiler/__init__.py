"""The source-transformation compiler: one module per pass, listed by ``driver``.

``driver.PIPELINES`` names the passes of each mode in order; each takes and
returns a ``program.Program``.  ``transform`` is the entry point; ``front``
and ``finish`` are its two parts (``driver.FRONTS``), so that one front
serves every specialisation.
"""

from .driver import FRONTS, Transformed, finish, front, transform

__all__ = ["FRONTS", "Transformed", "finish", "front", "transform"]

"""The source-transformation compiler: one module per pass, run by ``driver``.

parse → check → normalize → activity → reverse → optimize → emit → load.
"""

from .driver import Transformed, transform

__all__ = ["Transformed", "transform"]

"""Random numbers: one seeded default generator, as ``torch.manual_seed`` sets it.

After import, the default :class:`Generator` starts from a fixed seed (so
programs are repeatable without a seed, as in PyTorch), ``manual_seed(s)``
restarts it from ``s``, and ``default_generator()`` is the NumPy generator
that ``rand``/``randn``/``nn.init`` draw from.  The streams are NumPy's
(PCG64), not PyTorch's: the same seed gives different numbers than PyTorch.
"""

from __future__ import annotations

import numpy as np

DEFAULT_SEED = 67280421310721


class Generator:
    """A seedable source of random numbers."""

    def __init__(self, device: str = "cpu") -> None:
        self._seed = DEFAULT_SEED
        self.numpy = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed``; returns ``self``."""
        self._seed = int(seed)
        self.numpy = np.random.default_rng(self._seed & 0xFFFFFFFFFFFFFFFF)
        return self

    def seed(self) -> int:
        """Restart from a fresh nondeterministic seed and return it."""
        s = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed the stream last started from."""
        return self._seed


_default = Generator()


def default_generator() -> np.random.Generator:
    """The NumPy generator behind the default :class:`Generator`."""
    return _default.numpy


def numpy_generator(generator: Generator | None) -> np.random.Generator:
    """The NumPy generator of ``generator``, or the default one."""
    return _default.numpy if generator is None else generator.numpy


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (repeatable ``rand``, ``randn``, layer initialization)."""
    return _default.manual_seed(seed)


def seed() -> int:
    """Seed the default generator nondeterministically; returns the seed."""
    return _default.seed()


def initial_seed() -> int:
    """The seed the default generator last started from."""
    return _default.initial_seed()

"""Grad mode: whether operations on tensors record the graph, per thread.

After import: :func:`is_grad_enabled` answers for the calling thread (True in
every new thread, as in PyTorch); :class:`no_grad`, :class:`enable_grad`,
:class:`set_grad_enabled` and :class:`inference_mode` change it for a
``with`` block or, used as decorators, for every call of a function;
``set_grad_enabled(mode)`` called plainly also sets the mode at once.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _Mode(threading.local):
    enabled = True  # a class default: every new thread starts enabled


_mode = _Mode()


def is_grad_enabled() -> bool:
    """True when operations in this thread record the graph."""
    return _mode.enabled


def _set(enabled: bool) -> None:
    _mode.enabled = enabled


class _GradMode:
    """A context manager setting the mode to ``self._target``; also a decorator."""

    _target = False

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def __new__(cls, orig_func: Callable | None = None, *args: Any, **kwargs: Any) -> Any:
        # ``@no_grad`` without parentheses decorates directly, as in PyTorch.
        if orig_func is not None and callable(orig_func) and cls is not set_grad_enabled:
            return cls()(orig_func)
        return super().__new__(cls)

    def __enter__(self) -> None:
        self._saved.append(_mode.enabled)
        _mode.enabled = self._target

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self._saved.pop()

    def _fresh(self) -> _GradMode:
        return type(self)()

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def clone(self) -> _GradMode:
        """A new manager of the same kind (PyTorch's API)."""
        return self._fresh()


class no_grad(_GradMode):  # noqa: N801  (PyTorch's spelling)
    """Operations inside do not record the graph (results do not require grad)."""

    _target = False


class enable_grad(_GradMode):  # noqa: N801
    """Operations inside record the graph, even within ``no_grad``."""

    _target = True


class inference_mode(_GradMode):  # noqa: N801
    """Like ``no_grad`` when ``mode`` is True (no separate inference tensors here)."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self._target = not mode

    def _fresh(self) -> _GradMode:
        return inference_mode(not self._target)


class set_grad_enabled(_GradMode):  # noqa: N801
    """Set the mode now; as a context manager, restore the previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._target = bool(mode)
        self._saved.append(_mode.enabled)
        _mode.enabled = self._target

    def __enter__(self) -> None:
        pass

    def _fresh(self) -> _GradMode:
        return set_grad_enabled(self._target)

    def __call__(self, fn: F) -> F:
        # As a decorator the mode applies to calls only: undo the immediate set.
        _mode.enabled = self._saved.pop()
        return super().__call__(fn)

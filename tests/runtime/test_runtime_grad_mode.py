"""Grad mode: context managers, decorators, plain calls, and isolation between threads."""

from __future__ import annotations

import threading

import pytest

import srcxform as sx


@pytest.fixture(autouse=True)
def _restore_mode():
    yield
    sx.set_grad_enabled(True)


def _records() -> bool:
    return (sx.ones(1, requires_grad=True) * 2).requires_grad


def test_no_grad_and_enable_grad_nest() -> None:
    assert sx.is_grad_enabled() and _records()
    with sx.no_grad():
        assert not sx.is_grad_enabled() and not _records()
        with sx.enable_grad():
            assert sx.is_grad_enabled() and _records()
        assert not sx.is_grad_enabled()
    assert sx.is_grad_enabled()


def test_mode_is_restored_after_an_exception() -> None:
    with pytest.raises(ValueError), sx.no_grad():
        raise ValueError
    assert sx.is_grad_enabled()


def test_set_grad_enabled_as_call_and_as_context() -> None:
    sx.set_grad_enabled(False)
    assert not _records()
    sx.set_grad_enabled(True)
    assert _records()
    with sx.set_grad_enabled(False):
        assert not sx.is_grad_enabled()
    assert sx.is_grad_enabled()
    with sx.no_grad(), sx.set_grad_enabled(True):
        assert sx.is_grad_enabled()


def test_decorators() -> None:
    @sx.no_grad()
    def f() -> bool:
        return sx.is_grad_enabled()

    @sx.no_grad
    def g() -> bool:
        return sx.is_grad_enabled()

    @sx.set_grad_enabled(False)
    def h() -> bool:
        return sx.is_grad_enabled()

    @sx.enable_grad()
    def k() -> bool:
        return sx.is_grad_enabled()

    assert sx.is_grad_enabled()  # decorating changes nothing by itself
    assert (f(), g(), h()) == (False, False, False)
    assert sx.is_grad_enabled()
    with sx.no_grad():
        assert k() is True
        assert not sx.is_grad_enabled()
    assert f.__name__ == "f"


def test_inference_mode() -> None:
    with sx.inference_mode():
        assert not _records()
    with sx.inference_mode(False):
        assert _records()


def test_new_threads_start_enabled() -> None:
    seen = []
    sx.set_grad_enabled(False)
    t = threading.Thread(target=lambda: seen.append((sx.is_grad_enabled(), _records())))
    t.start()
    t.join()
    assert seen == [(True, True)]
    assert not sx.is_grad_enabled()


def test_eight_threads_toggling_see_no_cross_talk() -> None:
    n, rounds = 8, 50
    barrier = threading.Barrier(n)
    errors: list[str] = []

    def worker(k: int) -> None:
        try:
            for r in range(rounds):
                want = (k + r) % 2 == 0
                sx.set_grad_enabled(want)
                barrier.wait()  # every thread has set its mode before anyone checks
                x = sx.ones(2, requires_grad=True)
                y = (x * 3).sum()
                if sx.is_grad_enabled() != want or y.requires_grad != want:
                    errors.append(f"thread {k} round {r}: expected {want}")
                if want:
                    y.backward()
                    if x.grad.tolist() != [3.0, 3.0]:
                        errors.append(f"thread {k} round {r}: gradient {x.grad.tolist()}")
                with sx.no_grad():
                    barrier.wait()  # all threads inside no_grad at once
                    if sx.is_grad_enabled():
                        errors.append(f"thread {k} round {r}: no_grad leaked")
                if sx.is_grad_enabled() != want:
                    errors.append(f"thread {k} round {r}: mode not restored")
        except Exception as exc:  # noqa: BLE001
            errors.append(f"thread {k}: {exc!r}")
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:5]
    assert sx.is_grad_enabled()

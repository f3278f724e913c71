"""Gradients on a GPU: PyTorch CUDA tensors and CuPy arrays (skipped without a GPU).

The softmax and MLP losses' gradients (and vjp/jvp) run on the device of
their arguments, come back as that library's arrays on that device, and
equal NumPy's.  On machines without a GPU every test skips with the reason;
there, torch CPU tensors and array-api-strict stand in (``test_corpora``).
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.backends.losses import problems


def _torch_cuda():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device for PyTorch")
    return torch


def _cupy():
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            pytest.skip("no CUDA device for CuPy")
    except Exception as exc:  # noqa: BLE001  (no driver)
        pytest.skip(f"CuPy sees no device: {exc}")
    pytest.importorskip("array_api_compat", reason="pip install 'srcxform[array-api]'")
    return cupy


def _device_libraries():
    return [pytest.param("torch", id="torch-cuda"), pytest.param("cupy", id="cupy")]


def _convert(library):
    if library == "torch":
        torch = _torch_cuda()
        return (lambda a: torch.asarray(a, device="cuda"), lambda t: t.cpu().numpy(),
                lambda t: t.device.type == "cuda")
    cupy = _cupy()
    return cupy.asarray, lambda a: a.get(), lambda a: isinstance(a, cupy.ndarray)


@pytest.mark.parametrize("library", _device_libraries())
@pytest.mark.parametrize("loss,params,X,y,wrt",
                         [pytest.param(*p, id=p[0].__name__) for p in problems(n=256)])
def test_gradient_on_gpu_equals_numpy(library, loss, params, X, y, wrt):
    convert, back, on_device = _convert(library)
    theirs = [convert(p) if isinstance(p, np.ndarray) else p for p in params]
    df = sx.grad(loss, wrt=wrt)
    want = df(*params, X, y)
    got = df(*theirs, convert(X), convert(y))
    for g, w in zip(got if isinstance(got, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,)):
        assert on_device(g), f"{type(g)} is not on the GPU"
        np.testing.assert_allclose(back(g), w, rtol=1e-9, atol=1e-12)
    value, pullback = sx.vjp(loss, *theirs, convert(X), convert(y))
    assert on_device(pullback(convert(np.asarray(1.0)))[0])


def test_gpu_benchmark_runs(capsys):
    """benchmarks/gpu.py exits 0 and prints its table (PyTorch CPU standing in for a GPU
    where there is none), after checking the gradients against NumPy's."""
    import runpy
    from pathlib import Path

    pytest.importorskip("torch")
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "gpu.py"
    bench = runpy.run_path(str(script), run_name="gpu_benchmark")
    assert bench["main"](["--rows", "64", "--repeats", "1", "--stand-in"]) == 0
    out = capsys.readouterr().out
    assert "mlp" in out and "softmax" in out and "MISMATCH" not in out

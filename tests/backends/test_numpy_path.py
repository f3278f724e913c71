"""The NumPy path is what it was: NumPy results, no namespace machinery loaded, and the
eager runtime (``sx.compile`` on srcxform Tensors) untouched by the backends."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np

import srcxform as sx


def test_numpy_gradients_load_no_backend_machinery(tmp_path):
    script = tmp_path / "numpy_only.py"
    script.write_text(textwrap.dedent("""
        import sys
        import numpy as np
        import srcxform as sx

        def loss(w, X, y):
            return np.mean((X @ w - y) ** 2) + 0.1 * np.sum(w ** 2)

        def rows(X, s):
            out = np.zeros(X.shape)
            for i in range(X.shape[0]):
                out[i] = X[i] * s[i]
            return np.sum(out ** 2)

        w, X, y = np.ones(3), np.ones((5, 3)), np.zeros(5)
        g = sx.grad(loss)(w, X, y)
        value, pullback = sx.vjp(loss, w, X, y)
        _, t = sx.jvp(loss, (w, X, y), (w, None, None))
        r = sx.grad(rows, wrt=(0, 1))(X, np.arange(5.0))
        assert type(g) is np.ndarray and type(pullback(1.0)[0]) is np.ndarray, type(g)
        assert all(type(a) is np.ndarray for a in r)
        loaded = sorted(m for m in sys.modules if m.startswith("srcxform.backends.")
                        or m.startswith(("array_api", "dask", "torch")))
        print(",".join(loaded))
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = done.stdout.strip()
    assert out.split(",") == ["srcxform.backends.detect", "srcxform.backends.errors"], out


def test_compile_on_tensors_keeps_working():
    def layer(x, W):
        return np.tanh(W @ x)

    compiled = sx.compile(layer)
    x = sx.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True, dtype=sx.float64)
    W = sx.tensor(np.arange(6.0).reshape(2, 3) / 6, requires_grad=True, dtype=sx.float64)
    out = compiled(x, W)
    assert isinstance(out, sx.Tensor) and "CompiledFunctionBackward" in repr(out.grad_fn)
    out.sum().backward()

    def total(x, W):
        return np.sum(np.tanh(W @ x))

    gx, gW = sx.grad(total, wrt=(0, 1))(x.detach().numpy(), W.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), gx, rtol=1e-12)
    np.testing.assert_allclose(W.grad.numpy(), gW, rtol=1e-12)


def test_eager_runtime_is_numpy():
    t = sx.tensor([1.0, 2.0], requires_grad=True)
    (t * t).sum().backward()
    assert isinstance(t.grad, sx.Tensor) and type(t.grad.numpy()) is np.ndarray
    np.testing.assert_allclose(t.grad.numpy(), [2.0, 4.0])

"""The command line prints generated derivatives: reverse mode and forward mode.

The printed text is compiled and run; its numbers are checked against
central finite differences of the user's function.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np

from srcxform.__main__ import main
from tests.helpers import central_difference

PROGRAM = textwrap.dedent("""
    import numpy as np

    def loss(x, W):
        h = np.tanh(W @ x)
        s = 0.0
        for i in range(3):
            if h[i] > 0:
                s = s + h[i] ** 2
            else:
                s = s - h[i]
        return s
""")


def _write(tmp_path):
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    return path


def _loaded(text: str, name: str):
    namespace = {"np": np}
    exec(compile(text, "<printed>", "exec"), namespace)
    return namespace[name], namespace


def _args():
    rng = np.random.default_rng(0)
    return rng.normal(size=3), rng.normal(size=(4, 3))


def test_forward_mode_prints_a_runnable_jvp(tmp_path, capsys):
    path = _write(tmp_path)
    assert main([f"{path}:loss", "--wrt", "x,W", "--mode", "forward"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("def jvp_loss(x, W, dx, dW):")
    assert "# tangent of: s = s + h[i] ** 2" in text
    jvp_loss, ns = _loaded(text, "jvp_loss")
    loss, _ = _loaded(PROGRAM, "loss")
    x, W = _args()
    dx, dW = np.ones(3) * 0.3, np.full((4, 3), -0.2)
    value, tangent = jvp_loss(x, W, dx, dW)
    fd = central_difference(loss, (x, W), (dx, dW))
    assert np.isclose(value, loss(x, W))
    assert np.isclose(tangent, fd, rtol=1e-6, atol=1e-9)


def test_reverse_mode_prints_a_runnable_gradient(tmp_path, capsys):
    path = _write(tmp_path)
    assert main([f"{path}:loss", "--wrt", "W"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("def grad_loss(x, W):")
    assert "# grad of:" in text


def test_bad_target_exits_2(tmp_path, capsys):
    assert main([f"{tmp_path}/missing.py:loss"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_module_entry_point(tmp_path):
    path = _write(tmp_path)
    done = subprocess.run([sys.executable, "-m", "srcxform", f"{path}:loss", "--mode",
                           "forward"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("def jvp_loss(x, W, dx):")

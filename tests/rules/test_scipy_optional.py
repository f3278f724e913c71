"""SciPy is optional: its rules join the table exactly when SciPy is imported.

After this module passes: ``import srcxform`` imports no SciPy module; with SciPy
blocked (as if not installed) srcxform works and ``load_scipy()`` says False;
with SciPy installed but not imported the table has no SciPy rule until the
program imports it, and then the first SciPy function the compiler or the eager
runtime meets is differentiated; imported before srcxform, SciPy's rules are
there at once.  Each scenario runs in a fresh interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BLOCK_SCIPY = """
import importlib.abc, sys
class _NoScipy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "scipy" or name.startswith("scipy."):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)")
        return None
sys.meta_path.insert(0, _NoScipy())
"""

SCIPY_RULES = """
def scipy_rules():
    from srcxform import rules
    from srcxform.rules import registry
    return [r for r in registry._BY_FUNCTION.values()
            if r.vjp.__module__.startswith("srcxform.rules.scipy")]
"""


def run(code: str, tmp_path) -> str:
    """Run ``code`` as a script (srcxform reads its functions' source) in a fresh Python."""
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent(code))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc.stdout


def test_srcxform_works_without_scipy(tmp_path) -> None:
    out = run(BLOCK_SCIPY + SCIPY_RULES + """
import numpy as np
import srcxform as sx
from srcxform import rules
assert not any(m == "scipy" or m.startswith("scipy.") for m in sys.modules)
assert rules.load_scipy() is False
assert scipy_rules() == []

def f(a):
    sign, logdet = np.linalg.slogdet(a)
    return logdet + np.sum(np.linalg.solve(a, np.ones(3)))

print(sx.grad(f)(np.eye(3) * 2.0).round(3).tolist())
t = sx.tensor([[2.0, 0.0], [0.0, 3.0]], requires_grad=True)
np.linalg.det(t).backward()
print((t.grad.numpy() + 0.0).tolist())
""", tmp_path)
    assert "[[0.25" in out and "[[3.0, 0.0], [0.0, 2.0]]" in out


def test_rules_load_when_the_program_imports_scipy(tmp_path) -> None:
    pytest.importorskip("scipy")
    out = run(SCIPY_RULES + """
import sys
import numpy as np
import srcxform as sx
assert "scipy" not in sys.modules, "import srcxform imported SciPy"
assert scipy_rules() == []
from scipy import special  # the program imports SciPy after srcxform

def f(x):
    return np.sum(special.gammaln(x))

print(sx.grad(f)(np.array([1.0, 2.0])).round(6).tolist())
assert scipy_rules(), "no SciPy rule after the first SciPy function was met"
assert "scipy.stats" not in sys.modules  # only what the program imported
""", tmp_path)
    assert "[-0.577216, 0.422784]" in out


def test_the_eager_runtime_meets_scipy_first(tmp_path) -> None:
    pytest.importorskip("scipy")
    out = run("""
import numpy as np
import srcxform as sx
from scipy import special
t = sx.tensor([0.5, 1.5], requires_grad=True, dtype=sx.float64)
special.expit(t).sum().backward()
print(t.grad.numpy().round(6).tolist())
""", tmp_path)
    assert "[0.235004, 0.149146]" in out


def test_rules_are_there_when_scipy_was_imported_first(tmp_path) -> None:
    pytest.importorskip("scipy")
    run(SCIPY_RULES + """
import scipy.stats
import srcxform
assert len(scipy_rules()) > 40
""", tmp_path)

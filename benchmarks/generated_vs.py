"""Time this checkout's generated gradients against another checkout's, in one process.

``python benchmarks/generated_vs.py --base /work/main [workload ...]`` asks each
checkout (a subprocess with ``PYTHONPATH`` set to it) for the generated source
of ``grad`` of the named workloads (``benchmarks/workloads.py``; by default the
ones whose backward sweeps start adjoint buffers from zeros), then execs both
texts here with this checkout's helpers and times them and the hand gradient
interleaved (min of ``--repeats`` rounds), printing ``new/base`` and both
ratios to the hand gradient.  Both texts run on the same helpers, so what is
compared is the generated code itself; on a shared machine the ratios hold
where single timings do not.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT = ["springs_euler", "rnn_50", "thermal_20", "softmax_labels"]
_SOURCES = """
import json, sys
sys.path.insert(0, {bench!r})
import numpy as np, srcxform as sx, workloads as w
items = {{x.name: x for v in vars(w).values() if isinstance(v, list) for x in v
          if isinstance(x, w.Workload)}}
out = {{}}
for name in {names!r}:
    item = items[name]
    df = sx.grad(item.f, wrt=item.wrt)
    df(*item.make_args(np.random.default_rng(0), False))
    out[name] = sx.source(df)
print(json.dumps(out))
"""


def sources(checkout: Path, names: list[str]) -> dict[str, str]:
    """The generated source of each workload's gradient, as ``checkout`` writes it."""
    env = dict(os.environ, PYTHONPATH=str(checkout), SRCXFORM_DISK_CACHE="0")
    code = _SOURCES.format(bench=str(HERE), names=names)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, type=Path, help="the other checkout")
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("names", nargs="*", default=DEFAULT)
    options = parser.parse_args()
    sys.path.insert(0, str(HERE))
    import workloads as w

    from srcxform.compiler import support
    from srcxform.rules import unbroadcast

    items = {x.name: x for v in vars(w).values() if isinstance(v, list) for x in v
             if isinstance(x, w.Workload)}
    texts = {"base": sources(options.base, options.names),
             "new": sources(HERE.parent, options.names)}
    helpers = {name: getattr(support, name) for name in dir(support)
               if not name.startswith("_")}
    for name in options.names:
        item = items[name]
        args = item.make_args(np.random.default_rng(0), False)
        fns = {"hand": item.df_hand}
        for kind, text in texts.items():
            scope = {**vars(w), **helpers, "np": np, "ndarray": np.ndarray,
                     "unbroadcast": unbroadcast}
            exec(compile(text[name], f"<{kind} {name}>", "exec"), scope)
            fns[kind] = next(v for k, v in scope.items() if k.startswith("grad_"))
        calls = 5 if name == "springs_euler" else 20
        best = dict.fromkeys(fns, float("inf"))
        for rep in range(options.repeats):
            for kind in (list(fns) if rep % 2 else list(fns)[::-1]):
                start = time.perf_counter()
                for _ in range(calls):
                    fns[kind](*args)
                best[kind] = min(best[kind], (time.perf_counter() - start) / calls)
        print(f"{name:16s} base {best['base'] * 1e6:8.1f} us  new {best['new'] * 1e6:8.1f} us"
              f"  new/base {best['new'] / best['base']:.3f}"
              f"  base/hand {best['base'] / best['hand']:.3f}"
              f"  new/hand {best['new'] / best['hand']:.3f}")


if __name__ == "__main__":
    main()

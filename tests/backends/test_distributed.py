"""Gradients computed on a ``dask.distributed`` cluster of two worker processes.

One module-scoped ``LocalCluster(n_workers=2, processes=True, host="127.0.0.1")``
(a fixture that always closes its client and cluster, even when a test
fails) serves every test: four losses (logistic, MLP, ridge with an L2 term,
softmax cross-entropy) are differentiated over data chunked along the rows
and scattered to the workers; the gradients, computed by the cluster, equal
NumPy's.  Starting the cluster costs a few seconds.
"""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import srcxform as sx
from tests.backends.libraries import require
from tests.backends.losses import problems


@pytest.fixture(scope="module")
def client():
    require("dask")
    distributed = pytest.importorskip("distributed", reason="pip install 'srcxform[dask]'")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None,
                                       memory_limit="1GiB")
    try:
        with distributed.Client(cluster) as c:
            yield c
    finally:
        cluster.close()


@pytest.mark.parametrize("loss,params,X,y,wrt",
                         [pytest.param(*p, id=p[0].__name__) for p in problems(n=2000)])
def test_gradient_on_cluster_equals_numpy(client, loss, params, X, y, wrt):
    import dask.array as da

    Xd = da.from_array(X, chunks=(500, X.shape[1])).persist()
    yd = da.from_array(y, chunks=(500,) + y.shape[1:]).persist()
    dvf = sx.value_and_grad(loss, wrt=wrt)
    lazy_value, lazy_grads = dvf(*params, Xd, yd)
    grads = lazy_grads if isinstance(wrt, tuple) else (lazy_grads,)
    assert all(isinstance(g, da.Array) for g in grads)
    value, grads = client.compute([lazy_value, list(grads)], sync=True)
    want_value, want = dvf(*params, X, y)
    np.testing.assert_allclose(value, want_value, rtol=1e-12)
    for g, w in zip(grads, want if isinstance(wrt, tuple) else (want,)):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-13)


def test_both_workers_computed(client):
    """The work is spread: both worker processes ran tasks of one gradient."""
    import dask.array as da
    import distributed

    loss, params, X, y, wrt = problems(n=4000)[0]
    Xd = da.from_array(X, chunks=(250, X.shape[1]))
    yd = da.from_array(y, chunks=(250,))
    grads = sx.grad(loss, wrt=wrt)(*params, Xd, yd)
    with distributed.get_task_stream(client) as stream:
        client.compute(list(grads), sync=True)
    workers = {task["worker"] for task in stream.data}
    assert len(workers) == 2, workers


def test_cluster_example_trains(client, capsys):
    """examples/dask_cluster.py at a small size on this cluster: its own checks pass (the
    cluster's gradient equals the hand-derived one; both losses go down)."""
    import runpy

    path = pathlib.Path(__file__).resolve().parents[2] / "examples" / "dask_cluster.py"
    example = runpy.run_path(str(path), run_name="dask_cluster_example")
    example["run"](rows=20_000, chunk_rows=5_000, steps=2)
    out = capsys.readouterr().out
    assert "mlp: the cluster's gradient equals the hand-derived one" in out

"""`tspcli batch --scheduler`: the same jobs on the workers of a Dask cluster (here one on localhost)."""
import json
import os

import pytest

distributed = pytest.importorskip("distributed")
MODELS = ("samples/lenet.yaml", "samples/depthwise.yaml", "samples/functional.yaml")


@pytest.mark.slow      # a cluster of two worker processes takes a few seconds to start
def test_a_dask_cluster_writes_the_same_files_as_local_processes(cli, tmp_path):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        with distributed.Client(cluster) as client:
            client.wait_for_workers(2)
            assert len(client.scheduler_info()["workers"]) == 2
        r = cli("batch", "--set", "size=160x120", *MODELS, "--out", tmp_path / "dask", "--json",
                "--scheduler", cluster.scheduler_address)
    assert r.code == 0, r.err
    assert json.loads(r.out)["counts"]["ok"] == len(MODELS)
    assert cli("batch", "--set", "size=160x120", *MODELS, "--out", tmp_path / "local").code == 0
    names = sorted(os.listdir(tmp_path / "local"))
    assert names == sorted(os.listdir(tmp_path / "dask")) and len(names) == len(MODELS)
    for name in names:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_an_unreachable_scheduler_is_a_failure_not_a_hang(cli, tmp_path, monkeypatch):
    from tspcli.batch import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT_S", 1)
    r = cli("batch", "samples/lenet.yaml", "--scheduler", "tcp://127.0.0.1:9", "--out", tmp_path)
    assert r.code == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in r.err
    assert os.listdir(tmp_path) == []

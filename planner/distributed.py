"""Running independent solves on a dask.distributed scheduler, for the studies that fan out."""

from __future__ import annotations


def dask_map(fn, args: list[tuple], scheduler: str) -> list:
    """``[fn(*a) for a in args]`` on a dask.distributed scheduler (``local``: a LocalCluster on this machine)."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True) if scheduler == "local" else None
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            return client.gather(client.map(fn, *zip(*args), pure=False))
    finally:
        if cluster is not None:
            cluster.close()

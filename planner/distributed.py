"""Running independent solves on a dask.distributed scheduler, for the studies that fan out."""

from __future__ import annotations

from planner.errors import InputError, Problem


def connect(scheduler: str, workers: int = 1, single_task: bool = False):
    """(client, cluster) of a dask.distributed scheduler: ``local`` starts a LocalCluster of ``workers`` processes
    of one thread on this machine (the cluster is returned, for the caller to close); else ``scheduler`` is the
    address of a running one (cluster None). ``single_task``: a local worker runs one task at a time and the
    cluster retries a lost worker's task once. A scheduler that cannot be reached in 10 s is an ``InputError``
    naming ``--scheduler``."""
    import dask
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler == "local":
        conf = ({"distributed.scheduler.allowed-failures": 1, "distributed.scheduler.worker-saturation": 1.0}
                if single_task else {})
        with dask.config.set(conf):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
    try:
        client = Client(cluster if cluster is not None else scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise InputError([Problem("--scheduler", f"no dask scheduler answers at {scheduler!r} within 10 s "
                                  f"({type(exc).__name__}: {str(exc)[:200]}); give the address of a running "
                                  "scheduler (tcp://HOST:PORT) or 'local'")]) from None
    return client, cluster


def dask_map(fn, args: list[tuple], scheduler: str, names: list[str] | None = None) -> list:
    """``[fn(*a) for a in args]`` on a dask.distributed scheduler (``local``: a LocalCluster on this machine).

    Every task runs to its end, so the ones that finish are kept when another fails; then the first failure is
    raised: an exception ``fn`` raised, as it was raised (a planner error keeps its file, line and column), or
    ``WorkerLost`` naming the task (``names[i]``, else its number) whose worker died more often than the
    scheduler retries it (the local cluster retries a lost worker's task once, on a fresh worker). A scheduler
    that cannot be reached in 10 s is an ``InputError`` naming ``--scheduler``."""
    from dask.distributed import as_completed
    from distributed.scheduler import KilledWorker

    from planner.errors import WorkerLost

    names = names or [f"task {i + 1}" for i in range(len(args))]
    # one task at a time on the worker (no task queued there), so a death is blamed on the task it ran
    client, cluster = connect(scheduler, 1, single_task=True)
    try:
        with client:
            futures = client.map(fn, *zip(*args), pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
            out: list = [None] * len(futures)
            errors: dict[int, BaseException] = {}
            for future in as_completed(futures):
                i = index[future.key]
                try:
                    out[i] = future.result()
                except KilledWorker as exc:
                    errors[i] = WorkerLost(names[i], f"its worker died ({str(exc)[:200]})")
                except Exception as exc:  # noqa: BLE001 -- raised below, once the other tasks have ended
                    errors[i] = exc
            if errors:
                raise errors[min(errors)]
            return out
    finally:
        if cluster is not None:
            cluster.close()

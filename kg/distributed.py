"""Parsing and extraction on a Dask distributed cluster (``kg build --cluster``).

The build sends batches of articles to the cluster's workers
(:func:`kg.pipeline.run_job`) and keeps resolution and storage in the calling
process, in stream order, exactly as with local worker processes; only where the
batches run changes. Why Dask: it is pure Python (nothing beyond pip, unlike Spark's
JVM), its futures fit the build's ordered, bounded look-ahead one to one, it starts
a local cluster in seconds for tests, and the same code talks to a scheduler on
other machines.

Workers need newskg and a spaCy model installed; run them with one thread each
(``dask worker ADDRESS --nthreads 1``): spaCy gains nothing from threads, and each
worker process holds its own model.
"""
from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING

from .pipeline import Job, default_processes, run_job

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

LOCAL = "local"


class DaskExecutor:
    """Runs build jobs on a Dask cluster: a scheduler ``address``
    (``tcp://host:8786``), or ``"local"`` for a cluster of worker processes on
    this machine (``workers`` of them, default: one per core)."""

    def __init__(self, address: str = LOCAL, workers: int | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError("the Dask engine needs the `distributed` extra: "
                               "pip install 'newskg[distributed]'") from None
        self.cluster: LocalCluster | None = None
        if address == LOCAL:
            self.cluster = LocalCluster(n_workers=workers or default_processes(),
                                        threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client: Client = Client(self.cluster)
        else:
            self.client = Client(address)

    @property
    def slots(self) -> int:
        """Threads across the cluster's workers: how many batches run at once."""
        workers = self.client.scheduler_info().get("workers", {})
        return max(1, sum(w.get("nthreads", 1) for w in workers.values()))

    def submit(self, job: Job) -> Future:
        # pure=False: two batches with equal content are still two tasks
        return self.client.submit(run_job, job, pure=False)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> "DaskExecutor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

"""Where a local run's dask tasks execute (``efast-udp run --scheduler``).

- ``threads`` (default): dask's threaded scheduler in this process, ``workers`` threads.
- ``processes``: dask's multiprocessing scheduler, ``workers`` processes on this machine.
- ``distributed``: a ``dask.distributed`` LocalCluster on the loopback interface with
  ``workers`` single-threaded worker processes (``memory_limit`` each), started and stopped
  with the run.
- ``tcp://HOST:PORT`` (any address ``dask.distributed`` accepts): an existing scheduler, so the
  same command runs on a cluster once one machine is not enough; its workers must read the
  ``--data`` files at the same paths (and import this package).

Connecting and starting are bounded by ``CONNECT_TIMEOUT_S``. ``report`` writes dask's
performance report (HTML) of everything computed inside the context (distributed only).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import dask

from efast_udp.errors import EfastUdpError

NAMES = ("threads", "processes", "distributed")
CONNECT_TIMEOUT_S = 30


@dataclass
class Scheduler:
    name: str  # threads, processes, distributed, or the address
    workers: int
    client: object = None  # the dask.distributed Client, when distributed

    @property
    def distributed(self) -> bool:
        return self.client is not None


def parse(name: str) -> str:
    if name in NAMES or "://" in name:
        return name
    raise EfastUdpError(f"--scheduler: {name!r} is neither one of {', '.join(NAMES)} nor a scheduler address (tcp://HOST:PORT)")


def _memory_limit(value: str | None):
    if value is None:
        return "auto"
    from dask.utils import parse_bytes
    try:
        return parse_bytes(value)
    except (ValueError, TypeError):
        raise EfastUdpError(f"--memory-limit: {value!r} is not a size (e.g. 4GiB, 2000MB)") from None


def check(name: str, workers: int | None, memory_limit: str | None, report: Path | None) -> None:
    """Refuse bad scheduler options before anything starts or is written."""
    name = parse(name)
    if workers is not None and int(workers) < 1:
        raise EfastUdpError(f"--workers must be at least 1, got {workers}")
    if name != "threads" and name != "processes":
        _memory_limit(memory_limit)
    elif report is not None:
        raise EfastUdpError("--dask-report needs a dask.distributed scheduler (--scheduler distributed or an address)")


@contextlib.contextmanager
def _client(name: str, workers: int, memory_limit: str | None):
    from distributed import Client, LocalCluster

    timeouts = {"distributed.comm.timeouts.connect": f"{CONNECT_TIMEOUT_S}s",
                "distributed.comm.timeouts.tcp": f"{CONNECT_TIMEOUT_S}s",
                "distributed.scheduler.work-stealing": True}
    with dask.config.set(timeouts):
        if name == "distributed":
            limit = _memory_limit(memory_limit)
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address=None, memory_limit=limit, silence_logs=40) as cluster, \
                    Client(cluster, timeout=CONNECT_TIMEOUT_S) as client:
                yield client
        else:
            try:
                client = Client(name, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError, ValueError) as exc:
                raise EfastUdpError(f"--scheduler: cannot reach {name}: {exc}") from None
            with client:
                yield client


@contextlib.contextmanager
def use(name: str = "threads", workers: int | None = None, memory_limit: str | None = None,
        report: Path | None = None):
    """Run the body with dask computing on the chosen scheduler; yields a ``Scheduler``."""
    name = parse(name)
    workers = int(os.cpu_count() or 1) if workers is None else int(workers)
    if workers < 1:
        raise EfastUdpError(f"--workers must be at least 1, got {workers}")
    if name in ("threads", "processes"):
        if report is not None:
            raise EfastUdpError("--dask-report needs a dask.distributed scheduler (--scheduler distributed or an address)")
        with contextlib.ExitStack() as stack:
            settings = {"scheduler": name, "num_workers": workers}
            if name == "processes":  # one pool for the run: each computation would otherwise start its own
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor
                context = multiprocessing.get_context(dask.config.get("multiprocessing.context", "spawn"))
                settings["pool"] = stack.enter_context(ProcessPoolExecutor(workers, mp_context=context))
            stack.enter_context(dask.config.set(settings))
            yield Scheduler(name, workers)
        return
    with _client(name, workers, memory_limit) as client:
        n = len(client.nthreads()) or workers
        if report is None:
            yield Scheduler(name, n, client)
            return
        from distributed import performance_report
        Path(report).parent.mkdir(parents=True, exist_ok=True)
        with performance_report(filename=str(report)):
            yield Scheduler(name, n, client)

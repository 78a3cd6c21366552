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
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import dask
from dask.utils import parse_bytes

from openeo_cdse_local.errors import Unsupported

NAMES = ("threads", "processes", "distributed")
CONNECT_TIMEOUT_S = 30
#: protocols of a scheduler address (dask.distributed's network ones; ``inproc://`` needs a
#: scheduler in this very process, which a command never has)
PROTOCOLS = ("tcp", "tls")
#: a worker's memory limit: at least what one window of the fusion needs with room for dask,
#: at most far beyond any machine (a typo such as 1e30GiB is refused, not passed on)
MIN_MEMORY = 256 * 2**20
MAX_MEMORY = 2**44  # 16 TiB
MAX_WORKERS = 1024


@dataclass
class Scheduler:
    name: str  # threads, processes, distributed, or the address
    workers: int
    client: object = None  # the dask.distributed Client, when distributed

    @property
    def distributed(self) -> bool:
        return self.client is not None


def parse(name: str) -> str:
    """A scheduler name, or an address ``PROTOCOL://HOST:PORT`` with a port in 1..65535."""
    if name in NAMES:
        return name
    match = re.fullmatch(r"([a-z]+)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([0-9]{1,5})", name or "")
    if match and match.group(1) in PROTOCOLS and 1 <= int(match.group(3)) <= 65535:
        return name
    raise Unsupported(f"--scheduler: {name!r} is neither one of {', '.join(NAMES)} nor a scheduler address "
                      f"({'|'.join(PROTOCOLS)}://HOST:PORT)")


def _memory_limit(value: str | None):
    if value is None:
        return "auto"
    try:
        size = parse_bytes(value)
    except (ValueError, TypeError, OverflowError):
        raise Unsupported(f"--memory-limit: {value!r} is not a size (e.g. 4GiB, 2000MB)") from None
    if not MIN_MEMORY <= size <= MAX_MEMORY:
        raise Unsupported(f"--memory-limit: {value!r} is outside 256MiB..16TiB per worker")
    return int(size)


def _workers(workers) -> None:
    if workers is not None and not 1 <= int(workers) <= MAX_WORKERS:
        raise Unsupported(f"--workers must be from 1 to {MAX_WORKERS}, got {workers}")


def check(name: str, workers: int | None, memory_limit: str | None, report: Path | None) -> None:
    """Refuse bad scheduler options before anything starts or is written."""
    name = parse(name)
    _workers(workers)
    if name != "threads" and name != "processes":
        _memory_limit(memory_limit)
    elif report is not None:
        raise Unsupported("--dask-report needs a dask.distributed scheduler (--scheduler distributed or an address)")
    elif memory_limit is not None:  # it would be ignored silently
        _memory_limit(memory_limit)
        raise Unsupported(f"--memory-limit limits dask.distributed workers: it needs --scheduler distributed or an "
                          f"address, not {name}")


@contextlib.contextmanager
def _client(name: str, workers: int, memory_limit: str | None):
    # lazy: distributed costs 180 ms after a run's imports (python -X importtime); only --scheduler distributed or
    # an address needs it
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
                raise Unsupported(f"--scheduler: cannot reach {name}: {exc}") from None
            with client:
                yield client


def worker_count(workers: int | None) -> int:
    """The workers of a run: ``workers``, or the CPU count when it is not given."""
    return int(os.cpu_count() or 1) if workers is None else int(workers)


@contextlib.contextmanager
def use(name: str = "threads", workers: int | None = None, memory_limit: str | None = None,
        report: Path | None = None):
    """Run the body with dask computing on the chosen scheduler; yields a ``Scheduler``."""
    name = parse(name)
    _workers(workers)
    workers = worker_count(workers)
    if name in ("threads", "processes"):
        if report is not None:
            raise Unsupported("--dask-report needs a dask.distributed scheduler (--scheduler distributed or an address)")
        with contextlib.ExitStack() as stack:
            settings = {"scheduler": name, "num_workers": workers}
            if name == "processes":  # one pool for the run: each computation would otherwise start its own
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
        from distributed import performance_report  # lazy: see _client
        Path(report).parent.mkdir(parents=True, exist_ok=True)
        with performance_report(filename=str(report)):
            yield Scheduler(name, n, client)

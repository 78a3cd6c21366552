"""Progress bars for long runs (tqdm on stderr; silent unless enabled).

``main_bar`` counts the graph's top-level nodes while the lazy cubes are built; ``tasks`` (a
dask scheduler callback) then follows dask's progress: every task of every computation the run
starts (threads and processes schedulers); with ``dask.distributed`` ``blocks_bar`` counts the
output windows as they arrive.
"""

from __future__ import annotations

import contextlib
import sys

from dask.callbacks import Callback
from tqdm import tqdm

_state = {"enabled": False, "main": None}


def enable(flag: bool) -> None:
    _state["enabled"] = flag


def main_bar(total: int):
    bar = tqdm(total=total, desc="efast graph", unit="node", file=sys.stderr, disable=not _state["enabled"],
               leave=True, dynamic_ncols=True)
    _state["main"] = bar
    return bar


def node_done(process_id: str) -> None:
    bar = _state["main"]
    if bar is not None:
        bar.set_postfix_str(process_id)
        bar.update(1)


class _TaskBar(Callback):
    """dask callback: tasks done / tasks started, over all computations inside the context."""

    def __init__(self, bar: tqdm):
        super().__init__()
        self.bar = bar

    def _start_state(self, dsk, state):
        self.bar.total = (self.bar.total or 0) + len(state["ready"]) + len(state["waiting"]) + len(state["running"])
        self.bar.refresh()

    def _posttask(self, key, result, dsk, state, worker_id):
        self.bar.update(1)


@contextlib.contextmanager
def tasks():
    """Follow dask's tasks (local schedulers) for the duration of the context."""
    bar = tqdm(total=0, desc="efast tasks", unit="task", file=sys.stderr, disable=not _state["enabled"],
               leave=True, dynamic_ncols=True)
    try:
        with _TaskBar(bar):
            yield bar
    finally:
        bar.close()


@contextlib.contextmanager
def blocks_bar(total: int):
    bar = tqdm(total=total, desc="efast windows", unit="window", file=sys.stderr,
               disable=not _state["enabled"] or total < 1, leave=True, dynamic_ncols=True)
    try:
        yield bar
    finally:
        bar.close()

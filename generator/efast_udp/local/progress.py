"""Progress bars of a local run (tqdm on stderr; silent unless enabled).

``Bars.nodes`` counts the graph's cube-producing nodes while the lazy cubes are built;
``tasks`` (a dask scheduler callback) then follows dask's progress: every task of every
computation the run starts (threads and processes schedulers); with ``dask.distributed``
``Bars.window`` counts the output windows as they arrive. One ``Bars`` per run: nothing is
kept between runs.
"""

from __future__ import annotations

import contextlib
import sys

from dask.callbacks import Callback
from tqdm import tqdm


def _bar(desc: str, unit: str, enabled: bool, total: int | None = None) -> tqdm:
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not enabled, leave=True,
                dynamic_ncols=True)


class Bars:
    """The bars of one run."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._nodes: tqdm | None = None
        self._windows: tqdm | None = None

    def node_done(self, process_id: str) -> None:
        if self._nodes is None:
            self._nodes = _bar("efast graph", "node", self.enabled)
        self._nodes.set_postfix_str(process_id)
        self._nodes.update(1)

    def window_done(self, total: int) -> None:
        if self._windows is None:
            self._windows = _bar("efast windows", "window", self.enabled, total)
        self._windows.update(1)

    def close(self) -> None:
        for bar in (self._nodes, self._windows):
            if bar is not None:
                bar.close()
        self._nodes = self._windows = None


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
def tasks(enabled: bool):
    """Follow dask's tasks (local schedulers) for the duration of the context."""
    if not enabled:
        yield None
        return
    bar = _bar("efast tasks", "task", True, 0)
    try:
        with _TaskBar(bar):
            yield bar
    finally:
        bar.close()

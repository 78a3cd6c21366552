"""``efast_udp.local.progress``: the bars of one run on stderr (silent unless enabled), and the dask
callback that counts every task of every computation inside ``tasks()``."""

from __future__ import annotations

from operator import add

import dask.local
import dask.threaded
import pytest
from dask.callbacks import Callback

from efast_udp.local.progress import Bars, tasks


def inc(x):
    return x + 1


#: three tasks (the literal "a" is no task)
GRAPH = {"a": 1, "b": (inc, "a"), "c": (add, "a", "b"), "d": (inc, "c")}


def test_disabled_bars_write_nothing(capsys):
    bars = Bars(False)
    bars.node_done("load_collection")
    bars.window_done(4)
    bars.close()
    assert capsys.readouterr() == ("", "")


def test_node_bar_counts_nodes_and_shows_the_last_process(capsys):
    bars = Bars(True)
    for process in ("load_collection", "filter_bands", "apply"):
        bars.node_done(process)
    nodes = bars._nodes
    assert (nodes.n, nodes.total, nodes.desc, nodes.unit, nodes.postfix) == (3, None, "efast graph", "node", "apply")
    bars.close()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "efast graph: 3node" in captured.err and "apply" in captured.err


def test_window_bar_takes_its_total_from_the_first_window(capsys):
    bars = Bars(True)
    bars.window_done(5)
    bars.window_done(9)
    assert (bars._windows.n, bars._windows.total, bars._windows.desc) == (2, 5, "efast windows")
    bars.close()
    assert "efast windows:  40%" in capsys.readouterr().err


def test_close_ends_the_bars_and_a_later_node_starts_a_new_one(capsys):
    bars = Bars(True)
    bars.node_done("a")
    bars.window_done(2)
    first, windows = bars._nodes, bars._windows
    assert not (first.disable or windows.disable)
    bars.close()
    assert first.disable and windows.disable  # what tqdm's close() leaves
    assert bars._nodes is None and bars._windows is None
    bars.close()  # twice is fine
    bars.node_done("b")
    assert bars._nodes is not first and bars._nodes.n == 1
    bars.close()
    capsys.readouterr()


def test_tasks_disabled_yields_no_bar_and_registers_no_callback():
    before = set(Callback.active)
    with tasks(False) as bar:
        assert bar is None and Callback.active == before
        assert dask.threaded.get(GRAPH, "d") == 4


def test_tasks_counts_the_tasks_of_every_computation(capsys):
    before = set(Callback.active)
    with tasks(True) as bar:
        assert len(Callback.active - before) == 1
        assert dask.threaded.get(GRAPH, "d") == 4
        assert (bar.n, bar.total) == (3, 3)
        assert dask.local.get_sync(GRAPH, "c") == 3  # two more tasks: b and c
        assert (bar.n, bar.total) == (5, 5)
    assert Callback.active == before
    assert "efast tasks: 100%" in capsys.readouterr().err and bar.desc == "efast tasks"


def test_tasks_unregisters_its_callback_when_the_run_fails(capsys):
    def fail(x):
        raise RuntimeError("boom")

    before = set(Callback.active)
    with pytest.raises(RuntimeError, match="boom"):
        with tasks(True) as bar:
            dask.threaded.get({"a": 1, "b": (fail, "a")}, "b")
    assert Callback.active == before and bar.n == 0
    capsys.readouterr()

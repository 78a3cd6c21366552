"""callbacks: the probe and the parent-context marker stay themselves on any worker, a ``UdfCall``
gives its UDF the context it takes, and ``udf_call`` calls a compiled callback once with the probe,
answers the ``UdfCall`` or ``None``, and leaves the run's results cache as it found it."""

import copy
import dataclasses
import pickle

import pytest

from openeo_cdse_local.callbacks import PARENT_CONTEXT, PROBE, UdfCall, udf_call

CODE = "def apply_datacube(cube, context):\n    return cube\n"


def compiled(answer, cache=None, node="udf"):
    """A callback as the graph parser compiles it: records each call's named parameters and, like
    the parser, caches its node's result in the run's results cache; ``answer`` gives the result
    (or raises)."""
    calls = []

    def callback(named_parameters):
        calls.append(dict(named_parameters))
        if cache is not None:
            cache[(node, len(calls))] = "partial"  # the parser caches a node before its result is known
        result = answer(named_parameters)
        if cache is not None:
            cache[(node, len(calls))] = result
        return result

    callback.calls = calls
    return callback


def run_udf_like(named_parameters):
    """What the executor's ``run_udf`` answers to the probe (``context: {"from_parameter": "context"}``)."""
    if named_parameters["data"] is not PROBE:
        raise AssertionError("not the probe")
    return UdfCall(CODE, "Python", named_parameters["context"])


@pytest.mark.parametrize("marker, name", [(PROBE, "PROBE"), (PARENT_CONTEXT, "PARENT_CONTEXT")])
def test_the_markers_stay_themselves_when_pickled_or_copied(marker, name):
    """A dask task carries them to worker processes: ``is`` must still tell them apart."""
    assert pickle.loads(pickle.dumps(marker)) is marker
    assert copy.deepcopy(marker) is marker and copy.copy(marker) is marker
    assert repr(marker) == f"<{name}>"
    assert PROBE is not PARENT_CONTEXT


def test_a_pickled_call_still_reads_its_parents_context():
    call = pickle.loads(pickle.dumps(UdfCall(CODE, "Python", PARENT_CONTEXT)))
    assert call == UdfCall(CODE, "Python", PARENT_CONTEXT)
    parent = {"radius": 2}
    assert call.context_for(parent) is parent


@pytest.mark.parametrize("context, parent, expected", [
    (PARENT_CONTEXT, None, {}),  # the parent process ran without a context
    (None, {"radius": 2}, {}),  # a run_udf without context does not inherit the parent's
    ({}, {"radius": 2}, {}),  # an empty literal context is still its own
])
def test_a_missing_context_is_an_empty_one(context, parent, expected):
    assert UdfCall(CODE, "Python", context).context_for(parent) == expected


def test_a_call_is_frozen_plain_data():
    call = UdfCall(CODE, "Python", {"k": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        call.udf = "other"  # type: ignore[misc]
    assert call == UdfCall(CODE, "Python", {"k": 1}) and call != UdfCall(CODE, "python", {"k": 1})


def test_a_single_run_udf_is_called_once_with_the_probe_and_its_call_returned():
    callback = compiled(run_udf_like)
    assert udf_call(callback, {}) == UdfCall(CODE, "Python", PARENT_CONTEXT)
    assert len(callback.calls) == 1
    (seen,) = callback.calls
    assert seen.keys() == {"data", "context"} and seen["data"] is PROBE and seen["context"] is PARENT_CONTEXT


def test_a_callback_that_fails_on_the_probe_is_not_a_udf_call():
    def arithmetic(named_parameters):  # e.g. multiply(data, 2): the probe is no number
        return named_parameters["data"] * 2

    assert udf_call(compiled(arithmetic), {}) is None


@pytest.mark.parametrize("answer", [PROBE, None, {"udf": CODE, "runtime": "Python"}, 0.0])
def test_a_callback_answering_anything_but_a_call_is_not_one(answer):
    """e.g. a callback that hands its data on unchanged answers the probe itself."""
    assert udf_call(compiled(lambda _: answer), {}) is None


@pytest.mark.parametrize("answer", [run_udf_like, lambda p: p["data"] * 2], ids=["udf", "failing"])
def test_the_probes_entries_leave_the_results_cache_and_earlier_ones_stay(answer):
    cache = {("load", 0): "cube"}
    udf_call(compiled(answer, cache), cache)
    assert cache == {("load", 0): "cube"}


def test_without_a_results_cache_the_probe_still_runs():
    assert udf_call(compiled(run_udf_like), None) == UdfCall(CODE, "Python", PARENT_CONTEXT)


def test_an_interrupt_is_not_taken_for_another_callback_and_the_cache_is_still_cleaned():
    def interrupted(named_parameters):
        raise KeyboardInterrupt

    cache = {}
    with pytest.raises(KeyboardInterrupt):
        udf_call(compiled(interrupted, cache), cache)
    assert cache == {}

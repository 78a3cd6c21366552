"""The executor on a small graph of its own: load_collection -> apply_neighborhood(UDF) ->
apply_dimension(UDF), parameters with defaults, runs that share a process without sharing state;
processes it does not run are refused before anything runs."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from cli_support import CALL, UDP, one_line_error
from cubes import BOX_MEAN_UDF, CRS, random, same, spec
from efast_udp.cli import main
from openeo_cdse_local import ProcessFailure, Session, Unsupported, check_processes, run
from openeo_cdse_local.data import write_collection

LAST_DATE_UDF = '''
import xarray


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    return cube.isel(t=[-1]) * context["factor"]
'''


def graph(udf_context=None):
    return {
        "id": "tiny",
        "parameters": [
            {"name": "radius", "schema": {"type": "integer"}, "optional": True, "default": 1},
            {"name": "factor", "schema": {"type": "number"}},
        ],
        "process_graph": {
            "load": {"process_id": "load_collection", "arguments": {
                "id": "TINY", "spatial_extent": None, "temporal_extent": None, "bands": ["a"],
                "featureflags": {"tilesize": 16}}},
            "box": {"process_id": "apply_neighborhood", "arguments": {
                "data": {"from_node": "load"}, "size": spec(8), "overlap": spec(2),
                "context": {"radius": {"from_parameter": "radius"}},
                "process": {"process_graph": {"udf": {"process_id": "run_udf", "arguments": {
                    "data": {"from_parameter": "data"}, "udf": BOX_MEAN_UDF, "runtime": "Python",
                    "context": {"from_parameter": "context"}}, "result": True}}}}},
            "last": {"process_id": "apply_dimension", "arguments": {
                "data": {"from_node": "box"}, "dimension": "t", "context": {"factor": {"from_parameter": "factor"}},
                "process": {"process_graph": {"udf": {"process_id": "run_udf", "arguments": {
                    "data": {"from_parameter": "data"}, "udf": LAST_DATE_UDF, "runtime": "Python",
                    "context": udf_context or {"from_parameter": "context"}}, "result": True}}}},
                "result": True},
        },
    }


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny")
    values = random((3, 40, 35), seed=7)
    t = np.datetime64("2023-06-01", "ns") + np.arange(3).astype("timedelta64[D]")
    write_collection(path / "TINY.nc", {"a": values}, t, 1000.0 - 10 * np.arange(40), 10 * np.arange(35) + 5, CRS)
    return path


def expected(data_dir, radius=1, factor=2.0):
    from scipy import ndimage

    import xarray

    values = xarray.open_dataset(data_dir / "TINY.nc")["a"].values[-1]
    finite = np.isfinite(values)
    k = 2 * radius + 1
    total = ndimage.uniform_filter(np.where(finite, values, 0.0), size=k, mode="constant")
    count = ndimage.uniform_filter(finite.astype(float), size=k, mode="constant")
    with np.errstate(invalid="ignore", divide="ignore"):
        return (total / count * factor)[None, None]


def test_runs_with_defaults_and_keeps_the_udf_labels(data_dir):
    out = run(graph(), {"factor": 2.0}, Session(data_dir, chunk_px=16))
    assert out.parameters == {"radius": 1, "factor": 2.0}
    assert list(out.result.t.values) == [np.datetime64("2023-06-03", "ns")]
    same(out.result.values, expected(data_dir), tol=1e-5)
    assert set(out.intermediates) == {"load", "box", "last"}


def test_a_literal_udf_context_wins_over_the_parent_context(data_dir):
    out = run(graph(udf_context={"factor": 3.0}), {"factor": 2.0}, Session(data_dir))
    same(out.result.values, expected(data_dir, factor=3.0), tol=1e-5)


def test_two_runs_in_one_process_and_at_once_do_not_share_state(data_dir):
    """Sessions hold everything a run needs: other window sizes and parameters at the same time."""
    results = {}

    def one(name, chunk_px, radius):
        results[name] = run(graph(), {"factor": 2.0, "radius": radius}, Session(data_dir, chunk_px=chunk_px)).result.values

    threads = [threading.Thread(target=one, args=(f"r{r}-{c}", c, r)) for r, c in ((1, 16), (2, 256), (1, 256))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    same(results["r1-16"], results["r1-256"])
    same(results["r1-16"], expected(data_dir), tol=1e-5)
    same(results["r2-256"], expected(data_dir, radius=2), tol=1e-5)


def test_required_and_unknown_parameters(data_dir):
    with pytest.raises(ProcessFailure, match="parameter 'factor' is required"):
        run(graph(), {}, Session(data_dir))
    with pytest.raises(ProcessFailure, match="parameter 'nope' does not exist"):
        run(graph(), {"factor": 1, "nope": 2}, Session(data_dir))


def test_processes_it_does_not_run_are_refused_before_anything_runs():
    doc = graph()
    doc["process_graph"]["box"]["arguments"]["process"]["process_graph"]["udf"]["process_id"] = "load_stac"
    with pytest.raises(Unsupported, match=r"node 'box/process/udf' uses process 'load_stac'"):
        check_processes(doc)


@pytest.mark.parametrize("options, message", [
    ({"chunk_px": 1}, "chunk size 1: expected a window edge of 16 to 4096 pixels"),
    ({"chunk_px": 10**6}, "chunk size 1000000"),
    ({"neighbourhood": "tiles"}, "neighbourhood mode 'tiles'"),
])
def test_session_options_are_checked(options, message):
    with pytest.raises(Unsupported, match=message):
        Session(".", **options)


def test_callback_node_results_are_not_kept_once_their_process_returned(data_dir):
    """The parser caches every node's result; those of an ``apply`` callback on a computed cube
    are arrays that nothing reads again and that held 300 MiB on the demo scene."""
    doc = graph()
    doc["process_graph"]["mask"] = {"process_id": "apply", "arguments": {
        "data": {"from_node": "load"}, "process": {"process_graph": {
            "low": {"process_id": "eq", "arguments": {"x": {"from_parameter": "x"}, "y": 0.3}},
            "high": {"process_id": "eq", "arguments": {"x": {"from_parameter": "x"}, "y": 0.7}},
            "either": {"process_id": "or", "arguments": {"x": {"from_node": "low"}, "y": {"from_node": "high"}},
                       "result": True}}}}}
    doc["process_graph"]["box"]["arguments"]["data"] = {"from_node": "mask"}
    session = Session(data_dir, chunk_px=16)
    out = run(doc, {"factor": 1.0}, session)
    assert set(out.intermediates) == {"load", "mask", "box", "last"}
    assert len(session.results_cache) == 4  # the top-level nodes only


def test_an_apply_on_a_computed_cube_runs_its_callback_window_by_window(data_dir, monkeypatch):
    """A computed (small, kept) cube handed to ``apply`` goes back to windows first, so the
    callback's nodes are lazy windows, not whole arrays at once (350 MiB on the 300 px demo
    scene); the values are those of the callback on the whole array."""
    from openeo_cdse_local.processes import apply as apply_module

    seen = []
    upstream = apply_module._upstream_apply
    monkeypatch.setattr(apply_module, "_upstream_apply",
                        lambda data, **kw: seen.append(type(data.data).__name__) or upstream(data=data, **kw))
    doc = graph()
    doc["process_graph"]["mask"] = {"process_id": "apply", "arguments": {
        "data": {"from_node": "load"}, "process": {"process_graph": {
            "low": {"process_id": "eq", "arguments": {"x": {"from_parameter": "x"}, "y": 0.3}, "result": True}}}}}
    doc["process_graph"]["box"]["arguments"]["data"] = {"from_node": "mask"}
    results = {}
    for limit in (10**12, 0):  # never / always back to windows
        monkeypatch.setattr(apply_module, "EAGER_APPLY_BYTES", limit)
        out = run(doc, {"factor": 1.0}, Session(data_dir, chunk_px=16))
        results[limit] = out.intermediates["mask"].compute().values
    assert seen == ["ndarray", "Array"]
    np.testing.assert_array_equal(results[0], results[10**12])


def test_run_refuses_processes_it_does_not_run_and_collection_paths(small_data, tmp_path, capsys):
    doc = json.loads(UDP.read_text())
    arguments = doc["process_graph"]["s2_input"]["arguments"]  # a valid UDP that would reach the network
    doc["process_graph"]["s2_input"]["process_id"] = "load_stac"
    arguments["url"] = "http://127.0.0.1:9/catalog.json"
    del arguments["id"], arguments["featureflags"]
    (tmp_path / "stac.json").write_text(json.dumps(doc))
    argv = ["run", "--udp", str(tmp_path / "stac.json"), "--data", str(small_data), "--out", str(tmp_path / "o"), *CALL]
    assert main(argv) == 2
    assert "node 's2_input' uses process 'load_stac', which the local executor does not run" in one_line_error(capsys, "run")
    assert not (tmp_path / "o").exists()
    from openeo_cdse_local.data import collection_path
    from openeo_cdse_local.errors import InvalidData

    with pytest.raises(InvalidData, match="not a plain name"):
        collection_path(small_data, "../../etc/passwd")

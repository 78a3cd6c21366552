"""The upstream defects the executor's overrides exist for, pinned: each test asserts that the
defect is still there, so it fails on the day openeo-processes-dask (2026.9.1) or
openeo-pg-parser-networkx fixes it, and the override can be reconsidered
(``openeo_cdse_local.registry``)."""

import logging

import numpy as np
import pytest

from cubes import cube
from openeo_cdse_local import registry

logging.getLogger("openeo_processes_dask").setLevel(logging.ERROR)

LABELLED_UDF = '''
import xarray


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    return cube.isel(t=[0])
'''


def upstream_names() -> set[str]:
    from openeo_processes_dask.process_implementations.core import standard_processes

    return {f.__name__.lstrip("_") for f in standard_processes}


def test_every_override_says_what_it_reproduces_and_works_around():
    found = registry.overrides()
    assert set(found) == {"apply", "apply_dimension", "apply_neighborhood", "load_collection", "merge_cubes",
                          "resample_cube_spatial", "resample_spatial", "run_udf"}
    for item in found.values():
        assert item.reproduces.startswith("openeogeotrellis/"), item
        assert item.upstream.startswith("openeo-processes-dask"), item
    assert registry.PROCESSES - set(found) <= upstream_names()  # the rest comes from upstream


def test_upstream_has_no_load_collection_and_no_apply_neighborhood():
    names = upstream_names()
    assert "load_collection" not in names and "apply_neighborhood" not in names


def test_upstream_apply_evaluates_the_callback_on_nodata():
    from openeo_processes_dask.process_implementations.cubes.apply import apply

    def invalid_mark(x, positional_parameters=None, named_parameters=None):  # if(eq(x, 3), 100, 0)
        return np.where(x == 3, 100.0, 0.0)

    data = cube(np.array([np.nan, 3.0, 4.0]).reshape(1, 1, 1, 3), 10.0)
    out = apply(data, invalid_mark).values.ravel()
    assert out.tolist() == [0.0, 100.0, 0.0]  # no data became valid "0" (the override keeps NaN)


def test_upstream_apply_dimension_replaces_new_labels_by_integers():
    from openeo_processes_dask.process_implementations.cubes.apply import apply_dimension

    def first_two(data, **_):
        return data[..., :2]

    data = cube(np.ones((3, 1, 2, 2)), 10.0)
    out = apply_dimension(data, first_two, dimension="t")
    assert out.t.values.tolist() == [0, 1]  # the dates are lost


def test_upstream_run_udf_on_the_arrays_it_gets_has_no_labels():
    from openeo_processes_dask.process_implementations.udf.udf import run_udf

    with pytest.raises(ValueError, match=r"Dimensions \{'t'\} do not exist"):
        run_udf(cube(np.ones((3, 1, 4, 4)), 10.0).data, LABELLED_UDF, "Python")


def test_upstream_merge_cubes_does_not_align_grids():
    from openeo_processes_dask.process_implementations.cubes.merge import merge_cubes

    fine = cube(np.zeros((1, 1, 6, 6)), 10.0, bands=["a"])
    coarse = cube(np.ones((1, 1, 2, 2)), 30.0, bands=["b"])
    with pytest.raises(ValueError, match="More than one overlapping dimension"):
        merge_cubes(fine, coarse)


def test_upstream_resample_spatial_makes_a_grid_of_its_own():
    from openeo_processes_dask.process_implementations.cubes.resample import resample_spatial

    out = resample_spatial(cube(np.ones((1, 1, 60, 60)), 10.0), resolution=300, method="average")
    assert out.sizes["x"] == 4 and out.x.values[0] == -150.0  # a 600 m scene on four 300 m cells


def _graph_with_callback():
    return {"process_graph": {
        "twice": {"process_id": "twice", "arguments": {"x": 1, "process": {"process_graph": {
            "add": {"process_id": "add", "arguments": {"x": {"from_parameter": "x"}, "y": 1}, "result": True}}}},
            "result": True},
    }}


def test_upstream_parser_caches_a_callback_result_across_calls():
    """A callback called twice returns its first result the second time: why the executor calls
    a UDF callback once (the probe) and runs the UDF itself per tile."""
    from openeo_pg_parser_networkx import OpenEOProcessGraph, ProcessRegistry
    from openeo_pg_parser_networkx.process_registry import Process
    from openeo_processes_dask.process_implementations.core import process

    def twice(x, process, named_parameters=None, **_):
        return [process(named_parameters={"x": 1}), process(named_parameters={"x": 10})]

    def add(x, y, named_parameters=None, **_):
        return x + y

    processes = ProcessRegistry(wrap_funcs=[process])
    processes["twice"] = Process(spec={}, implementation=twice)
    processes["add"] = Process(spec={}, implementation=add)
    result = OpenEOProcessGraph(_graph_with_callback()).to_callable(processes)()
    assert result == [2, 2]  # not [2, 11]


def test_upstream_parser_leaves_nested_references_unresolved():
    from openeo_pg_parser_networkx import OpenEOProcessGraph, ProcessRegistry
    from openeo_pg_parser_networkx.pg_schema import ParameterReference
    from openeo_pg_parser_networkx.process_registry import Process
    from openeo_processes_dask.process_implementations.core import process

    seen = {}

    def keep(context, named_parameters=None, **_):
        seen.update(context)
        return 0

    processes = ProcessRegistry(wrap_funcs=[process])
    processes["keep"] = Process(spec={}, implementation=keep)
    graph = {"process_graph": {"k": {"process_id": "keep", "arguments": {
        "context": {"days": {"from_parameter": "interval_days"}}}, "result": True}}}
    OpenEOProcessGraph(graph).to_callable(processes, parameters={"interval_days": 5})(
        named_parameters={"interval_days": 5})
    assert isinstance(seen["days"], ParameterReference)

"""``run_udf`` (runtime Python) as the back-end runs it: the openeo client's UDF runner on the
labelled cube.

Reproduces openeo-geopyspark-driver's Python UDF execution (``openeogeotrellis/udf``'s call of
``openeo.udf.run_code.run_udf_code``): the code runs on an ``XarrayDataCube`` holding the cube
*with* its dimension labels, the ``context`` as user context; the returned cube is taken as is
(new labels included). An exception raised by the UDF ends the run with its message only.
Upstream: openeo-processes-dask's ``run_udf`` hands the UDF a cube without its labels (pinned in
``tests/openeo_cdse_local/test_registry.py``).

The cube a UDF gets is float32 with float32 ``x``/``y`` coordinates, as the back-end builds it
(``geopysparkdatacube.py`` ``_numpy_to_xarraydatacube``, after ``convert_data_type``). Called
with ``callbacks.PROBE`` as ``data`` it returns the ``UdfCall`` instead of running it.

A UDF's ``apply_metadata(metadata, context)`` is found and called as the back-end does
(``GeopysparkDataCube.apply_metadata``: code matching ``^def apply_metadata(`` on a line of its
own): ``metadata_bands``.
"""

from __future__ import annotations

import re

import numpy as np
import xarray
from openeo.metadata import CollectionMetadata
from openeo.udf import UdfData
from openeo.udf.run_code import load_module_from_string, run_udf_code
from openeo.udf.xarraydatacube import XarrayDataCube

from openeo_cdse_local.callbacks import PROBE, UdfCall
from openeo_cdse_local.errors import ExecutorError, ProcessFailure, UdfError, Unsupported
from openeo_cdse_local.registry import override

#: how the back-end tells that a UDF declares its output metadata
APPLY_METADATA = re.compile(r"^def\s+apply_metadata\s*\(", re.MULTILINE)


def _check_runtime(runtime) -> str:
    if str(runtime).lower() != "python":
        raise Unsupported(f"run_udf: runtime {runtime!r} is not supported locally (Python only)")
    return str(runtime)


def run(udf: str, data: xarray.DataArray, context) -> xarray.DataArray:
    """The UDF ``udf`` (Python source) on the labelled cube ``data`` with ``context``."""
    attrs = dict(data.attrs)
    data = as_handed_over(data)
    udf_data = UdfData(datacube_list=[XarrayDataCube(data)], user_context=context or {})
    try:
        result = run_udf_code(code=udf, data=udf_data)
    except ExecutorError:
        raise
    except Exception as exc:  # the UDF's own message, one line
        raise UdfError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    cubes = result.get_datacube_list() or []
    if len(cubes) != 1:
        raise ProcessFailure(f"run_udf: the UDF must return one data cube, got {len(cubes)}")
    out = cubes[0].get_array()
    out.attrs = {k: v for k, v in attrs.items() if k != "featureflags"}
    return out


def as_handed_over(data: xarray.DataArray) -> xarray.DataArray:
    """The cube as the back-end hands it to a UDF: float32 values, float32 x/y, no attributes."""
    coords = {d: data[d].values for d in data.dims if d in data.coords}
    for axis in ("x", "y"):
        if axis in coords:
            coords[axis] = coords[axis].astype(np.float32)
    return xarray.DataArray(np.asarray(data.values, dtype=np.float32), dims=data.dims, coords=coords)


def metadata_bands(call: UdfCall, bands: list[str], parent_context) -> list[str]:
    """The band names a UDF's ``apply_metadata`` declares for a cube with ``bands`` (the same
    names when it has none)."""
    if not APPLY_METADATA.search(call.udf):
        return list(bands)
    try:
        function = load_module_from_string(call.udf)["apply_metadata"]
        metadata = CollectionMetadata({"cube:dimensions": {"bands": {"type": "bands", "values": list(bands)}}})
        declared = function(metadata, call.context_for(parent_context))
        return [str(b) for b in declared.band_names]
    except ExecutorError:
        raise
    except Exception as exc:  # the UDF's own message, one line
        raise UdfError(f"apply_metadata: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc


@override("run_udf", reproduces="openeogeotrellis/udf: run_udf_code on the labelled XarrayDataCube",
          upstream="openeo-processes-dask run_udf drops the dimension labels")
def run_udf(session, data, udf: str, runtime: str = "Python", version=None, context=None,
            **_ignored) -> xarray.DataArray | UdfCall:
    runtime = _check_runtime(runtime)
    if data is PROBE:
        return UdfCall(udf, runtime, context)
    if not isinstance(data, xarray.DataArray):
        data = xarray.DataArray(data)
    return run(udf, data, context)


def invoke(call: UdfCall, data: xarray.DataArray, parent_context) -> xarray.DataArray:
    """A ``UdfCall`` on one labelled chunk or tile, inside a process run with ``parent_context``."""
    return run(call.udf, data, call.context_for(parent_context))

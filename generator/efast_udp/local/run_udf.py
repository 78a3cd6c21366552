"""``run_udf`` (runtime Python) through the openeo client's UDF runner, on the labelled cube.

Reproduces the back-end's Python UDF execution: the code is run with
``openeo.udf.run_code.run_udf_code`` on an ``XarrayDataCube`` holding the cube *with* its
dimension labels and the ``context`` as user context; the returned cube is taken as is (new
labels included). An exception raised by the UDF ends the run with its message only.
"""

from __future__ import annotations

import xarray
from openeo.udf import UdfData
from openeo.udf.run_code import run_udf_code
from openeo.udf.xarraydatacube import XarrayDataCube

from efast_udp.errors import EfastUdpError
from efast_udp.local import callbacks


class UdfError(EfastUdpError):
    """A UDF rejected its input (typically a bad UDP parameter); the message names it."""


def run_udf(data, udf: str, runtime: str = "Python", version=None, context=None, **_ignored) -> xarray.DataArray:
    if str(runtime).lower() != "python":
        raise EfastUdpError(f"run_udf: runtime {runtime!r} is not supported locally (Python only)")
    if not isinstance(data, xarray.DataArray):
        data = xarray.DataArray(data)
    attrs = dict(data.attrs)
    udf_data = UdfData(datacube_list=[XarrayDataCube(data)], user_context=context or {})
    try:
        result = run_udf_code(code=udf, data=udf_data)
    except EfastUdpError:
        raise
    except Exception as exc:
        raise UdfError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    cubes = result.get_datacube_list() or []
    if len(cubes) != 1:
        raise EfastUdpError(f"run_udf: the UDF must return one data cube, got {len(cubes)}")
    out = cubes[0].get_array()
    out.attrs = {k: v for k, v in attrs.items() if k != "featureflags"}
    return out


def chunk_callback(process):
    """What a task runs per chunk: the callback's ``UdfCall`` when it is a single ``run_udf``
    (plain data: it travels to any dask worker), else the compiled callback itself."""
    return callbacks.udf_call(process) or process


def invoke(callback, data: xarray.DataArray, context) -> object:
    """Run ``chunk_callback``'s result on one labelled chunk with the parent's ``context``."""
    if isinstance(callback, callbacks.UdfCall):
        ctx = context if callback.context == callbacks.PARENT_CONTEXT else callback.context
        return run_udf(data, udf=callback.udf, runtime=callback.runtime, context=ctx or {})
    return callbacks.call(callback, data=data, context=context or {})

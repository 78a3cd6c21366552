"""``apply``: openeo-processes-dask's implementation, with no-data cells left as no data.

Reproduces geopyspark: a callback is applied to the valid cells of a tile, no-data cells stay
no data. openeo-processes-dask evaluates the callback on NaN as well, so ``if(eq(x, 0) or ...,
1, 0)`` turns a no-data SCL pixel into a valid one (0) instead of leaving it unknown.
"""

from __future__ import annotations

import numpy as np
import xarray
from openeo_processes_dask.process_implementations.cubes.apply import apply as _pd_apply


def apply(data: xarray.DataArray, process, context=None, **kwargs) -> xarray.DataArray:
    result = _pd_apply(data=data, process=process, context=context, **kwargs)
    if isinstance(result, xarray.DataArray) and isinstance(data, xarray.DataArray):
        result = result.astype(np.float32).where(np.isfinite(data))
        result.attrs = dict(data.attrs)
    return result

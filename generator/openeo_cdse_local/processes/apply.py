"""``apply``: openeo-processes-dask's implementation, with no-data cells left as no data.

Reproduces openeo-geopyspark-driver (``openeogeotrellis/geopysparkdatacube.py``,
``GeopysparkDataCube.apply``: the callback becomes a geotrellis local operation, which keeps
NoData cells NoData): a callback is applied to the valid cells of a tile. Upstream:
openeo-processes-dask evaluates the callback on NaN as well, so ``if(eq(x, 0) or ..., 1, 0)``
turns a no-data SCL pixel into a valid one (0) instead of leaving it unknown (pinned in
``tests/openeo_cdse_local/test_registry.py``).
"""

from __future__ import annotations

import numpy as np
import xarray
from openeo_processes_dask.process_implementations.cubes.apply import apply as _upstream_apply

from openeo_cdse_local.chunks import as_dask, is_lazy
from openeo_cdse_local.registry import override

#: computed cubes above this size are applied to window by window
EAGER_APPLY_BYTES = 2**20


@override("apply", reproduces="openeogeotrellis/geopysparkdatacube.py GeopysparkDataCube.apply (NoData stays NoData)",
          upstream="openeo-processes-dask apply evaluates the callback on no-data cells too")
def apply(session, data: xarray.DataArray, process, context=None, **kwargs) -> xarray.DataArray:
    if isinstance(data, xarray.DataArray) and not is_lazy(data) and data.nbytes > EAGER_APPLY_BYTES:
        # a computed cube (kept because it is small): the callback still runs window by window,
        # else every node of it (eq, or, if: float64 arrays the size of the cube) would be a
        # whole array at once, cached by the graph parser until apply returns (+350 MiB on the
        # 300 px demo scene's 12 x 512^2 SCL); the result is computed again if small
        data = data.copy(data=as_dask(data, session.chunk_px))
    result = _upstream_apply(data=data, process=process, context=context, **kwargs)
    if isinstance(result, xarray.DataArray) and isinstance(data, xarray.DataArray):
        result = result.astype(np.float32).where(np.isfinite(data))
        result.attrs = dict(data.attrs)
    return result

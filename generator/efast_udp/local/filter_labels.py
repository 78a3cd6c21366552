"""``filter_labels``: keep every label for which the condition is true.

Reproduces the back-end (and the openEO specification): the condition is evaluated for each
label of ``dimension`` and all matching labels are kept, in their order. openeo-processes-dask
keeps only the first match.
"""

from __future__ import annotations

import numpy as np
import xarray

from efast_udp.errors import EfastUdpError
from efast_udp.local import callbacks


def filter_labels(data: xarray.DataArray, condition, dimension: str, context=None, **_ignored) -> xarray.DataArray:
    if dimension not in data.dims:
        raise EfastUdpError(f"filter_labels: dimension {dimension!r} not in the cube {tuple(data.dims)}")
    labels = data[dimension].values
    keep = []
    for label in labels:
        value = label
        if np.issubdtype(labels.dtype, np.datetime64):
            value = str(np.datetime_as_string(label, unit="s")) + "Z"
        elif isinstance(label, np.generic):
            value = label.item()
        if bool(callbacks.call(condition, value=value, context=context)):
            keep.append(label)
    return data.sel({dimension: keep})

"""EFAST spatial smoothing of the Sentinel-3 composites (Section 2.4; docs/algorithm.md).

Runs under ``apply_neighborhood`` on the coarse grid (overlap = kernel half-width). A 5 x 5
Gaussian (sigma = 1 coarse px, weights normalised to 1, centre 0.1621), normalised by the
weight of the valid neighbours only:

    smooth = sum_k g_k v_k [v_k valid] / sum_k g_k [v_k valid]

so the edges of no-data gaps keep their level instead of being darkened, as they would be if
NaN were replaced by 0. Cells that are no data stay no data; labels are unchanged.

Context keys (checked against the node's context when the graph is built):
    kernel_size  edge of the square Gaussian kernel (coarse px)
    sigma_px     sigma of the Gaussian (coarse px)
"""

import numpy as np
import xarray
from scipy import ndimage


def gaussian_kernel(size, sigma):
    """Square Gaussian kernel (size x size) normalised to sum 1."""
    half = size // 2
    offsets = np.arange(-half, half + 1, dtype=np.float64)
    g = np.exp(-0.5 * (offsets / sigma) ** 2)
    kernel = np.outer(g, g)
    return (kernel / kernel.sum()).astype(np.float32)


def nan_aware_smooth(values, kernel):
    """Normalised convolution of the last two axes of ``values`` (..., y, x); NaN = no data."""
    values = np.asarray(values, dtype=np.float32)
    valid = np.isfinite(values)
    full_kernel = kernel.reshape((1,) * (values.ndim - 2) + kernel.shape)
    numerator = ndimage.correlate(np.where(valid, values, 0), full_kernel, mode="constant", cval=0.0)
    weight = ndimage.correlate(valid.astype(np.float32), full_kernel, mode="constant", cval=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        smooth = numerator / weight
    smooth[~valid] = np.nan
    return smooth


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    """openEO UDF entry point: any dims ending in (y, x); same dims and labels out."""
    kernel = gaussian_kernel(int(context["kernel_size"]), float(context["sigma_px"]))
    order = [d for d in cube.dims if d not in ("y", "x")] + ["y", "x"]
    spatial_last = cube.transpose(*order)
    smooth = nan_aware_smooth(spatial_last.values, kernel)
    return xarray.DataArray(smooth, dims=spatial_last.dims, coords=spatial_last.coords).transpose(*cube.dims)

"""EFAST distance-to-cloud score (Senty et al. 2024, Section 2.4; EFAST.md §1 step 2).

Runs under ``apply_neighborhood`` on the coarse (300 m) grid, once for Sentinel-2 (mask band =
fraction of invalid 10-20 m pixels per coarse cell) and once for Sentinel-3 (mask band =
CLOUD_flags). Threshold, distance transform and ramp happen here in one pass:

    cloudy  = fraction >= cloud_tolerance           (S2)   or   flags & bits != 0 / no data (S3)
    d       = Euclidean distance (coarse px) from a clear cell to the nearest cloudy cell
    score   = clip((d - 1) / D, 0, 1),  D = max_distance_to_cloud_m / pixel_size_m
    score   = 0 on cloudy cells

The mask band is replaced by the score (same label; the graph renames it), every other band
is set to NaN where the cell is cloudy. Dimension labels are unchanged.

Context keys: ``mask_band``, ``mask_kind`` ("fraction" | "flags"), ``cloud_tolerance``
(fraction kind), ``flag_bits`` (flags kind), ``max_distance_to_cloud_m``, ``pixel_size_m``.
"""

import numpy as np
import xarray
from scipy import ndimage


def cloudy_from_fraction(fraction, tolerance):
    """S2: a coarse cell is cloudy when its invalid fraction reaches the tolerance (or is unknown)."""
    with np.errstate(invalid="ignore"):
        return ~(fraction < tolerance)


def cloudy_from_flags(flags, bits):
    """S3: cloudy where any of ``bits`` is set in CLOUD_flags, or where the flag is missing."""
    finite = np.isfinite(flags)
    as_int = np.where(finite, flags, 0).astype(np.int64)
    return ~finite | ((as_int & int(bits)) != 0)


def distance_score(cloudy, max_distance_px):
    """Distance-to-cloud score of a stack of 2-D masks (..., y, x) -> float32, same shape.

    A slice without any cloudy cell scores 1 everywhere (the nearest cloud is farther than D).
    """
    if max_distance_px <= 0:
        raise ValueError("parameter 'max_distance_to_cloud_m' must be > 0")
    cloudy = np.asarray(cloudy, dtype=bool)
    score = np.ones(cloudy.shape, dtype=np.float32)
    flat_cloudy = cloudy.reshape((-1,) + cloudy.shape[-2:])
    flat_score = score.reshape(flat_cloudy.shape)
    for i in range(flat_cloudy.shape[0]):
        mask = flat_cloudy[i]
        if not mask.any():
            continue
        # distance of every clear cell to the nearest cloudy cell (0 on cloudy cells)
        d = ndimage.distance_transform_edt(~mask).astype(np.float32)
        np.clip((d - 1.0) / np.float32(max_distance_px), 0.0, 1.0, out=flat_score[i])
    score[cloudy] = 0.0
    return score


def score_bands(values, band_names, context):
    """Core on a plain array (..., bands, y, x): returns a new float32 array, mask band -> score."""
    mask_band = context["mask_band"]
    if mask_band not in band_names:
        raise ValueError("distance score: band %r missing from the input bands %s" % (mask_band, list(band_names)))
    index = list(band_names).index(mask_band)
    mask_values = values[..., index, :, :]
    kind = context.get("mask_kind", "fraction")
    if kind == "fraction":
        tolerance = float(context["cloud_tolerance"])
        if not 0.0 < tolerance <= 1.0:
            raise ValueError("parameter 'cloud_tolerance' must be in (0, 1], got %r" % tolerance)
        cloudy = cloudy_from_fraction(mask_values, tolerance)
    elif kind == "flags":
        cloudy = cloudy_from_flags(mask_values, context["flag_bits"])
        data = np.delete(values, index, axis=-3)
        cloudy = cloudy | ~np.isfinite(data).all(axis=-3)
    else:
        raise ValueError("distance score: unknown mask_kind %r" % kind)
    max_distance_px = float(context["max_distance_to_cloud_m"]) / float(context["pixel_size_m"])
    out = np.array(values, dtype=np.float32, copy=True)
    out[..., index, :, :] = distance_score(cloudy, max_distance_px)
    others = [i for i in range(values.shape[-3]) if i != index]
    out[..., others, :, :] = np.where(np.expand_dims(cloudy, -3), np.nan, out[..., others, :, :])
    return out


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    """openEO UDF entry point: (t, bands, y, x) in, same dims and labels out."""
    bands = [str(b) for b in cube.coords["bands"].values]
    values = score_bands(cube.values, bands, context)
    return xarray.DataArray(values, dims=cube.dims, coords=cube.coords)

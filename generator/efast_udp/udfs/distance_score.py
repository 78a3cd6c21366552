"""EFAST distance-to-cloud score (Senty et al. 2024, Section 2.4; docs/algorithm.md).

Runs under ``apply_neighborhood`` on the coarse (300 m) grid, once for Sentinel-2 (mask band =
fraction of invalid 10-20 m pixels per coarse cell) and once for Sentinel-3 (the cube is the
CLOUD_flags band alone, as binned by the back-end: the mean of the product pixels' bit fields
in the cell). Threshold, distance transform and ramp happen here in one pass:

    cloudy  = fraction >= cloud_tolerance           (S2)
    cloudy  = binned flags > cloudy_above, or no flag at a date the cell has one at others (S3)
              (the S2 fraction arrives as a percentage: invalid pixels are marked 100, so that
              an integer average on the back-end keeps its resolution)
    d       = Euclidean distance (coarse px) from a clear cell to the nearest cloudy cell,
              by a separable transform bounded at ⌈D⌉ + 1 px (exact for the score)
    score   = clip((d - 1) / D, 0, 1),  D = max_distance_to_cloud_m / pixel_size_m
    score   = 0 on cloudy cells

The mean of non-negative bit fields is positive exactly when some product pixel in the cell has
a flag set, however the bits mix, so "> 0" is the one test that means the same for every cell
(a bit test on a mean would not). Cells with no data at all (no fraction at that date; for S3
no flag at any date of the chunk) are not clouds: they are outside the footprint or the neighbourhood padding that the
back-end adds beyond the cube's border ("made available as no-data values", openEO
``apply_neighborhood``). Counting them as cloud would pull the score down along every edge of
the requested extent.

The mask band is replaced by the score (same label; the graph renames it); any other band is set
to NaN where the cell is cloudy. Dimension labels are unchanged.

Context keys (checked against the node's context when the graph is built):
    mask_band                name of the band holding the mask; the score replaces it
    mask_kind                how the mask band tells clouds: 'fraction' (S2) or 'binned_flags' (S3)
    max_distance_to_cloud_m  the UDP's max_distance_to_cloud_m: distance where the score reaches 1
    pixel_size_m             pixel size of the coarse grid (m)
Context keys when mask_kind is "fraction":
    cloud_tolerance          the UDP's cloud_tolerance: invalid fraction from which a cell is cloudy
    fraction_scale           value of the mask band for a fully invalid cell (100: a percentage)
Context keys when mask_kind is "binned_flags":
    cloudy_above             binned CLOUD_flags value above which a cell is cloudy
"""

import numpy as np
import xarray


def cloudy_from_fraction(fraction, tolerance):
    """S2: a coarse cell is cloudy when its invalid fraction reaches the tolerance; a cell
    without a fraction (no S2 pixel there, or padding) is not a cloud."""
    with np.errstate(invalid="ignore"):
        return fraction >= tolerance


def cloudy_from_binned_flags(flags, above):
    """S3: cloudy where the binned CLOUD_flags value exceeds ``above`` (0: some product pixel
    of the cell is flagged), or where the flag is missing at some dates while the cell has it
    at others. Cells missing at every date of the ``(t, y, x)`` stack are outside the data (or
    padding) and not clouds."""
    finite = np.isfinite(flags)
    outside = ~finite.any(axis=0) if flags.ndim == 3 else np.zeros(flags.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        return (~finite & ~outside) | (flags > float(above))


def bounded_squared_distance(cloudy, radius):
    """Squared Euclidean distance (px²) from each cell to the nearest cloudy cell in its 2-D
    slice (..., y, x), exact up to ``radius`` px; farther cells get at least (radius + 1)².

    Separable transform: distance along y to the nearest cloud in the column, then the
    minimum over |dx| <= radius of dx² + dy²(x + dx). Restricting dx to the radius is exact for
    every distance <= radius, which is all the score can see (it saturates at D + 1 <= radius).
    Vectorised over all slices at once; small integers keep it memory-lean.
    """
    cloudy = np.asarray(cloudy, dtype=bool)
    radius = int(radius)
    cap = radius + 1
    dtype = np.int16 if cap * cap + radius * radius < np.iinfo(np.int16).max else np.int32
    dy2 = _column_distance(cloudy, cap, dtype)
    dy2 *= dy2
    return _row_minimum(dy2, radius, cap * cap)


def _column_distance(cloudy, cap, dtype):
    """|dy| to the nearest cloudy cell in the same column of each slice, capped at ``cap``.

    Doubling steps: after the steps 1, 2, 4, ..., s every cell holds the exact distance
    whenever it is below 2s (each step moves a distance by s at cost s, so every path costs
    at least the true distance, and the binary digits of a distance give a path that costs
    exactly it). Each step is two whole-array operations on contiguous row blocks.
    """
    ny = cloudy.shape[-2]
    distance = np.where(cloudy, dtype(0), dtype(cap))
    step = 1
    while step < cap and step < ny:
        np.minimum(distance[..., step:, :], distance[..., :-step, :] + dtype(step), out=distance[..., step:, :])
        np.minimum(distance[..., :-step, :], distance[..., step:, :] + dtype(step), out=distance[..., :-step, :])
        step *= 2
    np.minimum(distance, dtype(cap), out=distance)
    return distance


def _row_minimum(dy2, radius, far):
    """min over |dx| <= radius of dx² + dy2(x + dx) along the last axis.

    The rows are laid end to end in one flat buffer, each followed by ``radius`` cells worth
    ``far`` (at least any capped value), with ``radius`` more in front: a shift by dx in the
    flat buffer never reaches another row's cells, so every step is a contiguous 1-D operation.
    """
    nx = dy2.shape[-1]
    rows = dy2.reshape(-1, nx)
    width = nx + radius
    flat = np.full(radius + rows.shape[0] * width, far, dtype=dy2.dtype)
    flat[radius:].reshape(rows.shape[0], width)[:, :nx] = rows
    best = flat.copy()
    pair = np.empty_like(flat)
    size = len(flat)
    for dx in range(1, radius + 1):
        both = pair[:size - 2 * dx]
        np.minimum(flat[:size - 2 * dx], flat[2 * dx:], out=both)  # dy2(x - dx), dy2(x + dx)
        both += dy2.dtype.type(dx * dx)
        np.minimum(best[dx:size - dx], both, out=best[dx:size - dx])
    return best[radius:].reshape(rows.shape[0], width)[:, :nx].reshape(dy2.shape)


def distance_score(cloudy, max_distance_px):
    """Distance-to-cloud score of a stack of 2-D masks (..., y, x) -> float32, same shape.

    score = clip((d - 1) / D, 0, 1), 0 on cloudy cells; a slice without any cloudy cell scores 1
    everywhere (the nearest cloud is farther than D).
    """
    if not max_distance_px > 0:
        raise ValueError("parameter 'max_distance_to_cloud_m' must be > 0")
    cloudy = np.asarray(cloudy, dtype=bool)
    radius = int(np.ceil(max_distance_px)) + 1
    score = np.sqrt(bounded_squared_distance(cloudy, radius), dtype=np.float32)
    score -= np.float32(1.0)
    score /= np.float32(max_distance_px)
    np.clip(score, 0.0, 1.0, out=score)
    score[cloudy] = 0.0
    return score


def score_bands(values, band_names, context):
    """Core on a plain array (..., bands, y, x): returns a new float32 array, mask band -> score."""
    mask_band = context["mask_band"]
    if mask_band not in band_names:
        raise ValueError("distance score: band %r missing from the input bands %s" % (mask_band, list(band_names)))
    index = list(band_names).index(mask_band)
    mask_values = values[..., index, :, :]
    kind = context["mask_kind"]
    if kind == "fraction":
        tolerance = float(context["cloud_tolerance"])
        if not 0.0 < tolerance <= 1.0:
            raise ValueError("parameter 'cloud_tolerance' must be in (0, 1], got %r" % tolerance)
        cloudy = cloudy_from_fraction(mask_values, tolerance * float(context["fraction_scale"]))
    elif kind == "binned_flags":
        cloudy = cloudy_from_binned_flags(mask_values, context["cloudy_above"])
    else:
        raise ValueError("distance score: unknown mask_kind %r" % kind)
    max_distance_px = float(context["max_distance_to_cloud_m"]) / float(context["pixel_size_m"])
    out = np.array(values, dtype=np.float32, copy=True)
    out[..., index, :, :] = distance_score(cloudy, max_distance_px)
    others = [i for i in range(values.shape[-3]) if i != index]
    if others:
        out[..., others, :, :] = np.where(np.expand_dims(cloudy, -3), np.nan, out[..., others, :, :])
    return out


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    """openEO UDF entry point: (t, bands, y, x) in, same dims and labels out."""
    bands = [str(b) for b in cube.coords["bands"].values]
    values = score_bands(cube.values, bands, context)
    return xarray.DataArray(values, dims=cube.dims, coords=cube.coords)

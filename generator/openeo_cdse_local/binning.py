"""Sentinel-3 binning as the back-end does it when ``load_collection`` is given the feature flags
``{"reprojection_type": "binning", "super_sampling": f, "flag_band": ..., "flag_bitmask": m}``.

Reproduces openeo-geopyspark-driver ``openeogeotrellis/collections/sentinel3.py`` ``do_binning``
(with ``read_product`` and ``create_final_grid``) and ``openeogeotrellis/collections/binning.py``
``bin_to_grid`` / ``_bin_with_mean_statistic`` / ``_compute_bin_index`` / ``_super_sample_2d``, in
this order, per block of up to 8 x 8 layout tiles of the Sentinel-3 layer (EPSG:4326):

1. the product's pixels whose centres lie inside the block's extent (bounds included) are read;
2. each data band is set to no data where the flag band is no data or ``int(flag) & m != 0``
   (per source pixel; the flag band itself is left as it is);
3. every band, the flag band included, is super-sampled f x f: values repeated, coordinates
   interpolated linearly between pixel centres (and extrapolated linearly by f // 2 sub-pixels at
   the edges), sub-pixel k of pixel i at index ``i + (k - (f - 1) / 2) / f``;
4. each sub-pixel goes to bin ``row * W + col`` with ``row = trunc((lat - lat_min) / ps)``,
   ``col = trunc((lon - lon_min) / ps)`` (truncation toward zero, so a sub-pixel less than a
   bin outside the low edge lands in the first row or column), dropped only when
   ``row < 0 or row > H or col < 0 or col > W`` (``>``, not ``>=``: the back-end's bounds), and
   counted only for bins 0 .. W * H, the last one taking ``W * H`` as well;
5. per band, the mean of the sub-pixels with data in each bin: sum over count minus no-data
   count, no data where that is 0; the flag band's mean is a mean of bit fields;
6. the block is flipped back north-up and cut into tiles.

Coordinates here are interpolated linearly in the source pixel grid, which is what the
back-end's ``griddata(method="linear")`` gives exactly when the product's latitudes and
longitudes are linear in the pixel indices (a regular EPSG:4326 grid, as a local file is);
for other grids it is the same up to the choice of triangles.
"""

from __future__ import annotations

import numpy as np

#: Blocks of at most this many layout tiles per side are binned together (``read_product``:
#: ``MAX_KEYS = int(2048 / tile_size)``).
BLOCK_PX = 2048


def sub_positions(n: int, f: int) -> np.ndarray:
    """Indices (fractional) of the f sub-pixels of each of ``n`` pixels, in order."""
    k = (np.arange(f) - (f - 1) / 2.0) / f
    return (np.arange(n)[:, None] + k[None, :]).ravel()


def super_sample_coords(coords: np.ndarray, f: int) -> np.ndarray:
    """A 2-D coordinate array (rows, cols) at the sub-pixel positions, bilinear in the pixel
    indices, extrapolated linearly beyond the outer pixel centres."""
    if f == 1:
        return coords
    rows, cols = coords.shape
    r, c = sub_positions(rows, f), sub_positions(cols, f)

    def axis(pos, n):
        lo = np.clip(np.floor(pos).astype(np.int64), 0, max(n - 2, 0))
        hi = np.minimum(lo + 1, n - 1)
        return lo, hi, pos - lo

    r0, r1, wr = axis(r, rows)
    c0, c1, wc = axis(c, cols)
    top = coords[r0][:, c0] * (1 - wc) + coords[r0][:, c1] * wc
    bottom = coords[r1][:, c0] * (1 - wc) + coords[r1][:, c1] * wc
    return top * (1 - wr)[:, None] + bottom * wr[:, None]


def super_sample_values(values: np.ndarray, f: int) -> np.ndarray:
    """Values repeated f times along both of the last two axes (nearest)."""
    if f == 1:
        return values
    return np.repeat(np.repeat(values, f, axis=-2), f, axis=-1)


def mask_by_flags(values: np.ndarray, flags: np.ndarray, bitmask: int) -> np.ndarray:
    """``values`` with no data where ``flags`` is no data or has a ``bitmask`` bit set."""
    finite = np.isfinite(flags)
    flagged = ~finite | ((np.where(finite, flags, 0).astype(np.int64) & int(bitmask)) != 0)
    return np.where(flagged, np.nan, values)


def bin_index(lat: np.ndarray, lon: np.ndarray, lat_min: float, lon_min: float, pixel: float, height: int,
              width: int) -> np.ndarray:
    """The back-end's bin of each sub-pixel (see step 4); -1 for the ones it drops."""
    with np.errstate(invalid="ignore"):
        row = np.trunc((lat - lat_min) / pixel)
        col = np.trunc((lon - lon_min) / pixel)
    valid = np.isfinite(row) & np.isfinite(col)
    row = np.where(valid, row, -1).astype(np.int64)
    col = np.where(valid, col, -1).astype(np.int64)
    index = row * width + col
    index[(row < 0) | (row > height) | (col < 0) | (col > width) | ~valid] = -1
    return index


def _histogram(index: np.ndarray, n_bins: int, weights=None) -> np.ndarray:
    """``np.histogram(index, n_bins, range=(0, n_bins))`` for integer ``index``: bins 0 .. n_bins,
    the last bin right-closed (it also counts ``n_bins``), everything else dropped."""
    keep = (index >= 0) & (index <= n_bins)
    where = np.minimum(index[keep], n_bins - 1)
    w = None if weights is None else weights[keep]
    return np.bincount(where, weights=w, minlength=n_bins)[:n_bins]


def bin_block(bands: np.ndarray, lat: np.ndarray, lon: np.ndarray, lat_min: float, lon_min: float,
              pixel: float, height: int, width: int) -> np.ndarray:
    """Mean-bin super-sampled ``bands`` (b, rows, cols) with sub-pixel ``lat``/``lon`` (rows, cols)
    onto a ``height`` x ``width`` grid whose south-west corner is (``lat_min``, ``lon_min``).
    Returns (b, height, width) float64, north-up."""
    index = bin_index(lat.ravel(), lon.ravel(), lat_min, lon_min, pixel, height, width)
    n_bins = height * width
    counts = _histogram(index, n_bins)
    out = np.empty((bands.shape[0], n_bins), dtype=np.float64)
    for b, band in enumerate(bands.reshape(bands.shape[0], -1)):
        finite = np.isfinite(band)
        total = _histogram(index, n_bins, np.where(finite, band, 0.0).astype(np.float64))
        missing = _histogram(index[~finite], n_bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[b] = total / (counts - missing)
    return out.reshape(bands.shape[0], height, width)[:, ::-1, :]


def bin_product(values: np.ndarray, band_names: list[str], lat: np.ndarray, lon: np.ndarray, block_west: float,
                block_south: float, pixel: float, height: int, width: int, super_sampling: int, flag_band: str | None,
                flag_bitmask: int) -> np.ndarray:
    """One product (one date) binned into one block: ``values`` (bands, rows, cols) of the source
    pixels inside the block, with pixel-centre ``lat``/``lon`` (rows, cols). Returns (bands,
    height, width) float32."""
    values = np.asarray(values, dtype=np.float32)
    if flag_band is not None:
        if flag_band not in band_names:
            raise ValueError(f"flag_band {flag_band!r} is not among the loaded bands {band_names}")
        flags = values[band_names.index(flag_band)]
        masked = values.copy()
        for b, name in enumerate(band_names):
            if name != flag_band:
                masked[b] = mask_by_flags(values[b], flags, flag_bitmask)
        values = masked
    f = int(super_sampling)
    bands = super_sample_values(values, f)
    binned = bin_block(bands, super_sample_coords(lat, f), super_sample_coords(lon, f), block_south, block_west,
                       pixel, height, width)
    return binned.astype(np.float32)

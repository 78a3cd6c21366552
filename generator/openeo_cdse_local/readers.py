"""Reading a collection's file onto the layer ``load_collection`` chose: window by window, lazy.

- ``on_grid``: a file on the layer's own grid (Sentinel-2, and every collection without a
  profile), its pixels placed on the layout's pixels, padded with no data;
- ``sentinel3``: Sentinel-3 products resampled onto the EPSG:4326 layer per block of tiles and
  batch of products, binned (``binning``) when the feature flags ask for it, else the nearest
  product pixel within two pixels (openeo-geopyspark-driver
  ``openeogeotrellis/collections/sentinel3.py`` ``read_product``, ``create_index_LUT``);
- ``merge_groups``: products that share a label merged cell by cell, the first with data
  winning (the back-end's ``mergeTiles``).
"""

from __future__ import annotations

import dask
import dask.array as da
import numpy as np
import pyproj

from openeo_cdse_local import binning, chunks, data
from openeo_cdse_local.collections import Profile
from openeo_cdse_local.errors import InvalidData
from openeo_cdse_local.grids import Layout

#: Sentinel-3 products read from the file per read (one read per product costs ~7 ms of
#: h5netcdf overhead each, which dominated small runs)
READ_DATES = 32


def first_with_data(stack: np.ndarray) -> np.ndarray:
    """Cell by cell the first value with data along axis 0 (geotrellis ``merge``)."""
    out = stack[0].copy()
    for layer in stack[1:]:
        gap = np.isnan(out)
        out[gap] = layer[gap]
    return out


def merge_groups(values: da.Array, groups: list[np.ndarray]) -> da.Array:
    """Dates sharing a label merged: one layer per group (axis 0)."""
    if all(len(g) == 1 for g in groups):
        return values
    layers = []
    for g in groups:
        if len(g) == 1:
            layers.append(values[int(g[0])])
        else:
            layers.append(values[list(map(int, g))].map_blocks(first_with_data, drop_axis=0, dtype=values.dtype))
    return da.stack(layers, axis=0)


def on_grid(collection: data.Collection, bands: list[str], t_index: np.ndarray, layout: Layout, rows: slice,
             cols: slice, known: Profile | None, chunk_px: int) -> da.Array:
    """The file's pixels placed on the layout's pixels ``rows`` x ``cols`` (t, bands, y, x)."""
    x, y = collection.x, collection.y
    fx = (x - layout.left) / layout.res - 0.5
    fy = (layout.top - y) / layout.res - 0.5
    if not (np.allclose(fx, np.round(fx), atol=1e-3) and np.allclose(fy, np.round(fy), atol=1e-3)):
        raise InvalidData(f"load_collection: {collection.path}: pixel centres are not on the back-end's "
                          f"{layout.res:g} grid (pixel edges at multiples of {layout.res:g} in "
                          f"{layout.crs.name}); resample the file onto it")
    c0, r0 = int(round(fx[0])), int(round(fy[0]))
    # the file's part inside the wanted window, and where it goes
    fc = slice(max(cols.start - c0, 0), max(min(cols.stop - c0, x.size), 0))
    fr = slice(max(rows.start - r0, 0), max(min(rows.stop - r0, y.size), 0))
    height, width = rows.stop - rows.start, cols.stop - cols.start
    n_t = t_index.size
    window = {"t": -1, "y": chunk_px, "x": chunk_px}
    if fc.stop <= fc.start or fr.stop <= fr.start or n_t == 0 or not bands:
        return da.full((n_t, len(bands), height, width), np.nan, dtype=np.float32, chunks=(-1, -1, chunk_px, chunk_px))
    sub = collection.ds[bands].isel(t=t_index, y=fr, x=fc)
    values = da.stack([sub[b].chunk(window).data.astype(np.float32) for b in bands], axis=1)
    if known is not None and known.nodata is not None:
        values = da.where(values == np.float32(known.nodata), np.float32(np.nan), values)
    pad_y = (fr.start + r0 - rows.start, rows.stop - (fr.stop + r0))
    pad_x = (fc.start + c0 - cols.start, cols.stop - (fc.stop + c0))
    values = chunks.pad_nan(values, [(0, 0), (0, 0), pad_y, pad_x], chunk_px)
    return values.rechunk({0: -1, 1: -1, 2: chunk_px, 3: chunk_px})


#: most pixels of a Sentinel-3 file's grid: their longitudes and latitudes are held whole
#: (2 x 8 bytes each: 256 MiB at this bound, a 4000 x 4000 px grid, 1 200 km at 300 m)
MAX_SOURCE_PIXELS = 16_000_000


def _source_lonlat(collection: data.Collection) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of every pixel centre of the file (2-D); a grid over
    ``MAX_SOURCE_PIXELS`` is refused before anything is allocated."""
    pixels = len(collection.y) * len(collection.x)
    if pixels > MAX_SOURCE_PIXELS:
        raise InvalidData(f"load_collection: {collection.path}: a grid of {len(collection.y)} x {len(collection.x)} "
                          f"pixels; at most {MAX_SOURCE_PIXELS} are read from a Sentinel-3 file (cut it to the area)")
    xx, yy = np.meshgrid(collection.x, collection.y)
    if collection.crs.is_geographic and collection.crs.to_epsg() == 4326:
        return xx, yy
    to_lonlat = pyproj.Transformer.from_crs(collection.crs, pyproj.CRS.from_epsg(4326), always_xy=True)
    return to_lonlat.transform(xx, yy)


def _block_window(lon: np.ndarray, lat: np.ndarray, west, south, east, north):
    """The source rows and columns with pixel centres inside a block's extent (bounds included),
    and which of those pixels are inside (``_read_latlonfile``'s mask)."""
    inside = (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)
    if not inside.any():
        return None
    rows = np.flatnonzero(inside.any(axis=1))
    cols = np.flatnonzero(inside.any(axis=0))
    rs, cs = slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)
    return rs, cs, inside[rs, cs]


def _block_of_products(values, bands, keep, lon, lat, west, south, pixel, height, width, flags) -> np.ndarray:
    """Binned (or nearest) products on one block: ``values`` (products, bands, rows, cols) of the
    source pixels of the block's window -> (products, bands, height, width)."""
    out = np.full((values.shape[0], len(bands), height, width), np.nan, dtype=np.float32)
    north = south + height * pixel
    for k in range(values.shape[0]):
        product = np.array(values[k], dtype=np.float32)
        product[:, ~keep] = np.nan
        if flags and flags.get("reprojection_type") == "binning":
            out[k] = binning.bin_product(product, bands, np.where(keep, lat, np.nan), np.where(keep, lon, np.nan),
                                         west, south, pixel, height, width, int(flags.get("super_sampling", 1)),
                                         flags.get("flag_band"), int(flags.get("flag_bitmask", 0xFF)))
        else:
            out[k] = _nearest(product, lon[keep], lat[keep], keep, west, north, pixel, height, width)
    return out


def _nearest(values, lon, lat, keep, west, north, pixel, height, width) -> np.ndarray:
    """The nearest source pixel within two pixels of each target centre (``create_index_LUT``)."""
    # lazy: scipy.spatial costs 97 ms after a run's imports (python -X importtime); only a load without the
    # binning reprojection (the EFAST graph bins) needs it
    from scipy.spatial import cKDTree

    tree = cKDTree(np.column_stack([lon, lat]))
    gx, gy = np.meshgrid(west + pixel * (np.arange(width) + 0.5), north - pixel * (np.arange(height) + 0.5))
    distance, index = tree.query(np.column_stack([gx.ravel(), gy.ravel()]), k=1, distance_upper_bound=2 * pixel)
    found = np.isfinite(distance)
    flat = values[:, keep]
    out = np.full((values.shape[0], height * width), np.nan, dtype=np.float32)
    out[:, found] = flat[:, index[found]]
    return out.reshape(values.shape[0], height, width)


def _batches(groups: list[np.ndarray], size: int) -> list[list[np.ndarray]]:
    """The label groups in runs of at most ``size`` products (one task and one read each)."""
    batches, current, count = [], [], 0
    for group in groups:
        if current and count + len(group) > size:
            batches.append(current)
            current, count = [], 0
        current.append(group)
        count += len(group)
    return batches + ([current] if current else [])


def _block_of_labels(values, lengths, *args) -> np.ndarray:
    """``_block_of_products`` on a batch of products, then the products that share a label
    merged (``lengths``: products per label, in order) -> (labels, bands, height, width)."""
    out = _block_of_products(values, *args)
    if all(n == 1 for n in lengths):
        return out
    ends = np.cumsum(lengths)
    return np.stack([first_with_data(out[e - n:e]) if n > 1 else out[e - 1] for n, e in zip(lengths, ends)])


def sentinel3(collection: data.Collection, bands: list[str], groups: list[np.ndarray], layout: Layout,
               tile_rows: range, tile_cols: range, flags: dict | None) -> da.Array:
    """Sentinel-3 products resampled onto the layer, per block of tiles and batch of up to
    ``READ_DATES`` products: one read and one task each (a task per product made thousands of
    tasks and reads, each paying h5netcdf's per-read overhead, for a 13 x 13 px file)."""
    lon, lat = _source_lonlat(collection)
    source = da.stack([collection.ds[b].chunk({"t": READ_DATES, "y": -1, "x": -1}).data for b in bands], axis=1)
    per_side = max(1, binning.BLOCK_PX // layout.tile_px)
    t = layout.tile_px
    row_blocks = [range(r, min(r + per_side, tile_rows.stop)) for r in range(tile_rows.start, tile_rows.stop, per_side)]
    col_blocks = [range(c, min(c + per_side, tile_cols.stop)) for c in range(tile_cols.start, tile_cols.stop, per_side)]
    batches = _batches(groups, READ_DATES)
    task = dask.delayed(_block_of_labels, pure=True)
    rows_out = []
    for rb in row_blocks:
        cols_out = []
        for cb in col_blocks:
            height, width = len(rb) * t, len(cb) * t
            west = layout.left + cb.start * t * layout.res
            north = layout.top - rb.start * t * layout.res
            south = north - height * layout.res
            window = _block_window(lon, lat, west, south, west + width * layout.res, north)
            layers = []
            for batch in batches:
                if window is None:
                    layers.append(da.full((len(batch), len(bands), height, width), np.nan, dtype=np.float32))
                    continue
                rs, cs, keep = window
                products = np.concatenate(batch).astype(int)
                span = slice(int(products.min()), int(products.max()) + 1)
                piece = source[span][products - span.start][..., rs, cs] if products.size != span.stop - span.start \
                    else source[span][..., rs, cs]
                layers.append(da.from_delayed(
                    task(piece, [len(g) for g in batch], bands, keep, lon[rs, cs], lat[rs, cs], west, south,
                         layout.res, height, width, flags),
                    shape=(len(batch), len(bands), height, width), dtype=np.float32))
            cols_out.append(da.concatenate(layers, axis=0) if layers else
                            da.full((0, len(bands), height, width), np.nan, dtype=np.float32))
        rows_out.append(cols_out)
    return da.block(rows_out)

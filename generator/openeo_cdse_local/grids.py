"""Extents and tile layouts as the back-end computes them when it loads a collection.

Reproduces, at the commits in ``registry.BACKEND_COMMITS`` (and openeo-geotrellis-extensions'
Scala layout code as of its public snapshot 2a25a26e, 2024-10-21, which the back-end calls):

- the "best UTM" zone of an extent: openeo-python-driver ``openeo_driver/util/utm.py``
  ``auto_utm_epsg_for_geometry`` (the zone of the extent's centre);
- reprojecting a bounding box: ``openeo_driver/util/geometry.py`` ``BoundingBox.reproject`` (the
  bounds of the four projected corners);
- buffering by a pixel buffer and snapping outward to the pixel size:
  openeo-geopyspark-driver ``openeogeotrellis/_backend/post_dry_run.py`` ``_buffer_extent`` and
  ``_align_extent`` (``BoundingBox.round_to_resolution``);
- the layout: geotrellis ``FloatingLayoutScheme`` over the global extent, as built by
  ``DatacubeSupport.getLayout``: tiles of ``tile_px`` pixels from the extent's top-left corner,
  as many as cover it; a collection is read in whole tiles (those that touch what is loaded),
  so a cube's pixels always fill whole tiles, no data where the source has none.

A ``Layout`` travels with every cube (``cube.attrs["layout"]``): the processes that retile
(``apply_neighborhood``), resample (``resample_spatial``) or align (``merge_cubes``) read and
write it, as the back-end's layer metadata carries its layout definition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyproj


@dataclass(frozen=True)
class BBox:
    """A bounding box in ``crs``: west, south, east, north."""

    west: float
    south: float
    east: float
    north: float
    crs: pyproj.CRS

    def reproject(self, crs: pyproj.CRS) -> "BBox":
        """The bounds of the four corners projected to ``crs`` (``BoundingBox.reproject``)."""
        crs = pyproj.CRS.from_user_input(crs)
        if crs == self.crs:
            return self
        transformer = pyproj.Transformer.from_crs(self.crs, crs, always_xy=True)
        xs, ys = transformer.transform([self.west, self.east, self.east, self.west],
                                       [self.south, self.south, self.north, self.north])
        return BBox(min(xs), min(ys), max(xs), max(ys), crs)

    def buffer(self, dx: float, dy: float) -> "BBox":
        return BBox(self.west - dx, self.south - dy, self.east + dx, self.north + dy, self.crs)

    def snap(self, res: float) -> "BBox":
        """Outward to multiples of ``res`` (``BoundingBox.round_to_resolution``)."""
        return BBox(res * math.floor(self.west / res), res * math.floor(self.south / res),
                    res * math.ceil(self.east / res), res * math.ceil(self.north / res), self.crs)

    def overlaps(self, other: "BBox") -> bool:
        """Whether the two boxes share an area (``other`` taken into this box's CRS)."""
        other = other.reproject(self.crs)
        return self.west < other.east and other.west < self.east and self.south < other.north and \
            other.south < self.north

    def union(self, other: "BBox") -> "BBox":
        other = other.reproject(self.crs)
        return BBox(min(self.west, other.west), min(self.south, other.south), max(self.east, other.east),
                    max(self.north, other.north), self.crs)

    @property
    def centre(self) -> tuple[float, float]:
        return (self.west + self.east) / 2, (self.south + self.north) / 2


def best_utm(bbox: BBox) -> pyproj.CRS:
    """The UTM zone of the box's centre: EPSG 326zz north of the equator, 327zz south. The centre
    is taken in the box's own CRS, then projected (``auto_utm_epsg_for_geometry`` projects the
    box's representative point, for a rectangle its centre): for a UTM box that is not the
    centre of its bounds in degrees, as the meridians converge."""
    x, y = bbox.centre
    lon, lat = pyproj.Transformer.from_crs(bbox.crs, pyproj.CRS.from_epsg(4326), always_xy=True).transform(x, y)
    zone = int(math.floor((lon + 180.0) / 6.0)) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


@dataclass(frozen=True)
class Layout:
    """A tile layout: pixels of ``res`` from the top-left corner (``left``, ``top``), in tiles of
    ``tile_px`` pixels, ``cols`` x ``rows`` tiles."""

    crs: pyproj.CRS
    res: float
    left: float
    top: float
    tile_px: int
    cols: int
    rows: int

    def __repr__(self) -> str:
        return (f"Layout(EPSG:{self.crs.to_epsg()}, res={self.res:g}, left={self.left:.6g}, top={self.top:.7g}, "
                f"tile_px={self.tile_px}, {self.cols}x{self.rows} tiles)")

    @classmethod
    def covering(cls, extent: BBox, res: float, tile_px: int) -> "Layout":
        """The floating layout over ``extent``: its top-left corner, whole tiles to cover it."""
        size = tile_px * res
        cols = max(1, math.ceil(round((extent.east - extent.west) / size, 9)))
        rows = max(1, math.ceil(round((extent.north - extent.south) / size, 9)))
        return cls(extent.crs, float(res), float(extent.west), float(extent.north), int(tile_px), cols, rows)

    @property
    def bottom(self) -> float:
        return self.top - self.rows * self.tile_px * self.res

    @property
    def right(self) -> float:
        return self.left + self.cols * self.tile_px * self.res

    def tiles_touching(self, box: BBox) -> tuple[range, range]:
        """(tile rows, tile columns) of the layout that ``box`` touches."""
        box = box.reproject(self.crs)
        size = self.tile_px * self.res

        def span(low: float, high: float, n: int) -> range:
            first = max(0, math.floor(round(low / size, 9)))
            last = min(n - 1, math.ceil(round(high / size, 9)) - 1)
            return range(first, last + 1) if last >= first else range(0)

        return (span(self.top - box.north, self.top - box.south, self.rows),
                span(box.west - self.left, box.east - self.left, self.cols))

    def pixel_window(self, tile_rows: range, tile_cols: range) -> tuple[slice, slice]:
        """Layout pixel rows and columns of a block of tiles."""
        t = self.tile_px
        return slice(tile_rows.start * t, tile_rows.stop * t), slice(tile_cols.start * t, tile_cols.stop * t)

    def x(self, cols: slice) -> np.ndarray:
        """Pixel-centre x of layout pixel columns ``cols``."""
        return self.left + self.res * (np.arange(cols.start, cols.stop) + 0.5)

    def y(self, rows: slice) -> np.ndarray:
        """Pixel-centre y of layout pixel rows ``rows`` (descending)."""
        return self.top - self.res * (np.arange(rows.start, rows.stop) + 0.5)

    def retiled(self, tile_px: int) -> "Layout":
        """The same pixels in tiles of ``tile_px`` from the same upper-left corner (geotrellis
        ``RegridFixed``, as ``apply_neighborhood`` retiles)."""
        pixels_x, pixels_y = self.cols * self.tile_px, self.rows * self.tile_px
        return Layout(self.crs, self.res, self.left, self.top, int(tile_px), math.ceil(pixels_x / tile_px),
                      math.ceil(pixels_y / tile_px))


def column_offset(layout: Layout, x0: float) -> int:
    """Layout pixel column whose centre is ``x0`` (a cube's first column)."""
    return int(round((x0 - layout.left) / layout.res - 0.5))


def row_offset(layout: Layout, y0: float) -> int:
    """Layout pixel row whose centre is ``y0`` (a cube's first row)."""
    return int(round((layout.top - y0) / layout.res - 0.5))

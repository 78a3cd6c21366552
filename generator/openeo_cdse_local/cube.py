"""Raster cube conventions of the local executor.

A cube is an ``xarray.DataArray`` with dimensions among ``t`` (datetime64), ``bands`` (str),
``y`` (descending pixel-centre coordinates) and ``x`` (ascending pixel-centre coordinates),
float32 values with NaN as no data, and its CRS written with rioxarray (``spatial_ref``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray

from openeo_cdse_local.grids import Layout
from openeo_cdse_local.tiling import DEFAULT_TILE_PX


@dataclass(frozen=True)
class Grid:
    """A regular grid: pixel-centre coordinates of the first column/row and the pixel size."""

    crs: pyproj.CRS
    x0: float  # centre of the first column
    y0: float  # centre of the first row (the top one)
    res: float  # pixel size (x and y)
    nx: int
    ny: int

    @property
    def x(self) -> np.ndarray:
        return self.x0 + self.res * np.arange(self.nx)

    @property
    def y(self) -> np.ndarray:
        return self.y0 - self.res * np.arange(self.ny)

    @property
    def left(self) -> float:
        return self.x0 - self.res / 2

    @property
    def top(self) -> float:
        return self.y0 + self.res / 2


def crs_of(cube: xarray.DataArray) -> pyproj.CRS:
    crs = cube.rio.crs
    if crs is None:
        raise ValueError("data cube without a coordinate reference system")
    return pyproj.CRS.from_user_input(crs.to_wkt())


def resolution(coords: np.ndarray, name: str) -> float:
    if coords.size < 2:
        raise ValueError(f"cannot tell the pixel size from a single {name} coordinate")
    steps = np.diff(coords.astype(np.float64))
    step = float(np.median(np.abs(steps)))
    if not np.allclose(np.abs(steps), step, rtol=1e-6):
        raise ValueError(f"irregular {name} coordinates")
    return step


def grid_of(cube: xarray.DataArray, res: float | None = None) -> Grid:
    """The grid of a cube (``res`` for cubes a single pixel wide)."""
    x, y = cube.coords["x"].values, cube.coords["y"].values
    if res is None:
        axis = "x" if x.size > 1 else "y"  # a cube one column wide: the rows' step
        res = cube.attrs.get("resolution") or resolution(x if axis == "x" else y, axis)
    return Grid(crs_of(cube), float(x[0]), float(y[0]), float(res), int(x.size), int(y.size))


def layout_of(cube: xarray.DataArray, chunk_px: int | None = None) -> "Layout":
    """The cube's tile layout (``attrs["layout"]``); a cube without one (a test's) gets a layout
    starting at its own top-left pixel, in tiles of the default size."""
    layout = cube.attrs.get("layout")
    if isinstance(layout, Layout):
        return layout
    grid = grid_of(cube)
    tile = DEFAULT_TILE_PX
    return Layout(grid.crs, grid.res, grid.left, grid.top, tile, -(-grid.nx // tile), -(-grid.ny // tile))


def _float_noise(cube: xarray.DataArray) -> float:
    """A thousandth of the cube's pixel: how far two coordinates of one grid may differ (a
    relative tolerance would not do: 1e-5 of a northing of 1 740 000 m is 17 m, more than a pixel)."""
    res = cube.attrs.get("resolution")
    if not res:
        steps = [abs(float(c[1] - c[0])) for c in (cube.x.values, cube.y.values) if c.size > 1]
        res = min(steps) if steps else 0.0
    return 1e-3 * float(res)


def same_grid(a: xarray.DataArray, b: xarray.DataArray) -> bool:
    """Same size, CRS and coordinates up to float noise (``_float_noise``)."""
    noise = _float_noise(a)
    return (
        a.sizes["x"] == b.sizes["x"] and a.sizes["y"] == b.sizes["y"]
        and np.allclose(a.x.values, b.x.values, rtol=0.0, atol=noise)
        and np.allclose(a.y.values, b.y.values, rtol=0.0, atol=noise)
        and crs_of(a) == crs_of(b)
    )


def with_grid(values: np.ndarray, dims: tuple, coords: dict, grid: Grid, attrs: dict | None = None) -> xarray.DataArray:
    """A cube on ``grid`` (coords other than x/y taken from ``coords``)."""
    coords = {k: v for k, v in coords.items() if k in dims and k not in ("x", "y")}
    coords.update(x=grid.x, y=grid.y)
    cube = xarray.DataArray(values, dims=dims, coords=coords, attrs=dict(attrs or {}))
    cube.attrs["resolution"] = grid.res
    return cube.rio.write_crs(grid.crs.to_wkt())


def cube_dims_order(cube: xarray.DataArray) -> xarray.DataArray:
    """(t, bands, y, x) order for the dimensions present."""
    order = [d for d in ("t", "bands", "y", "x") if d in cube.dims]
    rest = [d for d in cube.dims if d not in order]
    return cube.transpose(*(order[:-2] + rest + order[-2:]))

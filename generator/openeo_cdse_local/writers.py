"""Results on disk: the cube of a run as NetCDF and GeoTIFF files, written window by window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj
import xarray

from openeo_cdse_local.cube import cube_dims_order
from openeo_cdse_local.data import ENGINE, crs_variable
from openeo_cdse_local.errors import ProcessFailure


def cube_to_dataset(cube: xarray.DataArray) -> xarray.Dataset:
    """A cube as a CF dataset: one variable per band, CRS as grid_mapping."""
    cube = cube_dims_order(cube)
    crs = pyproj.CRS.from_user_input(cube.rio.crs.to_wkt()) if cube.rio.crs is not None else None
    cube = cube.drop_vars([c for c in cube.coords if c not in cube.dims])
    if "bands" in cube.dims:
        ds = cube.to_dataset(dim="bands")
    else:
        ds = cube.to_dataset(name="data")
    ds = ds.rename({k: str(k) for k in ds.data_vars})
    if crs is not None:
        ds["spatial_ref"] = crs_variable(crs)
        for name in list(ds.data_vars):
            if name != "spatial_ref":
                ds[name].attrs["grid_mapping"] = "spatial_ref"
    for name, attrs in (("x", {"standard_name": "projection_x_coordinate", "units": "m"}),
                        ("y", {"standard_name": "projection_y_coordinate", "units": "m"}),
                        ("t", {"standard_name": "time"})):
        if name in ds.coords:
            ds[name].attrs.update(attrs)
    ds.attrs = {"Conventions": "CF-1.8"}
    return ds


#: HDF5 chunk / GeoTIFF tile edge of the outputs, and their deflate levels: level 1 compresses
#: noisy float32 reflectances nearly as well as 4-6 at a fraction of the time (issue 16)
OUT_TILE_PX = 256
NETCDF_COMPLEVEL = 1
GEOTIFF_ZLEVEL = 1


def _layout(cube: xarray.DataArray) -> tuple[xarray.DataArray, list[str], tuple]:
    """The cube in (t, bands, y, x) order, its variable names (one per band, else ``data``)
    and the dimensions of each variable."""
    cube = cube_dims_order(cube)
    names = [str(b) for b in cube.bands.values] if "bands" in cube.dims else ["data"]
    return cube, names, tuple(d for d in cube.dims if d != "bands")


class NetCDFWriter:
    """A CF NetCDF file of ``cube`` written window by window (``write``), then ``close``d.

    The coordinates, the CRS variable and the attributes are written first (as
    ``cube_to_dataset`` lays them out), then one compressed float variable per band with
    ``_FillValue`` NaN. ``attrs``: global attributes (title, source, history, ...);
    ``variables``: band name -> attributes (units, long_name)."""

    def __init__(self, cube: xarray.DataArray, path: Path, attrs: dict | None = None,
                 variables: dict[str, dict] | None = None):
        import h5netcdf

        self.cube, self.names, self.dims = _layout(cube)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        skeleton = cube_to_dataset(self.cube.isel(bands=0, drop=True) if "bands" in self.cube.dims else self.cube)
        skeleton = skeleton.drop_vars([n for n in skeleton.data_vars if n != "spatial_ref"])
        skeleton.attrs.update(attrs or {})
        skeleton.to_netcdf(self.path, engine=ENGINE)
        self.file = h5netcdf.File(self.path, "a")
        shape = [self.cube.sizes[d] for d in self.dims]
        chunk = tuple(1 if d not in ("y", "x") else min(OUT_TILE_PX, n) for d, n in zip(self.dims, shape))
        dtype = np.dtype(self.cube.dtype) if np.issubdtype(self.cube.dtype, np.floating) else np.dtype(np.float32)
        self.variables = []
        for name in self.names:
            var = self.file.create_variable(name, self.dims, dtype=dtype, fillvalue=dtype.type(np.nan),
                                            chunks=chunk if all(shape) else None, compression="gzip",
                                            compression_opts=NETCDF_COMPLEVEL, shuffle=True)
            if "spatial_ref" in self.file.variables:
                var.attrs["grid_mapping"] = "spatial_ref"
            for key, value in (variables or {}).get(name, {}).items():
                var.attrs[key] = value
            self.variables.append(var)

    def write(self, region: tuple[slice, ...], block: np.ndarray) -> None:
        """Values of the (t, bands, y, x)-ordered cube at ``region`` (one slice per dimension)."""
        if "bands" not in self.cube.dims:
            self.variables[0][region] = block
            return
        axis = self.cube.dims.index("bands")
        rest = region[:axis] + region[axis + 1:]
        for k, index in enumerate(range(*region[axis].indices(len(self.names)))):
            self.variables[index][rest] = np.take(block, k, axis=axis)

    def close(self) -> None:
        self.file.close()


class GeoTIFFWriter:
    """One multi-band float32 GeoTIFF per date, ``<prefix>_YYYY-MM-DD.tif`` (tiled, deflate,
    nodata NaN, each band's description its name, the date in the ``date`` and
    ``TIFFTAG_DATETIME`` tags), written window by window."""

    def __init__(self, cube: xarray.DataArray, out_dir: Path, prefix: str = "efast"):
        import rasterio
        from affine import Affine

        from openeo_cdse_local.cube import grid_of

        self.cube, self.names, _ = _layout(cube)
        if "t" not in self.cube.dims:
            raise ProcessFailure("GeoTIFF output needs a cube with a t dimension")
        out_dir.mkdir(parents=True, exist_ok=True)
        grid = grid_of(self.cube)
        ny, nx = self.cube.sizes["y"], self.cube.sizes["x"]
        tiled = {"tiled": True, "blockxsize": OUT_TILE_PX, "blockysize": OUT_TILE_PX} if min(nx, ny) >= OUT_TILE_PX else {}
        self.paths, self.files = [], []
        for label in self.cube.coords["t"].values:
            path = out_dir / f"{prefix}_{np.datetime64(label, 'D')}.tif"
            dst = rasterio.open(path, "w", driver="GTiff", width=nx, height=ny, count=len(self.names), dtype="float32",
                                crs=grid.crs.to_wkt(), transform=Affine(grid.res, 0.0, grid.left, 0.0, -grid.res, grid.top),
                                nodata=np.nan, compress="deflate", zlevel=GEOTIFF_ZLEVEL, predictor=1, **tiled)
            day = str(np.datetime64(label, "D"))
            dst.update_tags(bands=",".join(self.names), date=day,
                            TIFFTAG_DATETIME=f"{day.replace('-', ':')} 00:00:00")
            for index, name in enumerate(self.names, 1):
                dst.set_band_description(index, name)
            self.paths.append(path)
            self.files.append(dst)

    def write(self, region: tuple[slice, ...], block: np.ndarray) -> None:
        from rasterio.windows import Window

        ys, xs = region[-2], region[-1]
        window = Window(xs.start, ys.start, xs.stop - xs.start, ys.stop - ys.start)
        bands = self.cube.dims.index("bands") if "bands" in self.cube.dims else None
        band_ids = list(range(1, len(self.names) + 1)) if bands is None else \
            [i + 1 for i in range(*region[bands].indices(len(self.names)))]
        for k, index in enumerate(range(*region[0].indices(len(self.files)))):
            layer = np.take(block, k, axis=0).astype(np.float32, copy=False)
            self.files[index].write(layer if bands is not None else layer[None], indexes=band_ids, window=window)

    def close(self) -> None:
        for dst in self.files:
            dst.close()


def write_netcdf(cube: xarray.DataArray, path: Path) -> Path:
    """The whole cube as CF NetCDF (``NetCDFWriter``; lazy cubes stream window by window)."""
    from openeo_cdse_local import stream

    stream.write([(cube, [lambda c: NetCDFWriter(c, path)])])
    return path


def write_geotiffs(cube: xarray.DataArray, out_dir: Path, prefix: str = "efast") -> list[Path]:
    """One multi-band float32 GeoTIFF per date: ``<prefix>_YYYY-MM-DD.tif``."""
    from openeo_cdse_local import stream

    writers = stream.write([(cube, [lambda c: GeoTIFFWriter(c, out_dir, prefix)])])
    return list(writers[0].paths)

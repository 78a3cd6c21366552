"""A result folder laid out as a CDSE batch job of this UDP lays it out, written here from the
documented conventions of openeo-geotrellis-extensions' writers (not from their code):

- ``openEO.nc`` (netCDF-4): dimensions ``t`` (unlimited), ``y``, ``x``; ``t`` int32 "days since
  1990-01-01" with ``standard_name`` and ``long_name`` "t" and ``axis`` "T"; ``x``/``y`` float64
  pixel centres with ``standard_name`` projection_x/y_coordinate, ``long_name`` "x/y coordinate
  of projection", ``units`` "m"; a scalar character variable ``crs`` holding the WKT in
  ``crs_wkt`` and ``spatial_ref``; one variable per band over ``(t, y, x)`` with ``long_name``
  its name, empty ``units``, a ``_FillValue`` and ``grid_mapping`` "crs"; global ``Conventions``
  "CF-1.9" and ``institution`` "openEO platform".
- ``openEO_<YYYY-MM-DD>Z.tif``: one GeoTIFF per date with every band, tiled, DEFLATE, with
  internal overviews and each band's description its name.

The downstream script ``docs/examples/read_results.py`` is run on such a folder and on
``efast-udp run``'s output (tests/openeo_cdse_local/test_writers.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj

EPOCH = np.datetime64("1990-01-01", "D")


def write(folder: Path, bands: dict[str, np.ndarray], days, x: np.ndarray, y: np.ndarray, crs) -> Path:
    """``bands``: name -> float32 (t, y, x) values, NaN as no data; ``days``: the dates (t)."""
    import h5netcdf
    import rasterio
    from affine import Affine

    folder.mkdir(parents=True, exist_ok=True)
    wkt = pyproj.CRS.from_user_input(crs).to_wkt()
    offsets = (np.asarray(days, dtype="datetime64[D]") - EPOCH).astype(np.int32)
    with h5netcdf.File(folder / "openEO.nc", "w") as nc:
        nc.attrs.update({"Conventions": "CF-1.9", "institution": "openEO platform"})
        nc.dimensions.update({"t": None, "y": len(y), "x": len(x)})
        nc.resize_dimension("t", len(offsets))
        t = nc.create_variable("t", ("t",), dtype=np.int32, data=offsets)
        t.attrs.update({"standard_name": "t", "long_name": "t", "units": "days since 1990-01-01", "axis": "T"})
        for name, values in (("x", x), ("y", y)):
            var = nc.create_variable(name, (name,), dtype=np.float64, data=np.asarray(values, float))
            var.attrs.update({"standard_name": f"projection_{name}_coordinate",
                              "long_name": f"{name} coordinate of projection", "units": "m"})
        crs_var = nc.create_variable("crs", (), dtype="S1")
        crs_var.attrs.update({"crs_wkt": wkt, "spatial_ref": wkt})
        for name, values in bands.items():
            var = nc.create_variable(name, ("t", "y", "x"), dtype=np.float32, data=values, fillvalue=np.float32(np.nan),
                                     compression="gzip")
            var.attrs.update({"long_name": name, "units": "", "grid_mapping": "crs"})
    res = float(x[1] - x[0])
    transform = Affine(res, 0.0, float(x[0]) - res / 2, 0.0, -res, float(y[0]) + res / 2)
    names = list(bands)
    for i, day in enumerate(np.asarray(days, dtype="datetime64[D]")):
        path = folder / f"openEO_{day}Z.tif"
        with rasterio.open(path, "w", driver="GTiff", width=len(x), height=len(y), count=len(names), dtype="float32",
                           crs=wkt, transform=transform, nodata=np.nan, compress="deflate", tiled=True,
                           blockxsize=16, blockysize=16) as dst:
            for k, name in enumerate(names, 1):
                dst.write(bands[name][i].astype(np.float32), k)
                dst.set_band_description(k, name)
            dst.build_overviews([2])
    return folder

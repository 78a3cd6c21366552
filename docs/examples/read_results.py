"""Read an EFAST result folder as a CDSE batch job writes it, and `efast-udp run` too.

    python docs/examples/read_results.py FOLDER

FOLDER holds ``openEO.nc`` and ``openEO_<YYYY-MM-DD>Z.tif`` (a downloaded batch job result or
``efast-udp run --out``). Prints, as JSON: the CRS, the bands, the dates, and for every band its
mean over the scene and dates; checks that each GeoTIFF holds the NetCDF's values of its date.
Needs xarray (with h5netcdf or netCDF4), rasterio and pyproj.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pyproj
import rasterio
import xarray


def read(folder: Path) -> dict:
    ds = xarray.open_dataset(folder / "openEO.nc")
    crs = pyproj.CRS.from_wkt(ds["crs"].attrs["crs_wkt"])  # the grid-mapping variable
    bands = [name for name in ds.data_vars if ds[name].attrs.get("grid_mapping") == "crs"]
    dates = [str(day) for day in ds["t"].values.astype("datetime64[D]")]
    tifs = sorted(folder.glob("openEO_*.tif"))
    if [t.name for t in tifs] != [f"openEO_{day}Z.tif" for day in dates]:
        raise SystemExit(f"{folder}: expected one openEO_<date>Z.tif per date of openEO.nc")
    worst = 0.0
    for i, tif in enumerate(tifs):
        with rasterio.open(tif) as src:
            if pyproj.CRS.from_wkt(src.crs.to_wkt()) != crs or list(src.descriptions) != bands:
                raise SystemExit(f"{tif}: CRS or bands differ from openEO.nc")
            for k, band in enumerate(bands, 1):
                nc, tiff = ds[band].isel(t=i).values, src.read(k)
                if not np.array_equal(np.isnan(nc), np.isnan(tiff)):
                    raise SystemExit(f"{tif}: band {band} has no data elsewhere than openEO.nc")
                if np.isfinite(nc).any():
                    worst = max(worst, float(np.nanmax(np.abs(nc - tiff))))
    summary = {"crs": f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.name, "bands": bands, "dates": dates,
               "mean": {band: float(ds[band].mean()) for band in bands}, "geotiffs": len(tifs),
               "max_abs_diff_geotiff_netcdf": worst}
    ds.close()
    return summary


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: read_results.py FOLDER")
    print(json.dumps(read(Path(sys.argv[1])), indent=1))

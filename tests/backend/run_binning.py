"""Run the back-end's own binning (openeo-geopyspark's ``openeogeotrellis/collections/binning.py``,
installed without its Spark dependencies in .venv-backend) on a fixture: ``run_binning.py IN OUT``.

IN (npz): ``lat``, ``lon`` (rows, cols) source pixel centres, ``bands`` (b, rows, cols),
``lat_edges``, ``lon_edges`` (ascending), ``super_sampling``. OUT (npz): ``binned`` (b, H, W) in
the back-end's orientation (lat ascending, as ``bin_to_grid`` returns it).

The module is loaded from its file, because the package's ``collections/__init__.py`` imports
geopyspark; ``binning.py`` itself needs only numpy, scipy and xarray.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import xarray as xr


def backend_binning():
    spec = importlib.util.find_spec("openeogeotrellis")  # locates the package without importing it
    path = Path(spec.submodule_search_locations[0]) / "collections" / "binning.py"
    module_spec = importlib.util.spec_from_file_location("backend_binning", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def main(source: str, target: str) -> None:
    data = np.load(source)
    bands = data["bands"]
    names = [f"b{i}" for i in range(bands.shape[0])]
    ds = xr.Dataset({n: (("y", "x"), bands[i]) for i, n in enumerate(names)},
                    coords={"lat": (("y", "x"), data["lat"]), "lon": (("y", "x"), data["lon"])})
    binned = backend_binning().bin_to_grid(ds, names, data["lat_edges"], data["lon_edges"],
                                           super_sampling=int(data["super_sampling"]))
    np.savez(target, binned=np.stack([binned[n].values for n in names]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

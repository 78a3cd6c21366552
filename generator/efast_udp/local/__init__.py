"""Local execution of the published EFAST UDP (``efast-udp run``).

The process graph is executed exactly as published (embedded UDF sources included) with
openeo-pg-parser-networkx and the process implementations of openeo-processes-dask. This
package supplies only what those lack or get wrong for this graph; each module reproduces
one behaviour of the target back-end (CDSE, geopyspark) and says which in its docstring:

- ``load_collection``: local NetCDF files keyed by collection id (``io``)
- ``resample_spatial``: block averaging on the S2 grid's origin
- ``resample_cube_spatial``: nearest, bilinear and CDSE S3 binning (``featureflags``)
- ``apply_neighborhood``: chunks with overlap, labels kept
- ``apply_dimension``: a UDF sees the labelled cube and its new labels are kept
- ``merge_cubes``: union of labels, NaN fill, cube2 resampled to cube1's grid
- ``filter_labels``: every matching label, not only the first
- ``context``: parameter references nested inside a ``context`` object are resolved
- ``run_udf``: the openeo client's UDF runner on the labelled cube
"""

import logging as _logging

#: The processes the local runner executes: those of the EFAST graph (every release), plus the
#: few its own implementations cover for the graph's callbacks. Anything else (``load_stac``,
#: ``save_result``, ...) is refused before the run starts: the runner is offline and runs only
#: what it was built and tested for.
PROCESSES = frozenset({
    "load_collection", "array_concat", "filter_bands", "filter_labels", "apply", "eq", "or", "and", "not", "if",
    "resample_spatial", "resample_cube_spatial", "apply_neighborhood", "apply_dimension", "run_udf", "rename_labels",
    "merge_cubes", "sum", "add", "subtract", "multiply", "divide", "max", "min", "mean", "gt", "gte", "lt", "lte",
    "neq", "is_nan", "is_nodata", "is_valid",
})

#: default window edge in pixels of a local run: the unit of work and of memory (``chunks``).
#: Measured on the 2-core project VM (issue 16): 256 px keeps the fusion's input (about 35
#: labels x 11 bands x 256^2 float32, ~100 MB) within a few hundred MB per worker while the
#: per-chunk overhead of dask stays below a few percent.
DEFAULT_CHUNK_PX = 256

# openeo-processes-dask warns on import that its optional machine-learning processes are missing;
# the EFAST graph uses none of them, so users never need to see it.
_logging.getLogger("openeo_processes_dask").setLevel(_logging.ERROR)

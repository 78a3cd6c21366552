"""The state of one run, in one object: nothing a run needs lives at module level, so two runs in
one process (or two at once in two threads) never see each other's settings.

Every process implementation of this package takes the ``Session`` as its first argument; the
registry binds it when a run starts (``registry.build``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from openeo_cdse_local.errors import Unsupported
from openeo_cdse_local.tiling import DEFAULT_TILE_PX

#: Window edge (pixels) of a run's lazy arrays: the unit of work and of memory. Measured on the
#: 2-core project VM: 256 px keeps the fusion's input (about 35 labels x 11 bands x 256^2 float32,
#: ~100 MB) within a few hundred MB per worker while dask's per-chunk overhead stays below a few
#: percent. It is also the back-end's layout tile (``TILE_PX``), so UDF tiles never straddle windows.
DEFAULT_CHUNK_PX = DEFAULT_TILE_PX
#: Smallest window edge a run accepts: below it dask's per-window overhead dominates any scene
#: (a 60 px scene at 1 px windows took minutes).
MIN_CHUNK_PX = 16
#: Largest window edge: a window of 4096^2 px x 100 labels x 10 bands float32 is already 67 GB.
MAX_CHUNK_PX = 4096

#: How ``apply_neighborhood`` hands chunks to its callback:
#: ``"windows"``: one call per chunk of ``size`` px clipped to the cube, plus the overlap (fast);
#: ``"backend-tiles"``: as the geopyspark back-end does, every call gets the full
#: ``size + 2 * overlap`` px tile with all labels, NaN beyond the data (memory as on the back-end).
NEIGHBOURHOOD_MODES = ("windows", "backend-tiles")


@dataclass
class Session:
    """One run: where the collections are, how windows are cut, and whom to tell about progress."""

    data_dir: Path
    chunk_px: int = DEFAULT_CHUNK_PX
    neighbourhood: str = "windows"
    #: called with the process id each time a top-level node has built its (lazy) result
    on_node: Callable[[str], None] | None = None
    #: openeo-pg-parser-networkx's cache of node results for this run (see ``callbacks``)
    results_cache: dict = field(default_factory=dict)
    #: the dry run's decisions about each load_collection (``dryrun.plan``), set by ``executor.run``
    plan: object = None

    def __post_init__(self):
        self.data_dir = Path(self.data_dir)
        if not isinstance(self.chunk_px, int) or not MIN_CHUNK_PX <= self.chunk_px <= MAX_CHUNK_PX:
            raise Unsupported(f"chunk size {self.chunk_px!r}: expected a window edge of {MIN_CHUNK_PX} to "
                              f"{MAX_CHUNK_PX} pixels")
        if self.neighbourhood not in NEIGHBOURHOOD_MODES:
            raise Unsupported(f"neighbourhood mode {self.neighbourhood!r}: expected one of "
                              f"{', '.join(NEIGHBOURHOOD_MODES)}")

    def node_done(self, process_id: str) -> None:
        if self.on_node is not None:
            self.on_node(process_id)

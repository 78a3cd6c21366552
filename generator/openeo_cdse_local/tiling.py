"""The back-end's tile edge, the one number a run's windows, its layout and its output files'
tiles are made of (a module of its own so that command-line parsers can use it without
importing the grids' geometry)."""

#: Default tile edge (pixels) of a loaded layer: ``DataCubeParameters`` ``tileSize``, 256 unless
#: the ``tilesize`` load_collection feature flag says otherwise
#: (``openeogeotrellis/datacube_parameters.py`` ``create``).
DEFAULT_TILE_PX = 256

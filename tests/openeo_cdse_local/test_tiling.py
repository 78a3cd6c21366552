"""``tiling``: the back-end's tile edge, importable without anything else of the package."""

import subprocess
import sys

from openeo_cdse_local import tiling
from openeo_cdse_local.cube import layout_of
from openeo_cdse_local.session import DEFAULT_CHUNK_PX

from cubes import cube


def test_the_tile_edge_is_the_backends_256_px():
    assert tiling.DEFAULT_TILE_PX == 256


def test_a_runs_windows_and_a_cube_without_layout_use_it():
    assert DEFAULT_CHUNK_PX == tiling.DEFAULT_TILE_PX
    layout = layout_of(cube(((((0.0,) * 3,) * 2,),), res=10.0))  # a (1, 1, 2, 3) cube without a layout
    assert layout.tile_px == tiling.DEFAULT_TILE_PX


def test_the_module_imports_nothing_beyond_the_standard_library():
    code = ("import sys; before = set(sys.modules); import openeo_cdse_local.tiling; "
            "new = {m.split('.')[0] for m in set(sys.modules) - before}; "
            "print(sorted(new - set(sys.stdlib_module_names) - {'openeo_cdse_local'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

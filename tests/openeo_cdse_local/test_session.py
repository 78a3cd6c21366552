"""``session``: the state of one run in one object, its checked options, and nothing shared
between two sessions."""

import subprocess
import sys
from pathlib import Path

import pytest

from openeo_cdse_local.errors import Unsupported
from openeo_cdse_local.session import (
    DEFAULT_CHUNK_PX,
    MAX_CHUNK_PX,
    MIN_CHUNK_PX,
    NEIGHBOURHOOD_MODES,
    Session,
)


def test_the_defaults():
    session = Session("data")
    assert session.data_dir == Path("data") and isinstance(session.data_dir, Path)
    assert (session.chunk_px, session.neighbourhood) == (DEFAULT_CHUNK_PX, "windows")
    assert (session.on_node, session.plan, session.results_cache) == (None, None, {})
    assert (MIN_CHUNK_PX, MAX_CHUNK_PX, NEIGHBOURHOOD_MODES) == (16, 4096, ("windows", "backend-tiles"))


@pytest.mark.parametrize("chunk_px", [MIN_CHUNK_PX, 256, MAX_CHUNK_PX])
def test_window_edges_within_the_bounds_are_taken(chunk_px):
    assert Session(".", chunk_px=chunk_px).chunk_px == chunk_px


@pytest.mark.parametrize("chunk_px", [MIN_CHUNK_PX - 1, MAX_CHUNK_PX + 1, 256.0, "256", None, 0])
def test_other_window_edges_are_refused_naming_the_bounds(chunk_px):
    with pytest.raises(Unsupported, match=rf"^chunk size {chunk_px!r}: expected a window edge of 16 to 4096 pixels$"):
        Session(".", chunk_px=chunk_px)


@pytest.mark.parametrize("mode", NEIGHBOURHOOD_MODES)
def test_both_neighbourhood_modes_are_taken(mode):
    assert Session(".", neighbourhood=mode).neighbourhood == mode


def test_another_neighbourhood_mode_is_refused_listing_the_modes():
    with pytest.raises(Unsupported, match=r"^neighbourhood mode 'tiles': expected one of windows, backend-tiles$"):
        Session(".", neighbourhood="tiles")


def test_node_done_tells_whoever_listens_each_time():
    seen = []
    session = Session(".", on_node=seen.append)
    session.node_done("load_collection")
    session.node_done("apply")
    assert seen == ["load_collection", "apply"]
    Session(".").node_done("apply")  # nobody listens: nothing happens


def test_two_sessions_share_no_results_cache():
    a, b = Session("."), Session(".")
    a.results_cache["node"] = 1
    assert b.results_cache == {}


def test_the_module_is_light():
    """A command line builds a Session before anything heavy is imported."""
    code = ("import sys; from openeo_cdse_local.session import Session; Session('.', chunk_px=64); "
            "print(sorted(m for m in ('numpy', 'dask', 'xarray', 'pyproj') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

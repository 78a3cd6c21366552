"""``run`` converts the GeoTIFFs to COGs while it draws the quicklooks: the files are complete
when it returns, and a conversion that fails still leaves nothing partial."""

from __future__ import annotations

import errno
import os
import time

import numpy as np
import rasterio
import rasterio.shutil

from efast_udp.cli import main
from test_run_cli import argv


def _files(out):
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
                  and not p.name.startswith(".efast-udp"))


def test_the_cogs_are_complete_and_the_quicklooks_drawn_meanwhile(small_scene, small_data, tmp_path, monkeypatch):
    order = []
    copy = rasterio.shutil.copy
    out = tmp_path / "o"
    deadline = time.monotonic() + 30

    def recorded(src, dst, **options):
        # the first conversion waits (bounded) for a quicklook: drawn after the COGs, none would come
        while not order and time.monotonic() < deadline and not list((out / "quicklooks").glob("*.png")):
            time.sleep(0.05)
        order.append(bool(list((out / "quicklooks").glob("*.png"))))
        return copy(src, dst, **options)

    monkeypatch.setattr(rasterio.shutil, "copy", recorded)
    assert main(argv(small_scene, small_data, out)) == 0
    names = _files(out)
    tifs = [n for n in names if n.endswith(".tif")]
    assert tifs and len(order) == len(tifs) and order[0], "the COGs were converted before any quicklook was drawn"
    assert not list(out.glob(".partial-*"))
    for name in tifs:
        with rasterio.open(out / name) as src:
            assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG" and np.isfinite(src.read()).any()


def test_a_conversion_failing_behind_the_quicklooks_leaves_no_partial_output(small_scene, small_data, tmp_path,
                                                                             capsys, monkeypatch):
    def no_space(src, dst, **options):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    monkeypatch.setattr(rasterio.shutil, "copy", no_space)
    out = tmp_path / "o"
    assert main(argv(small_scene, small_data, out)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("efast-udp run: error: ") and "No space left on device" in err[0]
    assert _files(out) == []

"""efast_udp.local.runner: whole-graph local runs of the published UDP on a small synthetic
scene (agreement with the numpy oracle, edge data, intermediates, one window or many), and the
outputs a run writes: CF NetCDF with provenance, GeoTIFFs, quicklooks, a word when the result
is no data, nothing partial after a failure."""

from __future__ import annotations

from cli_support import one_line_error
from efast_udp.cli import main


def test_a_run_that_fails_while_writing_leaves_no_partial_output(small_scene, small_data, tmp_path, capsys,
                                                                   monkeypatch):
    """A full disk while the GeoTIFFs are made: one line, exit 2, and the NetCDF written before
    it is removed again (it would look like a result)."""
    import errno
    import os

    from openeo_cdse_local import geotiff_writer

    def no_space(self):  # as close does when the COG conversion fails: the temporary files go, the error stays
        self.abort()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.paths[0]))

    monkeypatch.setattr(geotiff_writer.GeoTIFFWriter, "close", no_space)
    from run_support import argv

    out = tmp_path / "o"
    assert main(argv(small_scene, small_data, out, "--no-quicklooks")) == 2
    assert "No space left on device" in one_line_error(capsys, "run")
    assert not [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".efast-udp")]

"""efast_udp.outputs (issue 20): commands never write over or through what they did not make:
never over the checkout, a tracked or released file, a user's file, a hard link, a FIFO or a
symbolic link; folders only when new, empty or their own; one writer at a time."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_support import one_line_error
from efast_udp import outputs
from efast_udp.cli import main
from efast_udp.errors import UsageError
from efast_udp.outputs import LOCK
from efast_udp.project import ROOT
from outputs_support import argv, copy_of, one_line


def tree_state() -> tuple[str, str]:
    """git status and a digest of every file under udp/ and the project's top level."""
    status = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "-uall"], capture_output=True,
                            text=True, timeout=60).stdout
    digest = hashlib.sha256()
    for path in sorted(list((ROOT / "udp").rglob("*")) + list(ROOT.glob("*"))):
        if path.is_file():
            digest.update(path.as_posix().encode() + path.read_bytes())
    return status, digest.hexdigest()


@pytest.mark.parametrize("out", [".", "udp", "udp/releases", "..", "generator", ".git", "/"])
def test_site_never_replaces_the_checkout_or_its_folders(out, capsys):
    before = tree_state()
    assert main(["site", "--out", str(ROOT / out) if out != "/" else "/"]) == 2
    assert "refusing to write there" in one_line_error(capsys, "site")
    assert tree_state() == before


def test_site_refuses_a_folder_with_other_files_a_file_and_a_checkout(tmp_path, capsys):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    (tmp_path / "a-file").write_text("keep me too")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "ran").mkdir()
    (tmp_path / "ran" / ".efast-udp").write_text('{"command": "run", "files": []}')
    for out, why in [("mine", "files efast-udp did not write"), ("a-file", "is a file"),
                     ("repo", "git checkout"), ("ran", "written by `efast-udp run`")]:
        assert main(["site", "--out", str(tmp_path / out)]) == 2
        assert why in one_line_error(capsys, "site")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    assert (tmp_path / "a-file").read_text() == "keep me too"


def test_site_replaces_its_own_output_and_an_empty_folder(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["site", "--out", str(tmp_path / "empty")]) == 0
    marker = json.loads((tmp_path / "empty" / ".efast-udp").read_text())
    assert marker["command"] == "site" and "efast.json" in marker["files"]
    assert main(["site", "--out", str(tmp_path / "empty")]) == 0  # its own: replaced
    mode = (tmp_path / "empty").stat().st_mode & 0o777
    assert mode == 0o755 and (tmp_path / "empty" / "efast.json").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("target", ["udp/releases/0.1.0/efast.json", "udp/efast.json", "pyproject.toml",
                                    "generator/efast_udp/constants.py", "README.md", "udp"])
def test_build_output_never_touches_tracked_or_released_files(target, capsys):
    before = tree_state()
    assert main(["build", "--until", "s3_composite", "-o", str(ROOT / target)]) == 2
    one_line_error(capsys, "build")
    assert main(["build", "--until", "s3_composite", "--force", "-o", str(ROOT / target)]) == 2
    one_line_error(capsys, "build")
    assert tree_state() == before


def test_build_output_to_an_existing_file_needs_force(tmp_path, capsys):
    out = tmp_path / "graph.json"
    out.write_text("mine")
    assert main(["build", "--until", "s3_composite", "-o", str(out)]) == 2
    assert "pass --force" in one_line_error(capsys, "build")
    assert out.read_text() == "mine"
    assert main(["build", "--until", "s3_composite", "--force", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["process_graph"]["s3_composite"]["result"] is True


def test_site_refuses_to_replace_its_folder_when_someone_added_a_file(tmp_path, capsys):
    site = tmp_path / "site"
    assert main(["site", "--out", str(site)]) == 0
    capsys.readouterr()
    (site / "mynotes.txt").write_text("precious")
    assert main(["site", "--out", str(site)]) == 2
    assert "did not write (mynotes.txt)" in one_line_error(capsys, "site")
    assert (site / "mynotes.txt").read_text() == "precious"


def test_a_symbolic_link_in_an_own_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "scene"
    assert main(["demo", "--scene-only", "--size", "30", "--out", str(out), "--quiet"]) == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (out / "parameters.json").unlink()
    (out / "parameters.json").symlink_to(victim)
    assert main(["demo", "--scene-only", "--size", "30", "--out", str(out), "--quiet"]) == 2
    assert "symbolic link (parameters.json)" in one_line_error(capsys, "demo")
    assert victim.read_text() == "keep"


def test_files_that_git_cannot_vouch_for_are_not_overwritten(tmp_path, monkeypatch, capsys):
    from efast_udp import git

    monkeypatch.setattr(git, "git", lambda *a, **k: None)  # git missing, or refusing the repository
    assert main(["build", "--until", "s3_composite", "--force", "-o", str(ROOT / "Makefile")]) == 2
    assert "git cannot say whether the checkout tracks it" in one_line_error(capsys, "build")
    out = tmp_path / "x.json"  # outside any checkout: git is not needed
    out.write_text("mine")
    assert main(["build", "--until", "s3_composite", "--force", "-o", str(out)]) == 0


@pytest.mark.parametrize("target, why", [("file.txt/sub.json", "is a file, not a directory"), ("fifo", "not a regular file"),
                                         ("link.json", "not a regular file")])
def test_build_output_must_be_a_regular_file_under_folders(tmp_path, capsys, target, why):
    (tmp_path / "file.txt").write_text("keep")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link.json").symlink_to(tmp_path / "file.txt")
    assert main(["build", "--until", "s3_composite", "--force", "-o", str(tmp_path / target)]) == 2
    assert why in one_line_error(capsys, "build")
    assert (tmp_path / "file.txt").read_text() == "keep"


def test_a_new_output_file_is_created_exclusively(tmp_path):
    from efast_udp.errors import UsageError
    from efast_udp.outputs import new_file

    target = new_file(tmp_path / "bench.json", "--json")
    (tmp_path / "bench.json").write_text("appeared meanwhile")
    with pytest.raises(UsageError, match="appeared while the command ran"):
        target.write_text("{}")
    assert (tmp_path / "bench.json").read_text() == "appeared meanwhile"


@pytest.fixture
def checkout_inside(tmp_path, monkeypatch):
    """A checkout at tmp_path/work/efast-udp (as outputs sees it); returns tmp_path/work."""
    root = tmp_path / "work" / "efast-udp"
    (root / ".git").mkdir(parents=True)
    (root / "udp").mkdir()
    monkeypatch.setattr(outputs, "ROOT", root)
    monkeypatch.setattr(outputs, "UDP_DIR", root / "udp")
    return tmp_path / "work"


def test_build_output_beside_the_checkout_is_written(checkout_inside, capsys):
    target = checkout_inside / "efast-debug.json"
    assert main(["build", "-o", str(target)]) == 0
    assert json.loads(target.read_text())["id"] == "efast"
    deeper = checkout_inside / "new" / "folder" / "efast.json"  # missing folders are created
    assert main(["build", "-o", str(deeper), "--until", "s2_input"]) == 0
    assert deeper.is_file()


@pytest.mark.parametrize("inside, why", [
    ("efast-udp/udp/x.json", "udp/ holds only"),
    ("efast-udp/generator/x.json", "it is part of the checkout (generator/)"),
    ("efast-udp/.git/x.json", "inside a git repository's .git folder"),
])
def test_build_output_inside_the_checkout_stays_refused(checkout_inside, inside, why):
    (checkout_inside / "efast-udp" / "generator").mkdir(exist_ok=True)
    with pytest.raises(UsageError, match="refusing to write there"):
        try:
            outputs.new_file(checkout_inside / inside, "-o")
        except UsageError as exc:
            assert why in str(exc)
            raise


def test_folder_outputs_still_refuse_a_folder_containing_the_checkout(checkout_inside, capsys):
    assert main(["site", "--out", str(checkout_inside)]) == 2
    assert "it contains the efast-udp checkout" in one_line_error(capsys, "site")


EFAST_UDP = str(Path(sys.executable).parent / "efast-udp")


def test_a_users_file_where_an_intermediate_goes_is_kept_and_nothing_is_removed(small_scene, small_data, copy_of,
                                                                                capsys):
    mine = copy_of / "intermediates" / "s2_input.nc"
    mine.parent.mkdir()
    mine.write_text("my own notes")
    before = sorted(p.name for p in copy_of.iterdir())
    assert main(argv(small_data, copy_of, small_scene, "--save-intermediates", "--no-quicklooks")) == 2
    err = one_line(capsys)
    assert "intermediates/s2_input.nc is there and `efast-udp run` did not write it" in err
    assert mine.read_text() == "my own notes" and sorted(p.name for p in copy_of.iterdir()) == before


def test_a_hard_link_to_a_file_outside_is_never_written_through(small_scene, small_data, copy_of, tmp_path, capsys):
    outside = tmp_path / "outside.nc"
    outside.write_text("not yours")
    (copy_of / "intermediates").mkdir()
    os.link(outside, copy_of / "intermediates" / "fused.nc")  # where an output goes, not listed
    assert main(argv(small_data, copy_of, small_scene, "--save-intermediates", "--no-quicklooks")) == 2
    assert "intermediates/fused.nc is there" in one_line(capsys) and outside.read_text() == "not yours"
    (copy_of / "openEO.nc").unlink()
    os.link(outside, copy_of / "openEO.nc")  # a listed file replaced by a hard link
    assert main(argv(small_data, copy_of, small_scene, "--no-quicklooks")) == 2
    assert "openEO.nc, listed in .efast-udp, is now a file with another hard link" in one_line(capsys)
    assert outside.read_text() == "not yours" and os.stat(outside).st_nlink == 3  # both links still there


@pytest.mark.parametrize("where", ["intermediates/fused.nc", "openEO.nc"])
def test_a_fifo_named_like_an_output_is_refused_without_opening_it(small_scene, small_data, copy_of, where):
    fifo = copy_of / where
    fifo.parent.mkdir(exist_ok=True)
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    cmd = [EFAST_UDP, *argv(small_data, copy_of, small_scene, "--save-intermediates",
                                                          "--no-quicklooks", "--no-geotiff")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)  # a blocking open would hang here
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert f"it holds a FIFO ({where}), which efast-udp never makes" in proc.stderr
    assert fifo.is_fifo() and (copy_of / "openEO.nc").exists()


def test_a_second_run_into_a_folder_being_written_stops_with_one_line(small_scene, small_data, tmp_path, capsys):
    out = tmp_path / "out"
    first = subprocess.Popen([EFAST_UDP,
                              *argv(small_data, out, small_scene, "--no-quicklooks", "--no-geotiff")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while not _locked(out / LOCK):  # until the first run holds the folder
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.1)
        assert main(argv(small_data, out, small_scene, "--no-quicklooks", "--no-geotiff")) == 2
        assert "another `efast-udp run` is writing there (it holds .efast-udp.lock)" in one_line(capsys)
        _, err = first.communicate(timeout=300)
        assert first.returncode == 0, err
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=30)
    assert json.loads((out / ".efast-udp").read_text())["files"] == ["openEO.nc"]


def _locked(path: Path) -> bool:
    if not path.exists():
        return False
    with open(path, "rb") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False


def test_a_forced_build_output_replaces_a_hard_link_without_writing_through(tmp_path, capsys):
    outside = tmp_path / "outside.json"
    outside.write_text("not yours")
    os.link(outside, tmp_path / "udp.json")
    assert main(["build", "--until", "s3_composite", "--force", "-o", str(tmp_path / "udp.json")]) == 0
    assert outside.read_text() == "not yours" and json.loads((tmp_path / "udp.json").read_text())["process_graph"]
    assert not list(tmp_path.glob(".udp.json.*"))  # no temporary file left

"""efast_udp.release: the render is byte-identical and offline, udp/ is exactly what it
renders, and a release, once committed, never changes (checked against SHA256SUMS and git)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from cli_support import one_line_error
from efast_udp import document, release
from efast_udp.cli import main
from efast_udp.errors import ReleaseError
from efast_udp.project import PROJECT_ROOT, ROOT, project_version
from efast_udp.settings import Settings
from udp_support import udp


def test_render_is_byte_identical_and_matches_udp(udp):
    settings = Settings.load()
    first, second = release.render(settings), release.render(settings)
    assert first == second and first.endswith("}\n")
    assert release.check(settings).problems == []
    released = PROJECT_ROOT / "udp" / "releases" / project_version() / "efast.json"
    assert released.read_text("utf-8") == (PROJECT_ROOT / "udp" / "efast.json").read_text("utf-8")


def test_render_does_not_depend_on_the_hash_seed_or_working_directory(tmp_path):
    code = "from efast_udp import release, settings; print(release.render(settings.Settings.load()), end='')"
    outputs = {subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}).stdout for seed in ("1", "2")}
    assert len(outputs) == 1


def copy_udp(folder):
    """A copy of udp/ (and the trust list beside it) to experiment on."""
    from efast_udp import trust

    shutil.copytree(PROJECT_ROOT / "udp", folder / "udp")
    shutil.copy(trust.LIST_PATH, folder / trust.LIST_PATH.name)
    return folder / "udp"


def committed_udp(folder):
    """A git repository in ``folder`` whose first commit holds a copy of udp/; returns (git, udp dir)."""
    folder.mkdir(parents=True, exist_ok=True)
    git = git_in(folder)
    git("init", "-q")
    udp_dir = copy_udp(folder)
    git("add", "udp")
    git("commit", "-q", "-m", "releases")
    return git, udp_dir


def git_in(folder):
    def git(*args):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args], cwd=folder,
                              check=True, capture_output=True, timeout=60)
    return git


def test_check_fails_on_a_hand_edited_file_and_refuses_to_change_a_release(tmp_path):
    """Outside git, SHA256SUMS is what a release is checked against."""
    udp_dir = copy_udp(tmp_path)
    settings = Settings.load()
    assert release.check(settings, udp_dir).problems == []
    latest = udp_dir / "efast.json"
    latest.write_text(latest.read_text("utf-8").replace('"summary": "EFAST', '"summary": "edited'), "utf-8")
    assert any("udp/efast.json differs from a fresh render" in p for p in release.check(settings, udp_dir).problems)
    assert release.write(settings, udp_dir) == [latest]
    released = udp_dir / "releases" / project_version() / "efast.json"
    released.write_text(released.read_text("utf-8") + " ", "utf-8")
    assert any("differs from SHA256SUMS" in p for p in release.check(settings, udp_dir).problems)
    with pytest.raises(ReleaseError, match="SHA256SUMS"):
        release.write(settings, udp_dir)


def test_an_uncommitted_release_file_is_a_draft_until_committed(tmp_path):
    """The version being prepared may be re-rendered; once a commit holds it, it is frozen."""
    git = git_in(tmp_path)
    git("init", "-q")
    udp_dir = copy_udp(tmp_path)
    released = udp_dir / "releases" / project_version() / "efast.json"
    git("add", "udp")
    git("reset", "-q", "--", str(released))
    git("commit", "-q", "-m", "earlier releases")
    settings = Settings.load()
    released.write_text(released.read_text("utf-8") + " ", "utf-8")
    assert release.write(settings, udp_dir) == [released]  # draft: rendered again
    git("add", "udp")
    git("commit", "-q", "-m", "release")
    released.write_text(released.read_text("utf-8") + " ", "utf-8")
    with pytest.raises(ReleaseError, match="differs from its release .commit [0-9a-f]{10}."):
        release.write(settings, udp_dir)


def test_check_fails_after_an_old_release_is_edited_and_committed(tmp_path):
    git, udp_dir = committed_udp(tmp_path)
    settings = Settings.load()
    assert release.check(settings, udp_dir).problems == []
    old = udp_dir / "releases" / "0.2.2" / "efast.json"
    old.write_text(old.read_text("utf-8").replace('"summary": "EFAST', '"summary": "EDITED'), "utf-8")
    sums = udp_dir / "releases" / "SHA256SUMS"  # a careful forger updates the checksum too
    sums.write_text(sums.read_text().replace(release.sha256(release.load_releases(PROJECT_ROOT / "udp")[3].data),
                                             release.sha256(old.read_bytes())))
    git("commit", "-q", "-am", "sneaky edit")
    problems = release.check(settings, udp_dir).problems
    assert len(problems) == 1, problems
    assert problems[0].startswith("udp/releases/0.2.2/efast.json differs from its release (commit ")
    assert "first difference at line 3" in problems[0] and "EDITED" in problems[0]


def test_predecessor_link_points_at_the_previous_release(tmp_path):
    (tmp_path / "releases" / "0.0.9").mkdir(parents=True)
    (tmp_path / "releases" / "0.0.9" / "efast.json").write_text("{}")
    doc = json.loads(release.render(Settings.load(), "0.1.0", tmp_path))
    links = {link["rel"]: link["href"] for link in doc["links"]}
    assert links["predecessor-version"].endswith("/0.0.9/efast.json")


def test_build_writes_nothing_when_the_render_is_invalid(tmp_path, monkeypatch):
    from efast_udp import udp

    real_build = udp.build_udp

    def corrupted(*args, **kwargs):
        doc = real_build(*args, **kwargs)
        doc["process_graph"]["s2_scl"]["process_id"] = "filter_bandz"
        return doc

    monkeypatch.setattr(udp, "build_udp", corrupted)
    with pytest.raises(ReleaseError, match="not a valid UDP.*filter_bandz"):
        release.write(Settings.load(), tmp_path / "udp")
    assert not (tmp_path / "udp").exists()


def test_a_removed_release_is_caught(tmp_path):
    _, udp_dir = committed_udp(tmp_path)
    shutil.rmtree(udp_dir / "releases" / "0.2.0")
    problems = release.check(Settings.load(), udp_dir).problems
    assert any(p.startswith("udp/releases/0.2.0/efast.json was released (committed) and is gone") for p in problems)
    with pytest.raises(ReleaseError, match="0.2.0/efast.json was released"):
        release.write(Settings.load(), udp_dir)  # build refuses too, instead of rewriting SHA256SUMS without it


def test_a_shallow_clone_is_said_to_be_one(tmp_path):
    git, _ = committed_udp(tmp_path / "full")
    (tmp_path / "full" / "note").write_text("x")
    git("add", "note")
    git("commit", "-q", "-m", "another")
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{tmp_path / 'full'}", str(tmp_path / "shallow")],
                   check=True, capture_output=True, timeout=60)
    report = release.verify(tmp_path / "shallow" / "udp", current=None)
    assert any("a shallow clone" in w for w in report.warnings)
    assert not release.verify(tmp_path / "full" / "udp", current=None).warnings


def test_an_oversized_release_file_is_not_read(tmp_path, capsys):
    import shutil

    shutil.copytree(ROOT / "udp", tmp_path / "udp")
    with (tmp_path / "udp" / "releases" / "0.1.0" / "efast.json").open("r+b") as f:
        f.truncate(document.MAX_BYTES + 1)
    assert main(["site", "--udp-dir", str(tmp_path / "udp"), "--out", str(tmp_path / "site")]) == 2
    assert "larger than 10 MiB" in one_line_error(capsys, "site")

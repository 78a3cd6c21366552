"""efast_udp.git: git, read-only and bounded, on a repository of its own in tmp_path: a command's
output or None (no git, no repository, a hang), the repository of a path, and whether git tracks a
file (None when a checkout is there but git cannot tell). The environment's GIT_* variables
never redirect it."""

from __future__ import annotations

import os
import subprocess

import pytest

from efast_udp import git

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


@pytest.fixture
def repo(tmp_path):
    """A git repository with one committed file (``kept.txt``), one staged (``staged.txt``) and one
    untracked (``loose.txt``)."""
    top = tmp_path / "repo"
    top.mkdir()

    def run(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args], cwd=top, check=True,
                       capture_output=True, timeout=60, env=CLEAN_ENV)

    run("init", "-q")
    (top / "kept.txt").write_text("kept")
    run("add", "kept.txt")
    run("commit", "-q", "-m", "first")
    (top / "staged.txt").write_text("staged")
    run("add", "staged.txt")
    (top / "loose.txt").write_text("loose")
    return top


def test_a_command_gives_its_output_as_bytes(repo):
    assert git.git(repo, "ls-files") == b"kept.txt\nstaged.txt\n"
    assert git.git(repo, "show", "HEAD:kept.txt") == b"kept"


def test_a_failing_command_or_no_repository_is_none(repo, tmp_path):
    assert git.git(repo, "show", "HEAD:loose.txt") is None  # not in the commit
    elsewhere = tmp_path / "plain"
    elsewhere.mkdir()
    assert git.git(elsewhere, "rev-parse", "--show-toplevel") is None
    assert git.git(tmp_path / "no-such-folder", "status") is None


def test_without_git_or_when_it_hangs_the_answer_is_none(repo, monkeypatch):
    monkeypatch.setenv("PATH", str(repo))  # no git on the PATH
    assert git.git(repo, "ls-files") is None
    monkeypatch.undo()

    def hangs(*args, **kwargs):
        assert kwargs["timeout"] == 60  # bounded
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])

    monkeypatch.setattr(git.subprocess, "run", hangs)
    assert git.git(repo, "ls-files") is None


def test_the_environments_git_variables_are_ignored(repo, tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=other, check=True, capture_output=True, timeout=60, env=CLEAN_ENV)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    assert git.git(repo, "ls-files") == b"kept.txt\nstaged.txt\n"
    assert git.tracked(repo / "kept.txt") is True


def test_in_repo_names_the_top_and_the_relative_path(repo, tmp_path):
    assert git.in_repo(repo / "kept.txt") == (repo.resolve(), "kept.txt")
    assert git.in_repo(repo) == (repo.resolve(), ".")  # the top itself
    # a path that does not exist yet: its nearest existing folder says which repository
    assert git.in_repo(repo / "new" / "deeper" / "file.json") == (repo.resolve(), "new/deeper/file.json")
    (tmp_path / "plain").mkdir()
    assert git.in_repo(tmp_path / "plain" / "file.json") is None


def test_tracked_is_committed_or_staged(repo):
    assert git.tracked(repo / "kept.txt") is True
    assert git.tracked(repo / "staged.txt") is True
    assert git.tracked(repo / "loose.txt") is False
    assert git.tracked(repo / "missing.txt") is False
    assert git.tracked(repo / "sub" / ".." / "kept.txt") is True  # resolved first


def test_tracked_outside_any_checkout_is_false_without_asking_git(tmp_path, monkeypatch):
    monkeypatch.setattr(git, "git", lambda *a, **k: pytest.fail("git asked outside any checkout"))
    (tmp_path / "plain").mkdir()
    assert git.tracked(tmp_path / "plain" / "file.json") is False


def test_tracked_is_none_when_a_checkout_is_there_but_git_cannot_tell(repo, monkeypatch):
    """Callers that protect files then assume the worst."""
    monkeypatch.setattr(git, "git", lambda *a, **k: None)  # git missing, or refusing the repository
    assert git.tracked(repo / "kept.txt") is None
    assert git.in_repo(repo / "kept.txt") is None

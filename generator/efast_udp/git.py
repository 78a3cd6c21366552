"""git, read-only and bounded: the bottom layer that says whether a file is tracked and what a
commit holds (a release's content as released), for release checks and for the commands that
must never write over a tracked file."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git(cwd: Path, *args: str) -> bytes | None:
    """Output of a git command in ``cwd``; ``None`` when git or the repository is not there."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    try:
        proc = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, timeout=60, env=env, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def in_repo(path: Path) -> tuple[Path, str] | None:
    """(repository top, path relative to it) when ``path`` lies in a git work tree."""
    folder = path if path.is_dir() else path.parent
    while not folder.exists():
        folder = folder.parent
    top = git(folder, "rev-parse", "--show-toplevel")
    if top is None:
        return None
    top_dir = Path(top.decode().strip()).resolve()
    try:
        return top_dir, path.resolve().relative_to(top_dir).as_posix()
    except ValueError:
        return None


def tracked(path: Path) -> bool | None:
    """Whether git tracks ``path`` (committed or staged); ``False`` outside any checkout, ``None``
    when it lies in one (a ``.git`` above it) but git cannot tell (not installed, refusing the
    repository): callers that protect files then assume the worst."""
    path = Path(path).resolve()
    if not any((folder / ".git").exists() for folder in path.parents):
        return False
    repo = in_repo(path)
    if repo is None:
        return None
    return git(repo[0], "ls-files", "--error-unmatch", "--", repo[1]) is not None

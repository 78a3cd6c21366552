"""Where commands may write: never over something they did not make.

Every command that writes (``site --out``, ``run --out``, ``demo --out``, ``build -o``,
``bench --json``, ``run --dask-report``) goes through here. A directory is used only when it is
new, empty, or carries the marker file (``.efast-udp``) that the same command wrote there
before; a checkout (a path holding ``.git``), the project's own folders and anything else are
refused with one line, before anything is touched. A file is written only when it is new, or
with ``--force`` when it is not tracked by git; files under ``udp/`` never.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from efast_udp.document import dump_json
from efast_udp.errors import UsageError
from efast_udp.project import ROOT, UDP_DIR

MARKER = ".efast-udp"
#: Folders of the checkout no command may write into or replace.
PROTECTED = ("udp", "generator", "schemas", "tests", "docs", "requirements", ".git", ".github", ".ci")


def _refuse(option: str, path: Path, why: str, hint: str = "") -> UsageError:
    return UsageError(f"{option} {path}: refusing to write there: {why}{'; ' + hint if hint else ''}")


def _protected_reason(path: Path) -> str | None:
    """Why ``path`` (resolved) is off limits, or ``None``."""
    if ".git" in path.parts:
        return "it is inside a git repository's .git folder"
    root = ROOT.resolve()
    if path == root or root.is_relative_to(path):
        return f"it contains the efast-udp checkout {root}"
    for name in PROTECTED:
        folder = (root / name).resolve()
        if path == folder or path.is_relative_to(folder):
            return f"it is part of the checkout ({name}/)"
    if (path / ".git").exists():
        return "it is a git checkout (it holds .git)"
    return None


def marker_of(folder: Path) -> dict | None:
    """The marker a command left in ``folder`` (``{"command": ..., "files": [...]}``), if any."""
    try:
        data = json.loads((folder / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("command"), str) else None


def check_directory(path: Path, command: str, option: str = "--out") -> Path:
    """``path`` resolved, after checking that ``command`` may write into it (nothing is created)."""
    resolved = Path(path).expanduser().resolve()
    reason = _protected_reason(resolved)
    if reason:
        raise _refuse(option, path, reason, "choose a new or empty directory")
    if resolved.exists():
        if not resolved.is_dir():
            raise _refuse(option, path, "it is a file, not a directory")
        marker = marker_of(resolved)
        if marker is None and any(resolved.iterdir()):
            raise _refuse(option, path, "it is a directory with files efast-udp did not write",
                          f"choose a new or empty directory, or one written by `efast-udp {command}`")
        if marker is not None and marker["command"] != command:
            raise _refuse(option, path, f"it was written by `efast-udp {marker['command']}`, not `{command}`")
    return resolved


def own_directory(path: Path, command: str, option: str = "--out") -> Path:
    """Create (or reuse) an output directory of ``command``; files a previous run of the same
    command listed in its marker are removed, nothing else is touched."""
    folder = check_directory(path, command, option)
    folder.mkdir(parents=True, exist_ok=True)
    for rel in (marker_of(folder) or {}).get("files", []):
        old = (folder / rel).resolve()
        if old.is_relative_to(folder) and old.is_file() and not old.is_symlink():
            old.unlink()
    write_marker(folder, command, [])
    return folder


def write_marker(folder: Path, command: str, files: list[Path]) -> None:
    """Record that ``command`` wrote ``folder`` and which files (relative) it put there."""
    rel = sorted({str(Path(f).resolve().relative_to(folder)) for f in files})
    (folder / MARKER).write_text(dump_json({"command": command, "files": rel}), encoding="utf-8")


def replace_directory(path: Path, command: str, files: dict[str, bytes], option: str = "--out") -> Path:
    """Replace ``path`` by a directory holding exactly ``files`` (relative path -> bytes) and the
    marker: built beside it, then swapped in; the old one is removed only when it was ours."""
    folder = check_directory(path, command, option)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for rel, data in sorted(files.items()):
            target = (tmp / rel).resolve()
            if not target.is_relative_to(tmp.resolve()):
                raise UsageError(f"refusing to write {rel!r} outside {folder}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        write_marker(tmp, command, [tmp / rel for rel in files])
        _make_readable(tmp)
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}-old-{os.getpid()}")
            folder.rename(old)
        tmp.rename(folder)
        tmp = None  # type: ignore[assignment]
        if old is not None:
            shutil.rmtree(old)
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp)
    return folder


def _make_readable(folder: Path) -> None:
    """World-readable files and folders (a site is public; mkdtemp makes 0700)."""
    folder.chmod(0o755)
    for item in folder.rglob("*"):
        item.chmod(0o755 if item.is_dir() else 0o644)


def new_file(path: Path, option: str, force: bool = False, own=None) -> Path:
    """``path`` resolved, once it is clear a command may write that file: new, or (with
    ``force``, or when ``own(path)`` says a previous run wrote it) an untracked file outside
    the checkout's protected folders."""
    from efast_udp.release import is_tracked

    resolved = Path(path).expanduser().resolve()
    udp = UDP_DIR.resolve()
    if resolved == udp or resolved.is_relative_to(udp):
        raise _refuse(option, path, "udp/ holds only what `efast-udp build` renders there")
    if resolved.is_dir():
        raise _refuse(option, path, "it is a directory, not a file")
    parent_reason = _protected_reason(resolved.parent)
    if parent_reason and not resolved.parent == ROOT.resolve():
        raise _refuse(option, path, parent_reason)
    if resolved.exists() or resolved.is_symlink():
        if is_tracked(resolved):
            raise _refuse(option, path, "it is a file tracked by git")
        if not (force or (own is not None and own(resolved))):
            raise _refuse(option, path, "the file exists", "pass --force to overwrite it")
    resolved.parent.mkdir(parents=True, exist_ok=True)
    return resolved

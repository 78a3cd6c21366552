"""Where commands may write: never over something they did not make.

Every command that writes (``site --out``, ``run --out``, ``demo --out``, ``build -o``,
``bench --json``, ``run --dask-report``) goes through here, and checks before anything else is
done. A directory is used only when it is new, empty, or carries the marker file
(``.efast-udp``) that the same command wrote there before, and holds no symbolic link; a
checkout (a path holding ``.git``), the project's own folders and anything else are refused
with one line. A rerun removes only the files the previous run listed in the marker (``site``,
which replaces its folder whole, refuses a folder with files it did not list). A file is written
only when it is new (created exclusively, so a file that appears meanwhile is not overwritten),
or with ``--force`` when it is a regular file that git does not track; files under ``udp/`` or in
the project's folders never; when git cannot say whether a file of the checkout is tracked, no.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from efast_udp.document import dump_json
from efast_udp.errors import UsageError
from efast_udp.project import ROOT, UDP_DIR

MARKER = ".efast-udp"
#: Folders of the checkout no command may write into or replace.
PROTECTED = ("udp", "generator", "schemas", "tests", "docs", "requirements", ".git", ".github", ".ci", ".venv",
             ".venv-driver")


def _refuse(option: str, path: Path, why: str, hint: str = "") -> UsageError:
    return UsageError(f"{option} {path}: refusing to write there: {why}{'; ' + hint if hint else ''}")


def _protected_reason(path: Path, new_file_in: bool = False) -> str | None:
    """Why ``path`` (resolved) is off limits, or ``None``. ``new_file_in``: the question is
    whether a new file may be written in the folder ``path`` (not whether the folder may be
    replaced): a folder that merely contains the checkout or another git checkout is fine then."""
    if ".git" in path.parts:
        return "it is inside a git repository's .git folder"
    root = ROOT.resolve()
    if not new_file_in and (path == root or root.is_relative_to(path)):
        return f"it contains the efast-udp checkout {root}"
    for name in PROTECTED:
        folder = (root / name).resolve()
        if path == folder or path.is_relative_to(folder):
            return f"it is part of the checkout ({name}/)"
    if not new_file_in and (path / ".git").exists():
        return "it is a git checkout (it holds .git)"
    return None


def marker_of(folder: Path) -> dict | None:
    """The marker a command left in ``folder`` (``{"command": ..., "files": [...]}``), if any."""
    try:
        data = json.loads((folder / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(data, dict) and isinstance(data.get("command"), str) and isinstance(data.get("files"), list)):
        return None
    return data


def _inside(folder: Path, rel: str) -> Path | None:
    """``folder / rel`` when it stays inside ``folder`` lexically (no ``..``, not absolute)."""
    candidate = Path(os.path.normpath(folder / rel))
    return candidate if candidate != folder and candidate.is_relative_to(folder) else None


def check_directory(path: Path, command: str, option: str = "--out", exact: bool = False) -> Path:
    """``path`` resolved, after checking that ``command`` may write into it (nothing is created or
    touched). ``exact``: every file in an existing folder must be one the marker lists (the
    folder is replaced whole)."""
    resolved = Path(path).expanduser().resolve()
    reason = _protected_reason(resolved)
    if reason:
        raise _refuse(option, path, reason, "choose a new or empty directory")
    blocked = next((p for p in resolved.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        raise _refuse(option, path, f"{blocked} is a file, not a directory")
    if not resolved.exists():
        return resolved
    if not resolved.is_dir():
        raise _refuse(option, path, "it is a file, not a directory")
    marker = marker_of(resolved)
    if marker is None and any(resolved.iterdir()):
        raise _refuse(option, path, "it is a directory with files efast-udp did not write",
                      f"choose a new or empty directory, or one written by `efast-udp {command}`")
    if marker is None:
        return resolved
    if marker["command"] != command:
        raise _refuse(option, path, f"it was written by `efast-udp {marker['command']}`, not `{command}`")
    link = next((p for p in resolved.rglob("*") if p.is_symlink()), None)
    if link is not None:
        raise _refuse(option, path, f"it holds a symbolic link ({link.relative_to(resolved)}), which efast-udp "
                                    "never makes")
    if exact:
        listed = {str(f) for f in marker["files"]} | {MARKER}
        foreign = sorted(str(p.relative_to(resolved)) for p in resolved.rglob("*")
                         if p.is_file() and str(p.relative_to(resolved)) not in listed)
        if foreign:
            raise _refuse(option, path, f"it holds files `efast-udp {command}` did not write ({', '.join(foreign[:3])})",
                          "move them away first")
    return resolved


def own_directory(path: Path, command: str, option: str = "--out") -> Path:
    """Create (or reuse) an output directory of ``command``, once everything else is checked:
    the files a previous run of the same command listed in its marker are removed, nothing else."""
    folder = check_directory(path, command, option)
    folder.mkdir(parents=True, exist_ok=True)
    for rel in (marker_of(folder) or {}).get("files", []):
        old = _inside(folder, str(rel))
        if old is not None and old.is_file() and not old.is_symlink():
            old.unlink()
    write_marker(folder, command, [])
    return folder


class Claim:
    """An output folder a command claims once everything else is checked (``claim()``), and whose
    marker lists, in the end (``release()``, also after a failure), the files the command made."""

    def __init__(self, path: Path, command: str, option: str = "--out"):
        self.path, self.command, self.option = path, command, option
        self.folder: Path | None = None
        self.before: set[Path] = set()

    def claim(self) -> Path:
        self.folder = own_directory(self.path, self.command, self.option)
        self.before = {p for p in self.folder.rglob("*") if p.is_file()}
        return self.folder

    def release(self) -> None:
        if self.folder is not None:
            made = [p for p in self.folder.rglob("*") if p.is_file() and p not in self.before and p.name != MARKER]
            write_marker(self.folder, self.command, made)


def write_marker(folder: Path, command: str, files: list[Path]) -> None:
    """Record that ``command`` wrote ``folder`` and which files (inside it) it put there."""
    folder = Path(folder)
    rel = sorted({os.path.relpath(os.path.normpath(f), folder) for f in files
                  if Path(os.path.normpath(f)).is_relative_to(folder)})
    (folder / MARKER).write_text(dump_json({"command": command, "files": rel}), encoding="utf-8")


def replace_directory(path: Path, command: str, files: dict[str, bytes], option: str = "--out") -> Path:
    """Replace ``path`` by a directory holding exactly ``files`` (relative path -> bytes) and the
    marker: built beside it, then swapped in; the old one is removed only when every file in it
    was written by ``command``."""
    folder = check_directory(path, command, option, exact=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for rel, data in sorted(files.items()):
            target = _inside(tmp, rel)
            if target is None:
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


@dataclass(frozen=True)
class OutputFile:
    """A file a command may write: ``replace`` when it may overwrite what is there now."""

    path: Path
    option: str
    replace: bool

    def write_text(self, text: str) -> None:
        """Write ``text``; a new file is created exclusively (if one appeared since the check, it
        stays as it is and the command stops with one line)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self.path.open("w" if self.replace else "x", encoding="utf-8") as f:
                f.write(text)
        except FileExistsError:
            raise _refuse(self.option, self.path, "the file appeared while the command ran") from None


def new_file(path: Path, option: str, force: bool = False, own=None, hint: str = "pass --force to overwrite it"
             ) -> OutputFile:
    """A file a command may write, once it is clear it may: new, or (with ``force``, or when
    ``own(path)`` says a previous run wrote it) a regular file git does not track, outside the
    checkout's protected folders. Nothing is created here."""
    from efast_udp.release import tracked

    resolved = Path(path).expanduser().resolve()
    udp = UDP_DIR.resolve()
    if resolved == udp or resolved.is_relative_to(udp):
        raise _refuse(option, path, "udp/ holds only what `efast-udp build` renders there")
    blocked = next((p for p in resolved.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        raise _refuse(option, path, f"{blocked} is a file, not a directory")
    if resolved.is_dir():
        raise _refuse(option, path, "it is a directory, not a file")
    parent_reason = _protected_reason(resolved.parent, new_file_in=True)
    if parent_reason:
        raise _refuse(option, path, parent_reason)
    exists = os.path.lexists(path) or resolved.exists()
    if exists:
        if Path(path).is_symlink() or not resolved.is_file():
            raise _refuse(option, path, "it is not a regular file")
        state = tracked(resolved)
        if state is None:
            raise _refuse(option, path, "git cannot say whether the checkout tracks it")
        if state:
            raise _refuse(option, path, "it is a file tracked by git")
        if not (force or (own is not None and own(resolved))):
            raise _refuse(option, path, "the file exists", hint)
    return OutputFile(resolved, option, replace=exists)

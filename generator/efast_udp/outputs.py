"""Where commands may write: never over something they did not make.

Every command that writes (``site --out``, ``run --out``, ``demo --out``, ``build -o``,
``bench --json``, ``run --dask-report``) goes through here, and checks before anything else is
done. A directory is used only when it is new, empty, or carries the marker file
(``.efast-udp``) that the same command wrote there before, and holds no symbolic link; a
checkout (a path holding ``.git``), the project's own folders and anything else are refused
with one line. A rerun removes only the files the previous run listed in the marker (``site``,
which replaces its folder whole, refuses a folder with files it did not list), and only when
each of them is still a plain file (not a link, a FIFO, a device or a file with another hard
link); a file a run is about to write that is there but not listed stops the run before anything
is removed. ``run`` and ``demo`` lock their folder (``.efast-udp.lock``) for as long as they
write it, so a second run into the same folder stops with one line; they create every file
through ``openeo_cdse_local.writers.claim_path`` (exclusively, no link followed) and list in the
marker exactly the files they created. A file is written
only when it is new (created exclusively, so a file that appears meanwhile is not overwritten),
or with ``--force`` when it is a regular file that git does not track; files under ``udp/`` or in
the project's folders never; when git cannot say whether a file of the checkout is tracked, no.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from efast_udp.document import dump_json, parse_json
from efast_udp.errors import EfastUdpError, UsageError
from efast_udp.git import tracked
from efast_udp.project import ROOT, UDP_DIR

MARKER = ".efast-udp"
#: lock file of a folder a command is writing (``fcntl.flock``; it stays, empty, afterwards)
LOCK = ".efast-udp.lock"
#: largest marker file read (a marker lists a run's files: a few kB)
MAX_MARKER_BYTES = 2**20
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


def _kind(path: Path) -> str | None:
    """What is at ``path`` ("a file" for a plain file with one link), told without opening it;
    ``None`` when nothing is."""
    # lazy: openeo_cdse_local.writers (xarray, dask, rasterio) costs 0.9 s at ``build -o`` (python -X
    # importtime), which imports this module for new_file
    from openeo_cdse_local.writers import what_is

    try:
        return what_is(path)
    except FileNotFoundError:
        return None


def marker_of(folder: Path) -> dict | None:
    """The marker a command left in ``folder`` (``{"command": ..., "files": [...]}``), if any:
    a plain file (a FIFO or a link there is no marker, and is never opened)."""
    path = Path(folder) / MARKER
    if _kind(path) not in ("a file", "a file with another hard link"):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as f:
            raw = f.read(MAX_MARKER_BYTES + 1)
        data = parse_json(raw, path) if len(raw) <= MAX_MARKER_BYTES else None
    except (OSError, EfastUdpError):
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
    if marker is None and any(p.name != LOCK for p in resolved.iterdir()):
        raise _refuse(option, path, "it is a directory with files efast-udp did not write",
                      f"choose a new or empty directory, or one written by `efast-udp {command}`")
    if marker is None:
        return resolved
    if marker["command"] != command:
        raise _refuse(option, path, f"it was written by `efast-udp {marker['command']}`, not `{command}`")
    for entry in resolved.rglob("*"):  # never opened: a FIFO would block
        kind = _kind(entry)
        if kind in ("a symbolic link", "a FIFO", "a socket", "a device"):
            raise _refuse(option, path, f"it holds {kind} ({entry.relative_to(resolved)}), which efast-udp never makes")
    for rel in marker["files"]:
        old = _inside(resolved, str(rel))
        kind = _kind(old) if old is not None else None
        if kind not in (None, "a file"):
            raise _refuse(option, path, f"{rel}, listed in {MARKER}, is now {kind}; efast-udp removes only the plain "
                                        "files it wrote", "move it away first")
    if exact:
        listed = {str(f) for f in marker["files"]} | {MARKER}
        foreign = sorted(str(p.relative_to(resolved)) for p in resolved.rglob("*")
                         if p.is_file() and str(p.relative_to(resolved)) not in listed)
        if foreign:
            raise _refuse(option, path, f"it holds files `efast-udp {command}` did not write ({', '.join(foreign[:3])})",
                          "move them away first")
    return resolved


def own_directory(path: Path, command: str, option: str = "--out", planned: list[Path] = ()) -> Path:
    """Create (or reuse) an output directory of ``command``, once everything else is checked:
    the files a previous run of the same command listed in its marker are removed, nothing else;
    a file in ``planned`` (what the command is about to write) that is there and not listed is
    someone else's, and stops the command before anything is removed. The new marker lists
    ``planned``, so a run that is killed leaves a marker naming what it may have written."""
    folder = check_directory(path, command, option)
    folder.mkdir(parents=True, exist_ok=True)
    listed = [p for p in (_inside(folder, str(rel)) for rel in (marker_of(folder) or {}).get("files", [])) if p]
    ours = set(listed)
    for new in planned:
        new = Path(os.path.normpath(new))
        if new not in ours and _kind(new) is not None:
            raise _refuse(option, path, f"{new.relative_to(folder) if new.is_relative_to(folder) else new} is there "
                                        f"and `efast-udp {command}` did not write it (it is not listed in {MARKER})",
                          "move it away first")
    for old in listed:
        if _kind(old) == "a file":
            old.unlink()
    write_marker(folder, command, list(planned))
    return folder


def lock_folder(folder: Path, command: str, option: str = "--out") -> int:
    """Lock ``folder`` for ``command`` (``fcntl.flock`` on ``folder/.efast-udp.lock``, not
    waiting): the open descriptor, held until ``unlock``; another command holding it stops this
    one with one line."""
    path = folder / LOCK
    if _kind(path) not in (None, "a file"):
        raise _refuse(option, folder, f"{LOCK} is {_kind(path)}, not the lock file efast-udp makes", "remove it first")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise _refuse(option, folder, f"another `efast-udp {command}` is writing there (it holds {LOCK})",
                      "wait until it ends or choose another directory") from None
    return fd


def unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # closing the only descriptor releases the flock


class Claim:
    """An output folder a command claims once everything else is checked (``claim()``): locked
    against a second command, the previous run's files removed, and ``claims`` to create every
    new file through. In the end (``release()``, also after a failure) the marker lists the files
    the command created and the lock goes. ``scan``: also list every other file that appeared
    in the folder meanwhile (for a command whose files are not all created through ``claims``)."""

    def __init__(self, path: Path, command: str, option: str = "--out", scan: bool = False):
        from openeo_cdse_local.writers import Claims  # lazy: 0.9 s at ``build -o``, as in _kind

        self.path, self.command, self.option, self.scan = path, command, option, scan
        self.folder: Path | None = None
        self.claims = Claims(Path(path).expanduser().resolve())
        self.before: set[Path] = set()
        self.lock_fd: int | None = None
        self.made_folder: Path | None = None

    def lock(self) -> Path:
        """Lock the folder (made if new, then empty but for the lock file) from now until
        ``release``, before the command's long work: a second command into it stops at once."""
        folder = check_directory(self.path, self.command, self.option)
        if self.lock_fd is None:
            if not folder.exists():
                folder.mkdir(parents=True)
                self.made_folder = folder
            self.lock_fd = lock_folder(folder, self.command, self.option)
        return folder

    def claim(self, planned: list[Path] = ()) -> Path:
        folder = self.lock()
        try:
            self.folder = own_directory(folder, self.command, self.option, planned)
        except BaseException:
            self.release()
            raise
        self.before = {p for p in self.folder.rglob("*") if p.is_file()}
        return self.folder

    def discard(self) -> None:
        """After a failure: remove the files this command created (each made exclusively through
        ``claims``, so nothing else is touched), so that no partial output looks like a result."""
        for path in self.claims.paths:
            if _kind(path) == "a file":
                with contextlib.suppress(OSError):
                    path.unlink()

    def release(self) -> None:
        """The marker written (when the folder was claimed), the lock released; a folder this
        command made and never wrote into goes again."""
        try:
            if self.folder is not None:
                made = [p for p in self.claims.paths if _kind(p) == "a file"]
                if self.scan:
                    made += [p for p in self.folder.rglob("*") if p.is_file() and p not in self.before
                             and p.name not in (MARKER, LOCK)]
                write_marker(self.folder, self.command, made)
            elif self.made_folder is not None and self.lock_fd is not None:
                with contextlib.suppress(OSError):
                    (self.made_folder / LOCK).unlink()
                    self.made_folder.rmdir()  # only when nothing else appeared in it
        finally:
            unlock(self.lock_fd)
            self.lock_fd = None


def write_marker(folder: Path, command: str, files: list[Path]) -> None:
    """Record that ``command`` wrote ``folder`` and which files (inside it) it put there: a new
    file renamed over the marker, so nothing at the marker's path is written through."""
    folder = Path(folder)
    rel = sorted({os.path.relpath(os.path.normpath(f), folder) for f in files
                  if Path(os.path.normpath(f)).is_relative_to(folder)})
    fd, tmp = tempfile.mkstemp(prefix=f"{MARKER}.", suffix=".tmp", dir=folder)  # created exclusively
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(dump_json({"command": command, "files": rel}))
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / MARKER)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
        stays as it is and the command stops with one line); a file replaced is replaced whole (a
        new file renamed over it), so nothing is written through a link or a hard link there."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.replace:
            try:
                with self.path.open("x", encoding="utf-8") as f:
                    f.write(text)
            except FileExistsError:
                raise _refuse(self.option, self.path, "the file appeared while the command ran") from None
            return
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def new_file(path: Path, option: str, force: bool = False, own=None, hint: str = "pass --force to overwrite it"
             ) -> OutputFile:
    """A file a command may write, once it is clear it may: new, or (with ``force``, or when
    ``own(path)`` says a previous run wrote it) a regular file git does not track, outside the
    checkout's protected folders. Nothing is created here."""
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

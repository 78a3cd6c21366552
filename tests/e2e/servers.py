"""Servers for the publishing tests, all on 127.0.0.1 and all bounded in time.

- :func:`site_for_tests` renders the static site from the repository's ``udp/`` (or, before the real
  UDP exists, from the hand-made fixture project).
- :class:`DummyBackend` runs openeo-driver's dummy back-end (``tests/backend/serve_dummy.py``) in the
  separate driver venv as a subprocess.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from ci import unavailable
from e2e import fixture_udp

REPO = Path(__file__).resolve().parents[2]
BACKEND_SCRIPT = REPO / "tests" / "backend" / "serve_dummy.py"
DRIVER_PYTHON = REPO / ".venv-driver" / "bin" / "python"
START_TIMEOUT = 120  # s, first start imports openeo-driver (pandas, geopandas, ...)
STOP_TIMEOUT = 15  # s


def artifacts_dir() -> Path:
    path = Path(os.environ.get("EFAST_TEST_ARTIFACTS", REPO / "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def site_sources(tmp: Path) -> tuple[Path, Path, bool]:
    """(udp dir, changelog, is_real): the repository's ``udp/`` once rendered, else a fixture project."""
    udp = REPO / "udp"
    if (udp / "efast.json").is_file() and any((udp / "releases").glob("*/efast.json")):
        return udp, REPO / "CHANGELOG.md", True
    root = fixture_udp.make_project(tmp / "fixture-project", ("0.1.0",))
    return root / "udp", root / "CHANGELOG.md", False


def site_for_tests(tmp: Path):
    """Render the site into ``tmp/public``; returns the :class:`efast_udp.site.build.Site`."""
    from efast_udp.settings import Settings
    from efast_udp.site import build

    udp_dir, changelog, _ = site_sources(tmp)
    return build.build(udp_dir, tmp / "public", Settings.load(), changelog=changelog)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def driver_python() -> Path:
    path = Path(os.environ.get("EFAST_DRIVER_PYTHON", DRIVER_PYTHON))
    if not path.is_file():
        unavailable(f"no openeo-driver venv at {path} (create it with `make driver-venv`)")
    return path


class DummyBackend:
    """openeo-driver's dummy back-end with the S2/S3 collections, as a subprocess on 127.0.0.1."""

    def __init__(self, python: Path, workdir: Path):
        self.python = python
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.log_path = workdir / "dummy-backend.log"

    def __enter__(self) -> "DummyBackend":
        ready = self.workdir / "dummy-backend.port"
        ready.unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [str(self.python), str(BACKEND_SCRIPT), "--host", "127.0.0.1", "--port", "0", "--ready-file", str(ready)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=self.workdir,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        try:
            while not ready.is_file():
                if self.proc.poll() is not None:
                    raise RuntimeError(f"dummy back-end exited with {self.proc.returncode}:\n{self.log_tail()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"dummy back-end not ready after {START_TIMEOUT} s:\n{self.log_tail()}")
                time.sleep(0.2)
            self.url = f"http://127.0.0.1:{int(ready.read_text())}/openeo/1.2"
            while True:  # answers the capabilities document
                try:
                    with urllib.request.urlopen(self.url + "/", timeout=5) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"dummy back-end does not answer at {self.url}:\n{self.log_tail()}")
                time.sleep(0.2)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

"""Where things are: the checkout, its ``pyproject.toml``, and the default paths of every command;
and what a release version looks like (``is_version``, ``version_key``).

Every default path of the CLI is resolved here, once: commands never guess directories on their
own. When the package runs from a checkout (editable install, the normal case) the root is that
checkout; installed elsewhere it is the current directory.
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from efast_udp.errors import SettingsError, UsageError

#: The repository root when the package runs from a checkout (editable install).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def root() -> Path:
    """The checkout the commands work on: the package's own, else the current directory."""
    return PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").is_file() else Path.cwd()


ROOT = root()
UDP_DIR = ROOT / "udp"
RELEASES_DIR = UDP_DIR / "releases"
#: The file name of the UDP everywhere: udp/, each release folder, the site.
UDP_FILE = "efast.json"
LATEST_UDP = UDP_DIR / UDP_FILE
SCHEMAS_DIR = ROOT / "schemas"
CHANGELOG = ROOT / "CHANGELOG.md"
PUBLIC_DIR = ROOT / "public"
_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


@functools.lru_cache(maxsize=None)
def pyproject(path: Path = ROOT / "pyproject.toml") -> dict:
    """The parsed ``pyproject.toml``, ``{}`` when there is none; a file that is not valid TOML
    is a settings error (one line naming the file and the place), not a traceback."""
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path.name} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise SettingsError(f"cannot read {path}: {exc.strerror or exc}") from None


def project_version() -> str:
    """The version of the UDP being rendered (``[project] version`` in pyproject.toml)."""
    project = pyproject().get("project", {})
    version = project.get("version") if isinstance(project, dict) else None
    if version is not None and not isinstance(version, str):
        raise SettingsError(f"pyproject.toml [project] version must be a string, got {version!r}")
    if version:
        return version
    # lazy: importlib.metadata costs 25 ms at the start-up of every command (python -X importtime); only an
    # installed package without its checkout gets here
    import importlib.metadata

    return importlib.metadata.version("efast-udp")


def is_version(text: str) -> bool:
    """True for a release version, ``MAJOR.MINOR.PATCH``."""
    return bool(_VERSION.match(str(text)))


def version_key(version: str) -> tuple[int, int, int]:
    """(major, minor, patch) for ordering; anything but ``X.Y.Z`` is a usage error."""
    m = _VERSION.match(str(version))
    if not m:
        raise UsageError(f"{version!r} is not a version (expected MAJOR.MINOR.PATCH, e.g. 0.3.0)")
    return tuple(int(x) for x in m.groups())  # type: ignore[return-value]

"""The data the checks read: the project's JSON Schemas, the back-end profile and the vendored
openEO process specifications, all under ``schemas/`` of the checkout, loaded once and lazily."""

from __future__ import annotations

import functools
from pathlib import Path

from efast_udp.document import load_json
from efast_udp.errors import UnreadableInput
from efast_udp.project import SCHEMAS_DIR

PROCESSES_DIR = SCHEMAS_DIR / "openeo-processes"
UDP_SCHEMA = SCHEMAS_DIR / "udp.schema.json"
PROCESS_GRAPH_SCHEMA = SCHEMAS_DIR / "process-graph.schema.json"
PROFILE = SCHEMAS_DIR / "backend-profile.json"
PROFILE_SCHEMA = SCHEMAS_DIR / "backend-profile.schema.json"


def read_json(path: Path) -> object:
    """The parsed JSON file, read within ``document.load_json``'s limits; a missing or broken
    project file is a usage error (exit 2)."""
    return load_json(path)


@functools.lru_cache(maxsize=None)
def udp_schemas() -> tuple[dict, dict]:
    """The UDP schema and the process graph schema it refers to."""
    return read_json(UDP_SCHEMA), read_json(PROCESS_GRAPH_SCHEMA)


@functools.lru_cache(maxsize=None)
def profile() -> dict:
    """The back-end profile (``schemas/backend-profile.json``)."""
    return read_json(PROFILE)


@functools.lru_cache(maxsize=None)
def _spec_paths() -> dict[str, Path]:
    """process id -> spec file, for the released and the proposed (experimental) processes."""
    if not PROCESSES_DIR.is_dir():
        raise UnreadableInput(f"openEO process specifications not found in {PROCESSES_DIR}")
    paths = {p.stem: p for p in (PROCESSES_DIR / "proposals").glob("*.json")}
    paths.update({p.stem: p for p in PROCESSES_DIR.glob("*.json")})
    return paths


@functools.lru_cache(maxsize=None)
def process_spec(process_id: str) -> dict | None:
    """The specification of a predefined or profiled process, ``None`` when there is none."""
    for extra in profile().get("extra_processes", []):
        if extra["id"] == process_id:
            return extra["spec"]
    path = _spec_paths().get(process_id)
    return read_json(path) if path else None


def known_process_ids() -> list[str]:
    """All process ids the validator accepts (for 'did you mean' hints)."""
    return sorted(set(_spec_paths()) | {p["id"] for p in profile().get("extra_processes", [])})


def extra_argument(process_id: str, name: str) -> dict | None:
    """The profile entry that allows argument ``name`` on ``process_id``, if any."""
    for entry in profile().get("extra_arguments", []):
        if entry["process_id"] == process_id and entry["argument"] == name:
            return entry
    return None


def udf_policy() -> dict:
    """The profile's UDF rules (runtimes, entry point, and the lint's allow-lists)."""
    return profile()["udf"]

"""Shared helpers of the validation tests (issue 3): the UDP under test (also with a hostile
parameter schema), locating parts of it, and running the official openEO JS validator (installed
on demand from tests/js)."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ci import unavailable

ROOT = Path(__file__).resolve().parents[1]
REAL_UDP = ROOT / "udp" / "efast.json"
FIXTURES = ROOT / "tests" / "fixtures" / "validation"
SPECS = ROOT / "schemas" / "openeo-processes"
PROFILE = ROOT / "schemas" / "backend-profile.json"
JS_DIR = ROOT / "tests" / "js"
#: Seconds `npm ci` may take on a fresh machine.
NPM_TIMEOUT = 300
#: Seconds one run of the JS validator may take.
NODE_TIMEOUT = 120


def load_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def real_udp() -> dict:
    """A fresh copy of the rendered ``udp/efast.json`` (fails if it was not rendered)."""
    assert REAL_UDP.is_file(), f"{REAL_UDP} is missing: run `make build-udp`"
    return copy.deepcopy(_real_udp_cached())


_CACHE: dict = {}


def _real_udp_cached() -> dict:
    if "udp" not in _CACHE:
        _CACHE["udp"] = load_json(REAL_UDP)
    return _CACHE["udp"]


def udp_files() -> list[Path]:
    """``udp/efast.json`` and every ``udp/releases/*/efast.json``."""
    return [REAL_UDP] + sorted((ROOT / "udp" / "releases").glob("*/efast.json"))


# --- locating parts of a UDP --------------------------------------------------------------

def nodes_with(graph: dict, process_id: str) -> list[str]:
    """Ids of the nodes of ``graph`` (a process_graph object) that run ``process_id``."""
    return [nid for nid, node in graph.items() if node.get("process_id") == process_id]


def first_node(graph: dict, process_id: str) -> str:
    ids = nodes_with(graph, process_id)
    assert ids, f"the UDP has no top-level '{process_id}' node; adapt this mutation"
    return ids[0]


def result_node(graph: dict) -> str:
    return next(nid for nid, node in graph.items() if node.get("result"))


def callback_of(doc: dict, process_id: str) -> tuple[str, dict]:
    """``(node id, callback process_graph)`` of the first top-level ``process_id`` node with a
    ``process`` callback."""
    for nid in nodes_with(doc["process_graph"], process_id):
        process = doc["process_graph"][nid]["arguments"].get("process")
        if isinstance(process, dict) and "process_graph" in process:
            return nid, process["process_graph"]
    raise AssertionError(f"the UDP has no '{process_id}' node with a callback; adapt this mutation")


def udf_node(doc: dict) -> tuple[str, str, dict]:
    """``(outer node id, run_udf node id, run_udf arguments)`` of the first UDF of the UDP."""
    for nid, node in doc["process_graph"].items():
        process = node["arguments"].get("process")
        if isinstance(process, dict) and "process_graph" in process:
            for inner_id, inner in process["process_graph"].items():
                if inner.get("process_id") == "run_udf":
                    return nid, inner_id, inner["arguments"]
    raise AssertionError("the UDP has no run_udf callback")


def parameter_index(doc: dict, name: str) -> int:
    return next(i for i, p in enumerate(doc["parameters"]) if p["name"] == name)


# --- the official JS validator ------------------------------------------------------------

def ensure_js_validator() -> Path:
    """The validator script, after installing tests/js/node_modules with `npm ci` if needed."""
    if shutil.which("node") is None:
        unavailable("node is not installed; the JS tools need Node.js >= 20")
    package = JS_DIR / "node_modules" / "@openeo" / "js-processgraphs" / "package.json"
    others = [JS_DIR / "node_modules" / name / "package.json" for name in ("markdownlint", "markdown-spellcheck")]
    if not package.is_file() or not all(p.is_file() for p in others):
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm is not installed; cannot install @openeo/js-processgraphs")
        try:
            subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS_DIR,
                           check=True, timeout=NPM_TIMEOUT, capture_output=True, text=True)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            unavailable(f"`npm ci` in tests/js failed: {getattr(exc, 'stderr', '') or exc}")
    assert load_json(package)["version"] == "1.4.2"
    return JS_DIR / "validate.js"


def run_lint_docs(paths: list[Path], words: Path = JS_DIR / "words.txt") -> dict[str, list[dict]]:
    """The markdown and spelling findings of ``tests/js/lint-docs.js`` per file."""
    ensure_js_validator()
    proc = subprocess.run(["node", str(JS_DIR / "lint-docs.js"), str(words)] + [str(p) for p in paths],
                          capture_output=True, text=True, timeout=NODE_TIMEOUT)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def run_js(paths: list[Path], profile: bool) -> dict[str, list[dict]]:
    """The JS validator's errors per file: ``{str(path): [{"code", "message"}, ...]}``."""
    script = ensure_js_validator()
    cmd = ["node", str(script), str(SPECS)] + (["--profile", str(PROFILE)] if profile else [])
    proc = subprocess.run(cmd + [str(p) for p in paths], capture_output=True, text=True,
                          timeout=NODE_TIMEOUT)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def profiled_js_errors(doc: dict) -> list[dict]:
    """The JS errors the back-end profile expects for ``doc``: one per top-level node that uses
    a profiled extra argument (the official validator does not know them)."""
    expected = []
    profile = load_json(PROFILE)
    for extra in profile["extra_arguments"]:
        for node in doc["process_graph"].values():
            if node.get("process_id") == extra["process_id"] and extra["argument"] in node["arguments"]:
                expected.append(extra["js_validator_error"])
    return expected


def with_parameter(tmp_path, schema, default, name="hostile.json"):
    """The rendered UDP with one more parameter, ``hostile``, of ``schema`` and ``default``, saved in ``tmp_path``."""
    doc = json.loads(REAL_UDP.read_text())
    doc["parameters"].append({"name": "hostile", "description": "A hostile schema.", "schema": schema,
                              "default": default, "optional": True})
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path

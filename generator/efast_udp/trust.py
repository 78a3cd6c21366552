"""Which UDF code ``efast-udp run`` (and ``demo``, ``bench``) execute: only code this project released.

A UDF runs with the rights of whoever runs it. On a back-end it runs in the provider's sandbox;
on a laptop nothing contains it, and the validator's UDF rules are a lint, not a sandbox. So
before anything runs, every UDF source of the document is looked up, by its SHA-256, in the list
of UDF sources of all release files (``released_udfs.json``, shipped in the package and written by
``efast-udp build``). A UDF that is not on it is refused, naming its node, unless the user opts in
explicitly (``--allow-untrusted-udf``), and then with a warning.
"""

from __future__ import annotations

import functools
from pathlib import Path

from efast_udp.checksums import sha256
from efast_udp.document import dump_json, load_json
from efast_udp.graph_nodes import every_run_udf, udf_code, udf_nodes
from efast_udp.errors import EfastUdpError, UsageError
from efast_udp.project import UDP_DIR
from efast_udp.terminal import label

LIST_PATH = Path(__file__).with_name("released_udfs.json")
OPT_IN = "--allow-untrusted-udf"


def list_path(udp_dir: Path) -> Path:
    """Where ``build`` writes the trust list for ``udp_dir``: the package's own list for the
    checkout's ``udp/``, a file beside any other ``udp`` folder (tests, experiments)."""
    return LIST_PATH if udp_dir.resolve() == UDP_DIR.resolve() else udp_dir.parent / LIST_PATH.name


def render_list(releases: dict[str, dict]) -> str:
    """The trust list for ``{version: process definition}``: digest -> where it was released."""
    found: dict[str, list[str]] = {}
    for version, doc in releases.items():
        for udf in udf_nodes(doc):
            found.setdefault(sha256(udf.code), []).append(f"{version} {udf.ref.path}")
    listing = {
        "description": "SHA-256 of every UDF source in udp/releases/*/efast.json: the UDF code efast-udp run "
                       "executes without --allow-untrusted-udf. Written by efast-udp build; do not edit.",
        "udfs": {key: sorted(found[key]) for key in sorted(found)},
    }
    return dump_json(listing)


@functools.lru_cache(maxsize=1)
def released_digests() -> dict[str, list[str]]:
    """digest -> ["<version> <node path>", ...] of the UDF sources released so far."""
    try:
        return dict(load_json(LIST_PATH)["udfs"])
    except (EfastUdpError, KeyError, TypeError, ValueError):
        return {}


def every_udf(doc: dict) -> list[tuple[str, str | None]]:
    """(node path, source or ``None`` when not inline) of every ``run_udf`` node of ``doc``,
    wherever it sits: graph nodes by their node path (``fused/process/runudf1``), others (a
    parameter default, an example) by their JSON path (``parameters/3/default/process_graph/x``)."""
    in_graph = {id(udf.ref.data): udf.ref.path for udf in udf_nodes(doc)}
    found = []
    for path, node in every_run_udf(doc):
        code = udf_code(node)
        found.append((in_graph.get(id(node)) or "/".join(map(str, path)), code))
    return found


def untrusted(doc: dict) -> list[tuple[str, str | None]]:
    """(node path, digest or ``None`` for code that is not inline) of every UDF of ``doc``
    that is not on the trust list."""
    known = released_digests()
    found = [(path, None if code is None else sha256(code)) for path, code in every_udf(doc)]
    return [(path, sha) for path, sha in found if sha not in known]


def vouch(doc: dict, allow_untrusted: bool = False) -> list[str]:
    """Refuse (:class:`UsageError`) a document with a UDF this project did not release; with
    ``allow_untrusted`` return the warnings to print instead."""
    foreign = [(label(path), sha) for path, sha in untrusted(doc)]  # node ids are printed
    if not foreign:
        return []
    if not allow_untrusted:
        path, sha = foreign[0]
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        raise UsageError(
            f"refusing to run the UDF of node '{path}'{more}: its code ({_which(sha)}) is not a UDF efast-udp "
            f"released, and a UDF runs with your rights on this machine; pass {OPT_IN} to run it anyway")
    return [f"warning: running the UDF of node '{path}' ({_which(sha)}), which efast-udp did not release: "
            "it runs with your rights, unsandboxed" for path, sha in foreign]


def _which(sha: str | None) -> str:
    return "not given inline" if sha is None else f"sha256 {sha[:12]}"

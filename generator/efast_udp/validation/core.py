"""Runs every check on one UDP document and collects all findings at once."""

from __future__ import annotations

from efast_udp.validation import (
    check_arguments,
    check_bounds,
    check_documentation,
    check_metadata,
    check_parameters,
    check_processes,
    check_references,
    check_schema,
    check_udf,
    check_udf_reach,
)
from efast_udp.validation.context import Context
from efast_udp.validation.findings import Finding, show

#: The checks of issue 3, in its order.
ALL_CHECKS = (
    check_schema.CHECKS
    + check_processes.CHECKS
    + check_arguments.CHECKS
    + check_references.CHECKS
    + check_parameters.CHECKS
    + check_udf.CHECKS
    + check_udf_reach.CHECKS  # every run_udf wherever it sits, and writes through plotting objects
    + check_bounds.CHECKS  # every number that sizes the work of a run, in its documented range
    + check_metadata.CHECKS
)


def validate_udp(doc: object, require_file_name: str | None = None, lint: bool = False) -> list[Finding]:
    """All problems of the process definition ``doc`` (parsed JSON); an empty list means valid.

    ``require_file_name`` (a path or URL): also require the ``id`` to equal the file's name, as
    catalogues that publish ``<id>.json`` do (openEO itself does not). ``lint``: also apply the
    openEO process linter's documentation rules (``check_documentation``).
    """
    if not isinstance(doc, dict):
        return [Finding("schema", "", show(doc), "a JSON object (process definition)",
                        "the document is not a JSON object")]
    ctx = Context.of(doc, require_file_name)
    findings: list[Finding] = []
    for check in ALL_CHECKS + (check_documentation.CHECKS if lint else []):
        findings.extend(check(ctx))
    return findings


def validate_document(doc: object, require_file_name: str | None = None, lint: bool = False) -> list[Finding]:
    """A process definition, or a process listing ``{"processes": [...], "links": [...]}`` whose
    every entry is validated (findings point into the list: ``/processes/0/...``)."""
    if not (isinstance(doc, dict) and "process_graph" not in doc and "processes" in doc):
        return validate_udp(doc, require_file_name, lint)
    findings = list(_listing_findings(doc))
    for index, entry in enumerate(doc["processes"] if isinstance(doc["processes"], list) else []):
        for f in validate_udp(entry, lint=lint):
            findings.append(Finding(f.code, f"/processes/{index}{f.pointer}", f.found, f.expected, f.message))
    return findings


def _listing_findings(doc: dict):
    """The listing's own shape: ``processes`` a non-empty array, ``links`` an array of links."""
    if not isinstance(doc["processes"], list) or not doc["processes"]:
        yield Finding("listing", "/processes", show(doc["processes"]), "a non-empty array of process definitions",
                      "a process listing needs at least one process")
    links = doc.get("links")
    if not isinstance(links, list):
        yield Finding("listing", "/links", show(links), "an array of links",
                      "a process listing needs 'links' (openEO API: GET /processes)")
        return
    for index, link in enumerate(links):
        if not (isinstance(link, dict) and isinstance(link.get("href"), str)):
            yield Finding("listing", f"/links/{index}", show(link), "an object with 'href'", "a link needs an href")
        elif not link["href"].startswith("https://"):
            yield Finding("insecure-link", f"/links/{index}/href", show(link["href"]), "an https:// URL",
                          f"link {index} of the listing is not an https URL")
    seen: dict[str, int] = {}
    for index, entry in enumerate(doc["processes"] if isinstance(doc["processes"], list) else []):
        pid = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(pid, str) and pid in seen:
            yield Finding("listing", f"/processes/{index}/id", show(pid), "an id no other entry has",
                          f"the listing defines process '{pid}' twice (also /processes/{seen[pid]})")
        elif isinstance(pid, str):
            seen[pid] = index
    extra = sorted(set(doc) - {"processes", "links"})
    if extra:
        yield Finding("listing", f"/{extra[0]}", show(doc[extra[0]]), "only processes and links",
                      f"'{extra[0]}' is not part of a process listing")

"""Runs every check on one UDP document and collects all findings at once."""

from __future__ import annotations

from efast_udp.validation import (
    check_arguments,
    check_metadata,
    check_parameters,
    check_processes,
    check_references,
    check_schema,
    check_udf,
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
    + check_metadata.CHECKS
)


def validate_udp(doc: object, filename: str | None = None) -> list[Finding]:
    """All problems of the UDP ``doc`` (parsed JSON); an empty list means valid.

    ``filename`` (a path or URL) enables the check that the ``id`` matches the file name.
    """
    if not isinstance(doc, dict):
        return [Finding("schema", "", show(doc), "a JSON object (process definition)",
                        "the document is not a JSON object")]
    ctx = Context.of(doc, filename)
    findings: list[Finding] = []
    for check in ALL_CHECKS:
        findings.extend(check(ctx))
    return findings

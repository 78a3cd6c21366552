"""Validation of rendered UDPs (issue 3): the project's JSON Schemas from the openEO API 1.2,
the pinned openEO process specifications, the back-end profile and the UDF rules.

    from efast_udp.validation import validate_udp
    findings = validate_udp(doc)                  # [] when valid
    findings = validate_document(doc)             # a definition or a process listing

Importing this package is cheap; the checks (and jsonschema) load on the first call.
"""

from __future__ import annotations

from efast_udp.validation.findings import Finding


def validate_udp(doc: object, require_file_name: str | None = None, lint: bool = False) -> list[Finding]:
    """All findings for the UDP ``doc``; see :func:`efast_udp.validation.core.validate_udp`."""
    # lazy: the checks and jsonschema cost 113 ms at ``run --help`` and 27 ms at ``build -o`` (python -X
    # importtime), which import this package and validate nothing
    from efast_udp.validation.core import validate_udp as _validate

    return _validate(doc, require_file_name, lint)


def validate_document(doc: object, require_file_name: str | None = None, lint: bool = False) -> list[Finding]:
    """A definition or a listing; see :func:`efast_udp.validation.core.validate_document`."""
    from efast_udp.validation.core import validate_document as _validate  # lazy: as in validate_udp

    return _validate(doc, require_file_name, lint)


__all__ = ["Finding", "validate_udp", "validate_document"]

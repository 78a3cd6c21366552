"""Check 8 (with ``--lint``): the structural documentation rules of the openEO process linter
(openeo-processes-lint), which every official openEO process passes.

The markdown and spelling rules of that linter need its node tools and run in the test suite
(``tests/js/lint-docs.js``); the rules here are the cheap ones. Releases made before these rules
were adopted are not held to them (released files never change), so they apply to new renders
and to files checked with ``efast-udp validate --lint``.
"""

from __future__ import annotations

from typing import Iterator

from efast_udp.validation.context import Context
from efast_udp.pointers import pointer
from efast_udp.validation.findings import Finding, show

#: The linter's limits: a summary shorter than this, without a final period.
SUMMARY_MAX = 59
DESCRIPTION_MIN = 61


def check_summary(ctx: Context) -> Iterator[Finding]:
    """A summary is one short line: under 60 characters, no final period."""
    summary = ctx.doc.get("summary")
    if not isinstance(summary, str):
        return
    if len(summary) > SUMMARY_MAX:
        yield Finding("summary-length", pointer("summary"), f"{len(summary)} characters: {show(summary)}",
                      f"at most {SUMMARY_MAX} characters", "the summary is too long for the openEO process linter")
    if summary.endswith("."):
        yield Finding("summary-period", pointer("summary"), show(summary), "no final period",
                      "the summary must not end with a period (openEO process linter)")


def _texts(doc: dict) -> Iterator[tuple[str, object, int]]:
    """(pointer, text, minimum length) of the descriptions the linter requires."""
    yield pointer("description"), doc.get("description"), DESCRIPTION_MIN
    for i, param in enumerate(doc.get("parameters") or []):
        if isinstance(param, dict):
            yield pointer("parameters", i, "description"), param.get("description"), 1
    if isinstance(doc.get("returns"), dict):
        yield pointer("returns", "description"), doc["returns"].get("description"), 1


def check_descriptions(ctx: Context) -> Iterator[Finding]:
    """The process, every parameter and the return value say what they are."""
    for where, text, minimum in _texts(ctx.doc):
        if not isinstance(text, str) or len(text.strip()) < minimum:
            yield Finding("missing-description", where, show(text), f"a text of at least {minimum} characters",
                          "a description is missing or too short (openEO process linter)")


def check_flags(ctx: Context) -> Iterator[Finding]:
    """``optional``/``deprecated``/``experimental`` are either absent or true, and a parameter
    has at least one category to be found by."""
    categories = ctx.doc.get("categories")
    if not (isinstance(categories, list) and categories and all(isinstance(c, str) for c in categories)):
        yield Finding("categories", pointer("categories"), show(categories), "a non-empty array of strings",
                      "the process needs at least one category (openEO process linter)")
    places = [((), ctx.doc)] + [(("parameters", i), p) for i, p in enumerate(ctx.doc.get("parameters") or [])
                                if isinstance(p, dict)]
    for where, item in places:
        for flag in ("optional", "deprecated", "experimental"):
            if flag in item and item[flag] is not True:
                yield Finding("flag-false", pointer(*where, flag), show(item[flag]), f"no '{flag}' or true",
                              f"'{flag}': false says nothing: leave it out (openEO process linter)")


CHECKS = [check_summary, check_descriptions, check_flags]

"""Check 7: links are https and, under the catalogue rule, the ``id`` matches the file name."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterator
from urllib.parse import urlparse

from efast_udp.validation.context import Context
from efast_udp.pointers import pointer
from efast_udp.validation.findings import Finding, show


def check_links_https(ctx: Context) -> Iterator[Finding]:
    """Plain http links can be altered in transit and are blocked as mixed content by the
    Web Editor (served over https)."""
    links = ctx.doc.get("links")
    if not isinstance(links, list):
        return
    for i, link in enumerate(links):
        href = link.get("href") if isinstance(link, dict) else None
        if isinstance(href, str) and not href.startswith("https://"):
            yield Finding("insecure-link", pointer("links", i, "href"), show(href), "an https:// URL",
                          f"link {i} (rel {show(link.get('rel'))}) is not an https URL")


def _file_name(filename: str) -> str:
    path = urlparse(filename).path if "://" in filename else filename.replace("\\", "/")
    return PurePosixPath(path).name


def check_id_matches_file(ctx: Context) -> Iterator[Finding]:
    """Catalogues that publish one definition per file as ``<id>.json`` (this project's site,
    APEx) need the file to be named after the ``id``, because users take the process id from the
    URL. openEO itself does not require it, so the check runs only when asked for."""
    if not ctx.require_file_name or not isinstance(ctx.doc.get("id"), str):
        return
    name, expected = _file_name(ctx.require_file_name), f"{ctx.doc['id']}.json"
    if name != expected:
        yield Finding(code="id-mismatch", pointer=pointer("id"), found=f"file name {show(name)}",
                      expected=f"the file name {show(expected)}",
                      message=f"id {show(ctx.doc['id'])} does not match the file name {ctx.require_file_name!r}")


CHECKS = [check_links_https, check_id_matches_file]

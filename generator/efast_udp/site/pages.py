"""The documentation page (``index.html``), rendered with jinja2 from ``templates/site/``."""

from __future__ import annotations

import functools
import importlib.resources
import json
import re

import jinja2
import markupsafe
from markdown_it import MarkdownIt

from efast_udp import templates
from efast_udp.document import example_arguments
from efast_udp.project import UDP_FILE
from efast_udp.site import catalogue, diagram
from efast_udp.site import formulas as maths
from efast_udp.site.catalogue import LISTING_FILE

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: the demo figure of the landing page: a PNG committed in ``templates/site/`` (``make site-figures``
#: redraws it from a demo run), published as it is
DEMO_FIGURE = "efast-demo.png"
DEMO_FIGURE_ALT = (
    "Three maps of NDVI on a date in the middle of a Sentinel-2 cloud gap, a month without a clear image (five cloudy "
    "acquisitions) in the synthetic demo scene: Sentinel-2 alone (interpolated across the gap, blank where it "
    "has no value), EFAST, and the known truth. Below them the scene's mean NDVI from 1 June to 30 July: the "
    "truth greens up inside the gap; EFAST follows the curve, the Sentinel-2-only interpolation draws a "
    "straight line across it.")


def markdown_to_html(text: str, top: int = 3, formulas: bool = False, anchors: bool = False) -> str:
    """CommonMark to HTML; raw HTML in the source is escaped, and the highest heading level in the
    text becomes ``<h{top}>`` (the others keep their distance) so it nests below the page's headings.
    ``formulas``: ``text`` code blocks hold formulas, rendered as MathML (``site/formulas.py``);
    ``anchors``: headings get GitHub's ids (a page made of one document, whose contents link them)."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(["table", "strikethrough"])
    tokens = md.parse(text or "")
    headings = [t for t in tokens if t.type in ("heading_open", "heading_close")]
    if headings:
        shift = top - min(int(t.tag[1]) for t in headings)
        for token in headings:
            token.tag = f"h{max(1, min(6, int(token.tag[1]) + shift))}"
    seen: set[str] = set(PAGE_IDS)
    for i, token in enumerate(tokens):
        if anchors and token.type == "heading_open" and i + 1 < len(tokens):
            token.attrSet("id", heading_anchor(_plain_text(tokens[i + 1]), seen))
        elif formulas and token.type == "fence" and token.info.strip() == "text":
            token.type, token.content = "html_block", maths.block_to_html(token.content)  # our markup, not the source's
    return md.renderer.render(tokens, md.options, {})


#: ids the page templates use themselves, which a heading's id must not repeat
PAGE_IDS = ("document",)


def _plain_text(inline) -> str:
    """The text a reader sees of an inline token (link targets, images' addresses and markup
    left out, entities decoded), as GitHub makes heading ids of it."""
    return "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline"))


def heading_anchor(title: str, seen: set[str]) -> str:
    """The id GitHub gives a heading (lower case, punctuation dropped, spaces as hyphens; ``-1``,
    ``-2``, ... until unused), so a page's contents links work on the site as on GitHub; ``seen``
    holds the ids taken so far and gets this one. A title of punctuation only gives ``section``."""
    slug = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-") or "section"
    anchor, count = slug, 0
    while anchor in seen:
        count += 1
        anchor = f"{slug}-{count}"
    seen.add(anchor)
    return anchor


def markdown_inline(text: str) -> str:
    """One line of CommonMark (code spans, emphasis, links) to HTML, raw HTML escaped."""
    return MarkdownIt("commonmark", {"html": False}).renderInline(text or "")


def python_literal(value, indent: int = 0, step: int = 4, prefix: int = 0) -> str:
    """``value`` (JSON data) as Python source, multi-line for nested containers."""
    pad, inner = " " * indent, " " * (indent + step)
    if value is None or isinstance(value, (bool, int, float, str)):
        return _scalar(value)
    one_line = _flat_literal(value)
    if len(one_line) + indent + prefix <= 88 and not _nested(value):
        return one_line
    if isinstance(value, dict):
        items = [f"{inner}{_scalar(k)}: {python_literal(v, indent + step, step, len(_scalar(k)) + 2)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    items = [f"{inner}{python_literal(v, indent + step, step)}," for v in value]
    return "[\n" + "\n".join(items) + f"\n{pad}]"


def _scalar(value) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid Python literal, in double quotes
    return repr(value)


def _flat_literal(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flat_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flat_literal(v) for v in value) + "]"
    return _scalar(value)


def _nested(value) -> bool:
    children = value.values() if isinstance(value, dict) else value
    return any(isinstance(c, (dict, list)) and c for c in children)


def call_arguments(arguments: dict, indent: int = 4) -> str:
    """Keyword arguments (one per line) for a Python call."""
    lines = []
    for name, value in arguments.items():
        if _IDENTIFIER.match(name):
            lines.append(f"{' ' * indent}{name}={python_literal(value, indent, prefix=len(name) + 2)},")
    return "\n".join(lines)


def schema_type(schema) -> str:
    """A short human-readable type for a parameter schema (``bounding-box``, ``array<string>``, ...)."""
    if isinstance(schema, list):
        parts = []
        for s in schema:
            t = schema_type(s)
            if t not in parts:
                parts.append(t)
        return " | ".join(parts) or "any"
    if not isinstance(schema, dict) or not schema:
        return "any"
    if "subtype" in schema:
        return str(schema["subtype"])
    if "anyOf" in schema or "oneOf" in schema:
        return schema_type(schema.get("anyOf") or schema.get("oneOf"))
    t = schema.get("type", "any")
    if isinstance(t, list):
        t = " | ".join(str(x) for x in t)
    if t == "array" and isinstance(schema.get("items"), dict):
        return f"array<{schema_type(schema['items'])}>"
    return str(t)


def default_text(param: dict) -> str | None:
    if "default" not in param:
        return None
    return json.dumps(param["default"], ensure_ascii=False)


@functools.lru_cache(maxsize=None)
def _environment() -> jinja2.Environment:
    """``templates/site``'s environment with the site's filters."""
    env = templates.environment("templates/site")
    env.filters["markdown"] = lambda text, top=3: markupsafe.Markup(markdown_to_html(text, top))
    env.filters["markdown_inline"] = lambda text: markupsafe.Markup(markdown_inline(text))
    env.filters["schema_type"] = schema_type
    return env


def static_file(name: str) -> bytes:
    """A file of ``templates/site`` as it is (logos)."""
    return importlib.resources.files("efast_udp").joinpath("templates", "site", name).read_bytes()


def _changelog_body(text: str) -> str:
    """The changelog without its top-level title (the page has its own heading)."""
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).strip() + "\n" if text else ""


#: labels of the navigation bar's entries
HOME, ALGORITHM, VERSIONS, CATALOGUE, NOTEBOOK = "Home", "Algorithm", "Versions", "APEx catalogue", "Notebook"


def navigation(catalogue_index: str, notebook: str | None) -> list[tuple[str, str]]:
    """The navigation bar of every page: (href from the site's root, label); the notebook only
    when the site publishes one."""
    links = [("index.html", HOME), ("algorithm.html", ALGORITHM), ("index.html#versions", VERSIONS),
             (catalogue_index, CATALOGUE)]
    return links + ([(notebook, NOTEBOOK)] if notebook else [])


def _page(template: str, nav, path: str, current: str, **context) -> str:
    """``template`` rendered for the site file ``path`` (the bar's links made relative to it)."""
    root = "../" * path.count("/")
    return _environment().get_template(template).render(nav=nav or [], root=root, current=current, here=path,
                                                        **context)


def render_document(markdown_text: str, title: str, process_id: str, version: str, source_href: str,
                    formulas: bool = False, nav=None, path: str = "algorithm.html") -> str:
    """A page of its own for a markdown document of the project (e.g. docs/algorithm.md);
    ``formulas``: its ``text`` code blocks are formulas (MathML on the page)."""
    body = markupsafe.Markup(markdown_to_html(markdown_text, top=1, formulas=formulas, anchors=True))
    return _page("document.html", nav, path, ALGORITHM, title=title, body=body, process_id=process_id,
                 version=version, source_href=source_href)


def render_folder(title: str, entries: list[tuple[str, str]], home: str, nav=None, path: str = "index.html") -> str:
    """An index page for a folder of the site: ``entries`` (relative href, what it is)."""
    return _page("folder.html", nav, path, CATALOGUE, title=title, entries=entries, home=home)


def render_index(releases, settings, changelog_text: str, dates: dict, checksums: dict, apex: dict, nav=None) -> str:
    latest = releases[-1]
    doc = latest.doc
    process_id = doc["id"]
    pinned_url = settings.url(latest.version, UDP_FILE)
    arguments = example_arguments(doc)
    versions = []
    for r in reversed(releases):
        udp_rel = f"{r.version}/{UDP_FILE}"
        listing_rel = f"{r.version}/{LISTING_FILE}"
        versions.append(
            {
                "version": r.version,
                "latest": r is latest,
                "date": dates[r.version].date if r.version in dates else None,
                "udp_rel": udp_rel,
                "udp_url": settings.url(udp_rel),
                "udp_sha256": checksums[udp_rel],
                "listing_rel": listing_rel,
                "listing_url": settings.url(listing_rel),
                "listing_sha256": checksums[listing_rel],
                "editor_url": catalogue.editor_url(process_id, settings.url(udp_rel), settings.backend_url),
            }
        )
    parameters = [
        {
            "name": p.get("name", ""),
            "type": schema_type(p.get("schema")),
            "required": not p.get("optional", False) and "default" not in p,
            "default": default_text(p),
            "description": p.get("description", ""),
        }
        for p in doc.get("parameters", [])
    ]
    return _page(
        "index.html", nav, "index.html", HOME,
        chain=markupsafe.Markup(diagram.render(doc.get("process_graph") or {})),
        demo_figure=DEMO_FIGURE,
        demo_figure_alt=DEMO_FIGURE_ALT,
        doc=doc,
        process_id=process_id,
        title=doc.get("summary") or process_id,
        latest=versions[0],
        versions=versions,
        parameters=parameters,
        settings=settings,
        base=settings.base_url,
        pinned_url=pinned_url,
        latest_url=settings.url(UDP_FILE),
        latest_listing_url=settings.url(LISTING_FILE),
        editor_url=catalogue.editor_url(process_id, pinned_url, settings.backend_url),
        call_arguments=call_arguments(arguments),
        default_job_options=doc.get("default_job_options"),
        changelog=_changelog_body(changelog_text),
        apex=apex,
    )

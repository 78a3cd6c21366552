"""jinja2 templates for everything rendered as text (descriptions, UDF headers, HTML)."""

from __future__ import annotations

import functools

import jinja2


@functools.lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("efast_udp", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
    )


def render(template_name: str, **values) -> str:
    return environment().get_template(template_name).render(**values)

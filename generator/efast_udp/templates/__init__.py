"""jinja2 templates for everything rendered as text (descriptions, UDF headers, HTML): the one
environment factory, so every template is rendered under the same rules (undefined names are
errors, HTML and XML escaped, block tags leave no blank lines)."""

from __future__ import annotations

import functools

import jinja2


def environment(folder: str = "templates") -> jinja2.Environment:
    """The environment of the package folder ``folder`` (``templates``, ``templates/site``);
    one per folder, shared, so filters a module adds stay with its templates (named or by
    default, the same folder is the same environment)."""
    return _environment(folder)


@functools.lru_cache(maxsize=None)
def _environment(folder: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("efast_udp", folder),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "xml"), default_for_string=False),
    )


def render(template_name: str, **values) -> str:
    return environment().get_template(template_name).render(**values)

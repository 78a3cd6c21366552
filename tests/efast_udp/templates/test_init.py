"""efast_udp.templates: one jinja2 environment per package folder, shared, with the same rules for
every template: an undefined name is an error, HTML and XML are escaped (nothing else), block
tags leave no blank lines and the last newline stays; ``render`` renders a template of
``templates/``."""

from __future__ import annotations

import jinja2
import pytest

from efast_udp import templates
from efast_udp.site import pages


def test_render_gives_the_udf_header_with_its_last_newline():
    assert templates.render("udf_header.py.j2", module="fusion", version="1.2.3") == (
        '# EFAST UDF "fusion", efast-udp 1.2.3.\n'
        "# Rendered from generator/efast_udp/udfs/fusion.py; edit that module, not this copy.\n")


def test_an_undefined_name_is_an_error_naming_it():
    with pytest.raises(jinja2.UndefinedError, match="'version' is undefined"):
        templates.render("udf_header.py.j2", module="fusion")
    with pytest.raises(jinja2.UndefinedError, match="'missing' is undefined"):
        templates.environment("templates/site").from_string("{{ missing }}").render()


def test_an_unknown_template_is_not_found():
    with pytest.raises(jinja2.TemplateNotFound, match="no_such.md.j2"):
        templates.render("no_such.md.j2")


def test_block_tags_leave_no_blank_lines():
    text = "a\n  {% if flag %}\nb\n  {% endif %}\n  {% for i in items %}\n{{ i }}\n  {% endfor %}\nc\n"
    assert templates.environment().from_string(text).render(flag=True, items=[1, 2]) == "a\nb\n1\n2\nc\n"
    assert templates.environment().from_string(text).render(flag=False, items=[]) == "a\nc\n"


@pytest.mark.parametrize("name, out", [("probe.html", "&lt;b&gt; &amp;"), ("probe.xml", "&lt;b&gt; &amp;"),
                                       ("probe.md.j2", "<b> &"), ("probe.py.j2", "<b> &")])
def test_html_and_xml_are_escaped_and_nothing_else(name, out):
    for folder in ("templates", "templates/site"):
        probe = templates.environment(folder).overlay(loader=jinja2.DictLoader({name: "{{ value }}"}))
        assert probe.get_template(name).render(value="<b> &") == out, folder
    assert templates.environment().from_string("{{ value }}").render(value="<b>") == "<b>"  # strings: not escaped


def test_one_environment_per_folder_shared_with_the_filters_added_to_it():
    site = templates.environment("templates/site")
    assert site is not templates.environment() and site is templates.environment("templates/site")
    assert "udf_header.py.j2" in templates.environment().list_templates()
    assert "base.html" in site.list_templates() and "udf_header.py.j2" not in site.list_templates()
    assert pages._environment() is site and "markdown" in site.filters  # the site's filters stay with it
    assert "markdown" not in templates.environment().filters


def test_the_default_folder_named_or_not_is_one_environment():
    assert templates.environment() is templates.environment("templates")

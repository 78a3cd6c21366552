"""Product-level: the documentation. The openEO process linter's rules on the UDP: summary,
descriptions and flags (Python, also in ``efast-udp validate --lint``), markdown and spelling
(markdownlint and markdown-spellcheck, pinned in tests/js, run by ``tests/js/lint-docs.js``);
and the README's copy-paste examples pin the newest release."""

from __future__ import annotations

import copy
import json

import pytest

from efast_udp.project import PROJECT_ROOT, project_version
from efast_udp.validation import validate_udp
from validation_support import ROOT, run_lint_docs

UDP = ROOT / "udp" / "efast.json"


def udp() -> dict:
    return json.loads(UDP.read_text("utf-8"))


def test_the_udp_passes_the_linter_rules():
    assert [f.format() for f in validate_udp(udp(), lint=True)] == []
    assert run_lint_docs([UDP]) == {str(UDP): []}


@pytest.mark.parametrize("change, code, where", [
    (lambda d: d.update(summary="x" * 60), "summary-length", "/summary"),
    (lambda d: d.update(summary="Fuse two sensors."), "summary-period", "/summary"),
    (lambda d: d["parameters"][2].update(description=" "), "missing-description", "/parameters/2/description"),
    (lambda d: d["returns"].update(description=""), "missing-description", "/returns/description"),
    (lambda d: d.update(description="Too short."), "missing-description", "/description"),
    (lambda d: d["parameters"][0].update(optional=False), "flag-false", "/parameters/0/optional"),
    (lambda d: d.update(categories=[]), "categories", "/categories"),
])
def test_structural_rules_find_what_the_linter_finds(change, code, where):
    doc = udp()
    change(doc)
    findings = [f for f in validate_udp(doc, lint=True) if f.code == code]
    assert [f.pointer for f in findings] == [where]
    assert validate_udp(doc) == [] or code in ("missing-description",)  # without --lint: openEO accepts it


def test_markdown_and_spelling_findings_point_at_the_text(tmp_path):
    doc = udp()
    doc["description"] = doc["description"].replace("## Steps\n\n", "## Steps\n") + "\nSee https://example.org.\n"
    doc["parameters"][3]["description"] = "Days bewteen two target dates."
    doc["links"][0]["title"] = "Sentinal-2 paper"
    path = tmp_path / "efast.json"
    path.write_text(json.dumps(doc))
    found = run_lint_docs([path])[str(path)]
    rules = {(f["pointer"], f["rule"]) for f in found}
    assert ("/description", "MD022/blanks-around-headings") in rules
    assert ("/description", "MD032/blanks-around-lists") in rules
    assert ("/description", "MD034/no-bare-urls") in rules
    assert {"pointer": "/parameters/3/description", "tool": "markdown-spellcheck", "rule": "spelling",
            "message": 'unknown word "bewteen"'} in found
    assert ("/links/0/title", "spelling") in rules


def test_the_word_list_is_short_and_sorted_by_kind():
    words = (ROOT / "tests" / "js" / "words.txt").read_text("utf-8").split()
    assert len(words) == len(set(words)) <= 30


def test_readme_pins_the_current_release():
    """Copy-paste examples in the README pin the newest release, never an older one."""
    import re

    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    pinned = set(re.findall(r'namespace="https://[^"]*/(\d+\.\d+\.\d+)/efast\.json"', readme))
    assert pinned == {project_version()}, f"README pins {sorted(pinned)}; bump to {project_version()}"

"""efast_udp.site.build: ``efast-udp site`` on a hand-made fixture project (no network, no
back-end): the layout, released files byte for byte, determinism, SHA256SUMS, https links; a
tampered, removed or broken release is refused with one line, nothing written."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from e2e import fixture_udp
from site_support import BASE, VERSIONS, project, run_site

#: The only relative links: between files of the APEx catalogue folder, as the catalogue requires.
CATALOGUE_RELATIVE = re.compile(r"^(\.\./\.\./record\.json|\.\./\.\./\.\./\.\./platform_catalog/[\w-]+\.json)$")


def git_in(project: Path):
    if shutil.which("git") is None:
        pytest.skip("git not installed")  # pragma: no cover (conftest fails such skips under CI)

    def git(*args):
        subprocess.run(["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       check=True, capture_output=True, timeout=60)
    return git


def test_site_layout_and_released_files_are_byte_identical(project):
    assert run_site(project) == 0
    public = project / "public"
    for v in VERSIONS:
        assert (public / v / "efast.json").read_bytes() == (project / "udp/releases" / v / "efast.json").read_bytes()
        listing = json.loads((public / v / "processes.json").read_text())
        assert listing["processes"] == [json.loads((public / v / "efast.json").read_text())]
        assert {"rel": "self", "href": f"{BASE}/{v}/processes.json", "type": "application/json",
                "title": f"EFAST process {v}"} in listing["links"]
    # latest is the highest version by version order, not by string order
    assert (public / "efast.json").read_bytes() == (project / "udp/releases/0.10.0/efast.json").read_bytes()
    latest_listing = json.loads((public / "processes.json").read_text())
    assert latest_listing["processes"][0]["summary"] == "EFAST fusion, release 3"
    assert latest_listing["links"][0]["href"] == f"{BASE}/processes.json"
    for name in ("index.html", "algorithm.html", "logo-light.svg", "logo-dark.svg", "SHA256SUMS", ".nojekyll",
                 "apex/efast-udp/record.json", "apex/efast-udp/efast/records/efast.json",
                 "apex/efast-udp/efast/benchmark_scenarios/efast.json"):
        assert (public / name).is_file(), name
    assert not (public / "record.json").exists() and not (public / "benchmark_scenario.json").exists()


def test_site_is_deterministic(project, tmp_path):
    assert run_site(project, tmp_path / "a") == 0
    assert run_site(project, tmp_path / "b") == 0
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert a == b
    # re-rendering over an existing site is allowed when nothing released changes
    assert run_site(project, tmp_path / "a") == 0


def test_sha256sums_verifies_with_sha256sum(project):
    assert run_site(project) == 0
    public = project / "public"
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum (coreutils) not installed")
    proc = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=public, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = {line.split("  ", 1)[1] for line in (public / "SHA256SUMS").read_text().splitlines()}
    on_disk = {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()} - {"SHA256SUMS", ".efast-udp"}
    assert listed == on_disk
    (public / "0.1.0" / "efast.json").write_text("{}")
    proc = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=public, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0


def test_tampered_release_is_refused_against_published_site(project, capsys):
    assert run_site(project) == 0
    published = (project / "public/0.1.0/efast.json").read_bytes()
    release = project / "udp/releases/0.1.0/efast.json"
    release.write_text(release.read_text().replace("release 1", "release one"))
    capsys.readouterr()
    assert run_site(project) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("efast-udp site: error: refusing to rewrite released file") and "0.1.0/efast.json" in err
    assert len(err.splitlines()) == 1
    assert (project / "public/0.1.0/efast.json").read_bytes() == published  # nothing was written


def test_tampered_release_is_refused_against_previous_sums(project, tmp_path, capsys):
    assert run_site(project) == 0
    sums = tmp_path / "published-SHA256SUMS"
    shutil.copy(project / "public/SHA256SUMS", sums)
    shutil.rmtree(project / "public")
    release = project / "udp/releases/0.2.0/efast.json"
    release.write_bytes(release.read_bytes().replace(b'"B8A"', b'"B08"'))
    assert run_site(project, None, "--previous-sums", str(sums)) == 1
    assert "0.2.0/efast.json" in capsys.readouterr().err
    assert not (project / "public").exists()


def test_tampered_release_is_refused_against_git_history(project, capsys):
    """The first commit holding a release file releases it; a later edit, even committed, is refused."""
    git = git_in(project)
    git("init", "-q")
    git("add", "udp", "CHANGELOG.md")
    git("commit", "-q", "-m", "releases")
    assert run_site(project) == 0
    release = project / "udp/releases/0.1.0/efast.json"
    release.write_bytes(release.read_bytes() + b" ")
    git("commit", "-q", "-am", "sneaky edit")
    capsys.readouterr()
    assert run_site(project, project / "elsewhere") == 1
    err = capsys.readouterr().err.strip()
    assert "udp/releases/0.1.0/efast.json differs from its release (commit " in err and len(err.splitlines()) == 1
    assert not (project / "elsewhere").exists()


def test_a_draft_may_change_until_committed_but_never_against_what_was_published(project, tmp_path, capsys):
    git = git_in(project)

    def edit(text):
        for path in (project / "udp/releases/0.10.0/efast.json", project / "udp/efast.json"):
            doc = json.loads(path.read_text())
            path.write_text(fixture_udp.dump(dict(doc, summary=f"EFAST fusion, {text}")))

    git("init", "-q")
    git("add", "udp", "CHANGELOG.md")
    git("reset", "-q", "--", "udp/releases/0.10.0/efast.json")
    git("commit", "-q", "-m", "0.10.0 in development")
    assert run_site(project) == 0
    assert "draft (not committed yet): 0.10.0" in capsys.readouterr().err
    sums = tmp_path / "published-SHA256SUMS"
    shutil.copy(project / "public/SHA256SUMS", sums)
    edit("release three")  # still a draft: re-rendered, also in public/
    assert run_site(project) == 0
    assert "release three" in (project / "public/0.10.0/efast.json").read_text()
    # ... but never against what was published
    assert run_site(project, None, "--previous-sums", str(sums)) == 1
    assert "0.10.0/efast.json" in capsys.readouterr().err
    # once committed it is released
    git("add", "udp")
    git("commit", "-q", "-m", "0.10.0")
    edit("release 3 bis")
    assert run_site(project) == 1
    err = capsys.readouterr().err
    assert "0.10.0/efast.json differs from its release (commit" in err and len(err.strip().splitlines()) == 1


def test_removed_release_is_refused(project, capsys):
    assert run_site(project) == 0
    shutil.rmtree(project / "udp/releases/0.1.0")
    assert run_site(project) == 1
    assert "released version 0.1.0" in capsys.readouterr().err


@pytest.mark.parametrize(
    "breakage, message, code",
    [
        (lambda p: (p / "udp/efast.json").write_bytes((p / "udp/releases/0.1.0/efast.json").read_bytes()), "differs from", 1),
        (lambda p: (p / "udp/releases/latest").mkdir(), "holds one folder per version", 1),
        (lambda p: (p / "udp/releases/0.2.0/efast.json").write_text("{"), "is not valid JSON", 2),
        (lambda p: shutil.rmtree(p / "udp/releases"), "make build-udp", 2),
    ],
)
def test_broken_input_gives_one_clear_line(project, capsys, breakage, message, code):
    breakage(project)
    assert run_site(project) == code
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def _hrefs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "href":
                yield v
            else:
                yield from _hrefs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _hrefs(v)


def test_real_site(tmp_path):
    """The repository's own udp/ renders, its releases are copied byte for byte, all links are https."""
    from e2e.servers import site_for_tests, site_sources

    udp_dir, _, real = site_sources(tmp_path)
    site = site_for_tests(tmp_path)
    public = tmp_path / "public"
    for release in site.releases:
        assert (public / release.version / "efast.json").read_bytes() == (udp_dir / "releases" / release.version / "efast.json").read_bytes()
    assert (public / "efast.json").read_bytes() == (udp_dir / "efast.json").read_bytes()
    for path in public.rglob("*.json"):
        for href in _hrefs(json.loads(path.read_text())):
            assert href.startswith("https://") or (CATALOGUE_RELATIVE.match(href) and "apex" in path.parts), (path, href)
    if real:
        links = {link["rel"]: link["href"] for link in site.latest.doc["links"] if link["rel"] != "about"}
        assert links["canonical"] == f"{BASE}/{site.latest.version}/efast.json"
        assert links["latest-version"] == f"{BASE}/efast.json"


def test_generated_json_links_are_https(project):
    assert run_site(project) == 0
    public = project / "public"

    def hrefs(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "href":
                    yield v
                else:
                    yield from hrefs(v)
        elif isinstance(node, list):
            for v in node:
                yield from hrefs(v)

    for path in public.rglob("*.json"):
        for href in hrefs(json.loads(path.read_text())):
            assert href.startswith("https://") or (CATALOGUE_RELATIVE.match(href) and "apex" in path.parts), (path, href)

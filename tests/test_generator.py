"""The generator: offline, reproducible, complete; udp/ is exactly what it renders."""

import ast
import json
import math
import shutil
import subprocess
import sys

import pytest

from efast_udp import constants as C
from efast_udp import release
from efast_udp.errors import ReleaseError
from efast_udp.settings import Settings
from efast_udp.project import PROJECT_ROOT, project_version
from efast_udp.udf_source import UDF_MODULES, embedded_source, module_source
from efast_udp.udp import build_udp

EXPECTED_DEFAULTS = {
    "temporal_extent_target": None, "interval_days": 2, "target_time_series": None,
    "s2_data_bands": ["B02", "B03", "B04", "B8A"],
    "s3_data_bands": ["Syn_Oa04_reflectance", "Syn_Oa06_reflectance", "Syn_Oa08_reflectance",
                      "Syn_Oa17_reflectance"],
    "fused_band_names": None, "output_ndvi": False, "temporal_score_stddev": 20,
    "s3_temporal_score_stddev": 10, "max_distance_to_cloud_m": 5000, "cloud_tolerance": 0.05,
}
CALLBACK_PARAMETERS = {"x", "data", "context"}


@pytest.fixture(scope="module")
def udp():
    return json.loads((PROJECT_ROOT / "udp" / "efast.json").read_text("utf-8"))


def walk_nodes(graph, depth=0):
    for node_id, node in graph.items():
        yield depth, node_id, node
        for value in node["arguments"].values():
            if isinstance(value, dict) and "process_graph" in value:
                yield from walk_nodes(value["process_graph"], depth + 1)


def references(value, key):
    if isinstance(value, dict):
        if key in value and len(value) == 1:
            yield value[key]
        for v in value.values():
            if not (isinstance(v, dict) and "process_graph" in v):
                yield from references(v, key)
    elif isinstance(value, list):
        for v in value:
            yield from references(v, key)


def test_render_is_byte_identical_and_matches_udp(udp):
    settings = Settings.load()
    first, second = release.render(settings), release.render(settings)
    assert first == second and first.endswith("}\n")
    assert release.check(settings).problems == []
    released = PROJECT_ROOT / "udp" / "releases" / project_version() / "efast.json"
    assert released.read_text("utf-8") == (PROJECT_ROOT / "udp" / "efast.json").read_text("utf-8")


def test_render_does_not_depend_on_the_hash_seed_or_working_directory(tmp_path):
    code = "from efast_udp import release, settings; print(release.render(settings.Settings.load()), end='')"
    outputs = {subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}).stdout for seed in ("1", "2")}
    assert len(outputs) == 1


def test_parameters_names_defaults_and_schemas(udp):
    params = {p["name"]: p for p in udp["parameters"]}
    assert list(params) == ["spatial_extent", "temporal_extent", *EXPECTED_DEFAULTS]
    for name, default in EXPECTED_DEFAULTS.items():
        assert params[name]["optional"] is True and params[name]["default"] == default, name
    for p in udp["parameters"]:
        assert p["description"] and p["schema"], p["name"]
    assert "optional" not in params["spatial_extent"] and "optional" not in params["temporal_extent"]
    assert {s["subtype"] for s in params["spatial_extent"]["schema"]} == {"bounding-box", "geojson"}
    # two alternatives, the forms the back-end reads: two dates, or two UTC date-times
    alternatives = params["temporal_extent"]["schema"]
    assert [a["subtype"] for a in alternatives] == ["temporal-interval"] * 2
    assert [a["items"]["subtype"] for a in alternatives] == ["date", "date-time"]
    assert all(a["items"]["pattern"] for a in alternatives)
    assert params["max_distance_to_cloud_m"]["schema"]["maximum"] == C.MAX_MAX_DISTANCE_TO_CLOUD_M
    assert params["cloud_tolerance"]["schema"]["maximum"] == 1
    assert "CLOUD_flags" not in params["s3_data_bands"]["schema"]["items"]["enum"]


def test_metadata_returns_examples_links(udp):
    assert udp["id"] == "efast" and udp["summary"] and udp["categories"]
    assert [d["type"] for d in udp["returns"]["schema"]["dimensions"]] == ["spatial", "temporal", "bands"]
    example = udp["examples"][0]["arguments"]
    assert example["spatial_extent"] == {"west": -15.456047, "south": 15.665024, "east": -15.325491, "north": 15.787501}
    assert example["temporal_extent_target"] == ["2022-09-07", "2022-09-27"] and example["interval_days"] == 2
    rels = {link["rel"]: link["href"] for link in udp["links"]}
    assert rels["cite-as"] == "https://doi.org/10.3390/rs16111833"
    assert rels["canonical"].endswith(f"/{project_version()}/efast.json")
    assert rels["latest-version"].endswith("/efast.json")
    assert all(link["href"].startswith("https://") for link in udp["links"])
    assert udp["default_job_options"]
    assert f"Version {project_version()}" in udp["description"]
    # the parameters are documented once, in their own descriptions (no table repeating them)
    assert "## Parameters" not in udp["description"] and "| Name |" not in udp["description"]
    assert "/algorithm.html" in udp["description"] and len(udp["summary"]) < 60


def test_udfs_are_embedded_unchanged_compile_for_python38_and_define_apply_datacube(udp):
    """Module and prelude text are embedded unchanged; the prelude takes the place of its import."""
    prelude = module_source("prelude")
    embedded = {}
    for _, node_id, node in walk_nodes(udp["process_graph"]):
        if node["process_id"] == "run_udf":
            code = node["arguments"]["udf"]
            assert node["arguments"]["runtime"] == "Python"
            tree = ast.parse(code, feature_version=(3, 8))
            assert "apply_datacube" in {f.name for f in tree.body if isinstance(f, ast.FunctionDef)}
            module = next(m for m in UDF_MODULES if f'UDF "{m}"' in code.splitlines()[0])
            assert code.endswith(embedded_source(module))
            source = module_source(module)
            if "from efast_udp.udfs.prelude import" in source:
                head, _, tail = source.partition("from efast_udp.udfs.prelude import")
                assert code.count(prelude) == 1 and head in code and tail.partition("\n")[2] in code
                imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
                assert not any(m.startswith("efast_udp") for m in imported), imported
            else:
                assert code.endswith(source)
            assert project_version() in code.splitlines()[0]
            embedded[module] = code
    assert set(embedded) == set(UDF_MODULES)


def test_udp_parameters_only_in_top_level_arguments_and_contexts(udp):
    declared = {p["name"] for p in udp["parameters"]}
    for depth, node_id, node in walk_nodes(udp["process_graph"]):
        used = set(references(node["arguments"], "from_parameter"))
        if depth == 0:
            assert used <= declared, node_id
        else:
            assert used <= CALLBACK_PARAMETERS, (node_id, used)
    used_anywhere = {name for _, _, n in walk_nodes(udp["process_graph"]) for name in references(n["arguments"], "from_parameter")}
    assert declared <= used_anywhere, "every parameter is used by the graph"


def test_graph_shape(udp):
    graph = udp["process_graph"]
    assert [n for n, v in graph.items() if v.get("result")] == ["fused"]
    for node_id, node in graph.items():
        for ref in references(node["arguments"], "from_node"):
            assert ref in graph, (node_id, ref)
    s3 = graph["s3_input"]["arguments"]
    assert s3["id"] == "SENTINEL3_SYN_L2_SYN" and s3["featureflags"]["reprojection_type"] == "binning"
    assert graph["s2_input"]["arguments"]["id"] == "SENTINEL2_L2A"
    overlap = graph["s2_distance_score"]["arguments"]["overlap"]
    assert {o["value"] for o in overlap} == {math.ceil(C.MAX_MAX_DISTANCE_TO_CLOUD_M / C.COARSE_PIXEL_SIZE_M) + 1}


def copy_udp(folder):
    """A copy of udp/ (and the trust list beside it) to experiment on."""
    from efast_udp import trust

    shutil.copytree(PROJECT_ROOT / "udp", folder / "udp")
    shutil.copy(trust.LIST_PATH, folder / trust.LIST_PATH.name)
    return folder / "udp"


def committed_udp(folder):
    """A git repository in ``folder`` whose first commit holds a copy of udp/; returns (git, udp dir)."""
    folder.mkdir(parents=True, exist_ok=True)
    git = git_in(folder)
    git("init", "-q")
    udp_dir = copy_udp(folder)
    git("add", "udp")
    git("commit", "-q", "-m", "releases")
    return git, udp_dir


def git_in(folder):
    def git(*args):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args], cwd=folder,
                              check=True, capture_output=True, timeout=60)
    return git


def test_check_fails_on_a_hand_edited_file_and_refuses_to_change_a_release(tmp_path):
    """Outside git, SHA256SUMS is what a release is checked against."""
    udp_dir = copy_udp(tmp_path)
    settings = Settings.load()
    assert release.check(settings, udp_dir).problems == []
    latest = udp_dir / "efast.json"
    latest.write_text(latest.read_text("utf-8").replace('"summary": "EFAST', '"summary": "edited'), "utf-8")
    assert any("udp/efast.json differs from a fresh render" in p for p in release.check(settings, udp_dir).problems)
    assert release.write(settings, udp_dir) == [latest]
    released = udp_dir / "releases" / project_version() / "efast.json"
    released.write_text(released.read_text("utf-8") + " ", "utf-8")
    assert any("differs from SHA256SUMS" in p for p in release.check(settings, udp_dir).problems)
    with pytest.raises(ReleaseError, match="SHA256SUMS"):
        release.write(settings, udp_dir)


def test_an_uncommitted_release_file_is_a_draft_until_committed(tmp_path):
    """The version being prepared may be re-rendered; once a commit holds it, it is frozen."""
    git = git_in(tmp_path)
    git("init", "-q")
    udp_dir = copy_udp(tmp_path)
    released = udp_dir / "releases" / project_version() / "efast.json"
    git("add", "udp")
    git("reset", "-q", "--", str(released))
    git("commit", "-q", "-m", "earlier releases")
    settings = Settings.load()
    released.write_text(released.read_text("utf-8") + " ", "utf-8")
    assert release.write(settings, udp_dir) == [released]  # draft: rendered again
    git("add", "udp")
    git("commit", "-q", "-m", "release")
    released.write_text(released.read_text("utf-8") + " ", "utf-8")
    with pytest.raises(ReleaseError, match="differs from its release .commit [0-9a-f]{10}."):
        release.write(settings, udp_dir)


def test_check_fails_after_an_old_release_is_edited_and_committed(tmp_path):
    git, udp_dir = committed_udp(tmp_path)
    settings = Settings.load()
    assert release.check(settings, udp_dir).problems == []
    old = udp_dir / "releases" / "0.2.2" / "efast.json"
    old.write_text(old.read_text("utf-8").replace('"summary": "EFAST', '"summary": "EDITED'), "utf-8")
    sums = udp_dir / "releases" / "SHA256SUMS"  # a careful forger updates the checksum too
    sums.write_text(sums.read_text().replace(release.sha256(release.load_releases(PROJECT_ROOT / "udp")[3].data),
                                             release.sha256(old.read_bytes())))
    git("commit", "-q", "-am", "sneaky edit")
    problems = release.check(settings, udp_dir).problems
    assert len(problems) == 1, problems
    assert problems[0].startswith("udp/releases/0.2.2/efast.json differs from its release (commit ")
    assert "first difference at line 3" in problems[0] and "EDITED" in problems[0]


def test_predecessor_link_points_at_the_previous_release(tmp_path):
    (tmp_path / "releases" / "0.0.9").mkdir(parents=True)
    (tmp_path / "releases" / "0.0.9" / "efast.json").write_text("{}")
    doc = json.loads(release.render(Settings.load(), "0.1.0", tmp_path))
    links = {link["rel"]: link["href"] for link in doc["links"]}
    assert links["predecessor-version"].endswith("/0.0.9/efast.json")


def test_until_cuts_the_graph_at_an_intermediate():
    doc = build_udp(Settings.load(), "0.1.0", until="s3_composite")
    graph = doc["process_graph"]
    assert [n for n, v in graph.items() if v.get("result")] == ["s3_composite"]
    assert "fused" not in graph and "lr_series" not in graph and "s2_input" in graph  # coarse grid


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "efast_udp", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, message", [
    (["--set", "s2_data_bands=B02,B99"], '"B99" is not one of'),
    (["--set", "interval_days=-2"], "interval_days"),
    (["--base-url", "http://example.org/efast"], "must be an https:// URL"),
    (["--set", "no_such_parameter=1"], "unknown parameter"),
    (["--until", "no_such_stage"], "unknown intermediate"),
])
def test_bad_generator_settings_fail_with_one_line_and_exit_2(tmp_path, args, message):
    result = run_cli("build", *args, "-o", str(tmp_path / "x.json"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_list_intermediates_names_every_stage():
    result = run_cli("build", "--list-intermediates")
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert result.returncode == 0
    assert names[0] == "s2_input" and names[-1] == "fused" and "s3_composite" in names and "lr_series" in names


def test_build_writes_nothing_when_the_render_is_invalid(tmp_path, monkeypatch):
    from efast_udp import udp

    real_build = udp.build_udp

    def corrupted(*args, **kwargs):
        doc = real_build(*args, **kwargs)
        doc["process_graph"]["s2_scl"]["process_id"] = "filter_bandz"
        return doc

    monkeypatch.setattr(udp, "build_udp", corrupted)
    with pytest.raises(ReleaseError, match="not a valid UDP.*filter_bandz"):
        release.write(Settings.load(), tmp_path / "udp")
    assert not (tmp_path / "udp").exists()


def test_readme_pins_the_current_release():
    """Copy-paste examples in the README pin the newest release, never an older one."""
    import re

    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    pinned = set(re.findall(r'namespace="https://[^"]*/(\d+\.\d+\.\d+)/efast\.json"', readme))
    assert pinned == {project_version()}, f"README pins {sorted(pinned)}; bump to {project_version()}"


def test_the_flattener_matches_the_clients_graph_and_refuses_what_it_does_not_know():
    """The build flattens with the client's public node API; an argument it does not know stops
    the build with a message naming the client version, instead of changing the render."""
    import openeo
    from openeo.internal.graph_building import PGNode

    from efast_udp.cli import exit_code
    from efast_udp.errors import IncompatibleClient
    from efast_udp.pipeline import flatten

    load = PGNode("load_collection", id="S2", bands=["B04"], spatial_extent=None, temporal_extent=None)
    masked = PGNode("apply", data={"from_node": load},
                    process={"process_graph": PGNode("absolute", x={"from_parameter": "x"})})
    result = PGNode("save_result", data={"from_node": masked}, format="GTiff")
    names = {id(load): "load", id(masked): "masked", id(result): "saved"}
    ours, theirs = flatten(result, names), result.flat_graph()
    renamed = {"loadcollection1": "load", "apply1": "masked", "saveresult1": "saved"}

    def rename(value):
        if isinstance(value, dict):
            if set(value) == {"from_node"}:
                return {"from_node": renamed[value["from_node"]]}
            return {k: rename(v) for k, v in value.items()}
        return [rename(v) for v in value] if isinstance(value, list) else value

    assert json.dumps(ours) == json.dumps({renamed[k]: rename(v) for k, v in theirs.items()})
    odd = PGNode("save_result", data={"from_node": load}, options=object())
    with pytest.raises(IncompatibleClient, match=f"openeo {openeo.__version__} put a object") as raised:
        flatten(odd, {id(load): "load", id(odd): "odd"})
    assert exit_code(raised.value) == 2  # the set-up is at fault: one line, not "internal error"
    with pytest.raises(ValueError, match="has no name"):
        flatten(result, {id(load): "load"})


def test_a_removed_release_is_caught(tmp_path):
    _, udp_dir = committed_udp(tmp_path)
    shutil.rmtree(udp_dir / "releases" / "0.2.0")
    problems = release.check(Settings.load(), udp_dir).problems
    assert any(p.startswith("udp/releases/0.2.0/efast.json was released (committed) and is gone") for p in problems)
    with pytest.raises(ReleaseError, match="0.2.0/efast.json was released"):
        release.write(Settings.load(), udp_dir)  # build refuses too, instead of rewriting SHA256SUMS without it


def test_a_shallow_clone_is_said_to_be_one(tmp_path):
    git, _ = committed_udp(tmp_path / "full")
    (tmp_path / "full" / "note").write_text("x")
    git("add", "note")
    git("commit", "-q", "-m", "another")
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{tmp_path / 'full'}", str(tmp_path / "shallow")],
                   check=True, capture_output=True, timeout=60)
    report = release.verify(tmp_path / "shallow" / "udp", current=None)
    assert any("a shallow clone" in w for w in report.warnings)
    assert not release.verify(tmp_path / "full" / "udp", current=None).warnings

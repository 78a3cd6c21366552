"""``resources``: the schemas, the back-end profile and the vendored process specifications the
checks read, and the lookups the checks make in them.

efast_udp.validation.resources: the data the checks read (the project's schemas, the
back-end profile, the vendored openEO process specifications) is valid and documented."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft7Validator

from efast_udp.errors import UnreadableInput
from efast_udp.validation import resources

from validation_support import load_json, PROFILE, ROOT, SPECS


CACHED = (resources._spec_paths, resources.process_spec, resources.profile)


@pytest.fixture
def specs_in(tmp_path, monkeypatch):
    """Point the specifications at ``tmp_path`` (caches emptied before and after)."""
    for cached in CACHED:
        cached.cache_clear()
    monkeypatch.setattr(resources, "PROCESSES_DIR", tmp_path)
    yield tmp_path
    for cached in CACHED:
        cached.cache_clear()


def _spec(folder, process_id, summary):
    folder.mkdir(exist_ok=True)
    (folder / f"{process_id}.json").write_text(json.dumps({"id": process_id, "summary": summary}))


def test_the_schemas_are_the_udp_schema_and_the_graph_schema_it_refers_to():
    udp, graph = resources.udp_schemas()
    assert udp["$id"].endswith("/udp.schema.json")
    assert graph["$id"].endswith("/process-graph.schema.json")
    assert udp["properties"]["process_graph"]["$ref"].startswith("process-graph.schema.json#")


def test_a_released_process_and_a_proposal_have_their_specification():
    assert resources.process_spec("add")["id"] == "add"
    assert resources.process_spec("array_create_labeled")["experimental"] is True  # proposals/
    assert resources.process_spec("no_such_process") is None


def test_known_process_ids_are_sorted_and_hold_both_kinds():
    ids = resources.known_process_ids()
    assert ids == sorted(ids)
    assert {"add", "load_collection", "run_udf", "array_create_labeled"} <= set(ids)
    assert "no_such_process" not in ids


def test_extra_argument_is_the_profile_entry_for_that_process_only():
    entry = resources.extra_argument("load_collection", "featureflags")
    assert (entry["process_id"], entry["argument"]) == ("load_collection", "featureflags")
    assert entry["schema"]["type"] == "object"
    assert resources.extra_argument("load_collection", "no_such_argument") is None
    assert resources.extra_argument("apply", "featureflags") is None


def test_udf_policy_is_the_profiles_udf_section():
    policy = resources.udf_policy()
    assert policy is resources.profile()["udf"]
    assert policy["runtimes"] == ["Python"]
    assert policy["entry_point"] == {"name": "apply_datacube", "arguments": ["cube", "context"]}


def test_a_released_specification_wins_over_a_proposal_of_the_same_id(specs_in):
    _spec(specs_in / "proposals", "twice", "proposal")
    _spec(specs_in / "proposals", "only_proposed", "proposal")
    _spec(specs_in, "twice", "released")
    assert resources.process_spec("twice")["summary"] == "released"
    assert resources.process_spec("only_proposed")["summary"] == "proposal"
    assert {"twice", "only_proposed"} <= set(resources.known_process_ids())


def test_a_profiled_extra_process_is_known_and_wins(specs_in, monkeypatch):
    _spec(specs_in, "custom", "released")
    monkeypatch.setattr(resources, "profile", lambda: {"extra_processes": [
        {"id": "custom", "spec": {"id": "custom", "summary": "profiled"}},
        {"id": "backend_only", "spec": {"id": "backend_only"}}]})
    assert resources.process_spec("custom")["summary"] == "profiled"
    assert resources.known_process_ids() == ["backend_only", "custom"]


def test_missing_specifications_are_a_usage_error_naming_the_folder(specs_in, monkeypatch):
    gone = specs_in / "gone"
    monkeypatch.setattr(resources, "PROCESSES_DIR", gone)
    with pytest.raises(UnreadableInput, match=f"openEO process specifications not found in {gone}"):
        resources.process_spec("add")


def test_read_json_refuses_a_missing_or_broken_file(tmp_path):
    with pytest.raises(UnreadableInput):
        resources.read_json(tmp_path / "missing.json")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(UnreadableInput):
        resources.read_json(tmp_path / "broken.json")
    (tmp_path / "ok.json").write_text('{"a": [1]}')
    assert resources.read_json(tmp_path / "ok.json") == {"a": [1]}


SCHEMAS = ROOT / "schemas"


@pytest.mark.parametrize("name", ["udp.schema.json", "process-graph.schema.json", "backend-profile.schema.json"])
def test_project_schemas_are_valid_draft7(name):
    Draft7Validator.check_schema(load_json(SCHEMAS / name))


def test_profile_matches_its_schema_and_gives_reasons():
    profile = load_json(PROFILE)
    errors = list(Draft7Validator(load_json(SCHEMAS / "backend-profile.schema.json")).iter_errors(profile))
    assert errors == []
    extras = {(e["process_id"], e["argument"]): e for e in profile["extra_arguments"]}
    assert ("load_collection", "featureflags") in extras
    assert all(len(e["reason"]) > 40 for e in extras.values())
    rules = profile["udf"]
    assert all(len(rule["why"]) > 5 for rule in rules["imports"].values())
    for banned in ("os", "sys", "subprocess", "socket", "urllib", "http", "requests", "shutil", "pathlib",
                   "logging", "importlib", "pickle", "ctypes", "openeo", "io", "builtins"):
        assert banned not in rules["imports"]
    for kind in ("forbidden_names", "forbidden_attributes", "forbidden_attribute_prefixes", "allowed_attributes"):
        assert rules[kind] and all(len(why) > 5 for why in rules[kind].values()), kind


def test_vendored_process_specs_carry_their_licence_and_version():
    assert "Apache License" in (SPECS / "LICENSE").read_text(encoding="utf-8")
    assert (SPECS / "meta" / "subtype-schemas.json").is_file()
    assert load_json(PROFILE)["processes_version"] in (SPECS / "SOURCE.md").read_text(encoding="utf-8")
    for pid in ("load_collection", "apply_neighborhood", "apply_dimension", "run_udf", "merge_cubes"):
        assert load_json(SPECS / f"{pid}.json")["id"] == pid

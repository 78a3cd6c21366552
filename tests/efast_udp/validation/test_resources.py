"""efast_udp.validation.resources: the data the checks read (the project's schemas, the
back-end profile, the vendored openEO process specifications) is valid and documented."""

from __future__ import annotations

import pytest
from jsonschema import Draft7Validator

from validation_support import PROFILE, ROOT, SPECS, load_json

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

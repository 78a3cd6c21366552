"""Parameter references nested inside argument objects are resolved (the back-end's evaluator)."""

import pytest
from openeo_pg_parser_networkx.pg_schema import ParameterReference

from openeo_cdse_local.errors import ProcessFailure
from openeo_cdse_local.processes.context import resolve_nested_references


def test_nested_parameter_references_are_resolved():
    seen = {}

    def process(context=None, named_parameters=None):
        seen.update(context)

    wrapped = resolve_nested_references(process)
    wrapped(context={"a": ParameterReference(from_parameter="interval_days"), "b": [1, {"from_parameter": "x"}]},
            named_parameters={"interval_days": 5, "x": "y"})
    assert seen == {"a": 5, "b": [1, "y"]}
    with pytest.raises(ProcessFailure, match="'missing'"):
        wrapped(context={"a": {"from_parameter": "missing"}}, named_parameters={})

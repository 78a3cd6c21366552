"""What the stage tests share: the UDP parameters, and a pipeline whose stand-in input cubes are
named so that the graph fragment a stage builds on them can be flattened on its own."""

from __future__ import annotations

import pytest
from openeo.internal.graph_building import PGNode
from openeo.rest.datacube import DataCube

from efast_udp.parameters import ParameterSet, build_parameters, default_values
from efast_udp.pipeline import Pipeline
from efast_udp.udf_source import udf_code


class Fragment:
    """A :class:`Pipeline` with named input cubes (``load_collection`` of a made-up id, not
    registered as stages), and the flat graph and UDF of what a stage builds on them."""

    def __init__(self):
        self.pipeline = Pipeline()

    def input(self, name: str) -> DataCube:
        return self.pipeline.name(DataCube(PGNode("load_collection", id=name), connection=None), name)

    def flat(self, cube: DataCube) -> dict:
        return self.pipeline.flat_graph(cube)

    @property
    def stages(self) -> list[str]:
        return list(self.pipeline.stages)

    @staticmethod
    def run_udf(node: dict, module: str) -> dict:
        """The one node of ``node``'s callback: ``run_udf`` of the UDF module ``module`` on the
        callback's data, with the context the outer node hands in."""
        (only,) = node["arguments"]["process"]["process_graph"].values()
        assert only == {"process_id": "run_udf", "result": True, "arguments": {
            "context": {"from_parameter": "context"}, "data": {"from_parameter": "data"}, "runtime": "Python",
            "udf": udf_code(module)}}
        assert only["arguments"]["udf"].startswith(f'# EFAST UDF "{module}", efast-udp ')
        return only

    @classmethod
    def udf_arguments(cls, node: dict, process_id: str, module: str) -> dict:
        """The arguments of ``node``, a ``process_id`` whose callback runs the UDF ``module``
        (checked by :meth:`run_udf`), but its ``process``."""
        assert node["process_id"] == process_id
        cls.run_udf(node, module)
        return {k: v for k, v in node["arguments"].items() if k != "process"}


@pytest.fixture
def params() -> ParameterSet:
    return ParameterSet(build_parameters(default_values()))


@pytest.fixture
def fragment() -> Fragment:
    return Fragment()

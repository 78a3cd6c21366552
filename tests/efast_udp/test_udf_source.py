"""efast_udp.udf_source: the UDF modules are embedded unchanged (the prelude in place of its
import), compile for Python 3.8 and define ``apply_datacube``."""

import ast

from efast_udp.project import project_version
from efast_udp.udf_source import UDF_MODULES, embedded_source, module_source
from udp_support import udp, walk_nodes


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

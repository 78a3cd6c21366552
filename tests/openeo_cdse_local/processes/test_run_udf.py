"""``run_udf`` as the back-end runs it: the openeo client's UDF runner on the labelled cube,
float32 values and x/y, the cube's attributes kept around the call, the UDF's own error message,
band names from ``apply_metadata``, and the probe answered with the plain ``UdfCall``."""

import numpy as np
import pytest
import xarray

from cubes import cube, random, session
from openeo_cdse_local.callbacks import PARENT_CONTEXT, PROBE, UdfCall
from openeo_cdse_local.errors import ProcessFailure, UdfError, Unsupported
from openeo_cdse_local.processes.run_udf import as_handed_over, invoke, metadata_bands, run, run_udf

#: the openeo runner finds ``apply_datacube`` by its annotations
ENTRY = "import xarray\n\n\ndef apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:\n"
IDENTITY = ENTRY + "    return cube\n"

#: what the UDF sees, returned as bands of a one-pixel cube: dtype, dims, labels, context
DESCRIBE = '''
import numpy as np
import xarray


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    seen = {"float32": cube.dtype == np.float32, "xy32": cube.x.dtype == np.float32 and cube.y.dtype == np.float32,
            "dims": ",".join(cube.dims) == "t,bands,y,x", "bands": list(cube.bands.values) == ["red", "nir"],
            "attrs": not cube.attrs, "context": context == {"k": 1}}
    return xarray.DataArray(np.array([[[[float(v)]] for v in seen.values()]], dtype=np.float32),
                            dims=("t", "bands", "y", "x"),
                            coords={"t": cube.t.values[:1], "bands": list(seen), "y": [0.0], "x": [0.0]})
'''

#: new labels along t and bands: the mean of each band at one new date
NEW_LABELS = '''
import numpy as np
import xarray


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    out = cube.mean("t", skipna=True).expand_dims(t=[np.datetime64("2024-01-01", "ns")])
    return out.assign_coords(bands=["mean_" + str(b) for b in out.bands.values])
'''

RENAMING = IDENTITY + '''


def apply_metadata(metadata, context):
    return metadata.rename_labels("bands", target=[context["prefix"] + b for b in metadata.band_names])
'''


def labelled(**attrs):
    return cube(random((2, 2, 3, 4), seed=3), 10.0, bands=["red", "nir"], attrs=attrs)


@pytest.mark.parametrize("runtime", ["Python", "python", "PYTHON"])
def test_the_probe_gets_the_plain_call_for_any_spelling_of_python(runtime):
    call = run_udf(session(), PROBE, IDENTITY, runtime, context={"from_parameter": "context"})
    assert call == UdfCall(IDENTITY, runtime, {"from_parameter": "context"})


@pytest.mark.parametrize("runtime", ["R", "Python3", None])
def test_other_runtimes_are_refused_even_for_the_probe(runtime):
    for data in (PROBE, labelled()):
        with pytest.raises(Unsupported, match=rf"^run_udf: runtime {runtime!r} is not supported locally \(Python only\)$"):
            run_udf(session(), data, IDENTITY, runtime)


def test_the_udf_sees_the_labelled_float32_cube_without_attributes_and_its_context():
    data = labelled(featureflags={"tilesize": 16}, note="kept")
    data = data.assign_coords(x=data.x.astype(np.float64))
    out = run(DESCRIBE, data, {"k": 1})
    assert list(out.bands.values) == ["float32", "xy32", "dims", "bands", "attrs", "context"]
    np.testing.assert_array_equal(out.values[0, :, 0, 0], 1.0)


def test_the_result_keeps_the_cubes_attributes_but_the_feature_flags():
    out = run(IDENTITY, labelled(featureflags={"tilesize": 16}, note="kept"), None)
    assert out.attrs == {"note": "kept", "resolution": 10.0}


def test_the_udfs_new_labels_are_kept_as_it_returns_them():
    data = labelled()
    out = run(NEW_LABELS, data, {})
    assert list(out.t.values) == [np.datetime64("2024-01-01", "ns")]
    assert list(out.bands.values) == ["mean_red", "mean_nir"]
    np.testing.assert_allclose(out.values[0], np.nanmean(data.values, axis=0), rtol=1e-6)


def test_a_plain_array_becomes_a_cube():
    out = run_udf(session(), np.ones((2, 3), dtype=np.float64), IDENTITY, "Python")
    assert isinstance(out, xarray.DataArray)
    assert out.dtype == np.float32 and out.dims == ("dim_0", "dim_1")


@pytest.mark.parametrize("body, message", [
    ("raise ValueError(\"parameter 'x' must be > 0\\nsecond line\")", "parameter 'x' must be > 0"),
    ("raise KeyError('band')", "'band'"),
    ("raise RuntimeError()", "RuntimeError"),
    ("return 1 / 0", "division by zero"),
])
def test_a_udf_error_ends_the_run_with_its_first_line_only(body, message):
    code = ENTRY + f"    {body}\n"
    with pytest.raises(UdfError) as raised:
        run(code, labelled(), {})
    assert str(raised.value) == message
    assert isinstance(raised.value, ProcessFailure)  # a failure of the computation


def test_an_executor_error_raised_inside_passes_unchanged():
    code = "from openeo_cdse_local.errors import Unsupported\n" + ENTRY + "    raise Unsupported('as raised')\n"
    with pytest.raises(Unsupported, match="^as raised$"):
        run(code, labelled(), {})


def test_a_udf_that_returns_no_cube_is_a_process_failure():
    code = "from openeo.udf import UdfData\n\n\ndef drop(data: UdfData):\n    data.set_datacube_list([])\n"
    with pytest.raises(ProcessFailure, match=r"^run_udf: the UDF must return one data cube, got 0$"):
        run(code, labelled(), {})


def test_as_handed_over_is_float32_with_float32_xy_and_only_dimension_coordinates():
    data = labelled(note="x")
    assert "spatial_ref" in data.coords
    out = as_handed_over(data)
    assert out.dtype == np.float32 and out.x.dtype == np.float32 and out.y.dtype == np.float32
    assert set(out.coords) == {"t", "bands", "y", "x"} and out.attrs == {}
    assert out.t.dtype == np.dtype("datetime64[ns]") and list(out.bands.values) == ["red", "nir"]
    np.testing.assert_array_equal(out.values, data.values)


def test_without_apply_metadata_the_bands_keep_their_names():
    bands = ["red", "nir"]
    out = metadata_bands(UdfCall(IDENTITY, "Python", {}), bands, {})
    assert out == bands and out is not bands


def test_apply_metadata_names_the_bands_with_the_parents_context():
    call = UdfCall(RENAMING, "Python", PARENT_CONTEXT)
    assert metadata_bands(call, ["red", "nir"], {"prefix": "f_"}) == ["f_red", "f_nir"]
    own = UdfCall(RENAMING, "Python", {"prefix": "own_"})
    assert metadata_bands(own, ["red"], {"prefix": "f_"}) == ["own_red"]


def test_only_apply_metadata_at_the_start_of_a_line_counts_as_the_backend_finds_it():
    nested = IDENTITY + "\n\nclass Hidden:\n    def apply_metadata(self, metadata, context):\n        raise ValueError\n"
    assert metadata_bands(UdfCall(nested, "Python", {}), ["red"], {}) == ["red"]


def test_an_error_in_apply_metadata_is_a_udf_error_naming_it():
    code = IDENTITY + "\n\ndef apply_metadata(metadata, context):\n    raise ValueError('no bands here\\nmore')\n"
    with pytest.raises(UdfError, match=r"^apply_metadata: no bands here$"):
        metadata_bands(UdfCall(code, "Python", {}), ["red"], {})


def test_invoke_runs_the_call_with_the_context_it_takes():
    data = labelled()
    out = invoke(UdfCall(DESCRIBE, "Python", PARENT_CONTEXT), data, {"k": 1})
    assert out.values[0, -1, 0, 0] == 1.0  # the parent's context
    out = invoke(UdfCall(DESCRIBE, "Python", {"k": 2}), data, {"k": 1})
    assert out.values[0, -1, 0, 0] == 0.0  # its own literal context


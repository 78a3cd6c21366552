"""efast_udp.udfs.prelude: the UDFs, the oracle and the loader read a date-time as the same
UTC day."""

from __future__ import annotations

import numpy as np
import pytest

from efast_udp.demo import oracle
from efast_udp.udfs.prelude import utc_day


@pytest.mark.parametrize("stamp, day", [("2022-09-04T01:00:00+02:00", "2022-09-03"),
                                        ("2022-09-03T23:30:00-02:00", "2022-09-04"),
                                        ("2022-09-04T23:30:00Z", "2022-09-04"),
                                        ("2022-09-04", "2022-09-04")])
def test_a_date_time_is_the_same_utc_day_in_the_udf_the_oracle_and_the_loader(stamp, day):
    """The UDFs and the oracle convert an offset to UTC (a graph may pass one from elsewhere);
    the loader takes only the forms the back-end reads and refuses an offset with its reason."""
    from openeo.udf.run_code import load_module_from_string

    from openeo_cdse_local.errors import ProcessFailure
    from openeo_cdse_local.temporal import instant as _as_datetime
    from efast_udp.udf_source import udf_code

    expected = float(np.datetime64(day, "D").astype(np.int64))
    interpolation = load_module_from_string(udf_code("interpolation"))
    context = {"temporal_extent": ["2022-08-01", "2022-10-01"], "temporal_extent_target": None,
               "interval_days": 2, "target_time_series": [stamp]}
    assert list(interpolation["target_days"](context)) == [expected]  # the UDF
    assert oracle.day_number(stamp) == expected  # the oracle
    if "+" in stamp or stamp.endswith("-02:00"):
        with pytest.raises(ProcessFailure, match="is not a date YYYY-MM-DD or a UTC date-time"):
            _as_datetime(stamp, "t")
    else:
        assert float(np.floor(_as_datetime(stamp, "t").astype("datetime64[s]").astype(np.int64) / 86400)) == expected
    assert utc_day(stamp) == expected  # the prelude all three share

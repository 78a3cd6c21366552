"""UTC time arithmetic for host code (argument checks, the demo's oracle): the very functions the
UDFs compute their dates with, so the host never disagrees with a UDF about which day a
date-time falls on. Their one implementation is ``udfs/prelude.py``, whose text every UDF embeds;
host code imports them from here, not from the UDF package."""

from __future__ import annotations

from efast_udp.udfs.prelude import utc_day, utc_seconds

__all__ = ["utc_day", "utc_seconds"]

"""``collections``: what the back-end's ``load_collection`` delivers for the collections it
knows (grid, units, no data, time labels), per collection id."""

import dataclasses

import pytest

from openeo_cdse_local import collections
from openeo_cdse_local.collections import PROFILES, SENTINEL2_L2A, SENTINEL3_SYN_L2_SYN, Profile, profile


def test_sentinel2_l2a_is_loaded_in_utm_at_10_m_realigned_in_digital_numbers():
    p = profile("SENTINEL2_L2A")
    assert p is SENTINEL2_L2A
    assert (p.crs, p.is_utm, p.step, p.realign) == ("utm", True, 10.0, True)
    assert p.units.startswith("digital numbers")
    assert (p.nodata, p.labels) == (0.0, "day")


def test_sentinel3_syn_is_loaded_in_epsg_4326_at_1_336_degree_as_reflectance():
    p = profile("SENTINEL3_SYN_L2_SYN")
    assert p is SENTINEL3_SYN_L2_SYN
    assert (p.crs, p.is_utm, p.realign) == (4326, False, False)
    assert p.step == pytest.approx(1 / 336, rel=1e-12)
    assert p.units.startswith("reflectance")
    assert (p.nodata, p.labels) == (None, "minute")


def test_profiles_are_keyed_by_their_id():
    assert sorted(PROFILES) == ["SENTINEL2_L2A", "SENTINEL3_SYN_L2_SYN"]
    assert all(key == p.id for key, p in PROFILES.items())


@pytest.mark.parametrize("collection_id", ["TINY", "sentinel2_l2a", "SENTINEL2_L1C", ""])
def test_other_collections_have_no_profile(collection_id):
    assert profile(collection_id) is None


def test_a_profile_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        SENTINEL2_L2A.step = 20.0


def test_is_utm_only_for_the_utm_marker():
    assert Profile("X", 32631, 10.0, False, "u", None, "day").is_utm is False
    assert collections.Profile("X", "utm", 10.0, False, "u", None, "day").is_utm is True

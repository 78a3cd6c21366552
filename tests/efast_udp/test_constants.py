"""efast_udp.constants: the fixed numbers and names agree with what their comments derive them
from (the paper's bands, CDSE's band names, the grids, the memory bound of a call), and the
distance score's overlap is what makes a chunked score exact."""

from __future__ import annotations

import math
import re
from datetime import date

import pytest

from efast_udp import constants as C
from efast_udp.demo import oracle


def test_the_paper_is_cited_by_its_doi():
    assert C.PAPER_DOI_URL == "https://doi.org/10.3390/rs16111833"
    assert C.PAPER_DOI.endswith("rs16111833") and "Remote Sensing 16(11), 1833" in C.PAPER_CITATION


def test_the_sentinel3_bands_leave_out_the_absorption_bands_and_s4():
    olci = [int(re.fullmatch(r"Syn_Oa(\d\d)_reflectance", b).group(1)) for b in C.S3_REFLECTANCE_BANDS
            if b.startswith("Syn_Oa")]
    slstr = [b for b in C.S3_REFLECTANCE_BANDS if not b.startswith("Syn_Oa")]
    assert olci == [n for n in range(1, 22) if n not in (13, 14, 15, 19, 20)]
    assert slstr == [f"Syn_S{n}{view}_reflectance" for view in "NO" for n in (1, 2, 3, 5, 6)]
    assert len(set(C.S3_REFLECTANCE_BANDS)) == len(C.S3_REFLECTANCE_BANDS) == 26
    assert not any(b.startswith("SDR_") for b in C.S3_REFLECTANCE_BANDS)  # SNAP names do not exist on CDSE


def test_the_default_bands_are_four_pairs_of_available_bands_with_ndvis_bands_among_them():
    assert len(C.DEFAULT_S2_BANDS) == len(C.DEFAULT_S3_BANDS) == 4
    assert set(C.DEFAULT_S2_BANDS) <= set(C.S2_REFLECTANCE_BANDS) and C.S2_SCL_BAND not in C.S2_REFLECTANCE_BANDS
    assert set(C.DEFAULT_S3_BANDS) <= set(C.S3_REFLECTANCE_BANDS)
    assert {C.NDVI_RED_BAND, C.NDVI_NIR_BAND} <= set(C.DEFAULT_S2_BANDS) and C.NDVI_BAND_NAME == "NDVI"


def test_the_invalid_scl_classes_are_the_independent_oracles():
    assert C.S2_INVALID_SCL_CLASSES == oracle.S2_INVALID_SCL == (0, 3, 8, 9, 10, 11)
    assert C.S2_REFLECTANCE_SCALE == oracle.DN_SCALE
    assert (C.COARSE_PIXEL_SIZE_M, C.S2_PIXEL_SIZE_M) == (oracle.COARSE_M, oracle.FINE_M)


def test_binning_masks_with_every_flag_bit_of_the_flag_band():
    assert C.S3_BINNING_FEATUREFLAGS["flag_band"] == C.S3_FLAG_BAND
    assert C.S3_BINNING_FEATUREFLAGS["flag_bitmask"] == 0xFF  # 1 cloud, 2 ambiguous, 4 margin, 8 snow/ice and more
    assert C.S2_FEATUREFLAGS == {"tilesize": C.S2_TILE_PX}


def test_a_coarse_cell_is_30_by_30_sentinel2_pixels():
    assert C.COARSE_PIXEL_SIZE_M / C.S2_PIXEL_SIZE_M == 30


def test_the_overlap_is_what_the_largest_distance_needs():
    assert C.distance_overlap_px() == math.ceil(C.MAX_MAX_DISTANCE_TO_CLOUD_M / C.COARSE_PIXEL_SIZE_M) + 1 == 35
    assert C.distance_overlap_px(C.DEFAULT_MAX_DISTANCE_TO_CLOUD_M) == 18
    assert C.distance_overlap_px(300) == 2  # one pixel of distance: ⌈1⌉ + 1


def test_the_default_distance_and_tolerance_lie_within_what_a_user_may_ask():
    assert 0 < C.DEFAULT_MAX_DISTANCE_TO_CLOUD_M <= C.MAX_MAX_DISTANCE_TO_CLOUD_M
    assert 0 < C.DEFAULT_CLOUD_TOLERANCE < 1


def test_the_chunk_reads_2_4_times_the_pixels_it_writes():
    size = C.DISTANCE_CHUNK_PX
    assert (size + 2 * C.distance_overlap_px()) ** 2 / size ** 2 == pytest.approx(2.4, abs=0.01)
    assert C.SMOOTHING_CHUNK_PX == C.DISTANCE_CHUNK_PX == C.S2_TILE_PX  # one layout of 128 px tiles
    assert C.SMOOTHING_OVERLAP_PX == C.SMOOTHING_KERNEL_SIZE // 2 == 2


def test_the_memory_bound_of_the_longest_call():
    """184 days: 460 Sentinel-3 labels; 2 workers x 942 MiB x 1.2 fit in python-memory, 1.5 GiB each."""
    assert C.MAX_TEMPORAL_EXTENT_DAYS * C.S3_LABELS_PER_DAY == 460
    python_memory_mib = int(C.DEFAULT_JOB_OPTIONS["python-memory"].removesuffix("G")) * 1024
    assert 2 * 942 * 1.2 <= python_memory_mib and python_memory_mib / 2 == 1.5 * 1024
    assert all(re.fullmatch(r"\d+G", v) for v in C.DEFAULT_JOB_OPTIONS.values())


def test_the_example_call_has_a_month_of_inputs_either_side_of_its_targets():
    (t0, t1), (s0, s1) = (map(date.fromisoformat, e) for e in (C.EXAMPLE_TARGET_EXTENT, C.EXAMPLE_TEMPORAL_EXTENT))
    assert (t0 - s0).days == 31 and (s1 - t1).days == 30 and (t1 - t0).days % C.DEFAULT_INTERVAL_DAYS == 0
    box = C.EXAMPLE_SPATIAL_EXTENT
    assert box["west"] < box["east"] and box["south"] < box["north"]

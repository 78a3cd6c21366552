"""Every fixed number and name of the EFAST UDP, in one place, each with its source.

UDF sources never hard-code these: the generator hands them to the kernels through the
``context`` of the node that runs them, so a kernel and the graph cannot drift apart.
"""

from __future__ import annotations

import math

# --- Paper -----------------------------------------------------------------------------------
#: Senty et al. (2024), Remote Sensing 16(11):1833.
PAPER_DOI = "10.3390/rs16111833"
PAPER_DOI_URL = f"https://doi.org/{PAPER_DOI}"
PAPER_CITATION = (
    "Senty, P., Guzinski, R., Grogan, K., Buitenwerf, R., Ardö, J., Eklundh, L., Koukos, A., "
    "Tagesson, T., Munk, M. (2024). Fast Fusion of Sentinel-2 and Sentinel-3 Time Series over "
    "Rangelands. Remote Sensing 16(11), 1833."
)

# --- Collections (Copernicus Data Space Ecosystem openEO collection ids) ---------------------
S2_COLLECTION = "SENTINEL2_L2A"
S3_COLLECTION = "SENTINEL3_SYN_L2_SYN"

#: Sentinel-2 L2A bands on CDSE. B01..B12 reflectances, SCL scene classification.
S2_REFLECTANCE_BANDS = (
    "B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12",
)
S2_SCL_BAND = "SCL"
#: Sentinel-3 SYN L2 surface reflectance bands: all OLCI bands except the absorption bands
#: Oa13-15 and Oa19-20, and SLSTR S1-S6 (no S4) in nadir (N) and oblique (O) view. SNAP names such as ``SDR_Oa08`` do not exist on CDSE.
S3_REFLECTANCE_BANDS = tuple(
    f"Syn_Oa{n:02d}_reflectance" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 17, 18, 21)
) + tuple(f"Syn_S{n}{view}_reflectance" for view in "NO" for n in (1, 2, 3, 5, 6))
S3_FLAG_BAND = "CLOUD_flags"

#: What each collection's values are after ``load_collection`` on CDSE (openeo-geopyspark-driver
#: at 9baf2e10, 2026-08-21):
#: - SENTINEL2_L2A: digital numbers, reflectance = DN x 0.0001 (offset 0; uint16 with NoData 0,
#:   which becomes NaN in the float32 tiles a UDF gets: ``openeogeotrellis/geopysparkdatacube.py``
#:   ``convert_data_type``);
#: - SENTINEL3_SYN_L2_SYN: reflectance already, float32, NaN = no data: the Sentinel-3 reader
#:   hard-codes ``digital_numbers = False`` and applies each band's netCDF scale_factor and
#:   add_offset before binning (``openeogeotrellis/collections/sentinel3.py`` ``read_product``,
#:   ``do_binning``). Scaling it again (as releases up to 0.3.0 did) makes it 10^4 too small.
S2_REFLECTANCE_SCALE = 0.0001
S2_UNITS = "digital numbers"
S3_UNITS = "reflectance"
#: The units check of the kernels: the median of a band's |values| in a tile. A Sentinel-2
#: reflectance band in digital numbers has a median of hundreds to thousands (a median of 5
#: would be a reflectance of 0.0005); a Sentinel-3 reflectance stays below 1.5 except over
#: clouds, which the score excludes anyway. 5 separates the two by orders of magnitude.
UNITS_MEDIAN_LIMIT = 5.0

#: Defaults of the band parameters: the four bands the paper fuses, paired by position
#: (≈490/560/665/865 nm; docs/algorithm.md).
DEFAULT_S2_BANDS = ("B02", "B03", "B04", "B8A")
DEFAULT_S3_BANDS = (
    "Syn_Oa04_reflectance", "Syn_Oa06_reflectance", "Syn_Oa08_reflectance", "Syn_Oa17_reflectance",
)
#: NDVI = (NIR - red) / (NIR + red) from the fused S2 bands of these names.
NDVI_RED_BAND = "B04"
NDVI_NIR_BAND = "B8A"
NDVI_BAND_NAME = "NDVI"

# --- Cloud masks (Section 2.2; docs/algorithm.md) -------------------------------------------
#: SCL classes that make a Sentinel-2 pixel invalid: 0 no data, 3 cloud shadow, 8 cloud medium
#: probability, 9 cloud high probability, 10 thin cirrus, 11 snow/ice.
S2_INVALID_SCL_CLASSES = (0, 3, 8, 9, 10, 11)
#: Value an invalid S2 pixel gets before the 300 m average (valid pixels get 0), so the
#: average is the invalid *percentage*: SCL is an integer band, and a back-end may keep the
#: average in the input's integer type; 0/1 marks would then truncate every fraction to 0.
#: Pixels without SCL (outside the S2 footprint) never get the mark (openEO ``if`` returns its
#: ``reject`` value for null, a back-end may also keep them no-data): they never make a cell
#: cloudy, and the fusion drops them by their missing SCL.
S2_INVALID_MARK = 100
#: A Sentinel-3 cell is cloudy for the distance score where its binned CLOUD_flags value is > 0:
#: the mean of non-negative bit fields is positive exactly when some product pixel in the cell
#: has a flag set (1 cloud, 2 ambiguous, 4 margin, 8 snow/ice: all of them also mask the data
#: bands with the binning bitmask below), however the bits mix.
S3_CLOUDY_FLAG_MEAN = 0.0
#: CDSE-specific load_collection extension: bin S3 products onto the layer grid instead of
#: nearest neighbour. The back-end masks the data bands per product pixel where any bit of the
#: bitmask is set, then mean-bins every band, CLOUD_flags included (unmasked, a mean of bit
#: fields: ``openeogeotrellis/collections/sentinel3.py`` ``do_binning``); docs/algorithm.md.
S3_BINNING_FEATUREFLAGS = {
    "reprojection_type": "binning",
    "super_sampling": 2,
    "flag_band": S3_FLAG_BAND,
    "flag_bitmask": 255,
}

#: Sentinel-2 is loaded in tiles of this many 10 m pixels (CDSE ``load_collection`` feature flag
#: ``tilesize``; without it the back-end picks 256 or 512 by extent, or its own default): the
#: fusion UDF gets one such tile with every label and band at once, so the tile edge sets the
#: memory of its calls (``make bench``, ``backend_tiles``). The 300 m grid keeps the tile edge.
S2_TILE_PX = 128
S2_FEATUREFLAGS = {"tilesize": S2_TILE_PX}

# --- Limits of a call ---------------------------------------------------------------------------
#: Longest ``temporal_extent`` (days): up to it every UDF call on a back-end tile fits the
#: ``python-memory`` of ``DEFAULT_JOB_OPTIONS`` with 20 % to spare, at the acquisition rates
#: below (``make bench``, ``backend_tiles``). Longer periods are refused with a message.
MAX_TEMPORAL_EXTENT_DAYS = 184
#: Acquisitions a day the memory bound assumes: Sentinel-3 SYN, 3A and 3B each once (labels are
#: minutes, so two a day; a frame boundary across the extent can add one more); Sentinel-2, one
#: every 2.5 days (2A, 2B, 2C over overlapping orbits).
S3_LABELS_PER_DAY = 2.5
S2_LABELS_PER_DAY = 0.4

# --- Grids ------------------------------------------------------------------------------------
#: The coarse grid all low-resolution work happens on: the S2 grid's CRS at the nominal
#: Sentinel-3 SYN pixel size (300 m), so 30 x 30 S2 pixels make one coarse cell.
COARSE_PIXEL_SIZE_M = 300.0
#: Sentinel-2's finest pixel (the grid the fusion writes)
S2_PIXEL_SIZE_M = 10.0

# --- Distance-to-cloud score (Section 2.4; docs/algorithm.md) -------------------------------
#: A coarse cell is cloudy when this fraction of its S2 pixels is invalid (reference 0.05).
DEFAULT_CLOUD_TOLERANCE = 0.05
#: Distance (m) at which the score saturates at 1 (reference 5000 m ≈ 16.7 coarse px).
DEFAULT_MAX_DISTANCE_TO_CLOUD_M = 5000
#: Largest distance a user may ask for; the static apply_neighborhood overlap is sized for it.
MAX_MAX_DISTANCE_TO_CLOUD_M = 10000
#: Chunk edge (coarse px) of the distance-transform neighbourhood. On the back-end every UDF call
#: gets size + 2 x overlap px per side with *all* labels, whatever the area: 128 + 2 x 35 = 198 px
#: keeps a six-month Sentinel-3 call (two acquisitions a day, the flag band only) near 60 MB of
#: input, where 512 needed 4.9 GB with five bands (measured: ``make bench``, ``backend_tiles``).
#: Each chunk reads (128 + 2*35)^2 / 128^2 = 2.4 times the pixels it writes: cheap at 300 m.
DISTANCE_CHUNK_PX = 128


def distance_overlap_px(max_distance_m: float = MAX_MAX_DISTANCE_TO_CLOUD_M) -> int:
    """Overlap that makes a chunked distance score exact: ⌈D⌉ + 1 coarse px.

    The score clip((d - 1) / D, 0, 1) is 1 for every cell farther than D + 1 from a cloud, so a
    chunk needs to see clouds up to ⌈D⌉ + 1 px beyond its edge and no farther.
    """
    return math.ceil(max_distance_m / COARSE_PIXEL_SIZE_M) + 1


# --- Temporal weights (Section 2.5) -----------------------------------------------------------
#: σ (days) of the Gaussian temporal weight of S2 acquisitions: the paper's smoothing parameter s.
DEFAULT_TEMPORAL_SCORE_STDDEV = 20
#: σ (days) of the Gaussian temporal weight used for the S3 composites.
DEFAULT_S3_TEMPORAL_SCORE_STDDEV = 10
#: Days between target dates and between S3 composites (the authors' default).
DEFAULT_INTERVAL_DAYS = 2

# --- S3 composite smoothing (docs/algorithm.md) ----------------------------------------------
#: 5 x 5 Gaussian, σ = 1 coarse px, normalised to sum 1 (centre weight 0.1621).
SMOOTHING_KERNEL_SIZE = 5
SMOOTHING_SIGMA_PX = 1.0
#: Chunk edge (coarse px) of the smoothing neighbourhood; overlap = kernel half-width. The same
#: 128 as the distance score, so the coarse cubes keep one layout (tiles of 128 px).
SMOOTHING_CHUNK_PX = 128
SMOOTHING_OVERLAP_PX = SMOOTHING_KERNEL_SIZE // 2

# --- Example call (Senegal rangeland site used by the earlier port) ---------------------------
EXAMPLE_SPATIAL_EXTENT = {"west": -15.456047, "south": 15.665024, "east": -15.325491, "north": 15.787501}
#: Targets every 2 days from 2022-09-07 (end excluded), from inputs one month either side.
EXAMPLE_TARGET_EXTENT = ["2022-09-07", "2022-09-27"]
EXAMPLE_TEMPORAL_EXTENT = ["2022-08-07", "2022-10-27"]

# --- Back-end job options (Processing Parameters extension) ----------------------------------
#: Memory for the Python UDF workers, measured (``make bench``, section ``backend_tiles``): on
#: the back-end each UDF call gets one tile with all labels, and PySpark limits each Python worker's
#: address space to ``python-memory`` / executor cores (2 by default). The largest call is the
#: Sentinel-3 composite at the longest period (184 days: 460 labels x 5 bands x 128², 144 MiB of
#: input): 942 MiB peak address space (VmPeak; 544 MiB resident) in a Python with numpy, scipy,
#: xarray and the openeo client (563 MiB of it before any data). 2 x 942 MiB x 1.2 = 2.2 GiB;
#: 3G leaves 1.5 GiB per worker. (0.3.0 granted 2G where one distance-score call needed 4.9 GiB.)
DEFAULT_JOB_OPTIONS = {
    "executor-memory": "2G",
    "executor-memoryOverhead": "1G",
    "python-memory": "3G",
}

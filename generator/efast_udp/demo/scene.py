"""A synthetic Sentinel-2 / Sentinel-3 scene with known truth (``efast-udp demo``).

Truth: 10 m surface reflectance of four bands (B02, B03, B04, B8A) over ``n_days`` days: a
static background (bare soil with a 10 m texture and 150 m fields mixed with some vegetation)
plus a green-up that adds growth x (vegetation - soil spectrum), growth following a logistic
curve centred inside a ~3-week Sentinel-2 cloud gap. Green-up amplitude and timing vary
smoothly (km scale) with a weak field-scale part, so the change is mostly what Sentinel-3 sees
at 300 m (EFAST's premise) plus some detail it cannot see.

Observations, in the units and with the labels CDSE's ``load_collection`` delivers them
(``openeo_cdse_local.collections``):
- ``SENTINEL2_L2A``: digital numbers (reflectance x 10000) on the 10 m UTM grid, acquired at
  ``S2_TIME`` every ``s2_step_days`` days: truth + noise, with cloud blobs (SCL 8/9/10), their
  shadows (SCL 3, darkened) and clear pixels (SCL 4/5); the dates inside the gap are fully
  cloudy.
- ``SENTINEL3_SYN_L2_SYN``: reflectance on a product-like grid in EPSG:4326 at 1/336 degree
  (offset from the back-end's layer grid, so binning mixes pixels as it does with real
  products), two overpasses a day (``S3_TIMES``, as Sentinel-3A and 3B): per pixel the mean of
  the truth over its footprint with a small sensor bias and noise; cloudy days and partial
  clouds with ``CLOUD_flags`` (1 cloud, 2 ambiguous, 4 margin), cloudy pixels bright.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyproj
from scipy import ndimage

from openeo_cdse_local import data as io

S2_BANDS = ("B02", "B03", "B04", "B8A")
S3_BANDS = ("Syn_Oa04_reflectance", "Syn_Oa06_reflectance", "Syn_Oa08_reflectance", "Syn_Oa17_reflectance")
SOIL = np.array([0.08, 0.11, 0.15, 0.24])
VEGETATION = np.array([0.03, 0.07, 0.035, 0.42])
S3_GAIN, S3_OFFSET = 1.03, 0.004
CRS = "EPSG:32628"  # UTM 28N (Senegal)
S2_RES, S3_RES = 10.0, 300.0
BLOCK = int(S3_RES / S2_RES)
#: the Sentinel-3 product grid: EPSG:4326 at the SYN pixel step, shifted by this fraction of a
#: pixel from multiples of the step (the back-end's layer grid starts elsewhere anyway)
S3_STEP_DEG = 1.0 / 336.0
S3_GRID_SHIFT = 0.37
#: acquisition times of the day (UTC): Sentinel-2, and the two Sentinel-3 overpasses
S2_TIME = np.timedelta64(11 * 60 + 26, "m")
S3_TIMES = (np.timedelta64(10 * 60 + 12, "m"), np.timedelta64(11 * 60 + 41, "m"))
CLOUD_DN = 5000.0  # bright cloud tops
SHADOW_FACTOR = 0.4


@dataclass
class SceneConfig:
    size_px: int = 450  # S2 pixels per side (multiple of 30)
    n_days: int = 60
    start: str = "2023-06-01"
    s2_step_days: int = 5
    gap_days: tuple = (20, 25, 30, 35, 40)  # fully cloudy S2 dates (days after start): 3 weeks
    green_up_day: float = 30.0
    green_up_width: float = 2.5  # days (logistic scale)
    s3_cloudy_days: tuple = (3, 4, 11, 17, 18, 26, 33, 41, 50, 51, 56)
    change_scale_px: float = 200.0  # correlation length of green-up amplitude and timing (S2 px)
    amplitude_variation: float = 0.05
    field_variation: float = 0.02  # field-scale (150 m) part of the amplitude, invisible to S3
    onset_variation_days: float = 1.0
    s2_noise: float = 0.002
    s3_noise: float = 0.003
    cloud_cover: float = 0.2  # partial-cloud fraction on the other S2 dates
    x0: float = 399900.0  # left edge, multiple of 300 m
    top: float = 1740000.0  # top edge, multiple of 300 m
    seed: int = 42


@dataclass
class Scene:
    config: SceneConfig
    s2_days: np.ndarray
    s3_days: np.ndarray
    s2: dict  # band -> (t, y, x) DN; plus "SCL"
    s3: dict  # band -> (t, lat, lon) reflectance on the product grid; plus "CLOUD_flags"
    lon3: np.ndarray = field(repr=False, default=None)  # product grid pixel centres
    lat3: np.ndarray = field(repr=False, default=None)
    fv0: np.ndarray = field(repr=False, default=None)
    amplitude: np.ndarray = field(repr=False, default=None)
    onset: np.ndarray = field(repr=False, default=None)
    soil_texture: np.ndarray = field(repr=False, default=None)

    # --- coordinates ---------------------------------------------------------------------
    @property
    def x(self) -> np.ndarray:
        return self.config.x0 + S2_RES * (np.arange(self.config.size_px) + 0.5)

    @property
    def y(self) -> np.ndarray:
        return self.config.top - S2_RES * (np.arange(self.config.size_px) + 0.5)

    def dates(self, days) -> np.ndarray:
        """Days after the start as dates (midnight UTC: the labels the back-end gives S2)."""
        return np.datetime64(self.config.start, "D") + np.asarray(days).astype("timedelta64[D]")

    @property
    def s2_times(self) -> np.ndarray:
        """Acquisition instants of the S2 dates."""
        return self.dates(self.s2_days).astype("datetime64[m]") + S2_TIME

    @property
    def s3_times(self) -> np.ndarray:
        """Acquisition instants of the S3 products (``s3_days`` holds one entry per product)."""
        return self.dates(self.s3_days).astype("datetime64[m]") + np.resize(np.array(S3_TIMES), self.s3_days.size)

    @property
    def spatial_extent(self) -> dict:
        c = self.config
        return {"west": c.x0, "south": c.top - S2_RES * c.size_px, "east": c.x0 + S2_RES * c.size_px,
                "north": c.top, "crs": 32628}

    @property
    def temporal_extent(self) -> list[str]:
        return [str(self.dates(0)), str(self.dates(self.config.n_days))]

    # --- truth -----------------------------------------------------------------------------
    def vegetation_fraction(self, day: float, window=(slice(None), slice(None))) -> np.ndarray:
        onset, fv0, amplitude = self.onset[window], self.fv0[window], self.amplitude[window]
        growth = 1.0 / (1.0 + np.exp(-(day - onset) / self.config.green_up_width))
        return np.clip(fv0 + amplitude * growth, 0.0, 1.0)

    def truth(self, day: float, window=(slice(None), slice(None))) -> np.ndarray:
        """True reflectance (bands, y, x) on ``day`` (days after start) over ``window`` (rows,
        columns): a textured soil/vegetation background plus the green-up, which adds growth x
        (vegetation - soil) spectra."""
        fv0 = self.fv0[window]
        soil = SOIL[:, None, None] * self.soil_texture[window][None]
        background = (1.0 - fv0[None]) * soil + fv0[None] * VEGETATION[:, None, None]
        growth = self.vegetation_fraction(day, window) - fv0
        return (background + growth[None] * (VEGETATION - SOIL)[:, None, None]).astype(np.float64)

    # --- writing ---------------------------------------------------------------------------
    def write(self, data_dir: Path) -> None:
        io.write_collection(Path(data_dir) / "SENTINEL2_L2A.nc", self.s2, self.s2_times, self.y, self.x, CRS)
        io.write_collection(Path(data_dir) / "SENTINEL3_SYN_L2_SYN.nc", self.s3, self.s3_times, self.lat3, self.lon3,
                            "EPSG:4326")


def product_grid(scene: "Scene") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The S3 product grid over the scene (lon, lat pixel centres) and, for every 10 m pixel of
    the scene, the product pixel its centre falls into (flat index, -1 outside)."""
    xx, yy = np.meshgrid(scene.x, scene.y)
    lon, lat = pyproj.Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(xx, yy)
    step, shift = S3_STEP_DEG, S3_GRID_SHIFT * S3_STEP_DEG
    west = np.floor((lon.min() - shift) / step) * step + shift - step
    north = np.ceil((lat.max() - shift) / step) * step + shift + step
    nx = int(np.ceil((lon.max() - west) / step)) + 1
    ny = int(np.ceil((north - lat.min()) / step)) + 1
    col = np.floor((lon - west) / step).astype(np.int64)
    row = np.floor((north - lat) / step).astype(np.int64)
    index = row * nx + col
    return west + step * (np.arange(nx) + 0.5), north - step * (np.arange(ny) + 0.5), index


def _smooth_field(rng, shape, sigma_px) -> np.ndarray:
    """Zero-mean, unit-std random field with correlation length ~sigma_px."""
    f = ndimage.gaussian_filter(rng.standard_normal(shape), sigma_px, mode="wrap")
    return (f - f.mean()) / (f.std() + 1e-12)


def _blobs(rng, shape, cover, sigma_px) -> np.ndarray:
    """Boolean blobs covering about ``cover`` of the area."""
    f = _smooth_field(rng, shape, sigma_px)
    return f > np.quantile(f, 1.0 - cover)


def make_scene(config: SceneConfig | None = None) -> Scene:
    c = config or SceneConfig()
    if c.size_px % BLOCK:
        raise ValueError(f"size_px must be a multiple of {BLOCK}")
    rng = np.random.default_rng(c.seed)
    n = c.size_px
    shape = (n, n)
    scene = Scene(c, np.arange(0, c.n_days, c.s2_step_days), np.arange(c.n_days), {}, {})
    fields = ndimage.zoom(rng.uniform(-1, 1, (n // 15 + 1, n // 15 + 1)), 15, order=0)[:n, :n]  # 150 m fields
    scene.fv0 = np.clip(0.12 + 0.05 * fields + 0.02 * rng.standard_normal(shape), 0.0, 0.4)
    scene.amplitude = np.clip(0.5 + c.amplitude_variation * _smooth_field(rng, shape, c.change_scale_px)
                              + c.field_variation * fields, 0.1, 0.85)
    scene.onset = c.green_up_day + c.onset_variation_days * _smooth_field(rng, shape, c.change_scale_px)
    scene.soil_texture = np.clip(1.0 + 0.08 * _smooth_field(rng, shape, 2) + 0.05 * fields, 0.7, 1.3)

    # Sentinel-2: truth + noise, clouds, shadows, SCL
    n2 = scene.s2_days.size
    s2 = np.empty((n2, 4, n, n), dtype=np.float32)
    scl = np.empty((n2, n, n), dtype=np.float32)
    for i, day in enumerate(scene.s2_days):
        refl = scene.truth(day) + c.s2_noise * rng.standard_normal((4,) + shape)
        layer_scl = np.where(scene.vegetation_fraction(day) > 0.35, 4.0, 5.0)
        if day in c.gap_days:
            cloud = np.ones(shape, bool)
        elif i == 0:
            cloud = np.zeros(shape, bool)
        else:
            cloud = _blobs(rng, shape, c.cloud_cover, 12)
        shadow = np.roll(cloud, (20, 25), axis=(0, 1)) & ~cloud
        thin = ndimage.binary_dilation(cloud, iterations=3) & ~cloud & ~shadow
        refl = np.where(shadow[None], refl * SHADOW_FACTOR, refl)
        refl = np.where(cloud[None], CLOUD_DN / 1e4 + 0.05 * rng.random((4,) + shape), refl)
        refl = np.where(thin[None], refl + 0.08, refl)
        layer_scl = np.where(cloud, np.where(rng.random(shape) < 0.5, 9.0, 8.0), layer_scl)
        layer_scl = np.where(shadow, 3.0, layer_scl)
        layer_scl = np.where(thin, 10.0, layer_scl)
        s2[i] = np.round(np.clip(refl, 0, None) * 1e4)
        scl[i] = layer_scl
    scene.s2 = {b: s2[:, k] for k, b in enumerate(S2_BANDS)}
    scene.s2["SCL"] = scl

    # Sentinel-3: two products a day on the product grid: footprint means + bias + noise, clouds, flags
    scene.lon3, scene.lat3, index = product_grid(scene)
    shape3 = (scene.lat3.size, scene.lon3.size)
    cells = shape3[0] * shape3[1]
    count = np.bincount(index.ravel(), minlength=cells).reshape(shape3)
    seen = count > 0
    scene.s3_days = np.repeat(np.arange(c.n_days), len(S3_TIMES))
    n3 = scene.s3_days.size
    s3 = np.full((n3, 4) + shape3, np.nan, dtype=np.float32)
    flags = np.full((n3,) + shape3, np.nan, dtype=np.float32)
    for i, day in enumerate(scene.s3_days):
        truth = scene.truth(day)
        means = np.stack([np.bincount(index.ravel(), weights=band.ravel(), minlength=cells).reshape(shape3)
                          for band in truth]) / np.maximum(count, 1)
        refl = S3_GAIN * means + S3_OFFSET + c.s3_noise * rng.standard_normal((4,) + shape3)
        if day in c.s3_cloudy_days:
            cloud = np.ones(shape3, bool)
        else:
            cloud = _blobs(rng, shape3, 0.15, 1.5) if rng.random() < 0.5 else np.zeros(shape3, bool)
        margin = ndimage.binary_dilation(cloud) & ~cloud
        ambiguous = (rng.random(shape3) < 0.03) & ~cloud & ~margin
        layer = np.where(cloud, 1, 0) | np.where(margin, 4, 0) | np.where(ambiguous, 2, 0)
        refl = np.where(cloud[None], 0.5 + 0.05 * rng.random((4,) + shape3), refl)
        s3[i] = np.where(seen[None], np.clip(refl, 0, None), np.nan)
        flags[i] = np.where(seen, layer, np.nan)
    scene.s3 = {b: s3[:, k] for k, b in enumerate(S3_BANDS)}
    scene.s3["CLOUD_flags"] = flags
    return scene

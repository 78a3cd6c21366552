"""PNG quicklooks of the demo: truth vs S2-only interpolation vs EFAST, per band and NDVI.

``map_<band>.png``: truth, the two estimates and the error EFAST − truth on a date inside the
cloud gap, on map coordinates, with the date and the units on the colour scales;
``timeseries_<band>.png``: scene means over time (truth daily, clear S2 observations, both
estimates at the targets) against the calendar date.

``site_figures`` draws the two pictures the published site shows (committed under
``templates/site/``, redrawn by ``make site-figures``): the NDVI maps and series in one figure,
and a small square thumbnail of the EFAST NDVI map. Their PNGs carry no matplotlib version or
date (``metadata``), so the same data give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import numpy as np

from efast_udp.local.quicklooks import colourbar, extent_km, label_axes, pyplot, show

ESTIMATES = ("truth", "S2-only interpolation", "EFAST")


def _unit(band: str) -> str:
    return "NDVI (1)" if band == "NDVI" else "surface reflectance (1)"


def _map(path: Path, band: str, images: dict, date: str, extent, crs_name: str) -> None:
    lo, hi = np.nanpercentile(images["truth"], [1, 99])
    error = images["EFAST"] - images["truth"]
    bound = float(np.nanpercentile(np.abs(error), 99)) if np.isfinite(error).any() else 1.0
    plt = pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.4), constrained_layout=True)
    for ax, name in zip(axes[:3], ESTIMATES):
        im = show(ax, images[name], extent, lo, hi)
        ax.set_title(name, fontsize=10)
        label_axes(ax, crs_name)
    colourbar(fig, im, axes[:3], _unit(band))
    err = show(axes[3], error, extent, -bound, bound, cmap="RdBu_r")
    axes[3].set_title("EFAST − truth", fontsize=10)
    label_axes(axes[3], crs_name)
    colourbar(fig, err, axes[3], f"error, {_unit(band)}")
    fig.suptitle(f"{band}, {date} (inside the Sentinel-2 cloud gap)")
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _series_lines(ax, dates: dict, means: dict, gap: tuple, labels: dict, marked: str | None = None) -> None:
    """The scene means through the gap on ``ax``: the gap shaded, the maps' date ``marked``,
    truth daily, the clear S2 observations, both estimates at the targets; ``labels``: the
    legend's words for "gap", "obs" and each estimate."""
    ax.axvspan(*gap, color="0.9", label=labels["gap"])
    if marked is not None:
        ax.axvline(np.datetime64(marked), color="0.4", lw=1, ls=":", label=f"the maps' date ({marked})")
    ax.plot(dates["truth"], means["truth"], color="k", lw=2, label="truth")
    ax.plot(dates["obs"], means["obs"], "o", color="tab:gray", label=labels["obs"])
    for name, style in (("S2-only interpolation", "--"), ("EFAST", "-")):
        ax.plot(dates["targets"], means[name], style, marker=".", label=labels.get(name, name))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))


def _series(path: Path, band: str, dates: dict, means: dict, gap: tuple) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4), constrained_layout=True)
    _series_lines(ax, dates, means, gap, {"gap": "S2 cloud gap", "obs": "clear S2 (scene mean)"})
    fig.autofmt_xdate()
    ax.set_xlabel("date")
    ax.set_ylabel(_unit(band))
    ax.legend(loc="best", fontsize=8)
    ax.set_title(f"{band}: scene mean")
    fig.savefig(path, dpi=80)
    plt.close(fig)


#: PNG text chunks of the site's figures: none, not even matplotlib's "Software"
NO_METADATA = {"Software": None}
SITE_FIGURE, SITE_THUMBNAIL = "efast-demo.png", "thumbnail.png"
SITE_ORDER = ("S2-only interpolation", "EFAST", "truth")
SITE_TITLES = {"S2-only interpolation": "Sentinel-2 only\n(interpolated across the gap)",
               "EFAST": "EFAST\n(Sentinel-2 + Sentinel-3)", "truth": "truth\n(known in the synthetic scene)"}


def site_figures(out_dir: Path, images: dict, date: str, dates: dict, means: dict, gap: tuple, grid: dict) -> list[Path]:
    """The site's figure and thumbnail from the NDVI ``images`` on ``date`` (inside the gap) and
    the NDVI scene ``means`` (see :func:`write_all`)."""
    import matplotlib.gridspec as gridspec  # lazy: 10 ms at ``demo --scene-only`` (python -X importtime)

    out_dir.mkdir(parents=True, exist_ok=True)
    extent = extent_km(np.asarray(grid["x"]), np.asarray(grid["y"]))
    lo, hi = np.nanpercentile(images["truth"], [1, 99])
    plt = pyplot()
    fig = plt.figure(figsize=(10, 7.6), constrained_layout=True)
    rows = gridspec.GridSpec(2, 3, figure=fig, height_ratios=[1.05, 1])
    axes = [fig.add_subplot(rows[0, k]) for k in range(3)]
    for ax, name in zip(axes, SITE_ORDER):
        im = show(ax, images[name], extent, lo, hi)
        ax.set_title(SITE_TITLES[name], fontsize=10)
        label_axes(ax, grid["crs"])
    colourbar(fig, im, axes, f"NDVI on {date} (unitless)")
    ax = fig.add_subplot(rows[1, :])
    _series_lines(ax, dates, means, gap, {"gap": "Sentinel-2 cloud gap", "obs": "clear Sentinel-2 observations",
                                          **{name: SITE_TITLES[name].split("\n")[0] for name in ESTIMATES[1:]}},
                  marked=date)
    ax.xaxis.set_major_locator(mdates.DayLocator(bymonthday=(1, 11, 21)))
    ax.set_xlabel("date")
    ax.set_ylabel("NDVI, scene mean (unitless)")
    ax.legend(loc="upper left", fontsize=8)
    fig.suptitle("Synthetic scene: a green-up while clouds hide Sentinel-2 for a month")
    figure = out_dir / SITE_FIGURE
    fig.savefig(figure, dpi=90, metadata=NO_METADATA)
    plt.close(fig)
    fig = plt.figure(figsize=(2.56, 2.56))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(np.ma.masked_invalid(images["EFAST"]), vmin=lo, vmax=hi, cmap="viridis", interpolation="antialiased")
    ax.set_axis_off()
    thumbnail = out_dir / SITE_THUMBNAIL
    fig.savefig(thumbnail, dpi=100, metadata=NO_METADATA)
    plt.close(fig)
    return [figure, thumbnail]


def write_all(out_dir: Path, names: list[str], maps: dict, series: dict, dates: dict, gap_date: str,
              gap: tuple, grid: dict) -> list[Path]:
    """``maps``: band -> {"truth", "S2-only interpolation", "EFAST"} 2-D on ``gap_date``;
    ``series``: scene means (dates, bands) of "truth" (daily), "obs" (clear S2 on its dates),
    "S2-only interpolation" and "EFAST" (targets); ``dates``: the datetime64 of "truth", "obs"
    and "targets"; ``gap``: (first, last) date of the cloud gap; ``grid``: "x", "y" (the map's
    pixel centres, m) and "crs" (its name)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    extent = extent_km(np.asarray(grid["x"]), np.asarray(grid["y"]))
    paths = []
    for i, band in enumerate(names):
        path = out_dir / f"map_{band}.png"
        _map(path, band, maps[band], gap_date, extent, grid["crs"])
        paths.append(path)
        path = out_dir / f"timeseries_{band}.png"
        _series(path, band, dates, {k: v[:, i] for k, v in series.items()}, gap)
        paths.append(path)
    return paths

"""The recorded numbers of ``tests/fixtures/results/small_scene.json`` (see
``tests/test_same_results.py``), and how a found figure is compared with them: within ``TOL``,
no data exactly."""

from __future__ import annotations

import json
from pathlib import Path

RECORD = Path(__file__).parent / "fixtures" / "results" / "small_scene.json"
TOL = 1e-6

#: the demo run whose errors are recorded (``tests/efast_udp/demo/test_runner.py`` makes the same one)
DEMO = dict(size=90, seed=1)


def close(found, recorded, where: str = "") -> list[str]:
    """Where ``found`` differs from ``recorded`` by more than ``TOL`` (no data must match exactly)."""
    if isinstance(recorded, dict):
        keys = set(found) | set(recorded)
        return [p for k in sorted(keys) for p in (close(found.get(k), recorded.get(k), f"{where}/{k}")
                                                   if k in found and k in recorded else [f"{where}/{k}: missing"])]
    if isinstance(recorded, list):
        if not isinstance(found, list) or len(found) != len(recorded):
            return [f"{where}: {len(found) if isinstance(found, list) else found!r} items, recorded {len(recorded)}"]
        return [p for i, (a, b) in enumerate(zip(found, recorded)) for p in close(a, b, f"{where}/{i}")]
    if isinstance(recorded, float) and isinstance(found, (int, float)):
        return [] if abs(found - recorded) <= TOL else [f"{where}: {found!r}, recorded {recorded!r}"]
    return [] if found == recorded else [f"{where}: {found!r}, recorded {recorded!r}"]


def load_record() -> dict:
    return json.loads(RECORD.read_text("utf-8"))

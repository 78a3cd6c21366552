"""Serve openeo-driver's dummy back-end on the loopback interface, with the EFAST input collections.

Runs inside the separate driver venv (``.venv-driver``, see ``requirements/driver-constraints.txt``),
never inside the main venv: openeo-driver pins an older pystac and openeo client.

    .venv-driver/bin/python tests/backend/serve_dummy.py --port 0 --ready-file /tmp/x

Once the server listens, the chosen port is written to ``--ready-file`` (atomically) and printed.
Basic auth works with the dummy config: a user name starting with a vowel has password name + "123".
SIGTERM or SIGINT stops the server.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import os
import signal
import sys
import threading
from pathlib import Path

S2_BANDS = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12", "SCL"]
S3_BANDS = [f"Syn_Oa{i:02d}_reflectance" for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 17, 18, 21)] + [
    "Syn_S1N_reflectance",
    "Syn_S2N_reflectance",
    "Syn_S3N_reflectance",
    "Syn_S5N_reflectance",
    "Syn_S6N_reflectance",
    "CLOUD_flags",
]


def _dummy_config_path() -> str:
    spec = importlib.util.find_spec("openeo_driver")
    return str(Path(list(spec.submodule_search_locations)[0]) / "dummy" / "dummy_config.py")


def _collection(template: dict, collection_id: str, bands: list[str], step: float, start: str) -> dict:
    """A catalogue entry for ``collection_id``: a copy of an S2 entry with its own bands and extent."""
    c = copy.deepcopy(template)
    c["id"] = collection_id
    c.pop("_private", None)
    c["extent"] = {"spatial": {"bbox": [[-180, -90, 180, 90]]}, "temporal": {"interval": [[start, None]]}}
    dims = c["cube:dimensions"]
    dims["x"].update({"extent": [-180, 180], "step": step})
    dims["y"].update({"extent": [-90, 90], "step": step})
    dims["t"]["extent"] = [start, None]
    dims["bands"]["values"] = list(bands)
    c["summaries"]["eo:bands"] = [{"name": b} for b in bands]
    c["summaries"]["bands"] = [{"name": b} for b in bands]
    return c


def register_collections() -> None:
    from openeo_driver.dummy.dummy_backend import DummyCatalog

    collections = DummyCatalog._COLLECTIONS
    template = next(c for c in collections if c["id"] == "SENTINEL2_L2A_SENTINELHUB")
    known = {c["id"] for c in collections}
    for entry in (
        _collection(template, "SENTINEL2_L2A", S2_BANDS, 10, "2015-07-04"),
        _collection(template, "SENTINEL3_SYN_L2_SYN", S3_BANDS, 300, "2018-10-01"),
    ):
        if entry["id"] not in known:
            collections.append(entry)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: pick a free port")
    parser.add_argument("--ready-file", type=Path, help="write the port here once listening")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("only loopback addresses are allowed")

    os.environ.setdefault("OPENEO_BACKEND_CONFIG", _dummy_config_path())
    register_collections()

    from openeo_driver.dummy.local_app import create_app
    from werkzeug.serving import make_server

    app = create_app()
    server = make_server(args.host, args.port, app, threaded=True)
    port = server.server_port

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if args.ready_file:
        tmp = args.ready_file.with_name(args.ready_file.name + ".tmp")
        tmp.write_text(str(port))
        tmp.replace(args.ready_file)
    print(f"dummy openEO back-end on http://{args.host}:{port}/openeo/1.2", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())

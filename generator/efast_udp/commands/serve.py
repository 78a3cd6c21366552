"""``efast-udp serve``: serve the static site on the loopback interface, as GitHub Pages would."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from efast_udp.errors import UsageError
from efast_udp.project import PUBLIC_DIR

HELP = "Serve public/ on 127.0.0.1 (JSON as application/json, CORS allowed, no listings) until interrupted"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, default=PUBLIC_DIR, help="site directory (default: public/)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port 1-65535 (default: 8000; 0 picks a free one)")


def run(args: argparse.Namespace) -> int:
    from efast_udp.publish.serve import make_server  # lazy: 37 ms at ``serve --help`` (python -X importtime)

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: expected a port number from 1 to 65535 (or 0 for any free port)")
    server = make_server(args.dir, args.host, args.port)
    print(f"Serving {args.dir} at {server.url}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0

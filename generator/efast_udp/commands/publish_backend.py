"""``efast-udp publish-backend``: save the UDP as a user-defined process on an openEO back-end."""

from __future__ import annotations

import argparse
import sys

from efast_udp.errors import EfastUdpError, UsageError
from efast_udp.document import path_or_url
from efast_udp.project import LATEST_UDP
from efast_udp.publish import backend

#: Bounds of --retries and --timeout: at worst a request takes (retries + 1) * timeout plus pauses.
MAX_RETRIES = 10
MAX_TIMEOUT_S = 600

HELP = "Save the UDP as a user-defined process on an openEO back-end (authentication through the openeo client)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", required=True,
                        help="openEO back-end URL, https (http only on 127.0.0.1), e.g. https://openeo.dataspace.copernicus.eu")
    parser.add_argument("--udp", type=path_or_url, default=LATEST_UDP,
                        help="process definition to save: a file or http(s) URL (default: udp/efast.json)")
    parser.add_argument("--process-id", help="id to save it under (default: the definition's id)")
    parser.add_argument("--auth", choices=["oidc", "basic"], default="oidc", help="openeo client auth flow (default: oidc)")
    parser.add_argument("--provider-id", help="OIDC provider id (default: the client's choice)")
    parser.add_argument("--username", help="basic auth user; the password comes from the client's auth config or a prompt")
    parser.add_argument("--public", action="store_true", help="mark the process public (non-standard flag)")
    parser.add_argument("--retries", type=int, default=2, metavar="N",
                        help=f"retry a request that timed out, could not connect or got 429/502/503/504 N more times, "
                             f"0-{MAX_RETRIES} (default: 2; 0: no retries)")
    parser.add_argument("--timeout", type=float, default=120, metavar="SECONDS",
                        help=f"wall-clock limit for each request: connect, headers and body, 1-{MAX_TIMEOUT_S} "
                             "(default: 120)")


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.retries <= MAX_RETRIES:
        raise UsageError(f"--retries {args.retries}: expected a number of retries from 0 to {MAX_RETRIES}")
    if not 1 <= args.timeout <= MAX_TIMEOUT_S:  # also refuses nan
        raise UsageError(f"--timeout {args.timeout:g}: expected seconds from 1 to {MAX_TIMEOUT_S}")
    sent, stored = backend.publish(args)
    changed, dropped = backend.compare(sent, stored)
    if changed:
        raise EfastUdpError(f"the back-end stored {sent['id']!r} but changed: {', '.join(changed)}")
    note = f" (the back-end does not keep: {', '.join(dropped)})" if dropped else ""
    print(f"saved {sent['id']!r} on {args.url}{note}", file=sys.stderr)
    return 0

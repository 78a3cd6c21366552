"""``efast-udp publish-backend``: save the UDP as a user-defined process on an openEO back-end."""

from __future__ import annotations

import argparse
import sys

from efast_udp.errors import EfastUdpError
from efast_udp.document import path_or_url
from efast_udp.project import LATEST_UDP

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
    parser.add_argument("--retries", type=int, default=None, metavar="N",
                        help="retry failed requests N times (default: the openeo client's retry settings; 0: no retries)")
    parser.add_argument("--timeout", type=float, default=120, help="timeout per request in seconds (default: 120)")


def run(args: argparse.Namespace) -> int:
    from efast_udp.publish.backend import compare, publish

    sent, stored = publish(args)
    changed, dropped = compare(sent, stored)
    if changed:
        raise EfastUdpError(f"the back-end stored {sent['id']!r} but changed: {', '.join(changed)}")
    note = f" (the back-end does not keep: {', '.join(dropped)})" if dropped else ""
    print(f"saved {sent['id']!r} on {args.url}{note}", file=sys.stderr)
    return 0

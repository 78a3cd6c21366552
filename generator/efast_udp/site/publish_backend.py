"""``efast-udp publish-backend``: save the UDP as a user-defined process on an openEO back-end.

This is what users did with ``connection.save_user_defined_process(...)``: a ``PUT
/process_graphs/{id}`` through the openeo client. The whole process definition is sent as it is
(including fields ``save_user_defined_process`` has no argument for, such as ``default_job_options``),
then read back with ``GET /process_graphs/{id}`` and compared.

Credentials come only from the openeo client's own authentication flows and are never stored here:
``--auth oidc`` (default) is ``connection.authenticate_oidc()`` (refresh token, device code flow, or
client credentials from ``OPENEO_AUTH_CLIENT_ID``/``OPENEO_AUTH_CLIENT_SECRET``/``OPENEO_AUTH_PROVIDER_ID``);
``--auth basic`` is ``connection.authenticate_basic()`` with the user name and password from the client's
auth config (``openeo-auth add-basic URL``), or a password prompt when ``--username`` is given and a
terminal is attached.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from efast_udp.errors import EfastUdpError
from efast_udp.version import PROJECT_ROOT

HELP = "Save the UDP as a user-defined process on an openEO back-end (authentication through the openeo client)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    default_udp = (PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").is_file() else Path.cwd()) / "udp" / "efast.json"
    parser.add_argument("--url", required=True, help="openEO back-end URL, e.g. https://openeo.dataspace.copernicus.eu")
    parser.add_argument("--udp", type=Path, default=default_udp, help="process definition to save (default: udp/efast.json)")
    parser.add_argument("--process-id", help="id to save it under (default: the definition's id)")
    parser.add_argument("--auth", choices=["oidc", "basic"], default="oidc", help="openeo client auth flow (default: oidc)")
    parser.add_argument("--provider-id", help="OIDC provider id (default: the client's choice)")
    parser.add_argument("--username", help="basic auth user; the password comes from the client's auth config or a prompt")
    parser.add_argument("--public", action="store_true", help="mark the process public (non-standard flag)")
    parser.add_argument(
        "--retries", type=int, default=None, metavar="N",
        help="retry failed requests N times (default: the openeo client's retry settings; 0: no retries)",
    )
    parser.add_argument("--timeout", type=float, default=120, help="timeout per request in seconds (default: 120)")


def load_definition(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EfastUdpError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise EfastUdpError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("process_graph"), dict) or not doc.get("id"):
        raise EfastUdpError(f"{path} is not an openEO process definition (needs 'id' and 'process_graph')")
    return doc


def _authenticate(connection, args) -> None:
    if args.auth == "oidc":
        connection.authenticate_oidc(provider_id=args.provider_id)
        return
    if args.username is None:
        connection.authenticate_basic()  # user name and password from the client's auth config
        return
    from openeo.rest.auth.config import AuthConfig

    username, password = AuthConfig().get_basic_auth(backend=args.url)
    if username != args.username or not password:
        if not sys.stdin.isatty():
            raise EfastUdpError(
                f"no password for {args.username!r} in the openeo client's auth config and no terminal to ask; "
                f"run `openeo-auth add-basic {args.url}` first"
            )
        password = getpass.getpass(f"Password for {args.username} at {args.url}: ")
    connection.authenticate_basic(username=args.username, password=password)


def publish(args: argparse.Namespace) -> tuple[dict, dict]:
    """Save the definition; returns (what was sent, what the back-end returns for it)."""
    import openeo
    import requests
    from openeo.rest import OpenEoApiError, OpenEoClientException

    doc = load_definition(args.udp)
    process_id = args.process_id or doc["id"]
    body = {k: v for k, v in doc.items() if k != "id"}
    body["public"] = bool(args.public)
    try:
        retry = None if args.retries is None else ({"total": args.retries} if args.retries > 0 else False)
        connection = openeo.connect(args.url, auto_validate=False, default_timeout=args.timeout, retry=retry)
        connection.assert_user_defined_process_support()
        _authenticate(connection, args)
        connection.put(path=f"/process_graphs/{process_id}", json=body, expected_status=200)
        stored = connection.get(f"/process_graphs/{process_id}", expected_status=200).json()
    except OpenEoApiError as exc:
        raise EfastUdpError(f"{args.url}: {exc.code}: {exc.message}") from exc
    except (OpenEoClientException, requests.RequestException) as exc:
        raise EfastUdpError(f"{args.url}: {exc}") from exc
    sent = dict(doc, id=process_id)
    return sent, stored


def compare(sent: dict, stored: dict) -> tuple[list[str], list[str]]:
    """(fields the back-end changed, fields it dropped); links it added (e.g. a canonical one) are allowed."""
    changed, dropped = [], []
    for key, value in sent.items():
        if key not in stored:
            dropped.append(key)
        elif key == "links":
            if any(link not in stored[key] for link in value):
                changed.append(key)
        elif stored[key] != value:
            changed.append(key)
    return changed, dropped


def run(args: argparse.Namespace) -> int:
    sent, stored = publish(args)
    changed, dropped = compare(sent, stored)
    if changed:
        raise EfastUdpError(f"the back-end stored {sent['id']!r} but changed: {', '.join(changed)}")
    note = f" (the back-end does not keep: {', '.join(dropped)})" if dropped else ""
    print(f"saved {sent['id']!r} on {args.url}{note}", file=sys.stderr)
    return 0

"""Saving the UDP as a user-defined process on an openEO back-end (``efast-udp publish-backend``).

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

import getpass
import sys
import urllib.parse

from efast_udp import net
from efast_udp.document import MAX_BYTES, load_udp
from efast_udp.errors import EfastUdpError, UsageError


def check_backend_url(url: str) -> str:
    """An https URL, or http only on a loopback host (a back-end on this machine): credentials
    and the UDP never travel unencrypted over a network."""
    try:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname or ""
        parsed.port  # noqa: B018 -- a port that is not a number raises here
    except ValueError as exc:
        raise UsageError(f"--url {url}: not a URL ({exc})") from None
    if parsed.scheme == "https" and host:
        return url
    if parsed.scheme == "http" and host and net.is_loopback(host):
        return url
    raise UsageError(f"--url {url}: expected an https:// URL (http:// only for a back-end on this machine, "
                     "127.0.0.1 or [::1])")


def _check_oidc_issuers(connection) -> None:
    """The OIDC providers the back-end lists must be https (http only on this machine): the
    openeo client sends refresh tokens and client secrets to the issuer."""
    providers = connection.get("/credentials/oidc", expected_status=200).json().get("providers") or []
    for provider in providers:
        issuer = provider.get("issuer") if isinstance(provider, dict) else None
        if not isinstance(issuer, str) or not net.safe_target(issuer):
            raise EfastUdpError(f"{connection.root_url}: OIDC provider {provider.get('id') if isinstance(provider, dict) else provider!r} "
                                f"has issuer {issuer!r}; refusing to authenticate anywhere but over https")


def _authenticate(connection, args) -> None:
    if args.auth == "oidc":
        _check_oidc_issuers(connection)
        connection.authenticate_oidc(provider_id=args.provider_id)
        return
    if args.username is None:
        connection.authenticate_basic()  # user name and password from the client's auth config
        return
    from openeo.rest.auth.config import AuthConfig  # lazy: openeo, 0.46 s at ``publish-backend --help``, see publish

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
    # lazy: openeo costs 0.46 s and requests 0.16 s at ``publish-backend --help`` (python -X importtime)
    import openeo
    import requests
    from openeo.rest import OpenEoApiError, OpenEoClientException

    check_backend_url(args.url)
    doc = load_udp(args.udp)
    if not doc.get("id"):
        raise UsageError(f"{args.udp}: the process definition has no id")
    process_id = args.process_id or doc["id"]
    body = {k: v for k, v in doc.items() if k != "id"}
    body["public"] = bool(args.public)
    # every request of the openeo client goes through this session: only to the origin of --url,
    # each within --timeout (connect, headers and body), at most --retries more attempts
    session = net.origin_session(args.url, args.timeout, args.retries, MAX_BYTES)
    try:
        connection = openeo.connect(args.url, auto_validate=False, default_timeout=args.timeout, session=session)
        if session.failure:  # the client's version discovery swallows errors; a refusal still ends here
            raise session.failure
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

"""Every HTTP request efast-udp makes, bounded (``validate URL``, ``diff URL``, ``publish-backend``).

Three bounds hold for each request, whatever the server does:

- a wall-clock **deadline** covering the connection, the status line and headers and the whole
  body: the request runs in a worker thread and the caller stops waiting when the deadline
  passes (a server that sends its headers or its body one byte at a time cannot stretch it);
  ``timeout_s`` is the longest wait for any single network operation inside it;
- a **size cap** on the body: it is read in chunks and refused as soon as it passes the cap
  (a ``Content-Length`` above the cap is refused before reading);
- **redirects** only to https, or to http on a loopback address (127.0.0.1, ::1),
  at most ``MAX_REDIRECTS``; never to another scheme (ftp://, file://, data:).

Every failure is an :class:`UnreadableInput` with one line naming the URL.
"""

from __future__ import annotations

import ipaddress
import threading
import time
import urllib.parse
from typing import Callable, TypeVar

from efast_udp.errors import UnreadableInput

#: Longest wait for a whole answer (seconds) and for any single network operation inside it.
DEADLINE_S = 60
TIMEOUT_S = 10
#: Redirects followed for one read.
MAX_REDIRECTS = 5
CHUNK = 64 * 1024

T = TypeVar("T")


class DeadlineExceeded(UnreadableInput):
    """No complete answer within the deadline."""


def size_text(n: int) -> str:
    return f"{n // 2**20} MiB" if n >= 2**20 else f"{n} bytes"


def is_loopback(host: str) -> bool:
    """True for a loopback address (127.0.0.0/8, ::1); a name such as ``localhost`` is not trusted
    to be one (a hosts file or resolver can point it anywhere)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the port filled in for http/https; ValueError when malformed."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def origin_text(url: str) -> str:
    scheme, host, port = origin(url)
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{port}"


def _origin_or_none(url: str):
    try:
        return origin(url)
    except ValueError:  # a malformed link from the server
        return None


def _origin_text_or_url(url: str) -> str:
    return origin_text(url) if _origin_or_none(url) else repr(url[:200])


def safe_target(url: str) -> bool:
    """True for a URL a request may go to: https, or http on the loopback address."""
    try:
        scheme, host, _ = origin(url)
    except ValueError:
        return False
    return bool(host) and (scheme == "https" or (scheme == "http" and is_loopback(host)))


def with_deadline(work: Callable[[threading.Event], T], deadline_s: float, url: str) -> T:
    """``work(stop)`` in a worker thread; its result, or :class:`DeadlineExceeded` once
    ``deadline_s`` seconds have passed (``stop`` is then set: the worker should give up at its
    next chunk; it is a daemon thread and cannot keep the process alive)."""
    stop = threading.Event()
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = work(stop)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=target, name=f"efast-udp fetch {url[:60]}", daemon=True)
    worker.start()
    worker.join(deadline_s)
    if worker.is_alive():
        stop.set()
        raise DeadlineExceeded(f"cannot fetch {url}: no complete answer within {deadline_s:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def read_capped(read: Callable[[int], bytes], max_bytes: int, url: str, stop: threading.Event,
                declared: str | None = None) -> bytes:
    """The body read through ``read(n)`` until it ends, refused once it passes ``max_bytes``."""
    too_large = f"{url}: the response is larger than {size_text(max_bytes)}; refusing to read it"
    if declared and declared.strip().isdigit() and int(declared) > max_bytes:
        raise UnreadableInput(too_large)
    parts, size = [], 0
    while not stop.is_set():
        chunk = read(CHUNK)
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > max_bytes:
            raise UnreadableInput(too_large)
        parts.append(chunk)
    return b""  # the caller stopped waiting: the result is never used


def refused_redirect(url: str, target: str) -> UnreadableInput:
    return UnreadableInput(f"cannot fetch {url}: it redirects to {target[:200]!r}; only https "
                           "(or http on 127.0.0.1) is followed")


def fetch(url: str, max_bytes: int, deadline_s: float | None = None, timeout_s: float | None = None) -> bytes:
    """The body of an http(s) GET, within the three bounds of this module."""
    # lazy: urllib.request costs 34 ms (57 modules: http.client, ssl, email) at the start-up of every command that
    # reads a document (python -X importtime); only a URL needs it
    import urllib.error
    import urllib.request

    deadline_s = DEADLINE_S if deadline_s is None else deadline_s
    timeout_s = TIMEOUT_S if timeout_s is None else timeout_s
    if not safe_target(url) and not url.startswith("http://"):
        raise UnreadableInput(f"cannot fetch {url}: expected an http(s) URL")

    class Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def http_error_302(self, req, fp, code, msg, headers):
            target = urllib.parse.urljoin(req.full_url, headers.get("location") or headers.get("uri") or "")
            if not safe_target(target):
                raise refused_redirect(url, target)
            return super().http_error_302(req, fp, code, msg, headers)

        http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    opener = urllib.request.build_opener(Redirects)

    def work(stop: threading.Event) -> bytes:
        with opener.open(url, timeout=timeout_s) as response:
            return read_capped(response.read1, max_bytes, url, stop, response.headers.get("Content-Length"))

    try:
        return with_deadline(work, deadline_s, url)
    except UnreadableInput:
        raise
    except urllib.error.HTTPError as exc:
        raise UnreadableInput(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(reason, UnreadableInput):  # raised by the redirect handler, wrapped by urllib
            raise reason from None
        raise UnreadableInput(f"cannot fetch {url}: {reason}") from None
    except Exception as exc:  # http.client.HTTPException and the like: a broken answer
        raise UnreadableInput(f"cannot fetch {url}: {type(exc).__name__}: {exc}") from None


# --- the session publish-backend hands to the openeo client ----------------------------------

#: Statuses worth another attempt (the back-end or a proxy in front of it is briefly unavailable).
RETRY_STATUSES = (429, 502, 503, 504)


def origin_session(named_url: str, deadline_s: float, retries: int, max_bytes: int):
    """A ``requests.Session`` that talks only to the origin (scheme, host, port) of ``named_url``.

    Each request has the wall-clock deadline ``deadline_s`` (also the longest single wait), a
    body cap of ``max_bytes`` and up to ``retries`` further attempts after a timeout, a refused
    connection or a 429/502/503/504 answer. A request to another origin, a redirect to another
    origin, a redirect loop, an answer too slow or too large raise an :class:`UnreadableInput`;
    the first of these is also kept as ``session.failure``, because the openeo client swallows
    every error of its ``.well-known/openeo`` discovery.
    """
    # lazy: requests costs 100 ms at the start-up of every command that reads a document (python -X importtime);
    # only publish-backend needs it
    import requests

    named = origin(named_url)

    class OriginSession(requests.Session):
        failure: UnreadableInput | None = None

        def refuse(self, error: UnreadableInput) -> UnreadableInput:
            self.failure = self.failure or error
            return error

        def request(self, method, url, **kwargs):
            if _origin_or_none(url) != named:
                raise self.refuse(UnreadableInput(
                    f"refusing to send a request to {_origin_text_or_url(url)}: only {origin_text(named_url)}, named by "
                    f"--url, is contacted (the back-end's .well-known/openeo or a link points to {url[:200]!r})"))
            follow = kwargs.pop("allow_redirects", True) and method.upper() in ("GET", "HEAD")
            kwargs["timeout"] = min(float(kwargs.get("timeout") or deadline_s), deadline_s)
            kwargs.pop("stream", None)  # the body is always streamed, within the cap
            for _ in range(MAX_REDIRECTS + 1):
                response = self.attempts(method, url, kwargs)
                if not response.is_redirect:
                    return response
                target = urllib.parse.urljoin(url, response.headers.get("Location", ""))
                if _origin_or_none(target) != named:
                    raise self.refuse(UnreadableInput(
                        f"{url}: the back-end redirects to {target[:200]!r}; refusing to follow it to another "
                        f"origin than {origin_text(named_url)} (named by --url)"))
                if not follow:
                    return response
                url = target
            raise self.refuse(UnreadableInput(f"{url}: more than {MAX_REDIRECTS} redirects"))

        def attempts(self, method, url, kwargs):
            for attempt in range(retries + 1):
                last = attempt == retries
                try:
                    response = with_deadline(lambda stop: self.once(method, url, kwargs, stop), deadline_s, url)
                except DeadlineExceeded as exc:
                    if last:
                        raise self.refuse(exc) from None
                except (requests.ConnectionError, requests.Timeout):
                    if last:
                        raise
                else:
                    if last or response.status_code not in RETRY_STATUSES:
                        return response
                time.sleep(min(0.5 * 2 ** attempt, 5))
            raise AssertionError("unreachable")

        def once(self, method, url, kwargs, stop):
            response = super().request(method, url, allow_redirects=False, stream=True, **kwargs)
            try:
                response._content = read_capped(lambda n: response.raw.read(n, decode_content=True), max_bytes,
                                                url, stop, response.headers.get("Content-Length"))
            except UnreadableInput as exc:
                raise self.refuse(exc) from None
            finally:
                response.close()
            response._content_consumed = True
            return response

    return OriginSession()

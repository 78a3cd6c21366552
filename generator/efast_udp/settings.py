"""The project's settings: where the UDP is published, what it links to, and its parameter defaults.

One :class:`Settings` for every command. Read from ``pyproject.toml`` ``[tool.efast-udp]``, then
the environment (``EFAST_UDP_BASE_URL``), then the command line. Every bad value, unknown key or
wrong type fails with one line that names the setting and what was expected.

``[tool.efast-udp]`` keys:
  base_url           https URL where the static site is published (links in the UDP use it)
  source_repository  https URL of this repository
  backend_url        https URL of the openEO back-end the site's snippets and Web Editor link use
  defaults           table of parameter defaults (``[tool.efast-udp.defaults]``)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlparse

from efast_udp import constants as C
from efast_udp.arguments import parse_assignments, schema_problem
from efast_udp.errors import SettingsError, did_you_mean
from efast_udp.parameters import build_parameters, default_values
from efast_udp.project import pyproject

DEFAULT_BASE_URL = "https://efast-udp.github.io/efast-udp"
DEFAULT_SOURCE_REPOSITORY = "https://github.com/efast-udp/efast-udp"
DEFAULT_BACKEND_URL = "https://openeo.dataspace.copernicus.eu"
#: The keys ``[tool.efast-udp]`` may hold, and what each must be.
KEYS = {"base_url": "an https URL", "source_repository": "an https URL", "backend_url": "an https URL",
        "defaults": "a table of parameter defaults"}


@dataclass(frozen=True)
class Settings:
    base_url: str = DEFAULT_BASE_URL
    source_repository: str = DEFAULT_SOURCE_REPOSITORY
    backend_url: str = DEFAULT_BACKEND_URL
    license: str | None = None
    defaults: dict = field(default_factory=default_values)

    @classmethod
    def load(cls, *, base_url: str | None = None, backend_url: str | None = None,
             overrides: list[str] | tuple = (), environ: dict | None = None,
             project: dict | None = None) -> "Settings":
        environ = os.environ if environ is None else environ
        project = pyproject() if project is None else project
        tool = _tool_table(project)
        defaults = default_values()
        for name, value in tool.get("defaults", {}).items():
            _set_default(defaults, name, value, f"[tool.efast-udp.defaults] {name}")
        if overrides:
            schemas = {p.name: p.schema for p in build_parameters(defaults) if p.optional}
            defaults.update(parse_assignments(overrides, schemas, "--set"))  # names: those of the schemas
        settings = cls(
            base_url=_https_url(base_url or environ.get("EFAST_UDP_BASE_URL") or tool.get("base_url")
                                or DEFAULT_BASE_URL, "base_url"),
            source_repository=_https_url(tool.get("source_repository") or DEFAULT_SOURCE_REPOSITORY,
                                         "source_repository"),
            backend_url=_https_url(backend_url or tool.get("backend_url") or DEFAULT_BACKEND_URL, "backend_url"),
            license=_license(project),
            defaults=defaults,
        )
        settings.check_defaults()
        return settings

    def url(self, *parts: str) -> str:
        """A URL on the published site: ``url("0.3.0", "efast.json")``."""
        return "/".join([self.base_url, *parts])

    def check_defaults(self) -> None:
        """Each default must satisfy its parameter schema, and the band defaults must fit together."""
        for param in build_parameters(self.defaults):
            if param.optional:
                problem = schema_problem(param.default, param.schema)
                if problem:
                    raise SettingsError(f"default of parameter '{param.name}': {problem}")
        d = self.defaults
        if len(d["s2_data_bands"]) != len(d["s3_data_bands"]):
            raise SettingsError("defaults of 's2_data_bands' and 's3_data_bands' must have the same length")
        if d["fused_band_names"] is not None and len(d["fused_band_names"]) != len(d["s2_data_bands"]):
            raise SettingsError("default of 'fused_band_names' must name one band per entry of 's2_data_bands'")
        if d["output_ndvi"] and not {C.NDVI_RED_BAND, C.NDVI_NIR_BAND} <= set(d["s2_data_bands"]):
            raise SettingsError(f"default 'output_ndvi' = true needs {C.NDVI_RED_BAND} and {C.NDVI_NIR_BAND} "
                                "in 's2_data_bands'")


def _tool_table(project: dict) -> dict:
    tool = project.get("tool", {})
    table = tool.get("efast-udp", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise SettingsError("pyproject.toml [tool.efast-udp] must be a table")
    for key, value in table.items():
        if key not in KEYS:
            raise SettingsError(f"pyproject.toml [tool.efast-udp]: unknown setting {key!r}{did_you_mean(key, KEYS)}; "
                                f"expected one of {', '.join(KEYS)}")
        expected_type = dict if key == "defaults" else str
        if not isinstance(value, expected_type):
            raise SettingsError(f"pyproject.toml [tool.efast-udp] {key} must be {KEYS[key]}, got {value!r}")
    return table


def _license(project: dict) -> str | None:
    license_ = project.get("project", {}).get("license") if isinstance(project.get("project"), dict) else None
    if isinstance(license_, dict):
        license_ = license_.get("text")
    return license_ if isinstance(license_, str) else None


def _set_default(defaults: dict, name: str, value, where: str) -> None:
    if name not in defaults:
        raise SettingsError(f"{where}: unknown parameter{did_you_mean(name, defaults)}; expected one of "
                            f"{', '.join(sorted(defaults))}")
    defaults[name] = value


#: Characters a setting URL may not hold: they end up in links, HTML attributes and the site's
#: copy-paste Python snippets (quotes, brackets outside the host, backslashes, spaces, controls).
_URL_FORBIDDEN = set("\"'<>`\\{}|^ ")


def _https_url(value: str, name: str) -> str:
    """An https URL with a host, a valid port, and nothing a link or a snippet could trip on."""
    text = str(value)

    def refuse(why: str) -> SettingsError:
        return SettingsError(f"setting '{name}' must be an https:// URL ({why}), got {text[:200]!r}")

    bad = sorted({c for c in text if c in _URL_FORBIDDEN or not c.isprintable()})
    if bad:
        raise refuse("no spaces, quotes, brackets, backslashes or control characters: found "
                     + " ".join(repr(c) for c in bad))
    try:
        parsed = urlparse(text)
        host, port = parsed.hostname, parsed.port  # a malformed host ('[::1') or a port > 65535 raises
    except ValueError as exc:
        raise refuse(str(exc)) from None
    if parsed.scheme != "https" or not host:
        raise refuse("scheme https and a host")
    if port == 0:
        raise refuse("a port from 1 to 65535")
    if parsed.username is not None or parsed.password is not None:
        raise refuse("no user name or password in it")
    if parsed.query or parsed.fragment or text.endswith(("?", "#")):
        raise refuse("no query or fragment")
    return text.rstrip("/")

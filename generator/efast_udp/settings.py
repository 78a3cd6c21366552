"""Generator settings: where the UDP is published and the parameter defaults it is rendered with.

Read from ``pyproject.toml`` ``[tool.efast-udp]`` (``base_url``, ``source_repository``, optional
``[tool.efast-udp.defaults]``), then the environment (``EFAST_UDP_BASE_URL``), then the command
line. Every bad value fails with one line that names the setting and what was expected.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from urllib.parse import urlparse

import jsonschema

from efast_udp import constants as C
from efast_udp.errors import SettingsError
from efast_udp.parameters import build_parameters, default_values
from efast_udp.version import pyproject

DEFAULT_BASE_URL = "https://efast-udp.github.io/efast-udp"
DEFAULT_SOURCE_REPOSITORY = "https://github.com/efast-udp/efast-udp"


@dataclass(frozen=True)
class Settings:
    base_url: str = DEFAULT_BASE_URL
    source_repository: str = DEFAULT_SOURCE_REPOSITORY
    defaults: dict = field(default_factory=default_values)

    @classmethod
    def load(cls, *, base_url: str | None = None, overrides: list[str] | tuple = (),
             environ: dict | None = None) -> "Settings":
        environ = os.environ if environ is None else environ
        tool = pyproject().get("tool", {}).get("efast-udp", {})
        defaults = default_values()
        for name, value in tool.get("defaults", {}).items():
            _set_default(defaults, name, value, f"[tool.efast-udp.defaults] {name}")
        for item in overrides:
            name, sep, text = item.partition("=")
            if not sep:
                raise SettingsError(f"--set {item!r}: expected NAME=VALUE")
            _set_default(defaults, name.strip(), _parse_value(text), f"--set {name.strip()}")
        settings = cls(
            base_url=_https_url(base_url or environ.get("EFAST_UDP_BASE_URL") or tool.get("base_url")
                                or DEFAULT_BASE_URL, "base_url"),
            source_repository=_https_url(tool.get("source_repository") or DEFAULT_SOURCE_REPOSITORY,
                                         "source_repository"),
            defaults=defaults,
        )
        settings.check_defaults()
        return settings

    def check_defaults(self) -> None:
        """Each default must satisfy its parameter schema, and the band defaults must fit together."""
        for param in build_parameters(self.defaults):
            if not param.optional:
                continue
            schema = {"anyOf": param.schema} if isinstance(param.schema, list) else param.schema
            error = jsonschema.exceptions.best_match(
                jsonschema.Draft7Validator(schema).iter_errors(param.default))
            if error is not None:
                raise SettingsError(f"default of parameter '{param.name}': {error.message}")
        d = self.defaults
        if len(d["s2_data_bands"]) != len(d["s3_data_bands"]):
            raise SettingsError("defaults of 's2_data_bands' and 's3_data_bands' must have the same length")
        if d["fused_band_names"] is not None and len(d["fused_band_names"]) != len(d["s2_data_bands"]):
            raise SettingsError("default of 'fused_band_names' must name one band per entry of 's2_data_bands'")
        if d["output_ndvi"] and not {C.NDVI_RED_BAND, C.NDVI_NIR_BAND} <= set(d["s2_data_bands"]):
            raise SettingsError(f"default 'output_ndvi' = true needs {C.NDVI_RED_BAND} and {C.NDVI_NIR_BAND} "
                                "in 's2_data_bands'")


def _set_default(defaults: dict, name: str, value, where: str) -> None:
    if name not in defaults:
        raise SettingsError(f"{where}: unknown parameter; expected one of {', '.join(sorted(defaults))}")
    defaults[name] = value


def _parse_value(text: str):
    """``--set`` values: JSON (``2``, ``null``, ``["B02","B03"]``) or a comma-separated list of names."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return [part.strip() for part in text.split(",") if part.strip()]


def _https_url(value: str, name: str) -> str:
    parsed = urlparse(str(value))
    if parsed.scheme != "https" or not parsed.netloc:
        raise SettingsError(f"setting '{name}' must be an https:// URL, got {value!r}")
    return str(value).rstrip("/")

"""Errors that end a command with one clear line instead of a traceback."""


class EfastUdpError(Exception):
    """A user-facing failure; the CLI prints ``str(exc)`` on one line and exits with ``exit_code``."""

    exit_code = 2


class SettingsError(EfastUdpError):
    """A generator setting (pyproject ``[tool.efast-udp]``, environment or ``--set``) is invalid."""


class ReleaseError(EfastUdpError):
    """Rendering would change a released, immutable file, or ``udp/`` is out of date."""

    exit_code = 1

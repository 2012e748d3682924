"""Time zones by IANA name: the same on every machine, so a site dates its posts alike everywhere."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Zone files that are no zone of their own: the machine's setting (localtime), its POSIX default, a
# placeholder, and copies in other clocks that some machines lack; each would date posts differently elsewhere.
_MACHINE_ZONES = ("localtime", "posixrules", "factory")
_MACHINE_ZONE_FOLDERS = ("posix/", "right/")


class ZoneError(ValueError):
    """A zone name that is unknown, or names a zone that depends on the machine."""


def named_zone(name: str) -> ZoneInfo:
    """The IANA zone of this name; a ZoneError saying why there is none."""
    if name.lower() in _MACHINE_ZONES or name.lower().startswith(_MACHINE_ZONE_FOLDERS):
        raise ZoneError(f"timezone '{name}' differs from machine to machine")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: America, a folder of zones
        raise ZoneError(f"unknown timezone '{name}'") from None

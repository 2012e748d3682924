"""Zones by IANA name, the same on every machine."""

from __future__ import annotations

from datetime import datetime

import pytest

from linkblog.zones import ZoneError, named_zone


def test_an_iana_name_is_its_zone() -> None:
    assert datetime(2015, 6, 1, tzinfo=named_zone("Europe/Berlin")).utcoffset().total_seconds() == 7200


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory", "posix/Europe/Berlin", "right/UTC"])
def test_a_zone_of_the_machine_is_refused(name: str) -> None:
    with pytest.raises(ZoneError, match="differs from machine to machine"):
        named_zone(name)


@pytest.mark.parametrize("name", ["Mars/Olympus", "America", "../etc/passwd", ""])
def test_an_unknown_name_is_refused(name: str) -> None:
    with pytest.raises(ZoneError, match="unknown timezone"):
        named_zone(name)

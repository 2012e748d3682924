"""Dates as other blogs write them, read with the offset they carry."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# "2015-06-01 09:30:00 +0200" (Jekyll's own format): ISO 8601 wants no space and a colon in the offset.
_SPACED_OFFSET = re.compile(r"^(?P<stamp>\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)\s*"
                            r"(?P<sign>[+-])(?P<hours>\d\d):?(?P<minutes>\d\d)$")


# The year of an RFC 822 date as written with four digits ("01 Jan 0001"), after its month's name.
_RFC822_YEAR = re.compile(r"\b[A-Za-z]{3}\s+(\d{4})\b")
# An RFC 822 date's offset as feeds also write it, which email.utils does not read: "+01:00", "GMT+0200",
# "UTC+02:00", "+01". RFC 822 has only "+0100".
_LOOSE_OFFSET = re.compile(r"(?<=\d)\s*(?:(?:GMT|UTC?)\s*)?(?P<sign>[+-])(?P<hours>\d\d)(?::?(?P<minutes>\d\d))?$",
                           re.IGNORECASE)
# A zone written as a name after the time ("00:30:00 CEST").
_ZONE_NAME = re.compile(r"\d\d:\d\d(?::\d\d)?\s+[A-Za-z]\S*$")


def stamped_date(text: str) -> datetime | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom) date with its own offset; naive when an ISO date has none. An RFC 822
    date without a zone, or in one RFC 822 does not name (see unknown_zone_clock), is taken as UTC."""
    text = text.strip()
    if not text:
        return None
    moment = rfc822_date(text)
    if moment is not None:
        # "-0000" means "zone unknown": the instant is still UTC.
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        return datetime.fromisoformat(iso_offset(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def rfc822_date(text: str) -> datetime | None:
    """An RFC 822 date at the offset it gives (in RFC 822's spelling or a looser one); naive when it gives none, or
    names a zone RFC 822 does not; None when it is no RFC 822 date."""
    text = text.strip()
    try:
        moment = parsedate_to_datetime(_LOOSE_OFFSET.sub(numeric_offset, text))
    except (TypeError, ValueError, IndexError):
        return None
    written = _RFC822_YEAR.search(text)
    if written and int(written[1]) != moment.year:  # email.utils reads 0001 as a two-digit year: 2001
        moment = moment.replace(year=int(written[1]))
    return moment


def numeric_offset(found: re.Match[str]) -> str:
    """A looser offset ("GMT+02:00") as RFC 822 writes it (" +0200")."""
    return f" {found['sign']}{found['hours']}{found['minutes'] or '00'}"


def unknown_zone_clock(text: str) -> datetime | None:
    """An RFC 822 date in a zone RFC 822 does not name ('CEST': it names only UT, GMT, Z and the US zones), whose
    offset is therefore unknown: the time as written, naive. None for any other date."""
    moment = rfc822_date(text) if _ZONE_NAME.search(text.strip()) else None
    return moment if moment is not None and moment.tzinfo is None else None


def iso_offset(text: str) -> str:
    """Jekyll's '2015-06-01 09:30:00 +0200' as ISO 8601 ('...09:30:00+02:00'); other text unchanged."""
    found = _SPACED_OFFSET.match(text.strip())
    if found is None:
        return text
    return f"{found['stamp']}{found['sign']}{found['hours']}:{found['minutes']}"

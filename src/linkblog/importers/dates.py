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


def stamped_date(text: str) -> datetime | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom) date with its own offset; naive when it has none."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
        written = _RFC822_YEAR.search(text)
        if written and int(written[1]) != moment.year:  # email.utils reads 0001 as a two-digit year: 2001
            moment = moment.replace(year=int(written[1]))
        # "-0000" means "zone unknown": the instant is still UTC.
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(iso_offset(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def iso_offset(text: str) -> str:
    """Jekyll's '2015-06-01 09:30:00 +0200' as ISO 8601 ('...09:30:00+02:00'); other text unchanged."""
    found = _SPACED_OFFSET.match(text.strip())
    if found is None:
        return text
    return f"{found['stamp']}{found['sign']}{found['hours']}:{found['minutes']}"

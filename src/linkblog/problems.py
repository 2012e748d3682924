"""Problems are values: collected from every stage and reported together."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A newline or other control character in a file name or message would break the one-line format (or, a C1
# control such as CSI, write to the terminal); so would the Unicode line and paragraph separators. Characters
# that show nothing (a soft hyphen, a zero-width space, a byte-order mark), print as a space (a no-break space) or
# turn the line around (bidi controls) would make two names that differ print alike, or a line read otherwise than
# it is.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\xa0\xad\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064"
                      r"\u2066-\u206f\u3000\ufeff]")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    path: str
    message: str
    line: int | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "warning: " if self.warning else ""
        return one_line(f"{where}: {prefix}{self.message}")


def one_line(text: str) -> str:
    """Text with control and invisible characters (a newline in a file name, a soft hyphen) written as escapes,
    so it stays one line and shows what it holds."""
    return _CONTROL.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def errors(problems: list[Problem]) -> list[Problem]:
    """The problems that fail a build (warnings do not)."""
    return [p for p in problems if not p.warning]


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in a stable order: by file, then line, then message."""
    return sorted(set(problems), key=lambda p: (p.path, p.line is not None, p.line or 0, p.message, p.warning))


def plural(count: int, noun: str) -> str:
    """'1 post', '2 posts'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


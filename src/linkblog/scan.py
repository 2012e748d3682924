"""What is on disk: every input file with its stat key, found with os.scandir (fast)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Found:
    """One input file: its path relative to the folder scanned, and its stat key."""

    rel: str
    path: str
    mtime_ns: int
    size: int


HIDDEN = (".", "#")
PRIVATE = (".", "#", "_")


def scan(folder: Path, suffix: str = "", skipped: tuple[str, ...] = HIDDEN) -> list[Found]:
    """Files under folder (ending in suffix), sorted, skipping editor temp files and names starting with `skipped`."""
    found: list[Found] = []
    if folder.is_dir():
        _walk(str(folder), "", suffix, skipped, found)
    return sorted(found, key=lambda f: f.rel)


def _walk(folder: str, prefix: str, suffix: str, skipped: tuple[str, ...], found: list[Found]) -> None:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(skipped) or entry.name.endswith(("~", ".swp", ".tmp")):
                continue
            rel = prefix + entry.name
            if entry.is_dir():
                _walk(entry.path, rel + "/", suffix, skipped, found)
            elif entry.name.endswith(suffix) and entry.is_file():
                stat = entry.stat()
                found.append(Found(rel, entry.path, stat.st_mtime_ns, stat.st_size))

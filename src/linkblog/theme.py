"""Where the default theme lives: inside the wheel, or at the top of a checkout."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def theme_dir() -> Path:
    """The folder holding the default theme's templates/ and static/."""
    packaged = Path(str(files("linkblog"))) / "theme"
    if (packaged / "templates").is_dir():
        return packaged
    # A checkout or editable install: the repo root is the theme.
    return Path(__file__).resolve().parents[2]

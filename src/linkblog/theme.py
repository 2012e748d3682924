"""Where the default theme lives: inside the wheel, or at the top of a checkout."""

from __future__ import annotations

from pathlib import Path


def theme_dir() -> Path:
    """The folder holding the default theme's templates/ and static/."""
    packaged = Path(__file__).parent / "theme"  # the wheel holds it as files: no resource loader needed
    if (packaged / "templates").is_dir():
        return packaged
    # A checkout or editable install: the repo root is the theme.
    return Path(__file__).resolve().parents[2]


def template_dirs(root: Path) -> list[Path]:
    """The site's templates first, then the default theme's (once, if they are the same)."""
    return _own_then_theme(root, "templates")


def static_dirs(root: Path) -> list[Path]:
    """The theme's static files first, so the site's own files are copied over them."""
    return list(reversed(_own_then_theme(root, "static")))


def _own_then_theme(root: Path, name: str) -> list[Path]:
    theme = (theme_dir() / name).resolve()
    own = (root / name).resolve()
    return [own, theme] if own.is_dir() and own != theme else [theme]

"""Where the default theme lives: inside the wheel, or at the top of a checkout."""

from __future__ import annotations

import os
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


def own_templates(root: Path) -> bool:
    """True when the site has a template of its own: one the default theme lacks, or holds otherwise (a copy
    of the theme's, as `linkblog new` makes, is the theme's). Files a build does not track (`.DS_Store`, an
    editor's) are not templates."""
    from linkblog.scan import scan

    dirs = template_dirs(root)
    if len(dirs) == 1:
        return False
    for found in scan(dirs[0]):
        twin = dirs[1] / found.rel
        try:
            if not twin.is_file() or twin.read_bytes() != Path(found.path).read_bytes():
                return True
        except OSError:  # unreadable here: a build says so; its own it may be
            return True
    return False


def static_dirs(root: Path) -> list[Path]:
    """The theme's static files first, so the site's own files are copied over them."""
    return list(reversed(_own_then_theme(root, "static")))


def _own_then_theme(root: Path, name: str) -> list[Path]:
    """The site's folder, then the theme's. A file or a link to nothing in the folder's place is listed too, for the
    scan to name (it holds nothing, so the theme's files are used); only a folder plainly absent is not."""
    theme = (theme_dir() / name).resolve()
    own = (root / name).resolve()
    return [own, theme] if os.path.lexists(root / name) and own != theme else [theme]

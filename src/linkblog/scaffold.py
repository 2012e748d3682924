"""Start a site (`linkblog init`) and start a post (`linkblog new`), never overwriting a file."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import yaml

from linkblog.problems import Problem
from linkblog.theme import theme_dir
from linkblog.urls import slugify

CONFIG = """\
title: My Link Blog
url: https://example.github.io/
author: Your Name
description: Links worth reading, with a few words of my own
language: en
timezone: UTC
per_page: 20
output_dir: build
permalink: /{year}/{month}/{slug}/
feed: {items: 20, full_content: true}
"""

SAMPLE_POST = """\
---
title: Work vs. Progress
date: 2015-06-01 09:30
tags: [management, work]
link: https://scottberkun.com/2015/work-vs-progress/
source: Scott Berkun
---
> Busy is not the same as moving forward: effort that nobody points in a useful
> direction can look like progress for a long time.

This is a link post: a quote, where it came from, and a few lines of your own.
Edit or delete it, then run `linkblog new "A title" --link URL --source NAME`.
"""


def init_site(target: Path) -> Problem | None:
    """Create a site with config, a sample post and the default theme, in an empty folder."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        return Problem(str(target), "not empty; `linkblog init` only fills a new or empty folder")
    theme = theme_dir()
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(theme / "templates", target / "templates")
    shutil.copytree(theme / "static", target / "static")
    (target / "posts").mkdir()
    (target / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (target / "posts" / "2015-06-01-work-vs-progress.md").write_text(SAMPLE_POST, encoding="utf-8")
    (target / ".gitignore").write_text("/build/\n.cache/\n", encoding="utf-8")
    return None


def new_post(posts: Path, title: str, now: datetime, link: str | None, source: str | None,
             via: str | None, tags: list[str]) -> tuple[Path, Problem | None]:
    """Write posts/YYYY-MM-DD-slug.md with front matter; refuse to replace a file."""
    path = posts / f"{now:%Y-%m-%d}-{slugify(title)}.md"
    if path.exists():
        return path, Problem(str(path), "already exists; choose another title or edit that file")
    meta = {"title": title, "date": now.strftime("%Y-%m-%d %H:%M"), "tags": tags}
    meta.update({k: v for k, v in (("link", link), ("source", source), ("via", via)) if v})
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None)
    body = "> The passage you are quoting.\n\nWhat you think of it.\n" if link else "\n"
    posts.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(f"---\n{front}---\n{body}")
    return path, None

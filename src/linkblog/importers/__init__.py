"""`linkblog import`: another blog's export, feed or folder -> posts/ files, never overwriting (#16)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from linkblog.config import Config
from linkblog.importers import feed, markdown_files, wordpress
from linkblog.importers.attribution import LinkFormatPost, recover
from linkblog.importers.records import Harvest, ImportedPost, ImportOptions
from linkblog.importers.writer import Outcome, PlannedFile, plan_files, read_as, write_plan
from linkblog.load import published_urls
from linkblog.problems import Problem
from linkblog.scan import PRIVATE

Reader = Callable[[str, ImportOptions], tuple[Harvest | None, list[Problem]]]
READERS: dict[str, Reader] = {
    "wordpress": wordpress.read_export,
    "feed": feed.read_feed,
    "jekyll": markdown_files.read_jekyll,
    "hugo": markdown_files.read_hugo,
}
__all__ = ["READERS", "ImportReport", "ImportedPost", "import_posts"]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did, for the lines the CLI prints at its end."""

    into: str
    outcome: Outcome
    skipped: Counter[str]
    skipped_names: dict[str, list[str]]
    recovered: list[PlannedFile]
    warnings: int
    root: Path

    @property
    def ok(self) -> bool:
        """False when some post was not written because a different file holds its name."""
        return not self.outcome.clashes

    def lines(self) -> list[str]:
        """The report: imported, skipped and why, recovered link posts, clashes, warnings."""
        done = self.outcome
        imported = len(done.written) + len(done.unchanged) + len(done.overwritten)
        lines = [f"Imported {count(imported, 'post')} into {self.into}: {len(done.written)} new, "
                 f"{len(done.unchanged)} unchanged, {len(done.overwritten)} overwritten"]
        if skipped := self.skipped.total():  # a reason counted 0 times says nothing was skipped
            lines.append(f"Skipped {skipped}: {skipped_text(self.skipped)}")
            lines += [f"  {reason}: {names_text(names)}" for reason, names in sorted(self.skipped_names.items())]
        if self.recovered:
            lines.append(f"Recovered {count(len(self.recovered), 'link post')} (review them):")
            lines += [f"  {self.shown(f.path)}: {attribution_text(f.post)}" for f in self.recovered]
        if done.clashes:
            lines.append(f"Not written: {count(len(done.clashes), 'file')} already there and different "
                         "(--force overwrites):")
            lines += [f"  {self.shown(f.path)}" for f in done.clashes]
        if self.warnings:
            lines.append(f"{count(self.warnings, 'warning')} (printed above)")
        return lines

    def shown(self, path: Path) -> str:
        return shown_path(path, self.root)


def import_posts(kind: str, source: str, config: Config, into: Path | None = None, drafts: bool = False,
                 force: bool = False) -> tuple[ImportReport | None, list[Problem]]:
    """Read everything, then write every file at once; on a fatal problem nothing is written."""
    target = (into or config.posts_path).absolute()
    if target.exists() and not target.is_dir():  # told before the source is read, which may take a while
        return None, [Problem(shown_path(target, config.root), "is a file; --into takes a folder to write posts to")]
    harvest, problems = READERS[kind](source, ImportOptions(config.tz, drafts))
    if harvest is None:
        return None, problems
    if not harvest.posts:
        why = f" (skipped: {skipped_text(harvest.skipped)})" if harvest.skipped.total() else ""
        return None, harvest.warnings + [Problem(source, f"no posts to import{why}; nothing was written")]
    originals = {id(post) for post in harvest.posts}
    posts = [recover(post, harvest.home) or post for post in harvest.posts]
    # A link post its blog marked without a link anywhere going out: kept as a post of one's own, but said.
    linkless = [Problem(post.origin, "a post in the Link format links to no other site: imported as a post of your "
                                     "own", warning=True)
                for post in posts if isinstance(post, LinkFormatPost) and post.link in (None, post.origin_url)]
    planned, unplanned = plan_files(posts, target, config, published_urls(config))
    warnings = harvest.warnings + linkless + unplanned + outside_posts(target, config)
    try:
        outcome = write_plan(planned, force)
    except OSError as exc:  # a folder where a post goes, a full disk: whatever was written is taken back
        where = shown_path(Path(exc.filename), config.root) if exc.filename else shown_path(target, config.root)
        return None, warnings + [Problem(where, f"cannot be written ({exc.strerror or exc}); nothing was imported")]
    recovered = [file for file in planned if id(file.post) not in originals]
    for refused in unplanned:  # each names its post as the source does ("export.xml: post 12 'Title'")
        harvest.skip("not valid as a post (see warnings)", refused.path.removeprefix(f"{source}: "))
    into_shown = shown_path(target, config.root) + "/"
    report = ImportReport(into_shown, outcome, harvest.skipped, harvest.skipped_names, recovered, len(warnings),
                          config.root)
    return report, warnings


def outside_posts(target: Path, config: Config) -> list[Problem]:
    """A warning when the posts go where no build reads them (a folder to review them in first, maybe): outside
    posts/, or in a folder under it that a build skips as private (_imported/, .review/)."""
    place = read_as(target, config.posts_path)
    shown = shown_path(Path(os.path.abspath(config.posts_path)), config.root)
    if place is None:
        where, move = f"is outside {shown}/", "into it"
    elif private := next((part for part in place.parts if part.startswith(PRIVATE)), None):
        where, move = f"is in {shown}/ but under '{private}', a name a build skips", f"out of '{private}'"
    else:
        return []
    return [Problem(shown_path(target, config.root), f"{where}: no build reads the posts written there until you "
                    f"move them {move}", warning=True)]


def skipped_text(skipped: Counter[str]) -> str:
    """What was skipped, by reason: 'attachment ×1, page ×2'."""
    return ", ".join(f"{reason} ×{number}" for reason, number in sorted(skipped.items()) if number)


def names_text(names: list[str], shown: int = 5) -> str:
    """The first few names of what was left out for one reason, and how many more."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def shown_path(path: Path, root: Path) -> str:
    """A path as the user sees it: relative to the site when it is inside."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def attribution_text(post: ImportedPost) -> str:
    """How a recovered link post is described for review: its link, source and via."""
    parts = [f"link {post.link}"]
    if post.source:
        parts.append(f"source {post.source}")
    if post.via:
        parts.append(f"via {post.via.name}")
    return ", ".join(parts)


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"

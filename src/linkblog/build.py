"""Runs the pipeline: config -> posts -> site -> pages -> output, reusing what has not changed.

Heavy modules (Markdown, Jinja, feedgen) are imported only once a build has work to do,
so that a rebuild with nothing to do finishes in a fraction of a second.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from linkblog import __version__
from linkblog.cache import (
    CACHE_DIR,
    BuildCache,
    CacheError,
    InputState,
    ParsedFile,
    cache_warning,
    fill_bodies,
    forget_cache,
    load_cache,
    load_inputs,
    mark_dirty,
    save_cache,
    save_inputs,
)
from linkblog.config import Config, load_config
from linkblog.digest import digest_bytes, key_of
from linkblog.model import Post
from linkblog.output import Stage, foreign, recover, stage_changes
from linkblog.parallel import map_items
from linkblog.plan import PAGE_TEMPLATES
from linkblog.problems import Problem, errors, sorted_problems
from linkblog.scan import PRIVATE, Found, scan
from linkblog.theme import static_dirs, template_dirs
from linkblog.urls import Urls

if TYPE_CHECKING:
    from linkblog.model import PageSpec
    from linkblog.render import Renderer

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildOptions:
    """How to build: what to include, whether to start clean, how many processes."""

    drafts: bool = False
    future: bool = False
    clean: bool = False
    jobs: int = 0
    now: datetime | None = None


@dataclass
class BuildResult:
    """What a build did, or every reason it could not."""

    problems: list[Problem] = field(default_factory=list)
    posts: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not errors(self.problems)


@dataclass
class Inputs:
    """Every input file of a build, found by one scan."""

    posts: list[Found]
    templates: list[Found]
    static: dict[str, Found]
    key: str
    started_ns: int

    @property
    def newest_ns(self) -> int:
        """The newest mtime among the inputs, to spot edits too recent for stat to see."""
        return max((f.mtime_ns for f in [*self.posts, *self.templates, *self.static.values()]), default=0)


@dataclass
class Work:
    """What a render worker needs; forked workers inherit it instead of unpickling it."""

    renderer: Renderer
    config: Config
    pages: list[PageSpec]
    outputs: dict[str, str]
    stage: Stage
    file_seconds: list[float] = field(default_factory=lambda: [0.0])  # summed only in this process


class Builder:
    """Builds one site again and again, keeping its cache between builds."""

    def __init__(self, config_path: Path, overrides: dict[str, Any] | None = None,
                 options: BuildOptions | None = None, persist: bool = True):
        self.config_path = config_path
        self.overrides = overrides or {}
        self.options = options or BuildOptions()
        self.persist = persist
        self.cache: BuildCache | None = None
        self.last: InputState | None = None
        self.timings: dict[str, float] = {}

    def build(self, progress: Progress | None = None) -> BuildResult:
        """One build; on any error the output is left exactly as it was."""
        started = time.perf_counter()
        self.timings = {}
        # Tens of thousands of long-lived records: a collector rescanning them on every burst
        # of allocations makes large builds quadratic. Our records hold no cycles, so pause it.
        collecting = gc.isenabled()
        gc.disable()
        try:
            result = self.run(progress or (lambda stage, done, total: None))
        finally:
            if collecting:
                gc.enable()
        result.seconds = time.perf_counter() - started
        result.timings = self.timings
        result.problems = sorted_problems(result.problems)
        return result

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - started

    def run(self, progress: Progress) -> BuildResult:
        config, problems = load_config(self.config_path, self.overrides)
        if config is None or errors(problems):
            return BuildResult(problems)
        if foreign(config.output_path):
            return BuildResult([Problem(config.output_dir, "holds files linkblog did not write (it has no "
                                        ".nojekyll); empty it or choose another output_dir")])
        recovered = recover(config.output_path)
        if recovered:
            problems.append(Problem(config.output_dir, recovered, warning=True))
        with self.timed("scan"):
            inputs = self.scan(config)
        now = self.options.now or datetime.now(UTC)
        last = self.last if self.last or not self.persist else load_inputs(config.root)
        if last and not self.options.clean and last.unchanged(inputs.key, inputs.newest_ns, now,
                                                              output_identity(config)):
            warnings = [Problem(*w, warning=True) for w in last.warnings]
            return BuildResult(problems + warnings, posts=last.posts, unchanged=last.files)
        try:
            return self.build_from_cache(config, inputs, now, problems, progress)
        except CacheError as exc:
            self.cache = None
            forget_cache(config.root)
            return self.build_from_cache(config, inputs, now, problems + [cache_warning(exc)], progress)

    def build_from_cache(self, config: Config, inputs: Inputs, now: datetime, problems: list[Problem],
                         progress: Progress) -> BuildResult:
        cache, warnings = self.load(config)
        posts, post_problems = self.read_posts(config, cache, inputs.posts, progress)
        problems = problems + warnings + post_problems
        if errors(problems):  # report broken templates along with broken posts
            return BuildResult(problems + self.renderer(config).template_digests(PAGE_TEMPLATES)[1])
        result, release = self.render_site(config, cache, posts, inputs, now, progress)
        result.problems = problems + result.problems
        if result.ok:
            result.problems += self.remember(config, cache, inputs, result, release)
        return result

    def scan(self, config: Config) -> Inputs:
        started_ns = time.time_ns()  # an edit after this moment may share an mtime we record
        # _private posts (such as _drafts/) are not published; _partials are templates all the same,
        # and static/ is copied as it is, .well-known/ included.
        posts = scan(config.posts_path, ".md", PRIVATE)
        templates = [f for d in template_dirs(config.root) for f in scan(d)]
        static = {f.rel: f for d in static_dirs(config.root) for f in scan(d, skipped=(".DS_Store", ".git"))}
        config_bytes = self.config_path.read_bytes()
        stats = [f"{f.path}\0{f.mtime_ns}\0{f.size}" for f in [*posts, *templates, *static.values()]]
        from linkblog import markdown

        key = key_of(__version__, markdown.settings_digest(), digest_bytes(config_bytes),
                     repr(sorted(self.overrides.items())),
                     repr(self.options.drafts), repr(self.options.future), str(config.output_path), *stats)
        return Inputs(posts, templates, static, key, started_ns)

    def load(self, config: Config) -> tuple[BuildCache, list[Problem]]:
        """The cache, emptied of whatever the current settings make stale."""
        from linkblog import markdown

        warnings: list[Problem] = []
        if self.cache is None:
            with self.timed("cache"):
                self.cache, warnings = load_cache(config.root) if self.persist else (BuildCache(), [])
        cache = self.cache
        parse_key = key_of(__version__, markdown.settings_digest(), config.timezone)
        if cache.parse_key != parse_key or self.options.clean:
            cache.parse_key, cache.files = parse_key, {}
        # Pages show rendered Markdown, so new Markdown settings mean new pages too.
        render_key = key_of(parse_key, repr(config), repr(self.options.drafts), repr(self.options.future))
        if cache.render_key != render_key or self.options.clean:
            cache.render_key, cache.pages = render_key, {}
        if self.options.clean or cache.out != str(config.output_path) or output_identity(config) == -1:
            cache.outputs, cache.pages, cache.out = {}, {}, str(config.output_path)
        return cache, warnings

    def read_posts(self, config: Config, cache: BuildCache, found: list[Found],
                   progress: Progress) -> tuple[list[Post], list[Problem]]:
        """Every post, parsed again only where the file's bytes changed."""
        from linkblog import markdown

        files: dict[str, ParsedFile] = {}
        misses: list[tuple[str, Found, bytes | None]] = []
        with self.timed("read"):
            for item in found:
                rel = "posts/" + item.rel
                entry, data = reusable(cache, rel, item)
                if entry is None:
                    misses.append((rel, item, data))
                else:
                    files[rel] = entry
        markdown.seconds_spent[0] = 0.0
        with self.timed("parse"):
            for rel, entry in map_items(parse_file, config.tz, misses, self.jobs(), counter("parse", misses, progress)):
                files[rel] = entry
        if self.jobs() == 1:  # with workers, this process saw only its share
            self.timings["markdown"] = markdown.seconds_spent[0]
        cache.files = dict(sorted(files.items()))
        posts = [e.post for e in cache.files.values() if e.post is not None]
        problems = [p for e in cache.files.values() for p in e.problems]
        return posts, problems

    def render_site(self, config: Config, cache: BuildCache, posts: list[Post], inputs: Inputs,
                    now: datetime, progress: Progress) -> tuple[BuildResult, datetime | None]:
        """Index, plan and render the site; also say when a future post comes due."""
        from linkblog.index import index_site
        from linkblog.plan import plan_pages

        with self.timed("index"):
            site, problems = index_site(posts, config, now, self.options.drafts, self.options.future)
        with self.timed("plan"):
            pages, plan_problems = plan_pages(site, config)
            renderer = self.renderer(config)
            digests, template_problems = renderer.template_digests({p.template for p in pages})
        problems += plan_problems + template_problems + static_collisions(config, pages, inputs.static)
        if errors(problems):
            return BuildResult(problems), None
        result = self.write(config, cache, renderer, pages, digests, inputs, progress)
        result.problems = problems + result.problems
        result.posts = len(site.posts)
        upcoming = [p.date for p in posts if p.date > now and (self.options.drafts or not p.draft)]
        return result, None if self.options.future or not upcoming else min(upcoming)

    def write(self, config: Config, cache: BuildCache, renderer: Renderer, pages: list[PageSpec],
              digests: dict[str, str], inputs: Inputs, progress: Progress) -> BuildResult:
        """Render what changed into the stage, then commit it to the output."""
        from linkblog.plan import page_inputs

        full = not cache.outputs
        with self.timed("plan"):
            fingerprints = {p.url: key_of(page_inputs(p), digests[p.template]) for p in pages}
            todo = [i for i, p in enumerate(pages) if full or cache.pages.get(p.url) != fingerprints[p.url]]
        if self.persist:
            fill_bodies(config.root, [post for i in todo for post in pages[i].posts if isinstance(post, Post)])
        stage = Stage(config.output_path, full=full).open()
        try:
            rendered = self.render_pages(Work(renderer, config, pages, cache.outputs, stage), todo, progress)
            if rendered and isinstance(rendered[0], Problem):
                stage.discard()
                return BuildResult(rendered)
            with self.timed("write"):
                pages_files = {renderer.urls.file_for(p.url) for p in pages}
                outputs = stage_changes(stage, cache.outputs, rendered, pages_files, inputs.static,
                                        hosting_files(config))
        except BaseException:  # a failed or interrupted build leaves no stage behind
            stage.discard()
            raise
        with self.timed("write"):
            # Should the build die from here on, the next one must not trust the old manifest.
            cache.outputs, cache.pages = {}, {}
            if self.persist:
                mark_dirty(config.root)
            stage.commit()
        cache.outputs, cache.pages = outputs, fingerprints
        changed = sum(1 for _, _, was_changed in rendered if was_changed)
        return BuildResult(written=sorted(set(stage.written)), deleted=stage.deleted, unchanged=len(pages) - changed)

    def render_pages(self, work: Work, todo: list[int], progress: Progress) -> list:
        """Render the pages in todo into the stage: what each became, or every template failure."""
        with self.timed("render"):
            rendered = map_items(render_one, work, todo, self.jobs(), counter("render", todo, progress))
        if self.jobs() == 1:  # tell templates and file system apart, where one process did both
            self.timings["render"] -= work.file_seconds[0]
            self.timings["files"] = work.file_seconds[0]
        failures = [r for r in rendered if isinstance(r, Problem)]
        return sorted_problems(failures) if failures else rendered  # type: ignore[return-value]

    def remember(self, config: Config, cache: BuildCache, inputs: Inputs, result: BuildResult,
                 release: datetime | None) -> list[Problem]:
        """Keep what the next build needs to skip work: the cache and the input key."""
        cache.saved_ns = inputs.started_ns
        # The input's warnings are repeated by a build that stops early; one-off notices are not.
        once = (str(CACHE_DIR), config.output_dir)
        warnings = [[p.path, p.message, p.line] for p in result.problems if p.warning and p.path not in once]
        self.last = InputState(inputs.key, inputs.started_ns, release.timestamp() if release else None,
                               result.posts, result.unchanged + len(result.written), output_identity(config),
                               warnings)
        if not self.persist:
            return []
        with self.timed("cache"):
            warnings = save_cache(config.root, cache)
            if not warnings:
                save_inputs(config.root, self.last)
        return warnings

    def renderer(self, config: Config) -> Renderer:
        from linkblog.render import Renderer

        return Renderer(config, template_dirs(config.root))

    def jobs(self) -> int:
        return self.options.jobs or os.cpu_count() or 1


def counter(stage: str, items: list, progress: Progress) -> Callable[[int], None]:
    """A callback for map_items that reports a running count of `items` done."""
    done = [0]

    def advance(count: int) -> None:
        done[0] += count
        progress(stage, done[0], len(items))

    return advance


def output_identity(config: Config) -> int:
    """The output folder's inode while it holds a home page: a deleted or emptied output is noticed."""
    try:
        return config.output_path.stat().st_ino if (config.output_path / "index.html").is_file() else -1
    except OSError:
        return -1


def reusable(cache: BuildCache, rel: str, item: Found) -> tuple[ParsedFile | None, bytes | None]:
    """The cached parse of a post if its bytes are unchanged; else the bytes read to tell (if any)."""
    from linkblog.content import post_digest

    entry = cache.fresh(rel, item.mtime_ns, item.size)
    old = cache.files.get(rel)
    if entry is not None or old is None:
        return entry, None  # a new file: the worker that parses it reads it
    data = read_bytes(item)
    if data is None or old.digest != post_digest(rel, data):
        return None, data
    return ParsedFile(item.mtime_ns, item.size, old.digest, old.post, old.problems), None


def read_bytes(found: Found) -> bytes | None:
    """A post file's bytes, or None when it vanished or cannot be read since the scan."""
    try:
        return Path(found.path).read_bytes()
    except OSError:
        return None


def parse_file(tz: Any, item: tuple[str, Found, bytes | None]) -> tuple[str, ParsedFile]:
    """Read (if need be) and parse one post file into a cache entry (runs in a worker)."""
    from linkblog.content import parse_post, post_digest

    rel, found, data = item
    data = read_bytes(found) if data is None else data
    if data is None:
        return rel, ParsedFile(found.mtime_ns, found.size, "", None, [Problem(rel, "cannot be read")])
    post, problems = parse_post(rel, data, tz)
    return rel, ParsedFile(found.mtime_ns, found.size, post_digest(rel, data), post, problems)


def render_one(work: Work, index: int) -> tuple[str, str, bool] | Problem:
    """Render one page; stage it if its bytes differ from the output's (runs in a worker)."""
    from linkblog.render import RenderError

    page = work.pages[index]
    rel = work.renderer.urls.file_for(page.url)
    try:
        data = page_bytes(work.renderer, work.config, page)
    except RenderError as exc:
        return exc.problem
    except ValueError as exc:  # lxml refuses text no XML document may hold
        return Problem(f"templates/{page.template}", f"{page.url}: a feed cannot hold this text ({exc})")
    digest = digest_bytes(data)
    changed = work.outputs.get(rel) != digest
    if changed:
        started = time.perf_counter()
        work.stage.put(rel, data)
        work.file_seconds[0] += time.perf_counter() - started
    return rel, digest, changed


def page_bytes(renderer: Renderer, config: Config, page: PageSpec) -> bytes:
    if page.kind in ("rss", "atom"):
        from linkblog.feeds import feed_bytes

        return feed_bytes(page, config, [renderer.render_entry(p) for p in page.posts])
    return renderer.render_page(page)


def hosting_files(config: Config) -> dict[str, bytes]:
    """What GitHub Pages needs beside the site: .nojekyll, and CNAME for a custom domain."""
    return {".nojekyll": b"", **({"CNAME": config.cname.encode() + b"\n"} if config.cname else {})}


def static_collisions(config: Config, pages: list[PageSpec], static: dict[str, Found]) -> list[Problem]:
    """A Problem for each static file that would replace a generated page, or the folder one sits in."""
    urls = Urls(config.url)
    generated = {urls.file_for(p.url): p.url for p in pages}
    folders = {str(parent) for rel in generated for parent in PurePosixPath(rel).parents}
    return [Problem(shown_path(found.path, config.root), f"would replace generated pages at /{rel}; rename or "
                    "remove it") for rel, found in static.items()
            if rel in generated or rel in folders or any(str(p) in generated for p in PurePosixPath(rel).parents)]


def shown_path(path: str, root: Path) -> str:
    """A path as the user knows it: relative to the site when it is inside it."""
    return str(Path(path).relative_to(root)) if Path(path).is_relative_to(root) else path

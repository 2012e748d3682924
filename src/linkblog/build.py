"""Runs the pipeline: config -> posts -> site -> pages -> output, reusing what has not changed."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from linkblog import __version__, markdown
from linkblog.cache import BuildCache, ParsedFile, load_cache, save_cache
from linkblog.config import Config, load_config
from linkblog.content import digest_bytes, parse_post, post_files
from linkblog.feeds import feed_bytes
from linkblog.index import index_site
from linkblog.model import PageSpec, Post
from linkblog.output import Stage, recover
from linkblog.parallel import map_items
from linkblog.plan import page_inputs, plan_pages
from linkblog.problems import Problem, errors, sorted_problems
from linkblog.render import Renderer, RenderError
from linkblog.theme import theme_dir
from linkblog.urls import Urls


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
class Work:
    """What a render worker needs; forked workers inherit it instead of unpickling it."""

    renderer: Renderer
    config: Config
    pages: list[PageSpec]
    outputs: dict[str, str]
    stage: Stage


class Builder:
    """Builds one site again and again, keeping its cache between builds."""

    def __init__(self, config_path: Path, overrides: dict[str, Any] | None = None,
                 options: BuildOptions | None = None, persist: bool = True):
        self.config_path = config_path
        self.overrides = overrides or {}
        self.options = options or BuildOptions()
        self.persist = persist
        self.cache: BuildCache | None = None
        self.timings: dict[str, float] = {}

    def build(self, progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
        """One build; on any error the output is left exactly as it was."""
        started = time.perf_counter()
        self.timings = {}
        markdown.seconds_spent[0] = 0.0
        result = self.run(progress or (lambda stage, done, total: None))
        result.seconds = time.perf_counter() - started
        self.timings["markdown"] = markdown.seconds_spent[0]
        result.timings = self.timings
        result.problems = sorted_problems(result.problems)
        return result

    @contextmanager
    def timed(self, stage: str):
        started = time.perf_counter()
        yield
        self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - started

    def run(self, progress: Callable[[str, int, int], None]) -> BuildResult:
        config, problems = load_config(self.config_path, self.overrides)
        if config is None or errors(problems):
            return BuildResult(problems)
        recover(config.output_path)
        cache, warnings = self.load(config)
        posts, post_problems = self.read_posts(config, cache)
        problems += warnings + post_problems
        if errors(problems):
            return BuildResult(problems)
        with self.timed("index"):
            now = self.options.now or datetime.now(UTC)
            site, index_problems = index_site(posts, config, now, self.options.drafts, self.options.future)
            pages, plan_problems = plan_pages(site, config)
        renderer = Renderer(config, template_dirs(config.root))
        digests, template_problems = renderer.template_digests({p.template for p in pages})
        problems += index_problems + plan_problems + template_problems
        if errors(problems):
            return BuildResult(problems)
        result = self.write(config, cache, renderer, pages, digests, progress)
        result.problems = problems + result.problems
        result.posts = len(site.posts)
        return result

    def load(self, config: Config) -> tuple[BuildCache, list[Problem]]:
        """The cache, emptied of whatever the current settings make stale."""
        warnings: list[Problem] = []
        if self.cache is None:
            self.cache, warnings = load_cache(config.root) if self.persist else (BuildCache(), [])
        cache = self.cache
        parse_key = key_of(__version__, markdown.settings_digest(), config.timezone)
        if cache.parse_key != parse_key:
            cache.parse_key, cache.files = parse_key, {}
        render_key = key_of(__version__, repr(config), repr(self.options.drafts), repr(self.options.future))
        if cache.render_key != render_key or self.options.clean:
            cache.render_key, cache.pages = render_key, {}
        if self.options.clean or cache.out != str(config.output_path) or not config.output_path.is_dir():
            cache.outputs, cache.pages, cache.out = {}, {}, str(config.output_path)
        return cache, warnings

    def read_posts(self, config: Config, cache: BuildCache) -> tuple[list[Post], list[Problem]]:
        """Every post, parsed again only where the file's bytes changed."""
        with self.timed("read"):
            files: dict[str, ParsedFile] = {}
            misses: list[tuple[str, int, int, bytes]] = []
            for path in post_files(config.posts_path):
                rel = path.relative_to(config.root).as_posix()
                stat = path.stat()
                entry = cache.fresh(rel, stat.st_mtime_ns, stat.st_size)
                if entry is None:
                    data = path.read_bytes()
                    old = cache.files.get(rel)
                    if old and old.digest == digest_bytes(data):
                        entry = ParsedFile(stat.st_mtime_ns, stat.st_size, old.digest, old.post, old.problems)
                    else:
                        misses.append((rel, stat.st_mtime_ns, stat.st_size, data))
                        continue
                files[rel] = entry
        with self.timed("parse"):
            for rel, entry in map_items(parse_file, config.tz, misses, self.jobs()):
                files[rel] = entry
        cache.files = dict(sorted(files.items()))
        posts = [e.post for e in cache.files.values() if e.post is not None]
        problems = [p for e in cache.files.values() for p in e.problems]
        return posts, problems

    def write(self, config: Config, cache: BuildCache, renderer: Renderer, pages: list[PageSpec],
              digests: dict[str, str], progress: Callable[[str, int, int], None]) -> BuildResult:
        """Render what changed into the stage, then commit it to the output."""
        full = not cache.outputs
        stage = Stage(config.output_path, full=full).open()
        fingerprints = {p.url: key_of(page_inputs(p), digests[p.template]) for p in pages}
        todo = [i for i, p in enumerate(pages) if full or cache.pages.get(p.url) != fingerprints[p.url]]
        work = Work(renderer, config, pages, cache.outputs, stage)
        done = [0]

        def advance(count: int) -> None:
            done[0] += count
            progress("render", done[0], len(todo))

        with self.timed("render"):
            rendered = map_items(render_one, work, todo, self.jobs(), advance)
        failures = [r for r in rendered if isinstance(r, Problem)]
        if failures:
            stage.discard()
            return BuildResult(failures[:1])
        with self.timed("write"):
            outputs = dict(cache.outputs)
            for rel, digest, changed in rendered:
                outputs[rel] = digest
                if changed:
                    stage.written.append(rel)
            expected = {Urls(config.url).file_for(p.url) for p in pages}
            expected |= stage_static(config, stage, outputs, full)
            stage.deleted = sorted(set(outputs) - expected)
            for rel in stage.deleted:
                del outputs[rel]
            stage.commit()
        cache.outputs = outputs
        cache.pages = fingerprints
        cache.saved_ns = time.time_ns()
        if self.persist:
            save_cache(config.root, cache)
        changed = sum(1 for _, _, was_changed in rendered if was_changed)
        return BuildResult(written=sorted(stage.written), deleted=stage.deleted,
                           unchanged=len(pages) - changed)

    def jobs(self) -> int:
        return self.options.jobs or os.cpu_count() or 1


def parse_file(tz: Any, item: tuple[str, int, int, bytes]) -> tuple[str, ParsedFile]:
    """Parse one post file's bytes into a cache entry (runs in a worker)."""
    rel, mtime_ns, size, data = item
    post, problems = parse_post(rel, data, tz)
    return rel, ParsedFile(mtime_ns, size, digest_bytes(data), post, problems)


def render_one(work: Work, index: int) -> tuple[str, str, bool] | Problem:
    """Render one page; stage it if its bytes differ from the output's (runs in a worker)."""
    page = work.pages[index]
    rel = work.renderer.urls.file_for(page.url)
    try:
        data = page_bytes(work.renderer, work.config, page)
    except RenderError as exc:
        return exc.problem
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    changed = work.outputs.get(rel) != digest
    if changed:
        (work.stage.tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (work.stage.tree / rel).write_bytes(data)
    return rel, digest, changed


def page_bytes(renderer: Renderer, config: Config, page: PageSpec) -> bytes:
    if page.kind in ("rss", "atom"):
        return feed_bytes(page, config, [renderer.render_entry(p) for p in page.posts])
    return renderer.render_page(page)


def stage_static(config: Config, stage: Stage, outputs: dict[str, str], full: bool) -> set[str]:
    """Stage static files and hosting extras that changed; return every such output file."""
    files: dict[str, Path] = {}
    for folder in dict.fromkeys([theme_dir() / "static", config.root / "static"]):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    files[path.relative_to(folder).as_posix()] = path
    for rel, source in files.items():
        stat = source.stat()
        key = f"static:{source}:{stat.st_size}:{stat.st_mtime_ns}"
        if full or outputs.get(rel) != key:
            stage.copy(rel, source)
            outputs[rel] = key
    extras = {".nojekyll": b""}
    if config.cname:
        extras["CNAME"] = config.cname.encode() + b"\n"
    for rel, data in extras.items():
        key = key_of(data.decode())
        if full or outputs.get(rel) != key:
            stage.write(rel, data)
            outputs[rel] = key
    return set(files) | set(extras)


def template_dirs(root: Path) -> list[Path]:
    """The site's templates first, then the default theme's (once, if they are the same)."""
    theme = (theme_dir() / "templates").resolve()
    own = (root / "templates").resolve()
    return [own, theme] if own.is_dir() and own != theme else [theme]


def key_of(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()

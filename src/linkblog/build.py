"""The builder: runs load, the incremental engine and the output, build after build.

A Builder keeps its state between builds, in memory (for `serve`) and, with `persist`, in
.cache/linkblog/ (for `build`). Heavy modules (Markdown, Jinja, feedgen) are imported only
once a build has work to do, so a build with nothing to do stops after one scan.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linkblog.cache import (
    CACHE_DIR,
    Built,
    InputState,
    load_built,
    load_inputs,
    load_state,
    output_files,
    save_built,
    save_inputs,
    save_state,
)
from linkblog.config import Config, load_config
from linkblog.digest import key_of
from linkblog.incremental import State, code_digest, file_digest, input_key, racy_digests
from linkblog.output import foreign, held_files, locked, missing_files, recover
from linkblog.problems import Problem, errors, plural, sorted_problems
from linkblog.scan import (
    Found,
    Inputs,
    Unusable,
    is_post_name,
    is_private,
    named,
    scan,
    scan_posts,
    scan_static,
    stat_file,
    utf8,
)
from linkblog.search import missing_problem, pagefind_binary
from linkblog.sources import FILE as SOURCES_FILE
from linkblog.theme import own_templates, static_dirs, template_dirs

if TYPE_CHECKING:
    from linkblog.engine import Engine
    from linkblog.load import Loaded

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
    unchanged: int = 0  # output files left as they were
    deleted: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # why each unpublished post was left out
    ignored: list[str] = field(default_factory=list)  # files in posts/ that are not posts
    pages: list[str] = field(default_factory=list)  # URLs of the pages whose bytes changed
    rendered: int = 0  # pages rendered again (unchanged bytes included)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not errors(self.problems)

    def notes(self, hints: bool = True) -> list[str]:
        """What the build left out, a line for its unpublished posts and one for files that are no posts;
        `hints`: with the option that lets each kind of post in."""
        private = [rel for rel in self.ignored if is_private(rel.removeprefix("posts/"))]
        others = [rel for rel in self.ignored if rel not in private]
        return [line for line in (left_out_text(self.left_out, hints), ignored_text(others),
                                  private_text(private)) if line]


def left_out_text(reasons: list[str], hints: bool = True) -> str:
    """'2 posts left out: 1 draft (use --drafts), 1 dated 2099-01-01 09:00 UTC (use --future)'."""
    if not reasons:
        return ""
    drafts = reasons.count("draft")
    dated = [r for r in reasons if r != "draft"]
    parts = [f"{plural(drafts, 'draft')}{' (use --drafts)' if hints else ''}"] if drafts else []
    if dated:
        shown = ", ".join(r.removeprefix("dated ") for r in dated[:3]) + (", …" if len(dated) > 3 else "")
        parts.append(f"{len(dated)} dated {shown}{' (use --future)' if hints else ''}")
    return f"{plural(len(reasons), 'post')} left out: {', '.join(parts)}"


def ignored_text(files: list[str]) -> str:
    """'1 file in posts/ left out, not .md or .markdown: posts/notes.txt'."""
    return named_files(plural(len(files), "file") + " in posts/ left out, not .md or .markdown", files)


def private_text(files: list[str]) -> str:
    """'2 posts in posts/ left out, private (a name starting with _, . or #): posts/_ideas/a.md, posts/#b.md'."""
    return named_files(plural(len(files), "post") + " in posts/ left out, private (a name starting with _, . or #)",
                       files)


def named_files(told: str, files: list[str]) -> str:
    """`told`, then the first three files: '' for none."""
    return f"{told}: {', '.join(files[:3])}{', …' if len(files) > 3 else ''}" if files else ""


class Timer:
    """Seconds per stage of one build."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started


class Builder:
    """Builds one site again and again, keeping what the next build needs."""

    def __init__(self, config_path: Path, overrides: dict[str, Any] | None = None,
                 options: BuildOptions | None = None, persist: bool = True, reads_cache: bool = False,
                 waiting: Callable[[str], None] | None = None):
        """`persist`: read the site's build cache and keep it up to date; `reads_cache` (without `persist`): only
        take the parses it holds, never changing it (a check's build into a folder of its own); `waiting`: told
        the output folder when another build is writing it, before this one waits for it."""
        self.waiting = waiting or (lambda folder: None)
        self.config_path = config_path
        self.overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        self.options = options or BuildOptions()
        self.persist, self.reads_cache = persist, reads_cache or persist
        self.engine: Engine | None = None
        self.inputs: Inputs | None = None
        self.last: InputState | None = None
        self.code = ""

    def build(self, progress: Progress | None = None, changed: Iterable[Path] | None = None) -> BuildResult:
        """One build; `changed` (what a watcher saw) spares a full scan. On any error the output is untouched."""
        started = time.perf_counter()
        timer = Timer()
        with collector_paused():
            try:
                result = self.run(progress or (lambda stage, done, total: None), changed, timer)
            except OSError:
                self.inputs = None  # a file unreadable mid-scan: the next build scans everything
                raise
            except BaseException:
                # Cut short mid-render (stopped, interrupted): the engine's index is ahead of its output.
                self.inputs, self.engine = None, None
                raise
        result.seconds = time.perf_counter() - started
        result.timings = timer.seconds
        result.problems = sorted_problems(result.problems)
        return result

    def run(self, progress: Progress, changed: Iterable[Path] | None, timer: Timer) -> BuildResult:
        # Stat'ed before it is read: a save while this build runs changes the stat the next build compares.
        config_file = stat_file(self.config_path, self.config_path.name)
        config, problems = load_config(self.config_path, self.overrides)
        if config is None or errors(problems):  # the engine stays: a config fixed back as it was redoes nothing
            return BuildResult(problems)
        if foreign(config.output_path) and not left_by_last_build(config):
            return BuildResult([Problem(config.output_dir, "holds files linkblog did not write (it has no "
                                        ".nojekyll); empty it or choose another output_dir")])
        with locked(config.output_path, self.waiting):
            return self.run_alone(config, config_file, problems, progress, changed, timer)

    def run_alone(self, config: Config, config_file: Found | None, problems: list[Problem], progress: Progress,
                  changed: Iterable[Path] | None, timer: Timer) -> BuildResult:
        """The build, once no other build is changing its output folder."""
        recovered = recover(config.output_path)
        if recovered:
            problems.append(Problem(config.output_dir, recovered, warning=True))
        with timer("scan"):
            rescanned = self.rescan(config, changed) if changed is not None and self.inputs else None
            inputs = rescanned or self.scan(config, config_file)
            code = self.code = self.code or code_digest()  # the code this process runs cannot change under it
            settings = (repr(sorted(self.overrides.items())), repr(self.options.drafts), repr(self.options.future),
                        str(config.output_path))
            key = input_key(code, settings, inputs) if not (rescanned and self.last) else \
                key_of(self.last.key, "rescan", str(inputs.started_ns))  # a key no full scan makes: never stops early
        now = self.options.now or datetime.now(UTC)
        last = self.last if self.last or not self.persist else load_inputs(config.root)
        if last and not self.options.clean and self.unchanged(last, key, inputs, now, config):
            self.inputs = inputs
            return BuildResult(problems + [Problem(*w, warning=True) for w in last.warnings], posts=last.posts,
                               unchanged=last.files, left_out=last.left_out, ignored=last.ignored)
        if config.search and pagefind_binary() is None:  # told before anything is rendered
            return BuildResult(problems + [missing_problem(self.config_path.name)])
        engine = self.engine_for(config, code, timer)
        if last and last.output != output_identity(config):  # built into another folder since, or replaced
            engine.forget_output(held_files(config.output_path) if self.persist and own_folder(config) else None)
        result = engine.build(inputs, now, progress, timer)
        result.problems = problems + unusable_warnings(inputs) + result.problems
        self.inputs = inputs
        if result.ok:
            if self.persist:
                result.problems += save_built(config.root, config.output_path,
                                              Built(self.options.drafts, self.options.future, output_identity(config),
                                                    config.url))
            self.remember(config, engine, inputs, key, result, racy={} if rescanned else racy_digests(inputs))
        result.problems = one_cache_warning(result.problems)
        return result

    def loaded(self) -> Loaded:
        """The site the last good build built, as the pure load gives it (for `check`, which so parses once)."""
        assert self.engine is not None
        return self.engine.loaded()

    def engine_for(self, config: Config, code: str, timer: Timer) -> Engine:
        """The engine of this config, with the state the last build left (in memory, or read from disk)."""
        from linkblog.engine import Engine

        engine = self.engine
        if engine is None or engine.config != config or engine.code != code or self.options.clean:
            state, saved, warnings = State(), None, []
            if self.reads_cache and not self.options.clean:
                with timer("cache"):
                    # The default theme's pages show a post's body only in entries: a site keeping to it reads
                    # only the bodies of the posts whose entries the pages it renders make again. A build that
                    # keeps no cache (a check's) keeps no entries either, and shows every body.
                    bodies = own_templates(config.root) or not self.persist
                    state, saved, warnings = load_state(config.root, code, config.tz, bodies,
                                                        read_only=not self.persist)
            engine = self.engine = Engine(config, code, state, self.options, self.jobs(), warnings, self.persist)
            engine.saved = saved  # taken before the engine discards what this config makes stale
        return engine

    def scan(self, config: Config, config_file: Found | None) -> Inputs:
        started_ns = time.time_ns()  # an edit after this moment may share an mtime we record
        unusable: Unusable = []
        posts, ignored = scan_posts(config.posts_path, unusable)
        # _partials are templates all the same, and static/ is copied as it is, .well-known/ included.
        templates = scan_templates(config.root, unusable)
        static = scan_static(static_dirs(config.root), unusable, config.output_path)
        assert config_file is not None  # load_config read it a moment ago
        return Inputs(posts, ignored, templates, static, config_file, started_ns, sources_file(config),
                      unusable=unusable)

    def rescan(self, config: Config, changed: Iterable[Path]) -> Inputs | None:
        """The last scan with the changed paths stat'ed again; None when only a full scan will do."""
        assert self.inputs is not None
        if self.inputs.unusable:  # what is named as left out is named again, or no more, after a full scan
            return None
        inputs = replace(self.inputs, posts=dict(self.inputs.posts), started_ns=time.time_ns(),
                         base=self.inputs.posts)
        restated = set()
        posts_dir = config.posts_path.resolve()
        for path in {in_site(Path(p), config.root, posts_dir) for p in changed}:
            if path in (self.config_path.resolve(), posts_dir) or path.is_dir() or not utf8(path.name):
                return None
            if os.path.lexists(path) and not path.is_file():  # a link to nothing, a pipe: a full scan names it
                return None
            if path == (config.root / SOURCES_FILE).resolve():
                inputs.sources = sources_file(config)
            elif not path.exists() and not known(inputs, path, posts_dir):  # a folder gone: watchers name only it
                return None
            elif any(path.is_relative_to(d) for d in template_dirs(config.root)):
                left = []
                inputs.templates = scan_templates(config.root, left)
                if left:
                    return None
            elif any(path.is_relative_to(d) for d in static_dirs(config.root)):
                left: Unusable = []
                inputs.static = scan_static(static_dirs(config.root), left, config.output_path)
                if left:
                    return None
            elif path.is_relative_to(posts_dir):
                rel = "posts/" + path.relative_to(posts_dir).as_posix()
                if any(part.startswith(("_", ".", "#")) for part in path.relative_to(posts_dir).parts):
                    continue
                found = stat_file(path, rel[len("posts/"):])
                restated.add(rel)
                if found is None:
                    inputs.posts.pop(rel, None)
                    inputs.ignored = [r for r in inputs.ignored if r != rel]
                elif is_post_name(rel):
                    inputs.posts[rel] = found
                elif rel not in inputs.ignored:
                    inputs.ignored = sorted([*inputs.ignored, rel])
        inputs.restated = frozenset(restated)
        return inputs

    def unchanged(self, last: InputState, key: str, inputs: Inputs, now: datetime, config: Config) -> bool:
        """True when no input changed since the last good build, no post came due and the output still has
        every file that build wrote."""
        due = last.release is not None and now.timestamp() >= last.release
        if key != last.key or due or output_identity(config) != last.output:
            return False
        out = config.output_path
        if self.persist and missing_files(out, output_files(config.root, out)):  # removed by hand: put back
            return False
        # Files changed too close to that build for stat to tell are compared by their bytes (as git does).
        if any(file_digest(path) != digest for path, digest in last.racy.items()):
            return False
        if last.racy:
            self.last = replace(last, stamp_ns=inputs.started_ns, racy=racy_digests(inputs))
            if self.persist:  # unsaved, the next build compares these files' bytes again: only time is lost
                save_inputs(config.root, self.last)
        return True

    def output_is_own(self) -> None:
        """The output folder, as it now is, is this builder's doing (a search index put in place after its build):
        the next build trusts it, where it would take the changed folder for another and write it whole."""
        if self.last is not None and self.engine is not None:
            self.last = replace(self.last, output=output_identity(self.engine.config))

    def remember(self, config: Config, engine: Engine, inputs: Inputs, key: str, result: BuildResult,
                 racy: dict[str, str]) -> None:
        """Keep what lets the next build stop early: the input key, racy files, warnings."""
        release = engine.site.next_release() if engine.site else None
        # A build that stops early repeats the inputs' warnings; one-off notices (cache, output) are not repeated.
        once = (str(CACHE_DIR), config.output_dir)
        warnings = [[p.path, p.message, p.line] for p in result.problems if p.warning and p.path not in once]
        self.last = InputState(key, inputs.started_ns, racy,
                               release.timestamp() if release else None, result.posts,
                               result.unchanged + len(result.written), output_identity(config), warnings,
                               result.left_out, result.ignored)
        engine.state.saved_ns = inputs.started_ns  # files older than this scan need no reading next time
        if self.persist:
            saved, problems = save_state(config.root, engine.state, engine.saved)
            engine.saved = saved
            result.problems += problems
            if not problems:
                result.problems += save_inputs(config.root, self.last)

    def jobs(self) -> int:
        return self.options.jobs or os.cpu_count() or 1


def one_cache_warning(problems: list[Problem]) -> list[Problem]:
    """The problems with only the first warning about the cache: those after it have the same cause."""
    cache = [id(p) for p in problems if p.warning and p.path == str(CACHE_DIR)]
    return [p for p in problems if id(p) not in cache[1:]]  # by identity: two warnings may read the same


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a build runs; afterwards the collector is as it was.

    A build makes few cycles (68 objects left for the collector after a cold build of 10,000 posts)
    but many objects, and each full collection walks them all: at 10,000 posts the collector took
    37 ms of a CLI body edit, 175 ms of an add, and 95 ms of an edit rebuilt inside `serve`."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def in_site(path: Path, *places: Path) -> Path:
    """Where a changed path is in the site: as the watcher names it when that is inside one of the (resolved)
    places, the site and its posts/, so a file in a symlinked folder under posts/ stays there; else resolved but
    for its last part, so a post that is a symlink is a post where the link is."""
    absolute = Path(os.path.abspath(path))
    if any(absolute.is_relative_to(place) for place in places):
        return absolute
    return absolute.parent.resolve() / absolute.name


def known(inputs: Inputs, path: Path, posts_dir: Path) -> bool:
    """True for a file the scan found (a post by its place in posts/, a template or static file by its path)."""
    if path.is_relative_to(posts_dir):
        parts = path.relative_to(posts_dir).parts
        rel = "posts/" + "/".join(parts)
        return rel in inputs.posts or rel in inputs.ignored or any(p.startswith(("_", ".", "#")) for p in parts)
    return any(f.path == str(path) for f in (*inputs.templates, *inputs.static.values()))


def scan_templates(root: Path, unusable: Unusable) -> list[Found]:
    """The template files, the site's own first; what its own templates/ holds that cannot be read (a link to
    nothing, where the theme's file would be used instead) goes to `unusable`."""
    found = []
    for folder in template_dirs(root):
        left: Unusable = []
        found += scan(folder, unusable=left)
        if folder == (root / "templates").resolve():
            unusable += named("templates", left)
    return found


def unusable_warnings(inputs: Inputs) -> list[Problem]:
    """Files under posts/, templates/ or static/ no build can read, named so that none is left out without a
    word."""
    return [Problem(rel, f"left out: {why}", warning=True) for rel, why in inputs.unusable]


def sources_file(config: Config) -> Found | None:
    """sources.yaml's stat key; None when there is none."""
    path = config.root / SOURCES_FILE
    found = stat_file(path, SOURCES_FILE)
    if found is None and os.path.lexists(path):  # a folder, a loop of links: read, to fail as a clean build does
        return Found(SOURCES_FILE, str(path), -1, -1)
    return found


def left_by_last_build(config: Config) -> bool:
    """True for an output folder whose home page holds the bytes the cache records the last build writing there:
    the site's own, its .nojekyll deleted by hand (put back), never a folder of other files put in its place."""
    digest = output_files(config.root, config.output_path).get("index.html")
    return digest is not None and file_digest(str(config.output_path / "index.html")) == digest


def own_folder(config: Config) -> bool:
    """True for an output folder as the site's own last build into it left it (another folder built since): not
    an older copy put in its place, whose files may be any build's."""
    built = load_built(config.root, config.output_path)
    return built is not None and built.identity == output_identity(config) != ""


def output_identity(config: Config) -> str:
    """The output folder as a build leaves it, while it holds a home page ("" when it does not: deleted or emptied).

    Its inode alone would not do: a folder made where one was deleted is often given the same one (an older copy
    put back). Its ctime changes whenever a name in it is added, removed or replaced, and is new for a new folder;
    a build records it last, after its own changes."""
    try:
        stat = config.output_path.stat()
        return f"{stat.st_ino}:{stat.st_ctime_ns}" if (config.output_path / "index.html").is_file() else ""
    except OSError:
        return ""

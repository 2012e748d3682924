"""The build engine of one config: parse what changed, patch the site, render what moved, write it.

An Engine lives as long as its config: `serve` keeps one for a whole session, `build` makes
one per run from the state saved on disk. The rules for what to redo are incremental.py's.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from linkblog.build import BuildOptions, BuildResult, Progress, Timer, output_identity
from linkblog.cache import Saved, load_bodies, load_entries, mark_dirty, with_body
from linkblog.config import Config
from linkblog.digest import digest_bytes, key_of, post_digest
from linkblog.incremental import (
    HIDDEN_BLOCK,
    UNUSED,
    Dirty,
    EntryStore,
    FileState,
    Fingerprints,
    State,
    fitted,
    is_racy,
    page_fingerprint,
    planned,
    reusable,
    sizes,
    spot,
    template_key,
    templates_touched,
    to_render,
    touched,
    urls_moved,
)
from linkblog.index import Selection, Site, group_keys, index_site
from linkblog.load import Loaded
from linkblog.model import PageKind, PageSpec, Parsed, Post
from linkblog.output import GIT, Stage, hosting_files, missing_files, stage_changes, stage_dir
from linkblog.plan import (
    LIST_KINDS,
    TEMPLATES,
    collisions,
    generated_urls,
    hosting_collisions,
    page_urls,
    plan_pages,
    shown_path,
    static_collisions,
)
from linkblog.problems import Problem, errors
from linkblog.scan import Found, Inputs
from linkblog.search import SearchError, index_files, update_index
from linkblog.sources import NO_SOURCES, load_sources
from linkblog.theme import own_templates, template_dirs
from linkblog.urls import Urls
from linkblog.workers import MIN_ITEMS, forks, map_items

P = TypeVar("P", bound=Parsed)

if TYPE_CHECKING:
    from jinja2 import BytecodeCache

    from linkblog.compiled import CompiledTemplates
    from linkblog.render import Renderer


# Below this many pages an incremental build renders in this process. A CLI build's forked workers
# inherit the list and feed entries the cache kept: at 10,000 posts the 841 pages an added post moves took
# 1.41-1.48 s to render here, 0.93-1.04 s over two processes (medians of 8, alternating runs).
SHARED_PAGES = 400
# A preview's renderer keeps every entry of its last build, which fresh workers would make again.
PREVIEW_SHARED_PAGES = 2000
# The pages showing posts as list entries (_list.html) and as feed entries, whose entries the cache keeps.
ENTRY_LISTS = (PageKind.HOME, *LIST_KINDS)
FEED_KINDS = (PageKind.RSS, PageKind.ATOM, PageKind.JSON)


@dataclass
class RenderJob:
    """What a render worker needs, passed to it explicitly (its own Renderer is made there)."""

    config: Config
    template_dirs: list[Path]
    stage: Stage
    pages: list[PageSpec]
    outputs: dict[str, str]
    renderer: Renderer | None = None
    compiled: BytecodeCache | None = None  # Jinja's compiled templates, read by each worker's renderer

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "renderer": None}  # Jinja environments do not travel; templates compile again

    def get_renderer(self) -> Renderer:
        if self.renderer is None:
            from linkblog.render import Renderer

            self.renderer = Renderer(self.config, self.template_dirs, compiled=self.compiled)
        return self.renderer


@dataclass(frozen=True, slots=True)
class Rendered:
    """One page rendered: its output file, the digest of its bytes and whether they changed; or why it failed."""

    rel: str
    digest: str = ""
    changed: bool = False
    problem: Problem | None = None


@dataclass
class Layout:
    """Every page's URL and kind, the output files they make, and the URLs two posts (or pages) would share."""

    urls: dict[str, PageKind]
    files: set[str] | None  # None: the files the output manifest lists (no page came, went or moved since)
    collisions: list[Problem]


class Engine:
    """Builds one config's site again and again, from its state and the inputs of each build."""

    def __init__(self, config: Config, code: str, state: State, options: BuildOptions, jobs: int,
                 notices: list[Problem], persist: bool):
        self.config, self.code, self.options, self.jobs, self.persist = config, code, options, jobs, persist
        self.urls = Urls(config.url)
        self.notices = notices  # one-off warnings (an unusable cache), told by the first build only
        self.site: Site | None = None
        self.pending = Dirty()  # what failed builds left to redo
        self.renderer: Renderer | None = None
        self.template_stats: list[tuple[str, int, int]] | None = None
        self.template_key = ""
        self.digests: tuple[dict[str, str], list[Problem]] = ({}, [])
        self.saved: Saved | None = None
        self.sources_stat: Found | None = None  # unknown: the first build reads it again
        self.seen_posts: dict[str, Found] = {}  # the scan of posts/ the last build compared with its parses
        self.last_layout: Layout | None = None
        self.fingerprints = Fingerprints()  # of the posts as this engine's site placed them
        self.post_problems: dict[str, list[Problem]] | None = None  # by post file, those with any
        self.static_check: tuple[Layout | None, dict[str, Found], list[Problem]] = (None, {}, [])
        self.output_checked = False  # its output folder's files are stat'ed once, on its first build
        self.reindex = False  # a file of the search index was removed by hand
        self.sources, self.source_problems = load_sources(config.root)
        self.state = fitted(state, code, config, (repr(options.drafts), repr(options.future), repr(self.sources)))

    def loaded(self) -> Loaded:
        """The site as the last build indexed it, with every page it plans, as the pure load gives it."""
        unreadable = self.read_every_body() if self.state.unread else []  # every post, its body included
        assert self.site is not None
        pages, problems = plan_pages(self.site)
        return Loaded(self.config, [e.parsed for e in self.state.files.values() if e.parsed], self.site, pages,
                      unreadable + problems)

    def forget_output(self, held: dict[str, str] | None = None) -> None:
        """Trust nothing recorded of the output folder: this build renders every page and writes it whole, or, given
        what the folder holds (output.held_files), writes the files whose bytes differ and deletes the rest."""
        self.state.outputs, self.state.pages = dict(held or {}), {}
        self.last_layout = None  # its files, every one, are what the held files are compared with
        self.reindex = bool(held)  # nothing tells whether the search index it holds is whole: it is made again
        self.output_checked = self.output_checked or bool(held)  # read just now: what is not a file there goes

    def read_every_body(self) -> list[Problem]:
        """Give each post the cache gave without its body its body, and index the posts again."""
        files, unread = self.state.files, self.state.unread
        waiting = {rel: parsed for rel, parsed in unread.items() if rel in files and files[rel].parsed is parsed}
        bodied, problems = self.bodies(waiting)
        for rel, parsed in bodied.items():
            files[rel] = replace(files[rel], parsed=parsed)
            del unread[rel]
        if self.site is not None:
            self.site = index_site((e.parsed for e in files.values() if e.parsed), self.config, self.urls,
                                   self.site.now, self.site.selection, self.sources)
        return problems

    def build(self, inputs: Inputs, now: datetime, progress: Progress, timer: Timer) -> BuildResult:
        problems, self.notices = self.notices, []
        state = self.state
        restore = False
        if not output_identity(self.config):  # deleted or emptied: write it whole
            self.forget_output()
        elif self.persist and not self.output_checked:  # files removed by hand since the last build come back
            gone = missing_files(self.config.output_path, state.outputs)
            state.outputs = {rel: key for rel, key in state.outputs.items() if rel not in gone}
            restore = bool(gone)
            self.reindex = bool(index_files(gone))  # the search index lacks a file: it is made again
        self.output_checked = True
        with timer("read"):
            self.fingerprints.widen(own_templates(self.config.root))
            if self.state.unread and self.fingerprints.wide:  # templates of its own since: any body
                problems += self.read_every_body()
            changed, misses = self.diff_posts(inputs)
        with timer("parse"):
            changed |= map_items(parse_file, self.config.tz, misses, self.jobs, counter("parse", misses, progress))
        old_files, state.files = state.files, updated_files(state.files, changed)
        self.note_problems(changed)
        with timer("index"):
            sources_changed = self.reload_sources(inputs.sources)
            dirty = self.patch(old_files, changed.keys(), now)
            dirty.everything |= sources_changed or restore  # every page planned: those without a file are written
            dirty.merge(self.pending)
        with timer("plan"):
            renderer, digests, template_problems = self.templates(inputs)
            dirty.kinds |= templates_touched(state.templates, digests)
            layout = self.layout(dirty)
            urls = layout.urls
            problems += self.problems(inputs, layout) + template_problems
            if errors(problems):
                self.pending = dirty
                return BuildResult(problems)
            pages = planned(self.site, dirty)  # type: ignore[arg-type]
            covered = state.pages.keys() >= urls.keys()  # as after every good build: a set check costs more
            if not covered and urls.keys() - state.pages.keys() - {page.url for page in pages}:  # unplanned: all
                pages = planned(self.site, Dirty(everything=True))  # type: ignore[arg-type]
            fingerprints = {page.url: page_fingerprint(page, digests[page.template], self.fingerprints)
                            for page in pages}
            todo = to_render(state, pages, fingerprints, self.urls.file_for)
        with timer("render"):
            store = self.kept_entries(todo)
        with timer("read"):
            problems += self.with_bodies(todo, store)
        if errors(problems):
            self.pending = dirty
            return BuildResult(problems)
        rendered_before = state.pages  # write() forgets it until the output is committed
        result = self.write(renderer, todo, store, layout, inputs, progress, timer)
        if not result.ok:
            self.pending = dirty
            return BuildResult(problems + result.problems)
        self.pending = Dirty()
        state.templates, state.template_key = digests, self.template_key
        same = covered and len(rendered_before) == len(urls)
        kept = rendered_before if same or rendered_before.keys() <= urls.keys() else \
            {url: fp for url, fp in rendered_before.items() if url in urls}
        state.pages = kept | fingerprints
        result.problems = problems + result.problems
        result.posts = len(self.site.keys)  # type: ignore[union-attr]
        result.unchanged = len(state.outputs) - len(result.written)
        self.left_out(result, inputs)
        return result

    def with_bodies(self, pages: list[PageSpec], store: EntryStore | None) -> list[Problem]:
        """Give the posts these pages show in full the bodies the cache keeps apart; the problems of any that
        had to be read from its file and could not be, and a warning if the cache could not be trusted.

        The cache is read without bodies only for a site whose templates are all the default theme's: its
        pages show a post's body only in an entry, and an entry kept from an earlier build needs none (but
        in workers from the fork server, which make their own renderers; forked ones inherit this one's)."""
        unread, files = self.state.unread, self.state.files
        if not unread:
            return []
        spread = self.jobs > 1 and len(pages) >= self.least_shared(not self.state.outputs) and not forks()
        waiting: dict[str, Post] = {}
        for page in pages:
            if page.kind is PageKind.ARCHIVE:  # titles only
                continue
            use = entry_use(page) if store is not None and not spread else None
            for post in (*page.posts, *([page.post] if page.post else [])):
                path = post.path
                if path in waiting or path not in unread or files[path].parsed is not unread[path]:
                    continue
                if use is None or store is None or store.get(post, use) is None:
                    waiting[path] = post
        bodied, problems = self.bodies(waiting)
        for post in bodied.values():
            self.fingerprints.alias(post, waiting[post.path])
        for page in pages:
            if page.kind is not PageKind.ARCHIVE and bodied:
                page.posts = [bodied.get(post.path, post) for post in page.posts]
                page.post = page.post and bodied.get(page.post.path, page.post)
        return problems

    def bodies(self, waiting: dict[str, P]) -> tuple[dict[str, P], list[Problem]]:
        """These posts with their bodies: from the cache, else (should it not hold one) from their file."""
        kept = load_bodies(self.config.root, waiting) if waiting else {}
        problems = []
        if isinstance(kept, Problem):  # damaged: saved afresh, without the posts it gave no body of
            problems += [kept] if self.persist else []  # else a cache only read (by a check): nothing to tell
            kept, self.saved = {}, None
        bodied = {path: with_body(post, kept[path]) for path, post in waiting.items() if path in kept}
        for path in waiting.keys() - kept.keys():
            found = self.seen_posts.get(path)
            entry = parse_file(self.config.tz, (path, found, None))[1] if found else None
            if entry is None or entry.parsed is None or entry.digest != waiting[path].digest:
                problems += entry.problems if entry and entry.problems else \
                    [Problem(path, "changed during the build; build again")]
            else:
                bodied[path] = replace(waiting[path], html=entry.parsed.html, _quoted=None)
        return bodied, problems

    def diff_posts(self, inputs: Inputs) -> tuple[dict[str, FileState | None], list[tuple[str, Found, bytes | None]]]:
        """The post files whose state changed (None: gone) but whose parse holds, and those to parse."""
        files, seen, self.seen_posts = self.state.files, self.seen_posts, inputs.posts
        if inputs.restated is not None and inputs.base is seen:  # a rescan of what this engine saw last
            rels: Iterable[str] = sorted(inputs.restated)
        else:
            rels = [*inputs.posts, *(rel for rel in files if rel not in inputs.posts)]
        changed: dict[str, FileState | None] = {}
        misses = []
        for rel in rels:
            found, entry = inputs.posts.get(rel), files.get(rel)
            if found is None:
                if entry is not None:
                    changed[rel] = None
            elif entry is None or seen.get(rel) is not found:  # a rescan keeps the Found of every file it left
                new, data = reusable(self.state, rel, found, post_digest)
                if new is None:
                    misses.append((rel, found, data))
                elif new is not entry:
                    changed[rel] = new
        return changed, misses

    def reload_sources(self, found: Found | None) -> bool:
        """Read sources.yaml again if its stat changed; True (and no site to patch) when what it says changed."""
        if found == self.sources_stat:
            return False
        self.sources_stat = found
        sources, self.source_problems = load_sources(self.config.root) if found else (NO_SOURCES, [])
        if sources == self.sources:
            return False
        self.sources, self.site = sources, None  # every source may fold differently: index again
        return True

    def patch(self, old_files: dict[str, FileState], moved: Iterable[str], now: datetime) -> Dirty:
        """Bring the site up to the parsed files, of which `moved` changed; what that moved."""
        files = self.state.files
        selection = Selection(self.options.drafts, self.options.future)
        if self.site is None and not self.state.pages:  # nothing rendered to compare with
            self.site = index_site((e.parsed for e in files.values() if e.parsed), self.config, self.urls, now,
                                   selection, self.sources)
            return Dirty(everything=True)
        if self.site is None:  # the site as the last build left it, then the changes since
            self.site = index_site((e.parsed for e in old_files.values() if e.parsed), self.config, self.urls,
                                   datetime.fromtimestamp(self.state.saved_ns / 1e9).astimezone(now.tzinfo),
                                   selection, self.sources)
        site = self.site
        changes: dict[str, Parsed | None] = {}
        for rel in sorted(moved):
            parsed = files[rel].parsed if rel in files else None
            if site.records.get(rel) is not parsed:
                changes[rel] = parsed
        for path in site.due(now):
            changes.setdefault(path, site.records[path])
        groups = {g for rel in changes for p in (site.records.get(rel), changes[rel]) if p
                  for g in group_keys(p, site.sources)}
        wide = self.fingerprints.wide
        sizes_before, before = sizes(site, groups), {rel: spot(site, rel, wide) for rel in changes}
        names = {group: site.shown(group) for group in groups}
        site.advance(now)  # after the spots: a post placed for them shows what the last build showed
        renamed = set()
        for rel, parsed in changes.items():
            renamed |= site.put(parsed) if parsed is not None else site.drop(rel)
        return touched(site, before, sizes_before, renamed | site.renamed_since(names), wide)

    @cached_property
    def compiled(self) -> CompiledTemplates | None:
        """Where this engine's renderers keep compiled templates: one folder, opened once, for every renderer."""
        from linkblog.compiled import compiled_templates

        return compiled_templates(self.code)

    def templates(self, inputs: Inputs) -> tuple[Renderer, dict[str, str], list[Problem]]:
        """The renderer (a new one when a template changed) and each page template's digest."""
        from linkblog.render import Renderer

        stats = [(f.path, f.changed_ns, f.size) for f in inputs.templates]
        if self.renderer is None or stats != self.template_stats:
            self.renderer = Renderer(self.config, template_dirs(self.config.root), self.urls, self.compiled)
            self.template_key = template_key(inputs.templates)
            # Working digests out parses every template; the last good build's hold while no byte changed.
            if self.template_key == self.state.template_key and self.state.templates:
                self.digests = dict(self.state.templates), []
            else:
                digests, problems = self.renderer.template_digests(set(TEMPLATES.values()))
                if not errors(problems):  # kept with the digests: a template may only be unused while no byte changes
                    unused = self.renderer.unused_templates(set(TEMPLATES.values()), own_names(inputs, self.config))
                    digests |= dict.fromkeys(unused, UNUSED)
                    digests |= dict.fromkeys(map(warning_key, self.renderer.hidden_blocks()), HIDDEN_BLOCK)
                self.digests = digests, problems
            self.template_stats = stats
        digests, problems = self.digests
        unused = [name for name, digest in digests.items() if digest == UNUSED]
        hidden = [keyed_warning(key) for key, digest in digests.items() if digest == HIDDEN_BLOCK]
        return self.renderer, digests, problems + self.renderer.unused_warnings(unused) + hidden

    def layout(self, dirty: Dirty) -> Layout:
        """Every page's URL and file, worked out again only when a change can add, drop or move a page."""
        site = self.site
        assert site is not None
        moved = urls_moved(dirty)
        if self.last_layout is None or moved:
            generated = generated_urls(site)
            urls = page_urls(site, generated)
            known = self.state.outputs and self.state.pages  # else a folder written whole, or held_files
            files = {self.urls.file_for(url) for url in urls} if moved or not known else None
            self.last_layout = Layout(urls, files, collisions(site, generated))
        return self.last_layout

    def note_problems(self, changed: dict[str, FileState | None]) -> None:
        """Keep each post file's problems up to date with the files this build read, not by a pass over all."""
        if self.post_problems is None:
            self.post_problems = {rel: e.problems for rel, e in self.state.files.items() if e.problems}
            return
        for rel, entry in changed.items():
            if entry is not None and entry.problems:
                self.post_problems[rel] = entry.problems
            else:
                self.post_problems.pop(rel, None)

    def problems(self, inputs: Inputs, layout: Layout) -> list[Problem]:
        """Every post's problems, odd spellings, and URLs two pages or a static file would share."""
        site = self.site
        assert site is not None
        found = [p for problems in (self.post_problems or {}).values() for p in problems] + self.source_problems \
            + site.warnings()
        # Most rebuilds move no page and no static file: the last answer holds.
        last_layout, last_static, clashes = self.static_check
        if last_layout is not layout or last_static != inputs.static:
            clashes = static_collisions(site, layout.urls, inputs.static) + hosting_collisions(site, inputs.static)
            self.static_check = layout, inputs.static, clashes
        return found + layout.collisions + clashes

    def write(self, renderer: Renderer, todo: list[PageSpec], store: EntryStore | None, layout: Layout,
              inputs: Inputs, progress: Progress, timer: Timer) -> BuildResult:
        """Render the pages to do into a stage, add static and hosting files, then swap or apply it."""
        state = self.state
        out = self.config.output_path
        stage = Stage(out, full=not state.outputs and not os.path.lexists(out / GIT), unlisted=not state.outputs)
        todo = sorted(todo, key=render_order)
        try:
            stage.open()
            with timer("render"):
                job = RenderJob(self.config, renderer.template_dirs, stage, todo, state.outputs, renderer,
                                renderer.compiled)
                renderer.kept = store
                try:
                    rendered = map_items(render_one, job, range(len(todo)), self.jobs,
                                         counter("render", todo, progress), self.least_shared(stage.full))
                finally:
                    renderer.kept = None  # the next build brings the cache's entries as they are then
                if store:
                    state.entries |= store.made
            failures = [r.problem for r in rendered if r.problem is not None]
            if failures:
                stage.discard()
                return BuildResult(failures)
            with timer("write"):
                progress("write", 0, 1)  # where a build may still stop: nothing has left the stage yet
                kept = index_files(state.outputs) if self.config.search else set()  # replaced only if re-indexed
                files = layout.files | kept if kept and layout.files is not None else layout.files
                racy = {rel for rel, found in inputs.static.items() if is_racy(found.changed_ns, inputs.started_ns)}
                outputs = stage_changes(stage, state.outputs, [(r.rel, r.digest, r.changed) for r in rendered],
                                        files, inputs.static, hosting_files(self.config.cname), racy)
            if self.config.search:
                with timer("search"):
                    posts = [self.urls.file_for(url) for url, kind in layout.urls.items() if kind is PageKind.POST]
                    outputs = update_index(stage, outputs, posts, again=self.reindex)
                    self.reindex = False
        except SearchError as exc:
            stage.discard()
            return BuildResult([exc.problem])
        except OSError as exc:  # a full disk, a read-only folder: nothing in the output changed
            stage.discard()
            return BuildResult([self.unwritable(exc)])
        except BaseException:  # a failed or interrupted build leaves no stage behind
            stage.discard()
            raise
        with timer("write"):
            # Should the build die from here on, the next one must not trust the old manifest.
            state.outputs, state.pages = {}, {}
            warnings = mark_dirty(self.config.root, self.config.output_path) if self.persist else []
            try:
                stage.commit(durable=self.persist)  # a build that keeps no cache writes a folder nothing keeps
            except OSError as exc:  # the output was put back as it was; the next build writes it whole
                stage.discard()
                return BuildResult([self.unwritable(exc)])
        state.outputs = outputs
        pages = [page.url for page, r in zip(todo, rendered, strict=True) if r.changed]
        return BuildResult(warnings, written=sorted(set(stage.written)), deleted=stage.deleted, pages=pages,
                           rendered=len(todo))

    def unwritable(self, exc: OSError) -> Problem:
        """The output file (else the output folder) a build could not write, and why."""
        out = self.config.output_path
        # A rename names where it moved from and to: the output file it was to replace says the most.
        named = [Path(os.fsdecode(name)) for name in (exc.filename2, exc.filename) if name]
        path = next((p for p in named if p.is_relative_to(out)), named[0] if named else out)
        why = exc.strerror or str(exc)
        if exc.errno in (errno.EBUSY, errno.EXDEV) and os.path.ismount(out):  # a Docker volume, a mounted web root
            return Problem(self.config.output_dir, f"cannot be replaced ({why}): it is a mount point, and a build "
                           "prepares its output beside it and moves it in; build into a folder inside it instead "
                           f"(output_dir: {self.config.output_dir.rstrip('/')}/site)")
        if path.is_relative_to(out) and path != out:
            return Problem(f"{self.config.output_dir.rstrip('/')}/{path.relative_to(out).as_posix()}",
                           f"cannot be written ({why})")
        if path == out.parent or path.is_relative_to(stage_dir(out)):  # the stage beside it
            return Problem(str(out.parent), f"cannot be written ({why}); a build prepares its output in a hidden "
                                            f"folder here, beside {self.config.output_dir}, and then moves it in")
        if path != out:  # a static file gone or unreadable since the scan
            return Problem(shown_path(str(path), self.config.root), f"cannot be read ({why})")
        return Problem(self.config.output_dir, f"cannot be written ({why})")

    def least_shared(self, full: bool) -> int:
        """The fewest pages worth spreading over workers in a build (that writes the output whole, if `full`)."""
        if full:
            return MIN_ITEMS
        return SHARED_PAGES if self.persist else PREVIEW_SHARED_PAGES

    def kept_entries(self, todo: list[PageSpec]) -> EntryStore | None:
        """The list and feed entries the cache keeps for the posts these pages show; a preview keeps its own in
        memory."""
        from linkblog.render import FEED_ENTRY, LIST_ENTRY

        if not self.persist:
            return None
        shown = {(LIST_ENTRY if page.kind in ENTRY_LISTS else FEED_ENTRY, post.path)
                 for page in todo if page.kind in ENTRY_LISTS or page.kind in FEED_KINDS for post in page.posts}
        return EntryStore(key_of(self.state.render_key, self.template_key), load_entries(self.config.root, shown),
                          self.fingerprints)

    def left_out(self, result: BuildResult, inputs: Inputs) -> None:
        """Name what the build did not publish: drafts, posts dated later, files that are not posts."""
        site = self.site
        assert site is not None
        for parsed in (site.records[path] for path in sorted(site.held)):
            result.left_out.append("draft" if parsed.draft and not self.options.drafts
                                   else f"dated {parsed.date:%Y-%m-%d %H:%M} {parsed.date.tzname()}")
        result.ignored = inputs.ignored


def own_names(inputs: Inputs, config: Config) -> list[str]:
    """The site's own templates as the scan found them (none when its templates/ is the theme's)."""
    own, *theme = template_dirs(config.root)
    return [found.rel for found in inputs.templates if theme and Path(found.path).is_relative_to(own)]


def warning_key(problem: Problem) -> str:
    """A warning as State.templates keeps it: a key no template name is."""
    return json.dumps([problem.path, problem.line, problem.message])


def keyed_warning(key: str) -> Problem:
    path, line, message = json.loads(key)
    return Problem(path, message, line, warning=True)


def updated_files(files: dict[str, FileState], changed: dict[str, FileState | None]) -> dict[str, FileState]:
    """The state of every post file after this build's reads (None: gone), in path order."""
    if all(entry is not None and rel in files for rel, entry in changed.items()):
        return {**files, **changed}  # type: ignore[dict-item] - the same files: their order holds
    return {rel: entry for rel, entry in sorted({**files, **changed}.items()) if entry is not None}


def counter(stage: str, items: Any, progress: Progress) -> Any:
    """A callback for map_items that reports a running count of `items` done."""
    done = [0]

    def advance(count: int) -> None:
        done[0] += count
        progress(stage, done[0], len(items))

    return advance


def entry_use(page: PageSpec) -> str | None:
    """Which kept entry shows a post on this page, if one does (the default theme's pages)."""
    from linkblog.render import FEED_ENTRY, LIST_ENTRY

    return FEED_ENTRY if page.kind in FEED_KINDS else LIST_ENTRY if page.kind in ENTRY_LISTS else None


def render_order(page: PageSpec) -> int:
    """Where a page goes in the batch: this process takes pages from the front, workers from the back.

    Feeds first, the costliest pages (each joins twenty entries made absolute), so no process is left with one
    at the end; lists next, so this process makes most of the entries they share, and keeps them in the cache
    (a worker's are made again by a later build); post pages last."""
    return 0 if page.kind in FEED_KINDS else 2 if page.kind is PageKind.POST else 1


def parse_file(tz: Any, item: tuple[str, Found, bytes | None]) -> tuple[str, FileState]:
    """Read (if need be) and parse one post file (runs in a worker)."""
    from linkblog.content import parse_post

    rel, found, data = item
    if data is None:
        try:
            data = Path(found.path).read_bytes()
        except OSError as exc:
            return rel, FileState(found.changed_ns, found.size, "", None,
                                  [Problem(rel, f"cannot be read ({exc.strerror or exc})")])
    parsed, problems = parse_post(rel, data, tz)
    return rel, FileState(found.changed_ns, found.size, post_digest(rel, data), parsed, problems)


def render_one(job: RenderJob, index: int) -> Rendered:
    """Render one page; stage it if its bytes differ from the output's (runs in a worker)."""
    from linkblog.render import RenderError

    page = job.pages[index]
    renderer = job.get_renderer()
    rel = renderer.urls.file_for(page.url)
    try:
        data = page_bytes(renderer, job.config, page)
    except RenderError as exc:
        return Rendered(rel, problem=exc.problem)
    except ValueError as exc:  # lxml refuses text no XML document may hold
        return Rendered(rel, problem=Problem(f"templates/{page.template}",
                                             f"{page.url}: a feed cannot hold this text ({exc})"))
    digest = digest_bytes(data)
    changed = job.outputs.get(rel) != digest
    if changed:
        job.stage.put(rel, data)
    return Rendered(rel, digest, changed)


def page_bytes(renderer: Renderer, config: Config, page: PageSpec) -> bytes:
    if page.kind in (PageKind.RSS, PageKind.ATOM):
        from linkblog.feeds import feed_bytes

        return feed_bytes(page, config, [renderer.render_entry(p) for p in page.posts], renderer.urls.origin)
    return renderer.render_page(page)

"""Site search (`search: true`): Pagefind indexes the built post pages into the stage, before it is committed.

The index is made from the staged pages and the output's unchanged ones, and written into the stage
like any other file, so a failed index leaves the output as it was. A build that wrote no page keeps
the last index as it is.

A preview's builds run under `Later.builds()`: a build that would index again (its output has an
index, and it is not a full build) leaves a `Reindex` instead, which the preview runs once the
build's pages have been told to open pages, and which replaces the output's pagefind/ folder whole.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from linkblog.digest import digest_bytes
from linkblog.output import Stage, exchange
from linkblog.problems import Problem

if TYPE_CHECKING:
    import subprocess

FOLDER = "pagefind/"  # where the index and Pagefind's scripts go in the output, as Pagefind UI expects
EXTRA = "pip install 'linkblog[search]'"
POLL_SECONDS = 0.005  # how often a re-index left for later asks whether it is still wanted


@dataclass(frozen=True)
class Reindex:
    """The index a build left for later: the output, and its post pages (relative paths) to index."""

    out: Path
    pages: tuple[str, ...]


class Later:
    """Where the builds run under `builds()` leave their re-index: the latest one still to run, if any."""

    def __init__(self) -> None:
        self.pending: Reindex | None = None

    @contextmanager
    def builds(self) -> Iterator[None]:
        token = _later.set(self)
        try:
            yield
        finally:
            _later.reset(token)


_later: ContextVar[Later | None] = ContextVar("linkblog_search_later", default=None)


class SearchError(Exception):
    """Pagefind is missing or failed; carries the one-line Problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def pagefind_binary() -> str | None:
    """The Pagefind executable the `pagefind` package runs (its bundled binary first), or None without one."""
    try:
        from pagefind.service import get_executable  # the extra; imported only by sites that search
    except ImportError:
        return None
    try:
        found = get_executable()
    except OSError:  # pagefind_bin installed without its binary
        return None
    return str(found) if found is not None and found.is_file() else None


def missing_problem(where: str) -> Problem:
    """The problem of `search: true` without Pagefind: which extra to install."""
    return Problem(where, f"'search: true' needs Pagefind, which is not installed: {EXTRA}")


def index_files(outputs: Iterable[str]) -> set[str]:
    """The files of the last index, in an output manifest (or any set of output files)."""
    return {rel for rel in outputs if rel.startswith(FOLDER)}


HOME_FILE = "index.html"


def update_index(stage: Stage, outputs: dict[str, str], pages: list[str], again: bool = False) -> dict[str, str]:
    """Index the post pages into the stage when a page changed, there is no index or `again` (a file of it is
    gone); the manifest with it."""
    old = index_files(outputs)
    if old and not again and not any(rel.endswith(".html") for rel in (*stage.written, *stage.deleted)):
        return outputs
    later = _later.get()
    if later is not None and old and not stage.full:
        # The last index's files stay in the manifest, so no build deletes them; the re-index replaces them.
        later.pending = Reindex(stage.out, tuple(pages))
        return outputs
    # Pagefind cannot index nothing: a site without posts indexes its home page, so that the search page's
    # script and style are there (and it finds the site by its title) until its first post.
    built = run_pagefind(stage, pages or [HOME_FILE])
    if later is not None:
        later.pending = None  # what an earlier build left is older than this index
    new = dict(outputs)
    for rel in sorted(old - built.keys()):
        del new[rel]
        stage.deleted.append(rel)
    for rel, path in built.items():
        digest = digest_bytes(path.read_bytes())
        if stage.full or outputs.get(rel) != digest:  # an unchanged chunk keeps its file and mtime
            stage.copy(rel, path)
        new[rel] = digest
    return new


def run_pagefind(stage: Stage, pages: list[str]) -> dict[str, Path]:
    """Pagefind over the pages (each as staged, else as in the output); its files by output path."""
    import subprocess  # loaded by the builds that index, not by every build

    binary = pagefind_binary()
    if binary is None:
        raise SearchError(missing_problem("search"))
    site, bundle = stage.root / "search-site", stage.root / "search-index"
    for rel in pages:
        staged = stage.staged(rel)
        link(staged if staged.exists() else stage.out / rel, site / rel)
    command = [binary, "--site", str(site), "--output-path", str(bundle), "--quiet"]
    try:
        # In the stage, so no pagefind.yml of the folder linkblog runs in changes the index.
        done = subprocess.run(command, cwd=stage.root, capture_output=True, text=True, errors="replace")
    except OSError as exc:
        raise SearchError(run_problem(exc)) from None
    if done.returncode != 0:
        raise SearchError(failed_problem(done))
    return {FOLDER + path.relative_to(bundle).as_posix(): path for path in sorted(bundle.rglob("*")) if path.is_file()}


def reindex(job: Reindex, interrupted: Callable[[], bool]) -> bool:
    """Index the post pages as they now are in the output and put the index in place of its pagefind/.

    False, with the output as it was, when `interrupted()` turned true first (Pagefind is stopped).
    Raises SearchError when Pagefind is missing or fails; the last index then stays.
    """
    target = job.out / FOLDER.rstrip("/")
    binary = pagefind_binary()
    if binary is None:
        raise SearchError(missing_problem("search"))
    import tempfile

    work = Path(tempfile.mkdtemp(prefix=".linkblog-index-", dir=job.out.parent))  # beside the output: one filesystem
    try:
        site, bundle = work / "search-site", work / "search-index"
        for rel in job.pages or (HOME_FILE,):  # as update_index does for a site without posts
            if (job.out / rel).is_file():
                link(job.out / rel, site / rel)
        done = run_until(work, [binary, "--site", str(site), "--output-path", str(bundle), "--quiet"], interrupted)
        if done is None:
            return False
        if done.returncode != 0:
            raise SearchError(failed_problem(done))
        if not (target.is_dir() and exchange(bundle, target)):  # else the old index goes with the work folder
            shutil.rmtree(target, ignore_errors=True)
            os.replace(bundle, target)
        return True
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_until(work: Path, command: list[str], interrupted: Callable[[], bool]) -> subprocess.CompletedProcess | None:
    """Run a command in `work`, its output to a file there; None, the command killed, once `interrupted()`."""
    import subprocess

    with open(work / "pagefind.log", "w+", encoding="utf-8", errors="replace") as log:
        try:
            process = subprocess.Popen(command, cwd=work, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT)
        except OSError as exc:
            raise SearchError(run_problem(exc)) from None
        while True:
            try:
                code = process.wait(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if interrupted():
                    process.kill()
                    process.wait()
                    return None
        log.seek(0)
        return subprocess.CompletedProcess(command, code, log.read(), "")


def run_problem(exc: OSError) -> Problem:
    return Problem("search", f"Pagefind could not be run ({exc.strerror or exc})")


def failed_problem(done: subprocess.CompletedProcess[str]) -> Problem:
    return Problem("search", f"Pagefind could not index the site: {reason(done)}")


def link(source: Path, target: Path) -> None:
    """Put a page where Pagefind reads it: a hard link (nothing copied), or a copy where links are refused."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def reason(done: subprocess.CompletedProcess[str]) -> str:
    """Why Pagefind failed, in one line: its first error, else its last line, else its exit status."""
    lines = [line.strip() for line in (done.stderr + "\n" + done.stdout).splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error")]
    return (errors or lines[-1:] or [f"exit status {done.returncode}"])[0]

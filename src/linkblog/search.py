"""Site search (`search: true`): Pagefind indexes the built post pages into the stage, before it is committed.

The index is made from the staged pages and the output's unchanged ones, and written into the stage
like any other file, so a failed index leaves the output as it was. A build that wrote no page keeps
the last index as it is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from linkblog.digest import digest_bytes
from linkblog.output import Stage
from linkblog.problems import Problem

FOLDER = "pagefind/"  # where the index and Pagefind's scripts go in the output, as Pagefind UI expects
EXTRA = "pip install 'linkblog[search]'"


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


def index_files(outputs: dict[str, str]) -> set[str]:
    """The files of the last index, in an output manifest."""
    return {rel for rel in outputs if rel.startswith(FOLDER)}


def update_index(stage: Stage, outputs: dict[str, str], pages: list[str]) -> dict[str, str]:
    """Index the post pages into the stage when a page changed or there is no index; the manifest with it."""
    old = index_files(outputs)
    if old and not any(rel.endswith(".html") for rel in (*stage.written, *stage.deleted)):
        return outputs
    # Pagefind cannot index nothing: a site without posts has no index until its first post.
    built = run_pagefind(stage, pages) if pages else {}
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
    binary = pagefind_binary()
    if binary is None:
        raise SearchError(missing_problem("search"))
    site, bundle = stage.root / "search-site", stage.root / "search-index"
    for rel in pages:
        staged = stage.tree / rel
        link(staged if staged.exists() else stage.out / rel, site / rel)
    command = [binary, "--site", str(site), "--output-path", str(bundle), "--quiet"]
    try:
        # In the stage, so no pagefind.yml of the folder linkblog runs in changes the index.
        done = subprocess.run(command, cwd=stage.root, capture_output=True, text=True, errors="replace")
    except OSError as exc:
        raise SearchError(Problem("search", f"Pagefind could not be run ({exc.strerror or exc})")) from None
    if done.returncode != 0:
        raise SearchError(Problem("search", f"Pagefind could not index the site: {reason(done)}"))
    return {FOLDER + path.relative_to(bundle).as_posix(): path for path in sorted(bundle.rglob("*")) if path.is_file()}


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

"""ImportedPost records -> posts/ files: named as `linkblog new` names them, checked by linkblog's own
parser, and written only when every file is ready, never over a file that differs (#16)."""

from __future__ import annotations

import errno
import os
import unicodedata
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from linkblog.config import Config
from linkblog.content import parse_post
from linkblog.importers.records import ImportedPost
from linkblog.model import alias_path
from linkblog.plan import reserved
from linkblog.problems import Problem
from linkblog.scan import PRIVATE
from linkblog.urls import MAX_SLUG_BYTES, ascii_host, is_safe_slug, output_file, permalink_path, slugify
from linkblog.yamlload import CONTROL_CHARACTERS


class FrontMatterDumper(yaml.SafeDumper):
    """safe_dump's dumper, writing lists on one line as `linkblog new` does: tags: [a, b]."""


FrontMatterDumper.add_representer(
    list, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True))


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """A post file ready to write: where, its bytes, and the import record it came from."""

    path: Path
    data: bytes
    post: ImportedPost


@dataclass
class Claimed:
    """The files of the pages an old address must not take, as a build writes them: the posts' (those imported, at
    the URL their first choice of slug gives them, and the site's own), and the old addresses already kept."""

    posts: set[str]
    old: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What writing a plan did: files new, identical already, replaced (--force), and left alone."""

    written: list[PlannedFile]
    unchanged: list[PlannedFile]
    overwritten: list[PlannedFile]
    clashes: list[PlannedFile]


def plan_files(posts: list[ImportedPost], into: Path, config: Config,
               published: dict[str, set[str]] | None = None) -> tuple[list[PlannedFile], list[Problem]]:
    """A file for each post; a slug another post already took (same URL: one imported before it, or one of the
    site's own, `published` by URL) gets -2, -3... Numbered oldest first, so that a feed grown by a newer
    entry since an import gives the older ones their names again."""
    taken: set[str] = set()
    planned, problems = [], []
    moved_in = read_as(into, config.posts_path) is not None
    claimed = Claimed({output_file(url) for url in published or {}} | {
        output_file(permalink_path(config.permalink, post.date.astimezone(config.tz), chosen_slug(post)))
        for post in posts})
    for post in sorted(posts, key=lambda each: each.date):
        file, problem = plan_file(post, into, config, taken, published or {}, moved_in, claimed)
        if file:
            planned.append(file)
        if problem:
            problems.append(problem)
    return planned, problems


def read_as(into: Path, posts: Path) -> Path | None:
    """Where a build finds the folder `into` under posts/ (its path there), walking posts/ as a build does: links
    followed, but never one to a folder it is in, nor a name it skips; else its place under posts/ by its own path
    (under a name a build skips, so read by none); None when it is outside posts/."""
    target, root = into.resolve(), posts.resolve()
    above = {identity for folder in {posts, *Path(os.path.abspath(posts)).parents, *root.parents}
             if (identity := folder_identity(folder))}
    found = walked_to(posts, target, Path(), above)
    if found is not None:
        return found
    return target.relative_to(root) if target.is_relative_to(root) else None


def walked_to(folder: Path, target: Path, rel: Path, above: set[tuple[int, int]]) -> Path | None:
    """The path under posts/ (from `folder`, at `rel`) by which a build's walk reaches `target`, if one does."""
    real = folder.resolve()
    if target.is_relative_to(real) and not target.relative_to(real).parts:
        return rel
    try:
        with os.scandir(folder) as listing:
            folders = [entry for entry in listing if not entry.name.startswith(PRIVATE) and entry.is_dir()]
    except OSError:
        return None
    if target.is_relative_to(real) and not target.exists():  # made by this import, in a folder a build reads
        first = target.relative_to(real).parts[0]
        if not first.startswith(PRIVATE):
            return rel / target.relative_to(real)
    for entry in folders:
        identity = folder_identity(Path(entry.path))
        if identity is None or identity in above:  # a link to a folder it is in: the build refuses it
            continue
        found = walked_to(Path(entry.path), target, rel / entry.name, above | {identity})
        if found is not None:
            return found
    return None


def folder_identity(folder: Path) -> tuple[int, int] | None:
    try:
        stat = folder.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def plan_file(post: ImportedPost, into: Path, config: Config, taken: set[str], published: dict[str, set[str]],
              moved_in: bool, claimed: Claimed) -> tuple[PlannedFile | None, Problem | None]:
    """The first free name for one post, checked by parsing it as a build would; with `into` under posts/
    (`moved_in`), the site's post at that URL that is byte for byte the file it would write (imported before,
    wherever under posts/) is the post's place."""
    base = chosen_slug(post)
    for number in count(1):
        slug = base if number == 1 else f"{base[: MAX_SLUG_BYTES - 8].rstrip('-')}-{number}"
        name = f"{post.date:%Y-%m-%d}-{slug}.md"  # the day as the post's own offset has it
        own = permalink_path(config.permalink, post.date.astimezone(config.tz), slug)
        aliases = kept_aliases(post, own, config.url, claimed)
        data = post_bytes(post, slug, aliases)
        parsed, problems = parse_post(f"posts/{name}", data, config.tz)
        if parsed is None:
            return None, Problem(post.origin, f"not imported: {problems[0].message}", warning=True)
        url = permalink_path(config.permalink, parsed.date, parsed.slug)
        place = None if url in taken or name in taken or reserved(url) else \
            free_place(published.get(url, set()), into / name, data, moved_in)
        if place is not None:
            taken.update((url, name))
            claimed.old.update(output_file(unquote(alias)) for alias in aliases)
            return PlannedFile(place, data, post), None
    return None, None  # pragma: no cover - count() never ends


def kept_aliases(post: ImportedPost, own: str, url: str, claimed: Claimed) -> list[str]:
    """The post's old addresses as its `aliases:` lists them, but for its new one and any a build would refuse:
    one no page can be at, one outside this site, one another page has (the site's own, another post's)."""
    kept: list[str] = []
    for old in post.aliases:
        path = site_alias(old, post.old_site, url)
        if path is None:
            continue
        written, file = written_path(path), output_file(path)
        if written not in kept and file != output_file(own) and not (
                reserved(path) or file in claimed.posts or file in claimed.old):
            kept.append(written)
    return kept


def site_alias(old: str, old_site: str | None, url: str) -> str | None:
    """An old address as a path of this site, as `aliases:` reads it (/old is /old/); None for one no page of this
    site can be at."""
    path = on_this_site(old, old_site, url)
    try:
        return alias_path(written_path(path), "aliases") if path else None
    except ValueError:  # a . or .. segment, a control character...
        return None


def written_path(path: str) -> str:
    """A site path as `aliases:` lists it, so that reading it gives the path back: %, ? and # percent-encoded."""
    return path.replace("%", "%25").replace("?", "%3F").replace("#", "%23")


def on_this_site(path: str, old_site: str | None, url: str) -> str | None:
    """An old address (a path from the old site's root) as a path of this site. On the old site's own host, it is
    the same address, under this site's path (None when outside it); elsewhere, the path as the old site had it,
    for this site to take the old one's place."""
    try:
        old, new = urlsplit(old_site or ""), urlsplit(url)
        hosts = old.hostname, new.hostname
    except ValueError:  # an old site's address that is no URL ([ never closed): its host is unknown
        return path
    if not old_site or not same_host(*hosts):
        return path
    full = unquote(old.path).rstrip("/") + path
    base = unquote(new.path)
    return "/" + full.removeprefix(base) if full.startswith(base) else None


def same_host(one: str | None, other: str | None) -> bool:
    """True for one host name however spelled (case, Unicode or IDNA, with or without www.)."""
    return bool(one and other) and ascii_host(one).removeprefix("www.") == ascii_host(other).removeprefix("www.")


def free_place(others: set[str], path: Path, data: bytes, moved_in: bool) -> Path | None:
    """Where a post goes whose URL the site's posts `others` give themselves: its own path when none is another
    file; when one holds these very bytes, that file, which stays as it is (imported before into another folder
    of posts/), or, with `into` outside posts/, its own path still; else None, the URL being another post's."""
    others = others - {os.path.abspath(path)}
    if not others:
        return path
    same = next((Path(other) for other in sorted(others) if same_bytes(Path(other), data)), None)
    # A folder outside posts/ (to review the posts in) is asked for them: the copy under posts/ does not fill it.
    return path if same and not moved_in else same


def same_bytes(path: Path, data: bytes) -> bool:
    """True when the file at `path` holds exactly `data`."""
    try:
        return path.read_bytes() == data
    except OSError:  # gone, or unreadable, since the site was scanned: not the same post
        return False


def chosen_slug(post: ImportedPost) -> str:
    """The source's own slug when it is a safe one, else the title slugified as `linkblog new` does."""
    given = unicodedata.normalize("NFC", clean(post.slug or ""))  # a file name as a Mac stores it (NFD) too
    if given and is_safe_slug(given) and len(given.encode()) <= MAX_SLUG_BYTES:
        return given
    return slugify(given) or slugify(clean(post.title)) or "post"


def post_bytes(post: ImportedPost, slug: str, aliases: list[str] | None = None) -> bytes:
    """The file: YAML front matter (safe_dump, fields in the order a post shows them) and the body."""
    front = yaml.dump(front_matter(post, slug, aliases), Dumper=FrontMatterDumper, allow_unicode=True, sort_keys=False,
                      default_flow_style=False, width=1000)
    body = "\n\n".join(part for part in (clean(text).strip("\n") for text in (post.body, post.attached)) if part)
    return f"---\n{front}---\n{body}\n".encode()


def front_matter(post: ImportedPost, slug: str, aliases: list[str] | None = None) -> dict[str, Any]:
    """The fields that say something; `slug` only where the file name would not give it back."""
    meta: dict[str, Any] = {"title": " ".join(clean(post.title).split()), "date": post.date}
    optional = {
        "tags": [clean(tag) for tag in post.tags] or None,
        "link": post.link,
        "source": clean(post.source or "") or None,
        "via": via_value(post),
        "slug": slug if slugify(slug) != slug else None,
        "draft": post.draft or None,
        "summary": clean(post.summary or "").strip() or None,
        "author": clean(post.author or "") or None,
        "aliases": aliases or None,
    }
    meta.update({key: value for key, value in optional.items() if value is not None})
    return meta


def via_value(post: ImportedPost) -> str | dict[str, str] | None:
    if post.via is None:
        return None
    name = clean(post.via.name)
    return {"name": name, "url": post.via.url} if post.via.url else name


def clean(text: str) -> str:
    """Text without the control characters linkblog refuses in a post (old exports do carry them)."""
    return CONTROL_CHARACTERS.sub("", text)


def write_plan(planned: list[PlannedFile], force: bool) -> Outcome:
    """Write every new (or, with force, changed) file: all to temporary files first, then renamed."""
    outcome = Outcome([], [], [], [])
    for file in planned:
        existing = existing_bytes(file.path)
        if existing is None:
            outcome.written.append(file)
        elif existing == file.data:
            outcome.unchanged.append(file)
        else:
            (outcome.overwritten if force else outcome.clashes).append(file)
    write_atomically(outcome.written + outcome.overwritten)
    return outcome


def existing_bytes(path: Path) -> bytes | None:
    """The bytes of the file at a post's place, None when nothing is there; a folder (or anything else that is not
    a file) there stops the import before any file is written, since no --force may replace it."""
    if path.is_file():
        return path.read_bytes()
    if path.exists():
        raise OSError(errno.EEXIST, "not a file, where an imported post goes", str(path))
    return None


def write_atomically(files: list[PlannedFile]) -> None:
    """Write each file beside its place, then rename them all; any failure undoes the renames already done and
    removes the temporary files, so no import is half-written, and its error names the post's file."""
    temporary: list[tuple[Path, Path]] = []
    moved: list[tuple[Path, bytes | None]] = []
    current: Path | None = None  # the post whose file failed, which the error names rather than its temporary file
    try:
        for file in files:
            current = file.path
            file.path.parent.mkdir(parents=True, exist_ok=True)
            temp = file.path.with_name(f".{file.path.name}.importing")
            temporary.append((temp, file.path))  # before it is written: one written in part is removed too
            temp.write_bytes(file.data)
        for temp, current in temporary:
            old = current.read_bytes() if current.is_file() else None
            os.replace(temp, current)
            moved.append((current, old))
    except OSError as exc:
        undo(moved)
        for temp, _ in temporary:
            temp.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror or str(exc), str(current)) from exc


def undo(moved: list[tuple[Path, bytes | None]]) -> None:
    """Put back what renamed files replaced (their old bytes), and remove those that were new."""
    for path, old in reversed(moved):
        with suppress(OSError):  # the error that stopped the import is the one to report
            if old is None:
                path.unlink()
            else:
                path.write_bytes(old)

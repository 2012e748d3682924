"""Posts -> a Site: what is published, in what order, grouped by tag, source and date."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from linkblog.config import Config
from linkblog.model import Group, Post, Ref, Site
from linkblog.problems import Problem
from linkblog.urls import Urls, permalink_path, slugify


def published(posts: list[Post], now: datetime, drafts: bool, future: bool) -> list[Post]:
    """Posts that belong in this build, newest first, ties broken by slug."""
    chosen = [p for p in posts if (drafts or not p.draft) and (future or p.date <= now)]
    return sorted(chosen, key=lambda p: (p.date, p.slug), reverse=True)


def index_site(
    posts: list[Post], config: Config, now: datetime, drafts: bool = False, future: bool = False
) -> tuple[Site, list[Problem]]:
    """Place every published post at its URL and gather the tag, source and date groups."""
    urls = Urls(config.url)
    chosen = [replace(p, date=p.date.astimezone(config.tz)) for p in published(posts, now, drafts, future)]
    tag_names, problems = canonical_names(chosen, lambda p: p.tags, "tag")
    source_names, source_problems = canonical_names(chosen, lambda p: [p.source] if p.source else [], "source")
    placed = [place(p, config, urls, tag_names, source_names) for p in chosen]
    site = Site(
        posts=placed,
        tags=groups(placed, lambda p: [(r.slug, r.name) for r in p.tag_refs], "/tag/{}/", urls),
        sources=groups(placed, lambda p: [(p.source_ref.slug, p.source_ref.name)] if p.source_ref else [],
                       "/source/{}/", urls),
        years=groups(placed, lambda p: [(f"{p.date.year:04d}",) * 2], "/{}/", urls),
        months=groups(placed, lambda p: [(f"{p.date:%Y/%m}", f"{p.date:%B %Y}")], "/{}/", urls),
        older={p.url: (placed[i + 1] if i + 1 < len(placed) else None) for i, p in enumerate(placed)},
        newer={p.url: (placed[i - 1] if i > 0 else None) for i, p in enumerate(placed)},
    )
    return site, problems + source_problems


def place(post: Post, config: Config, urls: Urls, tags: dict[str, str], sources: dict[str, str]) -> Post:
    """The post with its URL, permalink, shown names and fingerprint filled in."""
    site_path = permalink_path(config.permalink, post.date, post.slug)
    # "Support" and "support" on one post are one tag.
    tag_refs = tuple({r.slug: r for r in (ref(tags[slugify(t)], "/tag/{}/", urls) for t in post.tags)}.values())
    source_ref = ref(sources[slugify(post.source)], "/source/{}/", urls) if post.source else None
    placed = replace(post, url=urls.path(site_path), permalink=urls.absolute(site_path),
                     tag_refs=tag_refs, source_ref=source_ref)
    placed.fingerprint = fingerprint(placed)
    return placed


def ref(name: str, pattern: str, urls: Urls) -> Ref:
    slug = slugify(name)
    return Ref(name=name, slug=slug, url=urls.path(pattern.format(slug)))


def fingerprint(post: Post) -> str:
    """Everything about a placed post that a page showing it can depend on."""
    shown = [post.digest, post.url, post.date.isoformat(), repr(post.tag_refs), repr(post.source_ref)]
    return hashlib.blake2b("\0".join(shown).encode(), digest_size=16).hexdigest()


def canonical_names(
    posts: list[Post], names_of: Callable[[Post], list[str]], what: str
) -> tuple[dict[str, str], list[Problem]]:
    """The shown spelling for each slug (the most used one), and a warning per odd spelling."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for post in posts:
        for name in names_of(post):
            spellings[slugify(name)][name] += 1
    shown = {slug: min(c, key=lambda s: (-c[s], s)) for slug, c in spellings.items()}
    problems = [
        Problem(post.path, f"{what} '{name}' is shown as '{shown[slugify(name)]}', "
                "its most used spelling", warning=True)
        for post in posts for name in names_of(post) if name != shown[slugify(name)]
    ]
    return shown, problems


def groups(
    posts: list[Post], keys_of: Callable[[Post], list[tuple[str, str]]], pattern: str, urls: Urls
) -> list[Group]:
    """Posts gathered by key (slug, shown name), keeping the posts' order, sorted by key."""
    found: dict[str, Group] = {}
    for post in posts:
        for slug, name in keys_of(post):
            group = found.get(slug)
            if group is None:
                group = found[slug] = Group(name=name, slug=slug, url=urls.path(pattern.format(slug)))
            group.posts.append(post)
    return [found[k] for k in sorted(found)]

"""Posts -> a Site: what is published, in what order, grouped by tag, source and date."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from copy import copy
from datetime import datetime

from linkblog.config import Config
from linkblog.digest import key_of
from linkblog.model import Group, Listing, Post, Ref, Site
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
    chosen = [local_copy(p, config) for p in published(posts, now, drafts, future)]
    tag_names, problems = canonical_names(chosen, lambda p: p.tags, "tag")
    source_names, source_problems = canonical_names(chosen, lambda p: [p.source] if p.source else [], "source")
    tag_refs = refs(tag_names, "/tag/{}/", urls)
    source_refs = refs(source_names, "/source/{}/", urls)
    placed = [place(p, config, urls, tag_refs, source_refs) for p in chosen]
    site = Site(
        posts=placed,
        tags=groups(placed, lambda p: [(r.slug, r.name) for r in p.tag_refs], "/tag/{}/", urls),
        sources=groups(placed, lambda p: [(p.source_ref.slug, p.source_ref.name)] if p.source_ref else [],
                       "/source/{}/", urls),
        years=groups(placed, lambda p: [(f"{p.date.year:04d}",) * 2], "/{}/", urls),
        months=groups(placed, lambda p: [(f"{p.date:%Y/%m}", f"{p.date:%B %Y}")], "/{}/", urls),
        older={p.url: (placed[i + 1].listing if i + 1 < len(placed) else None) for i, p in enumerate(placed)},
        newer={p.url: (placed[i - 1].listing if i > 0 else None) for i, p in enumerate(placed)},
    )
    return site, problems + source_problems


def local_copy(post: Post, config: Config) -> Post:
    """A copy of a parsed post, dated in the site's timezone, for the index to place."""
    local = copy(post)
    local.date = post.date.astimezone(config.tz)
    return local


def place(post: Post, config: Config, urls: Urls, tags: dict[str, Ref], sources: dict[str, Ref]) -> Post:
    """The post with its URL, permalink, shown names and fingerprint filled in."""
    site_path = permalink_path(config.permalink, post.date, post.slug)
    post.url, post.permalink = urls.path(site_path), urls.absolute(site_path)
    # "Support" and "support" on one post are one tag.
    post.tag_refs = tuple({tags[slugify(t)]: None for t in post.tags})
    post.source_ref = sources[slugify(post.source)] if post.source else None
    post.fingerprint = fingerprint(post)
    source = f"{post.source_ref.name}\0{post.source_ref.url}" if post.source_ref else ""
    listed = key_of(post.title, post.url, post.date.isoformat(), post.link or "", source)
    post.listing = Listing(post.title, post.url, post.date, post.link, post.source_ref, listed)
    return post


def refs(names: dict[str, str], pattern: str, urls: Urls) -> dict[str, Ref]:
    """A Ref for each slug, under its shown name."""
    return {slug: Ref(name=name, slug=slug, url=urls.path(pattern.format(slug))) for slug, name in names.items()}


def fingerprint(post: Post) -> str:
    """Everything about a placed post that a page showing it can depend on."""
    shown = [post.digest, post.url, post.date.isoformat(), *(f"{r.name}\0{r.url}" for r in post.tag_refs),
             f"{post.source_ref.name}\0{post.source_ref.url}" if post.source_ref else ""]
    return key_of(*shown)



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

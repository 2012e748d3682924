"""`linkblog check`: every link, fragment, feed and sitemap entry of the built site, and the content's weak spots.

The site is built into a temporary folder (or an existing output is read); the site's own
output folder is never written. A broken link in a post's body is reported at the post,
once, naming the pages it breaks; one from a template at the first page that shows it.
"""

from __future__ import annotations

import math
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import NamedTuple
from urllib.parse import urlsplit

from lxml import etree

from linkblog.build import Builder, BuildOptions
from linkblog.check_feeds import check_feeds, check_sitemap
from linkblog.links_external import Checker, LinkStatus, Progress, check_links
from linkblog.load import Loaded, load_site
from linkblog.model import PageKind, Post
from linkblog.problems import Problem, errors, sorted_problems
from linkblog.site_links import Output, link_problem, read_output, relative, resolve, url_of
from linkblog.theme import template_dirs
from linkblog.urls import Urls, srcset_candidates
from linkblog.workers import map_items

Links = list[tuple[str, str]]  # (the link as written, the tag it is on)
HTML = etree.HTMLParser(no_network=True)
# The attributes HTML gives a URL as their value; one compiled XPath finds them all (twice as fast as iterlinks).
URL_ATTRIBUTES = etree.XPath("//@href | //@src | //@poster | //@cite | //@action | //@formaction | //@data"
                             " | //@longdesc | //@usemap | //@background | //@manifest")
SRCSETS = etree.XPath("//@srcset | //@imagesrcset")  # lists of image URLs, each with its size
# For each source of a link (a post's path, or None for the templates), the distinct pages that show it, in order.
Shown = dict[str | None, dict[str, None]]
# A post's article and via links are shown by the templates, as often as they like (a title and an attribution).
SHOWN_BY_TEMPLATES = math.inf


@dataclass
class CheckResult:
    """Every problem found, and how much was looked at."""

    problems: list[Problem] = field(default_factory=list)
    pages: int = 0
    links: int = 0
    outbound: int = 0
    notes: list[str] = field(default_factory=list)  # what the build it checks left out (drafts, other files)

    @property
    def ok(self) -> bool:
        return not errors(self.problems)


def check_site(config_path: Path, output: str | None = None, base_url: str | None = None,
               external: Checker | None = None, progress: Progress | None = None,
               jobs: int | None = None) -> CheckResult:
    """Check the site built for `base_url` (default: the config's url): in `output` if given, else built afresh;
    its build, pages and feeds shared by `jobs` processes (default: one per core)."""
    overrides = {"url": base_url, "output_dir": output}
    jobs = jobs or os.cpu_count() or 1
    with built_site(config_path, overrides, output is not None, jobs) as (out, loaded, problems, notes):
        if out is None or loaded is None:
            return CheckResult(sorted_problems(problems), notes=notes)
        result, outbound = check_output(out, loaded, jobs)
    result.notes = notes
    result.problems += problems + content_warnings(loaded.site.posts)
    if external is not None:
        statuses, cache_problems = check_links(sorted(outbound), loaded.config.root, external, progress=progress)
        result.problems += cache_problems + outbound_problems(statuses, outbound)
    result.problems = sorted_problems(result.problems)
    return result


@contextmanager
def built_site(config_path: Path, overrides: dict[str, str | None], existing: bool,
               jobs: int = 0) -> Iterator[tuple[Output | None, Loaded | None, list[Problem], list[str]]]:
    """The output to check and the site it shows, with every problem found and what a fresh build left out: the
    existing output and the site loaded as a build sees it (whose build told what it left out), or a fresh build
    in a temporary folder (removed afterwards) and the site it built."""
    if existing:
        loaded, problems = load_site(config_path, overrides)
        if loaded is None:
            yield None, None, problems, []
        elif (loaded.config.output_path / "index.html").is_file():
            yield read_output(loaded.config.output_path, loaded.config.url), loaded, problems, []
        else:
            yield None, None, problems + [Problem(loaded.config.output_dir, "holds no built site (run `linkblog "
                                                  "build` first, or leave out --output)")], []
        return
    with TemporaryDirectory(prefix="linkblog-check-") as temp:
        out = Path(temp) / "site"
        # The posts are taken from the site's build cache where it holds them, and it is left as it is.
        builder = Builder(config_path, {**overrides, "output_dir": str(out)}, BuildOptions(jobs=jobs),
                          persist=False, reads_cache=True)
        result = builder.build()
        loaded = builder.loaded() if result.ok else None  # the posts it parsed, not parsed a second time
        # Loading can find more (a post changed since the build read it): told once with the build's own.
        found = loaded.problems if loaded else []
        yield read_output(out, loaded.config.url) if loaded else None, loaded, \
            result.problems + [p for p in found if p not in result.problems], result.notes(hints=False)


def check_output(out: Output, loaded: Loaded, jobs: int = 1) -> tuple[CheckResult, dict[str, Shown]]:
    """Every link of every page, feed and sitemap entry followed to a file (and id) of the output; the pages and
    feeds are read by `jobs` processes."""
    pages, problems = parse_pages(out, jobs)
    shown = posts_by_page(loaded)
    refs = {post.path: post_refs(post) for post in loaded.site.posts}
    broken: dict[str, Shown] = defaultdict(lambda: defaultdict(dict))
    outbound: dict[str, Shown] = defaultdict(lambda: defaultdict(dict))
    followed = 0
    for rel, links in pages.items():
        sources = link_sources(links, shown.get(rel, []), refs)
        followed += follow(out, rel, links, sources, broken, outbound)
    problems += located(broken) + check_feeds(out, loaded, jobs) + check_sitemap(out, loaded)
    return CheckResult(problems, len(pages), followed, len(outbound)), outbound


def follow(out: Output, rel: str, links: Links, sources: dict[str, list[str | None]], broken: dict[str, Shown],
           outbound: dict[str, Shown]) -> int:
    """Follow one page's links, noting each problem and outbound URL at what brings it and the page; the links
    followed."""
    page_url = url_of(out.base, rel)
    shown_at = urlsplit(page_url).path
    followed = 0
    for raw, tag in links:
        target = resolve(raw, page_url if relative(raw) else out.base, out.base)
        if target.kind == "other":
            continue
        uses = outbound[target.where] if target.kind == "external" else None
        if uses is None:
            followed += 1
            message = link_problem(out, raw, tag, target)
            uses = broken[message] if message else None
        if uses is not None:
            for source in sources[raw]:
                uses[source][shown_at] = None
    return followed


class PageRead(NamedTuple):
    """What a check needs of one HTML page: its ids and links; or why it cannot be read as HTML."""

    ids: set[str]
    links: Links
    unreadable: str | None = None


def parse_pages(out: Output, jobs: int = 1) -> tuple[dict[str, Links], list[Problem]]:
    """The links of every HTML page, read by `jobs` processes; the ids of each are kept in `out.ids`."""
    rels = [rel for rel in sorted(out.files) if rel.endswith(".html")]
    pages, problems = {}, []
    for rel, page in zip(rels, map_items(read_page, out.root, rels, jobs), strict=True):
        if page.unreadable is not None:
            problems.append(Problem(urlsplit(url_of(out.base, rel)).path, f"cannot be read as HTML "
                                                                           f"({page.unreadable})"))
            continue
        out.ids[rel] = page.ids
        pages[rel] = page.links
    return pages, problems


def read_page(root: Path, rel: str) -> PageRead:
    """One page of the output folder at `root`, parsed (runs in a worker)."""
    try:
        parsed = etree.fromstring((root / rel).read_bytes(), HTML)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        return PageRead(set(), [], str(exc))
    if parsed is None:  # nothing but blank space or a comment (a site-verification file): nothing to follow
        return PageRead(set(), [])
    # Plain strings: each of lxml's results holds on to its element, and so to the whole document.
    return PageRead({str(value) for value in parsed.xpath("//@id | //a/@name")}, links_in(parsed))


def links_in(root: etree._Element) -> Links:
    """Every URL-valued attribute of the document (and each URL of a srcset), with its element's tag."""
    links = [(str(value).strip(), value.getparent().tag) for value in URL_ATTRIBUTES(root)]
    return links + [(url, value.getparent().tag) for value in SRCSETS(root) for url, _ in srcset_candidates(value)]


def link_sources(links: Links, posts: list[Post], refs: dict[str, Counter[str]]) -> dict[str, list[str | None]]:
    """For each link a page shows, what brings it: the posts on the page that have it, and None for the templates
    when the page shows it more often than those posts do (a footer's link that a post's body has too)."""
    brought: dict[str, list[str]] = defaultdict(list)
    for post in posts:
        for raw in refs[post.path]:
            brought[raw].append(post.path)
    sources: dict[str, list[str | None]] = {}
    for raw, times in Counter(raw for raw, _ in links).items():
        paths = brought.get(raw, [])
        by_templates = times > sum(refs[path][raw] for path in paths)
        sources[raw] = [*paths, None] if by_templates else list(paths)
    return sources


def posts_by_page(loaded: Loaded) -> dict[str, list[Post]]:
    """For each output file, the posts whose bodies it shows."""
    urls = Urls(loaded.config.url)
    shown = {}
    titles_only = not own_archive(loaded.config.root)  # the theme's archive shows no post's body
    for page in loaded.pages:
        if page.kind is PageKind.ARCHIVE and titles_only:  # a link there is the templates'
            continue
        posts = [post for post in page.posts if isinstance(post, Post)]
        if posts:
            shown[urls.file_for(page.url)] = posts
    return shown


def own_archive(root: Path) -> bool:
    """True when the site's archive.html is its own (not the theme's, nor a copy of it): it may show bodies."""
    own, *theme = template_dirs(root)
    mine = own / "archive.html"
    try:
        return bool(theme) and mine.is_file() and mine.read_bytes() != (theme[0] / "archive.html").read_bytes()
    except OSError:
        return True


def post_refs(post: Post) -> Counter[str]:
    """Every link a post brings to the pages that show it, with how often it shows there: its body's, its
    article's, its via's."""
    refs = Counter(raw for raw, _ in links_in(fragment(post.html or "")))
    refs.update({url: SHOWN_BY_TEMPLATES for url in (post.link, post.via.url if post.via else None) if url})
    return refs


def fragment(html: str) -> etree._Element:
    """A post body parsed; an empty body is an empty document."""
    root = etree.fromstring(f"<div>{html}</div>", HTML)
    return root if root is not None else etree.Element("div")


def located(found: dict[str, Shown], warning: bool = False) -> list[Problem]:
    """One Problem per post a message comes from, naming the pages that show its link; one for the templates at
    the first page that shows theirs."""
    problems = []
    for message, shown in found.items():
        for source, pages in shown.items():
            first, *rest = pages
            more = f"{len(rest)} more page{'s' if len(rest) > 1 else ''}"
            if source is None:
                problems.append(Problem(first, message + (f" (and on {more})" if rest else ""), warning=warning))
            else:
                where = f" (on {first} and {more})" if rest else f" (on {first})"
                problems.append(Problem(source, message + where, warning=warning))
    return problems


def content_warnings(posts: list[Post]) -> list[Problem]:
    """What a reader would miss in the published posts: tags, sources, a summary shorter than the post."""
    problems = []
    for post in posts:
        if not post.tags:
            problems.append(Problem(post.path, "has no tags", warning=True))
        if post.link and not post.source:
            problems.append(Problem(post.path, "is a link post without a source", warning=True))
        if post.summary and len(post.summary.strip()) > len("".join(fragment(post.html or "").itertext()).strip()):
            problems.append(Problem(post.path, "its summary is longer than the post itself", warning=True))
    return problems  # two posts linking one article: the load warns, once per pair


def outbound_problems(statuses: dict[str, LinkStatus], outbound: dict[str, Shown]) -> list[Problem]:
    """Dead links as errors (with an archived copy where there is one); failures and redirects as warnings."""
    problems = []
    for url, status in sorted(statuses.items()):
        message, warning = verdict(status)
        if message:
            problems += located({message: outbound[url]}, warning)
    return problems


def verdict(status: LinkStatus) -> tuple[str | None, bool]:
    """What to say about an outbound link, and whether it is only a warning."""
    if status.error:
        return f"could not check {status.url}: {status.error}", True
    if status.dead:
        archived = f"; archived copy: {status.archive}" if status.archive else ""
        return f"dead link {status.url} ({status.status}){archived}", False
    if status.status is not None and status.status >= 400:
        return f"{status.url} answered {status.status}, as sites that refuse link checkers do: open it to be sure", True
    if status.final:
        return f"{status.url} redirects to {status.final}", True
    return None, False

"""check_feeds: the feeds and the sitemap of a built site, as `linkblog check` reads them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import feedparser
import pytest
from conftest import CONFIG, clean_build, make_site, post_text

from linkblog.check_feeds import check_feeds, check_sitemap, feed_errors, feed_links, sitemap_errors
from linkblog.load import Loaded, load_site
from linkblog.problems import Problem
from linkblog.site_links import Output, read_output

POSTS = {
    "2016-01-01-first.md": post_text("First", "2016-01-01 10:00", tags="[x]", link="https://example.com/story/",
                                     source="Writer"),
    "2016-02-01-second.md": post_text("Second", "2016-02-01 10:00", tags="[x]"),
}
NOTES = CONFIG.replace("url: https://example.org/", "url: https://example.org/notes/")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same two posts built at the root of a host and under /notes/; each test checks its own copy."""
    sites = {}
    for name, config in (("root", CONFIG), ("notes", NOTES)):
        site = make_site(tmp_path_factory.mktemp(name) / "site", POSTS, config=config)
        clean_build(site, site / "build")
        sites[name] = site
    return sites


def copy_of(built: dict[str, Path], name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built[name], tmp_path / name))


def read(site: Path) -> tuple[Output, Loaded]:
    loaded, problems = load_site(site / "config.yaml")
    assert loaded is not None and problems == []
    return read_output(site / "build", loaded.config.url), loaded


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def parse(xml: str) -> feedparser.FeedParserDict:
    return feedparser.parse(xml.encode(), sanitize_html=False, resolve_relative_uris=False)


@pytest.mark.parametrize("name", ["root", "notes"])
def test_a_fresh_build_has_sound_feeds_and_sitemap(built: dict[str, Path], tmp_path: Path, name: str) -> None:
    out, loaded = read(copy_of(built, name, tmp_path))
    assert check_feeds(out, loaded) == []
    assert check_sitemap(out, loaded) == []


def test_every_feed_and_the_sitemap_the_build_plans_are_looked_for(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", POSTS, config=NOTES)
    loaded, _ = load_site(site / "config.yaml")
    out = Output(site / "build", "https://example.org/notes/", set())
    assert sorted(check_feeds(out, loaded), key=lambda p: p.path) == [
        Problem(path, "the feed is missing from the output")
        for path in ("/notes/atom.xml", "/notes/feed.xml", "/notes/source/writer/feed.xml", "/notes/tag/x/feed.xml")]
    assert check_sitemap(out, loaded) == [Problem("/notes/sitemap.xml", "the sitemap is missing from the output")]


def test_a_feed_deleted_from_the_output_is_missing(built: dict[str, Path], tmp_path: Path) -> None:
    site = copy_of(built, "root", tmp_path)
    (site / "build" / "atom.xml").unlink()
    out, loaded = read(site)
    assert check_feeds(out, loaded) == [Problem("/atom.xml", "the feed is missing from the output")]


def test_a_feed_that_is_not_well_formed_names_its_line_and_nothing_else(built: dict[str, Path],
                                                                      tmp_path: Path) -> None:
    site = copy_of(built, "root", tmp_path)
    feed = site / "build" / "tag" / "x" / "feed.xml"
    lines = feed.read_text("utf-8").splitlines()
    lines[8] = "</stray>"
    # Unreadable as XML, so its missing <description> is not reported on top.
    feed.write_text("\n".join(lines).replace("<description>A test link blog</description>", ""), "utf-8")
    out, loaded = read(site)
    [problem] = check_feeds(out, loaded)
    assert (problem.path, problem.line, problem.warning) == ("/tag/x/feed.xml", 9, False)
    assert "well-formed" in problem.message


def test_a_feed_whose_bytes_are_not_its_encoding_is_not_well_formed(built: dict[str, Path], tmp_path: Path) -> None:
    site = copy_of(built, "root", tmp_path)
    feed = site / "build" / "feed.xml"
    feed.write_bytes(feed.read_bytes().replace(b"<title>First</title>", b"<title>F\xffrst</title>"))
    out, loaded = read(site)
    [problem] = check_feeds(out, loaded)
    assert (problem.path, problem.line) == ("/feed.xml", None)
    assert "well-formed" in problem.message


@pytest.mark.parametrize(("old", "new", "message"), [
    ("<guid isPermaLink=\"true\">https://example.org/2016/02/second/</guid>",
     "<guid isPermaLink=\"true\">https://example.org/2016/02/gone/</guid>",
     "broken link https://example.org/2016/02/gone/: no such page or file"),
    ("<link>https://example.org/</link>", "<link>http://[broken</link>", "malformed link http://[broken"),
    ('<atom:link href="https://example.org/feed.xml"', '<atom:link href="https://example.org/#gone"',
     'broken link https://example.org/#gone: no element with id "gone"'),
    ('<atom:link href="https://example.org/feed.xml"', '<atom:link href="/feed.xml#top"', None),
    ('<atom:link href="https://example.org/feed.xml"', '<atom:link href="/2016/01/first"', None),
    ('<atom:link href="https://example.org/feed.xml"', '<atom:link href="https://example.com/gone/"', None),
])
def test_links_from_a_feed_into_the_site_are_followed(built: dict[str, Path], tmp_path: Path, old: str, new: str,
                                                      message: str | None) -> None:
    site = copy_of(built, "root", tmp_path)
    edit(site / "build" / "feed.xml", old, new)
    out, loaded = read(site)
    out.ids["index.html"] = {"content"}  # as `linkblog check` has them once it has read the pages
    assert check_feeds(out, loaded) == ([Problem("/feed.xml", message)] if message else [])


@pytest.mark.parametrize(("href", "message"), [
    ("https://example.org/notes/atom", "broken link https://example.org/notes/atom: no such page or file"),
    ("https://example.org/atom.xml", None),  # a neighbour on the same host, not this site's to check
    ("/atom.xml", "link /atom.xml leads out of the site's base path /notes/"),  # meant this site, missed it
])
def test_feed_links_under_a_base_path(built: dict[str, Path], tmp_path: Path, href: str, message: str | None) -> None:
    site = copy_of(built, "notes", tmp_path)
    edit(site / "build" / "atom.xml", '<link href="https://example.org/notes/atom.xml"', f'<link href="{href}"')
    out, loaded = read(site)
    assert check_feeds(out, loaded) == ([Problem("/notes/atom.xml", message)] if message else [])


def test_several_problems_of_one_feed_are_each_reported(built: dict[str, Path], tmp_path: Path) -> None:
    site = copy_of(built, "root", tmp_path)
    feed = site / "build" / "source" / "writer" / "feed.xml"
    edit(feed, "<title>Test Notes: Writer</title>", "")
    edit(feed, "<guid isPermaLink=\"true\">https://example.org/2016/01/first/</guid>",
         "<guid isPermaLink=\"true\">https://example.org/2016/01/last/</guid>")
    out, loaded = read(site)
    assert sorted(check_feeds(out, loaded), key=lambda p: p.message) == [
        Problem("/source/writer/feed.xml", "broken link https://example.org/2016/01/last/: no such page or file"),
        Problem("/source/writer/feed.xml", "the channel has no <title>")]


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Notes</title><link>https://example.org/</link><description>A link blog</description>
<item><title>One</title><description>First.</description></item>
<item><title>Two</title><description>Second.</description></item>
</channel></rss>
"""
ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>https://example.org/</id><title>Notes</title><updated>2016-02-01T10:00:00Z</updated>
<author><name>Feed Author</name></author>
<entry><id>https://example.org/one/</id><title>One</title><updated>2016-01-01T10:00:00Z</updated>
<author><name>One Author</name></author></entry>
<entry><id>https://example.org/two/</id><title>Two</title><updated>2016-02-01T10:00:00Z</updated></entry>
</feed>
"""


def without(xml: str, element: str, nth: int = 1) -> str:
    """The document with the nth <element>…</element> taken out."""
    found = list(re.finditer(rf"<{element}>.*?</{element}>", xml, re.S))
    match = found[nth - 1]
    return xml[: match.start()] + xml[match.end():]


@pytest.mark.parametrize(("xml", "errors"), [
    (RSS, []),
    (without(RSS, "title"), ["the channel has no <title>"]),
    (without(RSS, "link"), ["the channel has no <link>"]),
    (without(RSS, "description"), ["the channel has no <description>"]),
    (RSS.replace("<title>Notes</title><link>https://example.org/</link><description>A link blog</description>", ""),
     ["the channel has no <title>", "the channel has no <link>", "the channel has no <description>"]),
    (without(RSS, "title", 2), []),  # an item needs a title or a description, not both
    (without(RSS, "description", 3), []),
    (without(without(RSS, "title", 3), "description", 3), ["item 2 has neither <title> nor <description>"]),
    (RSS.replace("<title>Two</title>", "<title></title>").replace("<description>Second.</description>", ""),
     ["item 2 has neither <title> nor <description>"]),
    # feedparser takes <content:encoded> for a summary: an item holding only that has no <description>.
    (without(without(RSS, "title", 3), "description", 3).replace(
        "<item></item>", '<item><content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">'
                         "&lt;p&gt;Second.&lt;/p&gt;</content:encoded></item>"),
     ["item 2 has neither <title> nor <description>"]),
    (RSS.replace('version="2.0"', 'version="0.91"'), ["is not an RSS 2.0 feed"]),
    (ATOM, ["is not an RSS 2.0 feed"]),
])
def test_what_an_rss_feed_must_hold(xml: str, errors: list[str]) -> None:
    assert feed_errors(parse(xml), "rss", xml.encode()) == errors


@pytest.mark.parametrize(("xml", "errors"), [
    (ATOM, []),
    (without(ATOM, "id"), ["the feed has no <id>"]),
    (without(ATOM, "title"), ["the feed has no <title>"]),
    (without(ATOM, "updated"), ["the feed has no <updated>"]),
    (without(ATOM, "id", 3), ["entry 2 has no <id>"]),
    (without(without(ATOM, "title", 3), "updated", 3), ["entry 2 has no <title>", "entry 2 has no <updated>"]),
    # feedparser answers a missing <updated> with <published>: a dated entry still lacks it.
    (ATOM.replace("<updated>2016-01-01T10:00:00Z</updated>", "<published>2016-01-01T10:00:00Z</published>"),
     ["entry 1 has no <updated>"]),
    # An author for the feed, or one on every entry.
    (without(ATOM, "author", 2), []),
    (ATOM.replace("<updated>2016-02-01T10:00:00Z</updated></entry>",
                  "<updated>2016-02-01T10:00:00Z</updated><author><name>B</name></author></entry>")
     .replace("<author><name>Feed Author</name></author>", ""), []),
    (without(ATOM, "author"), ["has no <author>, for the feed or for every entry"]),
    (RSS, ["is not an Atom 1.0 feed"]),
])
def test_what_an_atom_feed_must_hold(xml: str, errors: list[str]) -> None:
    assert feed_errors(parse(xml), "atom", xml.encode()) == errors


def test_the_links_of_a_feed_are_its_own_its_entries_and_permalink_ids() -> None:
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>tag:example.org,2016:feed</id><title>Notes</title><updated>2016-02-01T10:00:00Z</updated>
<link href="https://example.org/atom.xml" rel="self"/><link href="https://example.org/" rel="alternate"/>
<entry><id>https://example.org/one/</id><title>One</title><updated>2016-01-01T10:00:00Z</updated>
<link href="https://example.com/story/" rel="alternate"/><link href="https://example.org/one/" rel="related"/>
<link href="https://example.org/files/one.mp3" rel="enclosure" type="audio/mpeg" length="1"/></entry>
<entry><id>tag:example.org,2016:two</id><title>Two</title><updated>2016-02-01T10:00:00Z</updated>
<link href="https://example.com/story/"/></entry>
</feed>
"""
    assert feed_links(parse(xml)) == [
        "https://example.com/story/", "https://example.org/", "https://example.org/atom.xml",
        "https://example.org/files/one.mp3", "https://example.org/one/"]


def sitemap(*entries: str, root: str = f'<urlset xmlns="{SITEMAP_NS}">') -> bytes:
    tag = root[1:].split()[0].rstrip(">")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + root + "\n" + "\n".join(entries) + f"\n</{tag}>\n").encode()


def site_output(base: str = "https://example.org/") -> Output:
    return Output(Path("."), base, {"index.html", "2016/01/first/index.html", "feed.xml"})


def test_a_sound_sitemap_has_no_errors() -> None:
    data = sitemap("<url><loc>https://example.org/</loc></url>",
                   "<url><loc>\n  https://example.org/2016/01/first/  \n</loc><lastmod>2016-01-01</lastmod></url>",
                   "<url><loc>https://example.org/feed.xml</loc><lastmod>2016-01-01T10:00:00+00:00</lastmod></url>")
    assert sitemap_errors(site_output(), data) == []


def test_a_sitemap_index_names_sitemap_files_of_the_site() -> None:
    out = Output(Path("."), "https://example.org/", {"index.html", "sitemap-1.xml", "sitemap-2.xml"})
    index = f'<sitemapindex xmlns="{SITEMAP_NS}">'
    assert sitemap_errors(out, sitemap("<sitemap><loc>https://example.org/sitemap-1.xml</loc></sitemap>",
                                       "<sitemap><loc>https://example.org/sitemap-2.xml</loc></sitemap>",
                                       root=index)) == []
    assert sitemap_errors(out, sitemap("<sitemap><loc>https://example.org/sitemap-3.xml</loc></sitemap>",
                                       "<sitemap><loc>https://elsewhere.example/sitemap-1.xml</loc></sitemap>",
                                       root=index)) == [
        ("entry 1: broken link https://example.org/sitemap-3.xml: no such page or file", None),
        ("entry 2: https://elsewhere.example/sitemap-1.xml is not under the site's URL https://example.org/", None)]


def test_each_bad_sitemap_entry_is_numbered() -> None:
    data = sitemap("<url><loc>https://example.org/</loc></url>",
                   "<url><lastmod>2016-01-01</lastmod></url>",
                   "<url><loc>http://example.org/</loc></url>",
                   "<url><loc>https://elsewhere.example/</loc></url>",
                   "<url><loc>https://example.org/2016/01/first/</loc><lastmod>yesterday</lastmod></url>",
                   "<url><loc>https://example.org/2016/01/gone/</loc></url>",
                   "<url><loc>   </loc></url>")
    assert sitemap_errors(site_output(), data) == [
        ("entry 2: no <loc>", None),
        ("entry 3: http://example.org/ is not under the site's URL https://example.org/", None),
        ("entry 4: https://elsewhere.example/ is not under the site's URL https://example.org/", None),
        ("entry 5: <lastmod> 'yesterday' is not a W3C date", None),
        ("entry 6: broken link https://example.org/2016/01/gone/: no such page or file", None),
        ("entry 7: no <loc>", None)]


@pytest.mark.parametrize(("lastmod", "good"), [
    ("2016", True), ("2016-01", True), ("2016-01-01", True), ("2016-01-01T10:00Z", True),
    ("2016-01-01T10:00:00+02:00", True), ("2016-01-01T10:00:00.5-05:00", True),
    ("2016-02-30", False), ("2016-13", False), ("20160101", False), ("2016-01-01 10:00:00+00:00", False),
    ("2016-W01-1", False), ("2016-01-01T10:00", False), ("2016-01-01T25:00Z", False),
])
def test_lastmod_is_a_w3c_datetime(lastmod: str, good: bool) -> None:
    data = sitemap(f"<url><loc>https://example.org/</loc><lastmod>{lastmod}</lastmod></url>")
    assert sitemap_errors(site_output(), data) == ([] if good else
                                                   [(f"entry 1: <lastmod> '{lastmod}' is not a W3C date", None)])


def test_a_sitemap_entry_must_be_under_the_base_path() -> None:
    data = sitemap("<url><loc>https://example.org/</loc></url>", "<url><loc>https://example.org/notes/</loc></url>")
    assert sitemap_errors(site_output("https://example.org/notes/"), data) == [
        ("entry 1: https://example.org/ is not under the site's URL https://example.org/notes/", None)]


@pytest.mark.parametrize("root", ["<urlset>", "<sitemapindex>", f'<feed xmlns="{SITEMAP_NS}">',
                                  '<urlset xmlns="http://www.google.com/schemas/sitemap/0.84">'])
def test_a_sitemap_must_be_a_sitemaps_org_urlset_or_index(root: str) -> None:
    [(message, line)] = sitemap_errors(site_output(), sitemap("<url><loc>https://example.org/</loc></url>", root=root))
    assert line is None and "<urlset>" in message


def test_a_sitemap_that_is_not_well_formed_names_its_line() -> None:
    data = sitemap("<url><loc>https://example.org/</loc></url>", "<url><loc>https://example.org/</url>")
    [(message, line)] = sitemap_errors(site_output(), data)
    assert line == 4 and "well-formed" in message


def test_a_sitemap_with_entities_is_refused_without_expanding_them() -> None:
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
            f'<urlset xmlns="{SITEMAP_NS}"><url><loc>https://example.org/&b;</loc></url></urlset>').encode()
    [(message, line)] = sitemap_errors(site_output(), data)
    assert line is None and "entities" in message


def test_a_sitemap_with_a_dtd_is_refused() -> None:
    data = f'<?xml version="1.0"?>\n<!DOCTYPE urlset>\n<urlset xmlns="{SITEMAP_NS}"></urlset>'.encode()
    [(message, line)] = sitemap_errors(site_output(), data)
    assert line is None and "DTD" in message


@pytest.mark.parametrize(("count", "over"), [(50_000, False), (50_001, True)])
def test_a_sitemap_holds_at_most_fifty_thousand_urls(count: int, over: bool) -> None:
    data = sitemap(*["<url><loc>https://example.org/</loc></url>"] * count)
    errors = sitemap_errors(site_output(), data)
    assert len(errors) == over and all(line is None and "50000" in message for message, line in errors)


def test_a_broken_sitemap_is_reported_at_its_own_url(built: dict[str, Path], tmp_path: Path) -> None:
    site = copy_of(built, "notes", tmp_path)
    edit(site / "build" / "sitemap.xml", "<loc>https://example.org/notes/tag/x/</loc>",
         "<loc>https://example.org/notes/tag/y/</loc>")
    out, loaded = read(site)
    [problem] = check_sitemap(out, loaded)
    assert (problem.path, problem.line, problem.warning) == ("/notes/sitemap.xml", None, False)
    assert problem.message.endswith("broken link https://example.org/notes/tag/y/: no such page or file")
    assert problem.message.startswith("entry ")

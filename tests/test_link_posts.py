"""Link posts end to end: sources.yaml, the index pages, relations, the caption layout, feeds and markup."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from random import Random

import feedparser
import pytest
from bs4 import BeautifulSoup
from conftest import CONFIG, make_site, post_text, run_cli, tree_bytes
from test_e2e_build import assert_links_resolve, internal_links

SUB_CONFIG = CONFIG.replace("url: https://example.org/", "url: https://example.org/notes/")
ARTICLE = "https://scottberkun.com/2015/work-vs-progress/"
SOURCES_YAML = """\
- name: Scott Berkun
  url: https://scottberkun.com/
  aliases: ["Berkun, Scott", scottberkun.com]
  description: Writes on work and management.
- name: Seth Godin
  url: https://seths.blog/
"""
POSTS = {
    "a.md": post_text("Work vs. Progress", "2015-06-01 09:30", "> Busy is not progress. It only looks like it.\n\n"
                      "My commentary.", tags="[management, work]", link=ARTICLE, source="Scott Berkun", via="Sheri"),
    # The same article, spelled otherwise: a near-duplicate link, and the second spelling of the source.
    "b.md": post_text("The manager's path -- again", "2016-01-10 10:00",
                      "My own words come first.\n\n> A quote later on.", tags="[work]",
                      link="http://www.scottberkun.com/2015/work-vs-progress?utm_source=feed#top",
                      source="Berkun, Scott", via="{name: Sheri, url: 'https://sheri.example/'}"),
    "c.md": post_text("Other essay", "2016-03-01 10:00", "> Something else.", tags="[work]",
                      link="https://scottberkun.com/other/", source="scottberkun.com", via="Kottke"),
    "d.md": post_text("On purpose", "2017-01-01 10:00", "> Linked a third time.\n\nStill true.", tags="[support]",
                      link=ARTICLE, source="Seth Godin", relinked="true"),
    "e.md": post_text("My own post", "2016-02-01 10:00", "Nothing quoted.", tags="[support]"),
    "f.md": post_text("Seth once", "2016-02-02 10:00", "> Ship.", tags="[support]",
                      link="https://seths.blog/ship/", source="Seth Godin"),
    "g.md": post_text("Anne lately", "2018-05-05 10:00", "> Late.", tags="[Support]",
                      link="https://anne.example/late/", source="Anne Author"),
}
URL = {"a": "/notes/2015/06/work-vs-progress/", "b": "/notes/2016/01/the-managers-path-again/",
       "c": "/notes/2016/03/other-essay/", "d": "/notes/2017/01/on-purpose/", "e": "/notes/2016/02/my-own-post/",
       "f": "/notes/2016/02/seth-once/", "g": "/notes/2018/05/anne-lately/"}


def build(root: Path, config: str = SUB_CONFIG) -> tuple[Path, str]:
    site = make_site(root, POSTS, config=config, files={"sources.yaml": SOURCES_YAML})
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    return site / "build", run.err


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return build(tmp_path_factory.mktemp("links") / "site")


@pytest.fixture(scope="module")
def out(built: tuple[Path, str]) -> Path:
    return built[0]


@pytest.fixture(scope="module")
def permalink_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = SUB_CONFIG.replace("full_content: true", "full_content: true, link_posts: permalink")
    return build(tmp_path_factory.mktemp("permalinks") / "site", config)[0]


def page(out: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((out / url.removeprefix("/notes/") / "index.html").read_text("utf-8"), "html.parser")


def text(tag) -> str:
    return " ".join(tag.get_text().split())


def feed(out: Path, name: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse((out / name).read_bytes(), resolve_relative_uris=False, sanitize_html=False)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_three_spellings_fold_into_one_source_page(out: Path):
    soup = page(out, "/notes/source/scott-berkun/")
    assert soup.h1.get_text() == "Source: Scott Berkun"
    assert [a["href"] for a in soup.select("article.h-entry footer a.u-url")] == [URL["c"], URL["b"]]  # two a page
    assert text(soup.select_one(".source-about")).startswith("3 posts quoting Scott Berkun, from June 1, 2015 to "
                                                             "March 1, 2016.")
    assert [t["datetime"] for t in soup.select(".source-about time")] == ["2015-06-01T09:30:00+00:00",
                                                                        "2016-03-01T10:00:00+00:00"]
    assert soup.select_one("a.source-home")["href"] == "https://scottberkun.com/"
    assert soup.select_one(".source-description").get_text() == "Writes on work and management."
    assert not (out / "source" / "berkun-scott").exists() and not (out / "source" / "scottberkun-com").exists()
    for url in (URL["a"], URL["b"], URL["c"]):
        assert page(out, url).find("a", string="Scott Berkun")["href"] == "/notes/source/scott-berkun/"


def test_the_source_feed(out: Path):
    parsed = feed(out, "source/scott-berkun/feed.xml")
    assert [e.id for e in parsed.entries] == [f"https://example.org{URL[k]}" for k in "cba"]
    assert parsed.feed.link == "https://example.org/notes/source/scott-berkun/"


def source_rows(out: Path, url: str) -> list[tuple[str, str]]:
    return [(row.a.get_text(), row.select_one(".count").get_text()) for row in page(out, url).select("tbody tr")]


def test_sources_in_three_orders(out: Path):
    assert source_rows(out, "/notes/sources/") == [("Scott Berkun", "3"), ("Seth Godin", "2"), ("Anne Author", "1")]
    assert source_rows(out, "/notes/sources/by-name/") == [("Anne Author", "1"), ("Scott Berkun", "3"),
                                                           ("Seth Godin", "2")]
    assert source_rows(out, "/notes/sources/recent/") == [("Anne Author", "1"), ("Seth Godin", "2"),
                                                          ("Scott Berkun", "3")]
    orders = ["/notes/sources/", "/notes/sources/by-name/", "/notes/sources/recent/"]
    for url in orders:  # each order links the other two, with plain links
        soup = page(out, url)
        nav = soup.select_one("nav.orders")
        assert [a["href"] for a in nav.find_all("a")] == [other for other in orders if other != url]
        assert nav.select_one("[aria-current=page]").get_text() in {"most quoted", "by name", "most recent"}
        assert not soup.find("script") and not soup.find(attrs={"onclick": True})


def test_tag_index_counts_every_tag(out: Path):
    rows = [(li.a.get_text(), li.a["href"], li.select_one(".count").get_text())
            for li in page(out, "/notes/tag/").select("ul.counts li")]
    assert rows == [("management", "/notes/tag/management/", "1"), ("support", "/notes/tag/support/", "4"),
                    ("work", "/notes/tag/work/", "3")]


def test_via_thanks_each_person_with_their_posts(out: Path):
    soup = page(out, "/notes/via/")
    people = {section["id"]: section for section in soup.select("section.via-person")}
    assert list(people) == ["sheri", "kottke"]  # most links first
    assert text(people["sheri"].h2) == "Sheri 2"
    assert people["sheri"].h2.a["href"] == "https://sheri.example/"
    assert [a["href"] for a in people["sheri"].select("li a")] == [URL["b"], URL["a"]]
    assert [a["href"] for a in people["kottke"].select("li a")] == [URL["c"]]


def related(soup: BeautifulSoup) -> dict[str, list[str]]:
    return {section.h2.get_text(): [a["href"] for a in section.select("li a")]
            for section in soup.select("section.related")}


def test_posts_linking_the_same_article_find_each_other(out: Path):
    assert related(page(out, URL["a"])) == {"Linked again": [URL["d"], URL["b"]]}
    assert related(page(out, URL["b"])) == {"Linked before": [URL["a"]], "Linked again": [URL["d"]]}
    assert related(page(out, URL["d"])) == {"Linked before": [URL["b"], URL["a"]]}
    assert related(page(out, URL["c"])) == {}


def test_posts_of_one_day_linking_the_same_article_are_before_and_again_in_the_sites_order(tmp_path: Path):
    posts = {name: post_text(name.title(), "2020-01-01", link="https://example.com/same/", tags="[x]")
             for name in ("alpha", "beta")}
    site = make_site(tmp_path / "site", {f"{name}.md": text for name, text in posts.items()})
    assert run_cli(site, "build").code == 0
    out = site / "build"
    shown = {name: {section.h2.get_text(): [a.get_text() for a in section.select("li a")]
                    for section in BeautifulSoup((out / "2020" / "01" / name / "index.html").read_text("utf-8"),
                                                 "html.parser").select("section.related")}
             for name in ("alpha", "beta")}
    assert shown == {"alpha": {"Linked again": ["Beta"]}, "beta": {"Linked before": ["Alpha"]}}


def test_previous_and_next_from_the_same_source(out: Path):
    nav = page(out, URL["b"]).select_one("nav.source-nav")
    assert nav.h2.a["href"] == "/notes/source/scott-berkun/"
    assert nav.select_one("a.source-older")["href"] == URL["a"]
    assert nav.select_one("a.source-newer")["href"] == URL["c"]
    first = page(out, URL["a"]).select_one("nav.source-nav")
    assert first.select_one("a.source-older") is None and first.select_one("a.source-newer")["href"] == URL["b"]
    assert page(out, URL["e"]).select_one("nav.source-nav") is None


def test_an_article_linked_twice_is_warned_about_once(built: tuple[Path, str]):
    lines = [line for line in built[1].splitlines() if "links the same article" in line]
    assert lines == ["posts/b.md: warning: links the same article as posts/a.md (2015-06-01)"]


def test_a_quote_first_post_captions_its_quote(out: Path):
    content = page(out, URL["a"]).select_one("article.h-entry .e-content")
    figure = content.find(recursive=False)
    assert figure.name == "figure" and "quote" in figure["class"]
    assert figure.blockquote["cite"] == ARTICLE
    assert text(figure.blockquote) == "Busy is not progress. It only looks like it."
    assert text(figure.figcaption) == "Work vs. Progress – Scott Berkun. via Sheri"
    assert figure.find_next_sibling("p").get_text() == "My commentary."
    assert page(out, URL["a"]).select("p.attribution") == [figure.figcaption.p]


def test_a_commentary_first_post_keeps_the_line_at_the_end(out: Path):
    article = page(out, URL["b"]).select_one("article.h-entry")
    assert article.find("figure") is None
    line = article.select_one(".e-content").find_next_sibling("p")
    assert "attribution" in line["class"]
    assert text(line) == "The manager’s path – again – Scott Berkun. via Sheri"


def test_the_outbound_link_is_marked_as_one(out: Path):
    line = page(out, URL["a"]).select_one("p.attribution")
    title, source = line.find_all("a")
    assert "outbound" in title["class"] and title["href"] == ARTICLE
    assert "outbound" not in (source.get("class") or [])


def test_titles_get_typographic_quotes_and_dashes(out: Path):
    soup = page(out, URL["b"])
    assert soup.h1.get_text() == "The manager’s path – again"
    assert soup.title.get_text() == "The manager’s path – again – Test Notes"
    titles = {e.id: e.title for e in feed(out, "feed.xml").entries}
    assert titles[f"https://example.org{URL['b']}"] == "The manager’s path – again"


def test_microformats(out: Path):
    entry = page(out, URL["a"]).select_one(".h-entry")
    assert entry.select_one(".p-name").get_text() == "Work vs. Progress"
    assert entry.select_one("footer a.u-url")["href"] == URL["a"]
    assert entry.select_one(".dt-published")["datetime"] == "2015-06-01T09:30:00+00:00"
    cite = entry.select_one(".u-bookmark-of.h-cite")
    title = cite.select_one(".p-name")
    assert title["href"] == ARTICLE and title.get_text() == "Work vs. Progress"
    assert "u-url" in title["class"]  # readers take the h-cite's URL from it, not from its text
    source = cite.select_one(".p-author.h-card")
    assert source.a["href"] == "/notes/source/scott-berkun/" and source.get_text() == "Scott Berkun"
    author = [card for card in entry.select(".p-author.h-card") if not card.find_parent(class_="h-cite")]
    # The home page by its path, which microformats parsers resolve, and which keeps a preview in the preview.
    assert [(card.get_text(), card.a["href"]) for card in author] == [("Test Author", "/notes/")]


NAMED_POSTS = {
    "n.md": post_text("From a book", "2021-01-01 10:00", "> Quoted from a book.\n\nMy words.",
                      source="Lonely Source", via="vicky"),
    "o.md": post_text("A tip", "2021-01-02 10:00", "Passed on.", via="Vicky"),
    "p.md": post_text("Linked", "2021-01-03 10:00", "> Quoted.", link="https://a.example/", via="Vicky"),
}


def test_a_post_without_a_link_still_shows_its_source_and_who_sent_it(tmp_path: Path):
    site = make_site(tmp_path / "site", NAMED_POSTS, config=SUB_CONFIG)
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    out = site / "build"
    assert text(page(out, "/notes/2021/01/from-a-book/").select_one(".attribution")) == "– Lonely Source. via Vicky"
    assert text(page(out, "/notes/2021/01/a-tip/").select_one(".attribution")) == "via Vicky"
    listed = page(out, "/notes/source/lonely-source/").select_one("article.h-entry .attribution")
    assert text(listed) == "– Lonely Source. via Vicky"
    entries = {e.title: e for e in feedparser.parse((out / "feed.xml").read_bytes()).entries}
    assert "Lonely Source" in entries["From a book"].content[0].value


def test_a_post_shows_who_sent_it_as_their_most_used_spelling_also_after_it_changes(tmp_path: Path):
    site = make_site(tmp_path / "site", NAMED_POSTS, config=SUB_CONFIG)
    assert run_cli(site, "build").code == 0
    assert text(page(site / "build", "/notes/2021/01/from-a-book/").select_one(".via")) == "via Vicky"
    for name in ("o.md", "p.md"):  # "vicky" becomes the most used spelling
        (site / "posts" / name).write_text(NAMED_POSTS[name].replace("via: Vicky", "via: vicky"))
    assert run_cli(site, "build").code == 0
    assert run_cli(site, "build", "--clean", "--output", "clean").code == 0
    assert tree_bytes(site / "build") == tree_bytes(site / "clean")
    assert text(page(site / "build", "/notes/2021/01/linked/").select_one(".via")) == "via vicky"


def meta_of(soup: BeautifulSoup) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        meta.setdefault(tag.get("property") or tag.get("name"), []).append(tag.get("content"))
    return meta


def test_opengraph_twitter_and_article_meta(out: Path):
    meta = meta_of(page(out, URL["a"]))
    assert meta["og:title"] == ["Work vs. Progress"] and meta["og:type"] == ["article"]
    assert meta["og:url"] == ["https://example.org/notes/2015/06/work-vs-progress/"]
    assert meta["og:description"] == ["Busy is not progress. It only looks like it."]
    assert meta["og:site_name"] == ["Test Notes"]
    assert meta["twitter:card"] == ["summary"] and meta["twitter:title"] == ["Work vs. Progress"]
    assert meta["article:published_time"] == ["2015-06-01T09:30:00+00:00"]
    assert meta["article:tag"] == ["management", "work"]


@pytest.mark.parametrize("key", sorted(URL))
def test_every_post_page_describes_itself_to_machines(out: Path, key: str):
    soup = page(out, URL[key])
    meta = meta_of(soup)
    entry = soup.select_one("article.h-entry")
    title = entry.select_one(".p-name").get_text()
    assert meta["og:title"] == meta["twitter:title"] == [title] and meta["og:type"] == ["article"]
    assert meta["og:url"] == [soup.find("link", rel="canonical")["href"]] == [f"https://example.org{URL[key]}"]
    assert meta["og:site_name"] == ["Test Notes"] and meta["twitter:card"] == ["summary"]
    assert meta["og:description"][0].strip() and meta["twitter:description"] == meta["og:description"]
    assert meta["article:published_time"] == [entry.select_one(".dt-published")["datetime"]]
    assert meta.get("article:tag", []) == [a.get_text() for a in entry.select("a.p-category")]
    assert entry.select_one(".u-bookmark-of.h-cite") is not None or key == "e"  # every link post cites
    assert [card.get_text() for card in entry.select(".byline .p-author.h-card")] == ["Test Author"]


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def soup_at(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def test_every_page_links_the_site_feeds(out: Path):
    feeds = {("application/rss+xml", "/notes/feed.xml"), ("application/atom+xml", "/notes/atom.xml"),
             ("application/feed+json", "/notes/feed.json")}
    assert len(html_pages(out)) > 30
    for path in html_pages(out):
        links = {(link["type"], link["href"]) for link in soup_at(path).find_all("link", rel="alternate")}
        assert feeds <= links, path


def test_every_tag_and_source_page_links_its_own_feed(out: Path):
    lists = [path for kind in ("tag", "source") for pattern in ("*/index.html", "*/page/*/index.html")
             for path in sorted((out / kind).glob(pattern))]
    assert len(lists) == 9 and any("page" in path.parts for path in lists)  # 5 tag pages, 4 source pages
    for path in lists:
        kind, slug = path.relative_to(out).parts[:2]
        own = f"/notes/{kind}/{slug}/feed.xml"
        soup = soup_at(path)
        assert ("application/rss+xml", own) in {(link["type"], link["href"])
                                                for link in soup.find_all("link", rel="alternate")}, path
        assert soup.select_one("p.list-feed a")["href"] == own, path
        assert feed(out, f"{kind}/{slug}/feed.xml").feed.link == f"https://example.org/notes/{kind}/{slug}/"


def test_every_internal_link_resolves_under_the_sub_path(out: Path):
    assert_links_resolve(out, "/notes/", at_least=300)
    for _, link in internal_links(out, "/notes/"):
        path, _, fragment = link.partition("#")
        if fragment:  # a person on the page of thanks
            assert page(out, path).find(id=fragment) is not None, link


def atom_links(entry) -> dict[str, str]:
    return {link.rel: link.href for link in entry.links}


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_feeds_link_the_article_first_by_default(out: Path, name: str):
    entry = next(e for e in feed(out, name).entries if e.id == "https://example.org/notes/2015/06/work-vs-progress/")
    assert entry.link == ARTICLE
    html = BeautifulSoup(entry.content[0].value, "html.parser")
    star = html.find("a", string="★ Permalink")
    assert star["href"] == "https://example.org/notes/2015/06/work-vs-progress/"
    if name == "atom.xml":
        assert atom_links(entry) == {"alternate": ARTICLE, "related": entry.id}


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_feeds_can_link_the_post_first(permalink_out: Path, name: str):
    entry = next(e for e in feed(permalink_out, name).entries
                 if e.id == "https://example.org/notes/2015/06/work-vs-progress/")
    assert entry.link == entry.id
    html = BeautifulSoup(entry.content[0].value, "html.parser")
    assert html.find("a", string="★ Permalink") is None
    assert html.select_one("p.attribution a")["href"] == ARTICLE
    if name == "atom.xml":
        assert atom_links(entry) == {"alternate": entry.id, "related": ARTICLE}


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_feed_entries_carry_tags_and_author(out: Path, name: str):
    entry = next(e for e in feed(out, name).entries if e.id == "https://example.org/notes/2015/06/work-vs-progress/")
    assert [t.term for t in entry.tags] == ["management", "work"]
    assert entry.author == "Test Author"
    raw = (out / name).read_text("utf-8")
    assert ("<dc:creator>Test Author</dc:creator>" in raw) == (name == "feed.xml")


RFC_3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def json_feed(out: Path) -> dict:
    return json.loads((out / "feed.json").read_text("utf-8"))


def assert_json_feed_1_1(document: dict) -> None:
    """The JSON Feed 1.1 rules, field by field (https://jsonfeed.org/version/1.1)."""
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(document["title"], str) and document["title"]
    for key in ("home_page_url", "feed_url"):
        assert document[key].startswith("https://")
    assert set(document) <= {"version", "title", "home_page_url", "feed_url", "description", "user_comment",
                             "next_url", "icon", "favicon", "authors", "language", "expired", "hubs", "items"}
    assert "author" not in document  # 1.1 replaced it with authors
    assert all(isinstance(a, dict) and {"name", "url", "avatar"} & a.keys() for a in document["authors"])
    ids = [item["id"] for item in document["items"]]
    assert len(ids) == len(set(ids)) and all(isinstance(i, str) for i in ids)
    for item in document["items"]:
        assert "content_html" in item or "content_text" in item
        assert item["url"].startswith("https://") and "author" not in item
        assert RFC_3339.fullmatch(item["date_published"]), item["date_published"]
        assert all(isinstance(t, str) for t in item.get("tags", []))
        assert all({"name", "url", "avatar"} & a.keys() for a in item["authors"])
        assert set(item) <= {"id", "url", "external_url", "title", "content_html", "content_text", "summary",
                             "image", "banner_image", "date_published", "date_modified", "authors", "tags",
                             "language", "attachments"}


def test_json_feed(out: Path):
    document = json_feed(out)
    assert_json_feed_1_1(document)
    assert document["feed_url"] == "https://example.org/notes/feed.json"
    assert document["home_page_url"] == "https://example.org/notes/"
    items = {item["id"]: item for item in document["items"]}
    assert list(items)[0] == "https://example.org/notes/2018/05/anne-lately/"  # newest first
    work = items["https://example.org/notes/2015/06/work-vs-progress/"]
    assert work["url"] == work["id"] and work["external_url"] == ARTICLE
    assert work["title"] == "Work vs. Progress" and work["tags"] == ["management", "work"]
    assert work["authors"] == [{"name": "Test Author"}]
    assert work["date_published"] == "2015-06-01T09:30:00+00:00"
    assert BeautifulSoup(work["content_html"], "html.parser").find("a", string="★ Permalink")
    own = items["https://example.org/notes/2016/02/my-own-post/"]
    assert "external_url" not in own and own["content_html"].strip() == "<p>Nothing quoted.</p>"


def test_json_feed_follows_the_link_posts_setting(permalink_out: Path):
    document = json_feed(permalink_out)
    assert_json_feed_1_1(document)
    work = next(i for i in document["items"] if i["id"] == "https://example.org/notes/2015/06/work-vs-progress/")
    assert work["external_url"] == ARTICLE
    assert not BeautifulSoup(work["content_html"], "html.parser").find("a", string="★ Permalink")


def test_summary_only_json_feed(tmp_path: Path):
    out, _ = build(tmp_path / "site", SUB_CONFIG.replace("full_content: true", "full_content: false"))
    document = json_feed(out)
    assert_json_feed_1_1(document)
    assert all("content_html" not in item and item["content_text"] for item in document["items"])


def test_a_bad_sources_file_fails_the_build_at_its_line(tmp_path: Path):
    site = make_site(tmp_path / "site", POSTS, config=SUB_CONFIG,
                     files={"sources.yaml": SOURCES_YAML + "- name: Other\n  aliases: [scott berkun]\n"})
    run = run_cli(site, "build")
    assert run.code == 1
    assert "sources.yaml:8: 'scott-berkun' is claimed by both 'Scott Berkun' (line 1) and 'Other'" in run.err
    assert not (site / "build").exists()


SENTENCES = ["Support is a *craft*.", "Teams learn it **slowly**!", "Why does it take so long?",
             "Customers differ, and [each one](https://example.com/x) teaches something…",
             "A `ticket` is a person", "The queue never ends; it only changes shape", "Quoting “them” helps."]


def generated_posts(count: int) -> dict[str, str]:
    """Link posts of every shape: long and short quotes with inline markup, lists, nested quotes, footnotes."""
    draw = Random(17)
    posts = {}
    for i in range(count):
        paragraphs = [" ".join(draw.choices(SENTENCES, k=draw.randint(1, 9))) for _ in range(draw.randint(1, 3))]
        quote = "\n>\n".join("> " + p for p in paragraphs)
        if i % 7 == 3:
            quote += "\n>\n> - one *item*\n> - two\n>\n> > nested " + draw.choice(SENTENCES)
        commentary = " ".join(draw.choices(SENTENCES, k=draw.randint(0, 4)))
        if i % 11 == 5:
            commentary += " Noted.[^1]\n\n[^1]: A footnote."
        body = quote + ("\n\n" + commentary if commentary else "") if i % 5 else commentary or "Plain."
        fields = {"link": f"https://example.com/{i}", "source": f"Source {i % 9}"} if i % 13 else {}
        if i % 17 == 4:
            fields["summary"] = f"'A summary <of> post {i}.'"
        posts[f"p{i:03d}.md"] = post_text(f"Post {i}", f"2016-01-01 00:{i % 60:02d}", body, **fields)
        posts[f"p{i:03d}.md"] = posts[f"p{i:03d}.md"].replace("date: 2016-01-01", f"date: {2000 + i // 60}-01-01")
    return posts


class Balance(HTMLParser):
    """Every element opened is closed, in order (void elements aside)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.wrong: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        """`<hr />` closes itself."""

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and (not self.open or self.open.pop() != tag):
            self.wrong.append(tag)


def unbalanced(html: str) -> list[str]:
    checker = Balance()
    checker.feed(html)
    checker.close()
    return checker.wrong + checker.open


@pytest.fixture(scope="module")
def styles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The 200 generated posts built once per excerpt style."""
    built = {}
    for style in ("full", "quote", "commentary"):
        site = make_site(tmp_path_factory.mktemp(style) / "site", generated_posts(200),
                         config=CONFIG.replace("per_page: 2", "per_page: 25") + f"excerpt: {style}\n")
        run = run_cli(site, "build")
        assert run.code == 0, run.err
        built[style] = site / "build"
    return built


def list_pages(out: Path) -> list[Path]:
    return [out / "index.html", *sorted((out / "page").glob("*/index.html"))]


def entries(out: Path) -> dict[str, BeautifulSoup]:
    """Every post as the home pages show it, by its permalink."""
    found = {}
    for path in list_pages(out):
        html = path.read_text("utf-8")
        assert unbalanced(html) == [], path
        for article in BeautifulSoup(html, "html.parser").select("article.h-entry"):
            found[article.select_one("footer a.u-url")["href"]] = article
    assert len(found) == 200
    return found


def full_text(tag) -> str:
    return " ".join(tag.get_text().split()) if tag else ""


@pytest.mark.parametrize("style", ["quote", "commentary"])
def test_excerpts_of_200_posts(styles: dict[str, Path], style: str):
    full, shown = entries(styles["full"]), entries(styles[style])
    for url, article in shown.items():
        whole = full[url]
        summary = article.select_one(".p-summary")
        assert summary is not None and article.select_one(".e-content") is None
        quote, whole_quote = article.select_one("figure.quote blockquote"), whole.select_one("figure.quote blockquote")
        more = article.select_one("p.read-more a")
        assert more is None or more["href"] == url
        if article.select_one(".p-summary > p") and "A summary" in full_text(summary):
            assert full_text(summary).startswith("A summary <of> post") and more["href"] == url
        elif style == "quote" and whole_quote:
            assert full_text(quote).rstrip("…") and full_text(whole_quote).startswith(full_text(quote).rstrip("…"))
            assert len(full_text(quote)) <= 2 * 280 + 1
            cut = full_text(quote) != full_text(whole_quote)
            assert (more is not None) == (cut or bool(full_text(whole.select_one(".e-content > figure ~ *"))))
        elif style == "commentary" and whole_quote and whole.select_one(".e-content > figure ~ p"):
            assert quote is None and more["href"] == url
            assert full_text(summary) == full_text(whole.select_one(".e-content")).removeprefix(
                full_text(whole.select_one(".e-content > figure"))).strip()
        if article.select_one(".u-bookmark-of"):
            assert len(article.select("p.attribution")) == 1
        ids = {tag["id"] for tag in article.find_all(id=True)}
        assert all(a["href"][1:] in ids for a in summary.select("a[href^='#']"))  # no footnote ref without its note


def test_full_excerpts_show_every_post_whole(styles: dict[str, Path]):
    for article in entries(styles["full"]).values():
        assert article.select_one(".e-content") is not None and article.select_one("p.read-more") is None


def test_a_commentary_excerpt_keeps_only_the_footnotes_its_commentary_refers_to(tmp_path: Path):
    body = ("> The article says something[^1] and more[^2].\n\nMy commentary[^2] and mine[^3].\n\n"
            "[^1]: About the quote.\n[^2]: Shared.\n[^3]: My own.\n")
    site = make_site(tmp_path / "site", {"2021-01-01-notes.md": post_text(
        "Notes", "2021-01-01 09:00", body, link="https://example.com/a", source="Ex")},
        config=CONFIG + "excerpt: commentary\n")
    assert run_cli(site, "build").code == 0
    entry = BeautifulSoup((site / "build" / "index.html").read_text(), "html.parser").find(class_="p-summary")
    assert [li.p.contents[0].strip() for li in entry.find_all("li")] == ["Shared.", "My own."]
    assert [li["value"] for li in entry.find_all("li")] == ["2", "3"]  # as the references number them
    run = run_cli(site, "check", "--output", "build")
    assert run.code == 0, run.err  # every back-link leads to a reference the page shows

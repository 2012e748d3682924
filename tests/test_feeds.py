"""RSS, Atom and tag feeds from the real CLI, read back with feedparser."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from bs4 import BeautifulSoup
from conftest import CONFIG, SAMPLE_POSTS, make_site, post_text, run_cli, tree_bytes

FEED_CONFIG = CONFIG.replace("timezone: UTC", "timezone: America/Chicago").replace("items: 20", "items: 4")
LINKING = post_text(
    "Footnotes and friends", "2016-09-05 18:15",
    "See [my earlier note](/2015/06/work-vs-progress/), [the one before](../../../2015/04/some-customers-suck/)"
    " and ![a chart](/images/chart.png).[^1]\n\n[^1]: A footnote.", tags="[support]")
POSTS = {**SAMPLE_POSTS, "2016-09-05-footnotes-and-friends.md": LINKING}
# Newest first, as permalinks at https://example.org/.
NEWEST = ["2016/09/footnotes-and-friends", "2016/08/graceful-degradation", "2016/01/stop-apologising",
          "2015/09/customer-success", "2015/06/work-vs-progress", "2015/04/some-customers-suck"]
RFC_3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
RELATIVE = re.compile(r"""\s(?:href|src)\s*=\s*["'](?!https?://|mailto:)""")


def parse(path: Path) -> feedparser.FeedParserDict:
    """A feed as feedparser reads it, with relative links left as written."""
    return feedparser.parse(path.read_bytes(), resolve_relative_uris=False, sanitize_html=False)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("feeds") / "site", POSTS, config=FEED_CONFIG)
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    return site / "build"


@pytest.fixture(scope="module")
def sub_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("feeds-sub") / "site", POSTS, config=FEED_CONFIG)
    run = run_cli(site, "build", "--base-url", "https://user.github.io/notes/")
    assert run.code == 0, run.err
    return site / "build"


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml", "tag/support/feed.xml"])
def test_feeds_parse_cleanly(out: Path, name: str):
    feed = parse(out / name)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.entries


@pytest.mark.parametrize(("name", "version"), [("feed.xml", "rss20"), ("atom.xml", "atom10")])
def test_entries_newest_first_and_at_most_feed_items(out: Path, name: str, version: str):
    feed = parse(out / name)
    assert feed.version == version
    assert [e.id for e in feed.entries] == [f"https://example.org/{p}/" for p in NEWEST[:4]]


def test_tag_feed_holds_only_the_tag(out: Path):
    feed = parse(out / "tag" / "support" / "feed.xml")
    support = ["2016/09/footnotes-and-friends", "2016/08/graceful-degradation", "2016/01/stop-apologising",
               "2015/09/customer-success"]
    assert [e.id for e in feed.entries] == [f"https://example.org/{p}/" for p in support]
    assert feed.feed.title == "Test Notes: support"
    assert feed.feed.link == "https://example.org/tag/support/"


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml", "tag/support/feed.xml"])
def test_every_url_in_a_feed_is_absolute(out: Path, name: str):
    feed = parse(out / name)
    for entry in feed.entries:
        html = entry.content[0].value
        assert not RELATIVE.search(html), f"{entry.id}: relative link in {html}"
        assert all(link.href.startswith("https://") for link in entry.links)
        assert entry.id.startswith("https://example.org/")
    raw = (out / name).read_text(encoding="utf-8")
    assert 'href="/' not in raw and "href=&quot;/" not in raw and "src=&quot;/" not in raw


def test_relative_links_resolve_like_the_post_page(out: Path):
    entry = parse(out / "feed.xml").entries[0]
    html = entry.content[0].value
    assert 'href="https://example.org/2015/06/work-vs-progress/"' in html
    assert 'href="https://example.org/2015/04/some-customers-suck/"' in html
    assert 'src="https://example.org/images/chart.png"' in html
    assert 'href="https://example.org/2016/09/footnotes-and-friends/#fn' in html


def test_rss_dates_carry_their_offset(out: Path):
    raw = (out / "feed.xml").read_text(encoding="utf-8")
    dates = re.findall(r"<pubDate>(.*?)</pubDate>", raw)
    assert len(dates) == 4 and all(re.search(r" [+-]\d{4}$", d) for d in dates)
    assert dates[0] == "Mon, 05 Sep 2016 18:15:00 -0500"
    dated = [parsedate_to_datetime(d) for d in dates]
    assert dated == sorted(dated, reverse=True)


def test_atom_dates_carry_their_offset(out: Path):
    raw = (out / "atom.xml").read_text(encoding="utf-8")
    stamps = re.findall(r"<(?:updated|published)>(.*?)</", raw)
    assert stamps and all(re.search(r"[+-]\d{2}:\d{2}$", s) for s in stamps)
    assert "<published>2016-09-05T18:15:00-05:00</published>" in raw


def test_an_offset_with_seconds_is_written_as_the_same_instant_in_a_valid_form(tmp_path: Path):
    config = CONFIG.replace("timezone: UTC", "timezone: Europe/Amsterdam")  # +00:19:32 before 1937
    site = make_site(tmp_path / "site", {"old.md": post_text("Old", "1930-05-01 12:00"),
                                         "new.md": post_text("New", "2024-05-01 12:00")}, config=config)
    assert run_cli(site, "build").code == 0
    out = site / "build"
    zone = ZoneInfo("Europe/Amsterdam")
    old, new = datetime(1930, 5, 1, 12, tzinfo=zone), datetime(2024, 5, 1, 12, tzinfo=zone)
    rss = re.findall(r"<(?:pubDate|lastBuildDate)>(.*?)</", (out / "feed.xml").read_text())
    assert all(re.fullmatch(r".* [+-]\d{4}", d) for d in rss), rss  # RFC 822: a zone of four digits
    assert {parsedate_to_datetime(d) for d in rss} == {old, new}
    atom = re.findall(r"<(?:updated|published)>(.*?)</", (out / "atom.xml").read_text())
    items = json.loads((out / "feed.json").read_text())["items"]
    pages = [BeautifulSoup((out / p).read_text(), "html.parser") for p in ("1930/05/old/index.html", "index.html")]
    html = [t["datetime"] for page in pages for t in page.find_all("time")]
    html += [pages[0].find("meta", property="article:published_time")["content"]]
    stamps = atom + [item["date_published"] for item in items] + html
    assert all(RFC_3339.fullmatch(s) for s in stamps), stamps
    assert {datetime.fromisoformat(s) for s in stamps} == {old, new}
    assert "2024-05-01T12:00:00+02:00" in stamps  # a whole-minute offset stays the post's own


def test_a_year_before_1000_is_written_with_four_digits(tmp_path: Path):
    site = make_site(tmp_path / "site", {"a.md": post_text("Medieval", "0999-05-01 12:00"),
                                         "b.md": post_text("Ancient", "0050-06-01 12:00")}, config=CONFIG)
    assert run_cli(site, "build").code == 0
    rss = re.findall(r"<(?:pubDate|lastBuildDate)>(.*?)</", (site / "build" / "feed.xml").read_text())
    assert [d.split()[3] for d in rss] == ["0999", "0999", "0050"], rss  # RFC 2822: a year of four digits
    assert parsedate_to_datetime(rss[0]) == datetime(999, 5, 1, 12, tzinfo=UTC)  # not 2899


def test_feed_dates_are_the_newest_posts_date(out: Path):
    rss = (out / "feed.xml").read_text(encoding="utf-8")
    atom = (out / "atom.xml").read_text(encoding="utf-8")
    tag = (out / "tag" / "business" / "feed.xml").read_text(encoding="utf-8")
    assert "<lastBuildDate>Mon, 05 Sep 2016 18:15:00 -0500</lastBuildDate>" in rss
    assert re.search(r"<feed[^>]*>\s*<id>[^<]*</id>\s*<title>[^<]*</title>\s*"
                     r"<updated>2016-09-05T18:15:00-05:00</updated>", atom)
    assert "<lastBuildDate>Tue, 16 Aug 2016 13:00:00 -0500</lastBuildDate>" in tag


def test_feeds_never_carry_the_build_time(tmp_path: Path):
    site = make_site(tmp_path / "site", POSTS, config=FEED_CONFIG)
    first = run_cli(site, "build", "--output", str(tmp_path / "one"))
    time.sleep(1.1)
    second = run_cli(site, "build", "--clean", "--output", str(tmp_path / "two"))
    assert first.code == second.code == 0, first.err + second.err
    one, two = tree_bytes(tmp_path / "one"), tree_bytes(tmp_path / "two")
    feeds = [name for name in one if name.endswith(".xml")]
    assert len(feeds) >= 8
    assert {n: one[n] for n in feeds} == {n: two[n] for n in feeds}
    this_year = str(datetime.now().year).encode()
    assert not any(this_year in one[n] for n in feeds)


@pytest.mark.parametrize(("name", "self_url"), [
    ("feed.xml", "https://example.org/feed.xml"), ("atom.xml", "https://example.org/atom.xml"),
    ("tag/support/feed.xml", "https://example.org/tag/support/feed.xml")])
def test_self_link_is_the_deployed_url(out: Path, name: str, self_url: str):
    links = parse(out / name).feed.links
    assert [link.href for link in links if link.rel == "self"] == [self_url]


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml", "tag/support/feed.xml"])
def test_self_link_and_entries_under_a_sub_path(sub_path: Path, name: str):
    feed = parse(sub_path / name)
    assert not feed.bozo
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [f"https://user.github.io/notes/{name}"]
    for entry in feed.entries:
        assert entry.id.startswith("https://user.github.io/notes/20")
        assert 'href="/' not in entry.content[0].value
    raw = (sub_path / name).read_text(encoding="utf-8")
    assert "https://user.github.io/notes/source/" in raw  # the tag's link posts name their sources too


def entry_for(out: Path, name: str, path: str) -> feedparser.FeedParserDict:
    return next(e for e in parse(out / name).entries if e.id == f"https://example.org/{path}/")


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_link_post_entry_points_at_the_article(out: Path, name: str):
    entry = entry_for(out, name, "2016/08/graceful-degradation")
    assert entry.link == "https://seths.blog/2016/08/graceful-degradation/"
    assert entry.id == "https://example.org/2016/08/graceful-degradation/"
    if name == "feed.xml":
        assert entry.guidislink is False
    html = BeautifulSoup(entry.content[0].value, "html.parser")
    assert html.figure.blockquote.get_text(strip=True) == "Fail well." and html.find("p", string="Sure.")
    title, source = html.select("p.attribution a")
    assert (title["href"], title.get_text()) == ("https://seths.blog/2016/08/graceful-degradation/",
                                                 "Graceful degradation")
    assert (source["href"], source.get_text()) == ("https://example.org/source/seth-godin/", "Seth Godin")
    assert html.find("a", string="★ Permalink")["href"] == "https://example.org/2016/08/graceful-degradation/"


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_own_post_entry_points_at_the_post(out: Path, name: str):
    entry = entry_for(out, name, "2015/09/customer-success")
    assert entry.link == entry.id == "https://example.org/2015/09/customer-success/"
    assert "Support is a career." in entry.content[0].value
    assert "attribution" not in entry.content[0].value


def test_atom_has_full_content_and_a_summary(out: Path):
    entry = entry_for(out, "atom.xml", "2016/08/graceful-degradation")
    assert entry.content[0].type == "text/html"
    assert entry.summary == "Fail well."


def test_summary_only_feeds(tmp_path: Path):
    config = FEED_CONFIG.replace("full_content: true", "full_content: false")
    site = make_site(tmp_path / "site", POSTS, config=config)
    assert run_cli(site, "build").code == 0
    for name in ("feed.xml", "atom.xml"):
        feed = parse(site / "build" / name)
        assert not feed.bozo
        assert "content" not in feed.entries[1]
        summary = BeautifulSoup(feed.entries[1].summary, "html.parser")
        assert summary.p.get_text() == "Fail well."  # the quoted words, credited: the summary is all there is
        assert summary.find("a", href="https://seths.blog/2016/08/graceful-degradation/") is not None
        assert "Seth Godin" in summary.get_text()
    item = json.loads((site / "build" / "feed.json").read_text())["items"][1]
    assert item["content_text"].startswith("Fail well.\n\n")
    assert "Seth Godin" in item["content_text"] and "https://seths.blog/2016/08/graceful-degradation/" in \
        item["content_text"]


def test_summary_only_entries_credit_a_source_quoted_without_a_link(tmp_path: Path):
    config = FEED_CONFIG.replace("full_content: true", "full_content: false")
    posts = {"book.md": post_text("From a book", "2016-09-01 10:00", "> Words of the book.", source="Ann Author"),
             "own.md": post_text("Mine", "2016-09-02 10:00", "My own words.")}
    site = make_site(tmp_path / "site", posts, config=config)
    assert run_cli(site, "build").code == 0
    source_page = "https://example.org/source/ann-author/"
    for name in ("feed.xml", "atom.xml"):
        book = BeautifulSoup(entry_for(site / "build", name, "2016/09/from-a-book").summary, "html.parser")
        assert book.find("a", href=source_page).get_text() == "Ann Author"
        assert entry_for(site / "build", name, "2016/09/mine").summary == "My own words."
    items = {item["title"]: item for item in json.loads((site / "build" / "feed.json").read_text())["items"]}
    assert items["From a book"]["content_text"] == f"Words of the book.\n\n– Ann Author: {source_page}"
    assert items["Mine"]["content_text"] == "My own words."


@pytest.mark.parametrize("link_posts", ["article", "permalink"])
def test_summary_only_entries_of_link_posts_lead_to_the_post(tmp_path: Path, link_posts: str):
    config = FEED_CONFIG.replace("full_content: true", f"full_content: false, link_posts: {link_posts}")
    site = make_site(tmp_path / "site", POSTS, config=config)
    assert run_cli(site, "build").code == 0
    post = "https://example.org/2016/08/graceful-degradation/"
    for name in ("feed.xml", "atom.xml"):
        entry = entry_for(site / "build", name, "2016/08/graceful-degradation")
        permalink = BeautifulSoup(entry.summary, "html.parser").find("a", string="★ Permalink")
        if link_posts == "article":  # the entry links the article: the summary leads readers to the post
            assert permalink is not None and permalink["href"] == post, entry.summary
        else:
            assert entry.link == post and permalink is None
    item = json.loads((site / "build" / "feed.json").read_text())["items"][1]
    assert item["url"] == post
    assert (f"★ Permalink: {post}" in item["content_text"]) is (link_posts == "article")


def test_atom_always_names_an_author(tmp_path: Path):
    site = make_site(tmp_path / "site", SAMPLE_POSTS, config=CONFIG.replace("author: Test Author\n", ""))
    assert run_cli(site, "build").code == 0
    feed = parse(site / "build" / "atom.xml")
    assert feed.feed.author == "Test Notes"
    assert "<author>" in (site / "build" / "atom.xml").read_text()


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Posts whose entries feeds used to get wrong: srcset, a text summary holding <, a control character's
    entity, a link written with a space, raw <br> and <script> in a summary."""
    posts = {
        "2019-03-01-pictures.md": post_text("Pictures", "2019-03-01 10:00", tags="[x]", body=(
            '<img src="img/a.png" srcset="img/a-2x.png 2x, /img/a-3x.png 3x" alt="a">\n\n'
            '<picture><source srcset="img/b.webp"><img src="img/b.png" alt="b"></picture>\n\n'
            '<img class="cdn" src="img/c.png" srcset="https://cdn.example/w_600,h_400/c.jpg 2x, img/c,3.png 3x" '
            'alt="c">')),
        "2019-03-02-markup.md": post_text("Markup", "2019-03-02 10:00", tags="[x]",
                                          body="Use `<div>` tags & more."),
        "2019-03-03-control.md": post_text("Control", "2019-03-03 10:00", tags="[x]", body="a &#12; b &#xFFFF; c"),
        "2019-03-04-spaced.md": post_text("Spaced", "2019-03-04 10:00", tags="[x]",
                                          link="https://example.com/a b?x=<2>"),
        "2019-03-05-poem.md": post_text("Poem", "2019-03-05 10:00", tags="[x]", body=(
            "Roses are red,<br>violets are blue.<br/>Sugar is sweet <script>var x = 1;</script>and so are you.")),
    }
    site = make_site(tmp_path_factory.mktemp("odd") / "site", posts)
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    return site / "build"


def test_srcset_urls_are_made_absolute(odd: Path):
    for name in ("feed.xml", "atom.xml"):
        html = entry_for(odd, name, "2019/03/pictures").content[0].value
        soup = BeautifulSoup(html, "html.parser")
        assert soup.find("img")["srcset"] == ("https://example.org/2019/03/pictures/img/a-2x.png 2x, "
                                              "https://example.org/img/a-3x.png 3x")
        assert soup.find("source")["srcset"] == "https://example.org/2019/03/pictures/img/b.webp"
        # A comma inside a URL is the URL's, as browsers read a srcset.
        assert soup.find(class_="cdn")["srcset"] == ("https://cdn.example/w_600,h_400/c.jpg 2x, "
                                                      "https://example.org/2019/03/pictures/img/c,3.png 3x")


def test_a_plain_text_summary_shows_its_markup_characters_as_text(odd: Path):
    for name in ("feed.xml", "atom.xml"):
        assert entry_for(odd, name, "2019/03/markup").summary == "Use &lt;div&gt; tags &amp; more."  # as HTML


def test_a_summary_parts_words_at_raw_line_breaks_and_shows_no_script(odd: Path):
    shown = "Roses are red, violets are blue. Sugar is sweet and so are you."
    for name in ("feed.xml", "atom.xml"):
        assert entry_for(odd, name, "2019/03/poem").summary == shown
    items = json.loads((odd / "feed.json").read_text())["items"]
    assert next(i for i in items if i["id"] == "https://example.org/2019/03/poem/")["summary"] == shown
    page = BeautifulSoup((odd / "2019/03/poem/index.html").read_text(), "html.parser")
    assert page.find("meta", attrs={"name": "description"})["content"] == shown


def test_a_character_xml_cannot_hold_is_left_out_of_the_feeds(odd: Path):
    for name in ("feed.xml", "atom.xml"):
        assert not parse(odd / name).bozo
        shown = entry_for(odd, name, "2019/03/control").content[0].value
        assert "a  b" in shown and "\x0c" not in shown and "\uffff" not in shown


def test_a_link_written_with_a_space_is_a_url_in_the_feeds(odd: Path):
    assert entry_for(odd, "feed.xml", "2019/03/spaced").link == "https://example.com/a%20b?x=%3C2%3E"


def test_an_article_link_beyond_ascii_is_a_uri_in_every_feed(tmp_path: Path):
    link = "https://bücher.example/straße?q=café"
    site = make_site(tmp_path / "site", {"2019-01-01-books.md": post_text(
        "Books", "2019-01-01 10:00", "> Read more.\n\nYes.", tags="[x]", link=link, source="Shop")})
    assert run_cli(site, "build").code == 0
    uri = "https://xn--bcher-kva.example/stra%C3%9Fe?q=caf%C3%A9"
    assert parse(site / "build" / "feed.xml").entries[0].link == uri
    assert {item["href"] for item in parse(site / "build" / "atom.xml").entries[0].links} >= {uri}
    assert json.loads((site / "build" / "feed.json").read_text())["items"][0]["external_url"] == uri
    # The entry's own attribution and via links, as every link of its HTML: the host as IDNA spells it.
    for name in ("feed.xml", "atom.xml"):
        html = parse(site / "build" / name).entries[0].content[0].value
        hrefs = {a["href"] for a in BeautifulSoup(html, "html.parser").find_all("a")}
        assert uri in hrefs and not any("b%C3%BCcher" in href for href in hrefs), hrefs


def test_a_post_s_own_author_is_its_byline_and_its_author_in_every_feed(tmp_path: Path) -> None:
    # A guest post, or a blog imported from several writers: never credited to the site's author.
    site = make_site(tmp_path / "site", {
        "guest.md": post_text("Guest", "2015-06-02 09:00", author="'Ann  Lee'"),
        "own.md": post_text("Own", "2015-06-01 09:00")})
    assert run_cli(site, "build").code == 0
    byline = BeautifulSoup((site / "build/2015/06/guest/index.html").read_text("utf-8"), "html.parser")
    assert byline.select_one(".byline .p-author").get_text() == "Ann Lee"
    atom, rss = parse(site / "build" / "atom.xml"), parse(site / "build" / "feed.xml")
    json_feed = json.loads((site / "build" / "feed.json").read_text("utf-8"))
    site_author = json_feed["authors"][0]["name"]
    assert [e.author for e in atom.entries] == [e.author for e in rss.entries] == ["Ann Lee", site_author]
    assert [item["authors"] for item in json_feed["items"]] == [[{"name": "Ann Lee"}], [{"name": site_author}]]


@pytest.mark.parametrize(("written", "shown"), [("{name: Ann Lee, twitter: ann}", "Ann Lee"),  # jekyll-seo-tag's
                                               ("[Ann, Bo]", "Ann, Bo")])
def test_an_author_as_a_mapping_or_a_list_is_its_names(tmp_path: Path, written: str, shown: str) -> None:
    site = make_site(tmp_path / "site", {"guest.md": post_text("Guest", "2015-06-02 09:00", author=written)})
    assert run_cli(site, "build").code == 0
    page = BeautifulSoup((site / "build/2015/06/guest/index.html").read_text("utf-8"), "html.parser")
    assert page.select_one(".byline .p-author").get_text() == shown


def test_an_author_naming_no_one_is_a_warning_at_its_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"guest.md": post_text("Guest", "2015-06-02 09:00", author="{twitter: ann}")})
    run = run_cli(site, "build")
    assert run.code == 0
    assert [line for line in run.err.splitlines() if "author" in line] == [
        "posts/guest.md:4: warning: 'author' names no one (write a name, or a mapping with a name): the site's "
        "author is shown"]

"""`linkblog import feed`: RSS 2.0, RSS 1.0 and Atom files, a URL served on 127.0.0.1, and bad feeds (#16)."""

from __future__ import annotations

import gzip
import html
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import Run, make_site, post_text, run_cli, tree_bytes
from test_import_helpers import FIXTURES, assert_builds, fresh_site, posts_of


def zone(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


def imported(tmp_path: Path, source: str) -> tuple[Path, dict]:
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "feed", source)
    assert done.code == 0, done.err
    return site, posts_of(site)


def test_rss2_full_content_and_summary(tmp_path: Path) -> None:
    site, posts = imported(tmp_path, str(FIXTURES / "rss2.xml"))
    assert sorted(posts) == ["2015-08-16-graceful-degradation.md", "2016-01-12-stop-apologising.md"]
    full = posts["2016-01-12-stop-apologising.md"]
    assert full.meta["title"] == "Stop apologising"
    assert full.meta["date"] == datetime(2016, 1, 12, 10, 20, tzinfo=zone(1))
    assert full.meta["tags"] == ["support", "Customer Success"]
    # Its last line names the article: recovered, so `link` is the article and not the old post.
    assert full.meta["link"] == "https://www.helpscout.com/blog/stop-apologising/"
    assert full.meta["source"] == "Mathew Patterson"
    assert full.body == "> Lead your customers; don't just apologise to them.\n\nYes. An apology is *not* a plan.\n"
    summary = posts["2015-08-16-graceful-degradation.md"]
    assert summary.meta["link"] == "https://quotes.example.net/2015/08/graceful-degradation/"
    assert summary.meta["date"] == datetime(2015, 8, 16, 13, 0, tzinfo=zone(-4))
    assert summary.meta["tags"] == ["business"]
    assert summary.body == "Systems should **fail well**.\n\nSo should people.\n"
    assert_builds(site)


def test_rss1(tmp_path: Path) -> None:
    _, posts = imported(tmp_path, str(FIXTURES / "rss1.xml"))
    assert sorted(posts) == ["2004-02-10-phones-still-ring.md", "2004-03-05-tickets-are-conversations.md"]
    tickets = posts["2004-03-05-tickets-are-conversations.md"]
    assert tickets.meta["date"] == datetime(2004, 3, 5, 18, 45, tzinfo=zone(9))
    assert tickets.meta["tags"] == ["tickets"]
    assert tickets.meta["link"] == "https://old.example.org/2004/03/tickets.html"
    assert tickets.body == "Every ticket is half of a conversation.\n\nAnswer the *other* half.\n"
    assert posts["2004-02-10-phones-still-ring.md"].body == "Not everyone wants to type.\n"


def test_atom(tmp_path: Path) -> None:
    site, posts = imported(tmp_path, str(FIXTURES / "atom.xml"))
    assert sorted(posts) == ["2017-01-20-written-in-xhtml.md", "2017-02-14-summary-only.md",
                             "2017-03-02-queues-patience.md"]
    queues = posts["2017-03-02-queues-patience.md"]
    assert queues.meta["title"] == "Queues & patience"
    assert queues.meta["date"] == datetime(2017, 3, 2, 9, 15, tzinfo=zone(-8))  # published, not updated
    assert queues.meta["tags"] == ["queues", "patience"]
    assert queues.meta["link"] == "https://diary.example.com/2017/03/queues/"
    assert queues.body == "A queue is a promise.\n\n- Keep it short\n- Keep it moving\n"  # content, not summary
    assert posts["2017-02-14-summary-only.md"].body == "Only a summary here, in plain text.\n"
    xhtml = posts["2017-01-20-written-in-xhtml.md"]
    assert xhtml.meta["date"] == datetime(2017, 1, 20, 7, 30, tzinfo=zone(5.5))
    assert xhtml.body == "Some **strong** words.\n"
    assert_builds(site)


def test_rerun_changes_nothing(tmp_path: Path) -> None:
    site, _ = imported(tmp_path, str(FIXTURES / "atom.xml"))
    before = tree_bytes(site / "posts")
    again = run_cli(site, "import", "feed", str(FIXTURES / "atom.xml"))
    assert again.code == 0 and "0 new, 3 unchanged" in again.out
    assert tree_bytes(site / "posts") == before


@pytest.fixture
def served() -> Iterator[str]:
    """The fixtures folder served over HTTP on 127.0.0.1; yields its base URL."""
    handler = partial(QuietHandler, directory=str(FIXTURES))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def test_feed_from_a_url(tmp_path: Path, served: str) -> None:
    site, posts = imported(tmp_path, served + "rss2.xml")
    assert sorted(posts) == ["2015-08-16-graceful-degradation.md", "2016-01-12-stop-apologising.md"]
    assert posts["2016-01-12-stop-apologising.md"].meta["source"] == "Mathew Patterson"


class GzipHandler(QuietHandler):
    """Serves rss2.xml gzip-compressed, asked or not, as some servers do."""

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        data = gzip.compress((FIXTURES / "rss2.xml").read_bytes())
        self.send_response(200)
        for name, value in (("Content-Type", "application/rss+xml"), ("Content-Encoding", "gzip"),
                            ("Content-Length", str(len(data)))):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def test_a_feed_sent_compressed_unasked_is_read(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), GzipHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        site, posts = imported(tmp_path, f"http://127.0.0.1:{server.server_address[1]}/feed")
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(posts) == ["2015-08-16-graceful-degradation.md", "2016-01-12-stop-apologising.md"]


def test_url_not_found(tmp_path: Path, served: str) -> None:
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "feed", served + "missing.xml")
    assert done.code == 1
    lines = done.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{served}missing.xml: could not fetch it: the server answered 404")


def test_offline_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on: connection refused, as offline
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "feed", f"http://127.0.0.1:{port}/feed.xml")
    assert done.code == 1
    lines = done.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"http://127.0.0.1:{port}/feed.xml: could not fetch it")
    assert list((site / "posts").iterdir()) == []


EMPTY_RSS = "<?xml version='1.0'?><rss version='2.0'><channel><title>Empty</title></channel></rss>"
ENTITY_FEED = ("<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
               "<rss version='2.0'><channel><item><title>&x;</title></item></channel></rss>")
BAD_FEEDS = {
    "empty": (EMPTY_RSS, "the feed has no entries"),
    "unknown-encoding": (EMPTY_RSS.replace("version='1.0'", "version='1.0' encoding='bogus'"),
                         "unknown encoding 'bogus'"),
    "html": ("<html><body><p>Hello</p></body></html>", "not an RSS or Atom feed"),
    "truncated": ((FIXTURES / "atom.xml").read_text(encoding="utf-8")[:900], "not well-formed XML"),
    "entity": (ENTITY_FEED, "refused"),
}


@pytest.mark.parametrize("case", sorted(BAD_FEEDS))
def test_bad_feeds_are_refused(tmp_path: Path, case: str) -> None:
    text, message = BAD_FEEDS[case]
    feed = tmp_path / f"{case}.xml"
    feed.write_text(text, encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 1
    lines = done.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(str(feed)) and message in lines[0]
    assert "Traceback" not in done.err and "root:" not in done.err
    assert list((site / "posts").iterdir()) == []


def test_into_another_folder(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "feed", str(FIXTURES / "rss1.xml"), "--into", "posts/old")
    assert done.code == 0, done.err
    assert "into posts/old/" in done.out
    assert sorted(p.name for p in (site / "posts" / "old").iterdir()) == [
        "2004-02-10-phones-still-ring.md", "2004-03-05-tickets-are-conversations.md"]
    assert_builds(site)



def test_into_a_file_is_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    before = tree_bytes(site)
    done = run_cli(site, "import", "feed", str(FIXTURES / "rss1.xml"), "--into", "config.yaml")
    assert done.code == 1 and "Traceback" not in done.err
    assert done.err.splitlines()[0].startswith("config.yaml: ")
    assert tree_bytes(site) == before


def rss_file(path: Path, items: str, link: str = "https://old.example/") -> Path:
    """An RSS feed file of these <item>s, from a channel at `link`."""
    path.write_text(f"<?xml version='1.0'?><rss version='2.0'><channel><title>Old</title><link>{link}</link>{items}"
                    "</channel></rss>", encoding="utf-8")
    return path


def test_a_year_written_with_four_digits_is_never_read_as_two(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    feed = rss_file(tmp_path / "old.xml", "<item><title>Ancient</title><link>https://old.example/a</link>"
                    "<pubDate>Mon, 01 Jan 0099 00:00:00 +0000</pubDate><description>Old.</description></item>")
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 0, done.err
    [post] = (site / "posts").glob("*.md")
    assert "date: 0099-01-01" in post.read_text()


def test_into_a_folder_outside_posts_warns_that_no_build_reads_it(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "feed", str(FIXTURES / "rss1.xml"), "--into", "to-review")
    assert done.code == 0, done.err
    assert len(list((site / "to-review").iterdir())) == 2
    (warning,) = [line for line in done.err.splitlines() if "to-review" in line]
    assert warning.startswith("to-review") and "posts/" in warning
    sneaky = run_cli(site, "import", "feed", str(FIXTURES / "rss1.xml"), "--into", "posts/../also-to-review")
    assert sneaky.code == 0 and "also-to-review" in sneaky.err and "warning" in sneaky.err
    inside = run_cli(site, "import", "feed", str(FIXTURES / "rss1.xml"), "--into", "posts/old")
    assert inside.code == 0 and "warning" not in inside.err


@pytest.mark.parametrize("into", ["posts/_imported", "posts/.review/old", "posts/old/_later"])
def test_into_a_folder_under_posts_that_a_build_skips_warns_that_no_build_reads_it(tmp_path: Path, into: str) -> None:
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "feed", str(FIXTURES / "rss1.xml"), "--into", into)
    assert done.code == 0, done.err
    assert len(list((site / into).iterdir())) == 2
    assert [line for line in done.err.splitlines() if "warning" in line and line.startswith(f"{into}:")]


def weekly_feed(days: list[int]) -> str:
    """An RSS feed, newest first, of posts all titled "Weekly links", one on each of these days of January 2017."""
    items = "".join(f"<item><title>Weekly links</title><link>https://old.example/{day}/</link>"
                    f"<pubDate>{day:02d} Jan 2017 09:00:00 +0000</pubDate>"
                    f"<description>&lt;p&gt;Links of the week to the {day}th.&lt;/p&gt;</description></item>"
                    for day in sorted(days, reverse=True))
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Old</title>{items}</channel></rss>"


def test_importing_a_feed_again_after_it_grew_adds_only_the_new_post(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    feed = tmp_path / "feed.xml"
    feed.write_text(weekly_feed([8, 15]), encoding="utf-8")
    assert run_cli(site, "import", "feed", str(feed)).code == 0
    first = sorted(path.name for path in (site / "posts").iterdir())
    feed.write_text(weekly_feed([8, 15, 22]), encoding="utf-8")
    again = run_cli(site, "import", "feed", str(feed))
    assert again.code == 0, again.err
    assert "1 new, 2 unchanged" in again.out
    now = sorted(path.name for path in (site / "posts").iterdir())
    assert len(now) == 3 and set(first) < set(now)
    assert_builds(site)


def test_a_site_post_at_an_imported_post_s_url_makes_the_import_number_it(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"2017/mine.md": post_text("Mine", "2017-01-20 10:00", slug="weekly-links")})
    feed = tmp_path / "feed.xml"
    feed.write_text(weekly_feed([8]), encoding="utf-8")
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 0, done.err
    assert (site / "posts" / "2017-01-08-weekly-links-2.md").exists()
    assert (site / "posts" / "2017" / "mine.md").read_text().startswith("---\ntitle: Mine")
    assert_builds(site)


def test_a_saved_feed_s_relative_links_are_its_site_s(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    feed = rss_file(tmp_path / "feed.xml", "<item><title>Pictures</title><pubDate>Mon, 02 Jan 2017 09:00:00 +0000"
                    "</pubDate><description>&lt;p&gt;&lt;a href='/about/'&gt;About&lt;/a&gt; &lt;img src='img/pic.png' "
                    "alt='pic'&gt;&lt;/p&gt;</description></item>", link="https://feed.example.net/blog/")
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 0, done.err
    (imported,) = posts_of(site).values()
    assert "https://feed.example.net/about/" in imported.parsed.html
    assert "https://feed.example.net/blog/img/pic.png" in imported.parsed.html


def test_dates_only_feedparser_reads_are_kept_and_unreadable_ones_named(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    feed = tmp_path / "feed.xml"
    items = "".join(f"<item><title>{title}</title><link>https://old.example/{n}/</link><pubDate>{date}</pubDate>"
                    f"<description>Words {n}.</description></item>"
                    for n, (title, date) in enumerate([("Day only", "02 Jan 2017"), ("Weekday", "Mon, 09 Jan 2017"),
                                                       ("Nonsense", "Thursday, 32 Foo 2017")]))
    feed.write_text(f"<?xml version='1.0'?><rss version='2.0'><channel><title>Old</title>{items}</channel></rss>",
                    encoding="utf-8")
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 0, done.err
    dates = sorted(f"{post.parsed.date:%Y-%m-%d}" for post in posts_of(site).values())
    assert dates == ["2017-01-02", "2017-01-09"]
    assert "Thursday, 32 Foo 2017" in done.err

ENCODED_RSS = """<?xml version="1.0" encoding="{encoding}"?>
<rss version="2.0"><channel><title>Nikki</title><link>https://nikki.example/</link>
<item><title>{title}</title><link>https://nikki.example/2009/05/asa/</link>
<pubDate>Wed, 27 May 2009 08:15:00 +0900</pubDate><category>{tag}</category>
<description>&lt;p&gt;{words}&lt;/p&gt;</description></item></channel></rss>
"""
# Encodings expat does not read itself (it reads UTF-8, UTF-16 and single-byte ones): each was a traceback.
ENCODED = {
    "Shift_JIS": ("shift_jis", "東京の朝", "日本語", "静かな朝です。"),
    "EUC-JP": ("euc_jp", "東京の朝", "日本語", "静かな朝です。"),
    "Big5": ("big5", "東京早晨", "台灣", "安靜的早晨。"),
    "GB2312": ("gb2312", "东京早晨", "中文", "安静的早晨。"),
    "EUC-KR": ("euc_kr", "서울의 아침", "한국어", "조용한 아침입니다."),
    "utf16": ("utf-16-be", "東京の朝", "日本語", "静かな朝です。"),  # UTF-16 without a BOM, named as Python does
}


@pytest.mark.parametrize("encoding", sorted(ENCODED))
def test_feed_in_an_encoding_expat_cannot_read(tmp_path: Path, encoding: str) -> None:
    codec, title, tag, words = ENCODED[encoding]
    feed = tmp_path / "feed.xml"
    feed.write_bytes(ENCODED_RSS.format(encoding=encoding, title=title, tag=tag, words=words).encode(codec))
    site, posts = imported(tmp_path, str(feed))
    (post,) = posts.values()
    assert post.meta["title"] == title
    assert post.meta["date"] == datetime(2009, 5, 27, 8, 15, tzinfo=zone(9))
    assert post.meta["tags"] == [tag]
    assert post.body == words + "\n"
    assert_builds(site)


def test_a_text_title_keeps_what_looks_like_a_tag(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text("""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title type="text">Why &lt;blink&gt; died</title><published>2017-01-20T07:30:00Z</published>
<link href="https://t.example/1"/><content type="html">&lt;p&gt;One.&lt;/p&gt;</content></entry>
<entry><title type="html">Why &lt;em&gt;marquee&lt;/em&gt; died</title><published>2017-01-21T07:30:00Z</published>
<link href="https://t.example/2"/><content type="html">&lt;p&gt;Two.&lt;/p&gt;</content></entry>
</feed>""", encoding="utf-8")
    _, posts = imported(tmp_path, str(feed))
    assert [p.meta["title"] for p in posts.values()] == ["Why <blink> died", "Why marquee died"]


def test_a_malformed_feed_url_is_one_line(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "feed", "http://[oops")  # refused before any name is looked up
    assert done.code == 1 and "Traceback" not in done.err and len(done.err.strip().splitlines()) == 1


def test_an_entry_listed_twice_is_one_post(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    item = ("<item><title>Twice</title><link>https://old.example/twice</link><guid>https://old.example/twice</guid>"
            "<pubDate>Mon, 02 Jan 2017 09:00:00 +0000</pubDate><description>Once.</description></item>")
    feed = rss_file(tmp_path / "twice.xml", item + item)
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 0, done.err
    assert len(list((site / "posts").glob("*.md"))) == 1
    assert "  the same entry again (its id): entry 2 'Twice'" in done.out.splitlines()


def test_a_post_already_anywhere_under_posts_is_unchanged_not_written_again(tmp_path: Path) -> None:
    site, posts = imported(tmp_path, str(FIXTURES / "atom.xml"))
    with (site / "posts" / "2017-02-14-summary-only.md").open("a", encoding="utf-8") as edited:
        edited.write("Edited by hand.\n")
    before = tree_bytes(site / "posts")
    done = run_cli(site, "import", "feed", str(FIXTURES / "atom.xml"), "--into", "posts/imported")
    assert done.code == 0, done.err
    assert "1 new, 2 unchanged" in done.out
    written = {name: data for name, data in tree_bytes(site / "posts").items() if name not in before}
    assert list(written) == ["imported/2017-02-14-summary-only-2.md"]  # the edited one's URL is another post's now
    assert_builds(site)


def test_entries_without_an_id_sharing_a_link_are_each_a_post(tmp_path: Path) -> None:
    # A podcast links every episode to the show's home page; only an entry alike in all it shows is one again.
    site = fresh_site(tmp_path / "site")
    items = [f"<item><title>Episode {n}</title><link>https://pod.example/</link>"
             f"<pubDate>Mon, 0{n} Jan 2017 09:00:00 +0000</pubDate><description>Notes {n}.</description>"
             f"<enclosure url='https://pod.example/{n}.mp3' length='1' type='audio/mpeg'/></item>" for n in (2, 3, 4)]
    feed = rss_file(tmp_path / "pod.xml", "".join(items) + items[2])
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 0, done.err
    assert sorted(posts_of(site)) == ["2017-01-02-episode-2.md", "2017-01-03-episode-3.md",
                                      "2017-01-04-episode-4.md"]
    assert "  the same entry again (its id): entry 4 'Episode 4'" in done.out.splitlines()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-32", "shift_jis", "iso-2022-jp"])
def test_control_characters_are_removed_before_parsing(tmp_path: Path, encoding: str) -> None:
    # A raw \x01 makes the XML ill-formed; dropped as bytes only where a byte is the character (not in UTF-16/32,
    # nor in ISO-2022's escapes, which a Japanese title needs).
    site = fresh_site(tmp_path / "site")
    feed = tmp_path / "ctrl.xml"
    feed.write_bytes(f"<?xml version='1.0' encoding='{encoding}'?><rss version='2.0'><channel><title>Old</title>"
                     "<link>https://old.example/</link><item><title>Bell\x07 日本\x0b</title>"
                     "<pubDate>Mon, 02 Jan 2017 09:00:00 +0000</pubDate><description>Ring\x01.</description></item>"
                     "</channel></rss>".encode(encoding))
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 0, done.err
    (post,) = posts_of(site).values()
    assert (post.meta["title"], post.body) == ("Bell 日本", "Ring.\n")
    (warning,) = [line for line in done.err.splitlines() if "warning" in line]
    assert warning.startswith(f"{feed}: warning: removed 3 ")


def test_enclosures_are_linked_and_the_author_kept(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    feed = rss_file(tmp_path / "cast.xml", "<item><title>Episode 1</title><link>https://old.example/1</link>"
                    "<author>anne@example.com (Anne Host)</author>"
                    "<enclosure url='https://cdn.example/ep1.mp3' length='1' type='audio/mpeg'/>"
                    "<pubDate>Mon, 02 Jan 2017 09:00:00 +0000</pubDate><description>Show notes.</description></item>")
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 0, done.err
    (imported,) = posts_of(site).values()
    assert '<a href="https://cdn.example/ep1.mp3">ep1.mp3</a>' in imported.parsed.html
    assert imported.meta["author"] == "Anne Host"
    assert_builds(site)


ATOM_ENTRY = ("<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Old</title><id>tag:old</id>"
              "<updated>2017-01-02T09:00:00Z</updated><entry><title>One</title><id>tag:old,1</id>"
              "<updated>2017-01-02T09:00:00Z</updated><author>{}</author><content>Words.</content></entry></feed>")


@pytest.mark.parametrize(("kind", "author", "kept"), [
    ("rss", "ann@old.example (Ann Lee)", "Ann Lee"),
    ("rss", "Ann Lee &lt;ann@old.example&gt;", "Ann Lee"),
    ("rss", "Ann Lee", "Ann Lee"),
    ("rss", "Ann Lee (ann@old.museum)", "Ann Lee"),
    ("rss", "(Ann Lee) ann@old.example", "Ann Lee"),
    ("rss", "ann@old.example", None),
    ("atom", "<name>Rosa</name>", "Rosa"),
    ("atom", "<name>Rosa Lee</name><email>rosa@old.example</email>", "Rosa Lee"),
    ("atom", "<email>rosa@old.example</email>", None),
])
def test_the_author_is_a_name_never_an_address(tmp_path: Path, kind: str, author: str, kept: str | None) -> None:
    feed = tmp_path / "old.xml"
    if kind == "atom":
        feed.write_text(ATOM_ENTRY.format(author), encoding="utf-8")
    else:
        rss_file(feed, f"<item><title>One</title><author>{author}</author>"
                       "<pubDate>Mon, 02 Jan 2017 09:00:00 +0000</pubDate><description>Words.</description></item>")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 0, done.err
    (imported,) = posts_of(site).values()
    assert imported.meta.get("author") == kept
    assert "@" not in imported.text
    # an author left out is said to be, once
    assert len([line for line in done.err.splitlines() if "warning" in line and "author" in line]) == (kept is None)



def test_an_entry_with_an_enclosure_is_still_recovered_as_a_link_post(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    content = html.escape('<p>Mine.</p><p><a href="https://art.example/x">The Article</a> \u2014 Some Author</p>')
    feed = rss_file(tmp_path / "cast.xml", "<item><title>Noted</title><link>https://old.example/1</link>"
                    "<enclosure url='https://old.example/a.mp3' length='1' type='audio/mpeg'/>"
                    f"<pubDate>Mon, 02 Jan 2017 09:00:00 +0000</pubDate><description>{content}</description></item>")
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 0, done.err
    (post,) = posts_of(site).values()
    assert (post.meta["link"], post.meta["source"]) == ("https://art.example/x", "Some Author")
    assert '<a href="https://old.example/a.mp3">a.mp3</a>' in post.parsed.html
    assert "The Article" not in post.parsed.html
    assert_builds(site)


class MovedFeedHandler(QuietHandler):
    """A feed that moved: /old answers 301 to /blog/feed.xml, whose relative links are the new place's."""

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        if self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/blog/feed.xml")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = (b"<?xml version='1.0'?><rss version='2.0'><channel><title>Moved</title><item><title>Pic</title>"
                b"<pubDate>Mon, 02 Jan 2017 09:00:00 +0000</pubDate><description>&lt;img src='img/pic.png' "
                b"alt='pic'&gt;</description></item></channel></rss>")
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_a_feed_reached_through_a_redirect_resolves_links_where_it_ended(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), MovedFeedHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        site = fresh_site(tmp_path / "site")
        done = run_cli(site, "import", "feed", base + "/old")
    finally:
        server.shutdown()
        server.server_close()
    assert done.code == 0, done.err
    (imported,) = posts_of(site).values()
    assert f"{base}/blog/img/pic.png" in imported.parsed.html


def test_html_nested_too_deep_to_convert_is_kept_as_html_and_named(tmp_path: Path) -> None:
    # As pasted from Word: a <font> opened in each paragraph and never closed, 300 levels deep.
    body = "".join(f"<p><font color='red'>para {i}" for i in range(300))
    feed = rss_file(tmp_path / "old.xml", "<item><title>Deep</title><link>https://old.example/deep</link>"
                    "<pubDate>Mon, 01 Jun 2015 09:30:00 +0000</pubDate>"
                    f"<description>{html.escape(body)}</description></item>")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 0, done.err
    assert "Traceback" not in done.err
    assert [line for line in done.err.splitlines() if line.startswith(f"{feed}: entry 1") and "warning" in line]
    [post] = posts_of(site).values()
    assert re.findall(r"para (\d+)", post.parsed.html) == [str(i) for i in range(300)]  # nothing lost
    assert_builds(site)


WXR_ITEMS = ("<item><title>Private notes</title><pubDate>Fri, 03 Jan 2020 10:00:00 +0000</pubDate>"
             "<content:encoded><![CDATA[My private diary.]]></content:encoded><wp:post_id>16</wp:post_id>"
             "<wp:status>private</wp:status><wp:post_type>post</wp:post_type></item>"
             "<item><title>About</title><pubDate>Fri, 03 Jan 2020 11:00:00 +0000</pubDate>"
             "<content:encoded><![CDATA[A page.]]></content:encoded><wp:post_id>18</wp:post_id>"
             "<wp:status>publish</wp:status><wp:post_type>page</wp:post_type></item>")


@pytest.mark.parametrize("version", ["<wp:wxr_version>1.2</wp:wxr_version>", ""])
def test_a_wordpress_export_is_refused_and_the_wordpress_import_named(tmp_path: Path, version: str) -> None:
    # A WXR file is valid RSS 2.0: read as a feed, its private posts and pages would be published.
    export = tmp_path / "wxr.xml"
    export.write_text("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0' "
                      "xmlns:content='http://purl.org/rss/1.0/modules/content/' "
                      f"xmlns:wp='http://wordpress.org/export/1.2/'><channel><title>Old</title>"
                      f"<link>https://old.example</link>{version}{WXR_ITEMS}</channel></rss>", encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    before = tree_bytes(site)
    done = run_cli(site, "import", "feed", str(export))
    assert done.code == 1 and "Traceback" not in done.err
    (line,) = done.err.strip().splitlines()
    assert line.startswith(f"{export}: ") and f"linkblog import wordpress {export}" in line
    assert tree_bytes(site) == before


ZONED_DATES = {  # as written: (the date as the post has it, whether a warning says its zone was taken as UTC)
    "Tue, 02 Feb 2021 23:30:00 +01:00": (datetime(2021, 2, 2, 23, 30, tzinfo=zone(1)), False),
    "Tue, 02 Feb 2021 00:30:00 GMT+0200": (datetime(2021, 2, 2, 0, 30, tzinfo=zone(2)), False),
    "Tue, 02 Feb 2021 01:30:00 UTC-05:30": (datetime(2021, 2, 2, 1, 30, tzinfo=zone(-5.5)), False),
    "Wed, 02 Jun 2021 02:30:00 MEST": (datetime(2021, 6, 2, 2, 30, tzinfo=zone(2)), False),  # feedparser knows it
    "Wed, 02 Jun 2021 00:30:00 CEST": (datetime(2021, 6, 2, 0, 30, tzinfo=zone(0)), True),
    "Thu, 03 Jun 2021 00:30:00 XYZ": (datetime(2021, 6, 3, 0, 30, tzinfo=zone(0)), True),
    # the forms RFC 822 has
    "Fri, 04 Jun 2021 09:00:00 EST": (datetime(2021, 6, 4, 9, 0, tzinfo=zone(-5)), False),
    "Fri, 04 Jun 2021 10:00:00 EDT": (datetime(2021, 6, 4, 10, 0, tzinfo=zone(-4)), False),
    "Fri, 04 Jun 2021 11:00:00 GMT": (datetime(2021, 6, 4, 11, 0, tzinfo=zone(0)), False),
    "Fri, 04 Jun 2021 12:00:00 UT": (datetime(2021, 6, 4, 12, 0, tzinfo=zone(0)), False),
    "Fri, 04 Jun 2021 13:00:00 Z": (datetime(2021, 6, 4, 13, 0, tzinfo=zone(0)), False),
    "Fri, 04 Jun 2021 14:00:00 +0530": (datetime(2021, 6, 4, 14, 0, tzinfo=zone(5.5)), False),
    "Fri, 04 Jun 2021 15:00:00 -0000": (datetime(2021, 6, 4, 15, 0, tzinfo=zone(0)), False),
}


def test_dates_keep_the_offset_written_and_a_zone_no_one_knows_is_named(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    items = "".join(f"<item><title>Post {n}</title><link>https://old.example/{n}</link><guid>g{n}</guid>"
                    f"<pubDate>{date}</pubDate><description>Words {n}.</description></item>"
                    for n, date in enumerate(ZONED_DATES))
    feed = rss_file(tmp_path / "feed.xml", items)
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 0, done.err
    dates = {post.meta["title"]: post.meta["date"] for post in posts_of(site).values()}
    for n, (written, (expected, _)) in enumerate(ZONED_DATES.items()):
        assert (written, dates[f"Post {n}"], dates[f"Post {n}"].utcoffset()) == (written, expected,
                                                                                expected.utcoffset())
    warned = [line for line in done.err.splitlines() if "warning" in line]
    named = [f"{feed}: entry {n + 1} 'Post {n}'" for n, (_, (_, warns)) in enumerate(ZONED_DATES.items()) if warns]
    assert [line.split(": warning")[0] for line in warned] == named
    assert all("UTC" in line for line in warned)


def imported_feed(tmp_path: Path, text: str) -> tuple[Run, Path]:
    """`linkblog import feed` run on a feed of this text, into a fresh site: the run and the site."""
    site = fresh_site(tmp_path / "site")
    feed = tmp_path / "feed.xml"
    feed.write_text(text, encoding="utf-8")
    return run_cli(site, "import", "feed", str(feed)), site


def test_media_rss_files_are_attached_as_enclosures_are(tmp_path: Path) -> None:
    done, site = imported_feed(tmp_path,
        "<?xml version='1.0'?><rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/'><channel>"
        "<title>Photos</title><link>https://photos.example/</link>"
        "<item><title>Sunset</title><link>https://photos.example/p/1</link><guid>p1</guid>"
        "<pubDate>Mon, 01 Mar 2021 10:00:00 +0000</pubDate><description>Red sky.</description>"
        "<media:content url='https://cdn.photos.example/1.jpg' type='image/jpeg' medium='image'/></item>"
        "<item><title>Video</title><link>https://photos.example/p/2</link><guid>p2</guid>"
        "<pubDate>Tue, 02 Mar 2021 10:00:00 +0000</pubDate><description>Watch this.</description>"
        "<media:group><media:content url='https://cdn.photos.example/2.mp4' type='video/mp4'/>"
        "<media:thumbnail url='https://cdn.photos.example/2.jpg'/></media:group></item>"
        "<item><title>Both</title><link>https://photos.example/p/3</link><guid>p3</guid>"
        "<pubDate>Wed, 03 Mar 2021 10:00:00 +0000</pubDate><description>Listen.</description>"
        "<enclosure url='https://cdn.photos.example/3.mp3' length='1' type='audio/mpeg'/>"
        "<media:content url='https://cdn.photos.example/3.mp3' type='audio/mpeg'/></item>"
        "</channel></rss>")
    assert done.code == 0, done.err
    posts = {post.meta["title"]: post.parsed.html for post in posts_of(site).values()}
    assert '<a href="https://cdn.photos.example/1.jpg">1.jpg</a>' in posts["Sunset"]
    assert '<a href="https://cdn.photos.example/2.mp4">2.mp4</a>' in posts["Video"]
    assert posts["Both"].count("https://cdn.photos.example/3.mp3") == 1
    assert_builds(site)


def test_entries_not_valid_as_posts_are_named_under_skipped(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    feed = rss_file(tmp_path / "old.xml",
                    "<item><title>Good</title><link>https://old.example/g</link>"
                    "<pubDate>Mon, 02 Jan 2017 09:00:00 +0000</pubDate><description>Fine.</description></item>"
                    "<item><title>Bad port</title><link>https://old.example:99999/p</link>"
                    "<pubDate>Mon, 02 Jan 2017 10:00:00 +0000</pubDate><description>Port.</description></item>")
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 0, done.err
    assert [line for line in done.err.splitlines() if line.startswith(f"{feed}: entry 2 'Bad port': warning")]
    skipped = done.out.splitlines()[done.out.splitlines().index("Skipped 1: not valid as a post (see warnings) ×1")
                                    + 1]
    assert skipped == "  not valid as a post (see warnings): entry 2 'Bad port'"


def test_a_feed_level_atom_author_is_every_authorless_entry_s(tmp_path: Path) -> None:
    feed = tmp_path / "atom.xml"
    feed.write_text("<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>T</title><id>tag:t</id>"
                    "<updated>2017-01-03T09:00:00Z</updated><author><name>Feed Owner</name></author>"
                    "<entry><title>Mine</title><id>tag:t,1</id><updated>2017-01-02T09:00:00Z</updated>"
                    "<content>One.</content></entry>"
                    "<entry><title>Guest</title><id>tag:t,2</id><updated>2017-01-03T09:00:00Z</updated>"
                    "<author><name>Guest Writer</name></author><content>Two.</content></entry></feed>",
                    encoding="utf-8")
    _, posts = imported(tmp_path, str(feed))
    assert {p.meta["title"]: p.meta.get("author") for p in posts.values()} == {"Mine": "Feed Owner",
                                                                                 "Guest": "Guest Writer"}


def test_an_rss_channel_s_editor_is_no_item_s_author(tmp_path: Path) -> None:
    feed = rss_file(tmp_path / "old.xml", "<managingEditor>ed@old.example (Ed Itor)</managingEditor>"
                    "<item><title>One</title><pubDate>Mon, 02 Jan 2017 09:00:00 +0000</pubDate>"
                    "<description>Words.</description></item>")
    _, posts = imported(tmp_path, str(feed))
    assert [p.meta.get("author") for p in posts.values()] == [None]


def test_text_before_the_xml_declaration_is_named_at_its_line(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text("\n\n" + weekly_feed([8]), encoding="utf-8")  # as a blog's PHP sends it: blank lines first
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "feed", str(feed))
    assert done.code == 1 and "Traceback" not in done.err
    (line,) = done.err.strip().splitlines()
    assert line.startswith(f"{feed}:3: ") and "before the XML declaration" in line
    assert list((site / "posts").iterdir()) == []


@contextmanager
def serving(handler: type[QuietHandler]) -> Iterator[str]:
    """A server on 127.0.0.1 answering with `handler`; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Latin1Handler(QuietHandler):
    """A feed in Latin-1 with no encoding of its own, served with `charset=iso-8859-1`, or one that declares
    UTF-8 (which counts over the server's word), at /declared."""

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        declared = self.path == "/declared"
        data = ((b"<?xml version='1.0' encoding='UTF-8'?>" if declared else b"<?xml version='1.0'?>") +
                "<rss version='2.0'><channel><title>T</title><item><title>Caf\u00e9</title>"
                "<link>https://q.example/a</link><pubDate>Tue, 02 Feb 2021 09:00:00 +0000</pubDate>"
                "<description>Cr\u00e8me.</description></item></channel></rss>".encode("utf-8" if declared
                                                                                      else "latin-1"))
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=iso-8859-1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.mark.parametrize("path", ["/feed", "/declared"])
def test_a_fetched_feed_without_an_encoding_of_its_own_is_read_in_the_server_s(tmp_path: Path, path: str) -> None:
    with serving(Latin1Handler) as base:
        site, posts = imported(tmp_path, base + path)
    (post,) = posts.values()
    assert (post.meta["title"], post.body) == ("Caf\u00e9", "Cr\u00e8me.\n")


def test_the_authors_avatar_is_not_attached(tmp_path: Path) -> None:
    # WordPress.com and Jetpack feeds give each item its author's Gravatar as a <media:content>: no file of the post.
    done, site = imported_feed(tmp_path,
        "<?xml version='1.0'?><rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/' "
        "xmlns:dc='http://purl.org/dc/elements/1.1/'><channel><title>Ann</title><link>https://ann.example/</link>"
        "<item><title>Hello</title><link>https://ann.example/hello/</link><dc:creator>ann</dc:creator>"
        "<pubDate>Mon, 01 Jun 2015 09:30:00 +0000</pubDate><description>Hello.</description>"
        "<media:content url='https://0.gravatar.com/avatar/abc123?s=96&amp;d=identicon&amp;r=G' medium='image'>"
        "<media:title type='html'>ann</media:title></media:content>"
        "<media:content url='https://ann.example/files/photo.jpg' medium='image'>"
        "<media:title type='html'>photo</media:title></media:content></item>"
        "</channel></rss>")
    assert done.code == 0, done.err
    (post,) = posts_of(site).values()
    assert "gravatar" not in post.text
    assert '<a href="https://ann.example/files/photo.jpg">photo.jpg</a>' in post.parsed.html  # real media stays


def test_an_address_with_a_broken_host_is_no_traceback(tmp_path: Path) -> None:
    # `http://[x/` is no address at all: urlsplit raises on it.
    done, site = imported_feed(tmp_path,
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Ann</title><link>https://ann.example/</link>"
        "<item><title>Hello</title><link>https://ann.example/hello/</link>"
        "<pubDate>Mon, 01 Jun 2015 09:30:00 +0000</pubDate>"
        "<description>&lt;p&gt;See &lt;a href='http://[x/b'&gt;this&lt;/a&gt;.&lt;/p&gt;</description>"
        "<enclosure url='http://[x/a.mp3' type='audio/mpeg' length='1'/></item></channel></rss>")
    assert "Traceback" not in done.err
    assert done.code == 0, done.err
    assert len(posts_of(site)) == 1

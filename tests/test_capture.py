"""Capture from a URL, against pages served by a local http.server: metadata, redirects, limits, failures."""

from __future__ import annotations

import codecs
import contextlib
import gzip
import json
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from conftest import make_site, post_text, run_cli, tree_bytes

from linkblog import capture
from linkblog.capture import Captured, Page, page_metadata
from linkblog.content import parse_post


@dataclass
class Reply:
    """What the test server answers for one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    stream: Callable[[BaseHTTPRequestHandler], None] | None = None  # writes the body itself
    mute: bool = False  # sends nothing at all until the test ends


class Server:
    """A local HTTP server on 127.0.0.1 answering from a dict of replies."""

    def __init__(self) -> None:
        self.replies: dict[str, Reply] = {}
        self.asked: list[str] = []  # the path of every request, in order
        self.release = threading.Event()  # ends any slow reply when the test is over
        replies, release, asked = self.replies, self.release, self.asked

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                asked.append(self.path)
                reply = replies.get(self.path, Reply(b"not here", 404))
                if reply.mute:
                    release.wait(10)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.stream is None:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                # The client may stop reading, as it should from a huge page.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    reply.stream(self) if reply.stream else self.wfile.write(reply.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path: str, head: str = "", body: str = "<p>Text.</p>", title: str = "A Page") -> str:
        html = f"<!doctype html><html><head><title>{title}</title>{head}</head><body>{body}</body></html>"
        self.replies[path] = Reply(html.encode())
        return self.url(path)


@pytest.fixture
def server() -> Iterator[Server]:
    served = Server()
    thread = threading.Thread(target=served.httpd.serve_forever, daemon=True)
    thread.start()
    yield served
    served.release.set()
    served.httpd.shutdown()
    served.httpd.server_close()


def captured(url: str, timeout: float = 5) -> Captured:
    result, problem = capture.capture(url, timeout)
    assert problem is None, problem
    return result


def refusal(url: str, timeout: float = 5) -> str:
    """The one-line problem a fetch reports."""
    result, problem = capture.capture(url, timeout)
    assert result is None and problem is not None
    text = str(problem)
    assert "\n" not in text and "Traceback" not in text
    return text


def json_ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


# --- what a page says about itself ---------------------------------------------------------------

def test_author_meta_title_canonical_and_description(server: Server):
    url = server.page("/post", title="Work vs. Progress | Scott's blog", head=(
        '<meta property="og:title" content="Work vs. Progress">'
        '<meta name="author" content="Scott Berkun">'
        '<meta property="og:site_name" content="Berkun Blog">'
        '<link rel="canonical" href="https://scottberkun.com/2015/work-vs-progress/">'
        '<meta name="description" content="Busy is not the same as  moving forward.">'
        + json_ld({"@type": "Article", "author": {"@type": "Person", "name": "Someone Else"}})))
    page = captured(url)
    assert page == Captured("Work vs. Progress", "https://scottberkun.com/2015/work-vs-progress/", "Scott Berkun",
                            "Busy is not the same as moving forward.")


@pytest.mark.parametrize("author, expected", [
    ({"@type": "Person", "name": "Nick Bradbury"}, "Nick Bradbury"),
    ([{"@type": "Person", "name": "Ann Writer"}, {"@type": "Person", "name": "Bo Editor"}], "Ann Writer and Bo Editor"),
    ("Seth Godin", "Seth Godin"),
], ids=["object", "list", "string"])
def test_json_ld_author_comes_before_the_site_name(server: Server, author: object, expected: str):
    url = server.page("/ld", head='<meta property="og:site_name" content="The Site">'
                      + json_ld({"@context": "https://schema.org", "@type": "BlogPosting", "author": author}))
    assert captured(url).source == expected



def test_a_json_ld_author_that_is_a_profile_url_is_no_name(server: Server):
    url = server.page("/profile", head='<meta property="og:site_name" content="The Site">'
                      + json_ld({"@type": "Article", "author": "https://example.com/people/ann"}))
    assert captured(url).source == "The Site"


def test_an_svg_icon_s_title_is_not_the_page_s(server: Server):
    server.replies["/svg"] = Reply(b"<!doctype html><html><head></head><body><svg><title>Menu icon</title></svg>"
                                   b"<h1>Real Title</h1></body></html>")
    assert captured(server.url("/svg")).title is None  # `linkblog new` then asks for a title


def test_a_url_beyond_ascii_is_asked_for_encoded(server: Server):
    server.replies["/caf%C3%A9"] = Reply(b"<!doctype html><html><head><title>Caf\xc3\xa9</title></head></html>")
    assert captured(server.url("/café")).title == "Café"

def test_json_ld_author_in_a_graph_named_by_id(server: Server):
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "@id": "https://x.example/#site", "name": "Site"},
        {"@type": "Article", "author": {"@id": "https://x.example/#ann"}},
        {"@type": "Person", "@id": "https://x.example/#ann", "name": "Ann Writer"}]}
    url = server.page("/graph", head='<script type="text/plain">{"author": "Not JSON-LD"}</script>'
                      + '<script type="application/ld+json">{broken</script>' + json_ld(graph))
    assert captured(url).source == "Ann Writer"


def test_site_name_only(server: Server):
    url = server.page("/site", head='<meta property="og:site_name" content="Help Scout">'
                      '<meta name="author" content="https://www.facebook.com/someone">')
    assert captured(url).source == "Help Scout"


def test_a_page_naming_none_of_them_names_no_source(server: Server):
    page = captured(server.page("/bare", title="  Just a\n  title "))
    assert page == Captured("Just a title", server.url("/bare"), None, None)


def test_the_host_name_is_the_canonical_link_s_without_www(server: Server, tmp_path: Path):
    site = new_site(tmp_path)
    url = server.page("/syndicated", head='<meta property="og:url" content="https://www.example.net/original">')
    run = run_cli(site, "new", "--from-url", url)
    assert run.code == 0, run.err
    post = written(site, run.out.strip())
    assert (post.link, post.source) == ("https://www.example.net/original", "example.net")


@pytest.mark.parametrize(("head", "source"), [
    ("", "original.example"),
    ('<meta name="author" content="Ann Writer">', "Ann Writer"),
], ids=["host-of-the-link-given", "author-named-by-the-page"])
def test_with_a_link_given_the_source_of_last_resort_is_its_host(server: Server, tmp_path: Path, head: str,
                                                                 source: str):
    """The source of last resort is the host of the post's link, not of the copy of the page fetched."""
    site = new_site(tmp_path)
    url = server.page("/page.html", head=head)
    run = run_cli(site, "new", "Archived", "--from-url", url, "--link", "https://www.original.example/a")
    assert run.code == 0, run.err
    post = written(site, run.out.strip())
    assert (post.link, post.source) == ("https://www.original.example/a", source)


def test_absurdly_nested_json_ld_authors_name_nobody(server: Server, tmp_path: Path):
    site = new_site(tmp_path)
    deep = '<script type="application/ld+json">{"author": ' + "[" * 400 + '"Ann"' + "]" * 400 + "}</script>"
    run = run_cli(site, "new", "--from-url", server.page("/deep", head=deep, title="Deep"))
    assert run.code == 0 and run.err == "", run.err
    assert written(site, run.out.strip()).source == "127.0.0.1"
    assert captured(server.page("/shallow", head=json_ld({"author": [["Ann Writer"]]}))).source == "Ann Writer"


def test_a_relative_canonical_link_is_resolved_and_unusable_ones_skipped(server: Server):
    url = server.page("/story?utm_source=x", head='<link rel="canonical" href="javascript:alert(1)">'
                      '<link rel="Canonical" href="/story">')
    assert captured(url).link == server.url("/story")


@pytest.mark.parametrize("base", ["ORIGIN/deep/dir/", "/deep/dir/", "dir/"], ids=["absolute", "rooted", "relative"])
def test_relative_canonical_links_are_resolved_against_the_base_url(server: Server, base: str):
    href = base.replace("ORIGIN", server.base)
    url = server.page("/deep/base", head=f'<base href="{href}"><link rel="canonical" href="page">')
    assert captured(url).link == server.url("/deep/dir/page")
    og_url = server.page("/deep/og", head='<base href="/deep/dir/"><meta property="og:url" content="og?x=1">')
    assert captured(og_url).link == server.url("/deep/dir/og?x=1")


def test_og_url_when_there_is_no_canonical_link(server: Server):
    url = server.page("/a", head='<meta property="og:url" content="https://example.org/a/">'
                      '<meta property="og:description" content="From Open Graph.">'
                      '<meta name="description" content="Plain.">')
    page = captured(url)
    assert (page.link, page.description) == ("https://example.org/a/", "From Open Graph.")


def test_the_charset_the_server_names_decodes_the_page(server: Server):
    html = "<html><head><title>Café – déjà vu</title></head></html>".encode("cp1252")
    server.replies["/latin"] = Reply(html, headers={"Content-Type": "text/html; charset=windows-1252"})
    server.replies["/declared"] = Reply(b'<html><head><meta charset="windows-1252"><title>Caf\xe9</title></head>',
                                        headers={"Content-Type": "text/html"})
    assert captured(server.url("/latin")).title == "Café – déjà vu"
    assert captured(server.url("/declared")).title == "Café"


@pytest.mark.parametrize(("head", "content_type"), [
    ("", "text/html"),  # nothing says: browsers read windows-1252
    ('<meta charset="iso-8859-1">', "text/html"),  # Latin-1 named: browsers read windows-1252 all the same
    ("", "text/html; charset=us-ascii"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=latin1">', "text/html"),
], ids=["undeclared", "meta-latin-1", "header-ascii", "http-equiv-latin1"])
def test_a_page_read_as_windows_1252_where_browsers_do(server: Server, head: str, content_type: str):
    html = f"<html><head>{head}<title>Café “quoted” €5 – odd \x81 byte</title></head></html>"
    server.replies["/old"] = Reply(html.encode("cp1252", "replace").replace(b"?", b"\x81"),
                                   headers={"Content-Type": content_type})
    assert captured(server.url("/old")).title == "Café “quoted” €5 – odd \ufffd byte"


@pytest.mark.parametrize(("label", "text", "encoding"), [
    ("iso-8859-9", "“Güzel” söz", "cp1254"),  # Turkish Latin-1: browsers read windows-1254
    ("shift_jis", "①番の猫", "cp932"),  # browsers read Shift_JIS as Microsoft's, with its circled numbers
    ("gb2312", "中文𠀀标题", "gb18030"),  # and GB2312 as GB18030
])
def test_a_declared_charset_is_read_as_browsers_read_it(server: Server, label: str, text: str, encoding: str):
    html = f'<html><head><meta charset="{label}"><title>{text}</title></head></html>'
    server.replies["/declared"] = Reply(html.encode(encoding), headers={"Content-Type": "text/html"})
    assert captured(server.url("/declared")).title == text


@pytest.mark.parametrize("head", [
    '<meta http-equiv="content-type" content="text/html;charset=\'shift_jis\'">',
    '<meta http-equiv="Content-Type" content="text/html; charset = shift_jis; x=y">',
    '<meta charset="no-such-charset" http-equiv="Content-Type" content="text/html; charset=shift_jis">',
    '<meta property="og:image:alt" content="A charset=koi8-r sign"><meta charset="shift_jis">',
    "<!--" + "x" * 1100 + '--><meta charset="shift_jis">',  # past the first 1024 bytes, yet in the head
], ids=["http-equiv-quoted", "http-equiv-spaced", "unknown-charset-then-http-equiv", "charset-in-other-content",
        "late-in-head"])
def test_a_charset_is_taken_from_where_browsers_take_it(server: Server, head: str):
    html = f"<html><head>{head}<title>日本語</title></head><body><p>本文</p></body></html>"
    server.replies["/declared"] = Reply(html.encode("cp932"), headers={"Content-Type": "text/html"})
    assert captured(server.url("/declared")).title == "日本語"


@pytest.mark.parametrize("head", [
    '<meta name="description" content="charset=koi8-r">',  # charset= in a meta that declares no charset
    '<meta content="text/html; charset=koi8-r">',  # a Content-Type without its http-equiv
    '<meta charset="x-user-defined">',  # the HTML standard's windows-1252
], ids=["description", "content-alone", "x-user-defined"])
def test_what_declares_no_charset_leaves_the_page_windows_1252(server: Server, head: str):
    html = f"<html><head>{head}<title>Café “quoted”</title></head></html>"
    server.replies["/plain"] = Reply(html.encode("cp1252"), headers={"Content-Type": "text/html"})
    assert captured(server.url("/plain")).title == "Café “quoted”"


@pytest.mark.parametrize(("head", "content_type"), [
    ('<meta charset="base64">', "text/html"), ('<meta charset="idna">', "text/html"),
    ("", "text/html; charset=hex"), ("", "text/html; charset=undefined"),
])
def test_a_codec_that_names_no_charset_is_ignored(server: Server, head: str, content_type: str):
    html = f"<html><head>{head}<title>Café “quoted”</title></head></html>"
    server.replies["/codec"] = Reply(html.encode("cp1252"), headers={"Content-Type": content_type})
    assert captured(server.url("/codec")).title == "Café “quoted”"


def test_numeric_references_to_c1_controls_are_read_as_browsers_read_them(server: Server):
    head = '<meta name="description" content="&#147;Quoted&#148; for &#128;5&#129;.">'
    server.page("/refs", head=head, title="Old &#147;refs&#148;")
    page = captured(server.url("/refs"))
    assert (page.title, page.description) == ("Old “refs”", "“Quoted” for €5.")


def test_a_page_declaring_utf_16_in_ascii_is_read_as_utf_8(server: Server):
    html = '<html><head><meta charset="utf-16"><title>Grüße</title></head><body>\xff</body></html>'
    server.replies["/sixteen"] = Reply(html.encode("utf-8").replace(b"\xc3\xbf", b"\xff"),
                                       headers={"Content-Type": "text/html"})
    assert captured(server.url("/sixteen")).title == "Grüße"


def test_a_page_with_a_byte_order_mark_is_read_by_it(server: Server):
    html = "<html><head><title>Grüße</title></head></html>"
    server.replies["/bom"] = Reply(codecs.BOM_UTF16_LE + html.encode("utf-16-le"),
                                   headers={"Content-Type": "text/html"})
    assert captured(server.url("/bom")).title == "Grüße"


def test_an_empty_page_says_nothing_but_its_address():
    assert page_metadata(Page("https://www.example.com/x", b"")) == Captured(
        None, "https://www.example.com/x", None, None)


# --- fetching: redirects, refusals, limits ---------------------------------------------------------

def test_a_redirect_is_followed_and_the_final_url_is_the_link(server: Server):
    target = server.page("/new-home", head='<meta name="author" content="Ann Writer">')
    server.replies["/old"] = Reply(status=301, headers={"Location": "/hop"})
    server.replies["/hop"] = Reply(status=302, headers={"Location": target})
    page = captured(server.url("/old"))
    assert (page.link, page.source) == (server.url("/new-home"), "Ann Writer")


def test_a_redirect_away_from_http_is_refused(server: Server):
    server.replies["/ftp"] = Reply(status=302, headers={"Location": "ftp://127.0.0.1/file.html"})
    assert refusal(server.url("/ftp")).startswith(server.url("/ftp") + ": ")


def test_a_redirect_to_a_port_beyond_65535_is_refused_not_wrapped_round(server: Server):
    port = int(server.url("/").split(":")[2].split("/")[0])
    server.page("/elsewhere")
    server.replies["/jump"] = Reply(status=302, headers={"Location": f"http://127.0.0.1:{port + 65536}/elsewhere"})
    message = refusal(server.url("/jump"))
    assert message.startswith(server.url("/jump") + ": ") and "port" in message
    assert "/elsewhere" not in server.asked


def test_too_many_redirects_are_named_as_such(server: Server):
    for hop in range(12):
        server.replies[f"/chain/{hop}"] = Reply(status=302, headers={"Location": f"/chain/{hop + 1}"})
    server.page("/chain/12")
    message = refusal(server.url("/chain/0"))
    assert message.startswith(server.url("/chain/0") + ": ") and "more than 10 redirects" in message


def test_a_non_html_response_is_refused(server: Server):
    server.replies["/paper.pdf"] = Reply(b"%PDF-1.4", headers={"Content-Type": "application/pdf"})
    message = refusal(server.url("/paper.pdf"))
    assert message.startswith(server.url("/paper.pdf") + ": ") and "application/pdf" in message


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_a_page_sent_compressed_unasked_is_read(server: Server, encoding: str):
    html = b"<!doctype html><html><head><title>Packed</title></head><body><p>Text.</p></body></html>"
    packed = gzip.compress(html) if encoding == "gzip" else zlib.compress(html) if encoding == "deflate" else \
        zlib.compress(html)[2:-4]
    server.replies["/packed"] = Reply(packed, headers={"Content-Type": "text/html",
                                                       "Content-Encoding": encoding.removeprefix("raw-")})
    assert captured(server.url("/packed")).title == "Packed"


def test_a_compressed_page_too_large_once_inflated_is_refused(server: Server, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(capture, "MAX_BYTES", 10_000)
    body = gzip.compress(b"<html><head><title>Bomb</title></head><body>" + b"x" * 1_000_000)
    server.replies["/bomb"] = Reply(body, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    assert "larger than" in refusal(server.url("/bomb"))


def test_a_page_without_a_content_type_is_read_when_it_starts_as_html(server: Server):
    server.replies["/untyped"] = Reply(b"\n<!DOCTYPE html><html><head><title>Untyped</title></head></html>", headers={})
    assert captured(server.url("/untyped")).title == "Untyped"
    server.replies["/data"] = Reply(b"\x00\x01binary", headers={})
    message = refusal(server.url("/data"))
    assert "not an HTML page" in message and "text/plain" not in message


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_a_page_over_the_size_limit_is_refused(server: Server, monkeypatch: pytest.MonkeyPatch, declared: bool):
    monkeypatch.setattr(capture, "MAX_BYTES", 10_000)
    body = b"<html><head><title>Huge</title></head><body>" + b"x" * 20_000
    headers = {"Content-Type": "text/html", **({"Content-Length": str(len(body))} if declared else {})}
    server.replies["/huge"] = Reply(headers=headers, stream=lambda handler: handler.wfile.write(body))
    assert refusal(server.url("/huge")).startswith(server.url("/huge") + ": ")
    server.replies["/small"] = Reply(body[:9_000])
    assert captured(server.url("/small")).title == "Huge"


@pytest.mark.parametrize("reply", [Reply(mute=True), Reply(stream=lambda handler: time.sleep(3))],
                         ids=["no-headers", "no-body"])
def test_a_server_that_does_not_answer_times_out(server: Server, reply: Reply):
    server.replies["/slow"] = reply
    message = refusal(server.url("/slow"), timeout=0.3)
    assert message.startswith(server.url("/slow") + ": ") and capture.TIMEOUT_ENV in message


def test_a_server_that_trickles_bytes_times_out(server: Server):
    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"<html><head><title>Slow</title>")
        while not server.release.wait(0.05):
            handler.wfile.write(b" ")
            handler.wfile.flush()

    server.replies["/trickle"] = Reply(stream=trickle)
    assert capture.TIMEOUT_ENV in refusal(server.url("/trickle"), timeout=0.4)


def test_an_error_status_is_one_line_naming_it(server: Server):
    message = refusal(server.url("/missing"))
    assert message.startswith(server.url("/missing") + ": ") and "404" in message


def test_offline_or_refused_connections_are_one_line(server: Server):
    closed = server.base
    server.httpd.shutdown()
    server.httpd.server_close()
    assert refusal(closed + "/gone").startswith(closed + "/gone: ")


@pytest.mark.parametrize("url", ["ftp://example.com/a", "file:///etc/passwd", "javascript:alert(1)", "example.com",
                                 "https://"])
def test_only_http_and_https_are_fetched(url: str):
    assert refusal(url).startswith(url + ": ")


@pytest.mark.parametrize("value, expected", [("", 10.0), ("2.5", 2.5), ("0", None), ("-1", None), ("soon", None),
                                             ("nan", None), ("inf", None), ("3600", 3600.0), ("3600.5", None),
                                             ("1e10", None)])
def test_the_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, value: str, expected: float | None):
    monkeypatch.setenv(capture.TIMEOUT_ENV, value)
    assert capture.fetch_timeout() == expected


def test_a_bad_timeout_setting_is_reported_by_name(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(capture.TIMEOUT_ENV, "soon")
    result, problem = capture.capture("http://127.0.0.1:9/")  # refused before any connection is tried
    assert result is None and str(problem).startswith(f"{capture.TIMEOUT_ENV}: ")


# --- end to end: linkblog new --from-url ---------------------------------------------------------------

ARTICLE_HEAD = (
    '<meta property="og:title" content="Some Customers Suck">'
    '<meta name="author" content="Nick Bradbury">'
    '<meta name="description" content="Step away from the customers who cost more than they pay.">'
)


def new_site(tmp_path: Path, posts: dict[str, str] | None = None) -> Path:
    return make_site(tmp_path / "site", posts or {})


def written(site: Path, rel: str):
    post, problems = parse_post(rel, (site / rel).read_bytes(), ZoneInfo("UTC"))
    assert problems == [] and post is not None
    return post


def test_new_from_url_writes_a_link_post_that_builds(server: Server, tmp_path: Path):
    site = new_site(tmp_path)
    url = server.page("/customers", head=ARTICLE_HEAD)
    run = run_cli(site, "new", "--from-url", url, "--tag", "support", "--tag", "business")
    assert run.code == 0 and run.err == "", run.err
    rel = run.out.strip()
    assert rel.startswith("posts/") and rel.endswith("-some-customers-suck.md")
    post = written(site, rel)
    assert (post.title, post.link, post.source, post.tags) == (
        "Some Customers Suck", url, "Nick Bradbury", ("support", "business"))
    assert not post.draft
    quote = BeautifulSoup(post.html, "html.parser").blockquote
    assert quote.get_text(strip=True) == "Step away from the customers who cost more than they pay."
    build = run_cli(site, "build")
    assert build.code == 0, build.err
    page = BeautifulSoup((site / "build" / rel[6:10] / rel[11:13] / "some-customers-suck" / "index.html")
                         .read_text(encoding="utf-8"), "html.parser")
    assert page.select_one(".e-content blockquote").get_text(" ", strip=True) == (
        "Step away from the customers who cost more than they pay.")
    assert page.select_one(".attribution a")["href"] == url


def test_quote_title_source_and_draft_given_win_over_the_page(server: Server, tmp_path: Path):
    site = new_site(tmp_path)
    url = server.page("/customers", head=ARTICLE_HEAD)
    run = run_cli(site, "new", "My Own Title", "--from-url", url, "--source", "N. Bradbury",
                  "--quote", "Not every customer\nis worth *keeping*.", "--draft")
    assert run.code == 0, run.err
    rel = run.out.strip()
    assert rel.endswith("-my-own-title.md")
    post = written(site, rel)
    assert (post.title, post.source, post.link, post.draft) == ("My Own Title", "N. Bradbury", url, True)
    quote = BeautifulSoup(post.html, "html.parser").blockquote
    assert quote.em.get_text() == "keeping"


def test_a_description_with_markup_is_quoted_as_plain_text(server: Server, tmp_path: Path):
    site = new_site(tmp_path)
    shown = '# 1. <script>alert("x")</script> *stars* [a](javascript:alert(1)) & `code` ~~gone~~ | a_b_c'
    head = '<meta name="description" content="{}">'.format(shown.replace("&", "&amp;").replace('"', "&quot;")
                                                            .replace("<", "&lt;"))
    run = run_cli(site, "new", "--from-url", server.page("/markup", head=head, title="Markup"))
    assert run.code == 0, run.err
    assert run_cli(site, "build").code == 0
    page = BeautifulSoup((site / "build" / run.out.strip()[6:10] / run.out.strip()[11:13] / "markup" / "index.html")
                         .read_text(encoding="utf-8"), "html.parser")
    quote = page.select_one(".e-content blockquote")
    assert quote.find(["script", "a", "em", "code", "del", "h1", "ol"]) is None
    assert page.select_one(".e-content").find("script") is None
    assert quote.get_text(strip=True) == shown.replace('"', "“", 1).replace('"', "”", 1)


def test_a_page_already_linked_is_warned_about_and_still_written(server: Server, tmp_path: Path):
    url = server.page("/customers/", head=ARTICLE_HEAD)
    earlier = post_text("Some Customers Suck", "2015-06-01 09:30", "> Earlier.",
                        link=url.replace("/customers/", "/customers?utm_source=feed").replace("http:", "https:"))
    site = new_site(tmp_path, {"2015-06-01-some-customers-suck.md": earlier})
    run = run_cli(site, "new", "Again", "--from-url", url)
    assert run.code == 0
    rel = run.out.strip()
    assert run.err.strip().splitlines() == [
        f"{rel}: warning: already linked on 2015-06-01 in posts/2015-06-01-some-customers-suck.md"]
    assert (site / rel).is_file()


def refused_by_cli(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str, reply: Reply) -> str:
    """Run `new --from-url` on a page that must be refused; nothing is written. The one error line."""
    monkeypatch.setenv(capture.TIMEOUT_ENV, "0.5")  # inherited by the CLI's process
    site = new_site(tmp_path, {"2015-06-01-keep.md": post_text("Keep", "2015-06-01 09:30")})
    before = tree_bytes(site)
    server.replies[path] = reply
    run = run_cli(site, "new", "--from-url", server.url(path))
    assert run.code == 1 and run.out == ""
    assert tree_bytes(site) == before
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(server.url(path) + ": "), run.err
    return lines[0]


def test_cli_refuses_a_non_html_page(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    line = refused_by_cli(server, tmp_path, monkeypatch, "/feed.json",
                          Reply(b"{}", headers={"Content-Type": "application/json"}))
    assert "application/json" in line


def test_cli_refuses_a_huge_page(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def endless(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"<html><head><title>Huge</title></head><body>")
        for _ in range(capture.MAX_BYTES // 65536 + 2):
            handler.wfile.write(b"x" * 65536)

    refused_by_cli(server, tmp_path, monkeypatch, "/huge", Reply(headers={"Content-Type": "text/html"}, stream=endless))


def test_cli_refuses_a_timeout_too_long_for_the_socket_in_one_line(server: Server, tmp_path: Path):
    site = new_site(tmp_path)
    before = tree_bytes(site)
    run = run_cli(site, "new", "--from-url", server.page("/any"), env={capture.TIMEOUT_ENV: "1e10"})
    assert (run.code, run.out) == (1, "")
    assert run.err.splitlines() == [f"{capture.TIMEOUT_ENV}: must be a number of seconds above 0 and at most 3600, "
                                    "not '1e10'"]
    assert tree_bytes(site) == before


def test_cli_times_out_on_a_slow_server(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    line = refused_by_cli(server, tmp_path, monkeypatch, "/slow", Reply(mute=True))
    assert capture.TIMEOUT_ENV in line



def test_a_server_that_trickles_its_headers_times_out_within_the_timeout(trickle: str):
    page, problem = capture.fetch_page(trickle, timeout=1)
    assert page is None and problem is not None and "within 1 seconds" in problem.message

def test_cli_reports_a_page_without_a_title(server: Server, tmp_path: Path):
    site = new_site(tmp_path)
    server.replies["/untitled"] = Reply(b"<html><body><p>No title here.</p></body></html>")
    run = run_cli(site, "new", "--from-url", server.url("/untitled"))
    assert run.code == 1 and "--from-url" in run.err
    assert list((site / "posts").iterdir()) == []
    titled = run_cli(site, "new", "Named by me", "--from-url", server.url("/untitled"))
    assert titled.code == 0 and written(site, titled.out.strip()).source == "127.0.0.1"


def test_a_refused_link_option_is_reported_before_fetching(server: Server, tmp_path: Path):
    site = new_site(tmp_path)
    run = run_cli(site, "new", "--from-url", server.url("/never-asked"), "--link", "javascript:alert(1)")
    assert run.code == 1
    assert run.err.startswith("--link: ") and "never-asked" not in run.err
    assert list((site / "posts").iterdir()) == []


def test_cli_reads_a_page_declaring_its_charset_as_browsers_do(server: Server, tmp_path: Path):
    """The pages a hunt found read otherwise than Chromium reads them, served with no charset named."""
    site = new_site(tmp_path)
    pages = {
        "/described": ('<meta name="description" content="Why charset=Shift_JIS breaks pages">'
                       '<meta charset="windows-1252"><title>Café “quotes”</title>').encode("cp1252"),
        "/late": ("<!--" + "x" * 1100 + '--><meta charset="shift_jis"><title>日本語</title>').encode("cp932"),
    }
    titles = []
    for path, head in pages.items():
        server.replies[path] = Reply(b"<!doctype html><html><head>" + head + b"</head><body><p>Text.</p></body></html>",
                                     headers={"Content-Type": "text/html"})
        run = run_cli(site, "new", "--from-url", server.url(path))
        assert run.code == 0, run.err
        titles.append(written(site, run.out.strip()).title)
    assert titles == ["Café “quotes”", "日本語"]


def test_cli_refuses_an_address_with_a_user_name_or_password(server: Server, tmp_path: Path):
    server.page("/og")
    site = new_site(tmp_path)
    before = tree_bytes(site)
    url = server.url("/og").replace("http://", "http://user:pw@")
    run = run_cli(site, "new", "--from-url", url)
    assert (run.code, run.out) == (1, "")
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(url + ": ") and "password" in lines[0], run.err
    assert tree_bytes(site) == before


def test_a_malformed_url_is_one_line(tmp_path: Path):
    run = run_cli(new_site(tmp_path), "new", "--from-url", "http://[oops")
    assert run.code == 1 and "Traceback" not in run.err and run.err.strip().splitlines() == [
        "http://[oops: is not a URL that can be fetched"]


def test_cli_refuses_a_page_cut_short(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    start = b"<!doctype html><html><head><title>Cut short</title></head><body><p>The first words of a long"
    line = refused_by_cli(server, tmp_path, monkeypatch, "/cut", Reply(
        headers={"Content-Type": "text/html", "Content-Length": "5000"}, stream=lambda h: h.wfile.write(start)))
    assert capture.TIMEOUT_ENV not in line  # the server closed the connection: no wait ran out


def test_cli_refuses_a_port_out_of_range_before_fetching(server: Server, tmp_path: Path):
    server.page("/wrapped", head='<link rel="canonical" href="https://example.com/article">')
    # The socket would take the port modulo 65536: the test server's.
    url = f"http://127.0.0.1:{server.httpd.server_address[1] + 65536}/wrapped"
    site = new_site(tmp_path)
    before = tree_bytes(site)
    run = run_cli(site, "new", "--from-url", url)
    assert (run.code, run.out) == (1, "")
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(url + ": ") and "port" in lines[0], run.err
    assert server.asked == [] and tree_bytes(site) == before


def test_spaces_around_the_address_are_dropped_as_around_link(server: Server, tmp_path: Path):
    url = server.page("/spaced", head=ARTICLE_HEAD)
    site = new_site(tmp_path)
    run = run_cli(site, "new", "--from-url", f" {url} \n")
    assert run.code == 0 and run.err == "", run.err
    assert written(site, run.out.strip()).link == url and server.asked == ["/spaced"]


def test_bidi_controls_from_a_page_reach_neither_the_post_nor_its_page(server: Server, tmp_path: Path):
    controls = {chr(code) for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
    site = new_site(tmp_path)
    url = server.page("/bidi", title="Hello &#x202E;evil&#x202C; there", head=(
        '<meta name="author" content="Ann &#x2067;Writer&#x2069;">'
        '<meta name="description" content="&#x202A;Quoted&#x202D; words&#x2066;.">'))
    run = run_cli(site, "new", "--from-url", url)
    assert run.code == 0, run.err
    rel = run.out.strip()
    post = written(site, rel)
    assert (post.title, post.source) == ("Hello evil there", "Ann Writer")
    assert not controls & set((site / rel).read_text(encoding="utf-8"))
    assert run_cli(site, "build").code == 0
    html = (site / "build" / rel[6:10] / rel[11:13] / "hello-evil-there" / "index.html").read_text(encoding="utf-8")
    assert not controls & set(html)
    assert "Ann Writer" in BeautifulSoup(html, "html.parser").select_one(".attribution").get_text(" ", strip=True)


@pytest.mark.parametrize("title", ["&#8203;&#xFEFF;&#x200E;", " &nbsp; &#x200F; "],
                         ids=["zero-width", "spaces-and-a-mark"])
def test_cli_refuses_a_page_whose_title_shows_nothing(server: Server, tmp_path: Path, title: str):
    site = new_site(tmp_path)
    before = tree_bytes(site)
    run = run_cli(site, "new", "--from-url", server.page("/unseen", title=title))
    assert (run.code, run.out) == (1, "")
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("--from-url: "), run.err
    assert tree_bytes(site) == before
    # An og:title that shows nothing is no title either: the page's <title> is taken.
    assert captured(server.page("/og-unseen", head=f'<meta property="og:title" content="{title}">')).title == "A Page"


def test_a_title_s_lone_no_break_space_is_kept(server: Server):
    page = captured(server.page("/nbsp", title="Pourquoi&nbsp;? 10&#x202F;km  à  pied"))
    assert page.title == "Pourquoi\u00a0? 10\u202fkm à pied"


def test_a_description_opening_with_dashes_shows_the_dash_in_the_built_page(server: Server, tmp_path: Path):
    site = new_site(tmp_path)
    url = server.page("/dashes", title="Dashes", head='<meta name="description" content="--- not a rule, -- a dash">')
    run = run_cli(site, "new", "--from-url", url)
    assert run.code == 0, run.err
    rel = run.out.strip()
    assert run_cli(site, "build").code == 0
    html = (site / "build" / rel[6:10] / rel[11:13] / "dashes" / "index.html").read_text(encoding="utf-8")
    quote = BeautifulSoup(html, "html.parser").select_one(".e-content blockquote")
    assert quote.get_text(" ", strip=True) == "— not a rule, – a dash"

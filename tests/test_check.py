"""`linkblog check`: links, fragments, feeds, the sitemap and content warnings; `--external` on a local server."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import WebStandIn, make_site, post_text, run_cli, tree_bytes
from test_engine import noting_pid
from test_example_site import copy_example

from linkblog.check import check_site
from linkblog.links_external import Checker, check_links
from linkblog.problems import errors
from linkblog.site_links import Output, resolve
from linkblog.theme import theme_dir
from linkblog.workers import map_items

SNAPSHOT = "http://web.archive.org/web/20150101000000/"


def problem_lines(err: str) -> list[tuple[str, str]]:
    """Each `path[:line]: message` line of stderr, as (path, message)."""
    pairs = []
    for line in err.splitlines():
        path, _, message = line.partition(": ")
        pairs.append((path.split(":")[0], message))
    return pairs


def test_the_example_site_checks_clean_at_its_url(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    run = run_cli(site, "check")
    assert (run.code, run.err) == (0, "")
    assert "no problems" in run.out
    assert not (site / "build").exists() and not (site / ".cache").exists()


@pytest.mark.parametrize("base_url", ["https://example.org/", "https://someone.github.io/deeper/notes/",
                                      "https://example.edu/%7Ejane/", "https://example.org/café/",
                                      "https://example.org/my%20notes/"])
def test_the_example_site_checks_clean_at_the_root_and_under_a_sub_path(tmp_path: Path, base_url: str) -> None:
    run = run_cli(copy_example(tmp_path / "site"), "check", "--base-url", base_url)
    assert (run.code, run.err) == (0, "")


BROKEN_POSTS = {
    "2016-01-01-broken.md": post_text(
        "Broken things", "2016-01-01 10:00", tags="[support]",
        body="See [gone](/2014/01/nowhere/), [here](#no-such-id), [fine](/tag/support/) "
             "and ![a chart](/images/chart.png)."),
    "2016-02-01-first.md": post_text("First take", "2016-02-01 10:00", tags="[support]",
                                     link="https://example.com/story/", source="Some Writer"),
    "2016-03-01-second.md": post_text("Second take", "2016-03-01 10:00", tags="[support]",
                                      link="http://www.example.com/story?utm_source=feed", source="Some Writer"),
    "2016-04-01-fine.md": post_text("Fine", "2016-04-01 10:00", tags="[support]", body="[Home](/) and [me](#top)."),
}


def built(tmp_path: Path, posts: dict[str, str], **kwargs: object) -> Path:
    site = make_site(tmp_path / "site", posts, **kwargs)
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    return site


def test_a_broken_site_reports_exactly_what_is_broken(tmp_path: Path) -> None:
    site = built(tmp_path, BROKEN_POSTS)
    feed = site / "build" / "feed.xml"
    feed.write_bytes(feed.read_bytes()[:300])  # cut off mid-document
    run = run_cli(site, "check", "--output", "build")
    assert run.code == 1
    found = sorted(problem_lines(run.err))
    assert [path for path, _ in found] == ["/feed.xml", *["posts/2016-01-01-broken.md"] * 3,
                                           "posts/2016-03-01-second.md"]
    feed_problem, *broken, second = found
    assert "well-formed" in feed_problem[1]
    assert sorted(re.match(r"(broken link|missing image) (\S+?):? ", m + " ").groups() for _, m in broken) == [
        ("broken link", "#no-such-id"), ("broken link", "/2014/01/nowhere/"), ("missing image", "/images/chart.png")]
    assert second[1].startswith("warning: ") and "posts/2016-02-01-first.md" in second[1]
    assert "4 errors, 1 warning" in run.out


def test_every_url_of_a_srcset_is_checked(tmp_path: Path) -> None:
    body = ('<img src="/images/a.png" srcset="/images/a,2x.png 2x, /images/a-3x.png 3x" alt="a">\n\n'
            '<picture><source srcset="/images/gone.webp"><img src="/images/a.png" alt="b"></picture>')
    site = built(tmp_path, {"2016-01-01-pictures.md": post_text("Pictures", "2016-01-01 10:00", body=body,
                                                                tags="[x]")},
                 files={"static/images/a.png": "png", "static/images/a,2x.png": "png"})
    run = run_cli(site, "check")
    assert run.code == 1
    found = [message for _, message in problem_lines(run.err)]
    assert len(found) == 2 and "/images/a-3x.png" in found[0] + found[1] and "/images/gone.webp" in found[0] + found[1]


def test_a_fresh_build_is_checked_and_the_output_folder_left_alone(tmp_path: Path) -> None:
    site = built(tmp_path, BROKEN_POSTS)
    before = tree_bytes(site / "build")
    stamps = {p: p.stat().st_mtime_ns for p in (site / "build").rglob("*")}
    run = run_cli(site, "check")
    assert run.code == 1
    assert {path for path, _ in problem_lines(run.err)} == {"posts/2016-01-01-broken.md", "posts/2016-03-01-second.md"}
    assert tree_bytes(site / "build") == before
    assert {p: p.stat().st_mtime_ns for p in (site / "build").rglob("*")} == stamps


def counted_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The posts parsed in this process from now on, by path, in order."""
    import linkblog.content
    import linkblog.load

    parsed: list[str] = []
    parse = linkblog.content.parse_post

    def counted(rel: str, *rest: object) -> object:
        parsed.append(rel)
        return parse(rel, *rest)

    monkeypatch.setattr(linkblog.content, "parse_post", counted)
    monkeypatch.setattr(linkblog.load, "parse_post", counted)
    return parsed


def test_a_check_says_what_its_build_left_out(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"2015-06-01-one.md": post_text("One", "2015-06-01"),
                                         "2015-06-02-later.md": post_text("Later", "2015-06-02", draft="true"),
                                         "notes.txt": "not a post\n"})
    run = run_cli(site, "check")
    assert run.code == 0, run.err
    left_out = [line for line in run.out.splitlines() if "left out" in line]
    assert len(left_out) == 2 and "1 draft" in left_out[0] and "posts/notes.txt" in left_out[1], run.out


def test_a_fresh_build_is_checked_parsing_each_post_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check takes the site from the build it checks: 10,000 posts are not parsed a second time."""
    parsed = counted_parses(monkeypatch)
    site = make_site(tmp_path / "site", BROKEN_POSTS)
    result = check_site(site / "config.yaml")
    assert sorted(parsed) == sorted(f"posts/{name}" for name in BROKEN_POSTS)
    assert result.pages > 0 and errors(result.problems)  # the broken links are still found


def test_a_check_spread_over_workers_finds_what_one_process_finds(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of pages and feeds (one per source) are read by workers: the same problems, found once each."""
    posts = {f"p{i:03d}.md": post_text(f"Post {i}", f"2016-{1 + i % 12:02d}-{1 + i % 28:02d} 10:{i % 60:02d}",
                                        f"[gone](/nowhere/{i % 3}/), [here](#no-{i % 2}) and [fine](#top).",
                                        tags=f"[t{i % 5}]", link=f"https://example.com/{i}/", source=f"Writer {i}")
             for i in range(300)}
    site = built(tmp_path, posts)
    found = {}
    for jobs in (1, 2):
        for module in ("check", "check_feeds"):
            (tmp_path / f"pids-{module}-{jobs}").mkdir()

            def noted(func: Callable[[Any, Any], Any], state: Any, items: Any, jobs: int, *rest: Any,
                      folder: Path = tmp_path / f"pids-{module}-{jobs}") -> list[Any]:
                return map_items(noting_pid, (func, state, folder), items, jobs, *rest)

            monkeypatch.setattr(f"linkblog.{module}.map_items", noted)
        result = check_site(site / "config.yaml", "build", jobs=jobs)
        found[jobs] = result.problems, result.pages, result.links
    problems, pages, links = found[2]
    assert found[1] == found[2]
    assert pages > 300 and links > 0
    assert {p.path for p in problems if p.message.startswith("broken link")} == {f"posts/{name}" for name in posts}
    for module in ("check", "check_feeds"):
        assert {p.name for p in (tmp_path / f"pids-{module}-1").iterdir()} == {str(os.getpid())}
        assert {p.name for p in (tmp_path / f"pids-{module}-2").iterdir()} - {str(os.getpid())}, module


def test_check_takes_jobs_and_reports_alike_with_one_or_two(tmp_path: Path) -> None:
    site = built(tmp_path, BROKEN_POSTS)
    one, two = run_cli(site, "check", "--jobs", "1"), run_cli(site, "check", "--jobs", "2")
    assert one.code == two.code == 1
    assert (one.out, one.err) == (two.out, two.err) and "errors" in one.out


def test_a_check_takes_the_posts_the_build_cache_holds_and_leaves_it_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = built(tmp_path, BROKEN_POSTS)
    (site / "posts" / "2016-04-01-fine.md").write_text(post_text("Fine", "2016-04-01 10:00", tags="[support]",
                                                                 body="Now [broken](/gone/)."), encoding="utf-8")
    cache = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (site / ".cache").rglob("*") if p.is_file()}
    parsed = counted_parses(monkeypatch)
    result = check_site(site / "config.yaml")
    assert parsed == ["posts/2016-04-01-fine.md"]  # only the post changed since the build
    assert {p.path for p in result.problems} == {"posts/2016-01-01-broken.md", "posts/2016-03-01-second.md",
                                                 "posts/2016-04-01-fine.md"}
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (site / ".cache").rglob("*") if p.is_file()} == cache


@pytest.mark.parametrize("damage", [b"not a database", b""])
def test_a_check_beside_a_damaged_build_cache_parses_every_post_and_leaves_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes) -> None:
    site = built(tmp_path, BROKEN_POSTS)
    database = next((site / ".cache").rglob("*.sqlite"))
    database.write_bytes(damage)
    parsed = counted_parses(monkeypatch)
    result = check_site(site / "config.yaml")
    assert sorted(parsed) == sorted(f"posts/{name}" for name in BROKEN_POSTS)
    assert {p.path for p in result.problems} == {"posts/2016-01-01-broken.md", "posts/2016-03-01-second.md"}
    assert database.read_bytes() == damage


def test_a_broken_link_names_the_pages_it_breaks(tmp_path: Path) -> None:
    run = run_cli(make_site(tmp_path / "site", BROKEN_POSTS), "check")
    line = next(m for p, m in problem_lines(run.err) if "/2014/01/nowhere/" in m)
    assert "/2016/01/broken/" in line  # the post's own page, and how many more show it
    assert re.search(r"and \d+ more pages", line)



def pages_showing(site: Path, *texts: str) -> set[str]:
    """The pages of the site's build that show every one of these texts, as a reader's paths (/2016/01/a/)."""
    build = site / "build"
    return {"/" + path.relative_to(build).as_posix().removesuffix("index.html") for path in build.rglob("*.html")
            if all(text in path.read_text("utf-8") for text in texts)}


def pages_counted(message: str) -> int:
    """How many pages a problem's line says show it: the one it names, and the number more."""
    more = re.search(r" (\d+) more pages?\)$", message)
    return 1 + int(more[1]) if more else 1


def first_page(message: str) -> str:
    """The page a post's problem names first."""
    return re.search(r"\(on (\S+?)[ )]", message)[1]


def test_each_post_with_a_broken_link_names_the_distinct_pages_that_show_its_own(tmp_path: Path) -> None:
    """A link a post has three times counts each page once, and a second post with it counts only its own."""
    posts = {"2016-01-01-a.md": post_text("A", "2016-01-01", "Alpha: [x](/nowhere/), [y](/nowhere/), [z](/nowhere/).",
                                          tags="[x]"),
             "2016-01-02-b.md": post_text("B", "2016-01-02", "Beta: [x](/nowhere/).", tags="[y]")}
    site = built(tmp_path, posts)
    run = run_cli(site, "check")
    assert run.code == 1
    found = problem_lines(run.err)
    assert [path for path, _ in found] == ["posts/2016-01-01-a.md", "posts/2016-01-02-b.md"]
    for (_, message), slug, words in zip(found, "ab", ("Alpha:", "Beta:"), strict=True):
        assert first_page(message) == f"/2016/01/{slug}/"
        assert pages_counted(message) == len(pages_showing(site, words, 'href="/nowhere/"')) > 1


def test_a_broken_link_a_template_and_a_post_both_make_is_reported_for_each(tmp_path: Path) -> None:
    base = (theme_dir() / "templates" / "base.html").read_text("utf-8")
    assert "</footer>" in base
    footer = base.replace("</footer>", '<a href="/about/">About</a></footer>')
    posts = {"2016-01-01-a.md": post_text("A", "2016-01-01", "Alpha words.", tags="[x]"),
             "2016-01-02-b.md": post_text("B", "2016-01-02", "Beta: see [me](/about/).", tags="[y]")}
    site = built(tmp_path, posts, files={"templates/base.html": footer})
    run = run_cli(site, "check")
    assert run.code == 1
    (page, at_page), (post, at_post) = problem_lines(run.err)
    assert page.startswith("/") and "/about/" in at_page
    assert post == "posts/2016-01-02-b.md" and "/about/" in at_post
    assert first_page(at_post) == "/2016/01/b/"
    shown_without_post = pages_showing(site, 'href="/about/"') - pages_showing(site, "Beta: see")
    assert page in shown_without_post and pages_counted(at_page) == len(pages_showing(site, 'href="/about/"'))
    assert pages_counted(at_post) == len(pages_showing(site, "Beta: see")) > 1  # never /archive/, titles only


@pytest.mark.parametrize("blank", [b"", b"<!-- google-site-verification: abc -->\n", b"  \n"])
def test_an_empty_html_file_the_build_publishes_is_no_error(tmp_path: Path, blank: bytes) -> None:
    site = make_site(tmp_path / "site", {"2016-01-01-a.md": post_text("A", "2016-01-01", tags="[x]")},
                     files={"static/blank.html": blank})
    run = run_cli(site, "check")
    assert (run.code, run.err) == (0, "")


def test_a_fragment_with_a_colon_is_looked_for_on_its_own_page(tmp_path: Path) -> None:
    """`#fn:1` is how kramdown and Goldmark name footnotes (imported posts keep them): a link on the post's page,
    not one with a scheme resolved against the home page, which does not show an old post."""
    note = 'See [the note](#note:one), and [a missing one](#note:two).\n\n<p id="note:one">One</p>'
    posts = {f"2016-01-0{day}-p{day}.md": post_text(f"Post {day}", f"2016-01-0{day} 10:00", tags="[x]")
             for day in (1, 2, 3)}
    posts["2010-07-07-old.md"] = post_text("Old", "2010-07-07 10:00", tags="[x]", body=note)
    site = make_site(tmp_path / "site", posts)  # two posts a page: the home page shows no old post
    run = run_cli(site, "check")
    assert run.code == 1
    assert [(path, "#note:two" in message) for path, message in problem_lines(run.err)] == [
        ("posts/2010-07-07-old.md", True)]

def test_a_root_relative_link_breaks_under_a_sub_path(tmp_path: Path) -> None:
    posts = {"2016-01-01-about.md": post_text("About", "2016-01-01 10:00", tags="[x]", body="[Me](/about/)")}
    site = make_site(tmp_path / "site", posts, files={"static/about/index.html": "<p>About me</p>"})
    assert run_cli(site, "check", "--base-url", "https://example.org/").code == 0
    run = run_cli(site, "check", "--base-url", "https://example.github.io/notes/")
    assert run.code == 1
    [(path, message)] = problem_lines(run.err)
    assert path == "posts/2016-01-01-about.md" and "/about/" in message and "/notes/" in message


def test_a_broken_link_in_a_template_is_reported_at_a_page(tmp_path: Path) -> None:
    template = '{% extends "theme/404.html" %}{% block main %}<a href="/nowhere/">lost</a>{% endblock %}\n'
    site = make_site(tmp_path / "site", {"2016-01-01-a.md": post_text("A", "2016-01-01", tags="[x]")},
                     files={"templates/404.html": template})
    run = run_cli(site, "check")
    assert run.code == 1
    assert [(p, "/nowhere/" in m) for p, m in problem_lines(run.err)] == [("/404.html", True)]


def rename_first(tag: str):  # noqa: ANN201 - a text -> text function
    """Rename the first such element (the channel's or feed's own), so the document stays well-formed."""
    return lambda text: re.sub(rf"<{tag}>(.*?)</{tag}>", r"<other>\1</other>", text, count=1, flags=re.S)


@pytest.mark.parametrize(("feed", "change", "expected"), [
    ("feed.xml", rename_first("description"), "<description>"),
    ("feed.xml", rename_first("title"), "<title>"),
    ("atom.xml", rename_first("id"), "<id>"),
    ("feed.xml", lambda text: text.replace('version="2.0"', 'version="0.91"', 1), "RSS 2.0"),
])
def test_a_feed_without_what_its_format_requires_is_reported(tmp_path: Path, feed: str, change,  # noqa: ANN001
                                                            expected: str) -> None:
    site = built(tmp_path, {"2016-01-01-a.md": post_text("A", "2016-01-01", tags="[x]")})
    path = site / "build" / feed
    path.write_text(change(path.read_text("utf-8")), "utf-8")
    run = run_cli(site, "check", "--output", "build")
    assert run.code == 1
    assert [(p, expected in m) for p, m in problem_lines(run.err)] == [(f"/{feed}", True)]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace("</urlset>", ""), "well-formed"),
    (lambda t: t.replace("https://example.org/archive/", "https://elsewhere.example/archive/"), "elsewhere"),
    (lambda t: t.replace("https://example.org/archive/", "https://example.org/no-such-page/"), "no-such-page"),
    (lambda t: t.replace("<urlset", '<!DOCTYPE urlset [<!ENTITY e "x">]>\n<urlset'), "DTD"),
])
def test_a_sitemap_that_is_broken_is_reported(tmp_path: Path, change, expected: str) -> None:  # noqa: ANN001
    site = built(tmp_path, {"2016-01-01-a.md": post_text("A", "2016-01-01", tags="[x]")})
    sitemap = site / "build" / "sitemap.xml"
    sitemap.write_text(change(sitemap.read_text("utf-8")), "utf-8")
    run = run_cli(site, "check", "--output", "build")
    assert run.code == 1
    assert [(p, expected in m) for p, m in problem_lines(run.err)] == [("/sitemap.xml", True)]


def test_content_warnings_name_each_post_and_do_not_fail(tmp_path: Path) -> None:
    posts = {
        "2016-01-01-untagged.md": post_text("Untagged", "2016-01-01"),
        "2016-02-01-unsourced.md": post_text("Unsourced", "2016-02-01", tags="[x]", link="https://example.com/a"),
        "2016-03-01-long.md": post_text("Long summary", "2016-03-01", tags="[x]", body="Short.",
                                        summary="A summary that goes on far longer than the post does."),
    }
    run = run_cli(make_site(tmp_path / "site", posts), "check")
    assert run.code == 0
    found = dict(problem_lines(run.err))
    assert set(found) == {f"posts/{name}" for name in posts}
    assert all(message.startswith("warning: ") for message in found.values())
    assert "tags" in found["posts/2016-01-01-untagged.md"]
    assert "source" in found["posts/2016-02-01-unsourced.md"]
    assert "summary" in found["posts/2016-03-01-long.md"]


def test_invalid_front_matter_fails_the_check(tmp_path: Path) -> None:
    posts = {"2016-01-01-bad.md": "---\ntitle: [unclosed\ndate: 2016-01-01\n---\nBody\n"}
    run = run_cli(make_site(tmp_path / "site", posts), "check")
    assert run.code == 1
    assert run.err.startswith("posts/2016-01-01-bad.md:")
    assert "Traceback" not in run.err


def test_an_output_folder_without_a_site_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"2016-01-01-a.md": post_text("A", "2016-01-01", tags="[x]")})
    run = run_cli(site, "check", "--output", "nothing-here")
    assert run.code == 1
    assert problem_lines(run.err)[0][0] == "nothing-here"
    assert not (site / "nothing-here").exists()


def test_served_files_follow_github_pages() -> None:
    out = Output(Path("."), "https://example.org/notes/", {"index.html", "a/index.html", "about.html", "CV.pdf"})
    assert [out.served(p) for p in ("", "a/", "a", "about", "CV.pdf", "cv.pdf", "b/")] == [
        "index.html", "a/index.html", "a/index.html", "about.html", "CV.pdf", None, None]


@pytest.mark.parametrize(("raw", "kind", "where"), [
    ("../b/", "internal", "b/"),
    ("/notes/tag/x/#top", "internal", "tag/x/"),
    ("/elsewhere/", "outside", "/elsewhere/"),
    ("https://example.org/other-project/", "external", "https://example.org/other-project/"),
    ("https://example.org", "external", "https://example.org/"),
    ("https://news.example.com/story#part", "external", "https://news.example.com/story"),
    ("mailto:me@example.org", "other", ""),
    ("http://[broken", "malformed", ""),
])
def test_where_links_lead(raw: str, kind: str, where: str) -> None:
    target = resolve(raw, "https://example.org/notes/a/", "https://example.org/notes/")
    assert (target.kind, target.where) == (kind, where)


class Handler(WebStandIn):
    """Live, dead, HEAD-refusing, redirecting and slow links, a Wayback stand-in, and a concurrency probe."""

    def answer(self, path: str) -> None:
        if path == "/wayback/available":
            return self.wayback()
        if path == "/slow":
            time.sleep(2)
        if path.startswith("/busy/"):
            self.busy()
        codes = {"/live": 200, "/dead": 404, "/slow": 200, "/moved": 301, "/loop": 302,
                 "/no-head": 405 if self.command == "HEAD" else 200}
        self.send_response(codes.get(path, 200 if path.startswith("/busy/") else 404))
        if path in ("/moved", "/loop"):
            self.send_header("Location", "/live" if path == "/moved" else "/loop")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def busy(self) -> None:
        """Wait (a little) for a second request to arrive, to see how many the checker sends at once."""
        server = self.server
        with server.lock:
            server.inflight += 1
            server.most = max(server.most, server.inflight)
            server.lock.notify_all()
            server.lock.wait_for(lambda: server.inflight >= 2, timeout=1)
        time.sleep(0.05)
        with server.lock:
            server.inflight -= 1

    def wayback(self) -> None:
        asked = parse_qs(urlsplit(self.path).query)["url"][0]
        closest = {"available": True, "url": SNAPSHOT + asked, "timestamp": "20150101000000", "status": "200"}
        self.send_json(json.dumps({"archived_snapshots": {"closest": closest} if asked.endswith("/dead") else {}})
                       .encode())


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.seen, httpd.lock, httpd.inflight, httpd.most = [], threading.Condition(), 0, 0
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def local_checker(server: ThreadingHTTPServer, timeout: float = 0.5) -> Checker:
    return Checker(timeout=timeout, archive_api=f"{server.base}/wayback/available")


def test_outbound_links_are_asked_head_then_get_and_cached(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    base = server.base
    urls = [f"{base}{path}" for path in ("/live", "/dead", "/no-head", "/moved", "/slow")]
    results, problems = check_links(urls, tmp_path, local_checker(server))
    assert problems == []
    assert (results[urls[0]].status, results[urls[0]].dead) == (200, False)
    assert (results[urls[1]].status, results[urls[1]].dead, results[urls[1]].archive) == (404, True,
                                                                                          SNAPSHOT + urls[1])
    assert results[urls[2]].status == 200 and {("HEAD", "/no-head"), ("GET", "/no-head")} <= set(server.seen)
    assert results[urls[3]].final == f"{base}/live"
    assert results[urls[4]].status is None and results[urls[4]].error
    assert json.loads((tmp_path / ".cache" / "linkblog" / "links.json").read_text())  # data only, JSON
    server.seen.clear()
    again, _ = check_links(urls, tmp_path, local_checker(server))
    assert server.seen == [("HEAD", "/slow")]  # only the network failure is asked again
    assert again[urls[1]].archive == SNAPSHOT + urls[1]


def test_old_results_are_asked_again(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    url = f"{server.base}/live"
    check_links([url], tmp_path, local_checker(server))
    check_links([url], tmp_path, local_checker(server), now=time.time() + 8 * 24 * 3600)
    assert server.seen == [("HEAD", "/live"), ("HEAD", "/live")]


def test_one_host_gets_at_most_two_requests_at_a_time(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    urls = [f"{server.base}/busy/{n}" for n in range(8)]
    results, _ = check_links(urls, tmp_path, Checker(timeout=5, workers=8, per_host=2))
    assert all(status.status == 200 for status in results.values())
    assert server.most == 2


def test_a_redirect_loop_is_a_failure_not_a_crash(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    url = f"{server.base}/loop"
    results, _ = check_links([url], tmp_path, local_checker(server))
    assert results[url].status is None and results[url].error


def test_network_failures_are_reported_not_raised(tmp_path: Path) -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), Handler) as closed:
        port = closed.server_address[1]  # nothing listens here once the block ends
    url = f"http://127.0.0.1:{port}/gone"
    results, _ = check_links([url], tmp_path, Checker(timeout=0.5, archive_api=f"http://127.0.0.1:{port}/wb"))
    assert results[url].status is None and results[url].error


def test_check_external_lists_dead_links_with_their_posts(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    base = server.base
    posts = {f"2016-0{n}-01-{name}.md": post_text(name.title(), f"2016-0{n}-01", "> Quoted words.", tags="[x]",
                                                  source="Writer", link=f"{base}/{name}")
             for n, name in enumerate(["live", "dead", "moved", "slow", "no-head"], 1)}
    site = make_site(tmp_path / "site", posts)
    check_links([f"{base}/dead"], site, local_checker(server))  # the archive's answer is cached from here on
    run = run_cli(site, "check", "--external", "--timeout", "0.5")
    assert run.code == 1
    found = problem_lines(run.err)
    assert [p for p, _ in found] == ["posts/2016-02-01-dead.md", "posts/2016-03-01-moved.md",
                                     "posts/2016-04-01-slow.md"]
    dead, moved, slow = (m for _, m in found)
    assert run_cli(site, "build").code == 0  # each page counted once, though its quote and attribution both link
    assert pages_counted(dead) == len(pages_showing(site, f'href="{base}/dead"'))
    assert f"{base}/dead" in dead and "404" in dead and SNAPSHOT + f"{base}/dead" in dead
    assert moved.startswith("warning: ") and f"{base}/live" in moved
    assert slow.startswith("warning: ") and f"{base}/slow" in slow
    assert ("GET", "/wayback/available") in server.seen
    assert server.seen.count(("GET", "/wayback/available")) == 1


def test_an_archive_of_the_sites_own_that_shows_bodies_credits_the_post_for_its_link(tmp_path: Path) -> None:
    archive = ('{% extends "base.html" %}{% block main %}{% for post in posts %}{{ entry(post) }}{% endfor %}'
               '{% endblock %}\n')
    posts = {"2016-01-01-a.md": post_text("A", "2016-01-01", "Alpha: see [me](/nowhere/).", tags="[x]")}
    site = built(tmp_path, posts, files={"templates/archive.html": archive})
    run = run_cli(site, "check")
    assert run.code == 1
    [(post, at_post)] = problem_lines(run.err)
    assert post == "posts/2016-01-01-a.md" and pages_counted(at_post) == len(pages_showing(site, "Alpha: see"))
    assert "/archive/" in pages_showing(site, "Alpha: see")

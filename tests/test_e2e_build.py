"""The real `linkblog` CLI on temporary sites: every SPEC URL, the lists, the links, determinism."""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import CONFIG, SAMPLE_POSTS, age, make_site, post_text, run_cli, tree_bytes

VIA_WITH_URL = "{name: Sheri, url: 'https://sheri.example/'}"
EXTRA_POSTS = {
    "2016-09-01-seth-again.md": post_text(
        "Seth again", "2016-09-01 08:00", "> Ship it.\n\nSeth, again.", tags="[Customer Success]",
        link="https://seths.blog/2016/09/again/", source="Seth Godin", via=VIA_WITH_URL),
    "2016-10-01-more-success.md": post_text(
        "More success", "2016-10-01 08:00", "Success is support done early.", tags="[Customer Success, support]"),
    "2016-11-01-lower-success.md": post_text(
        "Lower success", "2016-11-01 08:00", "Spelled in lower case.", tags="[customer success]"),
    "2016-12-01-a-draft.md": post_text("A draft", "2016-12-01 08:00", "Draft words.", tags="[support]",
                                       draft="true"),
    "2999-01-01-from-the-future.md": post_text("From the future", "2999-01-01 08:00", "Future words.",
                                               tags="[support]"),
}
STATIC = {"static/images/logo.png": b"\x89PNG\r\n\x1a\n\x00binary\xff", "static/favicon.ico": b"\x00\x00\x01\x00"}
CNAME_CONFIG = CONFIG + "cname: notes.example.org\n"

# Newest first: (url, title, a sentence of its body) for each published post.
PUBLISHED = [
    ("/2016/11/lower-success/", "Lower success", "Spelled in lower case."),
    ("/2016/10/more-success/", "More success", "Success is support done early."),
    ("/2016/09/seth-again/", "Seth again", "Seth, again."),
    ("/2016/08/graceful-degradation/", "Graceful degradation", "Sure."),
    ("/2016/01/stop-apologising/", "Stop apologising", "Yes."),
    ("/2015/09/customer-success/", "Customer success", "Support is a career."),
    ("/2015/06/work-vs-progress/", "Work vs. Progress", "My note."),
    ("/2015/04/some-customers-suck/", "Some Customers Suck", "Agreed."),
]
URLS = [url for url, _, _ in PUBLISHED]
DRAFT_URL, FUTURE_URL = "/2016/12/a-draft/", "/2999/01/from-the-future/"


def build_site(root: Path, *args: str) -> Path:
    """Write the test site at root and build it with the real CLI; the output folder."""
    make_site(root, {**SAMPLE_POSTS, **EXTRA_POSTS}, config=CNAME_CONFIG, files=STATIC)
    out = root.parent / f"{root.name}-out"
    run = run_cli(root, "build", "--output", str(out), *args)
    assert run.code == 0, run.err
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The test site built once at a domain root: the output folder and the build's stderr."""
    root = tmp_path_factory.mktemp("e2e") / "site"
    make_site(root, {**SAMPLE_POSTS, **EXTRA_POSTS}, config=CNAME_CONFIG, files=STATIC)
    run = run_cli(root, "build")
    assert run.code == 0, run.err
    return root / "build", run.err


@pytest.fixture(scope="module")
def out(built: tuple[Path, str]) -> Path:
    return built[0]


def file_for(url: str, base: str = "/") -> str:
    """The output file that serves a root-relative URL under the base path."""
    assert url.startswith(base), url
    rel = unquote(urlsplit(url).path)[len(base):]
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


def page(out: Path, url: str, base: str = "/") -> BeautifulSoup:
    path = out / file_for(url, base)
    assert path.is_file(), f"{url} was not written"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def listed(soup: BeautifulSoup) -> list[str]:
    """The post URLs a list page shows, in order."""
    return [a["href"] for a in soup.select("article.h-entry .p-name a")]


def pages_of(out: Path, first: str) -> list[BeautifulSoup]:
    """A paginated list: its first page and every /page/N/ after it."""
    pages = [page(out, first)]
    while (out / file_for(f"{first}page/{len(pages) + 1}/")).exists():
        pages.append(page(out, f"{first}page/{len(pages) + 1}/"))
    return pages


def assert_list(out: Path, first: str, heading: str, expected: list[list[str]]) -> None:
    """The list at `first` has the heading and shows exactly the `expected` pages of posts, each in full."""
    pages = pages_of(out, first)
    assert [listed(soup) for soup in pages] == expected
    for soup in pages:
        assert soup.h1.get_text(strip=True) == heading
        for article in soup.select("article.h-entry"):
            url = article.select_one(".p-name a")["href"]
            body = next(text for u, _, text in PUBLISHED if u == url)
            assert body in article.select_one(".e-content").get_text(), f"{url} not shown in full on {first}"


def test_every_spec_url_is_written(out: Path):
    expected = ["/", "/page/2/", "/page/3/", "/page/4/", *URLS, "/tag/support/", "/tag/support/page/2/",
                "/tag/support/page/3/", "/tag/customer-success/", "/2015/", "/2015/page/2/", "/2016/",
                "/2016/08/", "/2015/09/", "/source/seth-godin/", "/archive/", "/feed.xml", "/atom.xml",
                "/tag/support/feed.xml", "/tag/customer-success/feed.xml", "/sitemap.xml", "/robots.txt",
                "/404.html", "/.nojekyll", "/CNAME"]
    missing = [url for url in expected if not (out / file_for(url)).is_file()]
    assert not missing
    assert not (out / "page/5/index.html").exists()
    assert (out / ".nojekyll").read_bytes() == b""
    assert (out / "CNAME").read_text() == "notes.example.org\n"


def test_static_files_are_copied_as_is(out: Path):
    for name, data in STATIC.items():
        assert (out / name.removeprefix("static/")).read_bytes() == data
    assert (out / "style.css").read_bytes() == (Path(__file__).parents[1] / "static" / "style.css").read_bytes()


def test_no_cname_without_the_setting(tmp_path: Path):
    make_site(tmp_path / "site", SAMPLE_POSTS)
    assert run_cli(tmp_path / "site", "build").code == 0
    assert not (tmp_path / "site" / "build" / "CNAME").exists()


def test_home_pages_list_every_post_newest_first(out: Path):
    pages = pages_of(out, "/")
    assert [soup.h1.get_text() for soup in pages] == ["Latest posts"] + ["Older posts"] * 3
    assert [listed(soup) for soup in pages] == [URLS[0:2], URLS[2:4], URLS[4:6], URLS[6:8]]
    assert pages[1].select_one("nav.pager a[rel=prev]")["href"] == "/"
    assert pages[1].select_one("nav.pager a[rel=next]")["href"] == "/page/3/"


def test_tag_pages(out: Path):
    assert_list(out, "/tag/support/", "Tag: support", [
        ["/2016/10/more-success/", "/2016/08/graceful-degradation/"],
        ["/2016/01/stop-apologising/", "/2015/09/customer-success/"],
        ["/2015/04/some-customers-suck/"]])
    assert_list(out, "/tag/business/", "Tag: business", [["/2016/08/graceful-degradation/"]])


def test_year_and_month_pages(out: Path):
    assert_list(out, "/2015/", "Year: 2015", [["/2015/09/customer-success/", "/2015/06/work-vs-progress/"],
                                              ["/2015/04/some-customers-suck/"]])
    assert_list(out, "/2016/", "Year: 2016", [["/2016/11/lower-success/", "/2016/10/more-success/"],
                                              ["/2016/09/seth-again/", "/2016/08/graceful-degradation/"],
                                              ["/2016/01/stop-apologising/"]])
    assert_list(out, "/2016/08/", "Month: August 2016", [["/2016/08/graceful-degradation/"]])
    assert_list(out, "/2015/09/", "Month: September 2015", [["/2015/09/customer-success/"]])


def test_source_pages(out: Path):
    assert_list(out, "/source/seth-godin/", "Source: Seth Godin",
                [["/2016/09/seth-again/", "/2016/08/graceful-degradation/"]])
    assert_list(out, "/source/nick-bradbury/", "Source: Nick Bradbury", [["/2015/04/some-customers-suck/"]])


def test_archive_lists_every_post_by_year(out: Path):
    soup = page(out, "/archive/")
    years = soup.select("section.archive-year")
    assert [s.h2.get_text(strip=True) for s in years] == ["2016", "2015"]
    assert [s.h2.a["href"] for s in years] == ["/2016/", "/2015/"]
    assert [a["href"] for s in years for a in s.select("li a.archive-title")] == URLS
    work = next(li for li in soup.select("li") if "Work vs. Progress" in li.get_text())
    # The date is plain text; the title goes to the post's page, the source to its page.
    assert work.time.parent is work and not work.time.find("a")
    assert [a["href"] for a in work.select("span a")] == ["/2015/06/work-vs-progress/", "/source/scott-berkun/"]


def attribution(soup: BeautifulSoup, url: str):
    article = next(a for a in soup.select("article.h-entry") if a.select_one("footer a.u-url")["href"] == url)
    return article, article.select_one("p.attribution")


@pytest.mark.parametrize("where", ["/2015/04/some-customers-suck/", "/page/4/", "/tag/support/page/3/",
                                   "/source/nick-bradbury/", "/2015/page/2/"])
def test_link_post_shows_attribution_and_permalink(out: Path, where: str):
    article, line = attribution(page(out, where), "/2015/04/some-customers-suck/")
    title_link = line.find("a")
    assert title_link["href"] == "https://nickbradbury.com/some-customers-suck/"
    assert title_link.get_text() == "Some Customers Suck"
    text = " ".join(line.get_text().split())
    assert text == "Some Customers Suck – Nick Bradbury. via Sheri"
    assert line.find("a", string="Nick Bradbury")["href"] == "/source/nick-bradbury/"


def test_via_with_a_url_links_the_credit(out: Path):
    _, line = attribution(page(out, "/2016/09/seth-again/"), "/2016/09/seth-again/")
    assert " ".join(line.get_text().split()) == "Seth again – Seth Godin. via Sheri"
    assert line.select_one(".via a")["href"] == "https://sheri.example/"


def test_own_post_has_no_attribution(out: Path):
    article, line = attribution(page(out, "/2015/09/customer-success/"), "/2015/09/customer-success/")
    assert line is None
    assert article.h1.get_text() == "Customer success"


def test_post_pages_link_to_older_and_newer_posts(out: Path):
    for index, url in enumerate(URLS):
        nav = page(out, url).select_one("nav.post-nav")
        older = nav.select_one("a[rel=prev]")
        newer = nav.select_one("a[rel=next]")
        assert (older["href"] if older else None) == (URLS[index + 1] if index + 1 < len(URLS) else None)
        assert (newer["href"] if newer else None) == (URLS[index - 1] if index else None)


def test_drafts_and_future_posts_are_left_out(out: Path):
    assert not (out / file_for(DRAFT_URL)).exists()
    assert not (out / file_for(FUTURE_URL)).exists()
    everything = b"".join(tree_bytes(out).values())
    assert b"A draft" not in everything and b"From the future" not in everything


def test_drafts_flag_adds_drafts_only(tmp_path: Path):
    out = build_site(tmp_path / "site", "--drafts")
    assert (out / file_for(DRAFT_URL)).is_file()
    assert not (out / file_for(FUTURE_URL)).exists()
    assert listed(page(out, "/tag/support/"))[:2] == [DRAFT_URL, "/2016/10/more-success/"]


def test_future_flag_adds_future_posts_only(tmp_path: Path):
    out = build_site(tmp_path / "site", "--future")
    assert (out / file_for(FUTURE_URL)).is_file()
    assert not (out / file_for(DRAFT_URL)).exists()
    assert listed(page(out, "/"))[0] == FUTURE_URL


def marks(soup: BeautifulSoup) -> list[str]:
    """The draft and scheduled markers a page or an entry shows."""
    return [mark.get_text() for mark in soup.select(".mark")]


def test_a_build_with_drafts_and_future_posts_marks_them_on_their_pages_and_in_lists(tmp_path: Path):
    both = post_text("Draft for later", "2998-01-01 08:00", "Both.", tags="[support]", draft="true")
    make_site(tmp_path / "site", {"2998-01-01-draft-for-later.md": both})
    out = build_site(tmp_path / "site", "--drafts", "--future")
    both_url = "/2998/01/draft-for-later/"
    assert marks(page(out, DRAFT_URL)) == ["draft"]
    assert marks(page(out, FUTURE_URL)) == ["scheduled"]
    assert marks(page(out, both_url)) == ["draft", "scheduled"]
    expected = {FUTURE_URL: ["scheduled"], both_url: ["draft", "scheduled"], DRAFT_URL: ["draft"]}
    for first in ("/", "/tag/support/"):
        shown = {article.select_one(".p-name a")["href"]: marks(article)
                 for soup in pages_of(out, first) for article in soup.select("article.h-entry")}
        assert {url: found for url, found in shown.items() if found} == expected, first
        assert set(URLS) & set(shown)  # published posts are listed too, unmarked
    archive = {li.a["href"]: marks(li) for li in page(out, "/archive/").select(".archive-year li")}
    assert {url: found for url, found in archive.items() if found} == expected
    assert not any(marks(page(out, url)) for url in URLS)


def test_a_build_without_them_marks_nothing(out: Path):
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 20
    assert not [p for p in pages if BeautifulSoup(p.read_text("utf-8"), "html.parser").select(".mark, .marks")]


def test_tag_spellings_fold_into_the_most_used(built: tuple[Path, str]):
    out, err = built
    assert_list(out, "/tag/customer-success/", "Tag: Customer Success", [
        ["/2016/11/lower-success/", "/2016/10/more-success/"],
        ["/2016/09/seth-again/", "/2015/09/customer-success/"]])
    links = page(out, "/2016/11/lower-success/").select("a.p-category")
    assert [(a.get_text(), a["href"]) for a in links] == [("Customer Success", "/tag/customer-success/")]
    assert not (out / "tag/customer-success-2").exists()
    warnings = [line for line in err.splitlines() if "warning:" in line]
    assert any(line.startswith("posts/2016-11-01-lower-success.md") and "'customer success'" in line
               and "'Customer Success'" in line for line in warnings), err
    assert any(line.startswith("posts/2015-09-21-customer-success.md") for line in warnings), err
    assert not any("seth-again" in line or "more-success" in line for line in warnings), err


def internal_links(out: Path, base: str) -> list[tuple[str, str]]:
    """(file, link) for every href and src in every HTML file that starts with '/'."""
    found = []
    for path in sorted(out.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(href=True) + soup.find_all(src=True):
            link = tag.get("href") or tag.get("src")
            if link.startswith("/") and not link.startswith("//"):
                found.append((path.relative_to(out).as_posix(), link))
    return found


def assert_links_resolve(out: Path, base: str, at_least: int = 100) -> None:
    links = internal_links(out, base)
    assert len(links) > at_least
    outside = [(f, link) for f, link in links if not link.startswith(base)]
    assert not outside, f"links outside the base path {base}: {outside[:5]}"
    broken = [(f, link) for f, link in links if not (out / file_for(link, base)).is_file()]
    assert not broken, f"broken internal links: {broken[:10]}"


def test_internal_links_resolve_at_a_domain_root(out: Path):
    assert_links_resolve(out, "/")


def test_internal_links_resolve_under_a_sub_path(tmp_path: Path):
    out = build_site(tmp_path / "site", "--base-url", "https://user.github.io/notes/")
    assert_links_resolve(out, "/notes/")
    soup = page(out, "/notes/2015/06/work-vs-progress/", "/notes/")
    assert soup.find("link", rel="canonical")["href"] == "https://user.github.io/notes/2015/06/work-vs-progress/"


def test_sitemap_and_robots(out: Path):
    root = ET.fromstring((out / "sitemap.xml").read_bytes())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    assert {f"https://example.org{u}" for u in URLS} <= set(locs)
    assert "https://example.org/404.html" not in locs
    for loc in locs:
        assert (out / file_for(urlsplit(loc).path)).is_file(), loc
    assert "Sitemap: https://example.org/sitemap.xml" in (out / "robots.txt").read_text()


def test_404_page(out: Path):
    soup = page(out, "/404.html")
    assert soup.h1.get_text() == "Page not found"
    assert soup.find("a", href="/archive/")


def test_builds_into_different_folders_are_identical(out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PYTHONHASHSEED", "12345")  # Set and dict order must not leak into the output.
    run = run_cli(out.parent, "build", "--output", str(tmp_path / "again"))
    assert run.code == 0, run.err
    assert tree_bytes(tmp_path / "again") == tree_bytes(out)


@pytest.mark.parametrize("cache", [False, True], ids=["cold", "with-the-cache"])
def test_a_copy_with_new_mtimes_builds_identically(out: Path, tmp_path: Path, cache: bool):
    copy = tmp_path / "copy"
    shutil.copytree(out.parent, copy, ignore=shutil.ignore_patterns("build", *([] if cache else [".cache"])))
    assert (copy / ".cache").exists() == cache
    stamp = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()
    for path in copy.rglob("*"):
        os.utime(path, (stamp, stamp))
    run = run_cli(copy, "build", "--output", str(tmp_path / "copy-out"))
    assert run.code == 0, run.err
    assert tree_bytes(tmp_path / "copy-out") == tree_bytes(out)


def test_init_then_build(tmp_path: Path):
    run = run_cli(tmp_path, "init", "blog")
    assert run.code == 0, run.err
    site = tmp_path / "blog"
    assert (site / "config.yaml").is_file() and (site / "templates" / "base.html").is_file()
    assert len(list((site / "posts").glob("*.md"))) == 1
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    assert all((site / "build" / name).is_file() for name in ("index.html", "style.css", "favicon.ico"))
    assert len(listed(page(site / "build", "/"))) == 1


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path):
    (tmp_path / "blog").mkdir()
    (tmp_path / "blog" / "notes.txt").write_text("mine")
    run = run_cli(tmp_path, "init", "blog")
    assert run.code == 1
    assert "not empty" in run.err
    assert [p.name for p in (tmp_path / "blog").iterdir()] == ["notes.txt"]


def test_init_refuses_a_file_as_what_it_is(tmp_path: Path):
    (tmp_path / "blog").write_text("mine")
    run = run_cli(tmp_path, "init", "blog")
    assert run.code == 1 and "is a file" in run.err
    assert (tmp_path / "blog").read_text() == "mine"


def test_init_says_what_to_run_next_in_one_line_a_shell_reads_back(tmp_path: Path):
    run = run_cli(tmp_path, "init", "my notes")
    assert run.code == 0, run.err
    assert run.out == "Created a new site in 'my notes'. Next: cd 'my notes' && linkblog build\n"
    run = run_cli(tmp_path, "init", "odd\nname")
    assert run.code == 0, run.err
    assert len(run.out.splitlines()) == 1


def test_new_writes_a_post_and_refuses_to_overwrite(site: Path):
    days = {f"{datetime.now(UTC) + timedelta(minutes=m):%Y-%m-%d}" for m in (-1, 0, 1)}
    args = ["new", "Hello, World!", "--link", "https://example.com/a", "--source", "Ann Writer",
            "--tag", "a", "--tag", "b"]
    run = run_cli(site, *args)
    assert run.code == 0, run.err
    printed = run.out.strip()
    assert re.fullmatch(r"posts/(\d{4}-\d{2}-\d{2})-hello-world\.md", printed)
    assert printed[6:16] in days
    text = (site / printed).read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["title"] == "Hello, World!" and meta["link"] == "https://example.com/a"
    assert meta["source"] == "Ann Writer" and meta["tags"] == ["a", "b"]
    (site / printed).write_text(text + "\nMy own words.\n", encoding="utf-8")
    again = run_cli(site, *args)
    assert again.code == 1
    assert "already exists" in again.err
    assert (site / printed).read_text(encoding="utf-8").endswith("My own words.\n")
    build = run_cli(site, "build")
    assert build.code == 0, build.err
    post_page = site / "build" / printed[6:10] / printed[11:13] / "hello-world" / "index.html"
    assert "My own words." in post_page.read_text(encoding="utf-8")


def test_clean_build_rereads_a_post_the_cache_thinks_unchanged(tmp_path: Path):
    site = make_site(tmp_path / "site", {"2015-06-01-same-size.md": post_text("Same size", "2015-06-01", "AAAA")})
    post = site / "posts" / "2015-06-01-same-size.md"
    past = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
    os.utime(post, (past, past))
    assert run_cli(site, "build").code == 0
    post.write_text(post.read_text().replace("AAAA", "BBBB"))
    os.utime(post, (past, past))
    run = run_cli(site, "build", "--clean")
    assert run.code == 0, run.err
    shown = (site / "build" / "2015" / "06" / "same-size" / "index.html").read_text()
    assert "BBBB" in shown, "build --clean reused the cached parse of a post whose bytes changed"


@pytest.mark.parametrize("edited", [False, True], ids=["nothing-else-changed", "a-post-edited"])
def test_files_removed_from_the_output_by_hand_come_back_with_the_next_build(tmp_path: Path, edited: bool):
    site = tmp_path / "site"
    out = build_site(site)
    removed = ["2015/06/work-vs-progress/index.html", "tag/support/page/3/index.html", "feed.xml",
               "images/logo.png", "CNAME"]
    for rel in removed:
        (out / rel).unlink()
    shutil.rmtree(out / "2016" / "08")  # a folder of them
    if edited:
        post = site / "posts" / "2015-04-09-some-customers-suck.md"
        post.write_text(post.read_text().replace("Agreed.", "Agreed, edited."))
    run = run_cli(site, "build", "--output", str(out))
    assert run.code == 0, run.err
    clean = tmp_path / "clean"
    assert run_cli(site, "build", "--clean", "--output", str(clean)).code == 0
    assert tree_bytes(out) == tree_bytes(clean)
    if edited:
        assert "Agreed, edited." in (out / "2015/04/some-customers-suck/index.html").read_text()


def test_an_output_folder_replaced_by_an_older_copy_is_written_whole(tmp_path: Path):
    site = tmp_path / "site"
    out = build_site(site)
    older = tmp_path / "older"
    shutil.copytree(out, older)  # as a clone of the published branch would be
    post = site / "posts" / "2015-04-09-some-customers-suck.md"
    post.write_text(post.read_text().replace("Agreed.", "Agreed, edited."))
    assert run_cli(site, "build", "--output", str(out)).code == 0
    shutil.rmtree(out)
    older.rename(out)
    run = run_cli(site, "build", "--output", str(out))
    assert run.code == 0, run.err
    clean = tmp_path / "clean"
    assert run_cli(site, "build", "--clean", "--output", str(clean)).code == 0
    assert tree_bytes(out) == tree_bytes(clean)


def test_an_older_copy_put_back_into_the_same_folder_is_written_whole(tmp_path: Path):
    site = tmp_path / "site"
    out = build_site(site)
    older = tmp_path / "older"
    shutil.copytree(out, older)
    (site / "posts" / "2015-04-09-some-customers-suck.md").unlink()
    assert run_cli(site, "build", "--output", str(out)).code == 0
    inode = out.stat().st_ino
    for child in out.iterdir():  # restored in place, as rsync -a --delete does (or a new folder on a reused inode)
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(older, out, dirs_exist_ok=True)
    assert out.stat().st_ino == inode
    run = run_cli(site, "build", "--output", str(out))
    assert run.code == 0, run.err
    clean = tmp_path / "clean"
    assert run_cli(site, "build", "--clean", "--output", str(clean)).code == 0
    assert tree_bytes(out) == tree_bytes(clean)


def test_builds_alternating_between_two_folders_write_only_what_differs(tmp_path: Path):
    # A staging folder and the real one: each keeps its unchanged files (and their mtimes), as README promises.
    site = tmp_path / "site"
    out, staging = build_site(site), tmp_path / "staging"
    assert run_cli(site, "build", "--output", str(staging)).code == 0
    post, stray = site / "posts" / "2015-04-09-some-customers-suck.md", out / "2015" / "stray.html"
    before = {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()}
    run = run_cli(site, "build", "--output", str(out))
    assert run.code == 0, run.err
    assert f"0 files written, {len(before)} unchanged" in run.out
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()} == before
    post.write_text(post.read_text().replace("Agreed.", "Agreed, edited."))
    assert run_cli(site, "build", "--output", str(staging)).code == 0
    stray.write_text("a file no build wrote, in a folder of the output")
    os.mkfifo(out / "2015" / "pipe")  # read, it would hold the build up for ever
    (out / "2015" / "dangling.html").symlink_to(tmp_path / "nowhere")
    (tmp_path / "elsewhere").mkdir()
    (out / "2015" / "linked").symlink_to(tmp_path / "elsewhere")
    run = run_cli(site, "build", "--output", str(out), timeout=60)
    assert run.code == 0, run.err
    clean = tmp_path / "clean"
    assert run_cli(site, "build", "--clean", "--output", str(clean)).code == 0
    assert tree_bytes(out) == tree_bytes(clean)
    assert not [p for p in ("pipe", "dangling.html", "linked") if os.path.lexists(out / "2015" / p)]
    kept = [path for path, mtime in before.items() if path.exists() and path.stat().st_mtime_ns == mtime]
    assert (out / "images" / "logo.png") in kept and len(kept) > len(before) / 2
    assert (out / "2015/04/some-customers-suck/index.html") not in kept


def test_a_site_at_a_host_beyond_ascii_is_addressed_in_idna_everywhere(tmp_path: Path):
    config = CONFIG.replace("url: https://example.org/", "url: https://bücher.example/")
    assert "bücher" in config
    site = make_site(tmp_path / "site", SAMPLE_POSTS, config=config)
    assert run_cli(site, "build").code == 0
    out = site / "build"
    origin = "https://xn--bcher-kva.example/"  # as browsers and DNS spell bücher.example
    rss = ET.parse(out / "feed.xml").getroot()
    assert rss.findtext("channel/link").startswith(origin)
    assert all(guid.text.startswith(origin) for guid in rss.iter("guid"))
    locs = [el.text for el in ET.parse(out / "sitemap.xml").getroot().iter() if el.tag.endswith("loc")]
    assert locs and all(loc.startswith(origin) for loc in locs)
    assert f"Sitemap: {origin}sitemap.xml" in (out / "robots.txt").read_text()
    canonical = page(out, "/2015/06/work-vs-progress/").find("link", rel="canonical")["href"]
    assert canonical == origin + "2015/06/work-vs-progress/"
    assert "bücher" not in (out / "feed.xml").read_text() + (out / "atom.xml").read_text()


def test_a_post_without_words_of_its_own_is_described_by_its_title_everywhere(tmp_path: Path):
    site = make_site(tmp_path / "site", {"2016-01-01-just-a-link.md": post_text(
        "Just a link", "2016-01-01 10:00", "", link="https://example.com/a", source="Someone")})
    assert run_cli(site, "build").code == 0
    soup = page(site / "build", "/2016/01/just-a-link/")
    described = {soup.find("meta", attrs={"name": "description"})["content"],
                 soup.find("meta", property="og:description")["content"],
                 soup.find("meta", attrs={"name": "twitter:description"})["content"]}
    assert described == {"Just a link"}


def test_names_in_other_scripts_get_working_pages(tmp_path: Path):
    posts = {"2015-06-01-cafe.md": post_text("Café society", "2015-06-01", "Words.", tags="[Café, 日本語]",
                                             link="https://example.com/", source="José Müller"),
             "2015-06-02-more.md": post_text("More", "2015-06-02", "Words.", tags="[cafe]")}
    out = make_site(tmp_path / "site", posts) / "build"
    run = run_cli(out.parent, "build")
    assert run.code == 0, run.err
    assert_links_resolve(out, "/", at_least=20)
    soup = page(out, "/2015/06/cafe/")
    tags = {a.get_text(): a["href"] for a in soup.select("a.p-category")}
    assert tags["日本語"] == "/tag/%E6%97%A5%E6%9C%AC%E8%AA%9E/"
    assert page(out, tags["日本語"]).h1.get_text() == "Tag: 日本語"
    assert listed(page(out, tags["Café"])) == ["/2015/06/more/", "/2015/06/cafe/"]
    assert page(out, "/source/jose-muller/").h1.get_text() == "Source: José Müller"


def test_names_in_devanagari_keep_their_vowel_signs_and_stay_apart(tmp_path: Path):
    posts = {"a.md": post_text("नमस्ते दुनिया", "2021-01-01", "शब्द", tags="[दिन]"),
             "b.md": post_text("दान", "2021-01-02", "शब्द", tags="[दान]")}
    site = make_site(tmp_path / "site", posts)
    run = run_cli(site, "build")
    assert run.code == 0 and "warning" not in run.err, run.err
    out = site / "build"
    assert (out / "2021" / "01" / "नमस्ते-दुनिया" / "index.html").is_file()
    assert sorted(p.name for p in (out / "tag").iterdir() if p.is_dir()) == sorted(["दिन", "दान"])


def test_a_name_spelled_with_any_apostrophe_is_one_name(tmp_path: Path):
    # ‘ (left single quote) and ʼ (modifier letter apostrophe) are typed for an apostrophe too.
    posts = {f"p{n}.md": post_text(f"Seth{mark}s {n}", f"2015-06-0{n}", "Words.", tags=f"[Manager{mark}s]",
                                   source=f"Seth{mark}s Blog")
             for n, mark in enumerate(("\u2018", "\u2019", "\u02bc"), start=1)}
    site = make_site(tmp_path / "site", posts, files={"sources.yaml": "- name: Seth Godin\n  aliases: [Seth's Blog]\n"})
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    out = site / "build"
    assert listed(page(out, "/source/seth-godin/")) == ["/2015/06/seths-3/", "/2015/06/seths-2/"]
    assert listed(page(out, "/tag/managers/page/2/")) == ["/2015/06/seths-1/"]
    assert sorted(p.name for p in (out / "source").iterdir()) == ["seth-godin"]
    assert sorted(p.name for p in (out / "tag").iterdir() if p.is_dir()) == ["managers"]


# --- every problem at once, and nothing silently left out ---------------------------------------

def test_two_posts_on_one_url_are_reported_with_the_parse_errors_of_others(tmp_path: Path):
    site = make_site(tmp_path / "site", SAMPLE_POSTS)
    assert run_cli(site, "build").code == 0
    before = tree_bytes(site / "build")
    (site / "posts" / "a.md").write_text(post_text("Same Title", "2015-06-02"))
    (site / "posts" / "b.md").write_text(post_text("Same Title", "2015-06-20"))
    (site / "posts" / "c.md").write_text(post_text("Bad date", "yesterday"))
    run = run_cli(site, "build")
    assert (run.code, "Traceback" in run.err) == (1, False), run.err
    assert [line for line in run.err.splitlines() if not line.startswith("build failed")] == [
        "posts/a.md: writes the same URL /2015/06/same-title/ as posts/b.md",
        "posts/c.md:3: 'date' is not a valid date: 'yesterday' "
        "(use YYYY-MM-DD or YYYY-MM-DD HH:MM, optionally with an offset)"]
    assert tree_bytes(site / "build") == before


LEFT_OUT = {"2015-06-01-kept.md": post_text("Kept", "2015-06-01 09:30"),
            "a-draft.md": post_text("A draft", "2015-06-02", draft="true"),
            "later.md": post_text("Later", "2099-01-01 09:00"),
            "notes.txt": "Ideas for posts.\n"}


@pytest.mark.parametrize(("timezone", "zone"), [("UTC", "UTC"), ("America/New_York", "EST")])
def test_the_summary_names_what_the_build_left_out(tmp_path: Path, timezone: str, zone: str):
    site = make_site(tmp_path / "site", LEFT_OUT, config=CONFIG.replace("timezone: UTC", f"timezone: {timezone}"))
    run = run_cli(site, "build")
    assert (run.code, run.err) == (0, "")
    first, *more = run.out.splitlines()
    assert first.startswith("Built 1 post: ")
    assert len(more) == 2
    assert more[0] == f"2 posts left out: 1 draft (use --drafts), 1 dated 2099-01-01 09:00 {zone} (use --future)"
    assert "posts/notes.txt" in more[1]
    assert "notes.txt" not in first + more[0]


def test_posts_in_private_folders_are_named_as_left_out(tmp_path: Path):
    # A Jekyll blog's _posts/ copied into posts/ as it is: its posts are private, which the summary must say.
    posts = {"kept.md": post_text("Kept", "2015-06-01"), "_posts/2015-06-02-jekyll.md": post_text("J", "2015-06-02"),
             "_ideas/notes.txt": "Not a post, and private: no line for it.\n", "_half.md": post_text("H", "2015-06-03"),
             "#1 lesson.md": post_text("L", "2015-06-04"), ".#kept.md": "an editor's lock file: no line for it",
             "._kept.md": "macOS's AppleDouble notes: no line for them"}
    run = run_cli(make_site(tmp_path / "site", posts), "build")
    assert (run.code, run.err) == (0, "")
    first, *more = run.out.splitlines()
    assert first.startswith("Built 1 post: ")
    (line,) = more
    assert line.startswith("3 posts in posts/ left out")
    assert "posts/_posts/2015-06-02-jekyll.md" in line and "posts/_half.md" in line and "notes.txt" not in line
    assert "posts/#1 lesson.md" in line and ".#kept.md" not in line and "._kept.md" not in line
    assert not (tmp_path / "site" / "build" / "2015" / "06" / "j").exists()


def test_with_drafts_and_future_only_the_file_that_is_no_post_is_left_out(tmp_path: Path):
    run = run_cli(make_site(tmp_path / "site", LEFT_OUT), "build", "--drafts", "--future")
    assert (run.code, run.err) == (0, "")
    first, *more = run.out.splitlines()
    assert first.startswith("Built 3 posts: ")
    assert len(more) == 1 and "posts/notes.txt" in more[0]


def test_post_files_named_in_capitals_are_posts_as_jekyll_reads_them(tmp_path: Path):
    site = make_site(tmp_path / "site", {"2015-06-01-shout.MD": post_text("Shout", "2015-06-01 09:30"),
                                         "whisper.Markdown": post_text("Whisper", "2015-06-02 09:30")})
    run = run_cli(site, "build")
    assert (run.code, run.err) == (0, "")
    assert run.out.splitlines()[0].startswith("Built 2 posts: ")
    assert (site / "build" / "2015" / "06" / "shout" / "index.html").is_file()
    assert (site / "build" / "2015" / "06" / "whisper" / "index.html").is_file()


def test_a_rebuild_with_nothing_to_do_names_what_it_left_out_again(tmp_path: Path):
    site = make_site(tmp_path / "site", LEFT_OUT)
    age(site)  # so the second build may stop after its scan
    first = run_cli(site, "build")
    again = run_cli(site, "build")
    assert " 0 files written" in again.out
    assert again.out.splitlines()[1:] == first.out.splitlines()[1:]


def test_nothing_to_do_counts_the_same_pages_unchanged_however_it_finds_out(tmp_path: Path):
    site = make_site(tmp_path / "site", LEFT_OUT)
    age(site)
    assert run_cli(site, "build").code == 0
    stopped_early = run_cli(site, "build").out.splitlines()[0]
    age(site / "posts", 60)  # a new mtime, the same bytes: the engine runs and renders nothing new
    looked_again = run_cli(site, "build").out.splitlines()[0]
    unchanged = re.search(r"(\d+) unchanged", stopped_early)
    assert unchanged and int(unchanged.group(1)) > 5
    assert f"{unchanged.group(1)} unchanged" in looked_again and " 0 files written" in looked_again


def test_editor_and_download_leftovers_in_static_are_not_published(tmp_path: Path):
    leftovers = ["#notes.txt#", "video.mp4.part", "logo.png.crdownload", "style.css~", ".style.css.swp"]
    site = make_site(tmp_path / "site", LEFT_OUT, files={"static/style.css": "body {}\n", "static/#tag.txt": "x",
                                                        "static/archives/4913/index.html": "<p>moved</p>",
                                                        "static/v1.part/notes.txt": "kept",
                                                        **{f"static/{name}": "half\n" for name in leftovers}})
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    published = {p.name for p in (site / "build").iterdir()}
    assert {"style.css", "#tag.txt"} <= published and not published & set(leftovers)
    assert (site / "build" / "archives" / "4913" / "index.html").is_file()
    assert (site / "build" / "v1.part" / "notes.txt").is_file()


def counts(run_out: str) -> tuple[int, int]:
    found = re.search(r": (\d+) files? written, (\d+) unchanged,", run_out)
    assert found, run_out
    return int(found[1]), int(found[2])


def test_written_and_unchanged_count_every_file_of_the_output(tmp_path: Path):
    site = make_site(tmp_path / "site", LEFT_OUT, files={"static/style.css": "body {}\n"})
    age(site)
    kept = site / "posts" / "2015-06-01-kept.md"
    changes = {"first": lambda: None, "none": lambda: None,
               "static": lambda: (site / "static" / "extra.css").write_text("p {}\n"),
               "post": lambda: kept.write_text(kept.read_text() + "More.\n")}
    seen = {}
    for name, change in changes.items():
        change()
        run = run_cli(site, "build")
        assert run.code == 0, run.err
        seen[name] = counts(run.out)
        assert sum(seen[name]) == len([p for p in (site / "build").rglob("*") if p.is_file()]), (name, run.out)
    assert seen["first"][1] == seen["none"][0] == 0
    assert seen["static"][0] == 1 and seen["post"][0] > 0


def test_markdown_files_are_posts_too(tmp_path: Path):
    posts = {"2015-06-01-long-name.markdown": post_text("Long extension", "2015-06-01", "Read *this*."),
             "other.md": post_text("Other", "2015-06-02")}
    site = make_site(tmp_path / "site", posts)
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    assert run.out.startswith("Built 2 posts: ") and len(run.out.splitlines()) == 1
    soup = page(site / "build", "/2015/06/long-name/")
    assert soup.h1.get_text() == "Long extension"
    assert soup.select_one(".e-content em").get_text() == "this"
    assert "/2015/06/long-name/" in listed(page(site / "build", "/"))
    (site / "posts" / "bad.markdown").write_text(post_text("Bad", "soon"))
    run = run_cli(site, "build")
    assert run.code == 1
    assert run.err.splitlines()[0].startswith("posts/bad.markdown:3: ")


def test_a_template_of_the_sites_own_no_page_uses_is_a_warning_in_every_build_until_it_is_used(tmp_path: Path):
    posts = {"2015-06-01-kept.md": post_text("Kept", "2015-06-01 09:30")}
    site = make_site(tmp_path / "site", posts, files={"templates/posts.html": '{% extends "base.html" %}\n'})
    age(site)
    first = run_cli(site, "build")
    [line] = first.err.splitlines()
    assert (first.code, line.startswith("templates/posts.html: warning: "), "post.html" in line) == (0, True, True)
    assert "posts.html" not in (site / "build" / "2015" / "06" / "kept" / "index.html").read_text()
    again = run_cli(site, "build")  # stops after its scan
    edit = site / "posts" / "2015-06-01-kept.md"
    edit.write_text(edit.read_text() + "More.\n")
    edited = run_cli(site, "build")  # the templates' digests come from the cache
    assert again.err == edited.err == first.err
    (site / "templates" / "posts.html").rename(site / "templates" / "post.html")
    fixed = run_cli(site, "build")
    assert (fixed.code, fixed.err) == (0, "")


def test_templates_the_scan_cannot_use_are_named_once_and_never_as_unused(tmp_path: Path):
    posts = {"2015-06-01-kept.md": post_text("Kept", "2015-06-01 09:30")}
    site = make_site(tmp_path / "site", posts, files={"shared/posts.html": "x\n"})
    templates = site / "templates"
    templates.mkdir(exist_ok=True)
    (templates / os.fsdecode(b"_caf\xe9.html")).write_text("x\n")
    (templates / "_card.html").symlink_to(tmp_path / "nowhere.html")
    (templates / "linked").symlink_to(site / "shared")
    for _ in range(2):
        run = run_cli(site, "build")
        assert (run.code, "Traceback" in run.err) == (0, False), run.err
        lines = run.err.splitlines()
        assert not [line for line in lines if "no page uses" in line and "linked/posts.html" not in line], run.err
        assert any(line.startswith("templates/linked/posts.html: warning: no page uses") for line in lines), run.err
    (templates / "_card.html").unlink()
    assert "_card.html" not in run_cli(site, "build").err


@pytest.mark.parametrize(("files", "named"), [
    ({"posts/c.md": post_text("About my CNAME", "2015-06-01", slug="CNAME")}, "posts/c.md"),
    ({"static/.nojekyll/readme.txt": "x"}, "static/.nojekyll/readme.txt"),
    ({"static/CNAME/readme.txt": "x"}, "static/CNAME/readme.txt"),
])
def test_a_folder_where_a_file_github_pages_reads_goes_is_named(tmp_path: Path, files: dict[str, str], named: str):
    config = CONFIG.replace("permalink: /{year}/{month}/{slug}/", "permalink: /{slug}/") + "cname: example.org\n"
    site = make_site(tmp_path / "site", {"a.md": post_text("A", "2015-06-02")}, config=config)
    assert run_cli(site, "build").code == 0
    before = tree_bytes(site / "build")
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text)
    run = run_cli(site, "build")
    assert (run.code, "Traceback" in run.err) == (1, False), run.err
    assert any(line.startswith(f"{named}: ") for line in run.err.splitlines()), run.err
    assert tree_bytes(site / "build") == before


def test_a_comment_left_open_in_a_post_is_named_and_hides_no_other_post(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "open.md": post_text("Open", "2015-06-02 09:00", "Seen.\n\n<!-- TODO: finish this\n\nMore."),
        "next.md": post_text("Next", "2015-06-01 09:00", "The older post.")})
    run = run_cli(site, "build")
    assert run.code == 0
    assert [line for line in run.err.splitlines() if "warning" in line] == [
        "posts/open.md:7: warning: an HTML comment (<!--) opened here is never closed, which hides the rest of the "
        "post in a browser: closed at the post's end, so that no other post on a page is hidden"]
    home = BeautifulSoup((site / "build" / "index.html").read_text("utf-8"), "html.parser")
    assert [h.get_text(strip=True) for h in home.select("article h2")] == ["Open", "Next"]


def test_links_to_a_post_s_headings_lead_to_them_on_its_page_and_on_lists(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "setup.md": post_text("Setup", "2015-06-02 09:00", "[See the notes](#notes).\n\n## Notes\n\nMine.",
                              tags="[guides]"),
        "other.md": post_text("Other", "2015-06-01 09:00", "[Read on](#notes).\n\n## Notes\n\nTheirs.",
                              tags="[guides]"),
        "third.md": post_text("Third", "2015-05-01 09:00", "[Setup's notes](/2015/06/setup/#notes).")})
    assert run_cli(site, "build").code == 0
    for url in ("/", "/tag/guides/"):
        soup = page(site / "build", url)
        ids = [element["id"] for element in soup.select("[id]")]
        assert len(ids) == len(set(ids))
        for article in soup.select("article"):
            for link in article.select('.e-content a[href^="#"]'):
                target = soup.find(id=unquote(link["href"][1:]))
                assert target is not None and target.find_parent("article") is article
                assert target.get_text() == "Notes"
    post = page(site / "build", "/2015/06/setup/")
    assert post.select_one('.e-content a[href="#notes"]') and post.find(id="notes").get_text() == "Notes"
    run = run_cli(site, "check", "--output", "build")
    assert run.code == 0 and "broken" not in run.out + run.err


def test_a_list_shows_a_post_up_to_its_more_mark_and_its_page_and_feed_all_of_it(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"long.md": post_text(
        "Long", "2015-06-02 09:00", "The start, noted.[^1]\n\n<!--more-->\n\nThe rest.\n\n[^1]: A note.",
        tags="[guides]")})
    assert run_cli(site, "build").code == 0
    for url in ("/", "/tag/guides/", "/2015/", "/2015/06/"):
        article = page(site / "build", url).select_one("article")
        assert "The start" in article.get_text() and "The rest" not in article.get_text()
        assert "A note" not in article.get_text() and not article.select(".footnote-ref")
        assert article.select_one(".read-more a")["href"] == "/2015/06/long/"
    post = page(site / "build", "/2015/06/long/").select_one("article").get_text()
    assert "The start" in post and "The rest" in post and "A note" in post
    feed = ET.parse(site / "build" / "feed.xml").getroot()
    assert "The rest" in feed.find("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded").text
    assert run_cli(site, "check", "--output", "build").code == 0


def test_a_post_s_old_addresses_send_readers_on_to_it_until_they_are_taken_out(tmp_path: Path) -> None:
    config = CONFIG.replace("url: https://example.org/", "url: https://example.org/notes/")
    site = make_site(tmp_path / "site", {"moved.md": post_text(
        "Moved", "2015-06-02 09:00", "Here now.", aliases="[/old-name/, /2015/06/02/moved.html]",
        redirect_from="/jekyll/moved")}, config=config)
    assert run_cli(site, "build").code == 0
    for old in ("old-name/index.html", "2015/06/02/moved.html", "jekyll/moved/index.html"):
        soup = BeautifulSoup((site / "build" / old).read_text("utf-8"), "html.parser")
        assert soup.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=/notes/2015/06/moved/"
        assert soup.find("link", rel="canonical")["href"] == "https://example.org/notes/2015/06/moved/"
        assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert "old-name" not in (site / "build" / "sitemap.xml").read_text("utf-8")
    check = run_cli(site, "check", "--output", "build")
    assert check.code == 0 and " 0 errors" in check.out + check.err
    post = site / "posts" / "moved.md"
    post.write_text(post.read_text("utf-8").replace("aliases: [/old-name/, /2015/06/02/moved.html]\n", ""), "utf-8")
    assert run_cli(site, "build").code == 0
    assert not (site / "build" / "old-name").exists() and not (site / "build" / "2015" / "06" / "02").exists()
    assert (site / "build" / "jekyll" / "moved" / "index.html").is_file()


def test_an_old_address_another_page_has_fails_the_build_and_leaves_the_output(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "a.md": post_text("A", "2015-06-02 09:00", "A.", tags="[x]"),
        "b.md": post_text("B", "2015-06-01 09:00", "B.")})
    assert run_cli(site, "build").code == 0
    before = tree_bytes(site / "build")
    (site / "posts" / "b.md").write_text(post_text("B", "2015-06-01 09:00", "B.", aliases="[/tag/x/]"), "utf-8")
    run = run_cli(site, "build")
    assert run.code == 1 and "posts/b.md" in run.err and "/tag/x/" in run.err and "Traceback" not in run.err
    assert tree_bytes(site / "build") == before

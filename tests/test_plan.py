"""plan: every SPEC URL, one group's pages on their own, collisions found before rendering."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import clean_build, make_site, post_text, tree_bytes
from lxml import etree
from test_index import a_post

from linkblog import plan
from linkblog.build import Builder, BuildOptions
from linkblog.config import Config
from linkblog.index import Selection, index_site
from linkblog.model import PageKind
from linkblog.plan import generated_urls, group_pages, pager, plan_pages, reserved, sitemap_entries, static_collisions
from linkblog.scan import Found
from linkblog.urls import Urls

CONFIG = Config(root=Path("/site"), url="https://example.org/", per_page=2)
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def site_of(*posts, config=CONFIG):
    return index_site(posts, config, Urls(config.url), NOW, Selection())


def test_pagers_link_neighbours():
    pagers = [pager("/tag/x/", n, 3) for n in (1, 2, 3)]
    assert [(p.url, p.prev_url, p.next_url) for p in pagers] == [
        ("/tag/x/", None, "/tag/x/page/2/"), ("/tag/x/page/2/", "/tag/x/", "/tag/x/page/3/"),
        ("/tag/x/page/3/", "/tag/x/page/2/", None)]


def test_every_spec_url_is_planned():
    site = site_of(*(a_post(f"p{i}", datetime(2015, 1 + i, 1, 12, tzinfo=UTC), ["support"], "Seth Godin")
                     for i in range(3)))
    pages, problems = plan_pages(site)
    urls = {p.url for p in pages}
    assert not problems
    assert {"/", "/page/2/", "/tag/support/", "/tag/support/page/2/", "/tag/support/feed.xml", "/2015/",
            "/2015/page/2/", "/2015/01/", "/source/seth-godin/", "/archive/", "/feed.xml", "/atom.xml",
            "/sitemap.xml", "/robots.txt", "/404.html", "/2015/03/p2/"} <= urls
    titles = {p.url: p.title for p in pages}
    assert titles["/tag/support/"] == "Tag: support" and titles["/2015/"] == "Year: 2015"
    assert titles["/source/seth-godin/"] == "Source: Seth Godin"
    assert urls == set(generated_urls(site)) | {"/2015/01/p0/", "/2015/02/p1/", "/2015/03/p2/"}


def test_one_page_of_a_group_is_planned_alone():
    site = site_of(*(a_post(f"p{i}", datetime(2015, 1 + i, 1, 12, tzinfo=UTC), ["t"]) for i in range(5)))
    [page] = group_pages(site, site.groups(PageKind.TAG)[0], [3])
    assert page.url == "/tag/t/page/3/" and [p.slug for p in page.posts] == ["p0"]
    assert (page.pager.number, page.pager.count, page.pager.next_url) == (3, 3, None)


def test_the_archive_spans_each_year_of_its_posts_newest_first():
    dates = [datetime(2013, 5, 1, 12, tzinfo=UTC), datetime(2015, 1, 1, 12, tzinfo=UTC),
             datetime(2015, 3, 1, 12, tzinfo=UTC), datetime(2016, 2, 1, 12, tzinfo=UTC)]
    site = site_of(*(a_post(f"p{i}", moment) for i, moment in enumerate(dates)))
    [archive] = [page for page in plan_pages(site)[0] if page.kind is PageKind.ARCHIVE]
    spans = archive.extra["year_spans"]
    assert [(year, path) for year, path, _, _ in spans] == [("2016", "/2016/"), ("2015", "/2015/"),
                                                             ("2013", "/2013/")]
    assert [[post.slug for post in archive.posts[start:end]] for _, _, start, end in spans] == [
        ["p3"], ["p2", "p1"], ["p0"]]


def test_two_posts_on_one_url_name_both_files():
    one = a_post("same", datetime(2015, 1, 1, 12, tzinfo=UTC))
    other = a_post("same", datetime(2015, 1, 2, 12, tzinfo=UTC))
    other = replace(other, path="posts/other.md")
    _, problems = plan_pages(site_of(one, other))
    assert [(p.path, p.message) for p in problems] == [
        ("posts/other.md", "writes the same URL /2015/01/same/ as posts/same.md")]


def test_two_names_that_print_alike_are_said_to_differ_in_unicode_form():
    one = replace(a_post("same", datetime(2015, 1, 1, 12, tzinfo=UTC)), path="posts/caf\u00e9.md")
    other = replace(a_post("same", datetime(2015, 1, 2, 12, tzinfo=UTC)), path="posts/cafe\u0301.md")
    _, problems = plan_pages(site_of(one, other))
    (problem,) = problems
    assert "Unicode" in problem.message and "rename one" in problem.message


def test_a_post_on_a_generated_page_url_is_a_collision():
    config = Config(root=Path("/site"), url="https://example.org/", permalink="/{slug}/")
    _, problems = plan_pages(site_of(a_post("archive", datetime(2015, 1, 1, 12, tzinfo=UTC)), config=config))
    assert [p.message for p in problems] == ["writes the same URL /archive/ as the archive page"]


def aliased(name: str, day: int, *aliases: str):
    return replace(a_post(name, datetime(2015, 1, day, 12, tzinfo=UTC), ["t"]), extra={"aliases": list(aliases)})


def test_each_old_address_of_a_post_is_a_redirect_page_the_sitemap_leaves_out():
    config = Config(root=Path("/site"), url="https://example.org/notes/", per_page=2)
    site = site_of(aliased("a", 1, "/old/", "/2014/12/01/a.html", "/caf%C3%A9"), a_post("b", datetime(2015, 2, 1)),
                   config=config)
    pages, problems = plan_pages(site)
    redirects = {p.url: p.extra for p in pages if p.kind is PageKind.REDIRECT}
    assert not problems and redirects == {
        url: {"target": "/notes/2015/01/a/", "permalink": "https://example.org/notes/2015/01/a/"}
        for url in ("/notes/old/", "/notes/2014/12/01/a.html", "/notes/caf%C3%A9/")}
    assert set(redirects) <= set(generated_urls(site))
    assert not {url for url, _ in sitemap_entries(site)} & {"https://example.org" + url for url in redirects}


def test_an_old_address_another_page_has_is_a_problem_naming_the_post():
    site = site_of(aliased("a", 1, "/2015/01/a/", "/2015/01/b/", "/tag/t/", "/same/"), aliased("b", 2, "/same/"))
    assert sorted((p.path, p.message) for p in plan_pages(site)[1]) == [
        ("posts/a.md", "old address /2015/01/a/ is this post's own address: only one page can be there"),
        ("posts/a.md", "old address /2015/01/b/ is the address of posts/b.md: only one page can be there"),
        ("posts/a.md", "old address /same/ is also an old address of posts/b.md: only one page can be there"),
        ("posts/a.md", "old address /tag/t/ is the address of the tag page: only one page can be there")]


def test_an_old_address_on_a_page_s_file_or_inside_a_file_is_a_problem():
    config = Config(root=Path("/site"), url="https://example.org/", search=True, cname="notes.example.org")
    site = site_of(aliased("a", 1, "/index.html", "/archive/index.html", "/feed.xml/", "/.nojekyll/", "/CNAME",
                           "/pagefind/old/", "/b.html", "/b.html/c/"), config=config)
    assert sorted(p.message.split(" is ")[1].split(":")[0] for p in plan_pages(site)[1]) == [
        "inside .nojekyll, a file the output holds", "inside CNAME, a file the output holds",
        "inside b.html, a file the output holds", "inside feed.xml, a file the output holds",
        "inside the search index's folder /pagefind/", "the address of the archive page",
        "the address of the home page"]


def test_the_search_index_folder_is_reserved_for_new_and_import():
    assert reserved("/pagefind/") and reserved("/pagefind/tips/") and reserved("/pagefind")
    assert not reserved("/pagefinder/") and not reserved("/notes/pagefind/")


def test_sitemap_lists_html_pages_with_post_dates():
    site = site_of(a_post("a", datetime(2015, 1, 5, tzinfo=UTC), ["t"]))
    entries = dict(sitemap_entries(site))
    assert entries["https://example.org/2015/01/a/"] == "2015-01-04"  # Chicago, the test sites' zone
    assert entries["https://example.org/tag/t/"] is None
    assert "https://example.org/404.html" not in entries and "https://example.org/feed.xml" not in entries


def test_a_static_file_may_not_replace_a_page_or_its_folder():
    site = site_of(a_post("a", datetime(2015, 1, 5, tzinfo=UTC), ["t"]))
    static = {rel: Found(rel, f"/site/static/{rel}", 0, 0)
              for rel in ("archive/index.html", "tag", "feed.xml", "2015/photo.jpg", "style.css")}
    problems = static_collisions(site, [*generated_urls(site), *site.by_url], static)
    assert sorted(p.path for p in problems) == ["static/archive/index.html", "static/feed.xml", "static/tag"]


def test_a_theme_file_a_post_takes_the_place_of_names_the_post_even_with_the_theme_inside_the_site():
    config = replace(CONFIG, permalink="/{slug}/")
    site = site_of(a_post("style.css", datetime(2015, 1, 5, tzinfo=UTC)), config=config)
    theme = "/site/.venv/lib/python3.11/site-packages/linkblog/theme/static/style.css"  # installed in the site
    problems = static_collisions(site, [*generated_urls(site), *site.by_url], {"style.css": Found("style.css", theme,
                                                                                                  0, 0)})
    assert [p.path for p in problems] == ["posts/style.css.md"]


def test_index_pages_feeds_and_relations_are_planned():
    posts = [a_post("a", datetime(2015, 1, 1, 12, tzinfo=UTC), ["t"], "Zed"),
             a_post("b", datetime(2015, 2, 1, 12, tzinfo=UTC), ["t", "u"], "Amy"),
             a_post("c", datetime(2015, 3, 1, 12, tzinfo=UTC), ["u"], "Zed")]
    site = site_of(*posts)
    pages, _ = plan_pages(site)
    by_url = {p.url: p for p in pages}
    assert {"/tag/", "/sources/", "/sources/by-name/", "/sources/recent/", "/via/", "/feed.json",
            "/source/zed/feed.xml", "/source/amy/feed.xml", "/tag/u/feed.xml"} <= set(by_url)
    assert set(by_url) == set(generated_urls(site)) | {"/2015/01/a/", "/2015/02/b/", "/2015/03/c/"}
    assert [r.name for r in by_url["/sources/"].extra["rows"]] == ["Zed", "Amy"]
    assert [r.name for r in by_url["/sources/by-name/"].extra["rows"]] == ["Amy", "Zed"]
    assert [(r.name, r.count) for r in by_url["/tag/"].extra["rows"]] == [("t", 2), ("u", 2)]
    zed = by_url["/source/zed/"].extra
    assert (zed["count"], zed["first"].month, zed["last"].month, zed["feed"]) == (2, 1, 3, "/source/zed/feed.xml")
    post = by_url["/2015/03/c/"]
    assert post.source_older.slug == "a" and post.source_newer is None
    assert [p.slug for p in post.related] == ["b", "a"]  # all three link https://example.com/


def test_a_site_over_the_sitemap_limit_plans_an_index_of_sitemap_files(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(plan, "SITEMAP_MAX_URLS", 5)
    site = site_of(*(a_post(f"p{i}", datetime(2015, 1 + i, 1, 12, tzinfo=UTC), ["t"]) for i in range(6)))
    pages, problems = plan_pages(site)
    assert not problems
    sitemaps = {page.url: page for page in pages if page.kind is PageKind.SITEMAP}
    index = sitemaps.pop("/sitemap.xml")
    assert len(sitemaps) > 1 and list(sitemaps) == [f"/sitemap-{n}.xml" for n in range(1, len(sitemaps) + 1)]
    assert index.extra["sitemaps"] == [f"https://example.org{url}" for url in sitemaps]
    assert all(0 < len(part.extra["entries"]) <= 5 for part in sitemaps.values())
    listed = [loc for part in sitemaps.values() for loc, _ in part.extra["entries"]]
    shown = [f"https://example.org{page.url}" for page in pages if page.url.endswith("/")]
    assert sorted(listed) == sorted(shown)
    assert {"/sitemap.xml", *sitemaps} <= set(generated_urls(site)) and reserved("/sitemap-2.xml/")


SITEMAPS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_locs(out: Path, limit: int) -> list[str]:
    """Every page URL the sitemap (an index of sitemap files, or one) lists, each file checked as sitemaps.org
    asks: a <urlset> of at most `limit` URLs, or a <sitemapindex> whose files are the site's."""
    root = etree.fromstring((out / "sitemap.xml").read_bytes())
    if root.tag == f"{SITEMAPS}urlset":
        return [loc.text for loc in root.iter(f"{SITEMAPS}loc")]
    assert root.tag == f"{SITEMAPS}sitemapindex"
    locs = []
    for loc in root.iter(f"{SITEMAPS}loc"):
        part = etree.fromstring((out / loc.text.removeprefix("https://example.org/")).read_bytes())
        assert part.tag == f"{SITEMAPS}urlset" and 0 < len(part) <= limit
        locs += [url.text for url in part.iter(f"{SITEMAPS}loc")]
    return locs


def html_pages(out: Path) -> list[str]:
    """The URL of each HTML page of a built site that has content of its own (not the 404 or search page)."""
    return sorted(f"https://example.org/{path.relative_to(out).as_posix().removesuffix('index.html')}"
                  for path in out.rglob("index.html") if path.parent.name != "search")


def test_sitemap_files_follow_the_site_in_incremental_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(plan, "SITEMAP_MAX_URLS", 15)
    posts = {f"2015-01-0{n}-p{n}.md": post_text(f"P{n}", f"2015-01-0{n} 12:00", tags=f"[t{n}]") for n in range(1, 6)}
    site = make_site(tmp_path / "site", dict(list(posts.items())[:1]))
    options = BuildOptions(jobs=1)
    assert Builder(site / "config.yaml", options=options).build().ok
    out = site / "build"
    # One post has 12 pages (one sitemap), four 21 (two files), five 26 (the second file changes), then back to one.
    for count, pages in ((4, 21), (5, 26), (1, 12)):
        for n, (name, text) in enumerate(posts.items()):
            path = site / "posts" / name
            path.write_text(text, encoding="utf-8") if n < count else path.unlink(missing_ok=True)
        assert Builder(site / "config.yaml", options=options).build().ok
        assert tree_bytes(out) == clean_build(site, tmp_path / "clean")
        assert len(html_pages(out)) == pages
        assert sorted(sitemap_locs(out, 15)) == html_pages(out)
        assert (out / "sitemap-2.xml").exists() is (pages > 15) and not (out / "sitemap-3.xml").exists()
        assert (out / "robots.txt").read_text().splitlines()[-1] == "Sitemap: https://example.org/sitemap.xml"

"""plan: every SPEC URL, one group's pages on their own, collisions found before rendering."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from test_index import a_post

from linkblog.config import Config
from linkblog.index import Selection, index_site
from linkblog.model import PageKind
from linkblog.plan import generated_urls, group_pages, pager, plan_pages, sitemap_entries, static_collisions
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


def test_a_post_on_a_generated_page_url_is_a_collision():
    config = Config(root=Path("/site"), url="https://example.org/", permalink="/{slug}/")
    _, problems = plan_pages(site_of(a_post("archive", datetime(2015, 1, 1, 12, tzinfo=UTC)), config=config))
    assert [p.message for p in problems] == ["writes the same URL /archive/ as the archive page"]


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

from datetime import UTC, datetime
from pathlib import Path

from test_index import a_post

from linkblog.config import Config
from linkblog.index import index_site
from linkblog.plan import page_inputs, paginate, plan_pages

CONFIG = Config(root=Path("/site"), url="https://example.org/", per_page=2)
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def test_paginate_links_neighbours():
    pages = paginate(list(range(5)), 2, "/tag/x/")
    assert [chunk for chunk, _ in pages] == [[0, 1], [2, 3], [4]]
    assert [(p.prev_url, p.next_url) for _, p in pages] == [
        (None, "/tag/x/page/2/"), ("/tag/x/", "/tag/x/page/3/"), ("/tag/x/page/2/", None)]


def test_every_spec_url_is_planned():
    posts = [a_post(f"p{i}", datetime(2015, 1 + i, 1, tzinfo=UTC), ["support"], "Seth Godin") for i in range(3)]
    site, _ = index_site(posts, CONFIG, NOW)
    pages, problems = plan_pages(site, CONFIG)
    urls = {p.url for p in pages}
    assert not problems
    assert {"/", "/page/2/", "/tag/support/", "/tag/support/page/2/", "/tag/support/feed.xml", "/2015/",
            "/2015/page/2/", "/2015/01/", "/source/seth-godin/", "/archive/", "/feed.xml", "/atom.xml",
            "/sitemap.xml", "/robots.txt", "/404.html", "/2015/03/p2/"} <= urls
    titles = {p.url: p.title for p in pages}
    assert titles["/tag/support/"] == "Tag: support" and titles["/2015/"] == "Year: 2015"
    assert titles["/source/seth-godin/"] == "Source: Seth Godin"


def test_two_posts_on_one_url_name_both_files():
    posts = [a_post("same", datetime(2015, 1, 1, tzinfo=UTC)), a_post("same", datetime(2015, 1, 2, tzinfo=UTC))]
    posts[1].path = "posts/other.md"
    site, _ = index_site(posts, CONFIG, NOW)
    _, problems = plan_pages(site, CONFIG)
    assert [(p.path, p.message) for p in problems] == [
        ("posts/other.md", "writes the same URL /2015/01/same/ as posts/same.md")]


def test_a_post_on_a_generated_page_url_is_a_collision():
    config = Config(root=Path("/site"), url="https://example.org/", permalink="/{slug}/")
    site, _ = index_site([a_post("archive", datetime(2015, 1, 1, tzinfo=UTC))], config, NOW)
    _, problems = plan_pages(site, config)
    assert [p.message for p in problems] == ["writes the same URL /archive/ as the archive page 'Archive'"]


def test_page_inputs_follow_the_posts_shown():
    posts = [a_post(f"p{i}", datetime(2015, 1 + i, 1, tzinfo=UTC)) for i in range(3)]
    site, _ = index_site(posts, CONFIG, NOW)
    before = {p.url: page_inputs(p) for p in plan_pages(site, CONFIG)[0]}
    posts[0].digest = "changed"
    site, _ = index_site(posts, CONFIG, NOW)
    after = {p.url: page_inputs(p) for p in plan_pages(site, CONFIG)[0]}
    changed = {url for url in before if before[url] != after[url]}
    assert "/2015/01/p0/" in changed and "/page/2/" in changed
    assert "/" not in changed and "/archive/" not in changed and "/2015/02/p1/" not in changed

from datetime import UTC, datetime
from pathlib import Path

from linkblog.config import Config
from linkblog.index import index_site
from linkblog.model import Post

CONFIG = Config(root=Path("/site"), url="https://example.org/notes/", timezone="America/Chicago")


def a_post(name: str, date: datetime, tags=(), source=None, draft=False) -> Post:
    return Post(path=f"posts/{name}.md", title=name.title(), date=date, slug=name, html="<p>x</p>",
                excerpt="x", digest=name, tags=tuple(tags), source=source,
                link="https://example.com/" if source else None, draft=draft)


def test_posts_are_newest_first_with_neighbours_and_groups():
    posts = [a_post("a", datetime(2015, 6, 1, 12, tzinfo=UTC), ["support"], "Seth Godin"),
             a_post("b", datetime(2016, 1, 2, 12, tzinfo=UTC), ["Support", "work"], "seth godin"),
             a_post("c", datetime(2016, 1, 3, 12, tzinfo=UTC), ["support"])]
    site, problems = index_site(posts, CONFIG, datetime(2030, 1, 1, tzinfo=UTC))
    assert [p.slug for p in site.posts] == ["c", "b", "a"]
    assert site.posts[0].url == "/notes/2016/01/c/"
    assert site.posts[0].permalink == "https://example.org/notes/2016/01/c/"
    assert site.older["/notes/2016/01/c/"].title == "B" and site.newer["/notes/2016/01/c/"] is None
    tags = {t.slug: t for t in site.tags}
    assert tags["support"].name == "support" and [p.slug for p in tags["support"].posts] == ["c", "b", "a"]
    assert [s.name for s in site.sources] == ["Seth Godin"]
    assert [y.name for y in site.years] == ["2015", "2016"]
    assert [m.url for m in site.months] == ["/notes/2015/06/", "/notes/2016/01/"]
    assert {p.path for p in problems} == {"posts/b.md"}
    assert all(p.warning for p in problems)


def test_dates_are_placed_in_the_site_timezone():
    post = a_post("late", datetime(2016, 1, 1, 3, tzinfo=UTC))  # still 2015 in Chicago
    site, _ = index_site([post], CONFIG, datetime(2030, 1, 1, tzinfo=UTC))
    assert site.posts[0].url == "/notes/2015/12/late/"
    assert [y.name for y in site.years] == ["2015"]


def test_drafts_and_future_posts_only_when_asked():
    now = datetime(2020, 1, 1, tzinfo=UTC)
    posts = [a_post("draft", datetime(2015, 1, 1, tzinfo=UTC), draft=True),
             a_post("later", datetime(2021, 1, 1, tzinfo=UTC)), a_post("now", datetime(2019, 1, 1, tzinfo=UTC))]
    assert [p.slug for p in index_site(posts, CONFIG, now)[0].posts] == ["now"]
    assert [p.slug for p in index_site(posts, CONFIG, now, drafts=True, future=True)[0].posts] == \
        ["later", "now", "draft"]


def test_fingerprints_change_with_what_pages_show():
    now = datetime(2030, 1, 1, tzinfo=UTC)
    one = index_site([a_post("a", datetime(2015, 6, 1, tzinfo=UTC), ["x"])], CONFIG, now)[0].posts[0]
    two = index_site([a_post("a", datetime(2015, 6, 1, tzinfo=UTC), ["y"])], CONFIG, now)[0].posts[0]
    assert one.fingerprint != two.fingerprint
    assert one.listing.fingerprint == two.listing.fingerprint  # lists of titles do not show tags

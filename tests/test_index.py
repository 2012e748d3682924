"""index: the Site places posts, groups them, and is patched one post at a time."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from linkblog.config import Config
from linkblog.index import HOME, Selection, index_site
from linkblog.model import PageKind, Parsed
from linkblog.urls import Urls

CONFIG = Config(root=Path("/site"), url="https://example.org/notes/", timezone="America/Chicago")
URLS = Urls(CONFIG.url)
LATER = datetime(2030, 1, 1, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


def a_post(name: str, date: datetime, tags=(), source=None, draft=False, title=None) -> Parsed:
    return Parsed(path=f"posts/{name}.md", title=title or name.title(), date=date.astimezone(CHICAGO), slug=name,
                  html="<p>x</p>", excerpt="x", digest=name, tags=tuple(tags), source=source,
                  link="https://example.com/" if source else None, draft=draft)


def site_of(*posts: Parsed, now: datetime = LATER, selection: Selection | None = None):
    return index_site(posts, CONFIG, URLS, now, selection or Selection())


def test_posts_are_newest_first_with_neighbours_and_groups():
    site = site_of(a_post("a", datetime(2015, 6, 1, 12, tzinfo=UTC), ["support"], "Seth Godin"),
                   a_post("b", datetime(2016, 1, 2, 12, tzinfo=UTC), ["Support", "work"], "seth godin"),
                   a_post("c", datetime(2016, 1, 3, 12, tzinfo=UTC), ["support"]))
    assert [p.slug for p in site.posts] == ["c", "b", "a"]
    newest = site.posts[0]
    assert newest.url == "/notes/2016/01/c/" and newest.permalink == "https://example.org/notes/2016/01/c/"
    assert site.neighbours("posts/c.md") == ("posts/b.md", None)
    tags = {t.slug: t for t in site.groups(PageKind.TAG)}
    assert tags["support"].name == "support" and [p.slug for p in tags["support"].posts] == ["c", "b", "a"]
    assert [s.name for s in site.groups(PageKind.SOURCE)] == ["Seth Godin"]
    assert [y.name for y in site.groups(PageKind.YEAR)] == ["2015", "2016"]
    assert [(m.name, m.url) for m in site.groups(PageKind.MONTH)] == [
        ("June 2015", "/notes/2015/06/"), ("January 2016", "/notes/2016/01/")]
    warned = site.warnings()
    assert {p.path for p in warned} == {"posts/b.md"} and all(p.warning for p in warned)


def test_dates_are_placed_in_the_site_timezone():
    site = site_of(a_post("late", datetime(2016, 1, 1, 3, tzinfo=UTC)))  # still 2015 in Chicago
    assert site.posts[0].url == "/notes/2015/12/late/"
    assert [y.name for y in site.groups(PageKind.YEAR)] == ["2015"]


def test_drafts_and_future_posts_only_when_asked():
    now = datetime(2020, 1, 1, tzinfo=UTC)
    posts = [a_post("draft", datetime(2015, 1, 1, tzinfo=UTC), draft=True),
             a_post("later", datetime(2021, 1, 1, tzinfo=UTC)), a_post("now", datetime(2019, 1, 1, tzinfo=UTC))]
    assert [p.slug for p in site_of(*posts, now=now).posts] == ["now"]
    everything = site_of(*posts, now=now, selection=Selection(drafts=True, future=True))
    assert [p.slug for p in everything.posts] == ["later", "now", "draft"]
    assert site_of(*posts, now=now).next_release() == datetime(2021, 1, 1, tzinfo=UTC)


def test_a_post_coming_due_is_found():
    site = site_of(a_post("later", datetime(2021, 1, 1, tzinfo=UTC)), now=datetime(2020, 1, 1, tzinfo=UTC))
    assert site.due(datetime(2020, 6, 1, tzinfo=UTC)) == []
    assert site.due(datetime(2021, 6, 1, tzinfo=UTC)) == ["posts/later.md"]


def test_put_and_drop_equal_a_site_built_at_once():
    a = a_post("a", datetime(2015, 6, 1, tzinfo=UTC), ["x", "y"], "S")
    b = a_post("b", datetime(2016, 6, 1, tzinfo=UTC), ["y"])
    c = a_post("c", datetime(2017, 6, 1, tzinfo=UTC), ["x"], "S")
    patched = site_of(a, b)
    patched.put(c)
    patched.put(a_post("b", datetime(2014, 1, 1, tzinfo=UTC), ["z"]))  # moved back and retagged
    patched.drop("posts/a.md")
    whole = site_of(c, a_post("b", datetime(2014, 1, 1, tzinfo=UTC), ["z"]))
    assert patched.lists == whole.lists
    assert [p.url for p in patched.posts] == [p.url for p in whole.posts]
    assert patched.by_url == whole.by_url


def test_a_change_of_most_used_spelling_renames_the_group():
    site = site_of(a_post("a", datetime(2015, 1, 1, tzinfo=UTC), ["Support"]))
    assert site.posts[0].tag_refs[0].name == "Support"
    renamed = site.put(a_post("b", datetime(2015, 2, 1, tzinfo=UTC), ["support"]))
    assert renamed == set()  # a tie keeps the first spelling in sort order
    renamed = site.put(a_post("c", datetime(2015, 3, 1, tzinfo=UTC), ["support"]))
    assert renamed == {(PageKind.TAG, "support")}
    assert {p.tag_refs[0].name for p in site.posts} == {"support"}


def test_positions_are_newest_first():
    site = site_of(*(a_post(f"p{i}", datetime(2015, 1 + i, 1, tzinfo=UTC), ["t"]) for i in range(3)))
    assert [site.position(f"posts/p{i}.md") for i in range(3)] == [2, 1, 0]
    assert site.position("posts/p0.md", (PageKind.TAG, "t")) == 2
    assert site.position("posts/nope.md", HOME) is None
    assert site.posts.paths(slice(0, 2)) == ["posts/p2.md", "posts/p1.md"]

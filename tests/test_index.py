"""index: the Site places posts, groups them, and is patched one post at a time."""

import unicodedata
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from linkblog.config import Config
from linkblog.index import HOME, Selection, Site, index_site
from linkblog.model import PageKind, Parsed, Via
from linkblog.sources import SourceEntry, Sources
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


def test_a_shown_future_post_is_scheduled_until_its_date_passes():
    later = a_post("later", datetime(2021, 1, 1, tzinfo=UTC))
    site = site_of(later, a_post("now", datetime(2019, 1, 1, tzinfo=UTC)), now=datetime(2020, 1, 1, tzinfo=UTC),
                   selection=Selection(future=True))
    assert [(p.slug, p.scheduled) for p in site.posts] == [("later", True), ("now", False)]
    assert site.next_release() == datetime(2021, 1, 1, tzinfo=UTC)  # when its marker goes
    assert site.due(datetime(2020, 6, 1, tzinfo=UTC)) == []
    assert site.due(datetime(2021, 6, 1, tzinfo=UTC)) == ["posts/later.md"]
    site.now = datetime(2021, 6, 1, tzinfo=UTC)
    site.put(later)  # as the engine patches a post that came due
    assert [(p.slug, p.scheduled) for p in site.posts] == [("later", False), ("now", False)]
    assert site.next_release() is None


def test_only_a_draft_build_shows_drafts_and_they_never_come_due():
    site = site_of(a_post("draft", datetime(2021, 1, 1, tzinfo=UTC), draft=True), now=datetime(2020, 1, 1, tzinfo=UTC),
                   selection=Selection(future=True))
    assert list(site.posts) == [] and site.due(datetime(2022, 1, 1, tzinfo=UTC)) == []
    assert site.next_release() is None
    drafts = site_of(a_post("draft", datetime(2015, 1, 1, tzinfo=UTC), draft=True), selection=Selection(drafts=True))
    assert [(p.draft, p.scheduled) for p in drafts.posts] == [(True, False)]


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


def linked(name: str, date: datetime, link: str, source: str | None = None, relinked: bool = False, via=None):
    return replace(a_post(name, date, source=source), link=link, via=via,
                   extra={"relinked": True} if relinked else {})


SOURCES = Sources((SourceEntry("Scott Berkun", "https://scottberkun.com/", ("Berkun, Scott", "scottberkun.com")),))


def test_sources_yaml_folds_spellings_into_one_named_source():
    posts = [linked(f"p{i}", datetime(2015, 1 + i, 1, 12, tzinfo=UTC), f"https://example.com/{i}", name)
             for i, name in enumerate(["Berkun, Scott", "scottberkun.com", "Scott Berkun", "berkun, scott"])]
    site = index_site(posts, CONFIG, URLS, LATER, Selection(), SOURCES)
    [source] = site.groups(PageKind.SOURCE)
    assert (source.name, source.slug, len(source.posts)) == ("Scott Berkun", "scott-berkun", 4)
    assert {p.source_ref.url for p in site.posts} == {"/notes/source/scott-berkun/"}
    assert site.warnings() == []  # aliases are spellings on purpose


def test_posts_linking_one_article_know_each_other_and_warn_once_per_pair():
    a = linked("a", datetime(2015, 1, 1, 12, tzinfo=UTC), "https://example.com/x/")
    b = linked("b", datetime(2015, 2, 1, 12, tzinfo=UTC), "http://www.example.com/x?utm_medium=rss")
    c = linked("c", datetime(2015, 3, 1, 12, tzinfo=UTC), "https://example.com/x", relinked=True)
    d = linked("d", datetime(2015, 4, 1, 12, tzinfo=UTC), "https://example.com/other")
    site = site_of(a, b, c, d)
    assert site.related("posts/a.md") == ["posts/c.md", "posts/b.md"]
    assert site.related("posts/d.md") == []
    assert [(p.path, p.message) for p in site.warnings()] == [
        ("posts/b.md", "links the same article as posts/a.md (2015-01-01)")]
    site.drop("posts/a.md")
    site.put(replace(c, extra={}))
    assert [p.message for p in site.warnings()] == ["links the same article as posts/b.md (2015-02-01)"]
    site.drop("posts/b.md")
    assert site.warnings() == [] and site.shared == set()


def test_previous_and_next_from_the_same_source():
    posts = [a_post(f"p{i}", datetime(2015, 1 + i, 1, 12, tzinfo=UTC), source="S" if i != 1 else None)
             for i in range(4)]
    site = site_of(*posts)
    assert site.source_neighbours("posts/p2.md") == ("posts/p0.md", "posts/p3.md")
    assert site.source_neighbours("posts/p1.md") == (None, None)


def test_people_who_sent_links_are_a_group_by_their_most_used_spelling():
    posts = [replace(a_post(f"p{i}", datetime(2015, 1 + i, 1, 12, tzinfo=UTC)), via=Via(name))
             for i, name in enumerate(["Sheri", "sheri", "Sheri"])]
    site = site_of(*posts)
    [person] = site.groups(PageKind.VIA)
    assert (person.name, person.url, len(person.posts)) == ("Sheri", "/notes/via/#sheri", 3)
    assert [p.path for p in site.warnings()] == ["posts/p1.md"]


def test_patched_relations_equal_a_site_built_at_once():
    a = linked("a", datetime(2015, 1, 1, 12, tzinfo=UTC), "https://example.com/x", "Berkun, Scott", via=Via("Ann"))
    b = linked("b", datetime(2015, 2, 1, 12, tzinfo=UTC), "https://example.com/x/", "Scott Berkun")
    patched = index_site([a], CONFIG, URLS, LATER, Selection(), SOURCES)
    patched.put(b)
    patched.put(replace(a, link="https://example.com/y"))
    whole = index_site([replace(a, link="https://example.com/y"), b], CONFIG, URLS, LATER, Selection(), SOURCES)
    assert (patched.lists, patched.links, patched.shared) == (whole.lists, whole.links, whole.shared)


@given(st.text(alphabet="ab .,!?()+-'\"ctmrCTMR\u00e9\u2019", max_size=16).filter(str.strip))
def test_a_title_keeps_every_character_typography_does_not_set(title: str) -> None:
    site = site_of(a_post("a", datetime(2015, 1, 1, 12, tzinfo=UTC), title=title))
    shown = site.posts[0].title
    assert [shown.count(char) for char in "ab!?,\u00e9 "] == [title.count(char) for char in "ab!?,\u00e9 "]


def test_a_title_is_set_with_quotes_dashes_an_ellipsis_and_symbols_only():
    title = "Wow!!!!! Why???? Hmm,, \"no\". Pages 1..2, 3.... (tm) +-5 Wait?... it's -- a --- b"
    site = site_of(a_post("a", datetime(2015, 1, 1, 12, tzinfo=UTC), title=title))
    assert site.posts[0].title == "Wow!!!!! Why???? Hmm,, “no”. Pages 1..2, 3.... ™ ±5 Wait?… it’s – a — b"


def test_titles_get_typographic_quotes_and_dashes():
    site = site_of(a_post("a", datetime(2015, 1, 1, 12, tzinfo=UTC), title="The Manager's \"Path\" -- 2nd ed..."))
    assert site.posts[0].title == "The Manager’s “Path” – 2nd ed…"
    assert site.records["posts/a.md"].title == "The Manager's \"Path\" -- 2nd ed..."  # as written, for its slug


def test_a_name_saved_decomposed_is_the_same_spelling_and_a_real_difference_still_warns():
    # NFD is how a file saved on a Mac often spells "é": it prints the same as NFC, so no warning and one count.
    def spelled(form: str, name: str) -> str:
        return unicodedata.normalize(form, name)

    posts = [replace(linked(f"p{i}", datetime(2015, 1 + i, 1, 12, tzinfo=UTC), f"https://example.com/{i}",
                            spelled(form, source)),
                     tags=(spelled(form, tag),), via=Via(spelled(form, "Zoë")))
             for i, (form, source, tag) in enumerate([("NFD", "Café Müller", "Señor"), ("NFD", "Café Müller", "Señor"),
                                                      ("NFC", "Café Müller", "Señor"),
                                                      ("NFC", "café müller", "señor")])]
    site = site_of(*posts)
    [source] = site.groups(PageKind.SOURCE)
    [tag] = site.groups(PageKind.TAG)
    assert (source.name, tag.name) == (spelled("NFD", "Café Müller"), spelled("NFD", "Señor"))  # as most write it
    assert sorted((p.path, p.message.split()[0]) for p in site.warnings()) == [
        ("posts/p3.md", "source"), ("posts/p3.md", "tag")]


def test_a_name_is_shown_as_a_post_writes_it_even_where_nfc_would_change_a_character():
    # U+F900 and U+212B (Angstrom sign) are other characters in NFC: a name is never shown in a spelling no post has.
    def site_spelling(*spellings: tuple[str, str]) -> Site:
        return site_of(*[replace(linked(f"p{i}", datetime(2015, 1 + i, 1, 12, tzinfo=UTC), f"https://example.com/{i}",
                                        source), tags=(tag,))
                         for i, (source, tag) in enumerate(spellings)])

    signs, letters = ("\u212b Press", "\uf900"), ("\u00c5 Press", "\u8c48")
    site = site_spelling(signs, signs, letters)
    assert (site.groups(PageKind.SOURCE)[0].name, site.groups(PageKind.TAG)[0].name) == signs  # as most write it
    assert site.warnings() == []
    site = site_spelling(letters, signs, letters)
    assert (site.groups(PageKind.SOURCE)[0].name, site.groups(PageKind.TAG)[0].name) == letters

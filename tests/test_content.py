"""content.parse_post: one file's bytes -> a Post, or every problem with it, with lines."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import make_site, post_text, run_cli, tree_bytes

from linkblog.cache import post_row, row_post
from linkblog.content import parse_post
from linkblog.model import Post, Via, alias_paths
from linkblog.problems import Problem, errors, sorted_problems
from linkblog.urls import MAX_SLUG_BYTES

UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")


def parse(front: str, body: str = "Body.\n", rel: str = "posts/x.md", tz: ZoneInfo = UTC) -> Post:
    """The Post a file with this front matter gives; it must have no problems."""
    post, problems = parse_post(rel, f"---\n{front}---\n{body}".encode(), tz)
    assert problems == [] and post is not None, problems
    return post


def problems_of(front: str, rel: str = "posts/x.md") -> list[str]:
    post, problems = parse_post(rel, f"---\n{front}---\nBody.\n".encode(), UTC)
    assert post is None
    return [str(p) for p in problems]


# --- dates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("2015-06-01 09:30+02:00", datetime(2015, 6, 1, 7, 30, tzinfo=UTC)),
    ("2015-06-01T09:30:00-05:00", datetime(2015, 6, 1, 14, 30, tzinfo=UTC)),
    ("2015-06-01 09:30:00 +02:00", datetime(2015, 6, 1, 7, 30, tzinfo=UTC)),
    ("2015-06-01T09:30Z", datetime(2015, 6, 1, 9, 30, tzinfo=UTC)),
    ("'2015-06-01 09:30 America/New_York'", datetime(2015, 6, 1, 13, 30, tzinfo=UTC)),
])
def test_date_with_an_offset_or_zone_keeps_its_instant(value: str, expected: datetime) -> None:
    post = parse(f"title: T\ndate: {value}\n", tz=BERLIN)
    assert post.date == expected
    assert post.date.utcoffset() is not None


@pytest.mark.parametrize("value", ["2015-06-01 09:30", "2015-06-01 09:30:00", "'2015-06-01T09:30'"])
def test_naive_date_is_in_the_site_timezone(value: str) -> None:
    post = parse(f"title: T\ndate: {value}\n", tz=BERLIN)
    assert post.date == datetime(2015, 6, 1, 9, 30, tzinfo=BERLIN)
    assert post.date.utcoffset() == timedelta(hours=2)


def test_date_only_is_midnight_in_the_site_timezone() -> None:
    post = parse("title: T\ndate: 2015-01-10\n", tz=BERLIN)
    assert post.date == datetime(2015, 1, 10, tzinfo=BERLIN)
    assert post.date.utcoffset() == timedelta(hours=1)


def test_jekyll_file_name_gives_date_and_slug() -> None:
    post = parse("title: Work vs. Progress, Revisited\n", rel="posts/2015/2015-06-01-work-vs-progress.md", tz=BERLIN)
    assert post.date == datetime(2015, 6, 1, tzinfo=BERLIN)
    assert post.slug == "work-vs-progress"


def test_front_matter_wins_over_the_jekyll_file_name() -> None:
    post = parse("title: T\ndate: 2016-02-03 10:00\nslug: own-slug\n", rel="posts/2015-06-01-from-name.md")
    assert post.date == datetime(2016, 2, 3, 10, 0, tzinfo=UTC)
    assert post.slug == "own-slug"


def test_jekyll_name_gives_the_slug_even_with_a_date_in_front_matter() -> None:
    assert parse("title: T\ndate: 2016-02-03\n", rel="posts/2015-06-01-from-name.md").slug == "from-name"


def test_slug_defaults_to_the_slugified_title() -> None:
    assert parse("title: Café Society's Notes!\ndate: 2015-06-01\n").slug == "cafe-societys-notes"


@pytest.mark.parametrize(("rel", "slug"), [
    ("posts/launch-notes.md", "launch-notes"),
    ("posts/launch/index.md", "launch"),  # a bundle: its folder's name
    ("posts/🎉.md", None),  # no words anywhere: a slug of the title's own characters
    ("posts/2015-06-01-🎉.md", None),
])
def test_a_title_without_words_takes_its_slug_from_the_file_name(rel: str, slug: str | None) -> None:
    got = parse('title: "🎉"\ndate: 2015-06-01\n', rel=rel).slug
    assert got == slug if slug else (got.startswith("x") and got != parse('title: "🚀"\ndate: 2015-06-01\n',
                                                                            rel=rel.replace("🎉", "🚀")).slug)


@pytest.mark.parametrize(("written", "tz", "shown"), [
    ("2021-03-28 02:30", "Europe/Berlin", "2021-03-28T03:30:00+02:00"),  # clocks went from 02:00 to 03:00
    ("2011-12-30", "Pacific/Apia", "2011-12-31T00:00:00+14:00"),  # the zone skipped the whole day
])
def test_a_time_the_zone_skips_is_the_instant_it_names_as_the_cache_reads_it_again(written: str, tz: str,
                                                                                   shown: str) -> None:
    post = parse(f"title: T\ndate: {written}\n", tz=ZoneInfo(tz))
    assert post.date.isoformat() == shown
    again = row_post(post.path, post_row(post), ZoneInfo(tz))
    assert again.date.isoformat() == shown


def test_empty_slug_means_the_default() -> None:
    assert parse("title: Some Title\ndate: 2015-06-01\nslug:\n").slug == "some-title"


def test_a_slug_typed_with_a_separate_accent_is_composed() -> None:
    assert parse("title: T\ndate: 2015-06-01\nslug: cafe\u0301\n").slug == "caf\u00e9"


def test_problems_in_dates() -> None:
    assert problems_of("title: T\ndate: 2015-02-30\n") == [
        "posts/x.md:3: 'date' is not a valid date: '2015-02-30' "
        "(use YYYY-MM-DD or YYYY-MM-DD HH:MM, optionally with an offset)"]
    assert problems_of("title: T\ndate: 2015-06-01 09:30 Nowhere/Land\n") == [
        "posts/x.md:3: unknown timezone 'Nowhere/Land' in 'date'"]
    assert problems_of("title: T\ndate: 9999-12-31 23:00 -05:00\n") == [
        "posts/x.md:3: 'date' is out of range: '9999-12-31 23:00 -05:00'"]
    assert problems_of("title: T\ndate: [2015]\n") == [
        "posts/x.md:3: 'date' must be a date such as 2015-06-01 09:30, not a list"]


@pytest.mark.parametrize(("written", "shown"), [
    # The night Berlin's clocks went back, 02:30 happened twice: the offset says which.
    ("2015-10-25 02:30:00+01:00 Europe/Berlin", "2015-10-25T02:30:00+01:00"),
    ("2015-10-25 02:30:00+02:00 Europe/Berlin", "2015-10-25T02:30:00+02:00"),
    ("2015-06-01 10:00 +02:00 Europe/Berlin", "2015-06-01T10:00:00+02:00"),
    ("2015-01-10T10:00Z Europe/London", "2015-01-10T11:00:00+01:00"),
])
def test_an_offset_written_with_a_zone_name_picks_the_instant_as_the_cache_reads_it_again(written: str,
                                                                                          shown: str) -> None:
    post = parse(f"title: T\ndate: {written}\n", tz=BERLIN)
    assert post.date.isoformat() == shown
    assert row_post(post.path, post_row(post), BERLIN).date.isoformat() == shown


@pytest.mark.parametrize(("written", "offset", "zone_has"), [
    ("2015-06-01 10:00 +05:00 Europe/Berlin", "+05:00", "+02:00"),
    ("2015-06-02T10:00Z Europe/Berlin", "Z", "+02:00"),  # summer: Berlin is never UTC's
    ("2015-10-25 02:30+0300 Europe/Berlin", "+0300", "+02:00 or +01:00"),
])
def test_an_offset_the_zone_does_not_have_then_is_refused_at_its_line(written: str, offset: str,
                                                                      zone_has: str) -> None:
    assert problems_of(f"title: T\ndate: {written}\n") == [
        f"posts/x.md:3: offset {offset} in 'date' is not Europe/Berlin's at that time (it is {zone_has})"]


@pytest.mark.parametrize(("value", "expected"), [
    ("2015-06-01", datetime(2015, 6, 1, tzinfo=BERLIN)),
    ("2015-06-01 09:30", datetime(2015, 6, 1, 9, 30, tzinfo=BERLIN)),
    ("'2015-06-01 09:30:15'", datetime(2015, 6, 1, 9, 30, 15, tzinfo=BERLIN)),
    ("'2015-06-01 09:30:15.25'", datetime(2015, 6, 1, 9, 30, 15, 250000, tzinfo=BERLIN)),
    ("'2015-06-01 09:30+0200'", datetime(2015, 6, 1, 7, 30, tzinfo=UTC)),
    ("'2015-06-01 09:30-00:00'", datetime(2015, 6, 1, 9, 30, tzinfo=UTC)),
    ("'2015-06-01T09:30'", datetime(2015, 6, 1, 9, 30, tzinfo=BERLIN)),
    ("'2015-06-01t09:30'", datetime(2015, 6, 1, 9, 30, tzinfo=BERLIN)),
    ("2015-06-01 09:30 Europe/Berlin", datetime(2015, 6, 1, 9, 30, tzinfo=BERLIN)),
    ("2015-06-01 Europe/London", datetime(2015, 6, 1, tzinfo=ZoneInfo("Europe/London"))),
    # Any run of spaces or tabs parts date, time, offset and zone, as in YAML's own timestamps.
    ("'2015-06-01  09:30'", datetime(2015, 6, 1, 9, 30, tzinfo=BERLIN)),
    ('"2015-06-01\\t09:30"', datetime(2015, 6, 1, 9, 30, tzinfo=BERLIN)),
    ("'2015-06-01 09:30  +02:00'", datetime(2015, 6, 1, 7, 30, tzinfo=UTC)),
    ("2015-06-01  09:30 \t America/New_York", datetime(2015, 6, 1, 13, 30, tzinfo=UTC)),
    # Z after a space is UTC, as `09:30 -05:00` is an offset and YAML reads `09:30:00 Z`.
    ("2015-06-01 10:00 Z", datetime(2015, 6, 1, 10, 0, tzinfo=UTC)),
    # ISO 8601's basic and week forms, which sites built before the date forms were checked may hold.
    ("'2015-06-01T0930'", datetime(2015, 6, 1, 9, 30, tzinfo=BERLIN)),
    ("'20150601T093000'", datetime(2015, 6, 1, 9, 30, tzinfo=BERLIN)),
    ("'2015-06-01T09'", datetime(2015, 6, 1, 9, tzinfo=BERLIN)),
    ("'20150601'", datetime(2015, 6, 1, tzinfo=BERLIN)),
    ("2015-W23-1", datetime(2015, 6, 1, tzinfo=BERLIN)),
    ("'2015-06-01 09:30+02:00:00'", datetime(2015, 6, 1, 7, 30, tzinfo=UTC)),
])
def test_every_written_date_form_is_read(value: str, expected: datetime) -> None:
    assert parse(f"title: T\ndate: {value}\n", tz=BERLIN).date == expected


@pytest.mark.parametrize(("value", "quoted"), [
    ("2015-06-01 10:15:30:45", "2015-06-01 10:15:30:45"),  # Python's fromisoformat read it as 10:15:30.450
    ("2015-06-01x09:30", "2015-06-01x09:30"),
    ("2015-06-01_09:30", "2015-06-01_09:30"),
    ("'2015-06-01+02:00'", "2015-06-01+02:00"),  # read as 02:00
    ("2015-6-1", "2015-6-1"),
    # The spacing as written, so a refused date never reads as a valid one.
    ("'2015-06-01  25:30'", "2015-06-01  25:30"),
    ('"2015-06-01\\u00a009:30"', "2015-06-01\\xa009:30"),
])
def test_a_date_in_no_written_form_is_not_a_valid_date(value: str, quoted: str) -> None:
    assert problems_of(f"title: T\ndate: {value}\n") == [
        f"posts/x.md:3: 'date' is not a valid date: '{quoted}' "
        "(use YYYY-MM-DD or YYYY-MM-DD HH:MM, optionally with an offset)"]


def test_the_build_refuses_a_date_with_a_zones_wrong_offset_or_a_lax_time_and_keeps_its_output(
        tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"good.md": post_text("Good", "2015-06-01 09:30")})
    assert run_cli(site, "build").code == 0
    before = tree_bytes(site / "build")
    (site / "posts" / "zone.md").write_text(post_text("Zone", "2015-06-01 10:00 +05:00 Europe/Berlin"), "utf-8")
    (site / "posts" / "lax.md").write_text(post_text("Lax", "2015-06-01 10:15:30:45"), "utf-8")
    run = run_cli(site, "build")
    assert run.code == 1 and "Traceback" not in run.err, run.err
    assert [line for line in run.err.splitlines() if not line.startswith("build failed:")] == [
        "posts/lax.md:3: 'date' is not a valid date: '2015-06-01 10:15:30:45' "
        "(use YYYY-MM-DD or YYYY-MM-DD HH:MM, optionally with an offset)",
        "posts/zone.md:3: offset +05:00 in 'date' is not Europe/Berlin's at that time (it is +02:00)"]
    assert tree_bytes(site / "build") == before


def test_the_build_dates_posts_by_an_offset_written_with_a_zone_a_spaced_time_and_a_spaced_z(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"back.md": post_text("Back", "2015-10-25 02:30:00+01:00 Europe/Berlin"),
                                         "spaced.md": post_text("Spaced", "2015-06-01  09:30"),
                                         "z.md": post_text("Z", "2015-06-01 10:00 Z")})
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    feed = json.loads((site / "build" / "feed.json").read_text("utf-8"))
    assert {item["title"]: item["date_published"] for item in feed["items"]} == {
        "Back": "2015-10-25T01:30:00+00:00", "Spaced": "2015-06-01T09:30:00+00:00", "Z": "2015-06-01T10:00:00+00:00"}

# --- tags, link, source, via -------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("[management, work]", ("management", "work")),
    ("management, work", ("management", "work")),
    ("' management ,work,, '", ("management", "work")),
    ("[a, a, ' a ', b, a]", ("a", "b")),
    ("[big   idea, 'big idea']", ("big idea",)),
    ("[yes, 007, 3.10, ~]", ("yes", "007", "3.10")),
    ("single", ("single",)),
    ("", ()),
    ("[]", ()),
])
def test_tags(value: str, expected: tuple[str, ...]) -> None:
    assert parse(f"title: T\ndate: 2015-06-01\ntags: {value}\n").tags == expected


def test_tags_keep_case_variants_for_the_index_to_merge() -> None:
    assert parse("title: T\ndate: 2015-06-01\ntags: [Support, support]\n").tags == ("Support", "support")


def test_a_lone_no_break_narrow_or_ideographic_space_is_kept_and_runs_of_space_are_one() -> None:
    # A French "Pourquoi ?" must not break before its "?"; a full-width space is part of Japanese typesetting.
    post = parse('title: " Pourquoi\\u00a0? 10\\u202fkm\\u3000全角 "\ndate: 2015-06-01\n'
                 'tags: ["a\\u00a0\\u00a0b", "c \\u00a0d"]\nsource: "Le\\u00a0Monde\\u00a0"\n')
    assert post.title == "Pourquoi\u00a0? 10\u202fkm\u3000全角"
    assert (post.tags, post.source) == (("a b", "c d"), "Le\u00a0Monde")


def test_link_post_fields() -> None:
    post = parse("title: T\ndate: 2015-06-01\nlink: ' https://example.com/a?b=1 '\nsource: '  Scott   Berkun '\n")
    assert (post.link, post.source, post.via) == ("https://example.com/a?b=1", "Scott Berkun", None)


def test_mailto_link_is_allowed() -> None:
    assert parse("title: T\ndate: 2015-06-01\nlink: mailto:me@example.com\n").link == "mailto:me@example.com"


def test_own_post_is_not_a_link_post() -> None:
    post = parse("title: T\ndate: 2015-06-01\n")
    assert (post.link, post.source, post.via) == (None, None, None)


@pytest.mark.parametrize(("value", "expected"), [
    ("Sheri", Via("Sheri")),
    ("{name: Sheri}", Via("Sheri")),
    ("{name: Sheri, url: 'https://sheri.example/'}", Via("Sheri", "https://sheri.example/")),
    ("{name: 007}", Via("007")),
    ("", None),
])
def test_via_as_text_or_mapping(value: str, expected: Via | None) -> None:
    assert parse(f"title: T\ndate: 2015-06-01\nvia: {value}\n").via == expected


@pytest.mark.parametrize("value", ["{url: 'https://x.org/'}", "{name: S, site: x}", "{name: ''}"])
def test_bad_via_mapping(value: str) -> None:
    assert problems_of(f"title: T\ndate: 2015-06-01\nvia: {value}\n") == [
        "posts/x.md:4: 'via' must be a name or {name: ..., url: ...}"]


@pytest.mark.parametrize("value", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "//evil.org/",
                                   "http://", "ftp://x.org/", "vbscript:x"])
def test_only_http_and_mailto_links(value: str) -> None:
    assert problems_of(f"title: T\ndate: 2015-06-01\nlink: '{value}'\n") == [
        f"posts/x.md:4: 'link' must be an http(s) or mailto URL, not '{value}'"]


@pytest.mark.parametrize("url", ["https://example.com:8O80/post", "https://example.com:99999/", "https://a.example:abc/",
                                 "http://[::1]:-1/"])
def test_a_link_or_via_url_with_a_port_no_server_can_have_is_refused_at_its_line(url: str) -> None:
    message = f"'{{}}' has a port that is not a number from 0 to 65535: '{url}'"
    assert problems_of(f"title: T\ndate: 2015-06-01\nlink: '{url}'\n") == ["posts/x.md:4: " + message.format("link")]
    assert problems_of(f"title: T\ndate: 2015-06-01\nvia: {{name: S, url: '{url}'}}\n") == [
        "posts/x.md:4: " + message.format("via.url")]


@pytest.mark.parametrize("url", ["https://example.com:8080/a", "https://example.com:0/", "https://example.com:/"])
def test_a_port_that_is_a_number_is_kept(url: str) -> None:
    assert parse(f"title: T\ndate: 2015-06-01\nlink: '{url}'\n").link == url


def test_tabs_and_line_breaks_in_a_link_are_dropped_as_browsers_drop_them() -> None:
    post = parse('title: T\ndate: 2015-06-01\nlink: "https://a.exa\\tmple/b\\r\\nc d\\n"\n'
                 "via: {name: S, url: \"https://s.example/\\np\"}\n")
    assert (post.link, post.via.url) == ("https://a.example/bc%20d", "https://s.example/p")


def test_link_must_be_text() -> None:
    assert problems_of("title: T\ndate: 2015-06-01\nlink: [a]\n") == ["posts/x.md:4: 'link' must be a URL, not '['a']'"]


def test_long_values_are_shortened_in_messages() -> None:
    (message,) = problems_of(f"title: T\ndate: 2015-06-01\nlink: {'x' * 500}\n")
    assert message == f"posts/x.md:4: 'link' must be an http(s) or mailto URL, not '{'x' * 59}…'"


# --- title, extra, drafts, summary ------------------------------------------------------------------

def test_title_is_trimmed_and_kept_as_written() -> None:
    assert parse("title: '  Work   vs.\n  Progress '\ndate: 2015-06-01\n").title == "Work vs. Progress"
    assert parse("title: No\ndate: 2015-06-01\n").title == "No"
    assert parse("title: 1.10\ndate: 2015-06-01\n").title == "1.10"
    assert parse("title: 2015-06-01\ndate: 2015-06-01\n").title == "2015-06-01"


def test_extra_keys_are_kept() -> None:
    post = parse("title: T\ndate: 2015-06-01\nimage: /img/x.png\nlayout: wide\nratings: {a: 1}\n")
    assert post.extra == {"image": "/img/x.png", "layout": "wide", "ratings": {"a": 1}}


def test_known_keys_are_not_extra() -> None:
    post = parse("title: T\ndate: 2015-06-01\ntags: [a]\nlink: https://x.org/\nsource: S\nvia: V\n"
                 "slug: s\ndraft: false\nsummary: Short.\n")
    assert post.extra == {}


def test_drafts() -> None:
    assert parse("title: T\ndate: 2015-06-01\ndraft: true\n").draft is True
    assert parse("title: T\ndate: 2015-06-01\ndraft: false\n").draft is False
    assert parse("title: T\ndate: 2015-06-01\n").draft is False
    assert problems_of("title: T\ndate: 2015-06-01\ndraft: 'true'\n") == [
        "posts/x.md:4: 'draft' must be true or false, not 'true'"]


def test_published_false_keeps_a_post_out_as_a_draft() -> None:  # Jekyll's way, which Hugo reads too
    assert parse("title: T\ndate: 2015-06-01\npublished: false\n").draft is True
    assert parse("title: T\ndate: 2015-06-01\npublished: true\n").draft is False
    assert problems_of("title: T\ndate: 2015-06-01\npublished: no way\n") == [
        "posts/x.md:4: 'published' must be true or false, not 'no way'"]


def test_old_addresses_are_kept_as_written_for_the_redirect_pages() -> None:
    post = parse("title: T\ndate: 2015-06-01\naliases: [/old/, /2015/06/01/t.html]\nredirect_from: /older\n")
    assert post.extra["aliases"] == ["/old/", "/2015/06/01/t.html"] and post.extra["redirect_from"] == "/older"


def test_old_addresses_name_folders_as_hugo_writes_them() -> None:
    post = parse("title: T\ndate: 2015-06-01\naliases: [/old/index.html, /python-3.8, /old.php, /x.html, /faq%3F/]\n")
    assert alias_paths(post.extra) == ("/old/", "/python-3.8/", "/old.php/", "/x.html", "/faq?/")


@pytest.mark.parametrize("value", ["old/", "https://example.org/old/", "/?p=12", "/a/#b", "/a/../b/", "/a//b/",
                                   "/a%2Fb/", "[/ok/, 5]", "{a: b}", "''"])
def test_an_old_address_that_is_no_page_on_the_site_is_an_error_at_its_line(value: str) -> None:
    for key in ("aliases", "redirect_from"):
        [problem] = problems_of(f"title: T\ndate: 2015-06-01\ndraft: false\n{key}: {value}\n")
        assert problem.startswith(f"posts/x.md:5: '{key}'")


def test_an_empty_field_is_named_empty() -> None:
    assert problems_of("title: T\ndate:\n") == ["posts/x.md:3: 'date' is empty: write a date such as 2015-06-01 09:30"]
    assert problems_of("title: T\ndate: 2015-06-01\ndraft:\n") == [
        "posts/x.md:4: 'draft' is empty: write true or false"]


def test_an_empty_date_of_a_jekyll_named_post_is_its_file_names() -> None:
    assert parse("title: T\ndate:\n", rel="posts/2015-06-01-named.md").date == datetime(2015, 6, 1, tzinfo=UTC)


def test_a_jekyll_name_without_words_leaves_the_slug_to_the_title() -> None:
    assert parse("title: Words here\n", rel="posts/2016-02-01-🎉.md").slug == "words-here"


def test_summary_overrides_the_excerpt() -> None:
    post = parse("title: T\ndate: 2015-06-01\nsummary: |\n  Short, and to the point.\n", "First paragraph.\n")
    assert (post.summary, post.excerpt, post.description) == (
        "Short, and to the point.", "First paragraph.", "Short, and to the point.")
    assert parse("title: T\ndate: 2015-06-01\n", "First paragraph.\n").description == "First paragraph."


# --- the file as a whole -------------------------------------------------------------------------------

def test_body_renders_and_the_post_knows_its_file() -> None:
    post = parse("title: T\ndate: 2015-06-01\n", "> Quoted.\n\nMine *too*.\n", rel="posts/sub/x.md")
    assert post.path == "posts/sub/x.md"
    assert "<blockquote>" in post.html and "<em>too</em>" in post.html
    assert post.excerpt == "Quoted."


def test_digest_follows_the_bytes() -> None:
    one = parse("title: T\ndate: 2015-06-01\n")
    assert one.digest == parse("title: T\ndate: 2015-06-01\n").digest
    assert one.digest != parse("title: T\ndate: 2015-06-02\n").digest


def test_bom_and_crlf_are_accepted() -> None:
    data = "\ufeff---\r\ntitle: T\r\ndate: 2015-06-01\r\n---\r\nLine *one*\r\nline two\r\n".encode()
    post, problems = parse_post("posts/x.md", data, UTC)
    assert problems == []
    assert post.html == "<p>Line <em>one</em>\nline two</p>\n"


def test_old_mac_line_endings_count_as_lines() -> None:
    post, problems = parse_post("posts/x.md", b"---\rtitle: T\rdate: nope\r---\rBody.\r", UTC)
    assert [p.line for p in problems] == [3]


def test_closing_fence_may_be_longer_dashes() -> None:
    for fence in ("-----", "---   "):
        post, problems = parse_post("posts/x.md", f"---\ntitle: T\ndate: 2015-06-01\n{fence}\nBody.\n".encode(), UTC)
        assert problems == [] and post.html == "<p>Body.</p>\n"


def test_horizontal_rule_in_the_body_is_not_a_fence() -> None:
    post = parse("title: T\ndate: 2015-06-01\n", "Above.\n\n---\n\nBelow.\n")
    assert post.html == "<p>Above.</p>\n<hr />\n<p>Below.</p>\n"


def test_front_matter_only() -> None:
    post, problems = parse_post("posts/x.md", b"---\ntitle: T\ndate: 2015-06-01\n---", UTC)
    assert problems == [] and post.html == "" and post.excerpt == ""


def test_empty_front_matter_reports_both_missing_fields() -> None:
    assert problems_of("") == [
        "posts/x.md:1: missing required field 'title'",
        "posts/x.md:1: missing required field 'date' (or name the file YYYY-MM-DD-slug.md)"]


def test_every_problem_in_a_file_is_reported_with_its_line() -> None:
    assert problems_of("title: [x]\ndate: 2015-06-01\ntags: 5\nlink: nope\nslug: a/b\n") == [
        "posts/x.md:2: 'title' must be text",
        "posts/x.md:4: 'tags' must be a list or a comma-separated string, not a number",
        "posts/x.md:5: 'link' must be an http(s) or mailto URL, not 'nope'",
        "posts/x.md:6: 'slug' must be one path segment of letters, digits, '-', '_' or '.', not 'a/b'",
    ]


def test_control_characters_are_refused_wherever_they_are() -> None:
    assert problems_of('title: "a\\u001bb"\ndate: 2015-06-01\n') == [
        "posts/x.md:2: 'title' contains control character U+001B"]
    assert problems_of('title: T\ndate: 2015-06-01\ntags: ["a\\x00"]\n') == [
        "posts/x.md:4: 'tags' contains control character U+0000"]
    assert problems_of('title: T\ndate: 2015-06-01\nlink: "https://x.org/\\x08"\n') == [
        "posts/x.md:4: 'link' must be an http(s) or mailto URL, not 'https://x.org/\\x08'"]


def test_footnote_ids_differ_between_files_that_share_a_slug() -> None:
    body = "Claim.[^1]\n\n[^1]: Source.\n"
    one = parse("title: Same\ndate: 2015-06-01\n", body, rel="posts/a.md")
    two = parse("title: Same\ndate: 2016-06-01\n", body, rel="posts/b.md")
    assert one.slug == two.slug
    ids = [set(re.findall(r'id="([^"]+)"', p.html)) for p in (one, two)]
    assert len(ids[0]) == 2 and not ids[0] & ids[1]


# --- problems -----------------------------------------------------------------------------------------

def test_problem_format() -> None:
    assert str(Problem("posts/x.md", "bad", 3)) == "posts/x.md:3: bad"
    assert str(Problem("config.yaml", "bad")) == "config.yaml: bad"
    assert str(Problem("posts/x.md", "odd", 2, warning=True)) == "posts/x.md:2: warning: odd"


def test_problem_is_always_one_line() -> None:
    assert str(Problem("posts/a\nb.md", "one\ntwo\r", 1)) == "posts/a\\x0ab.md:1: one\\x0atwo\\x0d"


def test_problems_sort_and_dedupe_and_warnings_do_not_fail() -> None:
    warning = Problem("b.md", "w", 1, warning=True)
    found = [Problem("b.md", "z", 2), Problem("a.md", "y", 9), warning, Problem("b.md", "z", 2)]
    assert sorted_problems(found) == [Problem("a.md", "y", 9), warning, Problem("b.md", "z", 2)]
    assert errors([warning]) == []


def test_long_default_slugs_fit_a_file_name_and_stay_apart() -> None:
    one = parse("title: " + "word " * 60 + "one\ndate: 2015-06-01\n").slug
    two = parse("title: " + "word " * 60 + "two\ndate: 2015-06-01\n").slug
    cjk = parse("title: " + "長" * 100 + "\ndate: 2015-06-01\n").slug
    assert one.startswith("word-word-") and cjk.startswith("長長長")
    assert one != two
    assert all(len(slug.encode("utf-8")) <= MAX_SLUG_BYTES for slug in (one, two, cjk))


def test_long_explicit_slug_is_refused() -> None:
    assert problems_of(f"title: T\ndate: 2015-06-01\nslug: {'x' * (MAX_SLUG_BYTES + 1)}\n") == [
        f"posts/x.md:4: 'slug' is longer than {MAX_SLUG_BYTES} bytes: '{'x' * 59}…'"]
    assert parse(f"title: T\ndate: 2015-06-01\nslug: {'x' * MAX_SLUG_BYTES}\n").slug == "x" * MAX_SLUG_BYTES


def test_a_key_that_looks_like_a_slip_of_a_known_one_is_kept_with_a_warning() -> None:
    text = "---\ntitle: T\ndate: 2015-06-01\ntag: support\nsorce: Someone\nimage: /a.png\n---\nBody.\n"
    parsed, problems = parse_post("posts/a.md", text.encode(), ZoneInfo("UTC"))
    assert parsed is not None and parsed.extra == {"tag": "support", "sorce": "Someone", "image": "/a.png"}
    assert [(p.line, p.warning, "'tags'" in p.message or "'source'" in p.message) for p in problems] == [
        (4, True, True), (5, True, True)]


@pytest.mark.parametrize("key", ["publishDate", "unpublished", "published_at", "expiryDate"])
def test_another_tools_key_is_kept_without_a_hint_that_would_break_the_post(key: str) -> None:
    # `published` for Hugo's publishDate would make the next build fail; for `unpublished`, mean the reverse.
    text = f"---\ntitle: T\ndate: 2015-06-01\n{key}: 2030-01-01\n---\nBody.\n"
    parsed, problems = parse_post("posts/a.md", text.encode(), ZoneInfo("UTC"))
    assert parsed is not None and key in parsed.extra
    assert problems == []


@pytest.mark.parametrize(("written", "problem"), [
    ("link: no", "'link' must be an http(s) or mailto URL, not 'no'"),
    ("draft: 1:30", "'draft' must be true or false, not a number"),
    ("draft: 2015-06-02", "'draft' must be true or false, not a date"),
    ("tags: true", "'tags' must be a list or a comma-separated string, not a true/false value"),
    ("tags: 2015-06-02", "'tags' must be a list or a comma-separated string, not a date"),
])
def test_a_value_of_the_wrong_kind_is_named_as_written_or_by_its_kind(written: str, problem: str) -> None:
    # Never as YAML 1.1 made it: `link: no` is not "False", `1:30` not "90".
    assert problems_of(f"title: T\ndate: 2015-06-01\n{written}\n") == [f"posts/x.md:4: {problem}"]


def test_a_date_of_the_wrong_kind_is_named_by_its_kind() -> None:
    assert problems_of("title: T\ndate: [1, 2015-01-01]\n") == [
        "posts/x.md:3: 'date' must be a date such as 2015-06-01 09:30, not a list"]

"""model: what a parsed post derives from its fields, and page kinds as templates compare them."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, astuple, fields, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from jinja2 import Environment

from linkblog.model import PageKind, Parsed, Post, assembled

QUOTE_FIRST = "<blockquote>\n<p>Busy is not progress.</p>\n</blockquote>\n<p>My note.</p>\n"


def parsed(**fields: Any) -> Parsed:
    """A parsed post with plain defaults for every field a test does not name."""
    defaults = {"path": "posts/a.md", "title": "A", "date": datetime(2015, 6, 1, 9, 30, tzinfo=UTC), "slug": "a",
                "html": "<p>Words.</p>\n", "excerpt": "Words.", "digest": "d"}
    return Parsed(**{**defaults, **fields})


@pytest.mark.parametrize(("link", "article"), [
    ("https://example.com/a", "example.com/a"),
    ("http://www.example.com/a/?utm_source=feed#top", "example.com/a"),
    ("https://example.com:443/a?id=3&utm_medium=rss&fbclid=x", "example.com/a?id=3"),
    ("https://example.com:8080/a", "example.com:8080/a"),
])
def test_article_is_the_link_as_readers_compare_it(link: str, article: str) -> None:
    assert parsed(link=link).article == article


def test_a_post_without_a_link_links_no_article() -> None:
    assert parsed().article is None


def test_replacing_the_link_replaces_the_article() -> None:
    post = parsed(link="https://www.example.com/a/")
    assert post.article == "example.com/a"  # worked out (and kept) before the replace
    assert replace(post, link="https://example.com/b?utm_campaign=x").article == "example.com/b"
    assert replace(post, link=None).article is None
    assert replace(post, title="Other").article == "example.com/a"


@pytest.mark.parametrize(("html", "split"), [
    (QUOTE_FIRST, ("<p>Busy is not progress.</p>", "<p>My note.</p>\n")),
    ("<blockquote>\n<p>Only a quote.</p>\n</blockquote>\n", ("<p>Only a quote.</p>", "")),
    # A quote within the opening quote does not end it.
    ("<blockquote>\n<blockquote>\n<p>Inner.</p>\n</blockquote>\n<p>Outer.</p>\n</blockquote>\n<p>Mine.</p>\n",
     ("<blockquote>\n<p>Inner.</p>\n</blockquote>\n<p>Outer.</p>", "<p>Mine.</p>\n")),
])
def test_a_body_opening_with_a_quote_splits_there(html: str, split: tuple[str, str]) -> None:
    assert parsed(html=html).opening_quote() == split


@pytest.mark.parametrize("html", [
    "<p>No quote here.</p>\n",
    "<p>First my words.</p>\n<blockquote>\n<p>Then a quote.</p>\n</blockquote>\n",
    "",
])
def test_a_body_opening_otherwise_has_no_opening_quote(html: str) -> None:
    assert parsed(html=html).opening_quote() is None


@pytest.mark.parametrize(("summary", "description"), [
    ("The author's own summary.", "The author's own summary."),
    (None, "Words."),
    ("", "Words."),
])
def test_the_description_is_the_summary_else_the_excerpt(summary: str | None, description: str) -> None:
    assert parsed(summary=summary).description == description


@pytest.mark.parametrize(("extra", "relinked"), [
    ({"relinked": True}, True),
    ({"relinked": False}, False),
    ({}, False),
    ({"relinked": "yes"}, False),  # not true or false: the post file is told of it, and it counts for nothing
])
def test_only_relinked_true_marks_a_deliberate_relink(extra: dict[str, Any], relinked: bool) -> None:
    assert parsed(extra=extra).relinked is relinked


@pytest.mark.parametrize(("kind", "value"), [
    (PageKind.HOME, "home"), (PageKind.POST, "post"), (PageKind.TAG, "tag"), (PageKind.YEAR, "year"),
    (PageKind.MONTH, "month"), (PageKind.SOURCE, "source"), (PageKind.NOT_FOUND, "404"),
])
def test_a_page_kind_is_the_string_templates_compare(kind: PageKind, value: str) -> None:
    assert isinstance(kind, str) and kind == value and f"{kind}" == value
    shown = Environment().from_string('{{ "yes" if page.kind == value else "no" }}')
    assert shown.render(page={"kind": kind}, value=value) == "yes"


def test_a_replaced_body_finds_its_own_opening_quote() -> None:
    """Where the quote ends is kept with the post (cached, sent to workers), never trusted for other HTML."""
    quoted = parsed(html="<blockquote>\n<p>Theirs.</p>\n</blockquote>\n<p>Mine.</p>\n")
    assert replace(quoted, html="<p>Only mine.</p>\n").opening_quote() is None
    longer = replace(quoted, html="<blockquote>\n<p>Theirs, at more length.</p>\n</blockquote>\n<p>Mine.</p>\n")
    assert longer.opening_quote() == ("<p>Theirs, at more length.</p>", "<p>Mine.</p>\n")


def test_an_assembled_record_is_the_record_its_fields_make() -> None:
    made = parsed(link="https://www.example.com/a/", html=QUOTE_FIRST, tags=("x",))
    values = [getattr(made, f.name) for f in fields(Parsed)]
    again = assembled(Parsed, *values)
    assert type(again) is Parsed and again == made and astuple(again) == astuple(made)
    assert again.article == "example.com/a" and again.opening_quote() == made.opening_quote()
    with pytest.raises(FrozenInstanceError):
        again.title = "B"  # type: ignore[misc]


def test_an_assembled_post_holds_the_fields_after_the_parsed_ones() -> None:
    values = [getattr(parsed(), f.name) for f in fields(Parsed)]
    post = assembled(Post, *values, "/2015/06/a/", "https://example.org/2015/06/a/", (), None, None, True)
    assert post == Post(**{f.name: getattr(parsed(), f.name) for f in fields(Parsed)}, url="/2015/06/a/",
                        permalink="https://example.org/2015/06/a/", scheduled=True)
    with pytest.raises(TypeError):  # every field, no more, no fewer
        assembled(Post, *values, "/2015/06/a/")

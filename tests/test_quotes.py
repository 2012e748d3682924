"""A link post's opening quote: found once when the post is made, split off wherever it is shown."""

from datetime import UTC

from linkblog.content import parse_post
from linkblog.quotes import quote_end, split_quote

NESTED = ("<blockquote>\n<p>One. <em>Two</em>.</p>\n<blockquote>\n<p>Inner.</p>\n</blockquote>\n</blockquote>\n"
          "<p>Mine.</p>\n")


def split(html: str) -> tuple[str, str] | None:
    return split_quote(html, quote_end(html))


def test_a_body_opening_with_a_quote_splits_after_the_matching_close() -> None:
    assert split(NESTED) == ("<p>One. <em>Two</em>.</p>\n<blockquote>\n<p>Inner.</p>\n</blockquote>",
                             "<p>Mine.</p>\n")


def test_a_close_in_a_comment_or_code_does_not_end_the_quote() -> None:
    html = ("<blockquote>\n<p>A</p>\n<!-- </blockquote> -->\n<pre><code>&lt;/blockquote&gt;</code></pre>\n"
            "</blockquote>\n<p>Mine.</p>\n")
    assert split(html) == ("<p>A</p>\n<!-- </blockquote> -->\n<pre><code>&lt;/blockquote&gt;</code></pre>",
                           "<p>Mine.</p>\n")


def test_a_body_opening_otherwise_or_never_closing_its_quote_has_none() -> None:
    assert split("<p>Mine.</p>\n<blockquote>\n<p>Later.</p>\n</blockquote>\n") is None
    assert split("<blockquote>\n<p>Never closed.</p>\n") is None


def test_a_parsed_link_post_knows_where_its_quote_ends() -> None:
    text = b"---\ntitle: T\ndate: 2015-06-01\nlink: https://elsewhere.example/a\n---\n> Their words.\n\nMine.\n"
    post, problems = parse_post("posts/t.md", text, UTC)
    assert post is not None and not problems
    quote, rest = post.opening_quote()
    assert "Their words." in quote and "Mine." not in quote
    assert "Mine." in rest and "Their words." not in rest

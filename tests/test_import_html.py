"""HTML -> Markdown for imports: clean Markdown where it can say it, raw HTML kept where it cannot (#16)."""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import run_cli
from markupsafe import escape
from test_import_helpers import assert_builds, fresh_site
from test_import_wordpress import minimal_export

from linkblog import markdown
from linkblog.importers import skipped_text
from linkblog.importers.html import body_markdown, plain_text, title_text
from linkblog.importers.wordpress import convert_content


def to_markdown(html: str, line_breaks: bool = False) -> str:
    """The Markdown the importers write for a body of HTML."""
    return body_markdown(html, "test", line_breaks)[0]


def rendered(md: str) -> BeautifulSoup:
    """The Markdown as linkblog renders it, parsed."""
    html = markdown.render(md, "t").html
    return BeautifulSoup(html, "html.parser")


@pytest.mark.parametrize("html, expected", [
    ("<p>A <em>b</em> <strong>c</strong> <a href='https://x.example/'>d</a></p>",
     "A *b* **c** [d](https://x.example/)\n"),
    ("<h2>Title</h2><h3>Sub</h3>", "## Title\n\n### Sub\n"),
    ("<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", "- a\n  - b\n- c\n"),
    ("<ol><li>a<ol><li>b</li></ol></li></ol>", "1. a\n   1. b\n"),
    ("<p><img src='https://x.example/i.png' alt='An image'></p>", "![An image](https://x.example/i.png)\n"),
    ("<pre class='lang:ruby'>puts 1</pre>", "```ruby\nputs 1\n```\n"),
    ("<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>",
     "| A | B |\n| --- | --- |\n| 1 | 2 |\n"),
    ("<blockquote><p>Quoted.</p><cite>Ann</cite></blockquote>", "> Quoted.\n>\n> — Ann\n"),
    ("<figure><img src='a.png' alt='A'><figcaption>Said</figcaption></figure>", "![A](a.png)\n\n*Said*\n"),
])
def test_markdown_for_what_markdown_can_say(html: str, expected: str) -> None:
    assert to_markdown(html) == expected


@pytest.mark.parametrize("html", [
    '<iframe src="https://www.youtube.com/embed/x" width="560"></iframe>',
    '<table class="wide"><tr><td colspan="2">a</td></tr></table>',
    '<video controls src="https://x.example/v.mp4"></video>',
    "<dl><dt>Term</dt><dd>Meaning</dd></dl>",
    '<table class="wide"><tr><td><img alt="[a] ~~b~~" src="a b.png"/></td></tr></table>',
])
def test_html_markdown_cannot_say_is_kept_whole(html: str) -> None:
    md = to_markdown(html)
    assert md.strip() == str(BeautifulSoup(html, "html.parser"))
    assert rendered(md).find(BeautifulSoup(html, "html.parser").find(True).name) is not None


def test_raw_html_with_blank_lines_stays_one_html_block() -> None:
    md = to_markdown("<table border='1'><tr><td rowspan='2'>a</td></tr>\n\n<tr><td>b</td></tr></table>")
    cells = [td.get_text() for td in rendered(md).find_all("td")]
    assert cells == ["a", "b"]


def test_inline_html_kept_in_its_sentence() -> None:
    assert to_markdown("<p>E = mc<sup>2</sup></p>") == "E = mc<sup>2</sup>\n"


@pytest.mark.parametrize("text", ["<div> is a tag", "# not a heading", "1. not a list", "- not a list",
                                  "> not a quote", "&amp; is spelled &amp;amp;", "a `tick`", "*stars* and _under_"])
def test_text_stays_text(text: str) -> None:
    html = "<p>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</p>"
    soup = rendered(to_markdown(html))
    assert [p.get_text() for p in soup.find_all("p")] == [text]
    assert soup.find(["h1", "ul", "ol", "blockquote", "div", "code", "em"]) is None


def test_wordpress_line_breaks() -> None:
    html = "First line\nsecond line.\n\nNew paragraph.\n<pre>keep\n\n  this</pre>\nAfter."
    md = to_markdown(html, line_breaks=True)
    assert md == "First line\\\nsecond line.\n\nNew paragraph.\n\n```\nkeep\n\n  this\n```\n\nAfter.\n"
    soup = rendered(md)
    assert [p.get_text() for p in soup.find_all("p")] == ["First line\nsecond line.", "New paragraph.", "After."]
    assert soup.find("pre").get_text() == "keep\n\n  this\n"



@pytest.mark.parametrize("html, lines", [
    ("Our list:\n- milk\n- eggs", ["Our list:", "- milk", "- eggs"]),
    ("Me:\n> not a quote", ["Me:", "> not a quote"]),
    ("See <b>this</b>\n# not a heading", ["See this", "# not a heading"]),
    ("Line one<br>1. not a list<br>* nor this", ["Line one", "1. not a list", "* nor this"]),
], ids=["dashes", "quote", "hash", "br"])
def test_a_line_after_a_line_break_shows_as_written(html: str, lines: list[str]) -> None:
    soup = rendered(to_markdown(html, line_breaks=True))
    (paragraph,) = soup.find_all("p")
    assert paragraph.get_text().split("\n") == lines
    assert soup.find(["h1", "ul", "ol", "blockquote"]) is None and "\\" not in paragraph.get_text()


def test_a_table_with_a_pipe_in_a_cell_is_kept_as_html() -> None:
    html = ("<table><thead><tr><th>A</th><th>B|C</th></tr></thead>"
            "<tbody><tr><td>1</td><td>x | y</td></tr></tbody></table>")
    cells = [cell.get_text() for cell in rendered(to_markdown(html)).find_all(["th", "td"])]
    assert cells == ["A", "B|C", "1", "x | y"]


@pytest.mark.parametrize("href, shown", [
    ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
    ("https://e.com/a)b", "https://e.com/a%29b"),
    ("https://ex.com/?q=a b", "https://ex.com/?q=a%20b"),
])
def test_a_link_whose_url_markdown_would_cut_short_stays_one_link(href: str, shown: str) -> None:
    soup = rendered(to_markdown(f'<p>See <a href="{href}">this</a> and <img src="{href}" alt="it">.</p>'))
    assert [a["href"] for a in soup.find_all("a")] == [shown] and soup.find("img")["src"] == shown
    assert soup.find("p").get_text() == "See this and ."

def test_line_breaks_inside_quotes() -> None:
    md = to_markdown("<blockquote>One.\n\nTwo.</blockquote>", line_breaks=True)
    assert [p.get_text() for p in rendered(md).find("blockquote").find_all("p")] == ["One.", "Two."]


def test_comments_are_dropped_without_leaving_gaps() -> None:
    html = "<!-- wp:paragraph -->\n<p>One.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>Two.</p>"
    assert to_markdown(html, line_breaks=True) == "One.\n\nTwo.\n"


def test_plain_text() -> None:
    assert plain_text("<p>Tom &amp; <em>Jerry</em></p>\n<p>again</p>") == "Tom & Jerry again"


def test_line_breaks_in_code_are_newlines() -> None:
    # Pygments with line anchors (Pelican's feeds) ends each line of a <pre> with <br />.
    html = '<div class="highlight"><pre><span>def run(self):</span><br /><span>    return 1</span><br /></pre></div>'
    md = to_markdown(html)
    assert md == "```\ndef run(self):\n    return 1\n```\n"
    assert rendered(md).find("pre").get_text() == "def run(self):\n    return 1\n"


@pytest.mark.parametrize("title, expected", [
    ("A <html> tag, and 5 < 6 && 7 > 3", "A <html> tag, and 5 < 6 && 7 > 3"),  # text: every character kept
    ("Busy is <em>not</em> progress", "Busy is not progress"),  # HTML: its tags go
    ("Teams &amp; People &#8211; again", "Teams & People – again"),
    ("  Two\n lines ", "Two lines"),
])
def test_title_text(title: str, expected: str) -> None:
    assert title_text(title) == expected


def test_title_text_as_told() -> None:
    assert title_text("A <b> c", is_html=False) == "A <b> c"
    assert title_text("A <b>c</b>", is_html=True) == "A c"


def test_caption_whose_link_is_never_closed_links_only_the_image() -> None:
    body, _, _ = convert_content('[caption id="44" width="300"]<a href="https://getpelican.com/">'
                                 '<img src="/p.png" alt=""/> Yet another pelican[/caption]\n\nAfter.', "x.xml")
    assert body == "[![](/p.png)](https://getpelican.com/)\n\n*Yet another pelican*\n\nAfter.\n"
    page = rendered(body)
    assert page.find("a", href="https://getpelican.com/").find("img") is not None
    assert "[" not in page.get_text() and "](" not in page.get_text()


@pytest.mark.parametrize(("html", "text"), [
    ("Old <em>times</em>, new", "Old times, new"),
    ("<p>One.</p><p>Two <b>bold</b>!</p>", "One. Two bold!"),
    ("<ul><li>a</li><li>b</li></ul>line<br>next", "a b line next"),
    ("a_b*<code>c</code>.", "a_b*c."),
])
def test_plain_text_keeps_inline_text_joined_and_blocks_apart(html: str, text: str) -> None:
    assert plain_text(html) == text


@pytest.mark.parametrize("body", ["https://example.com/an-article", "notes feed.xml"])
def test_a_body_that_looks_like_a_url_or_file_name_is_converted_without_a_warning(body: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert to_markdown(body) == body + "\n"
        assert plain_text(body) == body


def test_reasons_skipped_none_times_are_not_named() -> None:
    assert skipped_text(Counter({"comment": 0, "no date": 10})) == "no date ×10"


def test_code_holding_a_fence_keeps_every_block_whole() -> None:
    code = "```python\nprint(1)\n```"
    html = f"<p>How:</p><pre><code>{code}</code></pre><p>Spaces:</p><pre>line one  \nline two</pre><p>End.</p>"
    page = BeautifulSoup(markdown.render(to_markdown(html), "t")[0], "html.parser")
    assert [pre.get_text() for pre in page.find_all("pre")] == [code + "\n", "line one  \nline two\n"]
    assert [p.get_text() for p in page.find_all("p")] == ["How:", "Spaces:", "End."]


def test_a_link_that_runs_a_script_keeps_only_its_text() -> None:
    md = to_markdown('<p><a href="javascript:alert(1)">Menu</a> and <a href="https://x.example/">a page</a></p>')
    page = rendered(md)
    assert page.get_text().strip() == "Menu and a page"
    assert [a["href"] for a in page.find_all("a")] == ["https://x.example/"]


def test_a_link_written_in_angle_brackets_stays_a_link() -> None:
    page = rendered(to_markdown("<p>See <https://x.example/a?b=1> now.</p>"))
    assert [a["href"] for a in page.find_all("a")] == ["https://x.example/a?b=1"]
    assert page.get_text().strip() == "See https://x.example/a?b=1 now."


def test_a_wordpress_body_that_reads_as_markdown_shows_as_written(tmp_path: Path) -> None:
    body = ('My editor is Vim[1]; I wrote ~~nothing~~ more. Yahoo!<a href="https://yahoo.example/">homepage</a>\n'
            "Share: \\\\fileserver\\docs\n\n[1]: https://www.vim.org/")
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2", content=body), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "wordpress", str(export)).code == 0
    assert_builds(site)
    page = BeautifulSoup((site / "build/2010/05/old-times/index.html").read_text(encoding="utf-8"), "html.parser")
    content = page.select_one(".e-content")
    assert [p.get_text() for p in content.find_all("p")] == [
        "My editor is Vim[1]; I wrote ~~nothing~~ more. Yahoo!homepage\nShare: \\\\fileserver\\docs",
        "[1]: https://www.vim.org/"]
    assert [a["href"] for a in content.find_all("a")] == ["https://yahoo.example/"]
    assert content.find(["img", "s", "del", "sup"]) is None


# Text whose every character must show as written (none that typography changes: quotes, "--", "...").
TRICKY = ["Vim[1]; I wrote ~~nothing~~ more.", "[1]: https://www.vim.org/", "[^1]: note", "Use ![alt](x.png) syntax",
          "[not a link](http://x)", "a ] b", "link](evil)", "Share: \\\\fileserver\\docs", "C:\\ \\* \\_ \\[ \\`",
          "ends in a backslash\\", "x^[not a note]", "![", "[gallery ids=1](x)", "^[gallery]", "[x]: y", "~a~ ~~"]


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("form", ["<p>{t}</p>", "<p>{t}<a href='https://x.example/'>{t}</a>{t}</p>",
                                  "<p>{t}<span>{t}<a href='https://x.example/'>l</a></span>{t}<br>{t}</p>"])
def test_text_shows_exactly_as_written(text: str, form: str) -> None:
    html = form.format(t=escape(text))
    page = rendered(to_markdown(html))
    original = BeautifulSoup(html.replace("<br>", "\n"), "html.parser")
    assert page.get_text().strip() == original.get_text()
    assert [a["href"] for a in page.find_all("a")] == [a["href"] for a in original.find_all("a")]
    assert page.find(["img", "s", "sup", "section"]) is None


@pytest.mark.parametrize("alt", TRICKY)
def test_an_image_text_shows_exactly_as_written(alt: str) -> None:
    page = rendered(to_markdown(f'<p>See <img src="i.png" alt="{escape(alt)}">.</p>'))
    assert [img["alt"] for img in page.find_all("img")] == [alt]
    assert page.get_text().strip() == "See ."


@pytest.mark.parametrize("text, before, after", [
    ("Yahoo!", "", "<a href='https://x.example/'>home</a>"),
    ("x^", "", "<a href='https://x.example/'>note</a>"),
    ("a~", "", "<span>~b~</span>~"),
    ("Wow!", "<span>", "</span><a href='https://x.example/'>home</a>"),
])
def test_text_before_a_link_or_more_text_is_not_joined_into_markup(text: str, before: str, after: str) -> None:
    html = f"<p>{before}{text}{after}</p>"
    page = rendered(to_markdown(html))
    assert page.get_text().strip() == BeautifulSoup(html, "html.parser").get_text()
    assert page.find(["img", "s", "sup"]) is None


def test_what_cannot_read_as_markdown_is_not_escaped() -> None:
    # A writer edits these files: a shortcode stays as written, and a lone '!', '^' or '~' needs no backslash.
    html = '<p>Wow! 2^10 is ~1000 [sic]. [gallery ids="11,13"]</p>'
    assert to_markdown(html, line_breaks=True) == 'Wow! 2^10 is ~1000 [sic]. [gallery ids="11,13"]\n'


@pytest.mark.parametrize("html", [
    "<blockquote>Most teams are busy, not productive.\n<cite>Jane Doe</cite></blockquote>\nI agree.",
    "<blockquote>Most teams are busy, not productive.<br />\n&mdash; <cite>Jane Doe</cite></blockquote>I agree.",
    "<blockquote>Most teams are busy, not productive.\n– <cite>Jane Doe</cite></blockquote>I agree.",
    "<blockquote><p>Most teams are busy, not productive.<br>- <cite>Jane Doe</cite></p></blockquote><p>I agree.</p>",
])
@pytest.mark.parametrize("line_breaks", [True, False])
def test_a_quote_with_its_cite_on_a_line_of_its_own_ends_in_one_name_line(html: str, line_breaks: bool) -> None:
    md = to_markdown(html, line_breaks)
    assert "> Most teams are busy, not productive.\n>\n> — Jane Doe\n" in md
    page = rendered(md)
    assert [p.get_text() for p in page.find("blockquote").find_all("p")] == [
        "Most teams are busy, not productive.", "— Jane Doe"]
    assert page.find_all("p")[-1].get_text() == "I agree."


@pytest.mark.parametrize("html", ["<p>Last line.<br></p>", "<p>Last line.<br />\n</p>", "Last line.<br />\n\nNext.",
                                  "<p><em>Last line.<br></em></p>"])
def test_a_line_break_ending_a_paragraph_leaves_no_backslash(html: str) -> None:
    page = rendered(to_markdown(html, line_breaks=True))
    assert page.find("p").get_text() == "Last line." and "\\" not in page.get_text()


@pytest.mark.parametrize("html, lines", [
    ("<p>Line one\nLine two</p>", ["Line one", "Line two"]),
    ("<p>\nLine one\n<em>Line two</em>\n</p>", ["Line one", "Line two"]),
    ("<ul>\n<li>Line one\nLine two</li>\n</ul>", ["Line one", "Line two"]),
    ("<blockquote><p>Line one\nLine two</p></blockquote>", ["Line one", "Line two"]),
    ("Line one<br />\nLine two", ["Line one", "Line two"]),
    ("<p>Line one<br />\nLine two</p>", ["Line one", "Line two"]),
])
def test_a_single_newline_in_a_wordpress_paragraph_breaks_its_line(html: str, lines: list[str]) -> None:
    page = rendered(to_markdown(html, line_breaks=True))
    (block,) = page.find_all(["p", "li"])
    assert [line for line in block.get_text().split("\n")] == lines
    assert len(block.find_all("br")) == len(lines) - 1


def test_newlines_in_code_and_between_blocks_stay_newlines() -> None:
    html = "<ul>\n<li>One</li>\n<li>Two</li>\n</ul>\n<pre>keep\nthis</pre>\n<p>Code: <code>a\nb</code></p>"
    page = rendered(to_markdown(html, line_breaks=True))
    assert [li.get_text() for li in page.find_all("li")] == ["One", "Two"]
    assert page.find("pre").get_text() == "keep\nthis\n" and page.find("p").find("code").get_text() == "a b"
    assert page.find("br") is None


def test_a_line_in_a_feed_body_that_starts_in_a_span_shows_as_written() -> None:
    page = rendered(to_markdown("<p>Intro\n<span># not a heading</span>\n<span><span>- nor a list</span></span></p>"))
    assert page.find("p").get_text().split("\n") == ["Intro", "# not a heading", "- nor a list"]
    assert page.find(["h1", "ul"]) is None


def test_a_blank_line_in_a_wordpress_paragraph_parts_it_as_wordpress_showed_it(tmp_path: Path) -> None:
    # wpautop makes two paragraphs of <p>one\n\ntwo</p> in a post; a browser shows a feed's as one, the blank
    # line a space.
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2", content="<p>First part.\n\nSecond <em>part</em>.</p>"), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "wordpress", str(export)).code == 0
    assert_builds(site)
    page = BeautifulSoup((site / "build/2010/05/old-times/index.html").read_text(encoding="utf-8"), "html.parser")
    content = page.select_one(".e-content")
    assert [p.get_text() for p in content.find_all("p")] == ["First part.", "Second part."]
    assert content.find("br") is None
    (feed_paragraph,) = rendered(to_markdown("<p>First part.\n\nSecond part.</p>")).find_all("p")
    assert " ".join(feed_paragraph.get_text().split()) == "First part. Second part."


@pytest.mark.parametrize("html", ["<p>Last line.<br><span></span></p>", "Last line.<br><em></em>",
                                  "<p>Last line.<br><br></p>", "<p>Last line.<br><a name='end'></a>\n</p>",
                                  "<p>Last line.<br><iframe src='https://x.example/v'></iframe></p>",
                                  "<div>Last line.<br><ul><li>Item</li></ul></div>"])
@pytest.mark.parametrize("line_breaks", [True, False])
def test_a_line_break_followed_by_nothing_to_see_leaves_no_backslash(html: str, line_breaks: bool) -> None:
    page = rendered(to_markdown(html, line_breaks))
    assert page.find("p").get_text() == "Last line." and "\\" not in page.get_text()


def test_a_line_break_before_an_image_still_breaks_the_line() -> None:
    page = rendered(to_markdown("<p>Line.<br><img src='i.png' alt='Pic'></p>"))
    assert page.find("p").find("br") is not None and page.find("img")["alt"] == "Pic"


@pytest.mark.parametrize("first, second", [("a |", "|-"), ("| a", "|-"), ("a | b", "-|-"), ("a |", ":-"),
                                           ("x|y", "  --|:-:")])
@pytest.mark.parametrize("form", ["<p>{0}<br>{1}</p>", "<p>{0}\n{1}</p>", "<p>Intro<br>{0}<br><span>{1}</span></p>"])
def test_lines_that_read_as_a_table_stay_text(first: str, second: str, form: str) -> None:
    html = form.format(escape(first), escape(second))
    page = rendered(to_markdown(html))
    assert page.find("table") is None
    written = BeautifulSoup(html.replace("<br>", "\n"), "html.parser").get_text()
    assert [line.strip() for line in page.get_text().strip().split("\n")] == [
        line.strip() for line in written.split("\n")]


@pytest.mark.parametrize("title", ['say "hi"', "a (b) c", "C:\\dir\\", 'x\\"y', "&copy; &amp;", "a\\*b", "(", '"'])
def test_a_link_or_image_title_shows_as_written(title: str) -> None:
    html = f'<p><a href="https://x.example/" title="{escape(title)}">See</a> <img src="i.png" alt="I" ' \
           f'title="{escape(title)}"></p>'
    page = rendered(to_markdown(html))
    assert page.get_text().strip() == "See"
    assert [page.find("a")["title"], page.find("img")["title"]] == [title, title]


def test_a_title_with_a_blank_line_keeps_its_link_in_one_paragraph() -> None:
    page = rendered(to_markdown('<p>A <a href="https://x.example/" title="one\n\ntwo">link</a> here.</p>'))
    (paragraph,) = page.find_all("p")
    assert paragraph.get_text() == "A link here." and paragraph.find("a")["title"] == "one\ntwo"


@pytest.mark.parametrize("html, tag, text", [
    ("<p>b<em>-x</em></p>", "em", "-x"),
    ("<p><em>x-</em>b</p>", "em", "x-"),
    ("<p>a<strong>-b</strong>c</p>", "strong", "-b"),
    ("<p>said<i>\"so\"</i>.</p>", "i", "\"so\""),
    ("<p>a<span><b>.x</b></span></p>", "b", ".x"),
    ("<p>x<strong>a<em>-b</em></strong></p>", "em", "-b"),
])
def test_emphasis_beside_punctuation_shows_as_emphasis(html: str, tag: str, text: str) -> None:
    page = rendered(to_markdown(html))
    found = page.find({"i": "em", "b": "strong"}.get(tag, tag)) or page.find(tag)
    assert found is not None and found.get_text().replace("“", '"').replace("”", '"') == text
    assert "*" not in page.get_text() and "<" not in page.get_text()


def test_emphasis_that_marks_can_say_is_written_with_marks() -> None:
    assert to_markdown("<p>(<em>sic</em>) <em>-x</em> y, a<strong>b</strong>c</p>") == "(*sic*) *-x* y, a**b**c\n"


@pytest.mark.parametrize("cite", ["— Jane Doe", "&mdash;Jane Doe", "– Jane Doe", "-- Jane Doe", "- Jane Doe"])
def test_a_quote_whose_cite_has_its_own_dash_ends_in_one_dash(cite: str) -> None:
    page = rendered(to_markdown(f"<blockquote><p>Most teams are busy.</p><cite>{cite}</cite></blockquote>"))
    assert [p.get_text() for p in page.find("blockquote").find_all("p")] == ["Most teams are busy.", "— Jane Doe"]


@pytest.mark.parametrize("html, shown", [
    ("<p><em>a</em><em>b</em></p>", [("em", "a"), ("em", "b")]),
    ("<p>x<em>a</em><strong>b</strong>y</p>", [("em", "a"), ("strong", "b")]),
    ("<p><b>a</b><span><i>b</i></span><strong>c</strong></p>", [("strong", "a"), ("em", "b"), ("strong", "c")]),
    ("<p>Say <strong>a</strong><strong>b</strong> now</p>", [("strong", "a"), ("strong", "b")]),
    ("<p>x <i>a</i><span><em>b</em></span> y</p>", [("em", "a"), ("em", "b")]),
])
def test_emphasis_beside_emphasis_shows_as_emphasis(html: str, shown: list[tuple[str, str]]) -> None:
    page = rendered(to_markdown(html))
    assert [({"i": "em", "b": "strong"}.get(tag.name, tag.name), tag.get_text())
            for tag in page.find_all(["em", "strong", "i", "b"])] == shown
    assert "*" not in page.get_text()


@pytest.mark.parametrize("href", ["/about/", "www.example.com", "page.html", "#top", "https://x.example/a_b",
                                  "mailto:me@x.example"])
def test_a_link_whose_text_is_its_address_stays_a_link(href: str) -> None:
    page = rendered(to_markdown(f'<p>See <a href="{href}">{href}</a> now.</p>'))
    assert [(a["href"], a.get_text()) for a in page.find_all("a")] == [(href, href)]
    assert page.get_text().strip() == f"See {href} now."


@pytest.mark.parametrize("alt", ["", "Icon"])
def test_an_image_in_a_heading_stays_in_it(alt: str) -> None:
    md = to_markdown(f'<h3><img src="https://x.example/icon.png" alt="{alt}"> Icon heading</h3>')
    heading = rendered(md).find("h3")
    assert heading.find("img")["src"] == "https://x.example/icon.png" and heading.find("img")["alt"] == alt
    assert heading.get_text().strip() == "Icon heading"


@pytest.mark.parametrize("rows", ["<tr><td>1</td></tr><tr><td>1</td><td>2</td><td>3</td></tr>",
                                  "<tr><td>1</td><td>2</td></tr><tr><td>1</td><td>2</td><td>3</td></tr>"])
def test_a_table_whose_rows_have_other_numbers_of_cells_keeps_every_cell(rows: str) -> None:
    html = f"<table><tr><th>a</th><th>b</th></tr>{rows}</table>"
    cells = [cell.get_text() for cell in rendered(to_markdown(html)).find_all(["th", "td"])]
    assert cells == [cell.get_text() for cell in BeautifulSoup(html, "html.parser").find_all(["th", "td"])]

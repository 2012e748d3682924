"""markdown.render: CommonMark plus tables, strikethrough, footnotes and typography; a plain excerpt."""

from __future__ import annotations

import re

import pytest

from linkblog.markdown import EXCERPT_LENGTH, heading_ids, ids_apart, render, shorten


def html(text: str, doc_id: str = "post") -> str:
    return render(text, doc_id)[0]


def excerpt(text: str) -> str:
    return render(text, "post")[1]


def test_table() -> None:
    assert html("| a | b |\n|---|--:|\n| 1 | 2 |\n") == (
        '<table>\n<thead>\n<tr>\n<th>a</th>\n<th style="text-align:right">b</th>\n</tr>\n</thead>\n'
        '<tbody>\n<tr>\n<td>1</td>\n<td style="text-align:right">2</td>\n</tr>\n</tbody>\n</table>\n')


def test_strikethrough() -> None:
    assert html("~~gone~~ kept") == "<p><s>gone</s> kept</p>\n"


def test_smart_quotes_and_dashes() -> None:
    assert html("\"Quoted,\" it's 'single' -- and --- done...") == (
        "<p>“Quoted,” it’s ‘single’ – and — done…</p>\n")


def test_typography_never_drops_what_the_writer_typed() -> None:
    # As Hugo and Jekyll set text: no "!!!!!" made "!!!", no "1..2" made "1…2".
    assert html("Wow!!!!! Why???? Hmm,, no. Pages 1..2, 3.... (c) +-5 Wait?... <https://x.org/a--b...c>") == (
        '<p>Wow!!!!! Why???? Hmm,, no. Pages 1..2, 3.... © ±5 Wait?… '
        '<a href="https://x.org/a--b...c">https://x.org/a--b...c</a></p>\n')


def test_code_is_not_made_typographic() -> None:
    assert html('`"x" -- y`') == "<p><code>&quot;x&quot; -- y</code></p>\n"


@pytest.mark.parametrize(("text", "expected"), [
    ('Run <code>--verbose</code>, press <kbd>Ctrl</kbd>+<kbd>--</kbd>; "prose" -- yes...',
     "Run <code>--verbose</code>, press <kbd>Ctrl</kbd>+<kbd>--</kbd>; “prose” – yes…"),
    ('A <code>x <b>"y"</b> --</code> then "z"', "A <code>x <b>&quot;y&quot;</b> --</code> then “z”"),
    # an inline script is written as it is, and a tag in it is its text
    ("Text <script>document.title = \"it's -- ok...\" && 1;</script> after",
     "Text <script>document.title = \"it's -- ok...\" && 1;</script> after"),
    ('Text <script>x = "<code>";</script> and "after" -- text',
     'Text <script>x = "<code>";</script> and “after” – text'),
    # bare URLs, but what ends the sentence around them is prose, and quotes pair across them at any depth
    ("See http://example.com/a--b, www.example.org/x--y or (http://example.com/c--d) -- all.",
     "See http://example.com/a--b, www.example.org/x--y or (http://example.com/c--d) – all."),
    ("Docs (http://example.com/c--d).", "Docs (http://example.com/c--d)."),
    ('He said "see http://example.com/wiki/A_(b)" -- and left...',
     "He said “see http://example.com/wiki/A_(b)” – and left…"),
    ('*"Read [the docs](/d)," http://example.com/x*', '<em>“Read <a href="/d">the docs</a>,” http://example.com/x</em>'),
], ids=["code", "code holding tags", "script", "tag in a script", "bare URLs", "URL in brackets", "URL in quotes",
        "URL after a quote in emphasis"])
def test_typography_leaves_code_scripts_and_bare_urls_as_written(text: str, expected: str) -> None:
    assert html(text) == f"<p>{expected}</p>\n"


def test_raw_html_passes_through() -> None:
    assert html('<div class="aside"><b>raw</b></div>\n\nText with <kbd>Ctrl</kbd>.') == (
        '<div class="aside"><b>raw</b></div>\n<p>Text with <kbd>Ctrl</kbd>.</p>\n')


def test_footnotes_carry_the_document_id() -> None:
    out = html("Claim.[^1] Another.[^note]\n\n[^1]: First.\n[^note]: Second.\n", "work-vs-progress")
    assert re.findall(r'id="([^"]+)"', out) == [
        "fnref-work-vs-progress-1", "fnref-work-vs-progress-2", "fn-work-vs-progress-1", "fn-work-vs-progress-2"]
    assert 'href="#fn-work-vs-progress-1"' in out and 'href="#fnref-work-vs-progress-1"' in out


def test_footnote_ids_are_unique_per_document() -> None:
    body = "Claim.[^1]\n\n[^1]: Source.\n"
    first, second = (set(re.findall(r'id="([^"]+)"', html(body, doc))) for doc in ("one", "two"))
    assert len(first) == 2 and not first & second


def ids_of(out: str) -> list[str]:
    return re.findall(r'<h[1-6] id="([^"]*)"', out)


def test_headings_get_the_ids_github_and_hugo_give_them() -> None:
    out = html("# Don't *panic*\n\n## Set up `linkblog`\n\n### Café au lait\n\n###### 2. Then\n")
    assert ids_of(out) == ["dont-panic", "set-up-linkblog", "café-au-lait", "2-then"]


def test_heading_ids_are_unique_in_a_post_and_never_empty_or_the_theme_s() -> None:
    out = html("## Notes\n\n## Notes\n\n> ## Notes\n\n## !!!\n\n## 🙂\n\n## Search\n\n## main_content\n")
    assert ids_of(out) == ["notes", "notes-1", "notes-2", "section", "section-1", "search-1", "main_content-1"]


def test_a_post_s_links_to_its_headings_lead_to_them() -> None:
    out = html("See [below](#café-au-lait).\n\n## Café au lait\n")
    assert 'href="#caf%C3%A9-au-lait"' in out and 'id="café-au-lait"' in out


def test_on_a_list_a_post_s_heading_ids_and_its_links_to_them_are_its_own() -> None:
    out = html("[a](#notes) [b](#caf%C3%A9) [c](#fn-p-1) [d](#top) [e](https://x.org/#notes) <a href='#notes'>f</a> "
               "<a href=#gone>g</a>\n\n## Notes\n\n## Café\n\n## Gone\n\nx[^1]\n\n[^1]: y\n", "p")
    ids = heading_ids(out)
    listed = ids_apart(out, "p-abc", ids, ids - {"gone"}, "/2015/06/p/")
    assert heading_ids(listed) == {"p-abc-notes", "p-abc-café", "p-abc-gone"}
    assert re.findall(r'href="([^"]*)"', listed)[:7] == [
        "#p-abc-notes", "#p-abc-caf%C3%A9", "#fn-p-1", "#top", "https://x.org/#notes", "#p-abc-notes",
        "/2015/06/p/#gone"]  # a heading the list leaves out: on the post's page
    assert 'id="fn-p-1"' in listed  # the footnotes carry the post's id already


def test_a_post_without_headings_is_listed_as_it_is() -> None:
    out = html("[a](#x) <span id=\"x\">x</span>.[^1]\n\n[^1]: y\n")
    assert ids_apart(out, "p-abc", heading_ids(out), set(), "/p/") == out


def test_a_heading_never_takes_an_id_the_body_s_raw_html_gives() -> None:
    out = html('<div id="notes">Mine.</div>\n\n## Notes\n\nSee <span id=\'setup\'>this</span>.\n\n## Setup\n')
    assert re.findall(r'\bid="([^"]*)"', out) == ["notes", "notes-1", "setup-1"]


def test_links_and_autolinks() -> None:
    assert html("[a](https://x.org/ \"T\") <https://y.org/>") == (
        '<p><a href="https://x.org/" title="T">a</a> <a href="https://y.org/">https://y.org/</a></p>\n')


def test_dangerous_link_schemes_are_not_linked() -> None:
    assert "href" not in html("[x](javascript:alert(1))")


def test_the_shared_parser_carries_nothing_from_one_post_to_the_next() -> None:
    text = "A *b*.[^1]\n\n[^1]: c\n"
    first = render(text, "d")
    render("Other.[^1] More.[^2] [x]\n\n[^1]: e\n[^2]: f\n[x]: https://x.org/\n", "other")
    assert render(text, "d") == first
    assert first[0].count('id="fn-d-') == 1 and "x.org" not in first[0]


def test_excerpt_is_the_first_paragraph_as_text() -> None:
    assert excerpt("# Heading\n\nFirst **bold** `code` [link](https://x.org/)\nnext line.\n\nSecond.") == (
        "First bold code link next line.")


def test_excerpt_of_a_link_post_is_the_quote() -> None:
    assert excerpt("> Quoted *words*.\n\nMy comment.") == "Quoted words."


def test_excerpt_parts_words_at_raw_line_breaks_and_blocks() -> None:
    assert excerpt("Roses are red,<br>violets are blue.<BR/>Sugar is sweet") == (
        "Roses are red, violets are blue. Sugar is sweet")
    assert excerpt("one<div>two</div>three<p>four</p><span>five</span>six") == "one two three four fivesix"


def test_excerpt_leaves_out_script_and_style() -> None:
    assert excerpt("Sugar is sweet <script>var x = 1;</script>and <STYLE>p { *x* }</style>so are you.") == (
        "Sugar is sweet and so are you.")


def test_excerpt_is_empty_without_a_paragraph() -> None:
    assert excerpt("") == ""
    assert excerpt("# Only a heading\n\n---\n") == ""


def test_long_excerpt_is_cut_on_a_word() -> None:
    text = ("word " * 100).strip()
    cut = excerpt(text)
    assert len(cut) <= EXCERPT_LENGTH
    assert cut.endswith("word…")
    assert text.startswith(cut[:-1])


def test_shorten() -> None:
    assert shorten("short", 10) == "short"
    assert shorten("one two three", 9) == "one two…"
    assert shorten("one, two three", 9) == "one…"



@pytest.mark.parametrize(("text", "line", "opened"), [
    ("Seen.\n\n<!-- TODO: finish\n\nMore.\n", 2, "<!--"),
    ("<div>\n<!-- a note\n</div>\n\nAfter.\n", 1, "<!--"),  # in a block that ends at the blank line
    ("<div>\n<!-- a\n\nb -->\n</div>\n", 1, "<!--"),  # its --> in a paragraph: text, escaped
    ("Text <script>var x = 1;\n\nmore\n", 0, "script"),
    ("<style>\np { color: red }\n", 0, "style"),
])
def test_raw_html_left_open_is_named_and_closed_at_the_body_s_end(text: str, line: int, opened: str) -> None:
    # A browser reads an open comment or script to the end of the page: the posts after it on a list page vanish.
    body = render(text, "post")
    assert body.unclosed == ((line, opened),)
    assert body.html.rstrip().endswith("-->" if opened == "<!--" else f"</{opened}>")


@pytest.mark.parametrize("text", [
    "<!-- a note -->\n\nText.\n", "<script>\nvar a = '<!--';\n</script>\n",
    "Code `<!--` and <span>x</span>.\n", "<!-- <script> -->\n",
    # As HTML reads them: an attribute's text opens nothing; <!-->, <!---> and --!> end a comment.
    'A <abbr title="<!-- a comment opener">x</abbr>.\n', '<img alt="<script> tag" src="/x.png">\n',
    "<!-->\n\nAfter.\n", "<!--->\n", "<!-- x --!>\n", "<!--[if IE]><p>x</p><![endif]-->\n",
    "<textarea>a --> b</textarea>\n", 'x <script>var s = "</scr" + "ipt>";</script> y\n',
])
def test_raw_html_closed_is_left_as_written(text: str) -> None:
    body = render(text, "post")
    assert body.unclosed == () and body.html == html(text)


@pytest.mark.parametrize("text", ["日本語の文章です。" * 21 + "日本語の文章" + "👩\u200d👩\u200d👧" + "続き" * 50,
                                  "🇫🇷" * 150, "e\u0301" * 150])
def test_a_description_of_text_without_spaces_is_cut_between_whole_characters(text: str) -> None:
    # No emoji cut after its joiner, no half of a flag, no accent torn from its letter before the "…".
    cut = shorten(text, 200)
    assert cut.endswith("…") and text.startswith(cut[:-1])
    kept = cut[:-1]
    assert not kept.endswith("\u200d") and text[len(kept)] not in "\u200d\u0301"
    assert (len(kept) - len(kept.rstrip("🇫🇷"))) % 2 == 0

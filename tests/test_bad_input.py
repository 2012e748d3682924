"""Bad and hostile input through the real CLI: one clean `path:line: message` each, exit 1, output untouched."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import CONFIG, make_site, post_text, run_cli, tree_bytes

GOOD_POSTS = {"2015-06-01-good.md": post_text("Good", "2015-06-01 09:30", "A good post.", tags="[fine]")}
BAD = "posts/x.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One good site, built once; tests copy it and never touch it."""
    site = make_site(tmp_path_factory.mktemp("good") / "site", GOOD_POSTS)
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    return site


@pytest.fixture
def good(built: Path, tmp_path: Path) -> Path:
    """A private copy of the good site with its build output."""
    site = tmp_path / "site"
    shutil.copytree(built, site, symlinks=True)
    return site


def problem_lines(err: str) -> list[str]:
    """stderr without the closing summary line."""
    return [line for line in err.splitlines() if not line.startswith("build failed:")]


@dataclass(frozen=True)
class Worded:
    """A problem line whose message is a library's own wording: only linkblog's prefix (file, line and
    its own words) and suffix are promised, around some message on the same line."""

    prefix: str
    suffix: str = ""

    def fits(self, line: str) -> bool:
        middle = line.removeprefix(self.prefix).removesuffix(self.suffix)
        return line.startswith(self.prefix) and line.endswith(self.suffix) and bool(middle.strip())


def fits(line: str, expected: str | Worded) -> bool:
    return expected.fits(line) if isinstance(expected, Worded) else line == expected


def assert_fails(site: Path, *expected: str | Worded) -> None:
    """A build of `site` fails with exactly these problem lines and leaves the output as it was."""
    before = tree_bytes(site / "build")
    assert before, "the good build should have written something"
    run = run_cli(site, "build")
    assert "Traceback" not in run.err, run.err
    assert run.code == 1, run.err
    lines = problem_lines(run.err)
    assert len(lines) == len(expected) and all(map(fits, lines, expected)), lines
    assert tree_bytes(site / "build") == before


def assert_builds(site: Path) -> BeautifulSoup:
    """A build of `site` succeeds; return its archive page, which links every post."""
    run = run_cli(site, "build")
    assert "Traceback" not in run.err, run.err
    assert run.code == 0, run.err
    assert problem_lines(run.err) == []
    return BeautifulSoup((site / "build" / "archive" / "index.html").read_text("utf-8"), "html.parser")


def page_of(site: Path, archive: BeautifulSoup, title: str) -> Path:
    """The output file that the archive's link to the post called `title` resolves to."""
    links = [a for a in archive.find_all("a") if a.get_text() == title]
    assert len(links) == 1, f"no single archive link to {title!r}"
    path = unquote(urlsplit(links[0]["href"]).path)
    file = site / "build" / path.lstrip("/") / "index.html"
    assert file.is_file(), f"{links[0]['href']} does not resolve to a file"
    return file


def add_post(site: Path, data: bytes | str, name: str = "x.md") -> None:
    path = site / "posts" / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


# --- posts that must fail, each with its one line -------------------------------------------------

BAD_POSTS = {
    "yaml-tab": ("---\ntitle: Tabbed\ndate: 2015-06-01\ntags:\n\t- a\n---\nBody.\n",
                 f"{BAD}:5: invalid YAML: a tab character is not allowed for indentation; use spaces"),
    "yaml-unclosed-quote": ('---\ntitle: "Unclosed\ndate: 2015-06-01\n---\nBody.\n',
                            f"{BAD}:2: invalid YAML: a quoted value starting on this line is never closed"),
    "yaml-duplicate-key": ("---\ntitle: One\ndate: 2015-06-01\ntitle: Two\n---\nBody.\n",
                           f"{BAD}:4: invalid YAML: duplicate key 'title'"),
    "yaml-colon-in-title": ("---\ntitle: Work: a reply\ndate: 2015-06-01\n---\nBody.\n",
                            Worded(f"{BAD}:2: invalid YAML: ", " (put a value containing ': ' in quotes)")),
    "yaml-unclosed-bracket": ("---\ntitle: T\ndate: 2015-06-01\ntags: [a, b\n---\nBody.\n",
                              f"{BAD}:4: invalid YAML: a '[' opened on this line is never closed"),
    "yaml-unclosed-bracket-before-keys": ("---\ntitle: T\ntags: [a, b\ndate: 2015-06-01\nsource: S\n---\nBody.\n",
                                          f"{BAD}:3: invalid YAML: a '[' opened on this line is never closed"),
    "yaml-unclosed-brace": ("---\ntitle: T\nvia: {name: S\ndate: 2015-06-01\n---\nBody.\n",
                            f"{BAD}:3: invalid YAML: a '{{' opened on this line is never closed"),
    "unclosed-fence": ("---\ntitle: Open\ndate: 2015-06-01\nBody without a closing fence.\n",
                       f"{BAD}:1: front matter opened on line 1 is never closed (add a '---' line after it)"),
    "no-front-matter": ("Just some Markdown.\n", f"{BAD}:1: no front matter: start the file with a '---' line"),
    "front-matter-a-list": ("---\n- a\n- b\n---\nBody.\n", f"{BAD}:2: front matter must be 'key: value' lines"),
    "missing-title": ("---\ndate: 2015-06-01\n---\nBody.\n", f"{BAD}:1: missing required field 'title'"),
    "empty-title": ('---\ntitle: ""\ndate: 2015-06-01\n---\nBody.\n', f"{BAD}:2: 'title' is empty"),
    "null-title": ("---\ntitle:\ndate: 2015-06-01\n---\nBody.\n", f"{BAD}:2: 'title' is empty"),
    "blank-title": ("---\ntitle: '   '\ndate: 2015-06-01\n---\nBody.\n", f"{BAD}:2: 'title' is empty"),
    "title-a-list": ("---\ntitle: [a, b]\ndate: 2015-06-01\n---\nBody.\n", f"{BAD}:2: 'title' must be text"),
    "missing-date": ("---\ntitle: Undated\n---\nBody.\n",
                     f"{BAD}:1: missing required field 'date' (or name the file YYYY-MM-DD-slug.md)"),
    "impossible-date": ("---\ntitle: T\ndate: 2015-13-45\n---\nBody.\n",
                        f"{BAD}:3: 'date' is not a valid date: '2015-13-45' "
                        "(use YYYY-MM-DD or YYYY-MM-DD HH:MM, optionally with an offset)"),
    "word-date": ("---\ntitle: T\ndate: yesterday\n---\nBody.\n",
                  f"{BAD}:3: 'date' is not a valid date: 'yesterday' "
                  "(use YYYY-MM-DD or YYYY-MM-DD HH:MM, optionally with an offset)"),
    "words-date": ("---\ntitle: T\ndate: next tuesday\n---\nBody.\n",
                   f"{BAD}:3: 'date' is not a valid date: 'next tuesday' "
                   "(use YYYY-MM-DD or YYYY-MM-DD HH:MM, optionally with an offset)"),
    "unknown-timezone": ("---\ntitle: T\ndate: 2015-06-01 09:30 Mars/Olympus\n---\nBody.\n",
                         f"{BAD}:3: unknown timezone 'Mars/Olympus' in 'date'"),
    "machine-zone": ("---\ntitle: T\ndate: 2015-06-01 09:30 localtime\n---\nBody.\n",
                     f"{BAD}:3: timezone 'localtime' differs from machine to machine in 'date'"),
    "date-out-of-range": ("---\ntitle: T\ndate: 0001-01-01 00:00 +05:00\n---\nBody.\n",
                          f"{BAD}:3: 'date' is out of range: '0001-01-01 00:00 +05:00'"),
    "date-a-number": ("---\ntitle: T\ndate: 2015\n---\nBody.\n",
                      f"{BAD}:3: 'date' must be a date such as 2015-06-01 09:30, not a number"),
    "empty-file": ("", f"{BAD}:1: empty file: a post needs front matter with a title and date"),
    "blank-file": ("\n  \n\n", f"{BAD}:1: empty file: a post needs front matter with a title and date"),
    "tags-a-number": ("---\ntitle: T\ndate: 2015-06-01\ntags: 5\n---\nBody.\n",
                      f"{BAD}:4: 'tags' must be a list or a comma-separated string, not a number"),
    "tags-a-mapping": ("---\ntitle: T\ndate: 2015-06-01\ntags: {a: 1}\n---\nBody.\n",
                       f"{BAD}:4: 'tags' must be a list or a comma-separated string, not a mapping"),
    "tags-nested": ("---\ntitle: T\ndate: 2015-06-01\ntags: [a, [b]]\n---\nBody.\n",
                    f"{BAD}:4: 'tags' must hold plain names, not nested lists or mappings"),
    "link-not-a-url": ("---\ntitle: T\ndate: 2015-06-01\nlink: not a url\n---\nBody.\n",
                       f"{BAD}:4: 'link' must be an http(s) or mailto URL, not 'not a url'"),
    "link-javascript": ("---\ntitle: T\ndate: 2015-06-01\nlink: javascript:alert(1)\n---\nBody.\n",
                        f"{BAD}:4: 'link' must be an http(s) or mailto URL, not 'javascript:alert(1)'"),
    "link-javascript-mixed-case": ("---\ntitle: T\ndate: 2015-06-01\nlink: ' JavaScript:alert(1)'\n---\nBody.\n",
                                   f"{BAD}:4: 'link' must be an http(s) or mailto URL, not 'JavaScript:alert(1)'"),
    "link-broken-ipv6": ("---\ntitle: T\ndate: 2015-06-01\nlink: http://[oops\n---\nBody.\n",
                         f"{BAD}:4: 'link' must be an http(s) or mailto URL, not 'http://[oops'"),
    "via-url-javascript": ("---\ntitle: T\ndate: 2015-06-01\nvia: {name: S, url: 'javascript:x'}\n---\nBody.\n",
                           f"{BAD}:4: 'via.url' must be an http(s) or mailto URL, not 'javascript:x'"),
    "slug-escapes": ("---\ntitle: T\ndate: 2015-06-01\nslug: ../../x\n---\nBody.\n",
                     f"{BAD}:4: 'slug' must be one path segment of letters, digits, '-', '_' or '.', "
                     "not '../../x'"),
    "slug-dot-dot": ("---\ntitle: T\ndate: 2015-06-01\nslug: '..'\n---\nBody.\n",
                     f"{BAD}:4: 'slug' must be one path segment of letters, digits, '-', '_' or '.', not '..'"),
    "slug-index-html": ("---\ntitle: T\ndate: 2015-06-01\nslug: index.html\n---\nBody.\n",
                        f"{BAD}:4: 'slug' cannot be index.html, the name of every page's own file"),
    "draft-not-bool": ("---\ntitle: T\ndate: 2015-06-01\ndraft: maybe\n---\nBody.\n",
                       f"{BAD}:4: 'draft' must be true or false, not 'maybe'"),
    "control-character-in-body": ("---\ntitle: T\ndate: 2015-06-01\n---\nColours \x1b[31mred\n",
                                  f"{BAD}:5: control character U+001B is not allowed "
                                  "(binary data, or text pasted from a terminal?)"),
    "control-character-escaped-in-title": ('---\ntitle: "a\\x07b"\ndate: 2015-06-01\n---\nBody.\n',
                                           f"{BAD}:2: 'title' contains control character U+0007"),
    "list-as-key": ("---\n? [a, b]\n: c\ntitle: T\ndate: 2015-06-01\n---\nBody.\n",
                    f"{BAD}:2: invalid YAML: a key must be plain text, not a list or mapping"),
    "undefined-alias": ("---\ntitle: T\ndate: 2015-06-01\nsource: *nope\n---\nBody.\n",
                        Worded(f"{BAD}:4: invalid YAML: ")),
    "nested-too-deep": ("---\ntitle: T\ndate: 2015-06-01\nx: " + "[" * 50_000 + "]" * 50_000 + "\n---\nBody.\n",
                        f"{BAD}:4: invalid YAML: nested more than 100 levels deep"),
    # Nine lines whose aliases repeat "lol" 9^9 times: the build hung saving it to the cache.
    "billion-laughs": ("---\ntitle: T\ndate: 2015-06-01\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                       + "".join(f"{key}: &{key} [{', '.join([f'*{before}'] * 9)}]\n"
                                 for before, key in zip("abcdefgh", "bcdefghi", strict=True)) + "---\nBody.\n",
                       Worded(f"{BAD}:", "invalid YAML: its aliases repeat more than 100,000 values")),
    # A 1,000-character value repeated 50,000 times: few enough values, but 50 MB to the cache (a 40 kB one
    # repeated 70,000 times took the build to 6.4 GB and a traceback).
    "long-value-laughs": ("---\ntitle: T\ndate: 2015-06-01\ns: &s " + "x" * 1000 + "\n"
                          + "".join(f"{key}: &{key} [{', '.join([f'*{before}'] * 10)}]\n"
                                    for before, key in zip("sabc", "abcd", strict=True))
                          + f"e: [{', '.join(['*d'] * 5)}]\n---\nBody.\n",
                          f"{BAD}:4: invalid YAML: its aliases repeat more than 10,000,000 characters of text"),
}


@pytest.mark.parametrize(("text", "line"), list(BAD_POSTS.values()), ids=list(BAD_POSTS))
def test_bad_post_is_reported_on_its_line(good: Path, text: str, line: str | Worded) -> None:
    add_post(good, text)
    assert_fails(good, line)


def test_blank_line_after_the_fence_keeps_line_numbers(good: Path) -> None:
    add_post(good, "---\n\n\ntitle: T\ndate: bad\n---\nBody.\n")
    assert_fails(good, f"{BAD}:5: 'date' is not a valid date: 'bad' "
                       "(use YYYY-MM-DD or YYYY-MM-DD HH:MM, optionally with an offset)")


def test_non_utf8_bytes_name_their_line(good: Path) -> None:
    add_post(good, b"---\ntitle: Latin-1\ndate: 2015-06-01\n---\nFirst line.\nCaf\xe9 au lait.\n")
    assert_fails(good, f"{BAD}:6: not valid UTF-8 (byte 0xe9); save the file as UTF-8")


def test_non_utf8_bytes_name_their_line_with_old_mac_line_ends(good: Path) -> None:
    add_post(good, b"---\rtitle: Mac classic\rdate: 2015-06-01\r---\rCaf\xe9 body\r")
    assert_fails(good, f"{BAD}:5: not valid UTF-8 (byte 0xe9); save the file as UTF-8")


def test_front_matter_never_closed_names_the_first_line_of_body_text(good: Path) -> None:
    add_post(good, "---\ntitle: T\ndate: 2016-01-01\n\nBody text here.\n\n---\n\nMore\n")
    [line] = problem_lines(run_cli(good, "build").err)
    assert line.startswith(f"{BAD}:5: ")


def test_line_numbers_count_lines_as_editors_do_past_a_pasted_line_separator(good: Path) -> None:
    add_post(good, '---\ntitle: "Pasted\u2028title\x85here"\ndate: 2016-01-01\nlink: javascript:x\n---\nBody.\n')
    [line] = problem_lines(run_cli(good, "build").err)
    assert line.startswith(f"{BAD}:4: 'link'")
    add_post(good, '---\ntitle: "Pasted\u2028title"\ndate: 2016-01-01\ntags: [a\n---\nBody.\n')
    [line] = problem_lines(run_cli(good, "build").err)
    assert line.startswith(f"{BAD}:4: ")  # the unclosed [ opens there


def test_binary_junk(good: Path) -> None:
    add_post(good, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert_fails(good, f"{BAD}:1: not valid UTF-8 (byte 0x89); save the file as UTF-8")


def test_binary_junk_that_is_valid_utf8(good: Path) -> None:
    add_post(good, bytes(64) + b"\n---\n")
    assert_fails(good, f"{BAD}:1: control character U+0000 is not allowed "
                       "(binary data, or text pasted from a terminal?)")


def test_python_tag_runs_nothing(good: Path) -> None:
    add_post(good, '---\ntitle: T\ndate: 2015-06-01\nextra: !!python/object/apply:os.system ["touch PWNED"]\n'
                   "---\nBody.\n")
    assert_fails(good, Worded(f"{BAD}:4: invalid YAML: "))
    assert not (good / "PWNED").exists()
    assert not (good / "posts" / "PWNED").exists()


def test_python_tag_in_config_runs_nothing(good: Path) -> None:
    config = CONFIG.replace("author: Test Author", 'author: !!python/object/apply:os.system ["touch PWNED"]')
    (good / "config.yaml").write_text(config)
    assert_fails(good, Worded("config.yaml:3: invalid YAML: "))
    assert not (good / "PWNED").exists()


def test_two_posts_on_one_url_name_both_files(good: Path) -> None:
    add_post(good, post_text("Same Title", "2015-06-02"), "a.md")
    add_post(good, post_text("Same Title", "2015-06-20"), "b.md")
    assert_fails(good, "posts/a.md: writes the same URL /2015/06/same-title/ as posts/b.md")



@pytest.mark.parametrize("slug, kind", [("feed.xml", "rss"), ("sitemap.xml", "sitemap"), ("404.html", "404")])
def test_a_post_in_a_folder_a_generated_file_is_names_both(good: Path, slug: str, kind: str) -> None:
    """With permalink /{slug}/, slug feed.xml is the file feed.xml/index.html: feed.xml cannot be both a folder
    and the feed. The build said so in a traceback-free but file-less "Not a directory", output half-changed."""
    (good / "config.yaml").write_text(CONFIG.replace("permalink: /{year}/{month}/{slug}/", "permalink: /{slug}/"))
    assert run_cli(good, "build").code == 0
    add_post(good, post_text("Named oddly", "2015-06-02", slug=slug), "odd.md")
    assert_fails(good, f"posts/odd.md: writes /{slug}/, a folder where the {kind} page writes the file /{slug}")

def test_several_bad_posts_are_all_reported_in_one_run(good: Path) -> None:
    add_post(good, "---\ntitle: A\n---\nBody.\n", "a.md")
    add_post(good, "---\ndate: 2015-01-01\n---\nBody.\n", "b.md")
    add_post(good, "---\ntitle: C\ndate: 2015-01-01\ntags: 5\n---\nBody.\n", "c.md")
    assert_fails(good,
                 "posts/a.md:1: missing required field 'date' (or name the file YYYY-MM-DD-slug.md)",
                 "posts/b.md:1: missing required field 'title'",
                 "posts/c.md:4: 'tags' must be a list or a comma-separated string, not a number")


def test_every_bad_field_of_one_post_is_reported(good: Path) -> None:
    add_post(good, "---\ntitle: ''\ndate: soon\nlink: ftp://x.org/\n---\nBody.\n")
    assert_fails(good,
                 f"{BAD}:2: 'title' is empty",
                 f"{BAD}:3: 'date' is not a valid date: 'soon' "
                 "(use YYYY-MM-DD or YYYY-MM-DD HH:MM, optionally with an offset)",
                 f"{BAD}:4: 'link' must be an http(s) or mailto URL, not 'ftp://x.org/'")


def test_impossible_date_in_a_jekyll_file_name(good: Path) -> None:
    add_post(good, "---\ntitle: T\n---\nBody.\n", "2015-13-45-bad-month.md")
    assert_fails(good, "posts/2015-13-45-bad-month.md: file name: 'date' is not a valid date: '2015-13-45' "
                       "(use YYYY-MM-DD or YYYY-MM-DD HH:MM, optionally with an offset)")


def test_file_name_with_a_newline_stays_on_one_line(good: Path) -> None:
    add_post(good, "---\ntitle: T\n---\nBody.\n", "odd\nname.md")
    assert_fails(good, "posts/odd\\x0aname.md:1: missing required field 'date' (or name the file YYYY-MM-DD-slug.md)")


# --- templates -----------------------------------------------------------------------------------

def test_template_syntax_error_names_template_and_line(good: Path) -> None:
    (good / "templates").mkdir()
    (good / "templates" / "post.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<h1>{{ page.title }}</h1>\n{% endif %}\n{% endblock %}\n')
    assert_fails(good, Worded("templates/post.html:4: template error: "))


def test_template_undefined_variable_names_template_and_line(good: Path) -> None:
    (good / "templates").mkdir()
    (good / "templates" / "post.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<h1>{{ page.title }}</h1>\n{{ nope }}\n{% endblock %}\n')
    assert_fails(good, Worded("templates/post.html:4: template error: "))


def test_a_missing_include_names_the_template_and_line_that_asks_for_it(good: Path) -> None:
    (good / "templates").mkdir()
    (good / "templates" / "post.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<h1>{{ page.title }}</h1>\n{% include "_nope.html" %}\n'
        '{% endblock %}\n')
    assert_fails(good, "templates/post.html:4: template not found: _nope.html")


# --- config.yaml ---------------------------------------------------------------------------------

def test_config_value_of_the_wrong_type(good: Path) -> None:
    (good / "config.yaml").write_text(CONFIG.replace("per_page: 2", "per_page: many"))
    assert_fails(good, "config.yaml:7: 'per_page' must be a whole number, not text")


def test_config_unknown_key_suggests_the_right_one(good: Path) -> None:
    (good / "config.yaml").write_text(CONFIG + "titel: Oops\n")
    assert_fails(good, "config.yaml:11: unknown setting 'titel' (did you mean 'title'?)")


def test_config_missing_url(good: Path) -> None:
    (good / "config.yaml").write_text(CONFIG.replace("url: https://example.org/\n", ""))
    assert_fails(good, "config.yaml:1: missing required setting 'url' (the site's absolute base URL)")


def test_config_unclosed_bracket_is_reported_where_it_opens(good: Path) -> None:
    (good / "config.yaml").write_text(CONFIG.replace("feed: {items: 20, full_content: true}", "feed: {items: 20")
                                      .replace("timezone: UTC", "timezone: [UTC"))
    assert_fails(good, "config.yaml:6: invalid YAML: a '[' opened on this line is never closed")


def test_config_invalid_yaml(good: Path) -> None:
    (good / "config.yaml").write_text(CONFIG.replace("per_page: 2", "per_page: 2\n\tfeed: x"))
    assert_fails(good, "config.yaml:8: invalid YAML: a tab character is not allowed for indentation; use spaces")


def test_config_several_errors_at_once(good: Path) -> None:
    config = CONFIG.replace("per_page: 2", "per_page: 0").replace("timezone: UTC", "timezone: Mars/Olympus")
    (good / "config.yaml").write_text(config + "outptu_dir: x\n")
    assert_fails(good,
                 "config.yaml:6: unknown timezone 'Mars/Olympus' (use an IANA name such as Europe/Berlin or UTC)",
                 "config.yaml:7: 'per_page' must be at least 1",
                 "config.yaml:11: unknown setting 'outptu_dir' (did you mean 'output_dir'?)")


# --- output_dir that would destroy something --------------------------------------------------------

REFUSED = {
    ".": "the site itself",
    "..": "the site itself",
    "posts": "the site's posts/ folder",
    "templates": "the site's templates/ folder",
    "static": "the site's static/ folder",
    "posts/out": "the site's posts/ folder",
    ".git": "the site's .git/ folder",
    "config.yaml": None,  # a file: refused as one
    "/": "/",
    '"~"': "your home folder",
    "link-to-site": "the site itself",
}


@pytest.mark.parametrize("output_dir", list(REFUSED))
def test_dangerous_output_dir_is_refused_before_anything_is_touched(tmp_path: Path, output_dir: str) -> None:
    config = CONFIG.replace("output_dir: build", f"output_dir: {output_dir}")
    site = make_site(tmp_path / "site", GOOD_POSTS, config=config,
                     files={"templates/post.html": "{{ page.title }}\n", "static/extra.css": "p {}\n",
                            ".git/HEAD": "ref: refs/heads/main\n"})
    os.symlink(site, site / "link-to-site")
    home = Path.home()
    home_before = sorted(p.name for p in home.parent.iterdir())
    before = tree_bytes(tmp_path)
    run = run_cli(site, "build")
    assert "Traceback" not in run.err, run.err
    assert run.code == 1
    shown = output_dir.strip('"')
    why = f"would replace {REFUSED[output_dir]}; choose a folder of its own such as 'build'" if REFUSED[output_dir] \
        else "is a file, which a build would replace; move it away or choose another folder"
    assert problem_lines(run.err) == [f"config.yaml:8: output_dir '{shown}' {why}"]
    assert tree_bytes(tmp_path) == before
    assert sorted(p.name for p in home.parent.iterdir()) == home_before


def test_output_option_is_refused_too(good: Path) -> None:
    before = tree_bytes(good)
    run = run_cli(good, "build", "--output", "posts")
    assert run.code == 1
    assert problem_lines(run.err) == ["--output: output_dir 'posts' would replace the site's posts/ folder; "
                                      "choose a folder of its own such as 'build'"]
    assert tree_bytes(good) == before


# --- odd input that must build ---------------------------------------------------------------------

def test_utf8_bom_is_accepted(good: Path) -> None:
    add_post(good, "\ufeff" + post_text("With a BOM", "2015-06-02", "Marked *bytes*."))
    page = page_of(good, assert_builds(good), "With a BOM")
    assert "<em>bytes</em>" in page.read_text("utf-8")
    assert "\ufeff" not in page.read_text("utf-8")


def test_crlf_line_endings_are_accepted_and_the_body_renders(good: Path) -> None:
    text = post_text("Windows Lines", "2015-06-02", "First *para*.\n\n> A quote.", tags="[a, b]")
    add_post(good, text.replace("\n", "\r\n"))
    page = page_of(good, assert_builds(good), "Windows Lines").read_text("utf-8")
    assert "<p>First <em>para</em>.</p>" in page
    assert "<blockquote>" in page
    assert "\r" not in page
    assert (good / "build" / "tag" / "b" / "index.html").is_file()


def test_front_matter_only_is_accepted(good: Path) -> None:
    add_post(good, "---\ntitle: Nothing to Add\ndate: 2015-06-02\n---\n")
    page_of(good, assert_builds(good), "Nothing to Add")


def test_a_five_megabyte_post_is_accepted(good: Path) -> None:
    body = ("A paragraph of words that goes on for a while. " * 20 + "\n\n") * 5_400
    add_post(good, post_text("Very Long", "2015-06-02", body))
    assert (good / "posts" / "x.md").stat().st_size > 5_000_000
    page = page_of(good, assert_builds(good), "Very Long")
    assert page.stat().st_size > 5_000_000


@pytest.mark.parametrize(("name", "title", "slug"), [
    ("2015-06-02-my post café 🎉.md", "Spaces and emoji", "my-post-cafe"),
    ("notes on things.md", "Café 🎉 Society", "cafe-society"),
    ("日本語 ノート.md", "日本語 ノート", "日本語-ノート"),
    ("🎉.md", "🎉🎉", None),
], ids=["jekyll-name", "spaces", "japanese", "emoji-only"])
def test_unusual_file_names_are_accepted(good: Path, name: str, title: str, slug: str | None) -> None:
    add_post(good, post_text(title, "2015-06-02"), name)
    page = page_of(good, assert_builds(good), title)
    assert BeautifulSoup(page.read_text("utf-8"), "html.parser").h1.get_text() == title
    if slug:
        assert page.parent.name == slug
    assert page.resolve().is_relative_to((good / "build").resolve())


def test_yaml_one_point_one_scalars_stay_text(good: Path) -> None:
    add_post(good, "---\ntitle: No\ndate: 2015-06-02\ntags: [yes, 007]\nsource: 3.10\n---\nBody.\n")
    page = page_of(good, assert_builds(good), "No")
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    assert [a.get_text() for a in soup.select("a.p-category")] == ["yes", "007"]
    assert (good / "build" / "source" / "3-10" / "index.html").is_file()


def test_nesting_just_under_the_limit_builds_and_caches(good: Path) -> None:
    depth = 98  # plus the front matter's own mapping and the key's: the limit is 100
    add_post(good, "---\ntitle: Deep\ndate: 2015-06-02\nx: " + "[" * depth + "]" * depth
             + "\ny: " + "{a: " * depth + "1" + "}" * depth + "\n---\nBody.\n")
    page_of(good, assert_builds(good), "Deep")
    page_of(good, assert_builds(good), "Deep")  # the second build reads the cache the first one wrote


def test_a_very_long_title_gets_a_slug_the_file_system_can_hold(good: Path) -> None:
    title = "日本語のとても長いタイトル" * 10
    add_post(good, post_text(title, "2015-06-02"))
    page = page_of(good, assert_builds(good), title)
    assert len(page.parent.name.encode("utf-8")) <= 255


def test_a_very_long_explicit_slug_is_reported(good: Path) -> None:
    add_post(good, post_text("T", "2015-06-02", slug="x" * 300))
    assert_fails(good, f"{BAD}:4: 'slug' is longer than 100 bytes: '{'x' * 59}…'")


def test_a_very_long_tag_gets_a_page_the_file_system_can_hold(good: Path) -> None:
    tag = "a-rather-long-tag-name-" * 15
    add_post(good, post_text("Long Tag", "2015-06-02", tags=f"['{tag}']"))
    page = page_of(good, assert_builds(good), "Long Tag")
    link = BeautifulSoup(page.read_text("utf-8"), "html.parser").select_one("a.p-category")
    assert link.get_text() == tag.strip()
    assert (good / "build" / unquote(link["href"]).lstrip("/") / "index.html").is_file()


def test_a_timezone_that_is_a_folder_of_zones_is_an_unknown_timezone_of_its_post(good: Path) -> None:
    add_post(good, "---\ntitle: T\ndate: 2015-06-01 10:00 America\n---\nBody.\n")
    add_post(good, "---\ntitle: U\ndate: 2015-13-01\n---\nBody.\n", "y.md")
    assert_fails(good, f"{BAD}:3: unknown timezone 'America' in 'date'",
                 Worded("posts/y.md:3: 'date' is not a valid date: '2015-13-01' "))


def test_a_config_timezone_that_is_a_folder_of_zones_is_unknown(good: Path) -> None:
    (good / "config.yaml").write_text(CONFIG.replace("timezone: UTC", "timezone: Etc"))
    assert_fails(good, Worded("config.yaml:", "unknown timezone 'Etc' (use an IANA name such as Europe/Berlin or UTC)"))


@pytest.mark.parametrize("name", ["config.yaml", "sources.yaml"])
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_settings_file_that_is_no_regular_file_is_one_line_not_a_hang(good: Path, name: str, kind: str) -> None:
    (good / name).unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(good / name)
    else:
        (good / name).symlink_to("/dev/zero")
    assert_fails(good, f"{name}: cannot be read (not a regular file)")


def test_a_tab_after_a_key_in_sources_yaml_is_read_as_the_rest_of_yaml_reads_it(good: Path) -> None:
    (good / "sources.yaml").write_text("- name: Example\n  url:\thttps://example.com/\n")
    run = run_cli(good, "build")
    assert run.code == 0 and "Traceback" not in run.err, run.err


@pytest.mark.parametrize("args", [
    ("new", "T", "--quote", "caf\udce9"), ("new", "caf\udce9"), ("new", "T", "--tag", "caf\udce9"),
    ("build", "--base-url", "https://example.org/caf\udce9/"), ("build", "--output", "caf\udce9"),
    ("check", "--base-url", "https://exa\udce9mple.org/"), ("import", "feed", "x.xml", "--into", "posts/caf\udce9"),
])
def test_text_that_is_not_utf8_on_the_command_line_is_a_usage_error(good: Path, args: tuple[str, ...]) -> None:
    before = tree_bytes(good)
    run = run_cli(good, *args)  # the bytes of a Latin-1 terminal: Python keeps \xe9 as a lone surrogate
    assert run.code == 2 and "Traceback" not in run.err
    assert "not UTF-8" in run.err.splitlines()[-1]
    assert tree_bytes(good) == before


# --- values YAML cannot make (an explicit tag, more digits than Python reads) -----------------------

@pytest.mark.parametrize("value", ["!!int '12x'", "!!float x", "!!bool nope", "9" * 4301, "!!binary aGVsbG8=",
                                   "!!set {a, b}", "!!omap [a: 1]"])
def test_a_value_yaml_cannot_make_is_a_problem_at_its_line(good: Path, value: str) -> None:
    (good / "posts" / "x.md").write_text(f"---\ntitle: T\ndate: 2015-06-01\nextra: {value}\n---\nBody.\n")
    assert_fails(good, Worded("posts/x.md:4: invalid YAML: "))


@pytest.mark.parametrize(("name", "text", "line"), [
    ("config.yaml", CONFIG.replace("per_page: 2", "per_page: !!int '2x'"), 7),
    ("config.yaml", CONFIG.replace("per_page: 2", "per_page: 1" + "0" * 4300), 7),
    ("config.yaml", CONFIG + "search: !!bool maybe\n", 11),
    ("sources.yaml", "- name: S\n  url: https://s.example/\n  extra: !!float x\n", 3)])
def test_a_setting_yaml_cannot_make_is_a_problem_at_its_line(good: Path, name: str, text: str, line: int) -> None:
    (good / name).write_text(text)
    assert_fails(good, Worded(f"{name}:{line}: "))


def test_a_timestamp_tag_on_no_date_is_the_date_problem(good: Path) -> None:
    (good / "posts" / "x.md").write_text("---\ntitle: T\ndate: !!timestamp June 1st\n---\nBody.\n")
    assert_fails(good, Worded("posts/x.md:3: 'date' is not a valid date"))

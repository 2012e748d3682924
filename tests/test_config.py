"""config.load_config: a frozen Config, or every mistake in config.yaml with its line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import CONFIG, SAMPLE_POSTS, make_site, run_cli, tree_bytes

from linkblog.config import Config, FeedConfig, load_config


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "posts").mkdir(parents=True, exist_ok=True)
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def loaded(tmp_path: Path, text: str = CONFIG, **overrides: object) -> Config:
    config, problems = load_config(write(tmp_path, text), overrides)
    assert problems == [] and config is not None, problems
    return config


def problems(tmp_path: Path, text: str, **overrides: object) -> list[str]:
    config, found = load_config(write(tmp_path, text), overrides)
    assert config is None or found
    return [str(p) for p in found]


def test_full_config(tmp_path: Path) -> None:
    config = loaded(tmp_path)
    assert (config.title, config.url, config.author, config.per_page, config.timezone) == (
        "Test Notes", "https://example.org/", "Test Author", 2, "UTC")
    assert config.feed == FeedConfig(items=20, full_content=True)
    assert config.root == tmp_path.resolve()
    assert config.output_path == tmp_path.resolve() / "build"
    assert config.posts_path == tmp_path.resolve() / "posts"


def test_defaults_and_a_trailing_slash_on_the_url(tmp_path: Path) -> None:
    config = loaded(tmp_path, "url: https://example.github.io/notes\n")
    assert config.url == "https://example.github.io/notes/"
    assert (config.per_page, config.output_dir, config.permalink, config.feed) == (
        20, "build", "/{year}/{month}/{slug}/", FeedConfig())


def test_text_settings_stay_text(tmp_path: Path) -> None:
    config = loaded(tmp_path, "url: https://x.org/\ntitle: 2015\nauthor: No\nlanguage: no\n")
    assert (config.title, config.author, config.language) == ("2015", "No", "no")


def test_overrides_win_and_none_is_ignored(tmp_path: Path) -> None:
    config = loaded(tmp_path, output_dir="public", url="http://localhost:8000", title=None)
    assert (config.output_dir, config.url, config.title) == ("public", "http://localhost:8000/", "Test Notes")


def test_a_bad_override_is_named_by_its_option(tmp_path: Path) -> None:
    assert problems(tmp_path, CONFIG, url="localhost") == [
        "--base-url: 'url' must be an absolute http(s) URL such as https://example.github.io/notes/, not 'localhost'"]
    assert problems(tmp_path, CONFIG, output_dir="/") == [
        "--output: output_dir '/' would replace /; choose a folder of its own such as 'build'"]


def test_override_fixes_a_bad_value_in_the_file(tmp_path: Path) -> None:
    assert loaded(tmp_path, CONFIG.replace("https://example.org/", "nope"), url="https://x.org/").url == "https://x.org/"


@pytest.mark.parametrize(("key", "suggestion"), [("titel", "title"), ("per_pgae", "per_page"),
                                                 ("outputdir", "output_dir"), ("timzone", "timezone")])
def test_unknown_key_did_you_mean(tmp_path: Path, key: str, suggestion: str) -> None:
    assert problems(tmp_path, CONFIG + f"{key}: x\n") == [
        f"config.yaml:11: unknown setting '{key}' (did you mean '{suggestion}'?)"]


@pytest.mark.parametrize("key", ["1", "null", "True", "2015-01-01"])
def test_an_unknown_key_yaml_reads_as_no_text_is_named_at_its_line(tmp_path: Path, key: str) -> None:
    [problem] = problems(tmp_path, f"url: https://x.org/\n{key}: x\n")
    assert problem.startswith("config.yaml:2: unknown setting")


@pytest.mark.parametrize(("key", "named"), [("null", "null"), ("~", "null"), ("yes", "true"), ("False", "false")])
def test_an_unknown_key_is_named_as_yaml_reads_it_not_as_python_prints_it(tmp_path: Path, key: str, named: str) -> None:
    assert problems(tmp_path, f"url: https://x.org/\n{key}: x\n") == [f"config.yaml:2: unknown setting '{named}'"]


def test_unknown_key_without_a_close_match(tmp_path: Path) -> None:
    assert problems(tmp_path, "url: https://x.org/\nzebra: 1\n") == ["config.yaml:2: unknown setting 'zebra'"]


def test_unknown_feed_key(tmp_path: Path) -> None:
    assert problems(tmp_path, "url: https://x.org/\nfeed: {itmes: 5}\n") == [
        "config.yaml:2: unknown feed setting 'itmes' (did you mean 'items'?)"]


@pytest.mark.parametrize(("line", "message"), [
    ("per_page: many", "'per_page' must be a whole number, not text"),
    ("per_page: true", "'per_page' must be a whole number, not true or false"),
    ("per_page: 2.5", "'per_page' must be a whole number, not a number"),
    ("per_page: 0", "'per_page' must be at least 1"),
    ("title: [a, b]", "'title' must be text, not a list"),
    ("author: {name: x}", "'author' must be text, not a mapping"),
    ("output_dir: ~", "'output_dir' must be text, not empty"),
    ("output_dir: ' '", "'output_dir' must not be empty"),
    ("timezone: Mars/Olympus", "unknown timezone 'Mars/Olympus' (use an IANA name such as Europe/Berlin or UTC)"),
    ("url: example.org", "'url' must be an absolute http(s) URL such as https://example.github.io/notes/, "
                         "not 'example.org'"),
    ("url: ftp://example.org/", "'url' must be an absolute http(s) URL such as https://example.github.io/notes/, "
                                "not 'ftp://example.org/'"),
    ("permalink: /{year}/{nope}/", "'permalink' may only use {year}, {month}, {day} and {slug}, not {nope}"),
    ("permalink: /{year.real}/{slug}/", "'permalink' may only use {year}, {month}, {day} and {slug}, not {year.real}"),
    ("permalink: /{year:>500}/{slug}/", "'permalink' may only use {year}, {month}, {day} and {slug}, not {year}"),
    ("permalink: /{slug[0]}/{slug}/", "'permalink' may only use {year}, {month}, {day} and {slug}, not {slug[0]}"),
    ("permalink: /../../escaped/{slug}/", "'permalink' must not contain '.' or '..' as a folder"),
    ("permalink: /{year}/./{slug}/", "'permalink' must not contain '.' or '..' as a folder"),
    ("permalink: /.git/{slug}/", "'permalink' must not contain '.git' as a folder"),
    ("permalink: /{year}/.GIT/{slug}/", "'permalink' must not contain '.git' as a folder"),
    ("permalink: /{slug}//", "'permalink' must not contain '//' (an empty folder)"),
    ("permalink: //{year}/{slug}/", "'permalink' must not contain '//' (an empty folder)"),
    ("permalink: /{year}/", "'permalink' must start and end with '/' and contain {slug}, e.g. /{year}/{month}/{slug}/"),
    ("feed: 5", "'feed' must be a mapping such as {items: 20, full_content: true}, not a whole number"),
    ("feed: {items: 0}", "'feed.items' must be a whole number of at least 1"),
    ("feed: {full_content: 'yes'}", "'feed.full_content' must be true or false"),
    ("search: 'yes'", "'search' must be true or false, not text"),
    ("url: 'https://[::1/'", "'url' must be an absolute http(s) URL such as https://example.github.io/notes/, "
                             "not 'https://[::1/'"),
    ("url: 'https://example.org:port/'", "'url' must be an absolute http(s) URL such as "
                                         "https://example.github.io/notes/, not 'https://example.org:port/'"),
    ("url: 'https://example.org//notes/'", "'url' must be an absolute http(s) URL such as "
                                           "https://example.github.io/notes/, not 'https://example.org//notes/'"),
    ("search: 1", "'search' must be true or false, not a whole number"),
    ('title: "a\\x1bb"', "'title' contains control character U+001B"),
    ('title: ""', "'title' must not be empty: the header, every page's <title> and the feeds show it"),
    ("url: https://example.org/notes/?q=1", "'url' must be an absolute http(s) URL such as "
                                            "https://example.github.io/notes/, not 'https://example.org/notes/?q=1'"),
    ("url: 'https://example.org/notes/#top'", "'url' must be an absolute http(s) URL such as "
                                              "https://example.github.io/notes/, not 'https://example.org/notes/#top'"),
    ('url: "https://example.org/a\\tb/"', "'url' must be an absolute http(s) URL such as "
                                          "https://example.github.io/notes/, not 'https://example.org/a\\x09b/'"),
])
def test_wrong_values_are_reported_on_their_line(tmp_path: Path, line: str, message: str) -> None:
    first = "title: T" if line.startswith("url:") else "url: https://x.org/"
    assert problems(tmp_path, f"{first}\n# a comment\n{line}\n") == [f"config.yaml:3: {message}"]


def test_white_space_around_a_url_or_cname_is_no_part_of_it(tmp_path: Path) -> None:
    config = loaded(tmp_path, 'url: "https://notes.example.org/\\n"\ncname: " notes.example.org "\n')
    assert (config.url, config.cname) == ("https://notes.example.org/", "notes.example.org")
    assert loaded(tmp_path, 'url: https://example.org/\ncname: "   "\n').cname is None
    assert loaded(tmp_path, 'url: https://xn--mnchen-3ya.example/\ncname: München.example\n').cname == \
        "xn--mnchen-3ya.example"  # a CNAME file holds the name as DNS spells it


@pytest.mark.parametrize("language", ["en US", "en_US", "", " en", "e", "englishlanguage", "en-", "-en",
                                      "en--US", "en-US-x", "de-DE-1996-x-toolongsubtag", "123", "fr-Latn-FRA"])
def test_a_language_that_is_no_bcp_47_tag_is_refused_at_its_line(tmp_path: Path, language: str) -> None:
    assert problems(tmp_path, f"url: https://x.org/\ntitle: T\nlanguage: '{language}'\n") == [
        f"config.yaml:3: 'language' must be a BCP 47 language tag such as en, de or pt-BR, not '{language}'"]


@pytest.mark.parametrize("language", ["en", "de", "pt-BR", "es-419", "zh-Hant-TW", "sl-rozaj-biske", "de-CH-1901",
                                      "en-US-u-ca-gregory", "x-whatever", "en-x-private", "i-klingon", "zh-min-nan",
                                      "EN-us", "ast", "tlh", "en-GB-oed"])
def test_a_bcp_47_language_tag_is_taken(tmp_path: Path, language: str) -> None:
    assert loaded(tmp_path, f"url: https://x.org/\nlanguage: {language}\n").language == language


def test_a_bad_language_fails_the_build_in_one_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", config=CONFIG.replace("language: en", 'language: "en US"'))
    run = run_cli(site, "build")
    assert run.code == 1 and not (site / "build").exists()
    assert [line for line in run.err.splitlines() if line.startswith("config.yaml")] == [
        "config.yaml:5: 'language' must be a BCP 47 language tag such as en, de or pt-BR, not 'en US'"]


def test_every_wrong_feed_setting_at_its_own_line(tmp_path: Path) -> None:
    text = "url: https://x.org/\nfeed:\n  items: 0\n  full_content: 5\n  link_posts: x\n  bogus: 1\n"
    assert problems(tmp_path, text) == [
        "config.yaml:3: 'feed.items' must be a whole number of at least 1",
        "config.yaml:4: 'feed.full_content' must be true or false",
        "config.yaml:5: 'feed.link_posts' must be article or permalink, not 'x'",
        "config.yaml:6: unknown feed setting 'bogus'",
    ]


def test_every_problem_at_once(tmp_path: Path) -> None:
    assert problems(tmp_path, "title: [x]\nper_page: x\nlanguag: en\n") == [
        "config.yaml:1: 'title' must be text, not a list",
        "config.yaml:2: 'per_page' must be a whole number, not text",
        "config.yaml:3: unknown setting 'languag' (did you mean 'language'?)",
        "config.yaml:1: missing required setting 'url' (the site's absolute base URL)",
    ]


def test_a_missing_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert [str(p) for p in load_config(Path("config.yaml"))[1]] == [
        "config.yaml: no config.yaml here (run `linkblog init DIR` to start a site)"]
    assert [str(p) for p in load_config(Path("./config.yaml"))[1]] == [
        "config.yaml: no config.yaml here (run `linkblog init DIR` to start a site)"]
    assert [str(p) for p in load_config(Path("nope.yaml"))[1]] == ["nope.yaml: no such file"]
    assert [str(p) for p in load_config(Path("sub/config.yaml"))[1]] == ["sub/config.yaml: no such file"]
    (tmp_path / "posts").mkdir()
    assert [str(p) for p in load_config(Path("posts"))[1]] == ["posts: is a folder, not a config file"]


def test_missing_and_empty_and_odd_files(tmp_path: Path) -> None:
    assert problems(tmp_path, "") == ["config.yaml:1: missing required setting 'url' (the site's absolute base URL)"]
    assert problems(tmp_path, "- a\n") == ["config.yaml:1: config.yaml must be a mapping of settings"]
    assert problems(tmp_path, "url: https://x.org/\nurl: https://y.org/\n") == [
        "config.yaml:2: invalid YAML: duplicate key 'url'"]


def test_bom_is_accepted_and_bad_bytes_are_located(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_bytes(b"\xef\xbb\xbfurl: https://x.org/\n")
    assert load_config(tmp_path / "config.yaml")[0].url == "https://x.org/"
    (tmp_path / "config.yaml").write_bytes(b"url: https://x.org/\ntitle: Caf\xe9\n")
    assert [str(p) for p in load_config(tmp_path / "config.yaml")[1]] == ["config.yaml:2: not valid UTF-8 (byte 0xe9)"]


# --- the output folder guard -------------------------------------------------------------------------

def refusal(tmp_path: Path, output_dir: str) -> list[str]:
    for folder in ("posts", "templates", "static", ".git"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    config, found = load_config(write(tmp_path, f"url: https://x.org/\noutput_dir: {output_dir}\n"))
    return [str(p) for p in found]


@pytest.mark.parametrize("output_dir", ["build", "public", "../elsewhere", "out/site", "_site"])
def test_ordinary_output_dirs_are_fine(tmp_path: Path, output_dir: str) -> None:
    assert refusal(tmp_path / "site", output_dir) == []


@pytest.mark.parametrize(("output_dir", "what"), [
    (".", "the site itself"), ("./", "the site itself"), ("..", "the site itself"),
    ("posts", "the site's posts/ folder"),
    ("posts/../posts", "the site's posts/ folder"), ("static/out", "the site's static/ folder"),
    ("templates", "the site's templates/ folder"), (".cache", "the site's .cache/ folder"),
    (".git", "the site's .git/ folder"), ("/", "/"),
])
def test_dangerous_output_dirs_are_refused(tmp_path: Path, output_dir: str, what: str) -> None:
    assert refusal(tmp_path / "site", output_dir) == [
        f"config.yaml:2: output_dir '{output_dir}' would replace {what}; choose a folder of its own such as 'build'"]


@pytest.mark.parametrize("output_dir", ["config.yaml", "build"])
def test_an_output_dir_that_is_a_file_is_refused_as_one(tmp_path: Path, output_dir: str) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "build").write_text("a stray file\n")
    assert refusal(tmp_path / "site", output_dir) == [
        f"config.yaml:2: output_dir '{output_dir}' is a file, which a build would replace; move it away or choose "
        "another folder"]


def test_home_and_its_ancestors_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "users" / "me"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    site = tmp_path / "sites" / "blog"
    site.mkdir(parents=True)
    assert refusal(site, "'~'") == [
        "config.yaml:2: output_dir '~' would replace your home folder; choose a folder of its own such as 'build'"]
    assert refusal(site, f"'{home}/'") == [
        f"config.yaml:2: output_dir '{home}/' would replace your home folder; "
        "choose a folder of its own such as 'build'"]
    assert refusal(site, f"{tmp_path / 'users'}") == [
        f"config.yaml:2: output_dir '{tmp_path / 'users'}' would replace a folder holding your home folder; "
        "choose a folder of its own such as 'build'"]
    assert refusal(site, "'~/blog-out'") == []


def test_a_hidden_folder_outside_the_site_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A cloned blog's config (or its build/ as a link) must not put its static files among a program's settings.
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    site = home / "blog"
    site.mkdir(parents=True)
    assert refusal(site, "~/.config/autostart") == [
        "config.yaml:2: output_dir '~/.config/autostart' would replace a folder in .config/, outside the site, where "
        "programs keep their settings; choose a folder of its own such as 'build'"]
    (home / ".local").mkdir()
    (site / "build").symlink_to(home / ".local")
    assert len(refusal(site, "build")) == 1
    assert refusal(site, ".site") == [] and refusal(site, "../public") == []
    hidden_site = home / ".sites" / "notes"  # a site kept in a hidden folder may build beside itself
    hidden_site.mkdir(parents=True)
    assert refusal(hidden_site, "../notes-out") == []


def test_symlink_to_the_site_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    os.symlink(site, tmp_path / "alias")
    assert refusal(site, "../alias") == ["config.yaml:2: output_dir '../alias' would replace the site itself; "
                                         "choose a folder of its own such as 'build'"]


def test_unknown_user_home_is_refused(tmp_path: Path) -> None:
    assert refusal(tmp_path, "~no-such-user-here/out") == [
        "config.yaml:2: output_dir '~no-such-user-here/out' names a home folder that does not exist"]


def test_refused_override_has_no_line(tmp_path: Path) -> None:
    config, found = load_config(write(tmp_path, CONFIG), {"output_dir": "posts"})
    assert [str(p) for p in found] == ["--output: output_dir 'posts' would replace the site's posts/ folder; "
                                       "choose a folder of its own such as 'build'"]


@pytest.mark.parametrize("command", [["build"], ["check"], ["new", "A Title"]])
def test_a_config_named_on_the_command_line_that_is_not_there(tmp_path: Path, command: list[str]) -> None:
    site = make_site(tmp_path / "site")
    assert run_cli(site, "build").code == 0
    before = tree_bytes(site)
    run = run_cli(site, *command, "--config", "nope.yaml")
    assert (run.code, "Traceback" in run.err) == (1, False), run.err
    assert run.err.splitlines()[0] == "nope.yaml: no such file"
    assert tree_bytes(site) == before


def test_no_config_yaml_in_the_folder_suggests_init(tmp_path: Path) -> None:
    run = run_cli(tmp_path, "build")
    assert (run.code, "Traceback" in run.err) == (1, False), run.err
    assert run.err.splitlines()[0] == "config.yaml: no config.yaml here (run `linkblog init DIR` to start a site)"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("url", "cname", "warned"), [
    ("https://notes.example.com/", "notes.example.com", False),
    ("https://Notes.Example.com", "notes.example.com", False),
    ("https://example.github.io/notes/", "notes.example.com", True),  # Pages serves it at the domain's root
    ("https://notes.example.com/blog/", "notes.example.com", True),
    ("https://xn--mnchen-3ya.example/", "münchen.example", False),  # one name, as IDNA and as written
    ("https://münchen.example/", "xn--mnchen-3ya.example", False),
])
def test_a_cname_elsewhere_than_the_url_is_warned_of_at_its_line(tmp_path: Path, url: str, cname: str,
                                                                 warned: bool) -> None:
    config, found = load_config(write(tmp_path, f"url: {url}\ntitle: T\ncname: {cname}\n"), {})
    assert config is not None and config.cname in (cname, "xn--mnchen-3ya.example")  # as DNS spells it
    assert [(p.line, p.warning, f"https://{cname}/" in p.message) for p in found] == ([(3, True, True)] if warned
                                                                                     else [])


@pytest.mark.parametrize("cname", ["https://notes.example.com/", "notes.example.com/blog", "notes.example.com:8080",
                                   "localhost", "me@notes.example.com"])
def test_a_cname_that_is_no_domain_name_is_refused_at_its_line(tmp_path: Path, cname: str) -> None:
    config, found = load_config(write(tmp_path, f"url: https://notes.example.com/\ntitle: T\ncname: '{cname}'\n"), {})
    assert config is None
    assert [(p.path, p.line, p.warning, "cname" in p.message) for p in found] == [("config.yaml", 3, False, True)]


@pytest.mark.parametrize("cname", ["notes.example.com.", "münchen.example", "हिन्दी.example", "''"])
def test_a_cname_that_is_a_domain_name_or_empty_is_taken(tmp_path: Path, cname: str) -> None:
    config, found = load_config(write(tmp_path, f"url: https://notes.example.com/\ntitle: T\ncname: {cname}\n"), {})
    assert config is not None and not [p for p in found if not p.warning]


def test_a_base_url_given_for_one_run_is_not_compared_with_the_cname(tmp_path: Path) -> None:
    config, found = load_config(write(tmp_path, "url: https://notes.example.com/\ncname: notes.example.com\n"),
                                {"url": "http://localhost:8000/"})
    assert config is not None and found == []


# --- mistakes the bug hunt found ----------------------------------------------------------------------

def config_lines(run_err: str) -> list[str]:
    return [line for line in run_err.splitlines() if line.startswith("config.yaml")]


@pytest.mark.parametrize("permalink", ["/{{slug}}/", "/{year}/{{slug}}/{slug}/", "/{{year}}/{slug}/", "/{slug}}}/"])
def test_a_doubled_brace_in_the_permalink_is_refused_at_its_line(tmp_path: Path, permalink: str) -> None:
    [problem] = problems(tmp_path, f"url: https://x.org/\ntitle: T\npermalink: '{permalink}'\n")
    assert problem.startswith("config.yaml:3: 'permalink' must not contain '{{' or '}}'"), problem


def test_a_permalink_without_the_slug_field_fails_the_build_naming_its_line(tmp_path: Path) -> None:
    config = CONFIG.replace("permalink: /{year}/{month}/{slug}/", "permalink: /{{slug}}/")
    site = make_site(tmp_path / "site", {"a.md": "---\ntitle: A\ndate: 2015-06-01\n---\nA\n"}, config=config)
    run = run_cli(site, "build")
    assert (run.code, "Traceback" in run.err) == (1, False), run.err
    assert [line.split(":")[:2] for line in config_lines(run.err)] == [["config.yaml", "9"]]
    assert not (site / "build").exists()


@pytest.mark.parametrize(("line", "hint"), [
    ("items: 5", "'feed.items'"), ("full_content: false", "'feed.full_content'"),
    ("link_posts: permalink", "'feed.link_posts'"),
    ("paginate: 5", "'per_page'"), ("baseURL: https://x.org/", "'url'"), ("baseurl: /notes", "'url'"),
    ("base_url: https://x.org/", "'url'"), ("SITEURL: https://x.org", "'url'"), ("timeZone: UTC", "'timezone'"),
    ("languageCode: en-us", "'language'"), ("publishDir: public", "'output_dir'"),
    ("destination: _site", "'output_dir'"),
])
def test_a_setting_at_the_wrong_level_or_in_another_tools_words_suggests_linkblogs(tmp_path: Path, line: str,
                                                                                  hint: str) -> None:
    key = line.split(":")[0]
    assert problems(tmp_path, f"url: https://x.org/\ntitle: T\n{line}\n") == [
        f"config.yaml:3: unknown setting '{key}' (did you mean {hint}?)"]


def test_a_top_level_setting_inside_feed_is_suggested_at_the_top_level(tmp_path: Path) -> None:
    assert problems(tmp_path, "url: https://x.org/\nfeed:\n  items: 20\n  per_page: 5\n") == [
        "config.yaml:4: unknown feed setting 'per_page' (did you mean 'per_page' at the top level?)"]
    assert problems(tmp_path, "url: https://x.org/\nfeed: {items: 20, per_page: 5}\n") == [
        "config.yaml:2: unknown feed setting 'per_page' (did you mean 'per_page' at the top level?)"]


@pytest.mark.parametrize(("url", "warned"), [
    ("https://notes.example.com:8443/", True),  # Pages serves the custom domain on no other port
    ("http://notes.example.com/", True),
    ("https://notes.example.com:443/", False),  # https's own port, written out
])
def test_a_cname_with_another_scheme_or_port_than_the_url_is_warned_of(tmp_path: Path, url: str,
                                                                      warned: bool) -> None:
    config, found = load_config(write(tmp_path, f"url: {url}\ntitle: T\ncname: notes.example.com\n"), {})
    assert config is not None
    assert [(p.line, p.warning, "https://notes.example.com/" in p.message) for p in found] == (
        [(3, True, True)] if warned else [])


def test_a_cname_warning_does_not_fail_the_build(tmp_path: Path) -> None:
    config = CONFIG.replace("https://example.org/", "http://example.org/") + "cname: example.org\n"
    run = run_cli(make_site(tmp_path / "site", config=config), "build")
    assert run.code == 0, run.err
    assert [line.split(":")[:3] for line in config_lines(run.err)] == [["config.yaml", "11", " warning"]]


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "posix/Europe/Berlin", "right/UTC",
                                  "Posix/UTC"])
def test_a_timezone_that_differs_from_machine_to_machine_is_refused_at_its_line(
        tmp_path: Path, zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import zoneinfo

    # Every command loads the config: naming the zones would walk the disk each time.
    monkeypatch.setattr(zoneinfo, "available_timezones", lambda: pytest.fail("walked every zone"))
    [problem] = problems(tmp_path, f"url: https://x.org/\ntitle: T\ntimezone: {zone}\n")
    assert problem.startswith(f"config.yaml:3: timezone '{zone}' ")
    assert loaded(tmp_path, "url: https://x.org/\ntimezone: Europe/Berlin\n").timezone == "Europe/Berlin"


@pytest.mark.parametrize(("setting", "written", "line"), [("timezone: UTC", "timezone: localtime", "6"),
                                                        ("per_page: 2", "per_page: 030", "7")],
                         ids=["timezone-localtime", "per-page-in-octal"])
def test_a_setting_refused_fails_the_build_at_its_line(tmp_path: Path, setting: str, written: str, line: str) -> None:
    site = make_site(tmp_path / "site", config=CONFIG.replace(setting, written))
    run = run_cli(site, "build")
    assert (run.code, "Traceback" in run.err) == (1, False), run.err
    assert [text.split(":")[:2] for text in config_lines(run.err)] == [["config.yaml", line]]
    assert not (site / "build").exists()


@pytest.mark.parametrize(("value", "shown"), [("no", "'no'"), ("null", "empty"), ("", "empty"), ("yes", "'yes'"),
                                              ("5", "'5'"), ("[a]", "a list")])
def test_a_wrong_link_posts_is_shown_as_written_not_as_python_prints_it(tmp_path: Path, value: str,
                                                                       shown: str) -> None:
    assert problems(tmp_path, f"url: https://x.org/\nfeed:\n  link_posts: {value}\n") == [
        f"config.yaml:3: 'feed.link_posts' must be article or permalink, not {shown}"]


@pytest.mark.parametrize(("line", "kind"), [("per_page: 2015-01-01", "a date"),
                                            ("per_page: 2015-01-01 09:30:00", "a date and time")])
def test_a_date_where_a_number_belongs_is_named_in_words(tmp_path: Path, line: str, kind: str) -> None:
    assert problems(tmp_path, f"url: https://x.org/\n{line}\n") == [
        f"config.yaml:2: 'per_page' must be a whole number, not {kind}"]


@pytest.mark.parametrize(("value", "written", "meant"), [("030", "030", 30), ("007", "007", 7), ("089", "089", 89),
                                                       ("'030'", "030", 30)])
def test_a_whole_number_with_leading_zeros_is_refused_with_the_decimal_to_write(tmp_path: Path, value: str,
                                                                                written: str, meant: int) -> None:
    assert problems(tmp_path, f"url: https://x.org/\nper_page: {value}\nfeed:\n  items: {value}\n") == [
        f"config.yaml:2: 'per_page' must be written without leading zeros: write {meant}, not '{written}'",
        f"config.yaml:4: 'feed.items' must be written without leading zeros: write {meant}, not '{written}'",
    ]


@pytest.mark.parametrize("value", ["1:00", "0x1e", "1_000", "0b11", "-0x1"])
def test_a_whole_number_yaml_1_1_reads_in_another_base_is_refused_at_its_line(tmp_path: Path, value: str) -> None:
    found = problems(tmp_path, f"url: https://x.org/\nper_page: {value}\nfeed: {{items: {value}}}\n")
    assert [p.split(": ", 1)[0] for p in found] == ["config.yaml:2", "config.yaml:3"]
    assert all(f"not '{value}'" in p for p in found), found


def test_whole_numbers_in_decimal_digits_are_taken(tmp_path: Path) -> None:
    config = loaded(tmp_path, "url: https://x.org/\nper_page: +30\nfeed: {items: 100}\n")
    assert (config.per_page, config.feed.items) == (30, 100)




def test_a_site_text_written_over_lines_is_one_line(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, "url: https://x.org/\ntitle: |\n  Line one\n  Line two\n"
                                                   "description: >\n  folded\n  text\nauthor: \"Ann\\n Lee \"\n"))
    assert problems == [] and config is not None
    assert (config.title, config.description, config.author) == ("Line one Line two", "folded text", "Ann Lee")



def test_a_site_title_keeps_its_lone_no_break_space(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, 'url: https://x.org/\ntitle: "Carnet\\u00a0: liens"\n'))
    assert problems == [] and config is not None and config.title == "Carnet\u00a0: liens"


@pytest.mark.parametrize(("written", "kept"), [("Notes.Example.COM", "notes.example.com"),
                                               ("notes.example.com.", "notes.example.com"),
                                               ("München.example.", "xn--mnchen-3ya.example")])
def test_a_cname_is_written_as_dns_spells_it(tmp_path: Path, written: str, kept: str) -> None:
    config, problems = load_config(write(tmp_path, f"url: https://{kept}/\ncname: {written}\n"))
    assert problems == [] and config is not None and config.cname == kept


@pytest.mark.parametrize("line", ["cname: 1.2.3.4", "url: https://me:secret@example.org/"])
def test_an_ip_address_cname_and_a_url_with_a_password_are_refused(tmp_path: Path, line: str) -> None:
    config, problems = load_config(write(tmp_path, "url: https://example.org/\n" + line + "\n"))
    assert config is None and len(problems) == 1 and problems[0].line == 2


@pytest.mark.parametrize(("key", "meant"), [("TIMEZONE", "timezone"), ("SITENAME", "title"),
                                            ("DEFAULT_PAGINATION", "per_page")])
def test_pelicans_names_are_told_linkblogs(tmp_path: Path, key: str, meant: str) -> None:
    config, problems = load_config(write(tmp_path, f"url: https://example.org/\n{key}: x\n"))
    assert config is None and f"'{meant}'" in problems[0].message


def test_an_author_description_or_feed_written_with_nothing_after_it_is_the_empty_one(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, "url: https://x.org/\nauthor:\ndescription:\nfeed:\n"))
    assert problems == [] and config is not None
    assert (config.author, config.description, config.feed.items) == ("", "", 20)  # the documented default


def test_a_site_in_a_folder_whose_path_is_not_utf8_is_refused_in_one_line(tmp_path: Path) -> None:
    # Templates' names and the cache hold the site's path as UTF-8 text: a Latin-1 folder name cannot be.
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9"))
    site = make_site(folder / "site", {})
    run = run_cli(site, "build")
    assert (run.code, run.err.splitlines()[0]) == (1, f"config.yaml: is in a folder whose path is not valid UTF-8 "
                                                      f"({bytes(tmp_path).decode()}/caf\\xe9/site): rename the folder")
    assert not (site / "build").exists()


@pytest.mark.parametrize(("url", "write"), [
    ("https://user.github.io/x/../y/", "https://user.github.io/y/"),
    ("https://user.github.io/./notes/", "https://user.github.io/notes/"),
    ("https://user.github.io/notes/%2E%2e/", "https://user.github.io/"),  # a dot to browsers, encoded or not
])
def test_a_url_with_dot_segments_fails_the_build_with_the_url_to_write(tmp_path: Path, url: str, write: str) -> None:
    site = make_site(tmp_path / "site", config=CONFIG.replace("https://example.org/", url))
    run = run_cli(site, "build")
    assert (run.code, "Traceback" in run.err) == (1, False), run.err
    assert config_lines(run.err) == [f"config.yaml:2: 'url' must not hold . or .. path segments, which browsers "
                                     f"resolve away: write {write}, not '{url}'"]
    assert not (site / "build").exists()


@pytest.mark.parametrize(("url", "write"), [("https://user.github.io/notes/index.html", "https://user.github.io/notes/"),
                                            ("https://example.org/index.html/", "https://example.org/")])
def test_a_base_url_naming_the_home_page_fails_the_build_with_the_folder_to_write(tmp_path: Path, url: str,
                                                                                  write: str) -> None:
    site = make_site(tmp_path / "site")
    run = run_cli(site, "build", "--base-url", url)
    assert (run.code, "Traceback" in run.err) == (1, False), run.err
    assert [line for line in run.err.splitlines() if line.startswith("--base-url")] == [
        f"--base-url: 'url' must be the folder the site lives in, not its home page: write {write}, not '{url}'"]
    assert not (site / "build").exists()


@pytest.mark.parametrize(("typed", "spelled"), [
    ("https://USER.GitHub.IO:443/MyBlog/", "https://user.github.io/MyBlog/"),  # a path keeps its case
    ("http://Notes.Example.ORG:80/", "http://notes.example.org/"),
    ("https://Bücher.example:8443/b/", "https://xn--bcher-kva.example:8443/b/"),  # a port of its own is kept
])
def test_a_url_is_published_with_its_host_as_browsers_spell_it(tmp_path: Path, typed: str, spelled: str) -> None:
    # Canonical links, feed ids and the sitemap must not change with how the address was typed.
    built = {}
    for name, url in (("typed", typed), ("spelled", spelled)):
        site = make_site(tmp_path / name, SAMPLE_POSTS, config=CONFIG.replace("https://example.org/", url))
        assert run_cli(site, "build").code == 0
        built[name] = tree_bytes(site / "build")
    assert built["typed"] == built["spelled"]
    home = BeautifulSoup(built["typed"]["index.html"], "html.parser")
    assert home.find("link", rel="canonical")["href"] == spelled
    assert f"<id>{spelled}</id>" in built["typed"]["atom.xml"].decode()
    assert f"<loc>{spelled}</loc>" in built["typed"]["sitemap.xml"].decode()

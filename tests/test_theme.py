"""theme.py: where the default theme is found, and the order of template and static folders."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CONFIG, SAMPLE_POSTS, clean_build, make_site, run_cli
from lxml import html

import linkblog.theme
from linkblog.theme import own_templates, static_dirs, template_dirs, theme_dir

REPO = Path(__file__).resolve().parents[1]
POSTS = {name: SAMPLE_POSTS[name] for name in ("2015-06-01-work-vs-progress.md",)}


@pytest.fixture
def wheel_theme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The module as a wheel installs it: linkblog/theme/{templates,static} beside linkblog/theme.py."""
    package = (tmp_path / "site-packages" / "linkblog").resolve()
    (package / "theme" / "templates").mkdir(parents=True)
    (package / "theme" / "static").mkdir()
    monkeypatch.setattr(linkblog.theme, "__file__", str(package / "theme.py"))
    return package / "theme"


def test_in_this_checkout_the_theme_is_the_repo_root() -> None:
    assert theme_dir() == REPO
    assert (theme_dir() / "templates" / "base.html").is_file()
    assert (theme_dir() / "static" / "style.css").is_file()


def test_an_installed_wheel_has_its_theme_inside_the_package(wheel_theme: Path) -> None:
    assert theme_dir() == wheel_theme


def test_a_checkout_elsewhere_has_its_theme_two_folders_above_the_package(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "checkout" / "src" / "linkblog"
    package.mkdir(parents=True)
    monkeypatch.setattr(linkblog.theme, "__file__", str(package / "theme.py"))
    assert theme_dir() == (tmp_path / "checkout").resolve()


def test_a_package_theme_folder_without_templates_is_not_the_theme(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # A stray linkblog/theme/ in a checkout (static files only, say) must not hide the theme at its root.
    package = tmp_path / "checkout" / "src" / "linkblog"
    (package / "theme" / "static").mkdir(parents=True)
    monkeypatch.setattr(linkblog.theme, "__file__", str(package / "theme.py"))
    assert theme_dir() == (tmp_path / "checkout").resolve()
    (package / "theme" / "templates").write_text("a file, not a folder")
    assert theme_dir() == (tmp_path / "checkout").resolve()


def test_without_its_own_templates_a_site_uses_the_themes_alone(tmp_path: Path, wheel_theme: Path) -> None:
    site = make_site(tmp_path / "site")
    assert template_dirs(site) == [wheel_theme / "templates"]
    assert static_dirs(site) == [wheel_theme / "static"]


def test_a_sites_templates_come_before_the_themes(tmp_path: Path, wheel_theme: Path) -> None:
    site = make_site(tmp_path / "site", files={"templates/post.html": "mine", "static/style.css": "mine"})
    assert template_dirs(site) == [(site / "templates").resolve(), wheel_theme / "templates"]


def test_a_site_has_templates_of_its_own_only_where_they_differ_from_the_themes(tmp_path: Path,
                                                                              wheel_theme: Path) -> None:
    (wheel_theme / "templates" / "_partials").mkdir()
    for name in ("post.html", "_partials/x.html"):
        (wheel_theme / "templates" / name).write_text(f"theme {name}")
    site = make_site(tmp_path / "site")
    assert not own_templates(site)  # no templates folder
    (site / "templates").mkdir()
    assert not own_templates(site)  # an empty one
    (site / "templates" / "_partials").mkdir()
    for name in ("post.html", "_partials/x.html"):
        (site / "templates" / name).write_text(f"theme {name}")
    assert not own_templates(site)  # copies of the theme's, as `linkblog new` makes
    (site / "templates" / "_partials" / "x.html").write_text("mine")
    assert own_templates(site)
    (site / "templates" / "_partials" / "x.html").write_text("theme _partials/x.html")
    (site / "templates" / "extra.html").write_text("theme post.html")  # one the theme lacks
    assert own_templates(site)


def test_a_sites_static_files_come_after_the_themes_so_they_are_copied_over_them(tmp_path: Path,
                                                                                 wheel_theme: Path) -> None:
    site = make_site(tmp_path / "site", files={"templates/post.html": "mine", "static/style.css": "mine"})
    assert static_dirs(site) == [wheel_theme / "static", (site / "static").resolve()]


def test_a_file_named_templates_or_static_is_listed_to_be_named_but_holds_no_template(tmp_path: Path,
                                                                                      wheel_theme: Path) -> None:
    site = make_site(tmp_path / "site", files={"templates": "a file", "static": "a file"})
    assert template_dirs(site) == [(site / "templates").resolve(), wheel_theme / "templates"]
    assert static_dirs(site) == [wheel_theme / "static", (site / "static").resolve()]
    assert not own_templates(site)


def test_a_site_at_the_themes_own_root_lists_each_folder_once() -> None:
    # The repo's example site (config.yaml at the top of the checkout) is built with the theme's own folders.
    assert template_dirs(REPO) == [REPO / "templates"]
    assert static_dirs(REPO) == [REPO / "static"]


def test_a_site_whose_folders_link_to_the_themes_lists_each_once(tmp_path: Path, wheel_theme: Path) -> None:
    site = make_site(tmp_path / "site")
    (site / "templates").symlink_to(wheel_theme / "templates", target_is_directory=True)
    (site / "static").symlink_to(wheel_theme / "static", target_is_directory=True)
    assert template_dirs(site) == [wheel_theme / "templates"]
    assert static_dirs(site) == [wheel_theme / "static"]


def test_a_relative_site_root_gives_absolute_folders(tmp_path: Path, wheel_theme: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "site", files={"templates/post.html": "mine", "static/style.css": "mine"})
    monkeypatch.chdir(site)
    assert template_dirs(Path(".")) == [site.resolve() / "templates", wheel_theme / "templates"]
    assert static_dirs(Path(".")) == [wheel_theme / "static", site.resolve() / "static"]


# The order at work in a build, with the real theme.

def test_a_build_uses_the_sites_template_and_static_file_over_the_themes(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", POSTS, files={"templates/robots.txt": "User-agent: mine\n",
                                                      "static/style.css": "body { color: rgb(1, 2, 3) }\n"})
    built = clean_build(site, tmp_path / "out")
    assert built["robots.txt"] == b"User-agent: mine\n"
    assert built["style.css"] == b"body { color: rgb(1, 2, 3) }\n"
    # The theme's other files still fill in what the site does not have.
    assert built["favicon.ico"] == (REPO / "static" / "favicon.ico").read_bytes()
    assert b"Work vs. Progress" in built["2015/06/work-vs-progress/index.html"]


@pytest.mark.parametrize("kind", ["file", "link to nothing"])
def test_a_templates_or_static_that_is_no_folder_is_named_and_the_theme_used(tmp_path: Path, kind: str) -> None:
    """Only a folder plainly absent falls back to the theme without a word: a file or a link to nothing in its
    place is a slip (a folder moved, a copy gone wrong) that would publish the default theme unsaid."""
    site = make_site(tmp_path / "site", POSTS)
    assert run_cli(site, "build").code == 0  # built before the slip: the next build must see it all the same
    for name in ("templates", "static"):
        if kind == "file":
            (site / name).write_text("not a folder\n")
        else:
            (site / name).symlink_to(tmp_path / "moved-away", target_is_directory=True)
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    warned = [line for line in run.err.splitlines() if line.startswith(("templates:", "static:"))]
    assert [line.split(":")[0] for line in warned] == ["static", "templates"]
    assert all(line.split(":")[1] == " warning" for line in warned)
    assert (site / "build" / "style.css").read_bytes() == (REPO / "static" / "style.css").read_bytes()
    for name in ("templates", "static"):
        (site / name).unlink()
    assert run_cli(site, "build").err == ""  # no such folder: the theme's, as intended


# A right-to-left language lays the theme out right to left: <html dir> on every page, from the tag's script subtag
# when it has one, else from its language's usual script.
@pytest.mark.parametrize(("language", "direction"), [
    ("ar", "rtl"), ("he-IL", "rtl"), ("fa", "rtl"), ("ckb", "rtl"), ("az-Arab", "rtl"), ("ar-Latn", "ltr"),
    ("ku-Latn", "ltr"), ("en", "ltr"), ("zh-Hant-TW", "ltr"), ("en-x-arab", "ltr")])
def test_every_page_says_which_way_its_language_is_written(tmp_path: Path, language: str, direction: str) -> None:
    site = make_site(tmp_path / "site", POSTS, config=CONFIG.replace("language: en", f"language: {language}"))
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    pages = sorted((site / "build").rglob("*.html"))
    assert len(pages) > 5
    for path in pages:
        root = html.fromstring(path.read_bytes())
        assert (root.get("lang"), root.get("dir")) == (language, direction), path

"""theme.py: where the default theme is found, and the order of template and static folders; and what the
default theme's pages say to a screen reader and show the eye."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CONFIG, SAMPLE_POSTS, clean_build, make_site, post_text, run_cli
from lxml import html
from playwright.sync_api import Browser, Page, sync_playwright
from test_browser import ARGS, CHROMIUM, SIZES, contrast, serving, visit

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


# What a screen reader says of the theme's pages, as the browser hands it over, and what the eye sees of it.
A11Y_POSTS = {**SAMPLE_POSTS, "2015-06-20-more-berkun.md": post_text(
    "Meetings are work", "2015-06-20 09:00", "> Meet less.\n\nTrue.", tags="[management]",
    link="https://scottberkun.com/2015/meetings/", source="Scott Berkun")}
WORD = "apologising"  # in one post's words only


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The six-post site, with search, built for and served at a local address; that address and the output."""
    site = make_site(tmp_path_factory.mktemp("a11y") / "site", A11Y_POSTS, CONFIG + "search: true\n")

    def build(base: str) -> Path:
        run = run_cli(site, "build", "--base-url", base)
        assert run.code == 0, run.err
        return site / "build"

    with serving(site, "/", build) as base:
        yield base, site / "build"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def built_page(served: tuple[str, Path], rel: str) -> html.HtmlElement:
    return html.fromstring((served[1] / rel / "index.html").read_bytes())


def spoken(element: html.HtmlElement) -> str:
    """An element's text as a screen reader reads it: what aria-hidden hides left out, spaces collapsed."""
    return " ".join(unhidden_text(element).split())


def unhidden_text(element: html.HtmlElement) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.get("aria-hidden") != "true":
            parts.append(unhidden_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def link_names(page: Page) -> list[tuple[str, str]]:
    """(name, address) of every link on the page, as Chromium hands them to a screen reader."""
    nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    return [(" ".join(node["name"]["value"].split()), url(node)) for node in nodes
            if node.get("role", {}).get("value") == "link"]


def url(node: dict) -> str:
    return next(p["value"]["value"] for p in node.get("properties", []) if p["name"] == "url")


@pytest.mark.parametrize(("rel", "names"), [
    ("", ["Older"]), ("page/2", ["Newer", "Older"]), ("2015", ["2016", "Older"]), ("2015/06", ["All of 2015"]),
    ("2015/06/work-vs-progress", ["Meetings are work", "Some Customers Suck", "Meetings are work"])])
def test_a_links_arrow_is_not_read_out(served: tuple[str, Path], rel: str, names: list[str]):
    # "Older rightwards arrow": the arrow only points the way, which the link's words say already.
    links = [a for a in built_page(served, rel).iter("a") if a.find_class("arrow")]
    assert [spoken(a) for a in links] == names
    assert all(a.find_class("arrow")[0].text in "←→" for a in links)  # still drawn


def test_each_order_of_the_sources_has_a_title_and_heading_of_its_own(served: tuple[str, Path]):
    pages = [built_page(served, rel) for rel in ("sources", "sources/by-name", "sources/recent")]
    headings = [spoken(page.find(".//h1")) for page in pages]
    assert headings == ["Sources", "Sources, by name", "Sources, most recent"]
    assert [page.findtext(".//title") for page in pages] == [f"{h} – Test Notes" for h in headings]


@pytest.mark.parametrize(("rel", "rows"), [
    ("2015", ["April 1 post", "June 2 posts", "September 1 post"]),
    ("tag", ["business 1 post", "customer-success 1 post", "management 2 posts", "support 4 posts", "work 1 post"])])
def test_a_count_after_a_name_is_read_as_posts_not_a_date(served: tuple[str, Path], rel: str, rows: list[str]):
    # "June 2" alone reads as a date.
    assert [spoken(li) for li in built_page(served, rel).xpath("//li[span[@class='count']]")] == rows


def test_the_word_after_a_count_is_not_shown(served: tuple[str, Path], chromium: Browser):
    page, problems = visit(chromium, served[0] + "tag/", SIZES["desktop"])
    sizes = page.locator("ul.counts .visually-hidden").evaluate_all(
        "es => es.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])")
    assert len(sizes) == 5 and all(width <= 1 and height <= 1 for width, height in sizes)
    assert not problems
    page.context.close()


def test_an_outbound_link_is_named_apart_and_no_arrow_is_read_out(served: tuple[str, Path], chromium: Browser):
    base = served[0]
    page, problems = visit(chromium, base + "2015/06/work-vs-progress/", SIZES["desktop"])
    names = link_names(page)
    assert ("Work vs. Progress (external link)", "https://scottberkun.com/2015/work-vs-progress/") in names
    assert ("Meetings are work", base + "2015/06/more-berkun/") in names  # the neighbour's link, without its arrow
    assert not [name for name, _ in names if "arrow" in name or set(name) & set("←→↗")]
    assert page.eval_on_selector("a.outbound", "a => getComputedStyle(a, '::after').content").startswith('" ↗"')
    assert not problems
    page.context.close()


# True once the live region says what Pagefind's line under the box shows of a search for the word.
ANNOUNCED = """word => {
    const status = document.getElementById("search-status"), shown = document.querySelector(".pagefind-ui__message");
    return !!shown && status.textContent === shown.textContent.trim() && status.textContent.includes(word); }"""


def test_the_search_page_reads_out_how_many_posts_it_found(served: tuple[str, Path], chromium: Browser):
    page, problems = visit(chromium, served[0] + f"search/?q={WORD}", SIZES["desktop"])
    status = page.get_by_role("status")
    page.wait_for_function(ANNOUNCED, arg=WORD)
    first = status.text_content()
    page.locator(".pagefind-ui__search-input").fill("support")  # a new search is read out too
    page.wait_for_function(ANNOUNCED, arg="support")
    assert status.text_content() != first
    box = status.bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1  # Pagefind's own line shows it: not said twice to the eye
    assert not problems
    page.context.close()


def border_contrast(page: Page, selector: str) -> float:
    """The WCAG contrast ratio of an element's top border on its own, opaque background."""
    return page.eval_on_selector(selector, """e => {
        const lum = c => c.match(/[\\d.]+/g).slice(0, 3).map(v => v / 255)
            .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
        const style = getComputedStyle(e), [a, b] = [style.borderTopColor, style.backgroundColor].map(lum);
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }""")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_page_s_box_and_its_placeholder_are_plain_to_see(served: tuple[str, Path], chromium: Browser,
                                                                    scheme: str):
    page, problems = visit(chromium, served[0] + "search/", SIZES["phone"], scheme)
    box = ".search .pagefind-ui__search-input"
    page.locator(box).blur()  # as it looks before it is chosen (the page gives it the focus)
    assert contrast(page, box, "::placeholder") >= 4.5
    assert border_contrast(page, box) >= 3
    assert not problems
    page.context.close()

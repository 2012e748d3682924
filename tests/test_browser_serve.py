"""`linkblog serve --watch` in a real browser: Debian's chromium (via Playwright) on a page the real command serves.

The site is edited on disk as a writer does, and the open page must follow: reload with the new
text, swap a changed stylesheet in place, and show a broken post's problems over the last good page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import SAMPLE_POSTS, make_site, post_text
from playwright.sync_api import Browser, Page, expect, sync_playwright
from test_e2e_serve import POST, POST_URL, STATIC, SUB_PATH, UNRELATED_URL, Serve, edit

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
UNRELATED = "posts/2016-01-14-stop-apologising.md"
WAIT_MS = 30_000  # a generous bound for a slow machine; each wait ends as soon as its condition holds
# Runs in every document before its own scripts: counts the tab's page loads (sessionStorage outlives a
# reload, so a reload shows as a second load) and keeps each EventSource, to know when the page listens
# and which build events it was told.
TRACK = """
sessionStorage.setItem("loads", String(Number(sessionStorage.getItem("loads") || 0) + 1));
window.linkblogTest = {sources: [], builds: []};
window.EventSource = class extends window.EventSource {
  constructor(...args) {
    super(...args);
    window.linkblogTest.sources.push(this);
    this.addEventListener("build", (event) => window.linkblogTest.builds.push(JSON.parse(event.data)));
  }
};
"""
LISTENING = "() => linkblogTest.sources.length > 0 && linkblogTest.sources.every(s => s.readyState === 1)"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The five-post site at https://example.org/notes/, with a stylesheet of its own."""
    return make_site(tmp_path / "site", SAMPLE_POSTS, config=SUB_PATH, files=STATIC)


@pytest.fixture
def server(site: Path, tmp_path: Path) -> Iterator[Serve]:
    """The real `linkblog serve --watch --port 0` on the site, stopped after the test."""
    running = Serve(site, tmp_path / "temp", "--watch")
    yield running
    if running.process.poll() is None:
        assert running.stop() == 0


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser: Browser, server: Serve) -> Iterator[Callable[[str], Page]]:
    """Open a path of the preview in a fresh tab that listens for builds; its page errors fail the test."""
    context = browser.new_context()
    context.add_init_script(TRACK)
    errors: list[str] = []

    def visit(path: str, status: int = 200) -> Page:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
        response = page.goto(server.url.removesuffix("/notes/") + path)
        assert response is not None and response.status == status, path
        listening(page)
        return page
    yield visit
    context.close()
    assert not errors


def listening(page: Page) -> None:
    """Wait until the page's event stream is open: from then on, every build is told to it."""
    page.wait_for_function(LISTENING, timeout=WAIT_MS)


def loads(page: Page) -> int:
    return int(page.evaluate("sessionStorage.getItem('loads')"))


def test_editing_the_post_reloads_the_open_page_with_the_new_text(open_page: Callable[[str], Page], site: Path):
    page = open_page(POST_URL)
    expect(page.locator("article")).to_contain_text("My note.")
    edit(site / POST, "My note.", "My edited note.")
    expect(page.locator("article")).to_contain_text("My edited note.", timeout=WAIT_MS)
    assert loads(page) == 2
    expect(page.locator("h1")).to_have_text("Work vs. Progress")


def test_a_page_the_edit_did_not_change_is_not_reloaded(open_page: Callable[[str], Page], site: Path):
    post, unrelated = open_page(POST_URL), open_page(UNRELATED_URL)
    edit(site / POST, "My note.", "My edited note.")
    expect(post.locator("article")).to_contain_text("My edited note.", timeout=WAIT_MS)
    unrelated.wait_for_function("() => linkblogTest.builds.length === 1", timeout=WAIT_MS)
    edit(site / UNRELATED, "Yes.", "Yes, edited.")  # now it changes: the one reload it gets
    expect(unrelated.locator("article")).to_contain_text("Yes, edited.", timeout=WAIT_MS)
    assert loads(unrelated) == 2


def test_a_not_found_page_reloads_when_a_post_is_written_at_its_address(open_page: Callable[..., Page],
                                                                          site: Path):
    page = open_page("/notes/2017/03/fresh/", 404)
    expect(page.locator("h1")).to_have_text("Page not found")
    (site / "posts" / "2017-03-03-fresh.md").write_text(post_text("Fresh", "2017-03-03 10:00", "Just written.",
                                                                  tags="[x]"))
    expect(page.locator("article")).to_contain_text("Just written.", timeout=WAIT_MS)
    assert loads(page) == 2


def test_editing_the_stylesheet_swaps_it_without_a_reload(open_page: Callable[[str], Page], site: Path):
    page = open_page(POST_URL)
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(1, 2, 3)"
    (site / "static" / "style.css").write_text("body { color: rgb(4, 5, 6) }\n")
    page.wait_for_function("() => getComputedStyle(document.body).color === 'rgb(4, 5, 6)'", timeout=WAIT_MS)
    assert loads(page) == 1
    assert page.evaluate("linkblogTest.builds.map(b => b.styles)") == [["/notes/style.css"]]


def test_editing_a_stylesheet_the_stylesheet_imports_reloads_the_page(open_page: Callable[[str], Page], site: Path):
    page = open_page(POST_URL)
    paragraph = "getComputedStyle(document.querySelector('article p')).color"
    (site / "static" / "css").mkdir()
    (site / "static" / "css" / "part.css").write_text("p { color: rgb(7, 8, 9) }\n")
    (site / "static" / "style.css").write_text('@import url("css/part.css");\nbody { color: rgb(1, 2, 3) }\n')
    page.wait_for_function(f"() => {paragraph} === 'rgb(7, 8, 9)'", timeout=WAIT_MS)  # swapped in: no reload
    assert loads(page) == 1
    (site / "static" / "css" / "part.css").write_text("p { color: rgb(10, 11, 12) }\n")
    page.wait_for_function(f"() => {paragraph} === 'rgb(10, 11, 12)'", timeout=WAIT_MS)
    assert loads(page) == 2


def test_a_broken_post_shows_its_file_and_line_over_the_last_good_page_until_fixed(
        open_page: Callable[[str], Page], site: Path):
    page = open_page(POST_URL)
    overlay = page.locator("#linkblog-problems")
    good = (site / POST).read_text(encoding="utf-8")
    (site / POST).write_text(good.replace("tags: [management, work]", "tags: [management, work"))
    expect(overlay).to_be_visible(timeout=WAIT_MS)
    expect(overlay.locator("li")).to_have_count(1)
    expect(overlay.locator("li")).to_contain_text(f"{POST}:4: ")
    expect(page.locator("h1")).to_have_text("Work vs. Progress")  # the last good page, under the overlay
    expect(overlay.locator("strong")).to_contain_text("this is the last good page")
    assert loads(page) == 1

    page.reload()  # a page opened while the build is broken shows the problems too
    listening(page)
    expect(overlay.locator("li")).to_contain_text(f"{POST}:4: ")

    (site / POST).write_text(good.replace("My note.", "My fixed note."))
    expect(page.locator("article")).to_contain_text("My fixed note.", timeout=WAIT_MS)
    expect(overlay).to_have_count(0)
    assert loads(page) == 3


def test_the_overlay_shows_markup_in_a_problem_as_text(open_page: Callable[[str], Page], site: Path):
    page = open_page(POST_URL)
    name = 'posts/<img src=x onerror=alert(1)>.md'
    (site / name).write_text("---\ntitle: [broken\n---\nWords.\n")
    item = page.locator("#linkblog-problems li")
    expect(item).to_contain_text(name + ":2: ", timeout=WAIT_MS)
    expect(page.locator("#linkblog-problems img")).to_have_count(0)
    (site / name).unlink()
    expect(page.locator("#linkblog-problems")).to_have_count(0, timeout=WAIT_MS)

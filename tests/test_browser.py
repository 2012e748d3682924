"""The example site in a real browser (Debian's chromium via Playwright), served under /notes/."""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import CONFIG, make_site, post_text, run_cli
from playwright.sync_api import Browser, Page, sync_playwright
from test_example_site import build_example

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MOUNT = "/notes/"
# Every page kind a reader meets, screenshotted at each size in each scheme; one more page is one more entry.
PAGES = {"home": "", "post": "2015/06/work-vs-progress/", "tag": "tag/support/", "year": "2015/",
         "source": "source/scott-berkun/", "archive": "archive/", "stats": "stats/", "search": "search/"}
# A word only one post of the example has in its words, and that post (the example sets `search: true`).
WORD, FOUND, FOUND_AT = "eighty", "Work vs. Progress", "2015/06/work-vs-progress/"
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
ACCENTS = {"light": "#8a3b12", "dark": "#f0a06a"}


class MountedHandler(SimpleHTTPRequestHandler):
    """Serves the output folder under its mount only, as GitHub Pages serves a project site."""

    def __init__(self, *args: object, mount: str = MOUNT, **kwargs: object):
        self.mount = mount  # before the base class's __init__, which handles the request
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.mount):
            return str(Path(self.directory) / "no-such-file")
        return super().translate_path("/" + path[len(self.mount):])

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reports failures itself."""


@contextmanager
def serving(root: Path, mount: str, build: Callable[[str], Path] | None = None) -> Iterator[str]:
    """The example site (or what `build` writes for a base URL) built for and served at
    http://127.0.0.1:PORT{mount} (a free port)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), None)  # type: ignore[arg-type]
    base = f"http://127.0.0.1:{httpd.server_address[1]}{mount}"
    out = build(base) if build else build_example(root, "--base-url", base)[0]
    httpd.RequestHandlerClass = functools.partial(  # type: ignore[assignment]
        MountedHandler, directory=str(out), mount=mount)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site under /notes/, as a GitHub Pages project site."""
    with serving(tmp_path_factory.mktemp("browser"), MOUNT) as base:
        yield base


@pytest.fixture(scope="module")
def root_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site at a domain's root."""
    with serving(tmp_path_factory.mktemp("browser-root"), "/") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def visit(browser: Browser, url: str, size: tuple[int, int], scheme: str = "light") -> tuple[Page, list[str]]:
    """Open url in a fresh context; the page and every console error or failed request seen loading it."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("networkidle")
    return page, problems


def style(page: Page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).getPropertyValue('{prop}').trim()")


def screenshot(page: Page, folder: Path, name: str) -> Path:
    """A full-page PNG in folder, copied into $LINKBLOG_SCREENSHOTS too when it names a folder to look at."""
    shot = folder / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    kept = os.environ.get("LINKBLOG_SCREENSHOTS")
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(kept) / shot.name)
    return shot


def font_size(page: Page, selector: str) -> float:
    """The largest computed font size, in pixels, of the elements matching selector (0 when none does)."""
    return page.eval_on_selector_all(
        selector, "es => Math.max(0, ...es.map(e => parseFloat(getComputedStyle(e).fontSize)))")


@pytest.mark.parametrize("scheme", ACCENTS)
@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("size", SIZES)
def test_pages_load_cleanly_styled_and_fit(browser: Browser, server: str, tmp_path: Path, name: str, size: str,
                                           scheme: str):
    page, problems = visit(browser, server + PAGES[name], SIZES[size], scheme)
    assert not problems
    assert style(page, "html", "--accent") == ACCENTS[scheme]
    assert style(page, "body", "max-width") == "640px"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "page scrolls sideways"
    if page.locator("h1.page-title").count():  # a page's title is its largest heading, in the text's colour
        assert font_size(page, "h1.page-title") > font_size(page, "main h2, main h3, .h-entry .p-name")
        assert style(page, "h1.page-title", "color") == style(page, "body", "color")
    shot = screenshot(page, tmp_path, f"{name}-{size}-{scheme}")
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 5000
    page.context.close()


LONG_TITLE = "https://www.example.com/2024/05/21/24161253/a-very-long-address-used-as-the-title-of-a-post"
WIDE_TABLE = "| " + " | ".join(f"Column {i}" for i in range(10)) + " |\n" + "|---" * 10 + "|\n" + \
    "| " + " | ".join(f"value-{i}-without-spaces" for i in range(10)) + " |\n"


@pytest.mark.parametrize("path", ["", "archive/", "2024/05/a-long-title/", "2024/05/a-wide-table/"])
def test_long_words_and_wide_tables_never_make_a_page_scroll_sideways(browser: Browser, tmp_path: Path, path: str):
    site = make_site(tmp_path / "site", {
        "a.md": post_text(LONG_TITLE, "2024-05-21 09:00", "Words.", slug="a-long-title"),
        "b.md": post_text("A wide table", "2024-05-22 09:00", WIDE_TABLE)})

    def build(base: str) -> Path:
        assert run_cli(site, "build", "--base-url", base).code == 0
        return site / "build"

    with serving(tmp_path, "/", build) as base:
        page, problems = visit(browser, base + path, SIZES["phone"])
        assert not problems
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "page scrolls sideways"
        page.context.close()


# Posts that once pushed a phone's page sideways or cut the stats' labels: a video's iframe and a wide SVG; titles, a
# tag and a source's name of one long word or in wide capitals; a long line of code and a wide table. The newest post
# is in December, so that the months chart starts with a January.
GERMAN = "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft"
LONG_CODE = "```\n" + "print('a line of code too long for a page', " * 4 + f"'https://example.com/{'x' * 90}')\n```\n"
EMBEDS = ('<iframe width="560" height="315" src="about:blank" title="The talk"></iframe>\n\n'
          '<svg width="700" height="100" viewBox="0 0 700 100"><rect width="700" height="100"/></svg>\n\nWorth it.')
STRESS = {
    "a.md": post_text("A talk", "2024-01-10 09:00", EMBEDS, link="https://example.com/talk", source="YouTube"),
    "b.md": post_text("Reading SimpleBeanFactoryAwareAspectInstanceFactory", "2024-06-01 09:00", "> A quote.",
                      tags="[ÜBERWACHUNGSKAMERAS, SimpleBeanFactoryAwareAspectInstanceFactory]",
                      link="https://example.com/b", source="THE NEW YORK TIMES MAGAZINE", slug="long"),
    "c.md": post_text(GERMAN, "2024-07-01 09:00", "> A quote.", link="https://example.com/c",
                      source="THE NEW YORK TIMES MAGAZINE"),
    "d.md": post_text("Wide things", "2024-12-01 09:00", LONG_CODE + "\n" + WIDE_TABLE, slug="wide",
                      link="https://example.com/d", source="Averyveryverylongsourcenamewithoutspacesthatshouldwrap"),
    "e.md": post_text(LONG_TITLE, "2024-08-01 09:00", f"A {GERMAN} in an address's post.", slug="address"),
}
# A site whose newest post is in January: the months chart ends with a January and its year.
JANUARY = {"only.md": post_text("Only", "2025-01-15 09:00", tags="[x]")}


@pytest.fixture(scope="module")
def stress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The STRESS site (with search) at /stress/ and the JANUARY one at /january/, on one server."""
    root = tmp_path_factory.mktemp("stress")

    def build(base: str) -> Path:
        for name, posts, config in (("stress", STRESS, CONFIG + "search: true\n"), ("january", JANUARY, CONFIG)):
            site = make_site(root / name, posts, config)
            run = run_cli(site, "build", "--base-url", f"{base}{name}/", "--output", str(root / "out" / name))
            assert run.code == 0, run.err
        return root / "out"

    with serving(root, "/", build) as base:
        yield base


@pytest.mark.parametrize("path", ["2024/01/a-talk/", "2024/06/long/", "stats/"])
def test_embeds_and_long_words_never_make_a_phone_s_page_scroll_sideways(browser: Browser, stress: str, path: str):
    page, problems = visit(browser, stress + "stress/" + path, (320, 640))
    assert not problems
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "page scrolls sideways"
    if path == "2024/01/a-talk/":  # the embeds fit the column; the video keeps its height rather than shrink to a strip
        boxes = page.eval_on_selector_all("main iframe, main svg", "es => es.map(e => e.getBoundingClientRect().right)")
        assert len(boxes) == 2 and max(boxes) <= 320 - 16
        assert page.locator("main iframe").bounding_box()["height"] == 315
    page.context.close()


@pytest.mark.parametrize("size", [(375, 667), SIZES["desktop"]])
def test_search_results_with_long_words_fit_the_column(browser: Browser, stress: str, size: tuple[int, int]):
    page, problems = visit(browser, stress + f"stress/search/?q={GERMAN}", size)
    results = page.locator(".pagefind-ui__result-link")
    results.filter(has_text=LONG_TITLE).wait_for()
    assert GERMAN in results.all_inner_texts()  # a title of one long word, and one that is an address
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), \
        "page scrolls sideways"
    right = "es => Math.max(...es.map(e => e.getBoundingClientRect().right))"
    assert page.eval_on_selector_all(".search *", right) <= page.eval_on_selector_all("main", right), \
        "a result is wider than the column"
    assert not problems
    page.context.close()


def test_the_sources_dates_never_break_and_the_table_fits_a_phone(browser: Browser, stress: str):
    page, problems = visit(browser, stress + "stress/sources/", (360, 640))
    assert page.eval_on_selector_all("td time", "es => es.map(e => e.getClientRects().length)") == [1] * 6
    assert page.eval_on_selector("table.counts", "t => t.scrollWidth <= t.clientWidth"), "the table scrolls"
    assert not problems
    page.context.close()


def labels_outside_charts(browser: Browser, url: str) -> list[str]:
    """The chart labels of a /stats/ page drawn (partly) outside their chart; the page must raise no problem."""
    page, problems = visit(browser, url, SIZES["desktop"])
    outside = page.eval_on_selector_all("svg.chart-image text", """es => es.filter(e => {
        const box = e.getBBox(), view = e.ownerSVGElement.viewBox.baseVal;
        return box.x < 0 || box.x + box.width > view.width; }).map(e => e.textContent)""")
    assert not problems
    page.context.close()
    return outside


@pytest.mark.parametrize("site", ["stress", "january"])
def test_every_chart_label_is_drawn_whole_inside_its_chart(browser: Browser, stress: str, site: str):
    assert labels_outside_charts(browser, stress + site + "/stats/") == []


def contrast(page: Page, selector: str, pseudo: str = "") -> float:
    """The WCAG contrast ratio of an element's text (or its pseudo-element's) on its own, opaque background."""
    return page.eval_on_selector(selector, """(e, pseudo) => {
        const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const lum = c => rgb(c).map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
        const [a, b] = [getComputedStyle(e, pseudo).color, getComputedStyle(e).backgroundColor].map(lum);
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }""", pseudo)


@pytest.mark.parametrize("scheme", ACCENTS)
def test_the_search_box_s_placeholder_is_readable(browser: Browser, stress: str, scheme: str):
    page, problems = visit(browser, stress + "stress/", SIZES["phone"], scheme)
    assert contrast(page, ".site-search input", "::placeholder") >= 4.5
    assert contrast(page, ".site-search input") >= 4.5
    assert not problems
    page.context.close()


def test_a_printed_page_wraps_its_code_and_tables_and_leaves_the_search_box_off(browser: Browser, stress: str):
    page, problems = visit(browser, stress + "stress/2024/12/wide/", (700, 1000))
    page.emulate_media(media="print")
    for selector in ("pre", "table"):  # paper does not scroll: whatever overflows is lost
        assert page.eval_on_selector(f"main {selector}", "e => e.scrollWidth <= e.clientWidth"), selector
        assert page.eval_on_selector(f"main {selector}", "e => e.getBoundingClientRect().right <= 700"), selector
    assert not page.locator(".site-search").is_visible()
    assert not problems
    page.context.close()


def test_a_page_printed_from_a_dark_screen_is_dark_text_on_white_paper(browser: Browser, stress: str):
    # Browsers print no page background: light text meant for a dark one would be faint on the paper.
    page, problems = visit(browser, stress + "stress/2024/12/wide/", (700, 1000), "dark")
    page.emulate_media(media="print", color_scheme="dark")
    on_paper = page.evaluate("""() => [...document.querySelectorAll('main p, main a, .muted, time')].map(e => {
        const lum = v => v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4;
        const [r, g, b] = getComputedStyle(e).color.match(/[\\d.]+/g).slice(0, 3).map(Number);
        return 1.05 / (0.2126 * lum(r) + 0.7152 * lum(g) + 0.0722 * lum(b) + 0.05); })""")
    assert on_paper and min(on_paper) >= 4.5, on_paper
    assert not problems
    page.context.close()


def test_the_header_and_the_archive_read_at_a_glance(browser: Browser, server: str):
    page, problems = visit(browser, server + PAGES["archive"], SIZES["desktop"])
    assert page.locator("header nav a").all_inner_texts() == ["Home", "Archive", "Tags", "Sources", "Search", "Feed"]
    row = page.locator(".archive-year li").filter(has=page.get_by_role("link", name="Work vs. Progress", exact=True))
    assert row.locator("a.archive-title").get_attribute("href") == "/notes/2015/06/work-vs-progress/"
    assert row.locator(".archive-source a").get_attribute("href") == "/notes/source/scott-berkun/"
    for selector in ("a.archive-title", ".archive-source a"):
        assert row.locator(selector).evaluate("e => getComputedStyle(e).textDecorationLine") == "none"
    page.get_by_role("link", name="Stats").click()
    page.wait_for_load_state("load")
    assert page.url == server + PAGES["stats"]
    assert not problems
    page.context.close()


@pytest.mark.parametrize("scheme", ACCENTS)
def test_the_charts_take_the_scheme_s_colours(browser: Browser, server: str, scheme: str):
    page, problems = visit(browser, server + PAGES["stats"], SIZES["phone"], scheme)
    bar = page.locator("#years svg rect.bar").first
    label = page.locator("#years svg text.label").first
    assert bar.evaluate("e => getComputedStyle(e).fill") == page.evaluate(
        "getComputedStyle(document.querySelector('header nav a')).color")  # the accent, as links have it
    assert label.evaluate("e => getComputedStyle(e).fill") == style(page, "body", "color")
    assert page.locator("#years svg").bounding_box()["width"] <= SIZES["phone"][0]
    assert not problems
    page.context.close()


def test_post_page_shows_the_attribution(browser: Browser, server: str):
    page, problems = visit(browser, server + PAGES["post"], SIZES["desktop"])
    assert page.locator("h1").inner_text() == "Work vs. Progress"
    assert page.locator("p.attribution").inner_text() == "Work vs. Progress – Scott Berkun."
    page.locator("p.attribution a", has_text="Scott Berkun").click()
    page.wait_for_load_state("load")
    assert page.url == server + "source/scott-berkun/"
    assert page.locator("h1").inner_text() == "Source: Scott Berkun"
    assert not problems
    page.context.close()


def test_dark_mode(browser: Browser, server: str, tmp_path: Path):
    page, problems = visit(browser, server + PAGES["post"], SIZES["phone"], scheme="dark")
    assert not problems
    assert style(page, "html", "--background") == "#18191b"
    assert style(page, "body", "background-color") == "rgb(24, 25, 27)"
    shot = tmp_path / "post-phone-dark.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5000
    page.context.close()


def search_results(page: Page, base: str) -> list[tuple[str, str | None]]:
    """(title, link) of each result Pagefind UI shows, once the one expected is among them."""
    page.locator(".pagefind-ui__result-link", has_text=FOUND).first.wait_for()
    return [(link.inner_text(), link.get_attribute("href")) for link in page.locator(".pagefind-ui__result-link").all()]


@pytest.mark.parametrize("where", ["server", "root_server"])
def test_the_header_s_search_box_finds_a_post(browser: Browser, request: pytest.FixtureRequest, where: str):
    base = request.getfixturevalue(where)
    page, problems = visit(browser, base + "tag/support/", SIZES["phone"])
    box = page.locator("header form[role=search] input[name=q]")
    box.press_sequentially(WORD)
    box.press("Enter")
    page.wait_for_url(f"{base}search/?q={WORD}")
    results = search_results(page, base)
    path = base[base.index("/", len("http://")):]
    assert (FOUND, path + FOUND_AT) in results
    page.locator(".pagefind-ui__result-link", has_text=FOUND).first.click()
    page.wait_for_url(base + FOUND_AT)
    assert page.locator("h1").inner_text() == FOUND
    assert not problems
    page.context.close()


@pytest.mark.parametrize("where", ["server", "root_server"])
def test_typing_on_the_search_page_finds_a_post(browser: Browser, request: pytest.FixtureRequest, where: str):
    base = request.getfixturevalue(where)
    page, problems = visit(browser, base + "search/", SIZES["desktop"])
    page.locator(".pagefind-ui__search-input").press_sequentially(WORD)
    assert FOUND in [title for title, _ in search_results(page, base)]
    assert not problems
    page.context.close()


def test_without_javascript_the_search_page_says_so_and_links_the_archive(browser: Browser, server: str):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + f"search/?q={WORD}", wait_until="load")
    assert "JavaScript" in page.locator("main").inner_text()
    page.locator("main a", has_text="archive").click()
    page.wait_for_url(server + "archive/")
    assert page.locator("h1").inner_text() == "Archive"
    context.close()


# A link post with a quote, code and a neighbour, the same in a language written right to left and in English.
MIRRORED = {
    "a.md": post_text("First", "2024-05-01 09:00", "> A quote.\n\nMine.", tags="[one]", link="https://example.com/a",
                      source="Someone"),
    "b.md": post_text("Second", "2024-06-01 09:00", "> Another quote.\n\n```\nprint('hi');\n```\n", tags="[two]",
                      link="https://example.com/b", source="Someone", slug="second"),
    "c.md": post_text("Third", "2024-07-01 09:00", "Last words.", tags="[two]"),
}


@pytest.fixture(scope="module")
def mirrored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The MIRRORED site in Arabic at /ar/ and in English at /en/, on one server."""
    root = tmp_path_factory.mktemp("mirrored")

    def build(base: str) -> Path:
        for language in ("ar", "en"):
            site = make_site(root / language, MIRRORED, CONFIG.replace("language: en", f"language: {language}"))
            run = run_cli(site, "build", "--base-url", f"{base}{language}/", "--output", str(root / "out" / language))
            assert run.code == 0, run.err
        return root / "out"

    with serving(root, "/", build) as base:
        yield base


def box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_right_to_left_language_s_pages_mirror(browser: Browser, mirrored: str, language: str):
    page, problems = visit(browser, mirrored + f"{language}/2024/06/second/", SIZES["desktop"])
    rtl = language == "ar"
    quote = "figure.quote blockquote"
    assert (style(page, quote, "border-right-width"), style(page, quote, "border-left-width")) == \
        (("4px", "0px") if rtl else ("0px", "4px"))
    # Older at the start and newer at the end: the right and the left in Arabic.
    older, newer = box(page, '.post-nav a[rel="prev"]'), box(page, '.post-nav a[rel="next"]')
    assert (older["x"] > newer["x"]) == rtl
    # Each pointing outward, to its side: the arrows turn around.
    for selector in ('.post-nav a[rel="prev"] .arrow', '.post-nav a[rel="next"] .arrow'):
        assert style(page, selector, "transform") == ("matrix(-1, 0, 0, 1, 0, 0)" if rtl else "none")
    title, main = box(page, ".site-title"), box(page, "main")  # lines start on the right
    assert (title["x"] > main["x"] + main["width"] / 2) == rtl
    # Code still reads left to right: the line starts at the left of its block, and its brackets close at the end.
    assert style(page, "pre", "direction") == "ltr"
    assert box(page, "pre code")["x"] - box(page, "pre")["x"] < 20
    assert not problems
    page.context.close()


def test_a_right_to_left_site_s_charts_keep_their_labels_inside(browser: Browser, mirrored: str):
    assert labels_outside_charts(browser, mirrored + "ar/stats/") == []


def in_view(page: Page, selector: str) -> bool:
    """Whether the element's whole box is inside the viewport, where a reader sees it."""
    return page.eval_on_selector(selector, """e => { const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight
            && r.right <= innerWidth; }""")


@pytest.mark.parametrize("size", SIZES)
def test_the_first_tab_reaches_a_skip_link_that_leads_past_the_header(browser: Browser, server: str, size: str):
    page, problems = visit(browser, server, SIZES[size])
    assert not in_view(page, ".skip-link")  # out of sight until a keyboard reaches it
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert in_view(page, ".skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "MAIN"
    assert abs(page.evaluate("document.querySelector('main').getBoundingClientRect().top")) < 2  # scrolled to it
    page.keyboard.press("Tab")  # and the next Tab goes on inside it, past the header's links
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert not problems
    page.context.close()

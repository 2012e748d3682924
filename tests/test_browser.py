"""The example site in a real browser (Debian's chromium via Playwright), served under /notes/."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from test_example_site import build_example

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MOUNT = "/notes/"
PAGES = {"home": "", "post": "2015/06/work-vs-progress/", "tag": "tag/support/"}
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


class MountedHandler(SimpleHTTPRequestHandler):
    """Serves the output folder under MOUNT only, as GitHub Pages serves a project site."""

    def translate_path(self, path: str) -> str:
        if not path.startswith(MOUNT):
            return str(Path(self.directory) / "no-such-file")
        return super().translate_path("/" + path[len(MOUNT):])

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reports failures itself."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site built for and served at http://127.0.0.1:PORT/notes/ (a free port)."""
    root = tmp_path_factory.mktemp("browser")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), None)  # type: ignore[arg-type]
    base = f"http://127.0.0.1:{httpd.server_address[1]}{MOUNT}"
    out, _ = build_example(root, "--base-url", base)
    httpd.RequestHandlerClass = functools.partial(MountedHandler, directory=str(out))  # type: ignore[assignment]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


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


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("size", SIZES)
def test_pages_load_cleanly_styled_and_fit(browser: Browser, server: str, tmp_path: Path, name: str, size: str):
    page, problems = visit(browser, server + PAGES[name], SIZES[size])
    assert not problems
    assert style(page, "html", "--accent") == "#8a3b12"
    assert style(page, "body", "max-width") == "640px"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "page scrolls sideways"
    shot = tmp_path / f"{name}-{size}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 5000
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

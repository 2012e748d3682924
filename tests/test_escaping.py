"""Hostile text in titles, tags, sources and via: shown as text everywhere, never as markup or paths."""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import make_site, run_cli
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from linkblog.build import Builder, BuildOptions

TITLE = '<script>x</script> & "q"'
SHOWN = "<script>x</script> & \u201cq\u201d"  # titles get typographic quotes, as bodies do
BOLD = "<b>x</b>"
IMG = '"><img src=x onerror=alert(1)>'
INJECTED = ("script", "img", "b", "iframe", "svg")


def front_matter(**fields: object) -> str:
    """A post file whose front matter YAML-quotes every value, whatever text it holds."""
    dumped = yaml.safe_dump(fields, allow_unicode=True, default_style='"', width=float("inf"), sort_keys=False)
    return f"---\n{dumped}---\nBody.\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built site with one post whose every name is an injection attempt."""
    post = front_matter(title=TITLE, date="2015-06-01 09:30", tags=[BOLD, IMG, "../../etc"],
                        link="https://example.com/a?b=1&c=2", source=IMG, via=BOLD)
    other = front_matter(title="Quoting Etc", date="2015-05-01", source="../../etc")
    site = make_site(tmp_path_factory.mktemp("hostile") / "site", {"x.md": post, "y.md": other})
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    return site


def html_pages(site: Path) -> list[Path]:
    return sorted((site / "build").rglob("*.html"))


def injected(soup: BeautifulSoup) -> list[str]:
    return [str(tag) for tag in soup.find_all(INJECTED) if not is_chart(tag)]


def is_chart(tag) -> bool:
    """The stats page's own SVG charts, each the image of a chart's section (what they hold is still searched)."""
    return tag.name == "svg" and tag.get("class") == ["chart-image"] and "chart" in tag.parent.get("class", [])


def test_no_page_has_an_injected_element(hostile: Path) -> None:
    pages = html_pages(hostile)
    assert len(pages) > 8
    for page in pages:
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        assert injected(soup) == [], page
        assert not soup.find_all(attrs={"onerror": True}), page


def test_title_and_names_appear_as_text(hostile: Path) -> None:
    post = hostile / "build" / "2015" / "06" / "script-x-script-q" / "index.html"
    soup = BeautifulSoup(post.read_text("utf-8"), "html.parser")
    assert soup.h1.get_text() == SHOWN
    assert soup.title.get_text().startswith(SHOWN)
    assert [a.get_text() for a in soup.select("a.p-category")] == [BOLD, IMG, "../../etc"]
    attribution = soup.select_one("p.attribution")
    assert attribution.a["href"] == "https://example.com/a?b=1&c=2"
    assert attribution.a.get_text() == SHOWN
    assert IMG in [a.get_text() for a in attribution.find_all("a")]
    assert attribution.select_one("span.via").get_text() == f"via {BOLD}"


def test_every_list_shows_the_title_as_text(hostile: Path) -> None:
    build = hostile / "build"
    lists = [build / "index.html", build / "archive" / "index.html", build / "2015" / "index.html",
             build / "tag" / "b-x-b" / "index.html", build / "source" / "img-src-x-onerror-alert-1" / "index.html"]
    for page in lists:
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        assert SHOWN in [a.get_text() for a in soup.find_all("a")], page


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml", "tag/b-x-b/feed.xml"])
def test_feeds_parse_and_round_trip_the_title(hostile: Path, name: str) -> None:
    feed = feedparser.parse((hostile / "build" / name).read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    entry = next(e for e in feed.entries if e.title != "Quoting Etc")
    assert entry.title == SHOWN
    assert entry.link == "https://example.com/a?b=1&c=2"
    content = BeautifulSoup(entry.content[0].value, "html.parser")
    assert injected(content) == []
    assert SHOWN in content.get_text()


def test_rss_title_is_exact_xml_text(hostile: Path) -> None:
    root = ET.parse(hostile / "build" / "feed.xml").getroot()
    assert SHOWN in [item.findtext("title") for item in root.iter("item")]


def test_sitemap_parses_and_lists_the_post(hostile: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(hostile / "build" / "sitemap.xml").getroot()
    locs = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    assert "https://example.org/2015/06/script-x-script-q/" in locs
    assert "https://example.org/tag/img-src-x-onerror-alert-1/" in locs
    assert all(loc.startswith("https://example.org/") and ".." not in loc for loc in locs)


def test_dot_dot_names_stay_inside_the_output(hostile: Path) -> None:
    build = (hostile / "build").resolve()
    assert (build / "tag" / "etc" / "index.html").is_file()
    assert (build / "source" / "etc" / "index.html").is_file()
    assert all(p.resolve().is_relative_to(build) for p in build.rglob("*"))
    assert sorted(p.name for p in hostile.parent.iterdir()) == ["site"]
    assert {p.name for p in hostile.iterdir()} - {".cache"} == {"build", "config.yaml", "posts"}


# --- any text at all --------------------------------------------------------------------------------

# Characters a post may not hold (the build reports them), and surrogates, which no file can.
FORBIDDEN = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]))
names = st.text(st.characters(exclude_categories=("Cs",), exclude_characters=FORBIDDEN), min_size=1, max_size=40)
# Titles are set with typographic quotes, dashes and ellipses ("--" is shown as "–"), so a title drawn here holds
# none of the characters that start them; the hostile titles above cover quotes in a title.
titles = st.text(st.characters(exclude_categories=("Cs",), exclude_characters=FORBIDDEN + "'\"-.()+!?,"),
                 min_size=1, max_size=40)


def shown(text: str) -> str:
    """Text as a page shows a name: surrounding space trimmed, each inner run of it one space, but for a lone
    no-break (or narrow, or ideographic) space, which is kept."""
    return re.sub(r"\s+", lambda run: run.group() if run.group() in LONE_SPACES else " ", text.strip())


# Spaces Zs lists beside the ASCII one: the no-break, the typographic widths, the ideographic.
LONE_SPACES = {chr(c) for c in range(0x80, 0x3001) if unicodedata.category(chr(c)) == "Zs"}


def structure(soup: BeautifulSoup) -> list[str]:
    """The element names of a page, in order: text must never change them."""
    return [tag.name for tag in soup.find_all(True)]


def build_post(folder: Path, title: str, tag: str, source: str) -> Path:
    """Build a one-post site in-process; return its output folder."""
    site = make_site(folder, {"p.md": front_matter(title=title, date="2015-06-01", tags=[tag], source=source,
                                                   link="https://example.com/", via=tag)})
    shutil.rmtree(site / "build", ignore_errors=True)
    result = Builder(site / "config.yaml", options=BuildOptions(jobs=1), persist=False).build()
    assert result.ok, [str(p) for p in result.problems]
    return site / "build"


def post_page(build: Path) -> BeautifulSoup:
    (page,) = (build / "2015" / "06").glob("*/index.html")
    return BeautifulSoup(page.read_text("utf-8"), "html.parser")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The element structure of a post page with harmless names."""
    return structure(post_page(build_post(tmp_path_factory.mktemp("ref") / "site", "Title", "tag", "Source")))


@settings(max_examples=25, deadline=None)
@given(title=titles, tag=names, source=names)
@example(title="\u212b", tag="\uf900", source="A\u030a")  # NFC would change each (Å, 豈 U+8C48, Å)
@example(title="Pourquoi\u00a0x 10\u202fkm", tag="全角\u3000スペース", source="a \u00a0b\n\u00a0c")
def test_any_text_is_shown_as_that_text(reference: list[str], title: str, tag: str, source: str) -> None:
    assume(shown(title) and shown(tag) and shown(source))  # an empty name is an error: see test_bad_input
    with tempfile.TemporaryDirectory() as folder:
        build = build_post(Path(folder) / "site", title, tag, source)
        soup = post_page(build)
        assert structure(soup) == reference
        assert soup.h1.get_text() == shown(title)
        assert soup.select_one("a.p-category").get_text() == shown(tag)
        assert [a.get_text() for a in soup.select("p.attribution a")] == [shown(title), shown(source)]
        assert soup.select_one("span.via").get_text() == f"via {shown(tag)}"
        rss = ET.parse(build / "feed.xml").getroot()
        assert rss.find("channel/item/title").text == shown(title)


def test_the_stats_charts_show_names_as_text(hostile: Path) -> None:
    soup = BeautifulSoup((hostile / "build" / "stats" / "index.html").read_text("utf-8"), "html.parser")
    tags = soup.select_one("section#tags")
    assert {a.get_text() for a in tags.select("ul.chart-data a")} == {BOLD, IMG, "../../etc"}
    assert BOLD in [t.get_text() for t in tags.select("svg text.label")]
    sources = soup.select_one("section#sources")
    assert {a.get_text() for a in sources.select("ul.chart-data a")} == {IMG, "../../etc"}

"""The repo root is the example site: it builds without a warning and has the seeds' pages."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import run_cli
from test_e2e_build import assert_links_resolve

REPO = Path(__file__).resolve().parents[1]
SITE_PARTS = ("config.yaml", "sources.yaml", "posts", "templates", "static")
# Each source the example quotes, by the name sources.yaml gives it, and the page that lists its posts.
SOURCE_PAGES = {
    "Andrew Bosworth": "source/andrew-bosworth/", "Ben Thompson": "source/ben-thompson/",
    "Camille Fournier": "source/camille-fournier/", "Eugene Wei": "source/eugene-wei/",
    "Kathy Sierra": "source/kathy-sierra/", "Kim Scott": "source/kim-scott/",
    "Lincoln Murphy": "source/lincoln-murphy/", "Mathew Patterson": "source/mathew-patterson/",
    "Nick Bradbury": "source/nick-bradbury/", "Paul Graham": "source/paul-graham/",
    "Sam Altman": "source/sam-altman/", "Scott Berkun": "source/scott-berkun/",
    "Seth Godin": "source/seth-godin/", "Tim Urban": "source/tim-urban/",
}


def copy_example(dest: Path) -> Path:
    """A copy of the example site's sources, so a build touches neither the repo's build/ nor its cache."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in SITE_PARTS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        else:
            shutil.copy2(source, dest / name)
    return dest


def build_example(dest: Path, *args: str) -> tuple[Path, str]:
    """Build a copy of the example site under dest; the output folder and the build's stderr."""
    site = copy_example(dest / "site")
    out = dest / "out"
    run = run_cli(site, "build", "--output", str(out), *args)
    assert run.code == 0, run.err
    return out, run.err


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def example_posts() -> list[dict]:
    """Each example post's front matter, with its file's name as 'file' and its title as pages show it."""
    return [{**front_matter(path), "file": path.name, "shown": shown_title(front_matter(path)["title"])}
            for path in sorted((REPO / "posts").rglob("*.md"))]


def shown_title(title: str) -> str:
    """A title with typographic apostrophes, as pages show it (the example's titles have no other quotes)."""
    return title.replace("'", "’")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return build_example(tmp_path_factory.mktemp("example"))


def titles(out: Path, first: str) -> list[tuple[str, str]]:
    """(title, datetime) of every post a paginated list shows, page by page, in order."""
    shown, url = [], first
    while url:
        soup = BeautifulSoup((out / url.removeprefix("/notes/") / "index.html").read_text(encoding="utf-8"),
                             "html.parser")
        assert soup.h1.get_text() == soup.title.get_text().split(" – ")[0]
        for article in soup.select("article.h-entry"):
            shown.append((article.select_one(".p-name").get_text(strip=True),
                          article.select_one("time.dt-published")["datetime"]))
        older = soup.select_one("nav.pager a[rel=next]")
        url = older["href"] if older else None
    return shown


def assert_newest_first(shown: list[tuple[str, str]]) -> None:
    moments = [datetime.fromisoformat(stamp) for _, stamp in shown]
    assert moments == sorted(moments, reverse=True)


def test_the_example_builds_without_warnings(built: tuple[Path, str]):
    out, err = built
    assert err.strip() == ""
    assert (out / "index.html").is_file()


def test_the_example_has_twenty_posts_or_more(built: tuple[Path, str]):
    out, _ = built
    posts = example_posts()
    assert len(posts) >= 20
    post_pages = list(out.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/*/index.html"))
    assert len(post_pages) == len([p for p in posts if not p.get("draft")])


def test_tag_support_lists_every_support_post(built: tuple[Path, str]):
    out, _ = built
    shown = titles(out, "/notes/tag/support/")
    # The example spells the tag one way only; a post tagged otherwise would need its spelling added here.
    expected = {p["shown"] for p in example_posts() if "support" in p.get("tags", [])}
    assert len(expected) >= 10
    assert sorted(title for title, _ in shown) == sorted(expected)
    assert_newest_first(shown)
    soup = BeautifulSoup((out / "tag/support/index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.h1.get_text() == "Tag: support"
    assert soup.select("article.h-entry .e-content blockquote"), "link posts are shown in full"


def test_year_2015_lists_every_2015_post(built: tuple[Path, str]):
    out, _ = built
    shown = titles(out, "/notes/2015/")
    expected = {p["shown"] for p in example_posts() if str(p.get("date", p["file"])).startswith("2015")}
    assert {"Work vs. Progress", "Some Customers Suck", "Customer success"} <= expected
    assert sorted(title for title, _ in shown) == sorted(expected)
    assert_newest_first(shown)
    soup = BeautifulSoup((out / "2015/index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.h1.get_text() == "Year: 2015"


def test_the_seeds_link_posts_are_attributed(built: tuple[Path, str]):
    out, _ = built
    soup = BeautifulSoup((out / "2015/index.html").read_text(encoding="utf-8"), "html.parser")
    lines = {" ".join(p.get_text().split()) for p in soup.select("p.attribution")}
    assert "Work vs. Progress – Scott Berkun." in lines
    assert "Some Customers Suck – Nick Bradbury. via Sheri" in lines


def listed_name(spelling: str) -> str:
    """The name sources.yaml gives a source spelled this way (itself when it is not listed)."""
    for entry in yaml.safe_load((REPO / "sources.yaml").read_text(encoding="utf-8")):
        if spelling.casefold() in {s.casefold() for s in [entry["name"], *entry.get("aliases", [])]}:
            return entry["name"]
    return spelling


def test_every_post_page_has_its_source_page(built: tuple[Path, str]):
    out, _ = built
    assert {listed_name(p["source"]) for p in example_posts() if p.get("source")} == set(SOURCE_PAGES)
    for name, page in SOURCE_PAGES.items():
        soup = BeautifulSoup((out / page / "index.html").read_text(), "html.parser")
        assert soup.h1.get_text() == f"Source: {name}"


def test_the_example_folds_aliases_and_credits_who_sent_links(built: tuple[Path, str]):
    out, _ = built
    spelled = {p["source"] for p in example_posts() if p.get("source") and listed_name(p["source"]) == "Scott Berkun"}
    assert len(spelled) >= 2  # the example spells one source two ways
    soup = BeautifulSoup((out / "source/scott-berkun/index.html").read_text(), "html.parser")
    assert soup.select_one("a.source-home")["href"] == "https://scottberkun.com/"
    assert " ".join(soup.select_one(".source-about").get_text().split()).startswith("3 posts quoting Scott Berkun")
    rows = BeautifulSoup((out / "sources/index.html").read_text(), "html.parser").select("tbody tr")
    assert "Scott Berkun" in [row.a.get_text() for row in rows] and "Berkun, Scott" not in rows[0].get_text()
    people = BeautifulSoup((out / "via/index.html").read_text(), "html.parser").select("section.via-person")
    assert {person["id"] for person in people} >= {"sheri", "kottke"}


def test_a_quote_first_link_post_is_captioned(built: tuple[Path, str]):
    out, _ = built
    soup = BeautifulSoup((out / "2015/06/work-vs-progress/index.html").read_text(), "html.parser")
    figure = soup.select_one(".e-content > figure.quote")
    assert figure.blockquote["cite"] == "https://scottberkun.com/2015/work-vs-progress/"
    assert " ".join(figure.figcaption.get_text().split()) == "Work vs. Progress – Scott Berkun."


def test_the_example_links_one_article_twice_on_purpose(built: tuple[Path, str]):
    out, err = built
    again = BeautifulSoup((out / "2019/02/work-vs-progress-revisited/index.html").read_text(), "html.parser")
    before = again.select_one("section.related")
    assert before.h2.get_text() == "Linked before"
    assert [a["href"] for a in before.select("li a")] == ["/notes/2015/06/work-vs-progress/"]
    assert "links the same article" not in err  # the later post says relinked: true


def test_the_example_has_search_and_every_link_resolves_under_its_sub_path(built: tuple[Path, str]):
    out, _ = built
    assert (out / "search/index.html").is_file() and (out / "pagefind/pagefind-entry.json").is_file()
    assert_links_resolve(out, "/notes/")  # the search page's script and stylesheet included


def test_the_example_has_a_stats_page_linked_from_its_archive(built: tuple[Path, str]):
    out, _ = built
    archive = BeautifulSoup((out / "archive/index.html").read_text(), "html.parser")
    assert "/notes/stats/" in [a["href"] for a in archive.find_all("a")]
    soup = BeautifulSoup((out / "stats/index.html").read_text(), "html.parser")
    years = Counter(str(p.get("date", p["file"]))[:4] for p in example_posts() if not p.get("draft"))
    shown = {li.a.get_text(): int(li.select_one(".count").get_text())
             for li in soup.select("section#years ul.chart-data li")}
    assert shown == years
    assert len(soup.select("section#years svg rect.bar")) == len(years)
    assert not soup.find("script")

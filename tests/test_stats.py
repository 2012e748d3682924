"""/stats/ and the year, month and archive pages, end to end through the CLI on a tiny site counted by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import make_site, post_text, run_cli

from linkblog.stats import cut

# Three posts in 2014 and two in 2015. Tags: support 3, work 2, <b>& 2. Sources: Seth Godin 2, Scott Berkun 1.
# Link posts 3, own posts 2. Months with posts: 2014-02 (2), 2014-11, 2015-01, 2015-03 (1 each).
POSTS = {
    "a.md": post_text("Alpha", "2014-02-03 10:00", "> Quoted.\n\nMine.", tags="[support, work]",
                      link="https://example.com/a", source="Seth Godin"),
    "b.md": post_text("Beta", "2014-02-20 10:00", "> Quoted.", tags="[support]", link="https://example.com/b",
                      source="Seth Godin"),
    "c.md": post_text("Gamma", "2014-11-05 10:00", "My own words.", tags="['<b>&']"),
    "d.md": post_text("Delta", "2015-01-10 10:00", "> Quoted.", tags="[support, '<b>&']",
                      link="https://example.com/d", source="Scott Berkun"),
    "e.md": post_text("Epsilon", "2015-03-15 10:00", "More of my own.", tags="[work]"),
}


def soup_of(out: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((out / page / "index.html").read_text(encoding="utf-8"), "html.parser")


def build(root: Path, posts: dict[str, str]) -> Path:
    site = make_site(root, posts)
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    return site / "build"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("stats") / "site", POSTS)


def chart(out: Path, chart_id: str):
    section = soup_of(out, "stats").select_one(f"section.chart#{chart_id}")
    assert section is not None, chart_id
    return section


def numbers(section) -> list[tuple[str, str]]:
    """The chart's text alternative: (label, count) of each item of the list under it."""
    return [(" ".join(li.get_text().split()[:-1]), li.select_one(".count").get_text())
            for li in section.select("ul.chart-data > li")]


def test_the_charts_are_accessible_images(out: Path):
    sections = soup_of(out, "stats").select("section.chart")
    assert [s["id"] for s in sections] == ["years", "months", "tags", "sources", "kinds"]
    for section in sections:
        svg = section.find("svg")
        assert svg["role"] == "img"
        labelled = [svg.find(id=ref) for ref in svg["aria-labelledby"].split()]
        assert [e.name for e in labelled] == ["title", "desc"]
        assert labelled[0].get_text() == section.h2.get_text()
        assert labelled[1].get_text().strip()


def test_posts_per_year(out: Path):
    section = chart(out, "years")
    assert numbers(section) == [("2014", "3"), ("2015", "2")]
    assert [a["href"] for a in section.select("ul.chart-data a")] == ["/2014/", "/2015/"]
    bars = section.select("svg rect.bar")
    assert len(bars) == 2
    assert float(bars[0]["width"]) / float(bars[1]["width"]) == pytest.approx(3 / 2, rel=0.02)
    assert [t.get_text() for t in section.select("svg text.label")] == ["2014", "2015"]
    assert [t.get_text() for t in section.select("svg text.count")] == ["3", "2"]


def test_posts_per_month_of_the_two_years_up_to_the_newest_post(out: Path):
    shown = numbers(chart(out, "months"))
    assert len(shown) == 24
    assert shown[0] == ("Apr 2013", "0") and shown[-1] == ("Mar 2015", "1")
    assert {label: count for label, count in shown if count != "0"} == {
        "Feb 2014": "2", "Nov 2014": "1", "Jan 2015": "1", "Mar 2015": "1"}
    section = chart(out, "months")
    assert len(section.select("svg rect.bar")) == 4  # only months with posts have a bar
    assert [a["href"] for a in section.select("ul.chart-data a")] == ["/2014/02/", "/2014/11/", "/2015/01/",
                                                                       "/2015/03/"]


def test_top_tags_and_sources(out: Path):
    assert numbers(chart(out, "tags")) == [("support", "3"), ("<b>&", "2"), ("work", "2")]
    assert numbers(chart(out, "sources")) == [("Seth Godin", "2"), ("Scott Berkun", "1")]
    assert [a["href"] for a in chart(out, "sources").select("ul.chart-data a")] == [
        "/source/seth-godin/", "/source/scott-berkun/"]
    assert "<b>&" in [t.get_text() for t in chart(out, "tags").select("svg text.label")]


def test_link_posts_versus_own_posts(out: Path):
    assert numbers(chart(out, "kinds")) == [("Link posts", "3"), ("Own posts", "2")]


def test_a_label_too_wide_for_the_chart_is_cut_and_named_whole_by_its_row_s_tooltip(tmp_path: Path):
    wide = "THE NEW YORK TIMES MAGAZINE"  # capitals: fewer of them fit than the 18 letters that once did
    posts = {f"{n}.md": post_text(f"Post {n}", f"2015-01-0{n} 10:00", link=f"https://example.com/{n}", source=source)
             for n, source in enumerate([wide, wide, "Seth Godin"], start=1)}
    rows = chart(build(tmp_path / "site", posts), "sources").select("svg g.row")
    shown = [(row.select_one("text.label").get_text(), row.title and row.title.get_text()) for row in rows]
    assert shown[1] == ("Seth Godin", None)
    label, tooltip = shown[0]
    assert label.endswith("…") and wide.startswith(label[:-1].rstrip()) and len(label) < 18 and tooltip == wide


@pytest.mark.parametrize(("label", "whole"), [
    ("\U0001F469\u200d\U0001F469\u200d\U0001F467" * 8, "\U0001F469\u200d\U0001F469\u200d\U0001F467"),  # a family
    ("\U0001F1F3\U0001F1F1" * 12, "\U0001F1F3\U0001F1F1"),  # the flag of the Netherlands: two letters
    ("Cafe\u0301 " * 8, "Cafe\u0301 "),  # an accent typed after its letter
])
def test_a_cut_label_keeps_each_character_whole(label: str, whole: str):
    shown = cut(label)
    assert shown.endswith("…")
    assert any(shown[:-1].rstrip() == (whole * n).rstrip() for n in range(1, 30))  # cut between whole ones


@pytest.mark.parametrize("whole", ["\U0001F44D\U0001F3FD", "\u1100\u1161\u11a8"])  # 👍 with a skin tone; 각 as jamo
def test_a_cut_anywhere_around_a_character_of_several_parts_keeps_it_whole(whole: str):
    for before in range(40):
        kept = cut("a" * before + whole + "b" * 36)[:-1]
        assert not any(kept.endswith(whole[:part]) for part in range(1, len(whole))), kept


def test_symbols_count_wider_than_letters():
    assert cut("\u263a" * 16) != "\u263a" * 16 and cut("ЖШЩЮ" * 5) != "ЖШЩЮ" * 5


def test_names_are_escaped_in_the_svg_and_the_list(out: Path):
    html = (out / "stats" / "index.html").read_text(encoding="utf-8")
    assert "<b>" not in html
    assert html.count("&lt;b&gt;&amp;") >= 2  # in the chart and in its list


def test_the_stats_page_has_no_javascript(out: Path):
    soup = soup_of(out, "stats")
    assert not soup.find_all("script")
    assert not [attr for tag in soup.find_all(True) for attr in tag.attrs if attr.startswith("on")]
    assert "javascript:" not in str(soup)


def test_the_archive_links_the_stats_page_and_the_sitemap_lists_it(out: Path):
    assert "/stats/" in [a["href"] for a in soup_of(out, "archive").find_all("a")]
    assert "<loc>https://example.org/stats/</loc>" in (out / "sitemap.xml").read_text()


def test_a_site_without_posts_says_so(tmp_path: Path):
    out = build(tmp_path / "site", {})
    soup = soup_of(out, "stats")
    assert not soup.find("svg")
    assert soup.h1.get_text() == "Stats"


def test_the_header_navigation(out: Path):
    nav = soup_of(out, "").select_one("header nav")
    assert [a.get_text() for a in nav.find_all("a")] == ["Home", "Archive", "Tags", "Sources", "Feed"]
    assert "/via/" in [a["href"] for a in soup_of(out, "sources").find_all("a")]  # "Thanks" is kept reachable


def test_the_archive_shows_date_title_and_source(out: Path):
    rows = soup_of(out, "archive").select(".archive-year li")
    shown = [(li.time.get_text(), li.select_one("a.archive-title")["href"], li.select_one("a.archive-title").get_text(),
              [a["href"] for a in li.select(".archive-source a")]) for li in rows]
    assert shown == [
        ("2015-03-15", "/2015/03/epsilon/", "Epsilon", []),
        ("2015-01-10", "/2015/01/delta/", "Delta", ["/source/scott-berkun/"]),
        ("2014-11-05", "/2014/11/gamma/", "Gamma", []),
        ("2014-02-20", "/2014/02/beta/", "Beta", ["/source/seth-godin/"]),
        ("2014-02-03", "/2014/02/alpha/", "Alpha", ["/source/seth-godin/"]),
    ]
    assert not soup_of(out, "archive").select(".archive-year li a.outbound")  # titles go to the permalink
    for _, href, _, sources in shown:
        assert (out / href.strip("/") / "index.html").is_file()
        assert all((out / s.strip("/") / "index.html").is_file() for s in sources)


def test_year_pages_link_their_neighbours_and_list_their_months(tmp_path: Path):
    # 2016 has no post: 2015's next year is 2017.
    out = build(tmp_path / "site", {**POSTS, "f.md": post_text("Zeta", "2017-07-01 10:00")})
    pages = {year: soup_of(out, year) for year in ("2014", "2015", "2017")}
    links = {year: [(a["class"][0], a["href"]) for a in soup.select("nav.year-nav a")] for year, soup in pages.items()}
    assert links == {"2014": [("year-next", "/2015/")], "2015": [("year-previous", "/2014/"), ("year-next", "/2017/")],
                     "2017": [("year-previous", "/2015/")]}
    months = [(a.get_text(), a["href"], a.find_next_sibling(class_="count").get_text())
              for a in pages["2014"].select("ul.months a")]
    assert months == [("February", "/2014/02/", "2"), ("November", "/2014/11/", "1")]
    back = soup_of(out, "2014/02").select_one(".month-year a")
    assert back["href"] == "/2014/" and "2014" in back.get_text()


def test_years_without_posts_are_bars_of_nothing_so_that_gaps_show(tmp_path: Path):
    posts = {f"{year}.md": post_text(f"In {year}", f"{year}-05-05 10:00", tags="[x]") for year in (2001, 2002, 2005)}
    section = chart(build(tmp_path / "site", posts), "years")
    assert numbers(section) == [("2001", "1"), ("2002", "1"), ("2003", "0"), ("2004", "0"), ("2005", "1")]
    assert [a["href"] for a in section.select("ul.chart-data a")] == ["/2001/", "/2002/", "/2005/"]


def test_a_newest_post_in_the_year_1_charts_its_months_from_january(tmp_path: Path):
    out = build(tmp_path / "site", {"old.md": post_text("Old", "0001-06-01 10:00", tags="[x]")})
    months = numbers(chart(out, "months"))
    assert months[0] == ("Jan 1", "0") and months[-1] == ("Jun 1", "1") and len(months) == 6


def test_names_a_to_z_put_accented_letters_with_their_plain_ones(tmp_path: Path):
    posts = {f"{n}.md": post_text(f"Post {n}", f"2015-01-0{n} 10:00", tags=f"[{tag}]", source=source,
                                  link=f"https://example.com/{n}")
             for n, (tag, source) in enumerate([("Ébène", "Élan Vital"), ("zebra", "Zeldman"), ("apple", "apple Daily"),
                                                ("Ecole", "Edge")], start=1)}
    out = build(tmp_path / "site", posts)
    assert [a.get_text() for a in soup_of(out, "sources/by-name").select("main a[href*='/source/']")] == [
        "apple Daily", "Edge", "Élan Vital", "Zeldman"]
    tags = [a.get_text() for a in soup_of(out, "tag").select("main a[href*='/tag/']")]
    assert tags == ["apple", "Ébène", "Ecole", "zebra"]


def test_a_chart_of_one_bar_says_one_bar(tmp_path: Path):
    out = build(tmp_path / "site", {"only.md": post_text("Only", "2015-05-05 10:00", tags="[x]")})
    assert chart(out, "years").find("desc").get_text().startswith("Posts per year: 1 bar, the longest 1 post")

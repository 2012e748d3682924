"""site_links: a built site as files, where each link leads, and what is wrong with an internal one."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkblog.site_links import Output, Target, link_problem, read_output, relative, resolve, url_of

BASE = "https://example.org/notes/"
PAGE = "https://example.org/notes/a/"


def output(*files: str, ids: dict[str, set[str]] | None = None) -> Output:
    return Output(Path("."), BASE, set(files), ids or {})


def test_read_output_lists_every_file_as_named_on_disk(tmp_path: Path) -> None:
    names = ("index.html", ".nojekyll", "About.html", "2016/01/a/index.html", "images/Chart.PNG",
             "2016/01/v1.tmp/index.html", "notes~/index.html", "vim.swp")
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", "utf-8")
    out = read_output(tmp_path, BASE)
    # Hidden files are served too, and the server matches names case-sensitively.
    assert out.files == set(names)
    assert (out.root, out.base, out.ids) == (tmp_path, BASE, {})


def test_read_output_of_a_missing_folder_has_no_files(tmp_path: Path) -> None:
    assert read_output(tmp_path / "nothing", BASE).files == set()


@pytest.mark.parametrize(("files", "rel", "served"), [
    ({"a", "a/index.html", "a.html"}, "a", "a"),  # a file by that very name comes first
    ({"a/index.html", "a.html"}, "a", "a/index.html"),
    ({"a.html"}, "a", "a.html"),
    ({"a.html"}, "a/", None),  # a folder path is never served by a sibling .html
    ({"x/y.html"}, "x/y", "x/y.html"),
    ({"x/y/index.html"}, "x/y/", "x/y/index.html"),
    ({"About.html"}, "about", None),
    (set(), "", None),
])
def test_served_picks_the_file_github_pages_would(files: set[str], rel: str, served: str | None) -> None:
    assert output(*files).served(rel) == served


@pytest.mark.parametrize(("rel", "url"), [
    ("index.html", "https://example.org/notes/"),
    ("2016/01/a/index.html", "https://example.org/notes/2016/01/a/"),
    ("feed.xml", "https://example.org/notes/feed.xml"),
    ("404.html", "https://example.org/notes/404.html"),
    ("myindex.html", "https://example.org/notes/myindex.html"),  # only a whole "index.html" is a folder's page
    ("tag/index.htm", "https://example.org/notes/tag/index.htm"),
])
def test_url_of_an_output_file(rel: str, url: str) -> None:
    assert url_of(BASE, rel) == url


@pytest.mark.parametrize(("raw", "expected"), [
    ("b/", True),
    ("../b/", True),
    ("#part", True),
    ("?page=2", True),
    ("#fn:1", True),  # a footnote as kramdown and Goldmark name them: on this page
    ("?a=b:c", True),
    ("b#x:y", True),
    ("", True),
    ("./a:b", True),
    ("/notes/b/", False),
    ("//cdn.example.com/x.js", False),
    ("https://example.com/", False),
    ("mailto:me@example.org", False),
    ("a:b/c", False),  # a colon in the first segment makes it a scheme
])
def test_relative_links_depend_on_their_page(raw: str, expected: bool) -> None:
    assert relative(raw) is expected


@pytest.mark.parametrize(("raw", "target"), [
    ("", Target("internal", "a/")),
    ("#part", Target("internal", "a/", "part")),
    ("?page=2", Target("internal", "a/")),
    ("b", Target("internal", "a/b")),
    ("./b/#f", Target("internal", "a/b/", "f")),
    (" ../b/ ", Target("internal", "b/")),
    ("/notes/caf%C3%A9/#%C3%A9t%C3%A9", Target("internal", "café/", "été")),
    ("HTTPS://EXAMPLE.ORG/notes/b/", Target("internal", "b/")),
    ("//example.org/notes/b/", Target("internal", "b/")),
    ("http://example.org/notes/b/", Target("internal", "b/")),
    ("../../up/", Target("outside", "/up/")),
    ("https://example.org/notes", Target("internal", "")),  # the home page, without its slash
    ("/notes#top", Target("internal", "", "top")),
    ("/notes-old/", Target("outside", "/notes-old/")),
    ("https://example.org/notes-old/", Target("external", "https://example.org/notes-old/")),
    ("/notes/../secret/", Target("outside", "/secret/")),
    ("//cdn.example.com/x.js", Target("external", "https://cdn.example.com/x.js")),
    ("https://other.example?x=1#y", Target("external", "https://other.example/?x=1")),
    ("javascript:void(0)", Target("other")),
    ("data:text/plain,hi", Target("other")),
    ("tel:+15550100", Target("other")),
    ("ftp://example.org/notes/", Target("other")),
    ("ssh://git@github.com:jane/dotfiles.git", Target("other")),
    ("http://[::1", Target("malformed")),
    ("https://example.org:443/notes/b/", Target("internal", "b/")),  # the scheme's own port is no other host
    ("http://example.org:80/notes/b/", Target("internal", "b/")),
    ("https://example.org:8443/notes/b/", Target("external", "https://example.org:8443/notes/b/")),
    ("https://example.org:port/", Target("malformed")),
    ("http://", Target("malformed")),
    ("//", Target("malformed")),
    ("//?q", Target("malformed")),
    ("//#top", Target("malformed")),
])
def test_where_a_link_on_a_page_leads(raw: str, target: Target) -> None:
    assert resolve(raw, PAGE, BASE) == target


@pytest.mark.parametrize("raw", ["https://bücher.example/notes/b/", "https://xn--bcher-kva.example/notes/b/",
                                 "https://BÜCHER.example/notes/b/"])
def test_a_host_beyond_ascii_is_one_host_however_it_is_spelled(raw: str) -> None:
    for base in ("https://bücher.example/notes/", "https://xn--bcher-kva.example/notes/"):
        assert resolve(raw, base, base) == Target("internal", "b/")


def test_a_site_at_the_root_holds_every_path_of_its_host() -> None:
    base = "https://example.org/"
    assert resolve("../../../x/", "https://example.org/a/b/", base) == Target("internal", "x/")
    assert resolve("/", base, base) == Target("internal", "")
    assert resolve("https://example.org", base, base) == Target("internal", "")


@pytest.mark.parametrize(("raw", "tag", "target", "problem"), [
    ("/elsewhere/", "a", Target("outside", "/elsewhere/"),
     "link /elsewhere/ leads out of the site's base path /notes/"),
    ("http://[::1", "a", Target("malformed"), "malformed link http://[::1"),
    ("/notes/gone/", "a", Target("internal", "gone/"), "broken link /notes/gone/: no such page or file"),
    ("chart.png", "img", Target("internal", "a/chart.png"), "missing image chart.png"),
    ("#nope", "a", Target("internal", "a/", "nope"), 'broken link #nope: no element with id "nope"'),
])
def test_what_is_wrong_with_an_internal_link(raw: str, tag: str, target: Target, problem: str) -> None:
    out = output("index.html", "a/index.html", ids={"a/index.html": {"part"}})
    assert link_problem(out, raw, tag, target) == problem


@pytest.mark.parametrize(("target", "why"), [
    (Target("internal", "a/"), "the page exists"),
    (Target("internal", "a"), "GitHub Pages serves the folder's index"),
    (Target("internal", "a/", "part"), "the id exists"),
    (Target("internal", "a/", "top"), "#top always scrolls to the top"),
    (Target("internal", "cv.pdf", "page=2"), "only HTML pages have ids"),
    (Target("internal", "b/", "anything"), "a page that could not be parsed is reported on its own"),
])
def test_links_that_are_fine(target: Target, why: str) -> None:
    out = output("index.html", "a/index.html", "b/index.html", "cv.pdf", ids={"a/index.html": {"part"}})
    assert link_problem(out, "raw", "a", target) is None, why


def test_a_link_is_followed_to_a_file_on_disk(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("<p id='x'>A</p>", "utf-8")
    (tmp_path / "index.html").write_text("<p>Home</p>", "utf-8")
    out = read_output(tmp_path, BASE)
    out.ids["a/index.html"] = {"x"}
    assert link_problem(out, "/notes/a#x", "a", resolve("/notes/a#x", BASE, BASE)) is None
    assert link_problem(out, "/notes/A/", "a", resolve("/notes/A/", BASE, BASE)) == (
        "broken link /notes/A/: no such page or file")


def test_a_link_spelling_the_base_path_encoded_another_way_is_inside_the_site():
    base = "https://example.edu/~jane/"
    assert resolve("/%7Ejane/archive/", base, base) == Target("internal", "archive/")
    assert resolve("/caf%c3%a9/x/", "https://example.org/caf%C3%A9/", "https://example.org/caf%C3%A9/") == \
        Target("internal", "x/")

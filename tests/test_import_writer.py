"""The shared writer: files named as `linkblog new` names them, valid for a build, never overwriting (#16)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import run_cli, tree_bytes
from test_import_helpers import FIXTURES, fresh_site, read_imported

from linkblog.config import Config
from linkblog.importers import writer
from linkblog.importers.records import ImportedPost
from linkblog.importers.writer import plan_files, write_plan
from linkblog.model import Via
from linkblog.urls import output_file

CEST = timezone(timedelta(hours=2))


def post(title: str = "Work vs. Progress", **fields) -> ImportedPost:
    values = {"origin": "export.xml: post 1", "date": datetime(2015, 6, 1, 9, 30, tzinfo=CEST), "body": "Words.\n"}
    return ImportedPost(title=title, **{**values, **fields})


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(root=tmp_path, url="https://example.org/")


def test_file_name_and_front_matter(tmp_path: Path, config: Config) -> None:
    record = post(tags=("support", "Teams & People"), link="https://scottberkun.com/x/", source="Scott Berkun",
                  via=Via("Sheri", "https://sheri.example/"), summary="Short.", author="Jane")
    planned, problems = plan_files([record], tmp_path / "posts", config)
    assert problems == []
    assert [f.path.name for f in planned] == ["2015-06-01-work-vs-progress.md"]
    assert planned[0].data.decode() == (
        "---\ntitle: Work vs. Progress\ndate: 2015-06-01 09:30:00+02:00\ntags: [support, Teams & People]\n"
        "link: https://scottberkun.com/x/\nsource: Scott Berkun\nvia:\n  name: Sheri\n  url: https://sheri.example/\n"
        "summary: Short.\nauthor: Jane\n---\nWords.\n")


def test_slug_written_only_when_the_file_name_would_not_give_it(tmp_path: Path, config: Config) -> None:
    planned, _ = plan_files([post(slug="work-vs-progress"), post("Other", slug="Mixed_Case.v2")],
                            tmp_path, config)
    assert [f.path.name for f in planned] == ["2015-06-01-work-vs-progress.md", "2015-06-01-Mixed_Case.v2.md"]
    assert b"slug:" not in planned[0].data
    assert b"slug: Mixed_Case.v2\n" in planned[1].data


def test_a_slug_written_decomposed_is_kept_as_its_composed_twin_is(tmp_path: Path, config: Config) -> None:
    # a Jekyll file name as a Mac stores it (NFD): the same URL as on Linux, accents kept
    planned, _ = plan_files([post(slug="cafe\u0301")], tmp_path, config)
    assert planned[0].path.name == "2015-06-01-caf\u00e9.md" and b"slug: caf\xc3\xa9\n" in planned[0].data


def test_unsafe_slug_is_slugified(tmp_path: Path, config: Config) -> None:
    planned, _ = plan_files([post(slug="../../etc/passwd")], tmp_path, config)
    assert [f.path.name for f in planned] == ["2015-06-01-etc-passwd.md"]


def test_same_url_gets_a_numbered_slug(tmp_path: Path, config: Config) -> None:
    later = post(date=datetime(2015, 6, 20, tzinfo=CEST))
    planned, _ = plan_files([post(), later, post(date=datetime(2015, 7, 1, 12, tzinfo=CEST))], tmp_path, config)
    assert [f.path.name for f in planned] == ["2015-06-01-work-vs-progress.md", "2015-06-20-work-vs-progress-2.md",
                                             "2015-07-01-work-vs-progress.md"]


def test_files_parse_as_posts(tmp_path: Path, config: Config) -> None:
    records = [post("007"), post("yes", tags=("no", "1.5")), post("Control\x08 char", body="Bell\x07 rings.\n"),
               post("Über 日本", draft=True)]
    planned, problems = plan_files(records, tmp_path, config)
    assert problems == []
    write_plan(planned, force=False)
    titles = [read_imported(f.path).parsed.title for f in planned]
    assert titles == ["007", "yes", "Control char", "Über 日本"]
    assert read_imported(planned[1].path).parsed.tags == ("no", "1.5")
    assert read_imported(planned[2].path).body == "Bell rings.\n"
    assert read_imported(planned[3].path).parsed.draft is True


def test_a_post_linkblog_would_refuse_is_reported_not_written(tmp_path: Path, config: Config) -> None:
    planned, problems = plan_files([post(link="javascript:alert(1)"), post("Fine")], tmp_path, config)
    assert [f.path.name for f in planned] == ["2015-06-01-fine.md"]
    assert len(problems) == 1 and problems[0].path == "export.xml: post 1" and problems[0].warning


def test_identical_unchanged_different_clash_force_overwrites(tmp_path: Path, config: Config) -> None:
    planned, _ = plan_files([post(), post("Second")], tmp_path, config)
    first = write_plan(planned, force=False)
    assert [f.path.name for f in first.written] == ["2015-06-01-work-vs-progress.md", "2015-06-01-second.md"]
    planned[1].path.write_text("edited by hand\n", encoding="utf-8")
    second = write_plan(planned, force=False)
    assert [len(second.written), len(second.unchanged), len(second.clashes)] == [0, 1, 1]
    assert planned[1].path.read_text(encoding="utf-8") == "edited by hand\n"
    third = write_plan(planned, force=True)
    assert [f.path.name for f in third.overwritten] == ["2015-06-01-second.md"]
    assert planned[1].path.read_bytes() == planned[1].data


def test_a_failed_write_leaves_nothing_half_written(tmp_path: Path, config: Config) -> None:
    (tmp_path / "blocked").write_text("a file where a folder should be", encoding="utf-8")
    planned, _ = plan_files([post()], tmp_path / "posts", config)
    blocked, _ = plan_files([post("Second")], tmp_path / "blocked", config)
    with pytest.raises(OSError):
        write_plan(planned + blocked, force=False)
    assert list((tmp_path / "posts").iterdir()) == []


def test_a_folder_where_a_post_goes_stops_the_import_with_nothing_written(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "wordpress", str(FIXTURES / "wordpress.xml")).code == 0
    posts = sorted((site / "posts").iterdir())
    posts[0].write_text("edited by hand\n", encoding="utf-8")  # --force would replace it
    posts[-1].unlink()
    posts[-1].mkdir()
    before = tree_bytes(site)
    done = run_cli(site, "import", "wordpress", str(FIXTURES / "wordpress.xml"), "--force")
    assert done.code == 1
    errors = [line for line in done.err.splitlines() if "warning" not in line]
    assert len(errors) == 1 and errors[0].startswith(f"posts/{posts[-1].name}: ") and ".importing" not in errors[0]
    assert tree_bytes(site) == before and posts[-1].is_dir()
    assert sorted(p.name for p in (site / "posts").iterdir()) == [p.name for p in posts]


def test_a_failed_rename_undoes_the_others(tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    planned, _ = plan_files([post(), post("Second"), post("Third")], tmp_path, config)
    planned[0].path.write_text("edited by hand\n", encoding="utf-8")
    rename = writer.os.replace

    def failing(source: Path, target: Path) -> None:
        if Path(target).name == planned[2].path.name:
            raise OSError(28, "No space left on device", str(source))
        rename(source, target)

    monkeypatch.setattr(writer.os, "replace", failing)
    with pytest.raises(OSError) as raised:
        write_plan(planned, force=True)
    assert raised.value.filename == str(planned[2].path)
    assert tree_bytes(tmp_path) == {planned[0].path.name: b"edited by hand\n"}


def test_output_is_deterministic(tmp_path: Path, config: Config) -> None:
    records = [post(tags=("a", "b")), post("Two", via=Via("Sheri"))]
    assert [f.data for f in plan_files(records, tmp_path, config)[0]] == \
           [f.data for f in plan_files(records, tmp_path, config)[0]]


def test_into_a_folder_outside_posts_is_written_even_when_posts_holds_the_same_post(tmp_path: Path) -> None:
    # The same post under posts/ is the post's place only for a folder of posts/: outside it, the folder asked for
    # gets its files (to review them, say), and an identical file already there is the one left unchanged.
    old = jekyll_blog(tmp_path) / "_posts"
    site = fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "jekyll", str(old.parent)).code == 0
    done = run_cli(site, "import", "jekyll", str(old.parent), "--into", "../elsewhere")
    assert done.code == 0, done.err
    assert done.out.splitlines()[0].endswith(": 1 new, 0 unchanged, 0 overwritten")
    assert (tmp_path / "elsewhere" / "2015-06-01-x.md").read_bytes() == \
           (site / "posts" / "2015-06-01-x.md").read_bytes()
    again = run_cli(site, "import", "jekyll", str(old.parent), "--into", "../elsewhere")
    assert again.code == 0 and again.out.splitlines()[0].endswith(": 0 new, 1 unchanged, 0 overwritten")


@pytest.mark.parametrize("linked", ["posts/extra", "rv"])
def test_into_a_folder_a_build_reaches_through_a_link_is_a_folder_of_posts(tmp_path: Path, linked: str) -> None:
    old = jekyll_blog(tmp_path) / "_posts"
    site = fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "jekyll", str(old.parent)).code == 0
    if linked == "posts/extra":  # a link in posts/ to a folder elsewhere, which builds follow
        (tmp_path / "elsewhere").mkdir()
        (site / "posts" / "extra").symlink_to(tmp_path / "elsewhere")
        into = "../elsewhere"
    else:  # a link elsewhere to a folder of posts/
        (site / "posts" / "imported").mkdir()
        (site / "rv").symlink_to(site / "posts" / "imported")
        into = "rv"
    run = run_cli(site, "import", "jekyll", str(old.parent), "--into", into)
    assert run.code == 0, run.err
    assert "outside" not in run.err and run.out.splitlines()[0].endswith(": 0 new, 1 unchanged, 0 overwritten")
    assert run_cli(site, "build").code == 0


def jekyll_blog(tmp_path: Path) -> Path:
    old = tmp_path / "old-blog" / "_posts"
    old.mkdir(parents=True)
    (old / "2015-06-01-x.md").write_text("---\ntitle: X\n---\nWords.\n", encoding="utf-8")
    return old.parent


def test_into_a_folder_two_links_deep_is_a_folder_of_posts(tmp_path: Path) -> None:
    blog, site = jekyll_blog(tmp_path), fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "jekyll", str(blog)).code == 0
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (site / "posts" / "ext").symlink_to(tmp_path / "x")
    (tmp_path / "x" / "inner").symlink_to(tmp_path / "y")
    run = run_cli(site, "import", "jekyll", str(blog), "--into", "../y")
    assert (run.code, "outside" in run.err) == (0, False), run.err
    assert run.out.splitlines()[0].endswith(": 0 new, 1 unchanged, 0 overwritten")
    assert run_cli(site, "build").code == 0


def test_into_a_private_folder_a_build_reads_through_a_link_is_not_warned_of(tmp_path: Path) -> None:
    blog, site = jekyll_blog(tmp_path), fresh_site(tmp_path / "site")
    (site / "posts" / "_drafts").mkdir()
    (site / "posts" / "drafts").symlink_to("_drafts")
    run = run_cli(site, "import", "jekyll", str(blog), "--into", "posts/drafts")
    assert (run.code, run.err) == (0, "")


def test_a_link_in_posts_to_a_folder_above_makes_no_folder_one_of_posts(tmp_path: Path) -> None:
    blog, site = jekyll_blog(tmp_path), fresh_site(tmp_path / "site")
    (site / "posts" / "up").symlink_to("..")  # refused by every build: a link to a folder it is in
    run = run_cli(site, "import", "jekyll", str(blog), "--into", "review")
    assert run.code == 0
    assert [line.split(":", 1)[0] for line in run.err.splitlines() if "outside" in line] == ["review"]


def redirect_target(site: Path, path: str) -> str:
    """Where the built page at an old address (a site path) sends browsers, which must be its canonical link too
    and a page of the site, whose title it names."""
    page = BeautifulSoup((site / "build" / output_file(path)).read_text(encoding="utf-8"), "html.parser")
    target = page.find("meta", attrs={"http-equiv": "refresh"})["content"].split("url=", 1)[1]
    assert urlsplit(page.find("link", rel="canonical")["href"]).path == target
    post = BeautifulSoup((site / "build" / output_file(unquote(target))).read_text(encoding="utf-8"), "html.parser")
    assert post.title.get_text().startswith(page.title.get_text())
    return target


def aliases_of(planned: list) -> list:
    """The `aliases:` each planned file writes (None for a file without), read back as a build reads the file."""
    return [read_imported(file.path).meta.get("aliases") for file in planned]


def test_old_addresses_are_written_but_the_new_one_and_those_no_page_can_be_at(tmp_path: Path,
                                                                             config: Config) -> None:
    record = post(aliases=("/old/", "/2015/06/work-vs-progress/", "/2015/06/01/x.html", "old-name/", "/a/../b/",
                           "/100%-done/", "/old"))
    planned, problems = plan_files([record], tmp_path, config)
    write_plan(planned, force=False)
    assert problems == []
    assert aliases_of(planned) == [["/old/", "/2015/06/01/x.html", "/100%25-done/"]]
    assert read_imported(planned[0].path).parsed.extra["aliases"][2] == "/100%25-done/"  # the build reads /100%-done/


def test_an_old_address_another_page_has_is_left_out(tmp_path: Path, config: Config) -> None:
    # The site's own pages, another imported post's new address, a post already on the site, and an old address
    # an earlier post keeps: only one page can be at each.
    first = post("First", aliases=("/2015/06/second/", "/archive/", "/tag/x/", "/2015/06/mine/", "/shared/"))
    second = post("Second", date=datetime(2015, 6, 2, tzinfo=CEST), aliases=("/shared/", "/own-old/"))
    planned, _ = plan_files([first, second], tmp_path, config, {"/2015/06/mine/": {"/elsewhere/mine.md"}})
    write_plan(planned, force=False)
    assert aliases_of(planned) == [["/shared/"], ["/own-old/"]]


@pytest.mark.parametrize(("url", "old_site", "expected"), [
    ("https://example.org/", "https://www.EXAMPLE.org/blog", ["/blog/2015/x/", "/blog/y.html"]),
    ("https://example.org/blog/", "http://example.org/blog/", ["/2015/x/", "/y.html"]),
    ("https://example.org/notes/", "https://example.org/", None),  # outside this site: no page of it can be there
    ("https://user.github.io/notes/", "https://example.org/blog/", ["/2015/x/", "/y.html"]),  # another host
])
def test_on_the_old_site_s_own_host_an_old_address_keeps_its_place(tmp_path: Path, url: str, old_site: str,
                                                                   expected: list | None) -> None:
    config = Config(root=tmp_path, url=url)
    planned, _ = plan_files([post(aliases=("/2015/x/", "/y.html"), old_site=old_site)], tmp_path, config)
    write_plan(planned, force=False)
    assert aliases_of(planned) == [expected]

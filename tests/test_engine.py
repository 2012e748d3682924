"""engine: an edit renders only the pages it touches, and parallel output equals one process's."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE_POSTS, clean_build, make_site, post_text, run_cli, tree_bytes

from linkblog.build import Builder, BuildOptions
from linkblog.engine import ENTRY_LISTS, FEED_KINDS
from linkblog.theme import theme_dir
from linkblog.workers import map_items

NOW = datetime(2030, 1, 1, tzinfo=UTC)
OLDEST = "2015-04-09-some-customers-suck.md"
NEWEST, NEXT_NEWEST = "2016-08-16-graceful-degradation.md", "2016-01-14-stop-apologising.md"
# Every page that shows the oldest sample post in full (5 posts, 2 a page).
SHOWING_OLDEST = {"/2015/04/some-customers-suck/", "/page/3/", "/tag/support/page/2/", "/2015/page/2/",
                  "/2015/04/", "/source/nick-bradbury/", "/feed.xml", "/atom.xml", "/feed.json",
                  "/tag/support/feed.xml", "/source/nick-bradbury/feed.xml"}


def edit(site: Path, name: str, old: str, new: str) -> Path:
    path = site / "posts" / name
    path.write_text(path.read_text().replace(old, new))
    return path


def test_a_body_edit_rewrites_only_the_pages_showing_the_post(site: Path) -> None:
    options = BuildOptions(now=NOW, jobs=1)
    in_memory = Builder(site / "config.yaml", {"output_dir": str(site / "memory")}, options, persist=False)
    assert Builder(site / "config.yaml", options=options).build().ok and in_memory.build().ok
    path = edit(site, OLDEST, "Agreed.", "Agreed, again.")
    for result in (Builder(site / "config.yaml", options=options).build(), in_memory.build(changed=[path])):
        assert result.ok, result.problems
        assert set(result.pages) == SHOWING_OLDEST
        assert result.rendered < 20  # neighbours are looked at; nothing else is
    path = edit(site, OLDEST, "Agreed, again.", "Agreed once more.")
    assert set(Builder(site / "config.yaml", options=options).build().pages) == SHOWING_OLDEST  # not a full pass


def test_a_new_tag_adds_its_pages_and_leaves_the_rest(site: Path) -> None:
    options = BuildOptions(now=NOW, jobs=1)
    assert Builder(site / "config.yaml", options=options).build().ok
    edit(site, OLDEST, "tags: [support]", "tags: [support, hiring]")
    result = Builder(site / "config.yaml", options=options).build()
    assert {"/tag/hiring/", "/tag/hiring/feed.xml", "/sitemap.xml", "/2015/04/some-customers-suck/"} \
        <= set(result.pages)
    assert "/2016/08/graceful-degradation/" not in result.pages and "/page/2/" not in result.pages


def renamed_newest(site: Path) -> None:
    """Retitle the newest post: the pages of its neighbour (an unchanged post) are rendered again."""
    edit(site, NEWEST, "title: Graceful degradation", "title: Graceful degradation, again")


def asked_bodies(monkeypatch: pytest.MonkeyPatch, bodies: Callable[..., Any] | None = None) -> list[set[str]]:
    """Record the posts each build asks the cache for the bodies of (answered by `bodies`, if given)."""
    from linkblog import engine

    asked: list[set[str]] = []
    real = bodies or engine.load_bodies

    def recording(root: Path, posts: dict[str, Any]) -> Any:
        asked.append(set(posts))
        return real(root, posts)

    monkeypatch.setattr("linkblog.engine.load_bodies", recording)
    return asked


def test_posts_read_from_the_cache_are_shown_with_their_bodies(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache keeps bodies apart and gives them to the pages that show them, and to the pure load."""
    options = BuildOptions(now=NOW, jobs=1)
    assert Builder(site / "config.yaml", options=options).build().ok
    renamed_newest(site)
    asked = asked_bodies(monkeypatch)
    builder = Builder(site / "config.yaml", options=options)
    assert builder.build().ok
    assert asked == [{f"posts/{NEXT_NEWEST}"}]  # its own page shows its newer neighbour, which has its body
    clean = Builder(site / "config.yaml", {"output_dir": str(site / "clean")}, options, persist=False)
    assert clean.build().ok
    assert tree_bytes(site / "build") == tree_bytes(site / "clean")
    fresh = {parsed.path: parsed for parsed in clean.loaded().posts}
    loaded = builder.loaded()
    assert len(loaded.posts) == len(SAMPLE_POSTS)
    for parsed in loaded.posts:
        assert parsed.html and parsed == fresh[parsed.path]
    for page in loaded.pages:
        for post in page.posts:
            assert post.html == fresh[post.path].html


def test_the_default_theme_shows_a_body_only_in_entries(site: Path) -> None:
    """Every page made again with the entries the cache kept, and the bodies of no other post than each post
    page's own, is the page made from the posts."""
    options = BuildOptions(now=NOW, jobs=1)
    assert Builder(site / "config.yaml", options=options).build().ok
    good = tree_bytes(site / "build")
    shutil.rmtree(site / "build")
    assert Builder(site / "config.yaml", options=options).build().ok
    assert tree_bytes(site / "build") == good


SHOWN = "{% for post in posts %}<div class=body-copy>{{ post.html }}</div>{% endfor %}"
NEIGHBOUR = "{% if page.older %}<div class=body-copy>{{ page.older.html }}</div>{% endif %}"


@pytest.mark.parametrize(("template", "old", "new"), [
    ("list.html", '{% include "_list.html" %}', '{% include "_list.html" %}' + SHOWN),
    ("_list.html", "{% for post in posts %}", "{% for post in posts %}<div class=body-copy>{{ post.html }}</div>"),
    ("base.html", "</body>", SHOWN + "</body>"),
    ("post.html", "{% endblock %}", NEIGHBOUR + "{% endblock %}"),
    ("archive.html", "{% endblock %}", SHOWN + "{% endblock %}"),
])
@pytest.mark.parametrize("since", [False, True])
def test_a_site_template_showing_bodies_outside_entries_gets_them(site: Path, template: str, old: str,
                                                                    new: str, since: bool) -> None:
    """Only the default theme's pages show a post's body in entries alone: a site's may show `post.html`, from
    the first build or (`since`) once a long-lived builder sees it."""
    source = (theme_dir() / "templates" / template).read_text()
    changed = new.join(source.rsplit(old, 1))
    assert changed != source
    options = BuildOptions(now=NOW, jobs=1)
    (site / "templates").mkdir()
    if not since:
        (site / "templates" / template).write_text(changed)
    assert Builder(site / "config.yaml", options=options).build().ok
    builder = Builder(site / "config.yaml", options=options)
    if since:
        (site / "posts" / OLDEST).touch()
        assert builder.build().ok
        (site / "templates" / template).write_text(changed)
    renamed_newest(site)
    assert builder.build().ok
    assert Builder(site / "config.yaml", {"output_dir": str(site / "clean")}, options, persist=False).build().ok
    assert tree_bytes(site / "build") == tree_bytes(site / "clean")
    assert "<div class=body-copy>" in "".join(path.read_text() for path in (site / "build").rglob("*.html"))


def test_a_body_the_cache_no_longer_holds_is_read_from_its_file(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = BuildOptions(now=NOW, jobs=1)
    assert Builder(site / "config.yaml", options=options).build().ok
    renamed_newest(site)
    asked = asked_bodies(monkeypatch, lambda root, posts: {})  # as if its rows went mid-build
    assert Builder(site / "config.yaml", options=options).build().ok
    assert asked and asked[0]
    assert Builder(site / "config.yaml", {"output_dir": str(site / "clean")}, options, persist=False).build().ok
    assert tree_bytes(site / "build") == tree_bytes(site / "clean")


def many_posts(root: Path, count: int) -> Path:
    posts = {f"p{i:03d}.md": post_text(f"Post {i}", f"2015-{1 + i % 12:02d}-{1 + i % 28:02d} 10:{i % 60:02d}",
                                        f"Body {i} with *emphasis*.", tags=f"[t{i % 7}, all]")
             for i in range(count)}
    return make_site(root, {**SAMPLE_POSTS, **posts})


def noting_pid(job: tuple[Callable[[Any, Any], Any], Any, Path], item: Any) -> Any:
    """The build's own work on one item, leaving in a folder a file named for the process that did it."""
    func, state, folder = job
    (folder / str(os.getpid())).touch()
    return func(state, item)


def test_parallel_output_equals_one_process_even_beside_live_threads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = many_posts(tmp_path / "site", 300)

    # Workers from the fork server see no patch made here, so the folder to note pids in travels with the state.
    def noted(func: Callable[[Any, Any], Any], state: Any, items: Any, jobs: int, *rest: Any) -> list[Any]:
        return map_items(noting_pid, (func, state, tmp_path / f"pids-{jobs}"), items, jobs, *rest)

    monkeypatch.setattr("linkblog.engine.map_items", noted)
    server = HTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()  # a process that serves HTTP, as `serve` does, builds with workers
    try:
        for jobs, out in ((1, "one"), (2, "two")):
            (tmp_path / f"pids-{jobs}").mkdir()
            options = BuildOptions(now=NOW, jobs=jobs, clean=True)
            assert Builder(site / "config.yaml", {"output_dir": str(tmp_path / out)}, options, persist=False) \
                .build().ok
    finally:
        server.shutdown()
        server.server_close()
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")
    assert {p.name for p in (tmp_path / "pids-1").iterdir()} == {str(os.getpid())}
    assert {p.name for p in (tmp_path / "pids-2").iterdir()} - {str(os.getpid())}, "no worker took any pages"


def test_an_edit_moving_hundreds_of_pages_renders_them_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = many_posts(tmp_path / "site", 300)
    base = site / "templates" / "base.html"
    base.parent.mkdir()
    base.write_text((theme_dir() / "templates" / "base.html").read_text())
    builder = Builder(site / "config.yaml", {"output_dir": str(tmp_path / "out")},
                      BuildOptions(now=NOW, jobs=2), persist=False)
    assert builder.build().ok
    base.write_text(base.read_text().replace("</body>", "<!-- edited --></body>"))

    def no_workers(*args: object) -> None:
        raise AssertionError("started workers")

    monkeypatch.setattr("multiprocessing.get_context", no_workers)
    result = builder.build(changed=[base])
    assert result.ok, result.problems
    assert result.rendered > 300  # more than a batch worth sending to workers, all rendered here
    assert "<!-- edited -->" in (tmp_path / "out" / "index.html").read_text()


def test_a_cli_edit_moving_hundreds_of_pages_spreads_them_and_equals_a_clean_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = many_posts(tmp_path / "site", 300)
    base = site / "templates" / "base.html"
    base.parent.mkdir()
    base.write_text((theme_dir() / "templates" / "base.html").read_text())
    out = {"output_dir": str(tmp_path / "out")}
    assert Builder(site / "config.yaml", out, BuildOptions(now=NOW, jobs=1)).build().ok
    base.write_text(base.read_text().replace("</body>", "<!-- edited --></body>"))

    def noted(func: Callable[[Any, Any], Any], state: Any, items: Any, jobs: int, *rest: Any) -> list[Any]:
        return map_items(noting_pid, (func, state, tmp_path / "pids"), items, jobs, *rest)

    (tmp_path / "pids").mkdir()
    monkeypatch.setattr("linkblog.engine.map_items", noted)
    result = Builder(site / "config.yaml", out, BuildOptions(now=NOW, jobs=2)).build()  # a new process's build
    assert result.ok, result.problems
    assert result.rendered > 400
    assert {p.name for p in (tmp_path / "pids").iterdir()} - {str(os.getpid())}, "no worker took any pages"
    clean = Builder(site / "config.yaml", {"output_dir": str(tmp_path / "clean")},
                    BuildOptions(now=NOW, jobs=1, clean=True), persist=False)
    assert clean.build().ok
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "clean")


def test_workers_beside_live_threads_render_the_bodies_the_cache_kept_apart(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers from the fork server make their own renderers, without the entries the cache kept: the posts
    they show need their bodies."""
    site = many_posts(tmp_path / "site", 300)
    assert Builder(site / "config.yaml", options=BuildOptions(now=NOW, jobs=1)).build().ok
    edit(site, "p150.md", "tags: [t3, all]", "tags: [t3, all, t1]")  # on list pages beside unchanged posts

    def noted(func: Callable[[Any, Any], Any], state: Any, items: Any, jobs: int, *rest: Any) -> list[Any]:
        return map_items(noting_pid, (func, state, tmp_path / "pids"), items, jobs, *rest)

    (tmp_path / "pids").mkdir()
    monkeypatch.setattr("linkblog.engine.map_items", noted)
    monkeypatch.setattr("linkblog.engine.SHARED_PAGES", 2)  # the edit's pages are spread
    # Workers take pages from the back of the batch: the lists and feeds, whose entries the cache kept.
    monkeypatch.setattr("linkblog.engine.render_order", lambda page: page.kind in (*ENTRY_LISTS, *FEED_KINDS))
    server = HTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        result = Builder(site / "config.yaml", options=BuildOptions(now=NOW, jobs=2)).build()
    finally:
        server.shutdown()
        server.server_close()
    assert result.ok, result.problems
    assert {p.name for p in (tmp_path / "pids").iterdir()} - {str(os.getpid())}, "no worker took any pages"
    assert Builder(site / "config.yaml", {"output_dir": str(tmp_path / "clean")}, BuildOptions(now=NOW, jobs=1),
                   persist=False).build().ok
    assert tree_bytes(site / "build") == tree_bytes(tmp_path / "clean")


def test_forked_workers_render_from_the_entries_the_cache_kept(tmp_path: Path) -> None:
    """A CLI build forks its workers, which inherit the entries the cache kept: the posts they show in those
    entries are read without their bodies."""
    site = many_posts(tmp_path / "site", 500)
    assert run_cli(site, "build", "--jobs", "1").code == 0
    (site / "posts" / "newest.md").write_text(post_text("Newest", "2016-12-31 10:00", "New.", tags="[t1, all]"))
    run = run_cli(site, "build", "--jobs", "2")
    assert run.code == 0, run.err
    assert int(run.out.split(" files written")[0].rsplit(" ", 1)[1]) > 400  # over two processes
    assert tree_bytes(site / "build") == clean_build(site, tmp_path / "clean")


def test_a_watched_rebuild_tells_every_post_files_problems_as_they_now_are(site: Path) -> None:
    odd = site / "posts" / "odd.md"
    odd.write_text(post_text("Odd", "2016-02-02 10:00", unknown_field="x", tags="[Support]"))
    builder = Builder(site / "config.yaml", {"output_dir": str(site / "out")}, BuildOptions(now=NOW, jobs=1),
                      persist=False)
    warned = {p.path for p in builder.build().problems}
    assert "posts/odd.md" in warned
    broken = edit(site, OLDEST, "date: 2015-04-09", "date: 2015-13-45")
    result = builder.build(changed=[broken])
    assert not result.ok and {p.path for p in result.problems} >= {"posts/odd.md", f"posts/{OLDEST}"}
    fixed = edit(site, OLDEST, "date: 2015-13-45", "date: 2015-04-09")
    result = builder.build(changed=[fixed])
    assert result.ok and {p.path for p in result.problems} == warned  # the error is gone, the warning stays
    odd.unlink()
    assert f"posts/{OLDEST}" not in warned and not builder.build(changed=[odd]).problems


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_rests_during_a_build_and_is_left_as_it_was(
        site: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool) -> None:
    import gc

    from linkblog.engine import Engine

    seen = []
    build = Engine.build
    monkeypatch.setattr(Engine, "build", lambda self, *a: seen.append(gc.isenabled()) or build(self, *a))
    (gc.enable if enabled else gc.disable)()
    try:
        assert Builder(site / "config.yaml", persist=False).build().ok
        assert seen == [False] and gc.isenabled() is enabled
    finally:
        gc.enable()

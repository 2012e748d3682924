"""The cache holds data, never code: damaged, foreign or crafted caches are dropped and rebuilt."""

from __future__ import annotations

import os
import pickle
import resource
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import SAMPLE_POSTS, Run, make_site, post_text, run_cli, tree_bytes

from linkblog.build import Builder, BuildOptions
from linkblog.cache import (
    BUILT_FILE,
    CACHE_DIR,
    DATABASE,
    INPUTS_FILE,
    CacheError,
    body_row,
    decode,
    encode,
    load_entries,
    output_files,
    post_row,
    row_post,
    with_body,
)
from linkblog.content import parse_post
from linkblog.theme import theme_dir


def build_twice_with(site: Path, damage) -> tuple[str, dict[str, bytes]]:
    """Build, damage the cache, build again without the early stop; the second build's stderr."""
    assert run_cli(site, "build").code == 0
    good = tree_bytes(site / "build")
    damage(site)
    (site / INPUTS_FILE).unlink(missing_ok=True)
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    return run.err, good


def truncate(site: Path) -> None:
    path = site / DATABASE
    path.write_bytes(path.read_bytes()[:3000])


def garbage(site: Path) -> None:
    (site / DATABASE).write_bytes(b"not a database at all" * 200)


def bad_json(site: Path) -> None:
    with sqlite3.connect(site / DATABASE) as db:
        db.execute("UPDATE posts SET tags = '[\"a\", '")


def post_row_gone(site: Path) -> None:
    """A post file whose post is gone, which must not pass for a file that parsed to nothing."""
    with sqlite3.connect(site / DATABASE) as db:
        db.execute("DELETE FROM posts WHERE rel = (SELECT MIN(rel) FROM posts)")


def wrong_type(site: Path) -> None:
    with sqlite3.connect(site / DATABASE) as db:
        db.execute("UPDATE posts SET draft = 'yes', title = x'00ff'")


def not_a_tag(site: Path) -> None:
    with sqlite3.connect(site / DATABASE) as db:
        db.execute("UPDATE posts SET tags = '[1, 2]'")


def unknown_tag(site: Path) -> None:
    with sqlite3.connect(site / DATABASE) as db:
        db.execute("""UPDATE posts SET extra = '{"$code": "os.system"}'""")


def emptied_row(site: Path) -> None:
    """A post's row of NULLs, which must not pass for a file that parsed to no post."""
    with sqlite3.connect(site / DATABASE) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(posts)") if row[1] != "rel"]
        db.execute(f"UPDATE posts SET {', '.join(f'{c} = NULL' for c in columns)} "
                   "WHERE rel = (SELECT MIN(rel) FROM posts)")


@pytest.mark.parametrize("damage", [truncate, garbage, bad_json, wrong_type, post_row_gone, not_a_tag, unknown_tag,
                                    emptied_row])
def test_a_damaged_cache_is_ignored_with_one_warning(site: Path, damage) -> None:
    err, good = build_twice_with(site, damage)
    assert err.count("warning: ignoring the build cache") == 1, err
    assert tree_bytes(site / "build") == good


def cache_folder_a_file(site: Path) -> None:
    shutil.rmtree(site / ".cache")
    (site / ".cache").write_text("")


def record_a_folder(site: Path) -> None:
    (site / BUILT_FILE).unlink()
    (site / BUILT_FILE).mkdir()


def database_a_folder(site: Path) -> None:
    """Neither read nor written, for the same reason: two warnings of the same words."""
    (site / DATABASE).unlink()
    (site / DATABASE).mkdir()


@pytest.mark.parametrize("damage", [cache_folder_a_file, record_a_folder, database_a_folder])
def test_a_cache_that_cannot_be_written_is_one_warning_and_the_build_lands(site: Path, damage) -> None:
    assert run_cli(site, "build").code == 0
    damage(site)
    (site / "posts" / "2017-03-03-new.md").write_text(post_text("New one", "2017-03-03 10:00", tags="[x]"))
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    assert run.err.count("warning: ignoring the build cache") == 1 and "Traceback" not in run.err
    assert (site / "build" / "2017" / "03" / "new" / "index.html").exists()
    again = run_cli(site, "build")
    assert again.code == 0, again.err


@pytest.mark.parametrize(("column", "value"), [("quote_end", "x"), ("html", b"\x80\x04")])
def test_a_damaged_body_is_found_when_a_page_shows_it(site: Path, column: str, value: object) -> None:
    """Bodies are read for the pages a build renders: one warning, the bodies read from the posts, and the
    cache written afresh (the next build is quiet)."""
    assert run_cli(site, "build").code == 0
    good = tree_bytes(site / "build")
    with sqlite3.connect(site / DATABASE) as db:
        assert db.execute(f"UPDATE bodies SET {column} = ?", (value,)).rowcount == len(SAMPLE_POSTS)
    shutil.rmtree(site / "build")  # every page again: every body is asked for
    run = run_cli(site, "build")
    assert run.code == 0 and run.err.count("warning: ignoring the build cache") == 1, run.err
    assert tree_bytes(site / "build") == good
    shutil.rmtree(site / "build")
    run = run_cli(site, "build")
    assert run.code == 0 and run.err == ""
    assert tree_bytes(site / "build") == good


def test_after_a_damaged_body_the_same_process_never_saves_a_post_it_holds_without_one(site: Path) -> None:
    """Written afresh, the cache leaves out the posts this process has no body of, then and in later saves; the
    next process parses them again."""
    options = BuildOptions(now=datetime(2030, 1, 1, tzinfo=UTC))
    assert Builder(site / "config.yaml", options=options).build().ok
    with sqlite3.connect(site / DATABASE) as db:
        db.execute("UPDATE bodies SET html = x'80'")
    newest = site / "posts" / NEWEST.removeprefix("posts/")
    newest.write_text(newest.read_text().replace("tags: [", "tags: [hiring, "))
    shutil.rmtree(site / "build")  # every page: every body is asked for
    builder = Builder(site / "config.yaml", options=options)
    first = builder.build()
    assert first.ok and sum("ignoring the build cache" in p.message for p in first.problems) == 1
    for rel in SAMPLE_POSTS:  # the same bytes, a new stat: each file's row is written again, its post's is not
        path = site / "posts" / rel
        path.write_bytes(path.read_bytes())
        os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    assert builder.build().ok
    assert Builder(site / "config.yaml", {"output_dir": str(site / "clean")}, options, persist=False).build().ok
    shutil.rmtree(site / "build")
    run = run_cli(site, "build")
    assert run.code == 0 and "warning" not in run.err, run.err
    assert tree_bytes(site / "build") == tree_bytes(site / "clean")


def test_a_planted_pickle_runs_nothing(site: Path, tmp_path: Path) -> None:
    """A cache row crafted to run code when unpickled (say, committed by mistake) is only data."""
    marker = tmp_path / "PWNED"

    class Exploit:
        def __reduce__(self):
            return (Path.touch, (marker,))

    payload = pickle.dumps(Exploit())

    def plant(site: Path) -> None:
        with sqlite3.connect(site / DATABASE) as db:
            for column in ("title", "tags", "extra"):
                db.execute(f"UPDATE posts SET {column} = ?", (payload,))
            db.execute("UPDATE bodies SET html = ?", (payload,))
            db.execute("UPDATE files SET problems = ?", (payload,))

    err, good = build_twice_with(site, plant)
    assert not marker.exists()
    assert err.count("warning: ignoring the build cache") == 1, err
    assert tree_bytes(site / "build") == good
    assert run_cli(site, "build").err == ""  # warned once: the rebuilt cache is clean


def test_a_cache_from_other_code_is_rebuilt_quietly(site: Path) -> None:
    def other_code(site: Path) -> None:
        with sqlite3.connect(site / DATABASE) as db:
            db.execute("UPDATE meta SET value = 'something else' WHERE key = 'code'")

    err, good = build_twice_with(site, other_code)
    assert err == ""
    assert tree_bytes(site / "build") == good


def test_a_post_survives_the_round_trip_through_json() -> None:
    tz = ZoneInfo("Europe/Berlin")
    text = (b"---\ntitle: T\ndate: 2015-06-01 09:30\ntags: [a, b]\nvia: {name: S, url: https://s.example}\n"
            b"link: https://x.example/\nsource: X\nmood: calm\nwhen: 2015-06-02\nat: 2015-06-02 10:00:00+02:00\n"
            b"nested: {1: [x, 2.5, null], list: [2015-06-03, {null: 1}]}\n---\nBody.\n")
    post, problems = parse_post("posts/t.md", text, tz)
    assert post is not None and not problems
    digest, *body = body_row(post)
    light = row_post("posts/t.md", post_row(post), tz)
    assert light.html == "" and digest == post.digest
    for back in (with_body(light, tuple(body)), row_post("posts/t.md", post_row(post), tz, tuple(body))):
        assert back == post
        assert back.opening_quote() is None and back.date.tzinfo == tz


@pytest.mark.parametrize("value", [
    {"a": [1, 2.5, None, True, "x"]}, date(2015, 6, 1), datetime(2015, 6, 1, 9, 30),
    datetime(2015, 6, 1, 9, 30, tzinfo=timezone(timedelta(hours=2))), datetime(2015, 6, 1, tzinfo=UTC),
    {1: "one", date(2015, 1, 1): "new year"}, {"$date": "looks tagged"},
])
def test_front_matter_values_round_trip(value) -> None:
    import json

    assert decode(json.loads(json.dumps(encode(value)))) == value


@pytest.mark.parametrize("text", ['{"$exec": "x"}', '{"$date": "not a date"}', '{"$date": "x", "$set": []}'])
def test_unknown_or_bad_tags_are_refused(text: str) -> None:
    import json

    with pytest.raises((CacheError, ValueError)):
        decode(json.loads(text))


OLDEST = "posts/2015-04-09-some-customers-suck.md"
NEWEST = "posts/2016-08-16-graceful-degradation.md"
MARKER = "<article>the kept entry</article>"


def plant_entry(site: Path) -> None:
    """Stand in for the oldest post's kept list entry, so a page built from it can be told apart."""
    with sqlite3.connect(site / DATABASE) as db:
        assert db.execute("UPDATE entries SET html = ? WHERE use = 'list' AND rel = ?", (MARKER, OLDEST)).rowcount == 1


def add_newest(site: Path) -> None:
    """A post newer than the rest: every page of the home list shifts, the oldest post's last page too."""
    (site / "posts" / "2020-01-01-newest.md").write_text(post_text("Newest", "2020-01-01 10:00"))


def test_a_list_entry_kept_by_the_last_build_is_used_while_its_post_is_unchanged(site: Path) -> None:
    assert run_cli(site, "build").code == 0
    plant_entry(site)
    add_newest(site)
    assert run_cli(site, "build").code == 0
    assert MARKER in (site / "build" / "page" / "3" / "index.html").read_text()  # not rendered again
    path = site / OLDEST
    path.write_text(path.read_text().replace("Agreed.", "Agreed, once more."))
    assert run_cli(site, "build").code == 0
    shown = (site / "build" / "page" / "3" / "index.html").read_text()
    assert MARKER not in shown and "Agreed, once more." in shown


@pytest.mark.parametrize("feed", ["feed.xml", "atom.xml", "feed.json"])
def test_a_feed_entry_kept_by_the_last_build_is_used_while_its_post_is_unchanged(site: Path, feed: str) -> None:
    assert run_cli(site, "build").code == 0
    with sqlite3.connect(site / DATABASE) as db:
        assert db.execute("UPDATE entries SET html = ? WHERE use = 'feed' AND rel = ?", (MARKER, NEWEST)).rowcount == 1
    add_newest(site)  # every feed is made again, the older posts' entries from the cache
    assert run_cli(site, "build").code == 0
    assert "the kept entry" in (site / "build" / feed).read_text()
    path = site / NEWEST
    path.write_text(path.read_text().replace("Sure.", "Sure, once more."))
    assert run_cli(site, "build").code == 0
    shown = (site / "build" / feed).read_text()
    assert "the kept entry" not in shown and "Sure, once more." in shown


def test_a_clean_build_over_a_cache_of_older_tables_keeps_a_cache_without_a_warning(site: Path) -> None:
    assert run_cli(site, "build").code == 0
    with sqlite3.connect(site / DATABASE) as db:  # the entries table as an older linkblog made it
        db.executescript("DROP TABLE entries; "
                         "CREATE TABLE entries (rel TEXT PRIMARY KEY, key TEXT NOT NULL, html TEXT NOT NULL);")
    clean = run_cli(site, "build", "--clean")
    assert clean.code == 0 and "cache" not in clean.err, clean.err
    add_newest(site)
    again = run_cli(site, "build")
    assert again.code == 0 and "cache" not in again.err, again.err
    with sqlite3.connect(site / DATABASE) as db:
        assert db.execute("SELECT COUNT(*) FROM entries WHERE use = 'feed'").fetchone()[0] > 0


def test_a_template_edit_renders_every_kept_entry_again(site: Path) -> None:
    entry = site / "templates" / "_entry.html"
    entry.parent.mkdir()
    entry.write_text((theme_dir() / "templates" / "_entry.html").read_text())
    assert run_cli(site, "build").code == 0
    plant_entry(site)
    entry.write_text(entry.read_text() + "\n{# edited #}\n")
    add_newest(site)
    assert run_cli(site, "build").code == 0
    assert MARKER not in (site / "build" / "page" / "3" / "index.html").read_text()


def test_a_kept_entry_of_the_wrong_type_is_rendered_again(site: Path) -> None:
    assert run_cli(site, "build").code == 0
    with sqlite3.connect(site / DATABASE) as db:
        db.execute("UPDATE entries SET html = x'00ff' WHERE use = 'list' AND rel = ?", (OLDEST,))
    add_newest(site)
    assert run_cli(site, "build").code == 0
    assert "customers" in (site / "build" / "page" / "3" / "index.html").read_text().lower()


def test_kept_entries_are_used_when_an_edit_moves_many_list_pages(tmp_path: Path) -> None:
    posts = {f"p{i:03d}.md": post_text(f"Post {i}", f"2017-01-{1 + i % 28:02d} 10:{i % 60:02d}", f"Body {i}.")
             for i in range(80)}
    site = make_site(tmp_path / "site", {**SAMPLE_POSTS, **posts})
    assert run_cli(site, "build").code == 0
    plant_entry(site)
    add_newest(site)  # shifts every one of the home list's 43 pages
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    assert MARKER in (site / "build" / "page" / "43" / "index.html").read_text()


def test_only_the_entries_asked_for_are_read_however_many_are_asked(site: Path) -> None:
    assert run_cli(site, "build").code == 0
    with sqlite3.connect(site / DATABASE) as db:
        kept = set(db.execute("SELECT use, rel FROM entries"))
    assert {("list", OLDEST), ("list", NEWEST), ("feed", NEWEST)} <= kept and len(kept) > 3
    assert load_entries(site, {("list", OLDEST)}).keys() == {("list", OLDEST)}
    many = {("list", f"posts/missing-{i}.md") for i in range(40000)} | {("list", OLDEST), ("feed", NEWEST)}
    assert load_entries(site, many).keys() == {("list", OLDEST), ("feed", NEWEST)}  # more than SQLite's parameters
    assert load_entries(site, set()) == {}


def test_manifest_rows_a_build_discards_are_deleted_so_a_page_coming_back_is_written(site: Path) -> None:
    post = site / OLDEST
    text = post.read_text()
    page = site / "build" / "2015" / "04" / "some-customers-suck" / "index.html"
    assert run_cli(site, "build").code == 0 and page.exists()
    post.unlink()
    assert run_cli(site, "build", "--output", "dist").code == 0  # another output folder: a manifest anew
    assert run_cli(site, "build").code == 0 and not page.exists()
    other = site / "posts" / "2015-06-01-work-vs-progress.md"
    other.write_text(other.read_text().replace("My note.", "My note, edited."))  # an edit that moves no page
    assert run_cli(site, "build").code == 0
    post.write_text(text)
    assert run_cli(site, "build").code == 0
    assert page.exists()


@pytest.mark.parametrize("field, value", [
    ("release", "soon"), ("posts", "many"), ("warnings", [[None, {"a": 1}, "x"]]), ("left_out", None),
])
def test_a_damaged_record_of_the_last_build_means_a_full_check(site: Path, field: str, value) -> None:
    """inputs.json lets a build with nothing to do stop early; a damaged one is only a slower build."""
    import json

    assert run_cli(site, "build").code == 0
    good = tree_bytes(site / "build")
    record = json.loads((site / INPUTS_FILE).read_text())
    (site / INPUTS_FILE).write_text(json.dumps({**record, field: value}))
    run = run_cli(site, "build")
    assert (run.code, run.err) == (0, ""), run.err
    assert run.out.startswith(f"Built {len(SAMPLE_POSTS)} posts")
    assert tree_bytes(site / "build") == good


def test_output_files_are_those_the_last_build_wrote_or_none_when_the_cache_cannot_tell(site: Path) -> None:
    out = site / "build"
    assert output_files(site, out) == {}
    assert run_cli(site, "build").code == 0
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(output_files(site, out)) == written
    assert output_files(site, site / "elsewhere") == {}  # the cache describes another folder
    (site / DATABASE).write_bytes(b"not a database at all" * 100)
    assert output_files(site, out) == {}


def build_within(site: Path, memory: int = 2**29) -> Run:
    """`linkblog build` in a process of at most `memory` bytes: a file read without a bound fails it at once, and
    leaves the machine's memory alone."""
    limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (memory, memory))  # noqa: E731
    done = subprocess.run([sys.executable, "-m", "linkblog", "build"], cwd=site, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL, preexec_fn=limit)
    return Run(done.returncode, done.stdout, done.stderr)


def linked_to_zeros(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")


def nested_deep(path: Path) -> None:
    path.write_text("[" * 200_000 + "]" * 200_000)


@pytest.mark.parametrize("record", [INPUTS_FILE, BUILT_FILE])
@pytest.mark.parametrize("damage", [linked_to_zeros, nested_deep])
def test_a_crafted_record_of_the_last_build_is_only_a_slower_build(site: Path, record: Path, damage) -> None:
    """Read whole through a link to /dev/zero, a record filled the memory; nested 200,000 deep, it ended every
    build in a traceback. It is written again in its place (a link replaced, its target left as it is)."""
    assert run_cli(site, "build").code == 0
    good = tree_bytes(site / "build")
    damage(site / record)
    post = site / OLDEST
    os.utime(post, ns=(post.stat().st_mtime_ns + 10**9,) * 2)  # a new stat: no build stops early
    run = build_within(site)
    assert (run.code, run.err) == (0, ""), run.err
    assert tree_bytes(site / "build") == good
    assert (site / record).is_file() and not (site / record).is_symlink()
    assert run_cli(site, "build").err == ""


def other_database(path: Path) -> bytes:
    """Make a database of someone else's at `path`; its bytes."""
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE mine (a)")
        db.execute("INSERT INTO mine VALUES ('kept')")
    return path.read_bytes()


@pytest.mark.parametrize("name", [DATABASE, DATABASE.with_name(DATABASE.name + "-journal")])
@pytest.mark.parametrize("exists", [True, False])
def test_a_database_linked_elsewhere_is_never_opened_the_link_is_removed(site: Path, tmp_path: Path, name: Path,
                                                                         exists: bool) -> None:
    """SQLite follows a link: the cache's tables were written into another database (or made one where the link
    led to nothing). The link is removed with one warning, its target left as it was, and the cache made anew."""
    other = tmp_path / "other.sqlite"
    before = other_database(other) if exists else None
    assert run_cli(site, "build").code == 0
    good = tree_bytes(site / "build")
    if name == DATABASE:
        (site / name).unlink()
    (site / name).symlink_to(other)
    (site / INPUTS_FILE).unlink()  # no early stop
    run = run_cli(site, "build")
    assert run.code == 0 and "Traceback" not in run.err, run.err
    [warning] = run.err.splitlines()
    assert warning.startswith(f"{CACHE_DIR}: warning: ignoring the build cache"), warning
    assert (other.read_bytes() if exists else other.exists()) == (before if exists else False)
    assert not (site / name).is_symlink()
    assert tree_bytes(site / "build") == good
    assert run_cli(site, "build", "--output", "dist").err == ""  # the cache made anew is read quietly


@pytest.mark.parametrize("record", [INPUTS_FILE, BUILT_FILE])
def test_a_link_where_a_record_is_written_first_is_replaced_not_written_through(site: Path, tmp_path: Path,
                                                                                record: Path) -> None:
    """A record is written under a temporary name, then renamed over its own: a link planted at that name was
    written through, overwriting any file of the user's."""
    precious = tmp_path / "precious.txt"
    precious.write_text("mine")
    (site / CACHE_DIR).mkdir(parents=True)
    (site / record.with_name(record.name + ".linkblog-tmp")).symlink_to(precious)
    run = run_cli(site, "build")
    assert (run.code, run.err) == (0, ""), run.err
    assert precious.read_text() == "mine"
    assert (site / record).is_file() and not (site / record).is_symlink()

"""A damaged, truncated or foreign cache is ignored with a warning, never trusted."""

from __future__ import annotations

import pickle
import sqlite3

import pytest
from conftest import run_cli, tree_bytes

from linkblog.cache import DATABASE, INPUTS_FILE, ParsedFile, pack, unpack
from linkblog.content import parse_post
from linkblog.problems import Problem


def build_twice_with(site, damage) -> tuple[str, dict[str, bytes]]:
    """Build, damage the cache, touch a post so the cache is consulted, build again."""
    assert run_cli(site, "build").code == 0
    good = tree_bytes(site / "build")
    damage(site)
    (site / INPUTS_FILE).unlink()
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    return run.err, good


def truncate(site):
    path = site / DATABASE
    path.write_bytes(path.read_bytes()[:3000])


def garbage(site):
    (site / DATABASE).write_bytes(b"not a database at all" * 200)


def old_format(site):
    with sqlite3.connect(site / DATABASE) as db:
        db.execute("UPDATE meta SET value = '0:0.0.1' WHERE key = 'format'")


def bad_row(site):
    with sqlite3.connect(site / DATABASE) as db:
        db.execute("UPDATE files SET packed = x'00ff00'")


@pytest.mark.parametrize("damage", [truncate, garbage, old_format, bad_row])
def test_a_damaged_cache_is_ignored_with_a_warning(site, damage):
    err, good = build_twice_with(site, damage)
    assert "warning: ignoring the build cache" in err
    assert tree_bytes(site / "build") == good


def override_entry_template(site):
    """A site template for every entry: every list and post page renders again and needs bodies."""
    (site / "templates").mkdir()
    (site / "templates" / "_entry.html").write_text("{% include 'theme/_entry.html' %}")


def test_missing_bodies_are_refetched_from_the_posts(site):
    def damage(site):
        with sqlite3.connect(site / DATABASE) as db:
            db.execute("DELETE FROM bodies")
        override_entry_template(site)

    err, good = build_twice_with(site, damage)
    assert "post bodies missing" in err
    assert tree_bytes(site / "build") == good


def test_pack_and_unpack_keep_everything_but_the_body():
    from zoneinfo import ZoneInfo

    text = b"---\ntitle: T\ndate: 2015-06-01 09:30\ntags: [a, b]\nvia: {name: S, url: https://s.example}\n" \
           b"link: https://x.example/\nsource: X\nmood: calm\n---\nBody.\n"
    post, _ = parse_post("posts/t.md", text, ZoneInfo("Europe/Berlin"))
    entry = ParsedFile(1, 2, "d", post, [Problem("posts/t.md", "warning", 3, True)])
    back = unpack(pickle.loads(pickle.dumps(pack(entry))))
    assert back.post.html is None
    back.post.html = post.html
    assert back == entry

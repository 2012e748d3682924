"""The cache never changes the result: incremental builds equal clean builds, byte for byte."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import CONFIG, SAMPLE_POSTS, make_site, post_text, run_cli, tree_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkblog.build import Builder, BuildOptions
from linkblog.config import Config
from linkblog.incremental import FileState, State, fitted, input_key, to_render
from linkblog.model import PageKind, PageSpec
from linkblog.scan import Inputs, stat_file

NOW = datetime(2030, 1, 1, tzinfo=UTC)
OLD = 1_500_000_000  # edits get distinct past mtimes, so the stat fast path is exercised too
TAGS = ["support", "Support", "work", "reading", "Reading", "customer success"]
SOURCES = ["Seth Godin", "seth godin", "Scott Berkun", "Berkun, Scott", "Seth's Blog", None]
# Near-duplicates of one article (they make "Linked before" relations and warnings), another, none.
LINKS = ["https://example.com/a", "http://www.example.com/a/?utm_source=feed#top", "https://example.com/b", None]
VIAS = ["Sheri", "sheri", "{name: Kottke, url: 'https://kottke.org/'}", None]
# sources.yaml: none, one folding two spellings into Scott Berkun, one giving Seth Godin a site and an alias.
SOURCE_FILES = [None, "- name: Scott Berkun\n  aliases: ['Berkun, Scott']\n  description: Writes on work.\n",
                "- name: Seth Godin\n  url: https://seths.blog/\n  aliases: [Seth's Blog, sethgodin.com]\n"
                "- name: Nobody Quoted\n"]
CLEAN = BuildOptions(now=NOW, jobs=1)
BODIES = ["> A quote. And more of it.\n\nMy commentary.", "> Only a quote.", "No quote here."]


def day_date(day: int) -> str:
    """A date in 2015 (odd days) or 2016 (even days), or for the last few days one after NOW (a future post)."""
    # Two past years, so a date edit can move a published post from one year's pages to the other's.
    year = 2031 if day >= 38 else 2015 if day % 2 else 2016
    return f"{year}-{1 + day % 12:02d}-{1 + day % 27:02d} 10:00"


def write_post(root: Path, name: str, meta: dict[str, str], body: str, step: int) -> None:
    fields = {key: value for key, value in meta.items() if key not in ("title", "date") and value is not None}
    path = root / "posts" / name
    path.write_text(post_text(meta["title"], meta["date"], body, **fields))
    os.utime(path, ns=(OLD * 10**9 + step, OLD * 10**9 + step))


def post_meta(title: str, date: str, tags: list[str], source: str | None, link: str | None = None,
              via: str | None = None) -> dict[str, str | None]:
    return {"title": title, "date": date, "tags": "[" + ", ".join(tags) + "]", "link": link, "source": source,
            "via": via}


def base_site(root: Path) -> Path:
    make_site(root, config=CONFIG)
    for i in range(6):
        meta = post_meta(f"Post {i}", day_date(i * 3), TAGS[i % 3: i % 3 + 2], SOURCES[i % 4], LINKS[i % 4],
                         VIAS[i % 4])
        write_post(root, f"post-{i}.md", meta, BODIES[i % 3].replace("A quote", f"Quote {i}"), i)
    return root


posts = st.integers(0, 7)
operations = st.one_of(
    st.tuples(st.just("body"), posts, st.one_of(st.text("abc <>&\"'*_\n", max_size=12),
                                                 st.just("Noted[^1].\n\n[^1]: A footnote, whose ids name the file."))),
    st.tuples(st.just("title"), posts, st.sampled_from(["Alpha", "Beta & <Gamma>", "Post 1"])),
    st.tuples(st.just("tags"), posts, st.lists(st.sampled_from(TAGS), max_size=3)),
    st.tuples(st.just("date"), posts, st.integers(0, 40)),
    st.tuples(st.just("source"), posts, st.sampled_from(SOURCES)),
    st.tuples(st.just("link"), posts, st.sampled_from(LINKS)),
    st.tuples(st.just("via"), posts, st.sampled_from(VIAS)),
    st.tuples(st.just("relinked"), posts, st.sampled_from(["true", None])),
    st.tuples(st.just("draft"), posts, st.sampled_from(["true", None])),
    # Old addresses: redirect pages come, go and move with their post; two posts naming one fail alike.
    st.tuples(st.just("aliases"), posts, st.sampled_from(["[/old/]", "[/old/, /older.html]", "/2015/moved/", None])),
    st.tuples(st.just("sources.yaml"), st.sampled_from(SOURCE_FILES), st.none()),
    st.tuples(st.just("add"), st.integers(6, 9), st.integers(0, 40)),
    st.tuples(st.just("delete"), posts, st.none()),
    st.tuples(st.just("rename"), posts, st.integers(10, 12)),
    # A page's own template, ones it includes (every list's, a feed entry's), and the one all pages extend.
    # WIDE: templates of the site's own showing more of each post a page reaches than the theme's do.
    st.tuples(st.just("template"), st.sampled_from(["post.html", "_attribution.html", "sources.html", "_list.html",
                                                    "base.html", "feed_entry.html", "WIDE"]),
              st.text("xy", max_size=3)),
    st.tuples(st.just("config"), st.sampled_from(["per_page: 3", "title: Other", "per_page: 2", "excerpt: quote",
                                                  "excerpt: commentary", "feed: {items: 2, link_posts: permalink}"]),
              st.none()),
    st.tuples(st.just("static"), st.sampled_from(["add", "delete"]), st.text("ab", max_size=4)),
)


def apply(root: Path, op: tuple, step: int) -> None:
    """Change the site as a writer would."""
    kind, target, value = op
    existing = sorted((root / "posts").glob("*.md"))
    if kind in (*EDITS, "body", "delete", "rename"):
        if not existing:
            return
        path = existing[target % len(existing)]
    if kind in (*EDITS, "body"):
        front, _, body = path.read_text().partition("\n---\n")
        meta = dict(line.split(": ", 1) for line in front.splitlines()[1:])
        if kind == "body":
            body = value
        else:
            meta[kind] = EDITS[kind](value)
        write_post(root, path.name, meta, body, step)
    elif kind == "sources.yaml":
        file = root / "sources.yaml"
        if file.is_symlink():
            file.unlink()
        elif file.is_dir():
            file.rmdir()
        if target is None:
            file.unlink(missing_ok=True)
        elif target == A_FOLDER:
            file.unlink(missing_ok=True)
            file.mkdir()
        elif target == A_LOOP:
            file.unlink(missing_ok=True)
            file.symlink_to(file.name)
        else:
            file.write_text(target)
            os.utime(file, ns=(OLD * 10**9 + step,) * 2)
    elif kind == "add":
        meta = post_meta(f"New {target}", day_date(value), ["support"], "Seth Godin", LINKS[target % 4])
        write_post(root, f"new-{target}.md", meta, "New.", step)
    elif kind == "delete":
        path.unlink()
    elif kind == "rename":
        path.rename(root / "posts" / f"renamed-{value}.md")
    elif kind == "template" and target == "WIDE":
        write_wide_templates(root, value)
    elif kind == "template":
        source = Path(__file__).parents[1] / "templates" / target
        page = root / "templates" / target
        page.parent.mkdir(exist_ok=True)
        page.write_text(source.read_text() + f"<!-- {value} -->\n")
        os.utime(page, ns=(OLD * 10**9 + step,) * 2)
    elif kind == "config":
        key = target.split(":")[0]
        lines = [line for line in (root / "config.yaml").read_text().splitlines() if not line.startswith(key)]
        (root / "config.yaml").write_text("\n".join([*lines, target]) + "\n")
    elif kind == "static":
        file = root / "static" / "extra.txt"
        if target == "add":
            file.parent.mkdir(exist_ok=True)
            file.write_text(value)
            os.utime(file, ns=(OLD * 10**9 + step,) * 2)
        else:
            file.unlink(missing_ok=True)


SHOWN_WHOLE = ("{% if p %}<p>{{ p.title }} {{ p.description }} {{ p.tags|join(',') }} {{ p.source }} "
               "{{ p.tag_refs|map(attribute='name')|join(',') }} {{ p.source_ref.name if p.source_ref }}</p>"
               "{% endif %}")
WIDE_TEMPLATES = {  # each shows posts other than the page's own, as templates.md says a template may
    "list.html": "{% for p in page.group.posts %}" + SHOWN_WHOLE + "{% endfor %}",
    "post.html": "{% for p in [page.older, page.newer, page.source_older, page.source_newer] + page.related %}"
                 + SHOWN_WHOLE + "{% endfor %}",
    "archive.html": "{% for p in posts %}" + SHOWN_WHOLE + "{% endfor %}",
}


def write_wide_templates(root: Path, mark: str) -> None:
    """The site's own list, post and archive templates: the theme's, showing every post they reach whole."""
    (root / "templates").mkdir(exist_ok=True)
    for name, more in WIDE_TEMPLATES.items():
        text = f'{{% extends "theme/{name}" %}}{{% block main %}}{{{{ super() }}}}{more}<!-- {mark} -->{{% endblock %}}'
        (root / "templates" / name).write_text(text + "\n")


A_FOLDER, A_LOOP = "a folder", "a link to itself"  # sources.yaml made what no build can read


# How each edit of a post's front matter turns the drawn value into the field's text.
EDITS = {"title": str, "tags": lambda tags: "[" + ", ".join(tags) + "]", "date": day_date,
         "source": lambda v: v, "link": lambda v: v, "via": lambda v: v, "relinked": lambda v: v,
         "draft": lambda v: v, "aliases": lambda v: v}


def clean_build(root: Path, out: Path, options: BuildOptions = CLEAN) -> tuple[list, dict[str, bytes] | None]:
    """The errors of a cache-free build, and its output when it succeeds."""
    shutil.rmtree(out, ignore_errors=True)
    result = Builder(root / "config.yaml", {"output_dir": str(out)}, options, persist=False).build()
    return [p for p in result.problems if not p.warning], tree_bytes(out) if result.ok else None


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operations, min_size=1, max_size=6), st.booleans())
def test_incremental_builds_equal_clean_builds(tmp_path_factory, ops, preview):
    root = base_site(tmp_path_factory.mktemp("site"))
    # A preview shows drafts and future posts, each marked.
    options = BuildOptions(now=NOW, jobs=1, drafts=preview, future=preview)
    in_memory = Builder(root / "config.yaml", {"output_dir": str(root / "memory")}, options, persist=False)
    # As `serve --watch` builds: told which paths changed, it scans nothing else.
    watched = Builder(root / "config.yaml", {"output_dir": str(root / "watched")}, options, persist=False)
    assert Builder(root / "config.yaml", options=options).build().ok
    assert in_memory.build().ok and watched.build().ok
    outputs = ("build", "memory", "watched")
    for step, op in enumerate(ops, start=100):
        before = snapshot(root)
        apply(root, op, step)
        changed = changed_paths(before, snapshot(root))
        outputs_before = [tree_bytes(root / out) for out in outputs]
        results = [Builder(root / "config.yaml", options=options).build(),  # a new process each time
                   in_memory.build(), watched.build(changed=changed)]
        problems, expected = clean_build(root, root.parent / (root.name + "-clean"), options)
        if expected is None:  # e.g. two posts on one URL: every build fails alike and changes nothing
            assert [[p for p in r.problems if not p.warning] for r in results] == [problems] * 3
            assert [tree_bytes(root / out) for out in outputs] == outputs_before
            continue
        assert all(r.ok for r in results), [r.problems for r in results]
        for out in outputs:
            assert tree_bytes(root / out) == expected, f"{out} differs after {op}"


def snapshot(root: Path) -> dict[Path, tuple[int, int]]:
    """Every input file's stat key (and the config's bytes: a rewrite may keep its size and mtime)."""
    found = {path: (path.stat().st_mtime_ns, path.stat().st_size)
             for folder in ("posts", "templates", "static") for path in (root / folder).rglob("*") if path.is_file()}
    sources = root / "sources.yaml"
    return found | {root / "config.yaml": (root / "config.yaml").read_bytes()} | (
        {sources: sources.read_bytes()} if sources.exists() else {})


def changed_paths(before: dict, after: dict) -> list[Path]:
    """What a file watcher would report between two snapshots."""
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


@pytest.mark.parametrize("edit", ["add an older post", "summary", "tags", "title"])
def test_templates_showing_every_post_a_page_reaches_stay_current(tmp_path: Path, edit: str) -> None:
    root = base_site(tmp_path / "site")
    write_wide_templates(root, "")
    options = BuildOptions(now=NOW, jobs=1)
    assert Builder(root / "config.yaml", options=options).build().ok
    target = root / "posts" / "post-2.md"
    front, _, body = target.read_text().partition("\n---\n")
    meta = dict(line.split(": ", 1) for line in front.splitlines()[1:])
    if edit == "add an older post":
        write_post(root, "older.md", post_meta("Older", day_date(-5), TAGS[:2], SOURCES[0], LINKS[0]), "Old.", 50)
    else:
        meta[edit] = {"summary": "Changed summary", "tags": "[work]", "title": "Changed title"}[edit]
        write_post(root, target.name, meta, body, 50)
    assert Builder(root / "config.yaml", options=options).build().ok
    assert tree_bytes(root / "build") == clean_build(root, tmp_path / "clean", options)[1]


@pytest.mark.parametrize("field", ["tags", "source"])
def test_a_name_respelled_by_most_use_is_shown_anew_on_every_page_reaching_its_posts(tmp_path: Path,
                                                                                    field: str) -> None:
    """Templates of one's own show each neighbour's and each listed post's tag and source names: when the most
    used spelling changes, so does every page showing a post of that tag or source, edited or not."""
    root = make_site(tmp_path / "site", config=CONFIG.replace("per_page: 2", "per_page: 1"))

    def write(name: str, day: int, spelled: str | None, step: int) -> None:
        meta = {"title": name.upper(), "date": f"2016-01-0{day} 10:00", "tags": "[zeta]"}
        if spelled:
            meta |= {"tags": f"[{spelled}, zeta]"} if field == "tags" else {"source": spelled}
        write_post(root, f"{name}.md", meta, f"Body {name}.", step)

    for day, name in enumerate("abcde", 1):
        write(name, day, "alpha" if name == "a" else None, day)
    write_wide_templates(root, "")
    options = BuildOptions(now=NOW, jobs=1)
    assert Builder(root / "config.yaml", options=options).build().ok
    for name, day in (("d", 4), ("e", 5)):  # two posts now spell it otherwise, where only post a named it
        write(name, day, "Alpha", 60 + day)
    assert Builder(root / "config.yaml", options=options).build().ok
    assert tree_bytes(root / "build") == clean_build(root, tmp_path / "clean", options)[1]


@pytest.mark.parametrize("folder", ["posts", "static"])
def test_an_edit_of_the_same_size_with_its_mtime_set_back_is_built(tmp_path: Path, folder: str) -> None:
    root = base_site(tmp_path / "site")
    target = root / folder / ("post-0.md" if folder == "posts" else "notes.txt")
    if folder == "static":
        target.parent.mkdir(exist_ok=True)
        target.write_text("teh words\n")
    else:
        target.write_text(target.read_text().replace("\n---\n", "\n---\nteh words\n", 1))
    os.utime(target, ns=(OLD * 10**9,) * 2)
    options = BuildOptions(now=NOW, jobs=1)
    assert Builder(root / "config.yaml", options=options).build().ok
    target.write_text(target.read_text().replace("teh words", "the words"))  # as `cp -p` or `rsync -a` bring it
    os.utime(target, ns=(OLD * 10**9,) * 2)
    assert Builder(root / "config.yaml", options=options).build().ok
    assert tree_bytes(root / "build") == clean_build(root, tmp_path / "clean", options)[1]


def test_unchanged_files_keep_their_mtime(site):
    options = BuildOptions(now=NOW, jobs=1)
    assert Builder(site / "config.yaml", options=options).build().ok
    home = site / "build" / "index.html"
    post = site / "build" / "2015" / "06" / "work-vs-progress" / "index.html"
    before = home.stat().st_mtime_ns, post.stat().st_mtime_ns
    page = site / "posts" / "2015-04-09-some-customers-suck.md"
    page.write_text(page.read_text().replace("Agreed.", "Agreed, again."))
    result = Builder(site / "config.yaml", options=options).build()
    assert result.ok
    assert "2015/04/some-customers-suck/index.html" in result.written
    assert "2015/06/work-vs-progress/index.html" not in result.written
    assert (home.stat().st_mtime_ns, post.stat().st_mtime_ns) == before  # neither shows the edited post


def test_edits_of_sources_yaml_equal_clean_builds(tmp_path):
    root = base_site(tmp_path / "site")
    options = BuildOptions(now=NOW, jobs=1)
    watched = Builder(root / "config.yaml", {"output_dir": str(root / "watched")}, options, persist=False)
    assert Builder(root / "config.yaml", options=options).build().ok and watched.build().ok
    sources = root / "sources.yaml"
    described = SOURCE_FILES[1].replace("Writes on work.", "Writes on management.")
    # Fold two spellings, describe the source otherwise, list other sources, break the file, mend it, drop it.
    for step, text in enumerate([SOURCE_FILES[1], described, SOURCE_FILES[2], "- name: [oops]\n", SOURCE_FILES[2],
                                 A_FOLDER, SOURCE_FILES[1], A_LOOP, SOURCE_FILES[2], None], start=200):
        apply(root, ("sources.yaml", text, None), step)
        results = [Builder(root / "config.yaml", options=options).build(), watched.build(changed=[sources])]
        problems, expected = clean_build(root, tmp_path / "clean")
        if expected is None:
            assert [p.path for p in problems] == ["sources.yaml"]
            assert [[p for p in r.problems if not p.warning] for r in results] == [problems] * 2
            continue
        assert all(r.ok for r in results), [r.problems for r in results]
        for out in ("build", "watched"):
            assert tree_bytes(root / out) == expected, f"{out} differs after sources.yaml became {text!r}"
        about = expected.get("source/scott-berkun/index.html", b"")
        assert (b"Writes on management." in about) == (text == described)


def test_a_shown_future_post_loses_its_marker_once_its_date_passes(tmp_path):
    """A preview kept running (and a saved build) rebuilt after a scheduled post's date: as a clean build then."""
    root = base_site(tmp_path / "site")
    write_post(root, "later.md", post_meta("Later", "2030-06-01 10:00", ["support"], None), "Soon.", 50)
    before = BuildOptions(now=NOW, future=True, jobs=1)
    after = BuildOptions(now=datetime(2031, 1, 1, tzinfo=UTC), future=True, jobs=1)
    live = Builder(root / "config.yaml", {"output_dir": str(root / "live")}, before, persist=False)
    assert Builder(root / "config.yaml", options=before).build().ok and live.build().ok
    page = root / "live" / "2030" / "06" / "later" / "index.html"
    assert b"scheduled" in page.read_bytes()
    live.options = after  # the clock moved on; nothing on disk did
    results = [Builder(root / "config.yaml", options=after).build(), live.build(changed=[])]
    assert all(r.ok for r in results), [r.problems for r in results]
    _, expected = clean_build(root, tmp_path / "clean", after)
    assert expected is not None and b"scheduled" not in expected["2030/06/later/index.html"]
    for out in ("build", "live"):
        assert tree_bytes(root / out) == expected, out


def stats_site(root: Path) -> Path:
    """The five sample posts, built once through the CLI (which keeps its cache)."""
    make_site(root, SAMPLE_POSTS)
    assert run_cli(root, "build").code == 0
    return root


def rebuilt_equals_clean(root: Path) -> dict[str, bytes]:
    """Build again through the CLI; the output, checked equal to a clean build's."""
    run = run_cli(root, "build")
    assert run.code == 0, run.err
    copy = root.parent / "clean"  # a copy without the cache or the output
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".cache", "build"))
    clean = run_cli(copy, "build")
    assert clean.code == 0, clean.err
    assert tree_bytes(root / "build") == tree_bytes(copy / "build")
    return tree_bytes(root / "build")


def test_a_tag_edit_changes_the_stats_page(tmp_path):
    root = stats_site(tmp_path / "site")
    before = (root / "build" / "stats" / "index.html").read_bytes()
    post = root / "posts" / "2015-04-09-some-customers-suck.md"
    post.write_text(post.read_text().replace("tags: [support]", "tags: [support, hospitality]"))
    after = rebuilt_equals_clean(root)["stats/index.html"]
    assert after != before and b"hospitality" in after and b"hospitality" not in before


def test_a_body_edit_leaves_the_stats_page_alone(tmp_path):
    root = stats_site(tmp_path / "site")
    stats = root / "build" / "stats" / "index.html"
    before = stats.read_bytes(), stats.stat().st_mtime_ns
    post = root / "posts" / "2015-04-09-some-customers-suck.md"
    post.write_text(post.read_text().replace("Agreed.", "Agreed, again."))
    after = rebuilt_equals_clean(root)
    assert b"Agreed, again." in after["2015/04/some-customers-suck/index.html"]
    assert (stats.read_bytes(), stats.stat().st_mtime_ns) == before  # not rewritten



@pytest.mark.parametrize("field, before, after", [
    ("tags", "[support, solo]", "[support, Solo]"), ("source", "Kim Scott", "kim scott"),
    ("via", "Bob Smith", "bob smith")], ids=["tag", "source", "via"])
def test_a_name_only_one_post_uses_respelled_is_shown_respelled(tmp_path, field, before, after):
    """The group's only post leaves it and joins it again in one change: every page showing the name shows
    the new spelling, as a clean build does (the group's old name was kept)."""
    root = stats_site(tmp_path / "site")
    post = root / "posts" / "only.md"
    post.write_text(post_text("Only one", "2015-05-05 10:00", "Mine.", **{field: before}))
    rebuilt_equals_clean(root)
    post.write_text(post_text("Only one", "2015-05-05 10:00", "Mine.", **{field: after}))
    built = rebuilt_equals_clean(root)
    page = {"tags": "tag/solo/index.html", "source": "source/kim-scott/index.html", "via": "via/index.html"}[field]
    new, old = (spelling.strip("[]").split(", ")[-1].encode() for spelling in (after, before))
    assert new in built[page] and old + b"<" not in built[page]  # no text shows the old spelling


def test_a_name_gone_with_one_post_and_back_with_another_is_shown_as_the_other_spells_it(tmp_path):
    root = stats_site(tmp_path / "site")
    (root / "posts" / "first.md").write_text(post_text("First", "2015-05-05 10:00", "One.", tags="[Foo]"))
    rebuilt_equals_clean(root)
    (root / "posts" / "first.md").unlink()
    (root / "posts" / "second.md").write_text(post_text("Second", "2015-05-06 10:00", "Two.", tags="[foo]"))
    built = rebuilt_equals_clean(root)
    assert b"Foo" not in built["tag/foo/index.html"] and b"foo" in built["tag/index.html"]

def test_a_post_in_a_new_year_links_it_from_the_years_beside_it(tmp_path):
    root = stats_site(tmp_path / "site")
    years = sorted(p.name for p in (root / "build").glob("[0-9][0-9][0-9][0-9]"))
    (root / "posts" / "later.md").write_text(post_text("Later", "2024-01-05 10:00", "Later words."))
    after = rebuilt_equals_clean(root)
    assert b'href="/2024/"' in after[f"{years[-1]}/index.html"]
    (root / "posts" / "later.md").unlink()
    assert b'href="/2024/"' not in rebuilt_equals_clean(root)[f"{years[-1]}/index.html"]


def fitted_kept(code: str, config: Config, selection: tuple[str, ...]) -> tuple[bool, bool, bool]:
    """Whether a state fitted to ("c", the base config, ("drafts",)) keeps its parses, pages and outputs
    when fitted again to these."""
    state = fitted(State(), "c", Config(root=config.root, url="https://example.org/"), ("drafts",))
    state.files = {"posts/a.md": FileState(1, 2, "d", None, [])}
    state.pages, state.outputs, state.templates = {"/": "fp"}, {"index.html": "x"}, {"index.html": "t"}
    state = fitted(state, code, config, selection)
    return bool(state.files), bool(state.pages), bool(state.outputs)


def test_what_a_new_code_config_or_selection_makes_stale_is_dropped(tmp_path: Path) -> None:
    config = Config(root=tmp_path, url="https://example.org/")
    assert fitted_kept("c", config, ("drafts",)) == (True, True, True)
    assert fitted_kept("c", config, ("future",)) == (True, False, True)  # other posts shown
    assert fitted_kept("c", replace(config, title="Other"), ("drafts",)) == (True, False, True)
    assert fitted_kept("c", replace(config, timezone="Europe/Berlin"), ("drafts",)) == (False, False, True)
    assert fitted_kept("c", replace(config, output_dir="public"), ("drafts",)) == (True, False, False)
    assert fitted_kept("other code", config, ("drafts",)) == (False, False, True)


def test_only_pages_whose_fingerprint_changed_or_whose_file_is_missing_are_rendered(tmp_path: Path) -> None:
    state = State(pages={"/a/": "1", "/b/": "2", "/c/": "3"}, outputs={"a/index.html": "x", "b/index.html": "y"})
    pages = [PageSpec(url=url, kind=PageKind.HOME, template="index.html", title="") for url in ("/a/", "/b/", "/c/")]
    todo = to_render(state, pages, {"/a/": "1", "/b/": "changed", "/c/": "3"}, lambda url: url[1:] + "index.html")
    assert [page.url for page in todo] == ["/b/", "/c/"]  # /c/ is unchanged, but its file is not there


def test_the_input_key_changes_with_any_input_or_setting(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", SAMPLE_POSTS)
    config = Config(root=site, url="https://example.org/")

    def scanned() -> Inputs:
        return Builder(site / "config.yaml").scan(config, stat_file(site / "config.yaml", "config.yaml"))

    inputs = scanned()
    key = input_key("code", ("a",), inputs)
    assert input_key("code", ("a",), scanned()) == key
    assert input_key("code", ("b",), inputs) != key and input_key("other", ("a",), inputs) != key
    (site / "posts" / "notes.txt").write_text("not a post")
    assert input_key("code", ("a",), scanned()) != key


def test_a_config_saved_while_a_build_reads_it_is_built_by_the_next(site: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import linkblog.build

    read = linkblog.build.load_config

    def saved_right_after(path: Path, overrides: dict) -> tuple:
        loaded = read(path, overrides)
        path.write_text(path.read_text().replace("title: Test Notes", "title: Saved a moment later"))
        return loaded

    with monkeypatch.context() as patch:
        patch.setattr(linkblog.build, "load_config", saved_right_after)
        assert Builder(site / "config.yaml").build().ok
    assert "Saved a moment later" not in (site / "build" / "index.html").read_text()
    assert Builder(site / "config.yaml").build().ok
    assert "Saved a moment later" in (site / "build" / "index.html").read_text()

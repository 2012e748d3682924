"""`linkblog import jekyll` and `import hugo`: front-matter variants, drafts, template tags, errors (#16)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import CONFIG, Run, make_site, run_cli, tree_bytes
from test_import_helpers import FIXTURES, assert_builds, fresh_site, posts_of
from test_import_writer import redirect_target

JEKYLL = FIXTURES / "jekyll"
HUGO = FIXTURES / "hugo"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def jekyll(tmp_path_factory: pytest.TempPathFactory):
    site = fresh_site(tmp_path_factory.mktemp("jekyll") / "site")
    return run_cli(site, "import", "jekyll", str(JEKYLL), "--drafts"), site


@pytest.fixture(scope="module")
def hugo(tmp_path_factory: pytest.TempPathFactory):
    site = fresh_site(tmp_path_factory.mktemp("hugo") / "site")
    return run_cli(site, "import", "hugo", str(HUGO)), site


def test_jekyll_files(jekyll) -> None:
    done, site = jekyll
    assert done.code == 0, done.err
    assert sorted(posts_of(site)) == [
        "2015-04-09-some-customers-suck.md", "2015-06-01-work-vs-progress.md", "2016-01-14-liquid-tags.md",
        "2016-03-01-news-in-a-category-folder.md", "2016-04-01-unpublished.md", "2016-05-01-an-html-post.md",
        "2016-06-01-a-draft-idea.md"]
    html_post = posts_of(site)["2016-05-01-an-html-post.md"]
    assert html_post.body.strip() == "Jekyll posts may be HTML."  # as Markdown: no <p> left


def test_jekyll_link_post_front_matter_kept(jekyll) -> None:
    post = posts_of(jekyll[1])["2015-06-01-work-vs-progress.md"]
    assert post.meta["title"] == "Work vs. Progress"
    # Jekyll's '2015-06-01 09:30:00 +0200': the offset kept.
    assert post.meta["date"] == datetime(2015, 6, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    assert post.meta["tags"] == ["management", "work"]
    assert post.meta["link"] == "https://scottberkun.com/2015/work-vs-progress/"
    assert post.meta["source"] == "Scott Berkun"
    assert post.meta["via"] == {"name": "Sheri", "url": "https://sheri.example/"}
    assert "layout" not in post.meta
    assert post.body == ("> On poorly managed teams conflicting and irrelevant work is allowed to go on.\n\n"
                         "How a talent is directed can matter more than the size of the talent.\n")


def test_jekyll_date_from_file_name_and_string_tags(jekyll) -> None:
    post = posts_of(jekyll[1])["2015-04-09-some-customers-suck.md"]
    # No date in the front matter: the file name's, in the Jekyll site's own timezone (_config.yml).
    assert post.meta["date"] == datetime(2015, 4, 9, tzinfo=BERLIN)
    assert post.meta["tags"] == ["customers", "business", "Support"]  # space-separated tags, then categories
    # Recovered from its last line "[Some Customers Suck](...) – Nick Bradbury. via Sheri".
    assert post.meta["link"] == "https://nickbradbury.com/some-customers-suck/"
    assert post.meta["source"] == "Nick Bradbury"
    assert post.meta["via"] == "Sheri"
    assert post.body.endswith("Agreed, and it is fine to say so.\n")
    assert "Recovered 1 link post" in jekyll[0].out


def test_jekyll_slug_comma_tags_and_liquid_reported(jekyll) -> None:
    done, site = jekyll
    post = posts_of(site)["2016-01-14-liquid-tags.md"]
    assert post.meta["title"] == "Liquid: includes and highlights"
    assert post.parsed.slug == "liquid-tags"
    assert post.meta["tags"] == ["ruby", "templates", "tools", "Jekyll"]
    assert '{% include note.html text="kept" %}' in post.body  # left in place
    source = JEKYLL / "_posts" / "2016-01-14-liquid-and-code.md"
    assert f"{source}:10: warning: Liquid tag" in done.err
    assert f"{source}:12: warning: Liquid tag '{{% highlight ruby %}}'" in done.err


def test_jekyll_drafts_and_unpublished(jekyll) -> None:
    posts = posts_of(jekyll[1])
    assert posts["2016-06-01-a-draft-idea.md"].meta["draft"] is True
    assert posts["2016-04-01-unpublished.md"].meta["draft"] is True  # published: false
    assert "draft" not in posts["2015-06-01-work-vs-progress.md"].meta


def test_jekyll_without_drafts_flag(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "jekyll", str(JEKYLL))
    assert done.code == 0, done.err
    assert "2016-06-01-a-draft-idea.md" not in posts_of(site)
    assert "draft (use --drafts) ×2" in done.out  # published: false, and the file in _drafts/
    drafts = [JEKYLL / "_drafts" / "a-draft-idea.md", JEKYLL / "_posts" / "2016-04-01-unpublished.md"]
    assert f"  draft (use --drafts): {drafts[0]}, {drafts[1]}" in done.out.splitlines()


def test_a_draft_not_imported_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "blog" / "_posts").mkdir(parents=True)
    (tmp_path / "blog" / "_posts" / "2016-01-01-kept.md").write_text("---\ntitle: Kept\n---\nA.\n", encoding="utf-8")
    (tmp_path / "blog" / "_drafts").mkdir()
    (tmp_path / "blog" / "_drafts" / "broken.md").write_text("---\ntitle: [\n---\nB.\n", encoding="utf-8")
    done = run_cli(fresh_site(tmp_path / "site"), "import", "jekyll", str(tmp_path / "blog"))
    assert done.code == 0, done.err
    assert f"  draft (use --drafts): {tmp_path / 'blog' / '_drafts' / 'broken.md'}" in done.out.splitlines()


def test_jekyll_site_builds_and_rerun_changes_nothing(jekyll) -> None:
    site = jekyll[1]
    assert_builds(site)
    before = tree_bytes(site / "posts")
    again = run_cli(site, "import", "jekyll", str(JEKYLL), "--drafts")
    assert again.code == 0 and "0 new, 7 unchanged" in again.out
    assert tree_bytes(site / "posts") == before


def test_hugo_files(hugo) -> None:
    done, site = hugo
    assert done.code == 0, done.err
    assert sorted(posts_of(site)) == ["2016-08-16-toml-post.md", "2017-05-04-bundled.md", "2017-07-01-json-note.md"]
    for reason in ("section list page (_index.md) ×2", "no date (a page?) ×1", "draft (use --drafts) ×1"):
        assert reason in done.out


def test_hugo_toml_front_matter(hugo) -> None:
    post = posts_of(hugo[1])["2016-08-16-toml-post.md"]
    assert post.meta["title"] == "Graceful degradation"
    assert post.meta["date"] == datetime(2016, 8, 16, 13, 0, tzinfo=timezone(timedelta(hours=-4)))
    assert post.meta["tags"] == ["business", "support", "Essays"]
    assert post.meta["link"] == "https://seths.blog/2016/08/graceful-degradation/"  # from external_url
    assert post.meta["source"] == "Seth Godin"
    assert post.parsed.slug == "toml-post"  # Hugo's URL comes from the file name
    assert "{{< youtube w7Ft2ymGmfc >}}" in post.body


def test_hugo_bundle_yaml_and_shortcodes_reported(hugo) -> None:
    done, site = hugo
    post = posts_of(site)["2017-05-04-bundled.md"]
    # A naive date: the Hugo site's timeZone (hugo.toml).
    assert post.meta["date"] == datetime(2017, 5, 4, 10, 0, tzinfo=NEW_YORK)
    assert post.meta["tags"] == ["bundles", "images"]
    assert post.parsed.slug == "bundled"
    index = HUGO / "content" / "posts" / "bundle-post" / "index.md"
    assert f"{index}:9: warning: Hugo shortcode '{{{{% notice info %}}}}' left in place" in done.err
    assert f"{index}: warning: page bundle files not copied: photo.jpg" in done.err
    assert "photo.jpg" not in done.out  # named once, by that warning, not again under Skipped


def test_hugo_json_front_matter(hugo) -> None:
    post = posts_of(hugo[1])["2017-07-01-json-note.md"]
    assert post.meta["title"] == "A JSON front matter note"
    assert post.meta["date"] == datetime(2017, 7, 1, 8, 30, tzinfo=timezone(timedelta(hours=1)))
    assert post.body == "Hugo also reads JSON front matter.\n"


def test_hugo_site_builds(hugo) -> None:
    assert_builds(hugo[1])


def test_broken_front_matter_stops_the_import(tmp_path: Path) -> None:
    source = tmp_path / "blog"
    shutil.copytree(JEKYLL, source)
    bad = source / "_posts" / "2017-01-01-broken.md"
    bad.write_text("---\ntitle: Broken\nsource: a: b\n---\nText.\n", encoding="utf-8")
    worse = source / "_posts" / "2017-01-02-toml.md"
    worse.write_text("+++\ntitle = \n+++\nText.\n", encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "jekyll", str(source))
    assert done.code == 1
    lines = done.err.strip().splitlines()
    assert [line.split(":")[:2] for line in lines] == [[str(bad), "3"], [str(worse), "2"]]
    assert "Traceback" not in done.err
    assert list((site / "posts").iterdir()) == []


def hugo_import_of(tmp_path: Path, name: str, text: str) -> tuple[Path, Path, Run]:
    """A Hugo site's content/ holding one file, imported into a fresh site: the file, the site, the run."""
    file = tmp_path / "hugo" / "content" / name
    file.parent.mkdir(parents=True)
    file.write_text(text, encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    return file, site, run_cli(site, "import", "hugo", str(tmp_path / "hugo"))


@pytest.mark.parametrize(("front", "line"), [
    ('+++\ntitle = "x"\ndate = 2019-01-01\ntags = ["a",\n+++\n', 4),
    ('+++\ntitle = "x"\nlist = [\n 1]\ntags = [\n "a",\n "b",\n+++\n', 5),
    ('+++\ntitle = """x\ndate = 2019-01-01\n+++\n', 2),
], ids=["array", "after-a-closed-array", "string"])
def test_toml_never_closed_is_reported_at_the_line_opening_it(tmp_path: Path, front: str, line: int) -> None:
    bad, site, done = hugo_import_of(tmp_path, "badtoml.md", front + "Text.\n")
    assert done.code == 1
    assert [text.split(":")[:2] for text in done.err.strip().splitlines()] == [[str(bad), str(line)]]
    assert list((site / "posts").iterdir()) == []


@pytest.mark.parametrize("front", ["---\n---\n", "---\n# only a comment\n---\n"], ids=["empty", "comment"])
def test_jekyll_front_matter_with_nothing_in_it_names_the_post_by_its_file(tmp_path: Path, front: str) -> None:
    source = tmp_path / "blog" / "_posts"
    source.mkdir(parents=True)
    (source / "2016-03-02-named-by-file.md").write_text(front + "Nothing above.\n", encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "jekyll", str(tmp_path / "blog"))
    assert done.code == 0, done.err
    (imported,) = posts_of(site).values()
    assert (imported.parsed.title, f"{imported.parsed.date:%Y-%m-%d}") == ("Named By File", "2016-03-02")
    assert_builds(site)


def test_jekyll_s_singular_category_is_one_tag_spaces_and_all(tmp_path: Path) -> None:
    source = tmp_path / "blog" / "_posts"
    source.mkdir(parents=True)
    (source / "2016-03-02-one.md").write_text("---\ntitle: One\ncategory: Web Development\n"
                                              "categories: news notes\n---\nWords.\n", encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "jekyll", str(tmp_path / "blog"))
    assert done.code == 0, done.err
    (imported,) = posts_of(site).values()
    assert imported.parsed.tags == ("news", "notes", "Web Development")


def test_a_post_at_a_url_of_the_site_s_own_pages_is_numbered_and_the_site_builds(tmp_path: Path) -> None:
    source = tmp_path / "blog" / "_posts"
    source.mkdir(parents=True)
    for name, slug in (("archive", "archive"), ("feed", "feed.xml"), ("year", "2015")):
        (source / f"2015-06-01-{name}.md").write_text(f"---\ntitle: {name}\nslug: {slug}\n---\nWords.\n",
                                                      encoding="utf-8")
    site = make_site(tmp_path / "site", config=CONFIG.replace("permalink: /{year}/{month}/{slug}/",
                                                              "permalink: /{slug}/"))
    done = run_cli(site, "import", "jekyll", str(tmp_path / "blog"))
    assert done.code == 0, done.err
    assert sorted(post.parsed.slug for post in posts_of(site).values()) == ["2015-2", "archive-2", "feed.xml-2"]
    assert_builds(site)


def imported_by_title(tmp_path: Path, kind: str, source: Path) -> tuple:
    """`linkblog import KIND SOURCE` into a fresh site (which must succeed and build): the run, and the posts
    written, by title."""
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", kind, str(source))
    assert done.code == 0, done.err
    assert_builds(site)
    return done, {post.parsed.title: post.parsed for post in posts_of(site).values()}


def test_hugo_keys_in_any_case_and_a_draft_written_as_text(tmp_path: Path) -> None:
    posts = tmp_path / "hugo" / "content" / "posts"
    posts.mkdir(parents=True)
    (tmp_path / "hugo" / "hugo.toml").write_text('title = "Notes"\n', encoding="utf-8")
    (posts / "capital.md").write_text("---\nTitle: Capital\nDate: 2016-04-01T10:00:00+02:00\nTags: [Cap]\n---\nA.\n",
                                      encoding="utf-8")
    (posts / "published.md").write_text("---\ntitle: Published\npublishdate: 2016-07-01\n---\nB.\n", encoding="utf-8")
    (posts / "toml-draft.md").write_text('+++\ntitle = "T"\ndate = 2016-05-01\nDraft = true\n+++\nC.\n',
                                         encoding="utf-8")
    (posts / "text-draft.md").write_text('---\ntitle: Y\ndate: 2016-05-02\ndraft: "true"\n---\nD.\n',
                                         encoding="utf-8")
    done, imported = imported_by_title(tmp_path, "hugo", tmp_path / "hugo")
    assert sorted(imported) == ["Capital", "Published"]
    assert imported["Capital"].tags == ("Cap",)
    assert imported["Capital"].date == datetime(2016, 4, 1, 10, tzinfo=timezone(timedelta(hours=2)))
    assert "draft (use --drafts) ×2" in done.out + done.err


def test_a_link_kept_when_a_build_takes_it_and_named_when_left_out(tmp_path: Path) -> None:
    source = tmp_path / "blog" / "_posts"
    source.mkdir(parents=True)
    (source / "2016-03-02-mail.md").write_text("---\ntitle: Mail\nlink: mailto:editor@example.com\ntags: 2016\n---\n"
                                               "Words.\n", encoding="utf-8")
    (source / "2016-03-03-ftp.md").write_text("---\ntitle: Ftp\nlink: ftp://files.example.com/x\n---\nWords.\n",
                                              encoding="utf-8")
    done, imported = imported_by_title(tmp_path, "jekyll", tmp_path / "blog")
    assert (imported["Mail"].link, imported["Mail"].tags) == ("mailto:editor@example.com", ("2016",))
    assert imported["Ftp"].link is None
    [warning] = [line for line in done.err.splitlines() if "ftp://" in line]
    assert warning.startswith(str(source / "2016-03-03-ftp.md")) or "2016-03-03-ftp.md:3:" in warning


def test_via_source_and_author_kept_or_named_when_left_out(tmp_path: Path) -> None:
    source = tmp_path / "blog" / "_posts"
    source.mkdir(parents=True)
    (source / "2016-03-01-via-mail.md").write_text(
        '---\ntitle: Mail\nvia: {name: Sheri, url: "mailto:sheri@example.com"}\nsource: {name: Scott Berkun}\n'
        "author: {name: Jane Doe, email: jane@example.com}\n---\nWords.\n", encoding="utf-8")
    bad = source / "2016-03-02-via-script.md"
    bad.write_text('---\ntitle: Script\nvia: {name: Sheri, url: "javascript:alert(1)"}\nsource: [a, b]\n'
                   "author: {email: jane@example.com}\n---\nWords.\n", encoding="utf-8")
    done, imported = imported_by_title(tmp_path, "jekyll", tmp_path / "blog")
    mail, script = imported["Mail"], imported["Script"]
    assert (mail.via.name, mail.via.url, mail.source, mail.extra["author"]) == (
        "Sheri", "mailto:sheri@example.com", "Scott Berkun", "Jane Doe")
    assert (script.via.name, script.via.url, script.source, script.extra.get("author")) == ("Sheri", None, None, None)
    warned = sorted(line.split(":")[1] for line in done.err.splitlines() if line.startswith(f"{bad}:"))
    assert warned == ["3", "4", "5"]


def test_a_jekyll_category_folder_gives_its_posts_that_category(tmp_path: Path) -> None:
    source = tmp_path / "blog" / "news" / "_posts"
    source.mkdir(parents=True)
    (source / "2016-03-02-fresh.md").write_text("---\ntitle: Fresh\ntags: [a]\n---\nWords.\n", encoding="utf-8")
    (tmp_path / "blog" / "_posts").mkdir()
    (tmp_path / "blog" / "_posts" / "2016-03-03-plain.md").write_text("---\ntitle: Plain\n---\nWords.\n",
                                                                      encoding="utf-8")
    _, imported = imported_by_title(tmp_path, "jekyll", tmp_path / "blog")
    assert (imported["Fresh"].tags, imported["Plain"].tags) == (("a", "news"), ())


def test_hugo_translations_are_named_for_their_page_not_their_language(tmp_path: Path) -> None:
    source = tmp_path / "hugo"
    (source / "content" / "posts" / "my-trip").mkdir(parents=True)
    (source / "hugo.toml").write_text('title = "Trips"\n[languages.en]\nweight = 1\n[languages.fr]\nweight = 2\n',
                                      encoding="utf-8")
    for language in ("en", "fr"):
        (source / "content" / "posts" / "my-trip" / f"index.{language}.md").write_text(
            f"---\ntitle: Trip {language}\ndate: 2016-05-01\n---\nWords.\n", encoding="utf-8")
        (source / "content" / "posts" / f"short-note.{language}.md").write_text(
            f"---\ntitle: Note {language}\ndate: 2016-05-02\n---\nWords.\n", encoding="utf-8")
    (source / "content" / "posts" / "my-trip" / "photo.jpg").write_bytes(b"\xff\xd8")
    (source / "content" / "posts" / "node.js.md").write_text("---\ntitle: Node\ndate: 2016-05-03\n---\nJS.\n",
                                                             encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "hugo", str(source))
    assert done.code == 0, done.err
    slugs = sorted(post.parsed.slug for post in posts_of(site).values())
    assert slugs == ["my-trip", "my-trip-2", "node.js", "short-note", "short-note-2"]
    assert "photo.jpg" in done.err


def test_a_bad_date_is_reported_at_its_line(tmp_path: Path) -> None:
    source = tmp_path / "blog" / "_posts"
    source.mkdir(parents=True)
    bad = source / "2016-02-03-bad-date.md"
    bad.write_text("---\ntitle: Bad\ntags: [x]\ndate: 2016-13-45\n---\nText.\n", encoding="utf-8")
    done = run_cli(fresh_site(tmp_path / "site"), "import", "jekyll", str(tmp_path / "blog"))
    assert done.code == 1
    assert done.err.strip().splitlines()[0].startswith(f"{bad}:4: ")

@pytest.mark.parametrize("kind", ["jekyll", "hugo"])
def test_folder_without_posts(tmp_path: Path, kind: str) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.txt").write_text("nothing here", encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", kind, str(empty))
    assert done.code == 1
    assert done.err.strip().splitlines() == [f"{empty}: no posts to import; nothing was written"]


def test_not_a_folder(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    done = run_cli(site, "import", "hugo", "missing")
    assert done.code == 1 and done.err.strip().startswith("missing: not a folder")


def write_post(path: Path, title: str, date: str | None = None) -> None:
    """A post file with this title, and this date when given (a Jekyll post's is in its file name)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    dated = f"date: {date}\n" if date else ""
    path.write_text(f"---\ntitle: {title}\n{dated}---\nWords.\n", encoding="utf-8")


def test_links_to_folders_are_followed_and_a_link_to_nothing_is_named(tmp_path: Path) -> None:
    posts = tmp_path / "blog" / "_posts"
    write_post(posts / "2015-01-01-kept.md", "Kept")
    write_post(tmp_path / "elsewhere" / "2015-01-03-linked.md", "Linked")
    (posts / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (posts / "loop").symlink_to(posts, target_is_directory=True)  # read once, not until the OS refuses
    dangling = posts / "2015-01-04-dangling.md"
    dangling.symlink_to(tmp_path / "nowhere.md")
    done, imported = imported_by_title(tmp_path, "jekyll", tmp_path / "blog")
    assert sorted(imported) == ["Kept", "Linked"]
    assert [line for line in done.out.splitlines() if line.startswith("  ") and line.endswith(f": {dangling}")]


def test_hugo_content_folder_under_symlink_is_followed(tmp_path: Path) -> None:
    write_post(tmp_path / "shared" / "trip.md", "Trip", "2016-01-01")
    (tmp_path / "hugo" / "content").mkdir(parents=True)
    (tmp_path / "hugo" / "content" / "posts").symlink_to(tmp_path / "shared", target_is_directory=True)
    _, imported = imported_by_title(tmp_path, "hugo", tmp_path / "hugo")
    assert sorted(imported) == ["Trip"]


def test_folders_named_like_hugo_s_output_are_read_except_at_a_hugo_site_s_root(tmp_path: Path) -> None:
    write_post(tmp_path / "blog" / "resources" / "_posts" / "2015-01-02-in-resources.md", "In resources")
    write_post(tmp_path / "hugo" / "content" / "resources" / "guide.md", "Guide", "2016-01-01")
    write_post(tmp_path / "bare" / "notes" / "public" / "talk.md", "Talk", "2016-01-02")
    for output in ("public", "resources"):  # what `hugo` wrote, next to the site's pages when it has no content/
        write_post(tmp_path / "bare" / output / "built.md", "Built", "2016-01-03")
    assert sorted(imported_by_title(tmp_path / "a", "jekyll", tmp_path / "blog")[1]) == ["In resources"]
    assert sorted(imported_by_title(tmp_path / "b", "hugo", tmp_path / "hugo")[1]) == ["Guide"]
    assert sorted(imported_by_title(tmp_path / "c", "hugo", tmp_path / "bare")[1]) == ["Talk"]


@pytest.mark.parametrize("front", ["+++\ntitle = 'Deep'\ntags = " + "[" * 1000 + "1" + "]" * 1000 + "\n+++\n",
                                   '{"title": "Deep", "tags": ' + "[" * 1000 + "1" + "]" * 1000 + "}\n"],
                         ids=["toml", "json"])
def test_front_matter_nested_too_deep_is_one_line_naming_the_file(tmp_path: Path, front: str) -> None:
    deep, site, done = hugo_import_of(tmp_path, "deep.md", front + "Words.\n")
    assert done.code == 1
    assert "Traceback" not in done.err
    [line] = done.err.strip().splitlines()
    assert line.startswith(f"{deep}:")
    assert list((site / "posts").iterdir()) == []


TOKYO = timezone(timedelta(hours=9))


@pytest.mark.parametrize(("front", "expected"), [
    ("---\ntitle: Tokyo\ndate: 2016-01-01T08:00:00+09:00\n---\n", datetime(2016, 1, 1, 8, tzinfo=TOKYO)),
    ("+++\ntitle = 'Tokyo'\ndate = 2016-01-01T08:00:00+09:00\n+++\n", datetime(2016, 1, 1, 8, tzinfo=TOKYO)),
    ('{"title": "Tokyo", "date": "2016-01-01 08:00:00 +0900"}\n', datetime(2016, 1, 1, 8, tzinfo=TOKYO)),
    ("---\ntitle: Tokyo\ndate: 2016-01-01 08:00 Asia/Tokyo\n---\n", datetime(2016, 1, 1, 8, tzinfo=TOKYO)),
    ("---\ntitle: Tokyo\ndate: 2016-01-01 08:00\n---\n", datetime(2016, 1, 1, 8, tzinfo=NEW_YORK)),
], ids=["yaml", "toml", "json", "zone-name", "naive"])
def test_a_date_keeps_the_offset_it_was_written_with(tmp_path: Path, front: str, expected: datetime) -> None:
    # A UTC site importing a blog in New York: the file's day and time are those the old blog showed.
    (tmp_path / "hugo" / "content").mkdir(parents=True)
    (tmp_path / "hugo" / "content" / "tokyo.md").write_text(front + "Words.\n", encoding="utf-8")
    (tmp_path / "hugo" / "hugo.toml").write_text('timeZone = "America/New_York"\n', encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    assert run_cli(site, "import", "hugo", str(tmp_path / "hugo")).code == 0
    [(name, post)] = posts_of(site).items()
    assert name == "2016-01-01-tokyo.md"
    assert post.meta["date"] == expected and post.meta["date"].utcoffset() == expected.utcoffset()
    assert_builds(site)


def test_control_characters_are_removed_as_other_importers_remove_them(tmp_path: Path) -> None:
    source = tmp_path / "blog" / "_posts" / "2016-03-02-bell.md"
    source.parent.mkdir(parents=True)
    source.write_bytes(b"---\ntitle: Bell\x07 rings\nsummary: A\x01B\n---\nPasted\x1b[0m from a terminal.\n")
    _, imported = imported_by_title(tmp_path, "jekyll", tmp_path / "blog")
    post = imported["Bell rings"]
    assert post.summary == "AB"
    assert "Pasted[0m from a terminal." in post.html


def test_a_file_that_cannot_be_read_is_a_problem_naming_it(tmp_path: Path) -> None:
    from linkblog.importers.markdown_files import split_document

    gone = tmp_path / "_posts" / "2016-01-01-gone.md"  # listed, then removed (or unreadable) before it was read
    document, [problem] = split_document(str(gone), gone, False)
    assert document is None and problem.path == str(gone) and not problem.warning


def hugo_site_with_config(root: Path, name: str, settings: dict[str, str]) -> Path:
    """A Hugo site whose config file `name` (in its format) holds `settings`, and whose one post has a naive date
    and ends in a link-blog line to the old site itself."""
    config = root / name
    config.parent.mkdir(parents=True)
    form = config.suffix
    if form == ".json":
        config.write_text("\n" + json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    else:
        sign = " =" if form == ".toml" else ":"
        config.write_text("".join(f'{key}{sign} "{value}"\n' for key, value in settings.items()), encoding="utf-8")
    write_post(root / "content" / "posts" / "older.md", "Older", "2016-01-01 08:00")
    with (root / "content" / "posts" / "older.md").open("a", encoding="utf-8") as post:
        post.write("\n[My older post](https://old.example/2015/x/) – Me\n")
    return root


CAMEL, LOWER, OTHER = ("baseURL", "timeZone"), ("baseurl", "timezone"), ("BaseUrl", "TIMEZONE")


@pytest.mark.parametrize(("name", "keys"), [
    ("hugo.toml", LOWER), ("config.toml", OTHER), ("hugo.yaml", LOWER), ("hugo.yml", CAMEL), ("hugo.json", CAMEL),
    ("config.json", LOWER), ("config.yml", CAMEL), ("config/_default/hugo.yaml", CAMEL),
    ("config/_default/hugo.yml", LOWER), ("config/_default/hugo.json", OTHER), ("config/_default/config.yaml", CAMEL),
    ("config/_default/config.yml", CAMEL), ("config/_default/config.json", LOWER)])
def test_hugo_config_read_in_every_name_and_format_its_keys_in_any_case(tmp_path: Path, name: str,
                                                                       keys: tuple[str, str]) -> None:
    # The old site's own address is never the article, and its zone is its naive dates' zone.
    source = hugo_site_with_config(tmp_path / "hugo", name, dict(zip(keys, ("https://old.example/",
                                                                              "America/New_York"), strict=True)))
    done, imported = imported_by_title(tmp_path, "hugo", source)
    assert "Recovered" not in done.out
    assert (imported["Older"].link, imported["Older"].date) == (None, datetime(2016, 1, 1, 8, tzinfo=NEW_YORK))


def test_a_broken_json_config_is_named_at_its_line(tmp_path: Path) -> None:
    source = hugo_site_with_config(tmp_path / "hugo", "hugo.json", {})
    (source / "hugo.json").write_text('\n\n{\n  "baseURL": "https://old.example/",\n  "timeZone": \n}\n',
                                      encoding="utf-8")
    done, _ = imported_by_title(tmp_path, "hugo", source)
    assert done.err.startswith(f"{source / 'hugo.json'}:6: warning:")


@pytest.mark.parametrize("suffix", [".mkdn", ".mkd", ".mkdown", ".markdown", ".MD"])
def test_every_markdown_suffix_jekyll_reads_is_imported(tmp_path: Path, suffix: str) -> None:
    write_post(tmp_path / "blog" / "_posts" / f"2016-03-02-marked{suffix}", "Marked")
    _, imported = imported_by_title(tmp_path, "jekyll", tmp_path / "blog")
    assert sorted(imported) == ["Marked"]


@pytest.mark.parametrize("kind", ["jekyll", "hugo"])
def test_every_file_of_the_posts_folder_is_imported_or_named(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "blog" / ("_posts" if kind == "jekyll" else "content")
    write_post(folder / "2016-03-02-kept.md", "Kept", "2016-03-02")
    others = [folder / "2016-03-03-notes.txt", folder / "2016-03-04-slides.pdf", folder / "README"]
    for other in others:
        other.write_text("Not a post.\n", encoding="utf-8")
    (folder / "2016-03-02-kept.md~").write_text("An editor's backup.\n", encoding="utf-8")
    (folder / ".hidden.txt").write_text("Hidden.\n", encoding="utf-8")
    done, imported = imported_by_title(tmp_path, kind, tmp_path / "blog")
    assert sorted(imported) == ["Kept"]
    named = [line for line in done.out.splitlines() if line.startswith("  ")]
    assert sorted(str(other) for other in others) == sorted(
        path for line in named for path in line.split(": ", 1)[1].split(", "))


def test_template_tags_over_several_lines_are_named_at_the_line_opening_them(tmp_path: Path) -> None:
    hugo, _, done = hugo_import_of(tmp_path / "h", "2016-01-01-figure.md",
                                   '---\ntitle: Figure\n---\nA figure:\n\n{{< figure\n  src="/img/a.png"\n>}}\n\n'
                                   "Then {{< youtube x >}}.\n")
    assert done.code == 0, done.err
    warned = [line for line in done.err.splitlines() if "figure" in line or "youtube" in line]
    assert [line.split(":")[1] for line in warned] == ["6", "10"]
    assert all(line.startswith(f"{hugo}:") for line in warned)
    posts = tmp_path / "j" / "blog" / "_posts"
    posts.mkdir(parents=True)
    jekyll = posts / "2016-01-02-include.md"
    jekyll.write_text('---\ntitle: Include\n---\n{% include image.html\n   url="/a.png" %}\n\n{{ page.title\n}}\n',
                      encoding="utf-8")
    liquid = run_cli(fresh_site(tmp_path / "j" / "site"), "import", "jekyll", str(tmp_path / "j" / "blog"))
    assert liquid.code == 0, liquid.err
    assert [line.split(":")[1] for line in liquid.err.splitlines() if line.startswith(f"{jekyll}:")] == ["4", "7"]


@pytest.mark.parametrize(("front", "line"), [
    ('+++\ntitle = "Bad"\ntags = ["x"]\ndate = "2015-13-45"\n+++\n', 4),
    # The key written inside a string, or in a table, earlier: never where the date is.
    ('+++\ntitle = "Bad"\nsummary = """\ndate = "x"\n"""\ndate = "2015-13-45"\n+++\n', 6),
    ('+++\ntitle = "Bad"\n"date" = "2015-13-45"\n[params]\ndate = "2015-01-01"\n+++\n', 3),
    ('{\n  "title": "Bad",\n  "summary": "\\"date\\": 1",\n  "params": {\n    "date": 2\n  },\n'
     '  "date": "2015-13-45"\n}\n', 7),
], ids=["toml", "toml-string", "toml-table", "json"])
def test_a_bad_date_in_toml_or_json_is_reported_at_its_line(tmp_path: Path, front: str, line: int) -> None:
    bad, site, done = hugo_import_of(tmp_path, "bad-date.md", front + "Text.\n")
    assert done.code == 1
    assert done.err.strip().splitlines()[0].startswith(f"{bad}:{line}: ")
    assert list((site / "posts").iterdir()) == []


def files_at(root: Path, files: dict[str, str]) -> Path:
    """A folder holding these files (each path under it: its text)."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def import_and_build(tmp_path: Path, kind: str, source: Path) -> tuple[Run, Path]:
    """`linkblog import KIND SOURCE` into a fresh site, then `linkblog build`: both must succeed."""
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", kind, str(source))
    assert done.code == 0, done.err
    built = run_cli(site, "build")
    assert built.code == 0, built.err
    return done, site


def test_a_jekyll_post_s_old_addresses_lead_to_it(tmp_path: Path) -> None:
    blog = files_at(tmp_path / "blog", {
        "_config.yml": "url: https://old.example\n",
        "_posts/2015-06-01-work-vs-progress.md": "---\ntitle: Work vs. Progress\ncategories: [Management]\n"
                                                 "redirect_from:\n  - /work/\n  - /?p=12\n---\nWords.\n",
        "_posts/2015-06-02-kept.md": "---\ntitle: Kept\nredirect_from: /2015/06/kept/\n---\nWords.\n",
        "_posts/2015-06-03-fixed.md": "---\ntitle: Fixed\npermalink: /about-fixed/\n---\nWords.\n"})
    done, site = import_and_build(tmp_path, "jekyll", blog)
    posts = posts_of(site)
    # redirect_from, and the address Jekyll's default permalink (/:categories/:year/:month/:day/:title.html) gave it
    assert posts["2015-06-01-work-vs-progress.md"].meta["aliases"] == [
        "/work/", "/management/2015/06/01/work-vs-progress.html"]
    assert redirect_target(site, "/work/") == "/2015/06/work-vs-progress/"
    assert redirect_target(site, "/management/2015/06/01/work-vs-progress.html") == "/2015/06/work-vs-progress/"
    assert redirect_target(site, "/about-fixed/") == "/2015/06/fixed/"
    # Its own new address is no old one: a build would refuse it.
    assert posts["2015-06-02-kept.md"].meta["aliases"] == ["/2015/06/02/kept.html"]
    [warning] = [line for line in done.err.splitlines() if "/?p=12" in line]
    assert warning.startswith(f"{blog / '_posts' / '2015-06-01-work-vs-progress.md'}:4: warning:")


@pytest.mark.parametrize(("settings", "expected"), [
    ("", "/tools/news/2016/03/02/Fresh_Start.html"),  # :title keeps the slug's case, and its _ . ~ ...
    ("permalink: pretty\n", "/tools/news/2016/03/02/Fresh_Start/"),
    ("permalink: ordinal\n", "/tools/news/2016/062/Fresh_Start.html"),
    ("permalink: none\n", "/tools/news/Fresh_Start.html"),
    ("permalink: /blog/:year/:i_month/:slug\n", "/blog/2016/3/fresh-start.html"),  # :slug is lower case, no _
    ("permalink: /:short_year/:title/\n", "/16/Fresh_Start/"),
    ("permalink: weekdate\n", None),  # styles and placeholders linkblog does not follow
    ("permalink: /:year/:hour/:title/\n", None),
    ("defaults:\n  - scope: {path: ''}\n    values: {permalink: /x/:title/}\n", None),
], ids=["date", "pretty", "ordinal", "none", "custom", "short-year", "weekdate", "hour", "defaults"])
def test_jekyll_s_permalink_setting_gives_the_old_address(tmp_path: Path, settings: str, expected: str | None) -> None:
    blog = files_at(tmp_path / "blog", {
        "_config.yml": settings,
        "news/_posts/2016-03-02-fresh-start.md": "---\ntitle: Fresh\ncategories: Tools\nslug: Fresh_Start\n---\nA.\n"})
    _, imported = imported_by_title(tmp_path, "jekyll", blog)
    assert imported["Fresh"].extra.get("aliases") == ([expected] if expected else None)


def test_a_jekyll_time_read_as_utc_gives_no_old_address_unless_its_day_is_sure(tmp_path: Path) -> None:
    # Jekyll reads 2016-03-01 23:30:00 as UTC, so Berlin's 2 March: the day linkblog gives it is not that.
    blog = files_at(tmp_path / "blog", {"_config.yml": "timezone: Europe/Berlin\n", **{
        f"_posts/{name}.md": f"---\ntitle: {name[11:]}\ndate: {when}\n---\nA.\n" for name, when in (
            ("2016-03-01-late", "2016-03-01 23:30:00"), ("2016-03-02-noon", "2016-03-02 12:00:00"),
            ("2016-03-03-offset", "2016-03-03 23:30:00 +0100"), ("2016-03-04-text", "2016-03-04 23:30"))}})
    _, imported = imported_by_title(tmp_path, "jekyll", blog)
    assert {title: post.extra.get("aliases") for title, post in imported.items()} == {
        "late": None, "noon": ["/2016/03/02/noon.html"], "offset": ["/2016/03/03/offset.html"],
        "text": ["/2016/03/04/text.html"]}


def test_a_hugo_page_s_old_addresses_lead_to_it(tmp_path: Path) -> None:
    hugo = files_at(tmp_path / "hugo", {
        "hugo.toml": 'baseURL = "https://old.example/"\n',
        "content/posts/graceful.md": '+++\ntitle = "Graceful"\ndate = 2016-08-16T13:00:00-04:00\n'
                                     'aliases = ["/old-graceful/", "relative/"]\n+++\nA.\n',
        "content/posts/trip/index.md": "---\ntitle: Trip\ndate: 2016-08-17\nslug: my-trip\n---\nB.\n",
        "content/notes/note.md": "---\ntitle: Note\ndate: 2016-08-18\nurl: /custom/note/\n---\nC.\n",
        "content/posts/same.md": "---\ntitle: Same\ndate: 2016-08-19\naliases: [/2016/08/same/]\n---\nD.\n"})
    done, site = import_and_build(tmp_path, "hugo", hugo)
    posts = posts_of(site)
    assert posts["2016-08-16-graceful.md"].meta["aliases"] == ["/old-graceful/", "/posts/graceful/"]
    for old in ("/old-graceful/", "/posts/graceful/"):
        assert redirect_target(site, old) == "/2016/08/graceful/"
    assert redirect_target(site, "/posts/my-trip/") == "/2016/08/my-trip/"  # a page bundle, named by its slug
    assert redirect_target(site, "/custom/note/") == "/2016/08/note/"
    assert posts["2016-08-19-same.md"].meta["aliases"] == ["/posts/same/"]  # not its own new address
    graceful = hugo / "content" / "posts" / "graceful.md"
    assert [line.split(": warning:")[0] for line in done.err.splitlines() if "relative/" in line] == [f"{graceful}:4"]


@pytest.mark.parametrize(("settings", "expected"), [
    ("", "/posts/graceful/"),
    ('[permalinks]\nposts = "/:year/:month/:title/"\n', "/2016/08/graceful-degradation-again/"),
    ('[permalinks.page]\nposts = "/:year/:slug/"\n', "/2016/graceful-degradation-again/"),
    ('[permalinks]\nposts = "/:section/:day/:filename/"\n', "/posts/16/graceful/"),
    ('[permalinks]\nnotes = "/n/:slug/"\n', "/posts/graceful/"),
    ('[permalinks]\nposts = "/:year/:filename.html"\n', None),  # what versions of Hugo do with it differs
    ('[permalinks]\nposts = "/:monthname/:slug/"\n', None),
    ("uglyURLs = true\n", None),
], ids=["default", "title", "slug", "section", "other-section", "no-slash", "monthname", "ugly"])
def test_hugo_s_permalinks_give_the_old_address(tmp_path: Path, settings: str, expected: str | None) -> None:
    hugo = files_at(tmp_path / "hugo", {
        "hugo.toml": settings,
        "content/posts/Graceful.md": '---\ntitle: "Graceful Degradation: Again"\ndate: 2016-08-16T23:00:00-04:00\n'
                                     "---\nA.\n"})
    _, imported = imported_by_title(tmp_path, "hugo", hugo)
    assert imported["Graceful Degradation: Again"].extra.get("aliases") == ([expected] if expected else None)


def test_old_addresses_another_page_has_are_left_out_and_the_site_builds(tmp_path: Path) -> None:
    # Each names the other's new address, and both one address: only one page can be at each.
    blog = files_at(tmp_path / "blog", {
        "_config.yml": "permalink: /:title/\n",
        "_posts/2016-03-01-one.md": "---\ntitle: One\nredirect_from: [/2016/03/two/, /both/, /archive/]\n---\nA.\n",
        "_posts/2016-03-02-two.md": "---\ntitle: Two\nredirect_from: [/2016/03/one/, /both/]\n---\nB.\n"})
    _, site = import_and_build(tmp_path, "jekyll", blog)
    posts = posts_of(site)
    assert posts["2016-03-01-one.md"].meta["aliases"] == ["/both/", "/one/"]
    assert posts["2016-03-02-two.md"].meta["aliases"] == ["/two/"]
    assert redirect_target(site, "/both/") == "/2016/03/one/"

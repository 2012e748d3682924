"""`linkblog import` on other blog tools' own test data, fetched from PyPI at test time (#16).

Pelican and Nikola ship real WordPress exports and Pelican the feeds it writes; feedparser ships a large tree
of real feeds. Their source distributions are downloaded once with pip (exact versions, checked by SHA-256)
into .cache/test-registry/ and read from there; nothing of them is copied into this repository. Each file
is imported with the real CLI into a temporary site, the posts are checked field by field, and the site
must then build. Without the network the download fails the tests with a message saying so.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import Run, run_cli
from test_import_helpers import ImportedFile, fresh_site, read_imported

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "test-registry"
# name: (version, SHA-256 of its sdist on PyPI)
SDISTS = {
    "pelican": ("4.12.0", "3983b5d2dc84c7bdf967154359077a2b78c0bbd2f7dcc55292133a7779609458"),
    "nikola": ("8.3.3", "636d7d6ffc2ab24f4c2649e8695f8bb5604e309153ea4b60b786facae03ab1c7"),
    "feedparser": ("6.0.12", "64f76ce90ae3e8ef5d1ede0f8d3b50ce26bcce71dd8ae5e82b1cd2d4a5f94228"),
}
# The files used, by a short name: (package, path inside its sdist).
FILES = {
    # Pelican's WordPress 3.3.1 export (WXR 1.1): posts, drafts, pages, attachments, custom post types.
    "pelican.xml": ("pelican", "pelican/tests/content/wordpressexport.xml"),
    # A classic-editor post body (wpautop paragraphs, a blockquote, an <object>, a list, code).
    "pelican-content.html": ("pelican", "pelican/tests/content/wordpress_content_encoded"),
    # The Atom and RSS 2.0 feeds Pelican writes for its test site: full content, and summaries.
    "pelican.atom": ("pelican", "pelican/tests/output/custom/feeds/all.atom.xml"),
    "pelican.rss": ("pelican", "pelican/tests/output/custom/feeds/all.rss.xml"),
    # Nikola's WordPress 3.4.1 export (WXR 1.2), and a WordPress.com one.
    "nikola.xml": ("nikola", "tests/data/wordpress_import/wordpress_export_example.xml"),
    "wordpress-com.xml": ("nikola", "tests/data/wordpress_import/wordpress_unicode_export.xml"),
    # feedparser: RSS 1.0 (Simon Fell's aggregator tests), a Delicious RSS 2.0 feed, a Movable Type Atom
    # feed of 15 entries, and two feeds in encodings expat does not read itself.
    "rss1.xml": ("feedparser", "tests/wellformed/namespace/rss1.0withModules.xml"),
    "rss1-clash.xml": ("feedparser", "tests/wellformed/namespace/rss1.0withModulesNoDefNSLocalNameClash.xml"),
    "delicious.rss": ("feedparser", "tests/wellformed/namespace/rss2.0withAtomNS.xml"),
    "movabletype.atom": ("feedparser", "tests/wellformed/sanitize/large_atom_feed_that_needs_css_sanitisation.xml"),
    "euc-kr.xml": ("feedparser", "tests/encoding/euc-kr-item.xml"),
    "bogus-encoding.xml": ("feedparser", "tests/encoding/bozo_bogus_encoding.xml"),
}


def zone(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sdist_path(name: str) -> Path:
    version, _ = SDISTS[name]
    return CACHE / f"{name}-{version}.tar.gz"


def download(missing: list[str]) -> None:
    """Fetch the missing sdists with pip into the cache; fail (never skip) when pip cannot."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE, prefix="download-") as folder:
        pins = [f"{name}=={SDISTS[name][0]}" for name in missing]
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                   "--disable-pip-version-check", "-d", folder, *pins]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            pytest.fail(f"pip download {' '.join(pins)} took over 10 minutes: these tests need PyPI (the network)",
                        pytrace=False)
        if done.returncode != 0:
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
            pytest.fail(f"pip could not download {' '.join(pins)} from PyPI; these tests need the network.\n{tail}",
                        pytrace=False)
        for name in missing:
            got = Path(folder) / sdist_path(name).name
            if not got.exists():
                pytest.fail(f"pip download {name} gave no {got.name}: {sorted(os.listdir(folder))}", pytrace=False)
            os.replace(got, sdist_path(name))


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every file of FILES, read from the cached sdists (downloaded first if need be), by short name."""
    missing = [name for name in SDISTS if not sdist_path(name).exists() or sha256(sdist_path(name)) != SDISTS[name][1]]
    if missing:
        download(missing)
    for name, (_, digest) in SDISTS.items():
        assert sha256(sdist_path(name)) == digest, f"{sdist_path(name)} is not the sdist these tests were written for"
    folder = tmp_path_factory.mktemp("registry")
    files = {}
    for package, (version, _) in SDISTS.items():
        with tarfile.open(sdist_path(package)) as sdist:  # read by name, never extracted as the archive says
            for short, (owner, inner) in FILES.items():
                if owner == package:
                    member = sdist.extractfile(f"{package}-{version}/{inner}")
                    assert member is not None, f"{inner} is not a file in {package} {version}"
                    files[short] = folder / short
                    files[short].write_bytes(member.read())
    return files


def wrapped_export(content: str) -> str:
    """A one-post WXR 1.2 export around a real post body."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Pelican content</title><link>http://thisisa.test</link><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Decoded content</title><link>http://thisisa.test/?p=1</link><dc:creator>bob</dc:creator>
<content:encoded><![CDATA[{content}]]></content:encoded><wp:post_id>1</wp:post_id>
<wp:post_date>2012-02-16 15:52:55</wp:post_date><wp:post_date_gmt>2012-02-16 14:52:55</wp:post_date_gmt>
<wp:post_name>decoded-content</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
</item></channel></rss>
"""


class Imported:
    """The sites the registry's files were imported into, each import's run, and each build's."""

    def __init__(self, root: Path, files: dict[str, Path]) -> None:
        self.runs: dict[str, Run] = {}
        self.blog, self.feeds, self.drafts = (fresh_site(root / name) for name in ("blog", "feeds", "drafts"))
        export = root / "pelican-content.xml"
        export.write_text(wrapped_export(files["pelican-content.html"].read_text(encoding="utf-8")), encoding="utf-8")
        # Each site's commands in order; the three sites side by side.
        plans = [
            # The WordPress exports and Pelican's RSS feed, as one old blog's archive brought together.
            (self.blog, [("pelican.xml", ("wordpress", files["pelican.xml"], "--into", "posts/")),
                         ("nikola.xml", ("wordpress", files["nikola.xml"], "--into", "posts/nikola")),
                         ("wordpress-com.xml", ("wordpress", files["wordpress-com.xml"], "--into", "posts/wpcom")),
                         ("pelican-content", ("wordpress", export, "--into", "posts/content")),
                         ("pelican.rss", ("feed", files["pelican.rss"], "--into", "posts/rss")),
                         ("pelican.xml again", ("wordpress", files["pelican.xml"], "--into", "posts/")),
                         ("blog build", None)]),
            # Atom, RSS 1.0 and RSS 2.0 (Pelican's Atom feed has the posts of its RSS feed: another site).
            (self.feeds, [(key, ("feed", files[key], "--into", into))
                          for key, into in (("pelican.atom", "posts/pelican"), ("rss1.xml", "posts/rss1"),
                                            ("rss1-clash.xml", "posts/rss1-clash"),
                                            ("delicious.rss", "posts/delicious"), ("movabletype.atom", "posts/mt"))]
                         + [("feeds build", None)]),
            (self.drafts, [("pelican.xml --drafts", ("wordpress", files["pelican.xml"], "--drafts"))]),
        ]

        def run_plan(site: Path, steps: list) -> None:
            for key, command in steps:
                args = ("build",) if command is None else ("import", *map(str, command))
                self.runs[key] = run_cli(site, *args)

        with ThreadPoolExecutor(max_workers=len(plans)) as pool:
            for future in [pool.submit(run_plan, site, steps) for site, steps in plans]:
                future.result()

    def posts(self, site: Path) -> dict[str, ImportedFile]:
        """The imported files directly in posts/ (not in its folders), by name."""
        return {p.name: read_imported(p) for p in sorted((site / "posts").iterdir()) if p.is_file()}


def read_folder(site: Path, folder: str) -> dict[str, ImportedFile]:
    """The imported files of posts/FOLDER, by name."""
    return {p.name: read_imported(p) for p in sorted((site / "posts" / folder).iterdir())}


@pytest.fixture(scope="module")
def imported(registry: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return Imported(tmp_path_factory.mktemp("imported"), registry)


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / "build" / url.strip("/") / "index.html").read_text(encoding="utf-8"), "html.parser")


# -- Pelican's WordPress export ------------------------------------------------------------------------------

PELICAN_POSTS = ["2012-02-04-with-excerpt.md", "2012-02-04-with-tags.md", "2012-02-16-caption-on-image.md",
                 "2012-02-16-code-in-list-test.md", "2012-02-16-html-entity-test.md",
                 "2012-02-16-post-with-raw-data.md", "2012-04-18-with-comments.md"]


def test_wordpress_report_counts(imported: Imported) -> None:
    done = imported.runs["pelican.xml"]
    assert done.code == 0, done.err
    assert "Traceback" not in done.err
    lines = done.out.splitlines()
    assert lines[0] == "Imported 7 posts into posts/: 7 new, 0 unchanged, 0 overwritten"
    assert lines[1] == ("Skipped 17: attachment ×4, comment ×4, draft (use --drafts) ×4, page ×2, "
                        "post type 'custom1' ×2, post type 'custom2' ×1")
    assert sorted(imported.posts(imported.blog)) == PELICAN_POSTS


def test_wordpress_post_field_by_field(imported: Imported) -> None:
    post = imported.posts(imported.blog)["2012-04-18-with-comments.md"]
    assert post.meta["title"] == "With comments"
    # post_date 03:36:26 against post_date_gmt 08:36:26: the blog was at -05:00.
    assert post.meta["date"] == datetime(2012, 4, 18, 3, 36, 26, tzinfo=zone(-5))
    assert "date: 2012-04-18 03:36:26-05:00" in post.text
    assert post.parsed.slug == "with-comments"
    assert post.meta["tags"] == ["Category 1"]
    assert post.meta["author"] == "john"
    assert "link" not in post.meta and "draft" not in post.meta


def test_wordpress_categories_and_tags_in_order(imported: Imported) -> None:
    posts = imported.posts(imported.blog)
    assert posts["2012-02-04-with-tags.md"].meta["tags"] == ["Category 3", "tag 1", "Tag2", "Tag 3"]
    excerpt = posts["2012-02-04-with-excerpt.md"]
    assert excerpt.meta["tags"] == ["Category 1", "tag 1", "Tag2"]
    assert excerpt.meta["date"] == datetime(2012, 2, 4, 2, 3, 6, tzinfo=UTC)
    assert excerpt.meta["summary"].startswith("Lorem ipsum dolor sit amet") and "\n" not in excerpt.meta["summary"]
    assert excerpt.body.count("\n\n") == 2  # three paragraphs, their single newlines kept as line breaks


def test_wordpress_title_written_as_escaped_text(imported: Imported) -> None:
    post = imported.posts(imported.blog)["2012-02-16-html-entity-test.md"]
    assert post.meta["title"] == "A normal post with some <html> entities in the title. You can't miss them."
    assert post.parsed.slug == "html-entity-test"
    heading = page(imported.blog, "/2012/02/html-entity-test/").find("h1")
    assert "some <html> entities" in heading.get_text()


def test_wordpress_post_without_gmt_date_is_in_the_site_zone(imported: Imported) -> None:
    post = imported.posts(imported.blog)["2012-02-16-post-with-raw-data.md"]
    assert post.meta["date"] == datetime(2012, 2, 16, 15, 52, 55, tzinfo=UTC)  # the site's timezone: UTC
    assert post.body.startswith("# Pelicans are scary\n\nPelicans are supposed to eat fish, damn it!\n\n")
    html = BeautifulSoup(post.parsed.html, "html.parser")
    assert html.find("iframe")["src"] == "http://www.youtube.com/embed/QNNl_uWmQXE"
    assert "“That’s a ‘magic’ sock.”" in post.body


def test_wordpress_captions_keep_their_images_and_link(imported: Imported) -> None:
    post = imported.posts(imported.blog)["2012-02-16-caption-on-image.md"]
    assert "![](/theme/img/xpelican.png.pagespeed.ic.Rjep0025-y.png)\n\n*This is a pelican*" in post.body
    assert "![](/theme/img/xpelican-3.png.pagespeed.ic.m-NAIdRCOM.png)\n\n*This also a pelican*" in post.body
    # Its <a> is never closed: the link goes on the image, not over the caption and the rest.
    assert ("[![](/theme/img/xpelican.png.pagespeed.ic.Rjep0025-y.png)](https://getpelican.com/)\n\n"
            "*Yet another pelican*\n\n") in post.body
    html = BeautifulSoup(post.parsed.html, "html.parser")
    assert html.find("a", href="https://getpelican.com/").find("img") is not None
    assert "](" not in html.get_text() and "[caption" not in post.body


def test_wordpress_code_inside_a_list(imported: Imported) -> None:
    post = imported.posts(imported.blog)["2012-02-16-code-in-list-test.md"]
    assert post.meta["title"] == "Code in List"
    html = BeautifulSoup(post.parsed.html, "html.parser")
    items = html.find("ul").find_all("li", recursive=False)
    assert [li.get_text().strip().split("\n")[0] for li in items] == ["List Item One!", "List Item Two!",
                                                              "This is a code sample", "List Item Four!"]
    assert "for i in zip(a, b):" in items[2].find("pre").get_text()


def test_wordpress_rerun_changes_nothing(imported: Imported) -> None:
    again = imported.runs["pelican.xml again"]
    assert again.code == 0, again.err
    assert again.out.splitlines()[0] == "Imported 7 posts into posts/: 0 new, 7 unchanged, 0 overwritten"


def test_wordpress_drafts(imported: Imported) -> None:
    done = imported.runs["pelican.xml --drafts"]
    assert done.code == 0, done.err
    assert done.out.splitlines()[:2] == [
        "Imported 11 posts into posts/: 11 new, 0 unchanged, 0 overwritten",
        "Skipped 13: attachment ×4, comment ×4, page ×2, post type 'custom1' ×2, post type 'custom2' ×1"]
    posts = imported.posts(imported.drafts)
    untitled = posts["2012-02-15-this-is-a-draft-with-no-title.md"]
    assert untitled.meta["title"] == "This is a draft with no title" and untitled.meta["draft"] is True
    assert "post 168: warning: no title; named it 'This is a draft with no title'" in done.err
    special = posts["2012-04-29-special-chars-le.md"]
    assert special.meta["title"] == "Special chars: l'é"
    # A draft has no GMT date: its post_date is in the site's zone.
    assert special.meta["date"] == datetime(2012, 4, 29, 9, 44, 27, tzinfo=UTC)
    assert sum(1 for post in posts.values() if post.meta.get("draft")) == 4


def test_real_post_body_keeps_its_blockquote(imported: Imported) -> None:
    done = imported.runs["pelican-content"]
    assert done.code == 0, done.err
    assert not [line for line in done.out.splitlines() if line.startswith("Skipped")]  # no comments: nothing skipped
    (post,) = read_folder(imported.blog, "content").values()
    html = BeautifulSoup(post.parsed.html, "html.parser")
    quote = html.find("blockquote")
    assert [p.get_text().split()[:2] for p in quote.find_all("p")] == [["Lorem", "ipsum"], ["Lorem", "ipsum"]]
    assert html.find("object").find("embed")["src"] == "http://www.youtube.com/v/XSrW-wAWZe4"
    assert len(html.find("ul").find_all("li")) == 2
    assert "a = [1, 2, 3]" in html.find("pre").get_text()
    assert post.meta["date"] == datetime(2012, 2, 16, 15, 52, 55, tzinfo=zone(1))


# -- Nikola's WordPress exports ------------------------------------------------------------------------------

def test_nikola_export(imported: Imported) -> None:
    done = imported.runs["nikola.xml"]
    assert done.code == 0, done.err
    assert done.out.splitlines()[:2] == ["Imported 4 posts into posts/nikola/: 4 new, 0 unchanged, 0 overwritten",
                                         "Skipped 4: attachment ×3, page ×1"]
    posts = read_folder(imported.blog, "nikola")
    assert sorted(posts) == ["2007-04-27-hoert.md", "2008-07-12-arzt-und-pfusch-s-i-c-k.md",
                             "2012-04-15-python-borg-pattern.md", "2012-12-19-image-link-rewriting.md"]
    post = posts["2007-04-27-hoert.md"]
    assert post.meta["title"] == "Transformation test"
    assert post.parsed.slug == "hoert"  # post_name, not the title
    assert post.meta["date"] == datetime(2007, 4, 27, 15, 2, 35, tzinfo=zone(2))
    assert post.meta["tags"] == ["Bild", "Musik", "Unterhaltung", "Werbung"]
    assert post.meta["author"] == "Niko"
    assert ('![caption test](http://some.blog/wp-content/uploads/2009/07/caption_test.jpg "caption test")\n\n'
            "*caption test*") in post.body
    assert "```Python\nimport sys\nprint sys.version\n```" in post.body  # [sourcecode language="Python"]
    borg = posts["2012-04-15-python-borg-pattern.md"]
    assert borg.meta["date"] == datetime(2012, 4, 15, 12, 44, 59, tzinfo=zone(1))
    assert "```\nclass Borg:\n    _state = {}\n    def __init__(self):\n" in borg.body
    assert "- foo\n  - bar" in borg.body
    arzt = posts["2008-07-12-arzt-und-pfusch-s-i-c-k.md"]
    assert "[Arzt+Pfusch](http://www.arztpfusch.com/ \"Arzt+Pfusch\")" in arzt.body
    assert arzt.meta["tags"][:2] == ["Arzt+Pfusch", "Creative Commons"]
    linked = posts["2012-12-19-image-link-rewriting.md"]
    assert linked.body.rstrip().endswith(
        "(http://some.blog/wp-content/uploads/2012/12/2012-12-19-1355925145_1024x600_scrot.png)")


def test_wordpress_com_export(imported: Imported) -> None:
    # WordPress.com uses <atom:link> without declaring atom: in its exports.
    done = imported.runs["wordpress-com.xml"]
    assert done.code == 0, done.err
    assert done.out.splitlines()[:2] == ["Imported 1 post into posts/wpcom/: 1 new, 0 unchanged, 0 overwritten",
                                         "Skipped 1: page ×1"]
    post = read_folder(imported.blog, "wpcom")["2012-12-25-uniode-title.md"]
    assert post.meta["title"] == "Úñî©òðé title"
    assert post.meta["tags"] == ["þág1", "þág²"]
    assert post.meta["date"] == datetime(2012, 12, 25, 21, 38, 37, tzinfo=UTC)
    assert post.body == "Mó®é úñí©óðé\n"


def test_imported_blog_builds(imported: Imported) -> None:
    done = imported.runs["blog build"]
    assert done.code == 0, done.err
    assert (imported.blog / "build" / "2012" / "04" / "with-comments" / "index.html").exists()
    assert (imported.blog / "build" / "2007" / "04" / "hoert" / "index.html").exists()


# -- Pelican's feeds -----------------------------------------------------------------------------------------

PELICAN_FEED_POSTS = ["2010-03-14-the-baz-tag.md", "2010-10-15-unbelievable.md", "2010-10-20-oh-yeah.md",
                      "2010-10-20-trop-bien.md", "2010-12-02-this-is-a-super-article.md", "2011-02-17-article-1.md",
                      "2011-02-17-article-2.md", "2011-02-17-article-3.md",
                      "2011-04-20-a-markdown-powered-article.md", "2012-02-29-deuxieme-article.md",
                      "2012-02-29-second-article.md", "2012-11-30-filename-metadata-example.md"]


def test_pelican_rss2_summaries(imported: Imported) -> None:
    done = imported.runs["pelican.rss"]
    assert done.code == 0, done.err
    assert done.out.splitlines()[0] == "Imported 12 posts into posts/rss/: 12 new, 0 unchanged, 0 overwritten"
    posts = read_folder(imported.blog, "rss")
    assert sorted(posts) == PELICAN_FEED_POSTS
    post = posts["2011-04-20-a-markdown-powered-article.md"]
    assert post.meta["title"] == "A markdown powered article"
    assert post.meta["date"] == datetime(2011, 4, 20, 0, 0, tzinfo=zone(2))  # pubDate's own +0200
    assert post.meta["tags"] == ["cat1"]
    assert post.meta["link"] == "http://blog.notmyidea.org/a-markdown-powered-article.html"  # the entry's link
    assert post.body == ("You're mutually oblivious.\n\n"
                         "[a root-relative link to unbelievable](http://blog.notmyidea.org/unbelievable.html)\n"
                         "[a file-relative link to unbelievable](http://blog.notmyidea.org/unbelievable.html)\n")
    second = posts["2012-02-29-second-article.md"]
    assert second.meta["tags"] == ["misc", "foo", "bar", "baz"]
    assert second.meta["date"] == datetime(2012, 2, 29, 0, 0, tzinfo=zone(1))
    assert posts["2012-02-29-deuxieme-article.md"].meta["title"] == "Deuxième article"


def test_pelican_atom_full_content(imported: Imported) -> None:
    done = imported.runs["pelican.atom"]
    assert done.code == 0, done.err
    assert done.out.splitlines()[0] == "Imported 12 posts into posts/pelican/: 12 new, 0 unchanged, 0 overwritten"
    posts = read_folder(imported.feeds, "pelican")
    assert sorted(posts) == PELICAN_FEED_POSTS
    post = posts["2010-12-02-this-is-a-super-article.md"]
    assert post.meta["title"] == "This is a super article !"
    assert post.meta["date"] == datetime(2010, 12, 2, 10, 14, tzinfo=zone(1))  # published, not updated
    assert post.meta["tags"] == ["yeah", "foo", "bar", "foobar"]
    assert post.meta["link"] == "http://blog.notmyidea.org/this-is-a-super-article.html"
    assert "## This is a simple title\n\n" in post.body
    assert "And here comes the cool [stuff](http://books.couchdb.org/relax/design-documents/views)." in post.body
    assert "![alternate text](http://blog.notmyidea.org/pictures/Sushi_Macro.jpg)" in post.body
    assert "```\n>>> from ipdb import set_trace\n>>> set_trace()\n```" in post.body
    assert "→ And now try with some utf8 hell: ééé" in post.body


def test_pelican_atom_code_with_line_anchors(imported: Imported) -> None:
    # Pygments with line anchors ends each code line with <br />: in the code block, a plain newline.
    post = read_folder(imported.feeds, "pelican")["2010-10-15-unbelievable.md"]
    assert post.meta["title"] == "Unbelievable !"
    assert post.meta["date"] == datetime(2010, 10, 15, 20, 30, tzinfo=zone(2))
    fences = post.body.split("```")[1::2]
    assert fences and all(not line.endswith("\\") for fence in fences for line in fence.splitlines())
    code = [pre.get_text() for pre in BeautifulSoup(post.parsed.html, "html.parser").find_all("pre")]
    assert any("def run(self):\n" in text and "self.assert_has_content()\n" in text for text in code)
    # Line-numbered tables Markdown cannot say are kept as HTML.
    assert '<table class="highlighttable">' in post.body


# -- feedparser's feeds --------------------------------------------------------------------------------------

def test_rss1(imported: Imported) -> None:
    done = imported.runs["rss1.xml"]
    assert done.code == 0, done.err
    assert done.out.splitlines()[0] == "Imported 1 post into posts/rss1/: 1 new, 0 unchanged, 0 overwritten"
    (post,) = read_folder(imported.feeds, "rss1").values()
    assert post.meta["title"] == "Test Item - RSS 1.0"
    assert post.meta["date"] == datetime(2002, 9, 28, 20, 1, 19, tzinfo=UTC)  # dcterms:modified
    assert post.meta["link"] == "http://www.pocketsoap.com/weblog/rssTests/rss1.0withModules.xml#1"
    assert post.body.startswith("This is a fairly standard RSS 1.0 feed with a few modules")


def test_rss1_description_of_another_namespace_is_not_the_body(imported: Imported) -> None:
    done = imported.runs["rss1-clash.xml"]
    assert done.code == 0, done.err
    (post,) = read_folder(imported.feeds, "rss1-clash").values()
    assert post.meta["title"] == "Test Item - RSS 1.0 no Default NS, localName clashes"
    assert post.body == "correct description\n"


def test_delicious_rss2_link_blog(imported: Imported) -> None:
    done = imported.runs["delicious.rss"]
    assert done.code == 0, done.err
    (name, post), = read_folder(imported.feeds, "delicious").items()
    assert name == "2009-12-25-rsync-and-vfat-geek-at-play.md"
    assert post.meta["title"] == "rsync and vfat | Geek at Play"
    assert post.meta["date"] == datetime(2009, 12, 25, 3, 30, 22, tzinfo=UTC)
    assert post.meta["link"] == "http://www.kylev.com/2005/03/29/rsync-and-vfat/"  # the bookmarked article
    assert post.meta["tags"] == ["rsync", "vfat", "windows", "linux", "mount"]


def test_movable_type_atom(imported: Imported) -> None:
    done = imported.runs["movabletype.atom"]
    assert done.code == 0, done.err
    assert done.out.splitlines()[0] == "Imported 15 posts into posts/mt/: 15 new, 0 unchanged, 0 overwritten"
    posts = read_folder(imported.feeds, "mt")
    assert len(posts) == 15
    post = posts["2009-09-09-невидимая-броня-для-вашего-nokia-5800.md"]
    assert post.meta["title"] == "Невидимая броня для Вашего Nokia 5800"
    assert post.meta["date"] == datetime(2009, 9, 9, 14, 19, 45, tzinfo=UTC)  # published, not the older updated
    assert post.meta["tags"][:3] == ["Новости", "5800", "nokia"]
    assert post.meta["link"] == "http://touchnokia.ru/2009/09/nevidimaja-bronja-dlja-vashego-nokia-5800.html"
    html = BeautifulSoup(post.parsed.html, "html.parser")
    assert html.find("a", href="http://savecase.ru/TN").find("img")["src"] == "http://savecase.ru/downloads/468-60.gif"
    assert html.find("h2").get_text() == "Невидимая броня для Вашего девайса."


def test_imported_feeds_build(imported: Imported) -> None:
    done = imported.runs["feeds build"]
    assert done.code == 0, done.err
    heading = page(imported.feeds, "/2010/12/this-is-a-super-article/").find("h1")
    assert "This is a super article !" in heading.get_text()


def test_feed_in_euc_kr_is_read(registry: dict[str, Path], tmp_path: Path) -> None:
    # Its one entry has no date: read (no traceback on the encoding), then skipped, and said so.
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "feed", str(registry["euc-kr.xml"]))
    assert done.code == 1
    assert "Traceback" not in done.err
    assert done.err.strip().splitlines() == [
        f"{registry['euc-kr.xml']}: entry 1: warning: skipped: it has no date",
        f"{registry['euc-kr.xml']}: no posts to import (skipped: no date ×1); nothing was written"]


def test_feed_in_an_unknown_encoding_is_one_line(registry: dict[str, Path], tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    done = run_cli(site, "import", "feed", str(registry["bogus-encoding.xml"]))
    assert done.code == 1
    (line,) = done.err.strip().splitlines()
    assert line.startswith(f"{registry['bogus-encoding.xml']}: unknown encoding 'bogus'")
    assert list((site / "posts").iterdir()) == []

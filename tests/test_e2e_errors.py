"""Errors that span stages: every one is reported in the same run."""

import shutil

from conftest import age, post_text, run_cli


def test_template_errors_are_reported_with_post_errors(site):
    (site / "templates").mkdir()
    (site / "templates" / "list.html").write_text("{% if %}\n")
    (site / "posts" / "bad.md").write_text(post_text("Bad", "yesterday"))
    run = run_cli(site, "build")
    assert run.code == 1
    assert "posts/bad.md:3: 'date' is not a valid date" in run.err
    assert "templates/list.html:1: template error" in run.err


def test_a_failing_expression_in_a_template_is_a_problem_not_a_traceback(site):
    (site / "templates").mkdir()
    (site / "templates" / "post.html").write_text("{% extends 'theme/post.html' %}\n{% block main %}\n"
                                                  "{{ page.title + 1 }}\n{% endblock %}\n")
    run = run_cli(site, "build")
    assert run.code == 1 and "Traceback" not in run.err
    assert "templates/post.html:3: template error" in run.err


def test_a_static_file_may_not_replace_a_generated_page_or_its_folder(site):
    (site / "static").mkdir()
    (site / "static" / "index.html").write_text("<p>mine</p>")
    (site / "static" / "archive").write_text("a file where the archive's folder goes")
    (site / "static" / "404.html").mkdir()
    (site / "static" / "404.html" / "x.txt").write_text("a folder where a page goes")
    (site / "static" / "tag" / "index.html").mkdir(parents=True)
    (site / "static" / "tag" / "index.html" / "y.txt").write_text("a folder where the tag index's file goes")
    run = run_cli(site, "build")
    assert run.code == 1 and "Traceback" not in run.err
    assert "static/index.html: would replace generated pages at /index.html; rename or remove it" in run.err
    assert "static/archive: would replace generated pages at /archive" in run.err
    assert "static/404.html/x.txt: would replace generated pages at /404.html/x.txt" in run.err
    assert "static/tag/index.html/y.txt: would replace generated pages at /tag/index.html/y.txt" in run.err


def test_a_static_file_on_a_posts_url_names_the_post_it_would_replace(site):
    page = site / "static" / "2015" / "04" / "some-customers-suck" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>mine</p>")
    run = run_cli(site, "build")
    assert run.code == 1 and "Traceback" not in run.err
    line = run.err.splitlines()[0]
    assert line.startswith("static/2015/04/some-customers-suck/index.html: ")
    assert "posts/2015-04-09-some-customers-suck.md" in line


def test_a_post_where_a_file_of_the_theme_goes_is_the_one_named(site):
    config = site / "config.yaml"
    config.write_text(config.read_text().replace("permalink: /{year}/{month}/{slug}/", "permalink: /{slug}/"))
    post = site / "posts" / "2015-04-09-some-customers-suck.md"
    post.write_text(post.read_text().replace("title: Some Customers Suck",
                                             "title: Some Customers Suck\nslug: style.css"))
    run = run_cli(site, "build")
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err.splitlines()[0].startswith("posts/2015-04-09-some-customers-suck.md: ")
    assert "style.css" in run.err.splitlines()[0]


def test_a_template_that_is_not_utf8_is_a_problem(site):
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_bytes(b"\xff{% extends 'theme/404.html' %}")
    run = run_cli(site, "build")
    assert run.code == 1 and "Traceback" not in run.err
    assert "404.html" in run.err


def test_a_partial_that_is_not_utf8_is_named_at_its_line_and_only_it(site):
    from linkblog.theme import theme_dir

    (site / "templates").mkdir()
    entry = (theme_dir() / "templates" / "_entry.html").read_bytes()
    (site / "templates" / "_entry.html").write_bytes(entry.replace(b"</article>", b"</article>\xff", 1))
    line = entry[: entry.index(b"</article>")].count(b"\n") + 1
    run = run_cli(site, "build")
    assert run.code == 1 and "Traceback" not in run.err
    assert [p for p in run.err.splitlines() if not p.startswith("build failed")] == [
        f"templates/_entry.html:{line}: not valid UTF-8 (byte 0xff)"]


def test_a_byte_order_mark_at_a_templates_start_is_not_copied_into_pages(site):
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_bytes("\ufeff{% extends 'theme/404.html' %}".encode())
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    assert (site / "build" / "404.html").read_bytes().startswith(b"<!DOCTYPE html>")


def test_one_off_warnings_are_not_repeated(site):
    age(site)
    assert run_cli(site, "build").code == 0
    (site / ".cache" / "linkblog" / "cache.sqlite").write_bytes(b"garbage" * 100)
    (site / ".cache" / "linkblog" / "inputs.json").unlink()
    assert "ignoring the build cache" in run_cli(site, "build").err
    assert run_cli(site, "build").err == ""


def test_warnings_are_repeated_by_a_rebuild_with_nothing_to_do(site):
    (site / "posts" / "spelling.md").write_text(post_text("Spelling", "2016-02-02", tags="[Support]"))
    age(site)  # so the second build may stop after its scan
    first = run_cli(site, "build")
    again = run_cli(site, "build")
    assert "warning: tag 'Support'" in first.err
    assert first.err == again.err
    assert " 0 files written" in again.out


def test_a_site_without_its_posts_folder_says_so(site):
    shutil.rmtree(site / "posts")
    run = run_cli(site, "build")
    assert run.code == 0 and "Traceback" not in run.err
    assert [line for line in run.err.splitlines() if line.startswith("posts: warning: ")] == [
        "posts: warning: left out: no such folder, so the site has no posts"]
    (site / "posts").write_text("")
    run = run_cli(site, "build")
    assert run.code == 0 and "posts: warning: left out: a file, not the folder of posts" in run.err.splitlines()
    new = run_cli(site, "new", "Hello")
    assert (new.code, new.out) == (1, "") and new.err.splitlines() == [
        "posts: is a file; linkblog new writes each post into the folder posts/"]


def test_a_template_of_its_own_that_cannot_be_read_is_named_not_silently_replaced_by_the_theme(site):
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "404.html").symlink_to(site / "templates" / "moved-away.html")
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    assert "templates/404.html: warning: left out: a link to nothing" in run.err.splitlines()


def test_a_list_template_cannot_reach_the_site_index(site):
    written = site.parent / "written-by-a-template"
    (site / "templates").mkdir()
    (site / "templates" / "list.html").write_text(
        "{% extends 'theme/list.html' %}\n{% block main %}\n"
        f"{{{{ page.group.posts.site.config.root.joinpath('{written}').write_text('x') }}}}\n"
        "{% endblock %}\n")
    run = run_cli(site, "build")
    assert run.code == 1 and "Traceback" not in run.err
    assert "templates/list.html:3: template error" in run.err
    assert not written.exists()

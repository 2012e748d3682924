"""Errors that span stages: every one is reported in the same run."""

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


def test_a_static_file_may_not_replace_a_generated_page(site):
    (site / "static").mkdir()
    (site / "static" / "index.html").write_text("<p>mine</p>")
    run = run_cli(site, "build")
    assert run.code == 1
    assert "static/index.html: would replace the generated page /; rename or remove it" in run.err


def test_warnings_are_repeated_by_a_rebuild_with_nothing_to_do(site):
    (site / "posts" / "spelling.md").write_text(post_text("Spelling", "2016-02-02", tags="[Support]"))
    age(site)  # so the second build may stop after its scan
    first = run_cli(site, "build")
    again = run_cli(site, "build")
    assert "warning: tag 'Support'" in first.err
    assert first.err == again.err
    assert " 0 files written" in again.out

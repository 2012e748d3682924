"""Renderer on its own: template lookup order, the theme/ prefix, problems at a template's line."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from conftest import make_site, post_text, run_cli, tree_bytes

from linkblog.config import Config
from linkblog.model import PageSpec, Post
from linkblog.render import Renderer, RenderError, absolute_links, clip, format_date
from linkblog.theme import theme_dir

THEME = {
    "base.html": "<theme-base>{% block main %}{% endblock %}|{% block footer %}theme footer{% endblock %}"
                 "</theme-base>\n",
    "page.html": '{% extends "base.html" %}{% block main %}theme page: {{ page.title }}{% endblock %}\n',
    "other.html": "theme other\n",
}


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def renderer(root: Path, site: dict[str, str] | None = None) -> Renderer:
    """A Renderer for a site at root with its own templates (if any) over a small theme."""
    theme = write(root / "theme-templates", THEME)
    dirs = [write(root / "templates", site), theme] if site is not None else [theme]
    return Renderer(Config(root=root, url="https://example.org/notes/"), dirs)


def spec(template: str = "page.html", title: str = "Hello") -> PageSpec:
    return PageSpec(url="/notes/hello/", template=template, title=title, kind="post")


def test_theme_templates_render_without_site_templates(tmp_path: Path):
    assert renderer(tmp_path).render_page(spec()) == b"<theme-base>theme page: Hello|theme footer</theme-base>\n"


def test_a_site_template_overrides_only_its_own_file(tmp_path: Path):
    site = {"base.html": "<site-base>{% block main %}{% endblock %}</site-base>\n"}
    render = renderer(tmp_path, site)
    assert render.render_page(spec()) == b"<site-base>theme page: Hello</site-base>\n"
    assert render.render("other.html", {}) == "theme other\n"


def test_theme_prefix_reaches_the_theme_even_past_a_site_folder_of_that_name(tmp_path: Path):
    site = {"theme/base.html": "<mine>{% block main %}{% endblock %}</mine>\n",
            "base.html": '{% extends "theme/base.html" %}{% block footer %}site footer{% endblock %}\n'}
    assert renderer(tmp_path, site).render_page(spec()) == b"<theme-base>theme page: Hello|site footer</theme-base>\n"


@pytest.mark.parametrize("expression", [
    "cycler.__init__.__globals__.os.system('touch {marker}')",
    "self._TemplateReference__context.cycler.__init__.__globals__.os.popen('touch {marker}').read()",
    "''.__class__.__mro__[1].__subclasses__()",
    "lipsum.__globals__['os'].system('touch {marker}')",
    "'{{0.__class__}}'.format(page)",
    "'{{x.__class__}}'.format_map({{'x': page}})",
    "('{{0.__class__}}'|attr('format'))(page)",
    "page.extra.update({{'x': 1}})",
    "page.posts.append(1)",
    "page.extra.marks.intersection_update([])",
    "page.extra.marks.update([1])",
])
def test_a_template_runs_no_code_of_its_own(tmp_path: Path, expression: str):
    """Templates come with a site (a blog cloned, a pull request built): Jinja's sandbox keeps them to data."""
    marker = tmp_path / "ran"
    site = {"page.html": "one\n{{ " + expression.format(marker=marker) + " }}\n"}
    with pytest.raises(RenderError) as caught:
        renderer(tmp_path, site).render_page(replace(spec(), posts=[], extra={"marks": {"a", "b"}}))
    assert (caught.value.problem.path, caught.value.problem.line) == ("templates/page.html", 2)
    assert not marker.exists()


def test_an_object_no_page_hands_out_lends_no_method(tmp_path: Path):
    """Beyond Jinja's rules: whatever a template reaches by accident (here a Path) is only printed."""
    target = tmp_path / "written"
    site = {"page.html": "{{ page.extra.place }}\n{{ page.extra.place.write_text('x') }}\n"}
    with pytest.raises(RenderError) as caught:
        renderer(tmp_path, site).render_page(replace(spec(), extra={"place": target}))
    assert (caught.value.problem.path, caught.value.problem.line) == ("templates/page.html", 2)
    assert not target.exists()


def test_static_keeps_a_query_or_fragment_a_theme_writes(tmp_path: Path):
    made = renderer(tmp_path, {"page.html": "{{ static('/style.css?v=2') }} {{ static('/a b.svg#icon') }}"})
    assert made.render_page(spec()).decode() == "/notes/style.css?v=2 /notes/a%20b.svg#icon"


def test_a_template_collects_with_a_namespace(tmp_path: Path):
    site = {"page.html": "{% set ns = namespace(seen=[]) %}{% for word in ['a', 'b', 'a'] %}"
                         "{% if word not in ns.seen %}{% set ns.seen = ns.seen + [word] %}{% endif %}{% endfor %}"
                         "{{ ns.seen|join(',') }} {{ loop_free|default('-') }}\n"}
    assert renderer(tmp_path, site).render_page(spec()) == b"a,b -\n"


# A build that asks for more memory than this fails at once, as a template growing without bound would.
MEMORY_LIMIT = 512 * 2**20


def limited_build(tmp_path: Path, template: str) -> subprocess.CompletedProcess[str]:
    """`linkblog build` of a one-post site whose templates/404.html is `template`, in a process allowed 512 MB."""
    site = make_site(tmp_path / "site", {"2015-06-01-a.md": post_text("A", "2015-06-01")},
                     files={"templates/404.html": template + "\n"})

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run([sys.executable, "-m", "linkblog", "build"], cwd=site, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL, preexec_fn=limit_memory)


def first_error(tmp_path: Path, template: str) -> str:
    """The first line a limited_build of this templates/404.html fails with, once it is sure it failed cleanly."""
    run = limited_build(tmp_path, template)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    return run.stderr.splitlines()[0]


@pytest.mark.parametrize("expression", [
    "(9**(9**5)) > 1",  # 56,000 digits; 9**(9**9) takes hours
    "lipsum(13, min=100000, max=100001)|length",  # lipsum(10**6) took a minute and 1.7 GB
    "'%0999999999d'|format(1)|length", "'%020000000d'|format(1)|length", "'%*d' % (20000000, 1)",
    "'{:>20000000}'.format(1)|length",
    "('ab'|center(10**9))|length", "('ab'|center(20000000))|length", "'ab'.ljust(20000000)|length",
    "('a'*10**10)|length", "([1]*10**9)|length", "('a'*20000000)|length", "([1]*20000000)|length",
    "(['a'*1000000]*20)|join|length", "range(1000)|join('x'*20000)|length",
    "('a'*300000)|wordwrap(1)|length",  # textwrap copies the rest of a long word for each line it cuts
    "(1).to_bytes(20000000)|length", "range(10)|slice(10**8)|list|length",
    "'{:{}{}}'.format('a', 9999, 9999)|length", "'{:{}}'.format('a', '99999999')|length",  # widths set side by side
    "('{0:>{1}}' * 100).format('a', 999999)|length", "('%999999s' * 100)|format(*(('a',) * 100))|length",
    "('a' * 6000000 + 'b' * 6000000)|length",
])
def test_a_template_asking_for_a_huge_result_is_an_error_at_its_line(tmp_path: Path, expression: str):
    """A tiny template (a blog cloned) cannot hang the build or take gigabytes: the operation is refused."""
    first = first_error(tmp_path, "{{ " + expression + " }}")
    assert first.startswith("templates/404.html:1: template error: ") and "too large" in first


def test_a_template_reaches_no_bytes(tmp_path: Path):
    run = limited_build(tmp_path, "{{ ('a'.encode() * 20000000)|length }}")  # bytes: one more kind to bound
    assert run.returncode == 1 and run.stderr.startswith("templates/404.html:1: template error: ")


def test_a_template_running_out_of_memory_says_so(tmp_path: Path):
    """Each piece is allowed, but together they pass the memory the build has: the error still says why."""
    first = first_error(tmp_path, "{% set ns = namespace(kept=[]) %}{% for i in range(100) %}"
                                  "{% set ns.kept = ns.kept + ['a' * 9000000 ~ i] %}{% endfor %}{{ ns.kept|length }}")
    assert first.startswith("templates/404.html:1: template error: ")
    assert first.removeprefix("templates/404.html:1: template error: ").strip()


def test_what_can_grow_still_works_at_sizes_a_page_shows(tmp_path: Path):
    site = {"page.html": "{{ 2**10 }} {{ 'ab'*3 }} {{ [0]*2 }} {{ '%05.1f'|format(3.14159) }} {{ '%-4s|' % 'x' }} "
                         "{{ '{:>4}'.format('x') }} {{ 7 % 3 }} {{ 'x'|center(5) }}| {{ 'x'.zfill(3) }} "
                         "{{ [1, 2]|join('-') }} {{ 'a-b'|replace('-', '+') }} {{ 'x'.join('ab') }} "
                         "{{ lipsum(2, html=False)|wordcount > 10 }} {{ [[1], [2]]|sum(start=[]) }} "
                         "{{ [1, 2, 3]|batch(2, 0)|list }} {{ 'a' + 'b' }} {{ [1] + [2] }} {{ '%*d' % (3, 7) }}\n"}
    assert renderer(tmp_path, site).render_page(spec()) == \
        b"1024 ababab [0, 0] 003.1 x   |    x 1   x  | 00x 1-2 a+b axb True [1, 2] [[1, 2], [3, 0]] ab [1, 2]   7\n"


def test_a_site_page_template_overrides_the_themes(tmp_path: Path):
    site = {"page.html": '{% extends "base.html" %}{% block main %}site page{% endblock %}\n'}
    assert renderer(tmp_path, site).render_page(spec()) == b"<theme-base>site page|theme footer</theme-base>\n"


def test_theme_prefix_reaches_the_theme_behind_an_override(tmp_path: Path):
    site = {"base.html": '{% extends "theme/base.html" %}{% block footer %}site, {{ super() }}{% endblock %}\n'}
    html = renderer(tmp_path, site).render_page(spec())
    assert html == b"<theme-base>theme page: Hello|site, theme footer</theme-base>\n"


def test_theme_prefix_works_without_site_templates(tmp_path: Path):
    assert renderer(tmp_path).render("theme/other.html", {}) == "theme other\n"


def test_autoescape_is_on_for_html(tmp_path: Path):
    html = renderer(tmp_path).render_page(spec(title="<script>alert(1)</script> & co"))
    assert b"&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert b"<script>" not in html


@pytest.mark.parametrize("partial", ["_meta.jinja", "_meta.j2", "_meta.htm", "_meta"])
def test_autoescape_is_on_in_partials_whatever_their_names_end_with(tmp_path: Path, partial: str):
    site = {"page.html": f'{{% include "{partial}" %}}\n', partial: "<p>{{ page.title }}</p>\n"}
    html = renderer(tmp_path, site).render_page(spec(title="<script>alert(1)</script> & co"))
    assert b"<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>" in html


def test_an_expression_nested_too_deep_to_compile_is_one_problem_naming_the_template(tmp_path: Path):
    site = {"page.html": "line one\n{{ " + "(" * 200 + "1" + ")" * 200 + " }}\n"}
    digests, problems = renderer(tmp_path, site).template_digests({"page.html"})
    [problem] = problems
    assert problem.path == "templates/page.html" and problem.message.startswith("template error:")


def test_a_page_handing_entry_to_a_variable_depends_on_the_entry_template(tmp_path: Path):
    page = '{% set show = entry %}{% for p in page.posts %}{{ show(p) }}{% endfor %}\n'
    first = renderer(tmp_path / "a", {"page.html": page, "_entry.html": "one\n"}).template_digests({"page.html"})
    second = renderer(tmp_path / "b", {"page.html": page, "_entry.html": "two\n"}).template_digests({"page.html"})
    assert first[0]["page.html"] != second[0]["page.html"]


def test_an_include_of_templates_none_of_which_exists_names_them_all(tmp_path: Path):
    with pytest.raises(RenderError) as caught:
        renderer(tmp_path, {"page.html": '{% include ["x.html", "y.html"] %}\n'}).render_page(spec())
    problem = caught.value.problem
    assert (problem.path, problem.line) == ("templates/page.html", 1)
    assert "x.html" in problem.message and "y.html" in problem.message


def test_a_syntax_error_names_the_template_and_line(tmp_path: Path):
    site = {"page.html": '{% extends "base.html" %}\n{% block main %}\nfine\n{% if %}\n{% endblock %}\n'}
    with pytest.raises(RenderError) as caught:
        renderer(tmp_path, site).render_page(spec())
    problem = caught.value.problem
    assert (problem.path, problem.line) == ("templates/page.html", 4)
    assert problem.message.startswith("template error:")
    assert str(problem).startswith("templates/page.html:4: template error:")


def test_a_syntax_error_in_an_extended_template_names_that_template(tmp_path: Path):
    site = {"base.html": "<b>\n{% block main %}{% endblock %}\n{{ oops( }}\n"}
    with pytest.raises(RenderError) as caught:
        renderer(tmp_path, site).render_page(spec())
    assert (caught.value.problem.path, caught.value.problem.line) == ("templates/base.html", 3)


def test_template_digests_report_syntax_errors_before_rendering(tmp_path: Path):
    site = {"page.html": "line one\n{% for x in %}\n"}
    digests, problems = renderer(tmp_path, site).template_digests({"page.html", "other.html"})
    assert set(digests) == {"other.html"}
    assert [(p.path, p.line) for p in problems] == [("templates/page.html", 2)]


def test_an_undefined_variable_names_the_template_and_line(tmp_path: Path):
    site = {"page.html": '{% extends "base.html" %}\n{% block main %}\n{{ page.title }}\n{{ nothing.here }}\n'
                         "{% endblock %}\n"}
    with pytest.raises(RenderError) as caught:
        renderer(tmp_path, site).render_page(spec())
    problem = caught.value.problem
    assert (problem.path, problem.line) == ("templates/page.html", 4)
    assert "'nothing' is undefined" in problem.message


def test_an_undefined_variable_in_an_included_template(tmp_path: Path):
    site = {"page.html": "one\n{% include '_part.html' %}\n", "_part.html": "a\nb\n{{ page.nope }}\n"}
    with pytest.raises(RenderError) as caught:
        renderer(tmp_path, site).render_page(spec())
    assert (caught.value.problem.path, caught.value.problem.line) == ("templates/_part.html", 3)
    assert "nope" in caught.value.problem.message


@pytest.mark.parametrize("name", [".part.html", "#part.html", "part.html~", "part.html.swp", "part.tmp",
                                  "_partials/.part.html", ".hidden/part.html"])
def test_a_file_the_build_does_not_track_is_no_template(tmp_path: Path, name: str):
    """An edit of a hidden or editor's file is never seen, so no page may depend on it."""
    (tmp_path / "templates" / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "templates" / name).write_text("{{ nope }}")
    render = renderer(tmp_path, {"page.html": f"one {{% include '{name}' %}}\n", "_part.html": "fine"})
    with pytest.raises(RenderError) as caught:
        render.render_page(spec())
    assert "not found" in caught.value.problem.message and name in caught.value.problem.message
    assert name not in render.env.list_templates() and "_part.html" in render.env.list_templates()
    (tmp_path / "templates" / "page.html").write_text("{% include page.title %}")  # may be any template tracked
    assert renderer(tmp_path, {}).template_digests({"page.html"})[1] == []


@pytest.mark.parametrize("name", ["./_part.html", "_partials/./x.html", "_partials//x.html"])
def test_a_template_named_with_a_dot_folder_is_found(tmp_path: Path, name: str):
    (tmp_path / "templates" / "_partials").mkdir(parents=True)
    (tmp_path / "templates" / "_partials" / "x.html").write_text("x")
    render = renderer(tmp_path, {"page.html": f"one {{% include '{name}' %}}", "_part.html": "x"})
    assert render.render_page(spec()) == b"one x"


def test_a_missing_template_is_a_problem(tmp_path: Path):
    with pytest.raises(RenderError) as caught:
        renderer(tmp_path).render_page(spec(template="missing.html"))
    assert caught.value.problem.path == "templates/missing.html"
    assert "not found" in caught.value.problem.message


def test_template_digests_follow_extends(tmp_path: Path):
    first = renderer(tmp_path / "a", {"base.html": "one {% block main %}{% endblock %}"})
    second = renderer(tmp_path / "b", {"base.html": "two {% block main %}{% endblock %}"})
    names = {"page.html", "other.html"}
    one, two = first.template_digests(names)[0], second.template_digests(names)[0]
    assert one["other.html"] == two["other.html"]
    assert one["page.html"] != two["page.html"]


def a_post(html: str, link: str | None = None) -> Post:
    moment = datetime(2015, 6, 1, 9, 30, tzinfo=ZoneInfo("UTC"))
    return Post(path="posts/p.md", title="Work & Play", date=moment, slug="p", html=html, excerpt="", digest="d",
                link=link, url="/notes/2015/06/p/", permalink="https://example.org/notes/2015/06/p/")


def test_feed_entries_make_every_link_absolute(tmp_path: Path):
    render = Renderer(Config(root=tmp_path, url="https://example.org/notes/"), [theme_dir() / "templates"])
    html = '<p><a href="/notes/2015/">year</a> <img src="chart.png" alt=""> <a href="#fn1">1</a></p>'
    entry = render.render_entry(a_post(html, link="https://elsewhere.example/a"))
    assert 'href="https://example.org/notes/2015/"' in entry
    assert 'src="https://example.org/notes/2015/06/p/chart.png"' in entry
    assert 'href="https://example.org/notes/2015/06/p/#fn1"' in entry
    assert 'href="https://elsewhere.example/a">Work &amp; Play</a>' in entry
    assert '<a href="https://example.org/notes/2015/06/p/">★ Permalink</a>' in entry


def test_an_entry_under_any_heading_is_never_the_feed_entry(tmp_path: Path):
    templates = write(tmp_path / "templates", {"page.html": "{{ entry(post, 'feed') }}"})
    render = Renderer(Config(root=tmp_path, url="https://example.org/notes/"), [templates, theme_dir() / "templates"])
    post = a_post("<p>Body.</p>")
    feed = render.render_entry(post)
    page = render.render("page.html", {"post": post})
    assert page != feed and '<feed class="p-name">' in page


def test_absolute_links_leave_absolute_urls_and_text_alone():
    html = ("<a href='https://a.example/x'>a</a> <a href=\"mailto:me@example.org\">m</a> "
            "<code>href=&quot;/x&quot; and href='/z'</code> <span data-href=\"/y\">y</span>")
    soup = BeautifulSoup(absolute_links(html, "https://example.org/p/"), "html.parser")
    assert [a["href"] for a in soup.find_all("a")] == ["https://a.example/x", "mailto:me@example.org"]
    assert soup.code.get_text() == "href=\"/x\" and href='/z'"
    assert soup.span["data-href"] == "/y"


def test_feed_html_keeps_html5_void_elements_void():
    html = ('<picture><source srcset="a.png" media="(min-width: 60em)"><img src="b.png" alt="b"></picture>'
            '<video src="v.mp4"><track src="t.vtt" kind="captions"></video><p>long<wbr>word and <em>more</em></p>')
    out = absolute_links(html, "https://example.org/p/")
    assert not any(f"</{name}>" in out for name in ("source", "track", "wbr"))  # void: no end tag is HTML
    # What followed each stays where a browser puts it: after it, not inside it.
    assert '<source srcset="https://example.org/p/a.png" media="(min-width: 60em)"><img ' in out
    assert "<p>long<wbr>word and <em>more</em></p>" in out
    assert clip("<p>long<wbr>word. And more words after it.</p>", 12) == ("<p>long<wbr>word.</p>", True)


def test_an_svgs_references_to_its_own_parts_stay_in_the_feed():
    html = '<svg viewBox="0 0 8 8"><use href="#dot"></use></svg> <a href="#fn1">1</a>'
    out = absolute_links(html, "https://example.org/p/")
    assert '<use href="#dot">' in out  # another page's #dot is not drawn
    assert 'href="https://example.org/p/#fn1"' in out  # a footnote reference leads to the post


def test_an_svgs_references_to_its_own_parts_stay_beside_css():
    # Any style attribute or <style> sends the fragment through lxml's own walk, which rewrites every link.
    html = ('<svg><defs><filter id="blur"></filter><circle id="dot" style="fill: red"></circle></defs>'
            '<use href="#dot" style="filter: url(#blur)"></use><style>use { mask: url(#m) }</style></svg>'
            '<p style="color: red"><a href="#fn1">1</a> <a href="/x/">x</a></p>')
    out = absolute_links(html, "https://example.org/p/")
    assert '<use href="#dot" style="filter: url(#blur)">' in out
    mixed = absolute_links('<svg><rect style="fill: url(#g); stroke: url(/s.svg#x)"></rect>'
                           '<style>.a { fill: url(#g) } .b { background: url(bg.png) }</style></svg><p style="">',
                           "https://example.org/p/")
    assert 'style="fill: url(#g); stroke: url(https://example.org/s.svg#x)"' in mixed
    assert ".a { fill: url(#g) } .b { background: url(https://example.org/p/bg.png) }" in mixed
    assert "mask: url(#m)" in out
    assert 'href="https://example.org/p/#fn1"' in out and 'href="https://example.org/x/"' in out


def test_the_default_theme_renders_a_404_page(tmp_path: Path):
    config = Config(root=tmp_path, url="https://example.org/notes/", title="T & Co")
    html = Renderer(config, [theme_dir() / "templates"]).render_page(
        PageSpec(url="/notes/404.html", template="404.html", title="Page not found", kind="404")).decode()
    assert '<link rel="stylesheet" href="/notes/style.css">' in html
    assert "<title>Page not found – T &amp; Co</title>" in html
    assert '<link rel="canonical" href="https://example.org/notes/404.html">' in html


@pytest.mark.parametrize("html", ['<p><a href="https://bücher.example/straße">a</a></p>',
                                  '<p style="color: red"><a href="https://bücher.example/straße">a</a></p>'])
def test_feed_links_beyond_ascii_are_uris_whatever_else_the_entry_holds(html: str):
    assert 'href="https://xn--bcher-kva.example/stra%C3%9Fe"' in absolute_links(html, "https://example.org/a/")


@pytest.mark.parametrize(("call", "named"), [('post.date|date("ISO")', "ISO"), ('post.date|date("%Y")', "%Y"),
                                             ("post.dat|date", "dat"), ('post.dat|date("moment")', "dat")])
def test_a_date_filter_misused_names_the_template_line_and_why(tmp_path: Path, call: str, named: str):
    site = {"page.html": f"one\n{{{{ {call} }}}}\n"}
    post = Post(path="posts/a.md", title="A", date=datetime(2015, 6, 1, tzinfo=ZoneInfo("UTC")), slug="a",
                html="", excerpt="", digest="", url="/notes/a/", permalink="https://example.org/notes/a/")
    with pytest.raises(RenderError) as caught:
        renderer(tmp_path, site).render("page.html", {"post": post})
    assert (caught.value.problem.path, caught.value.problem.line) == ("templates/page.html", 2)
    assert named in caught.value.problem.message


def test_a_plain_date_is_a_day_in_every_style():  # a front matter's `updated: 2016-06-01`
    day = date(2016, 6, 1)
    assert [format_date(day), format_date(day, "iso"), format_date(day, "moment")] == \
        ["June 1, 2016", "2016-06-01", "2016-06-01"]


def test_format_date():
    moment = datetime(2015, 6, 1, 9, 30, tzinfo=ZoneInfo("America/Chicago"))
    assert format_date(moment) == "June 1, 2015"
    assert format_date(moment, "iso") == "2015-06-01"
    assert format_date(moment, "moment") == "2015-06-01T09:30:00-05:00"
    # HTML's <time datetime> takes at most three digits of a second's fraction.
    assert format_date(moment.replace(microsecond=1000), "moment") == "2015-06-01T09:30:00.001-05:00"
    assert format_date(moment.replace(microsecond=123456), "moment") == "2015-06-01T09:30:00.123-05:00"
    local_mean_time = datetime(1930, 5, 1, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))  # +00:19:32
    assert format_date(local_mean_time, "moment") == "1930-05-01T11:40:28+00:00"
    assert format_date(local_mean_time) == "May 1, 1930"


def test_feed_entries_make_video_posters_absolute_and_survive_bad_links():
    html = '<video poster="/p.jpg" src="v.mp4"></video><a href="http://[oops">bad</a>'
    soup = BeautifulSoup(absolute_links(html, "https://example.org/notes/x/"), "html.parser")
    assert soup.video["poster"] == "https://example.org/p.jpg"
    assert soup.video["src"] == "https://example.org/notes/x/v.mp4"
    assert soup.a.get_text() == "bad"


def test_feed_entries_make_links_in_styles_and_embeds_absolute():
    html = ('<p style="background: url(/bg.png)">s</p><object data="movie.swf"></object>'
            '<a href=" ../up/ ">padded</a><img src="i.png" lowsrc="/l.png"><blockquote cite="/c/">q</blockquote>')
    soup = BeautifulSoup(absolute_links(html, "https://example.org/notes/x/"), "html.parser")
    assert soup.p["style"] == "background: url(https://example.org/bg.png)"
    assert soup.object["data"] == "https://example.org/notes/x/movie.swf"
    assert soup.a["href"] == "https://example.org/notes/up/"
    assert (soup.img["src"], soup.img["lowsrc"]) == ("https://example.org/notes/x/i.png", "https://example.org/l.png")
    assert soup.blockquote["cite"] == "https://example.org/c/"


def test_feed_entries_resolve_padded_links_without_style_markup():
    soup = BeautifulSoup(absolute_links('<a href=" ../up/ ">padded</a> <a href="#fn1">1</a>',
                                        "https://example.org/notes/x/"), "html.parser")
    assert [a["href"] for a in soup.find_all("a")] == ["https://example.org/notes/up/",
                                                        "https://example.org/notes/x/#fn1"]


def test_feed_entries_resolve_links_that_only_look_absolute():
    html = '<a href="https:///top/">no host</a><a href="https://?q=1">query only</a><a href="https://a.example/x">ok</a>'
    soup = BeautifulSoup(absolute_links(html, "https://example.org/notes/x/"), "html.parser")
    assert [a["href"] for a in soup.find_all("a")] == ["https://example.org/top/", "https://example.org/notes/x/?q=1",
                                                        "https://a.example/x"]


def test_feed_entries_treat_posters_alike_with_or_without_style_markup():
    for extra in ("", '<p style="color: red">styled</p>'):
        soup = BeautifulSoup(absolute_links(f'<video poster=" /p.jpg "></video><video poster="http://[oops"></video>'
                                            f"{extra}", "https://example.org/notes/x/"), "html.parser")
        assert [v["poster"] for v in soup.find_all("video")] == ["https://example.org/p.jpg", "http://[oops"]


QUOTED = ("<blockquote>\n<p>One. <em>Two</em>.</p>\n<blockquote>\n<p>Inner.</p>\n</blockquote>\n</blockquote>\n"
          "<p>Mine.</p>\n")


def unclosed(html: str) -> list[str]:
    """Tags opened and never closed, or closed out of order, as an HTML parser sees them."""
    opened, wrong = [], []

    class Checker(HTMLParser):
        def handle_starttag(self, tag, attrs):
            opened.append(tag)

        def handle_endtag(self, tag):
            if not opened or opened.pop() != tag:
                wrong.append(tag)

    Checker().feed(html)
    return wrong + opened


def test_clipping_keeps_whole_sentences_and_closes_every_tag():
    html = ("<p>First <strong>sentence</strong> here. Second <em>one <a href='x'>runs</a> on</em> and on. "
            + "Third goes on and on. " * 20 + "</p><ul><li>never</li></ul>")
    clipped, cut = clip(html, limit=60)
    assert cut and unclosed(clipped) == []
    assert BeautifulSoup(clipped, "html.parser").get_text() == "First sentence here. Second one runs on and on."
    assert clip("<p>Short.</p>", limit=60) == ("<p>Short.</p>", False)


def test_clipping_chinese_or_japanese_keeps_whole_sentences():
    sentence = "吾輩は猫である。名前はまだ無い。"  # 16 characters, two sentences, no spaces
    clipped = clip(f"<p>{sentence * 20}</p>")[0]
    text = BeautifulSoup(clipped, "html.parser").get_text()
    assert text.endswith("。") and 260 <= len(text) <= 280 and (sentence * 20).startswith(text)


def test_clipping_a_sentence_without_end_cuts_at_a_word():
    clipped, cut = clip("<p><em>" + "word " * 100 + "</em></p>", limit=30)
    assert cut and unclosed(clipped) == [] and BeautifulSoup(clipped, "html.parser").get_text().endswith("word…")


@pytest.mark.parametrize("unit", ["\U0001f469\u200d\U0001f469\u200d\U0001f467", "\U0001f1eb\U0001f1f7",
                                  "e\u0301", "\U0001f44d\U0001f3fd", "\u2764\ufe0f"])
def test_clipping_text_without_spaces_never_cuts_a_character_a_reader_sees(unit: str):
    text = BeautifulSoup(clip(f"<p>a{unit * 300}</p>")[0], "html.parser").get_text()
    assert text.endswith("…")
    kept = text.removesuffix("…")[1:]
    assert kept and kept == unit * (len(kept) // len(unit))  # whole emoji, flags, accented letters only


def test_clipping_drops_footnotes():
    html = ('<p>Said.<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup></p>\n'
            '<hr class="footnotes-sep">\n<section class="footnotes"><ol><li id="fn1">Note.</li></ol></section>\n')
    clipped, _ = clip(html)
    assert "fn1" not in clipped and "Note" not in clipped and "Said." in clipped


def test_an_excerpt_never_ends_at_an_abbreviation_or_an_initial():
    lead = "Word " * 40 + "end one."
    clipped, cut = clip(f"<p>{lead} Then I met Mr. Smith and Dr. Jones, e.g. with J. R. R. Tolkien, for hours.</p>")
    assert cut and clipped == f"<p>{lead}</p>"


@pytest.mark.parametrize("text", ["I live on Main St. It is nice.", "It took 30 ms. Then it failed.",
                                  "I ate a fig. It was sweet."])
def test_a_word_that_is_also_an_abbreviation_still_ends_a_sentence(text: str):
    assert clip(f"<p>{text}</p>", 20)[0] == f"<p>{text.split('. ')[0]}.</p>"


def test_an_excerpt_that_leaves_out_footnotes_says_there_is_more():
    html = ('<p>Some words. More words<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>.</p>\n'
            '<hr class="footnotes-sep">\n<section class="footnotes"><ol><li id="fn1">Note.</li></ol></section>\n')
    clipped, cut = clip(html)
    assert cut and "Note" not in clipped


def styled(tmp_path: Path, excerpt: str) -> Renderer:
    config = Config(root=tmp_path, url="https://example.org/notes/", excerpt=excerpt)
    return Renderer(config, [theme_dir() / "templates"])


def test_what_each_excerpt_style_shows(tmp_path: Path):
    post = a_post(QUOTED, link="https://elsewhere.example/a")
    full = styled(tmp_path, "full").shown(post, full=False)
    inner = "<p>One. <em>Two</em>.</p>\n<blockquote>\n<p>Inner.</p>\n</blockquote>"
    assert (full.quote, full.rest, full.more, full.excerpt) == (inner, "<p>Mine.</p>\n", False, False)
    quote = styled(tmp_path, "quote").shown(post, full=False)
    assert quote.quote.startswith("<p>One.") and quote.rest == "" and quote.more and quote.excerpt
    commentary = styled(tmp_path, "commentary").shown(post, full=False)
    assert (commentary.quote, commentary.rest, commentary.more) == (None, "<p>Mine.</p>\n", True)
    assert styled(tmp_path, "quote").shown(post).quote == full.quote  # its own page and feeds: in full


def test_a_summary_overrides_the_excerpt(tmp_path: Path):
    post = replace(a_post(QUOTED, link="https://elsewhere.example/a"), summary="Mine <b>only</b>")
    shown = styled(tmp_path, "commentary").shown(post, full=False)
    assert (shown.quote, shown.rest, shown.more) == (None, "<p>Mine &lt;b&gt;only&lt;/b&gt;</p>", True)


MORE = ('<p>Before, noted.<sup class="footnote-ref"><a href="#fn-p-1" id="fnref-p-1">[1]</a></sup></p>\n'
        '<!--more-->\n<p>After.</p>\n<section class="footnotes"><ol><li id="fn-p-1">Note.</li></ol></section>\n')


@pytest.mark.parametrize("excerpt", ["full", "quote", "commentary"])
def test_a_list_shows_a_post_up_to_its_more_mark_whatever_the_excerpt_style(tmp_path: Path, excerpt: str):
    shown = styled(tmp_path, excerpt).shown(a_post(MORE), full=False)
    assert (shown.quote, shown.more, shown.excerpt) == (None, True, True)
    assert BeautifulSoup(shown.rest, "html.parser").get_text().strip() == "Before, noted."  # no mark of a note
    assert styled(tmp_path, excerpt).shown(a_post(MORE)).rest == MORE  # its own page and feeds: in full


@pytest.mark.parametrize("mark", ["<!-- more -->", "<!--More-->", "<!--more Read the rest-->"])
def test_a_more_mark_is_known_as_wordpress_writes_it(tmp_path: Path, mark: str):
    shown = styled(tmp_path, "full").shown(a_post(f"<p>One <em>two{mark} three</em></p>\n"), full=False)
    assert shown.rest == "<p>One <em>two</em></p>" and shown.more


def test_a_more_mark_in_a_link_post_s_quote_or_after_it(tmp_path: Path):
    after = styled(tmp_path, "full").shown(a_post(QUOTED + "<!--more-->\n<p>Later.</p>\n",
                                                  link="https://elsewhere.example/a"), full=False)
    assert after.quote.startswith("<p>One.") and "Mine." in after.rest and "Later" not in after.rest
    inside = styled(tmp_path, "full").shown(a_post("<blockquote>\n<p>One.</p>\n<!--more-->\n<p>Two.</p>\n"
                                                   "</blockquote>\n<p>Mine.</p>\n", link="https://e.example/a"),
                                            full=False)
    assert inside.quote.strip() == "<p>One.</p>" and inside.rest == "" and inside.more


@pytest.mark.parametrize("html", [
    '<p>One.</p>\n<!-- more examples to add -->\n<p>Two.</p>\n',  # a comment of the writer's own
    '<script>var s = "<!--more-->";</script>\n<p>Two.</p>\n',
    '<p><img alt="<!--more-->" src="/a.png"> Two.</p>\n',
    '<p>One.<sup class="footnote-ref"><a href="#fn-p-1" id="fnref-p-1">[1]</a></sup></p>\n<section class="footnotes">'
    '<ol><li id="fn-p-1">Note. <!--more--> Still the note.</li></ol></section>\n'])
def test_only_a_more_comment_in_the_body_cuts_it(tmp_path: Path, html: str):
    shown = styled(tmp_path, "full").shown(a_post(html), full=False)
    assert shown.rest == html and not shown.more


def test_a_list_s_links_to_a_post_s_headings_lead_where_the_heading_is(tmp_path: Path):
    html = ('<p>Contents: <a href="#setup">Setup</a></p>\n<!--more-->\n<h2 id="setup">Setup</h2>\n<p>Do.</p>\n')
    shown = styled(tmp_path, "full").shown(a_post(html), full=False)
    assert 'href="/notes/2015/06/p/#setup"' in shown.rest  # cut off the list: on the post's page
    quoted = a_post('<blockquote>\n<h2 id="finding">Finding</h2>\n</blockquote>\n<p>See <a href="#finding">it</a>.'
                    '</p>\n', link="https://elsewhere.example/a")
    both = styled(tmp_path, "full").shown(quoted, full=False)
    [heading] = re.findall(r'id="([^"]*)"', both.quote)
    assert heading.endswith("-finding") and f'href="#{heading}"' in both.rest


def test_a_more_mark_with_nothing_after_it_cuts_nothing(tmp_path: Path):
    shown = styled(tmp_path, "full").shown(a_post("<p>All.</p>\n<!--more-->\n"), full=False)
    assert not shown.more and shown.rest == "<p>All.</p>\n<!--more-->\n"


def test_a_summary_beats_a_more_mark_where_lists_show_excerpts(tmp_path: Path):
    post = replace(a_post(MORE), summary="Mine.")
    assert styled(tmp_path, "quote").shown(post, full=False).rest == "<p>Mine.</p>"
    assert "Before" in styled(tmp_path, "full").shown(post, full=False).rest


def test_a_quote_in_a_post_without_a_link_is_no_caption(tmp_path: Path):
    shown = styled(tmp_path, "full").shown(a_post(QUOTED))
    assert shown.quote is None and shown.rest == QUOTED


PAGES = {"page.html", "other.html"}


def unused(tmp_path: Path, site: dict[str, str]) -> list[str]:
    made = renderer(tmp_path, site)
    assert made.template_digests(PAGES)[1] == []
    return made.unused_templates(PAGES, sorted(site))


def test_a_template_no_page_reaches_is_unused_but_what_a_page_pulls_in_is_used(tmp_path: Path):
    site = {"pages.html": '{% extends "base.html" %}\n', "page.html": '{% include "parts/_head.html" %}\n',
            "parts/_head.html": '{% import "_macros.j2" as m %}{% include "_gone.html" ignore missing %}\n',
            "_macros.j2": "{% macro x() %}x{% endmacro %}\n", "_orphan.htm": "left\n", "README.md": "notes\n",
            "notes.txt": "mine\n", "base.html": "own base\n"}
    assert unused(tmp_path, site) == ["_orphan.htm", "pages.html"]


def test_a_template_named_by_a_computed_name_may_be_any_so_none_is_unused(tmp_path: Path):
    site = {"page.html": '{% include page.kind ~ ".html" %}\n', "post.html": "a post\n"}
    assert unused(tmp_path, site) == []


def test_a_template_reached_only_through_the_entry_template_is_used(tmp_path: Path):
    site = {"page.html": "{{ entry }}\n", "_entry.html": '{% include "_card.html" %}\n', "_card.html": "card\n"}
    assert unused(tmp_path, site) == []


def test_a_broken_entry_template_no_page_calls_is_only_unused(tmp_path: Path):
    assert unused(tmp_path, {"_entry.html": '{% include "_gone.html" %}{% bad\n'}) == ["_entry.html"]


def test_a_template_named_as_jinja_reads_a_path_is_used(tmp_path: Path):
    site = {"page.html": '{% include "./_dot.html" %}{% include "/_slash.html" %}{% include "parts//_b.html" %}\n',
            "_dot.html": "", "_slash.html": "", "parts/_b.html": ""}
    assert unused(tmp_path, site) == []


def test_a_theme_name_under_templates_theme_never_renders(tmp_path: Path):
    site = {"page.html": '{% extends "theme/base.html" %}\n', "theme/base.html": "mine\n",
            "theme/_mine.html": "", "other.html": '{% include "theme/_mine.html" %}\n'}
    assert unused(tmp_path, site) == ["theme/base.html"]
    [problem] = renderer(tmp_path, site).unused_warnings(["theme/base.html"])
    assert problem.path == "templates/theme/base.html" and "theme/" in problem.message


def test_the_warning_names_the_file_and_the_theme_template_it_may_be_a_slip_for(tmp_path: Path):
    made = renderer(tmp_path, {"pages.html": "x\n", "_mine.html": "y\n"})
    slip, mine = made.unused_warnings(["pages.html", "_mine.html"])
    assert (slip.path, slip.warning, "page.html" in slip.message) == ("templates/pages.html", True, True)
    assert (mine.path, mine.warning) == ("templates/_mine.html", True)
    assert "page.html" not in mine.message and "other.html" not in mine.message


# Templates through the real CLI: a slip is an error (exit 1, output untouched) or a warning naming the file and line.

def built_site(tmp_path: Path) -> Path:
    site = make_site(tmp_path / "site", {"2015-06-01-a.md": post_text("A", "2015-06-01", tags="[x]")})
    assert run_cli(site, "build").code == 0
    return site


def failed_build(site: Path, templates: dict[str, str | bytes]) -> list[str]:
    """The problem lines of a build failing on these templates; the output it leaves is the last build's."""
    for name, text in templates.items():
        path = site / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    before = tree_bytes(site / "build")
    run = run_cli(site, "build")
    assert run.code == 1 and "Traceback" not in run.err
    assert tree_bytes(site / "build") == before
    return [line for line in run.err.splitlines() if not line.startswith("build failed:")]


def theme_with(name: str, line: str, added: str) -> str:
    """The theme's template `name` with `added` as a line of its own, before its line starting with `line`."""
    text = (theme_dir() / "templates" / name).read_text()
    at = text.index("\n" + line) + 1
    return text[:at] + added + "\n" + text[at:]


def line_of(text: str, found: str) -> int:
    return text[: text.index(found)].count("\n") + 1


def test_a_block_no_template_it_extends_has_is_a_warning_at_its_line_in_every_build(tmp_path: Path):
    site = built_site(tmp_path)
    (site / "templates").mkdir()
    (site / "templates" / "post.html").write_text(
        '{% extends "theme/post.html" %}\n{% block mian %}<p>lost</p>{% endblock %}\n')
    for _ in range(2):  # the second build, in a new process, reads the templates' digests from the cache
        run = run_cli(site, "build")
        assert run.code == 0, run.err
        [warning] = [line for line in run.err.splitlines() if line.startswith("templates/post.html")]
        assert warning.startswith("templates/post.html:2: warning: ") and "'mian'" in warning
        (site / "posts" / "2015-06-01-a.md").write_text(post_text("A", "2015-06-01", "Edited.", tags="[x]"))
    (site / "templates" / "post.html").write_text(
        '{% extends "theme/post.html" %}\n{% block main %}<p>shown</p>{% endblock %}\n')
    assert run_cli(site, "build").err == ""


def test_a_base_without_the_block_the_pages_fill_warns_at_each_pages_block(tmp_path: Path):
    site = built_site(tmp_path)
    base = (theme_dir() / "templates" / "base.html").read_text()
    (site / "templates").mkdir()
    (site / "templates" / "base.html").write_text(base.replace("{% block main %}", "{% block content %}"))
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    post = theme_dir() / "templates" / "post.html"
    at = f"{post}:{line_of(post.read_text(), '{% block main %}')}: warning: "
    assert [line for line in run.err.splitlines() if line.startswith(at) and "'main'" in line]


def test_blocks_shown_inside_another_by_name_or_under_a_computed_parent_are_no_warning(tmp_path: Path):
    site = {"page.html": '{% extends "base.html" %}{% block main %}{% block inner %}in{% endblock %}'
                         '{{ self.extra() }}{% endblock %}{% block extra %}x{% endblock %}\n',
            "other.html": "{% extends page.extra.parent %}{% block anything %}{% endblock %}\n"}
    render = renderer(tmp_path, site)
    assert render.template_digests({"page.html", "other.html"})[1] == []
    assert render.hidden_blocks() == []
    assert render.render_page(spec()) == b"<theme-base>inx|theme footer</theme-base>\n"


def test_a_block_in_a_macro_or_call_is_shown_where_it_is_called_and_no_warning(tmp_path: Path):
    site = {"page.html": '{% extends "base.html" %}{% macro card() %}{% block card %}c{% endblock %}{% endmacro %}'
                         '{% macro box() %}[{{ caller() }}]{% endmacro %}'
                         '{% block main %}{{ card() }}{% call box() %}{% block boxed %}b{% endblock %}{% endcall %}'
                         '{% endblock %}\n'}
    render = renderer(tmp_path, site)
    assert render.template_digests({"page.html"})[1] == []
    assert render.hidden_blocks() == []
    assert render.render_page(spec()) == b"<theme-base>c[b]|theme footer</theme-base>\n"


@pytest.mark.parametrize("expression", ["[site.titel]", "{'a': site.titel}", '[site]|map(attribute="titel")|list',
                                        "site.titel|pprint", "'%r'|format(site.titel)"])
def test_a_missing_variable_inside_a_list_or_mapping_is_an_error_at_its_line(tmp_path: Path, expression: str):
    first = first_error(tmp_path, "<p>\n{{ " + expression + " }}</p>")
    assert first.startswith("templates/404.html:2: template error: ") and "titel" in first


def test_text_no_file_can_hold_is_one_error_at_the_line_that_made_it(tmp_path: Path):
    site = built_site(tmp_path)
    [page] = failed_build(site, {"404.html": 'one\n<p>{{ "a\\udc80" }}</p>\n'})
    assert page.startswith("templates/404.html:2: template error: ") and "feed" not in page  # no feed is told of
    (site / "templates" / "404.html").unlink()
    entry = theme_with("_entry.html", "{% set body", '{{ "\\udc80" }}')
    [problem] = failed_build(site, {"_entry.html": entry})  # one, for all the list and post pages showing it
    assert problem.startswith(f"templates/_entry.html:{line_of(entry, 'udc80')}: template error: ")


def test_text_no_file_can_hold_in_a_feed_entry_is_an_error_not_a_cut_entry(tmp_path: Path):
    site = built_site(tmp_path)
    entry = theme_with("feed_entry.html", "{% include", '<p>before {{ "\\udc80" }} after</p>')
    [problem] = failed_build(site, {"feed_entry.html": entry})
    assert problem.startswith(f"templates/feed_entry.html:{line_of(entry, 'udc80')}: template error: ")


@pytest.mark.parametrize(("text", "line"), [
    (b"one\ntwo\n<p>\x00</p>\n", 3), (b"one\r\ntwo\r\x1b\n", 3), (b"one\rtwo\rthree\r<p>\xe9</p>\r", 4),
    (b"one\r\ntwo\rthree\n\xff\n", 4)])
def test_a_control_character_or_bad_byte_in_a_template_is_an_error_at_its_line_as_jinja_counts(
        tmp_path: Path, text: bytes, line: int):
    site = built_site(tmp_path)
    [problem] = failed_build(site, {"404.html": "{% include '_part.html' %}\n", "_part.html": text})
    assert problem.startswith(f"templates/_part.html:{line}: ")

"""problems.py: a problem as one line naming its file and line; errors apart from warnings; a stable order."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from linkblog.problems import Problem, errors, sorted_problems


@pytest.mark.parametrize(("problem", "line"), [
    (Problem("config.yaml", "title is missing"), "config.yaml: title is missing"),
    (Problem("posts/a.md", "date is not a date", 3), "posts/a.md:3: date is not a date"),
    (Problem("posts/a.md", "tags differ by case", 4, warning=True), "posts/a.md:4: warning: tags differ by case"),
    (Problem("sources.yaml", "unused", warning=True), "sources.yaml: warning: unused"),
    (Problem("posts/café «x».md", "naïve — fine", 12), "posts/café «x».md:12: naïve — fine"),
])
def test_a_problem_is_one_line_naming_where_then_what(problem: Problem, line: str) -> None:
    assert str(problem) == line


@pytest.mark.parametrize(("problem", "line"), [
    (Problem("posts/a\nb.md", "bad", 2), "posts/a\\x0ab.md:2: bad"),
    (Problem("posts/a.md", "first\r\nsecond"), "posts/a.md: first\\x0d\\x0asecond"),
    (Problem("posts/a.md", "a\ttab, a \x00 and a \x7f"), "posts/a.md: a\\x09tab, a \\x00 and a \\x7f"),
    # A terminal escape in a file name must not colour or move anything on the writer's screen.
    (Problem("posts/\x1b[31mred.md", "x", warning=True), "posts/\\x1b[31mred.md: warning: x"),
    # C1 controls (CSI is one) and the characters Unicode counts as line ends.
    (Problem("posts/\x9b31mred.md", "a\x85b"), "posts/\\x9b31mred.md: a\\x85b"),
    (Problem("posts/a\u2028b.md", "c\u2029d"), "posts/a\\u2028b.md: c\\u2029d"),
    # What prints nothing or turns the line around: "Kunden\xadservice" must not read as "Kundenservice".
    (Problem("posts/a.md", "tag 'Kunden\xadservice' is shown as 'Kundenservice'", warning=True),
     "posts/a.md: warning: tag 'Kunden\\xadservice' is shown as 'Kundenservice'"),
    (Problem("posts/\u202egnp.md", "a\u200bb\ufeff"), "posts/\\u202egnp.md: a\\u200bb\\ufeff"),
])
def test_control_characters_are_shown_escaped_so_a_problem_stays_one_line(problem: Problem, line: str) -> None:
    assert str(problem) == line
    assert len(str(problem).splitlines()) == 1


def test_the_fields_are_kept_as_given() -> None:
    problem = Problem("posts/a\nb.md", "bad\tvalue", 2)
    assert (problem.path, problem.message, problem.line, problem.warning) == ("posts/a\nb.md", "bad\tvalue", 2, False)


def test_problems_are_values() -> None:
    first, same = Problem("posts/a.md", "bad", 2), Problem("posts/a.md", "bad", 2)
    assert first == same and hash(first) == hash(same)
    assert first != Problem("posts/a.md", "bad", 3)
    assert first != Problem("posts/a.md", "bad", 2, warning=True)
    assert len({first, same}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.line = 5  # type: ignore[misc]


def test_errors_are_the_problems_that_are_not_warnings_in_their_order() -> None:
    problems = [Problem("posts/b.md", "bad"), Problem("posts/a.md", "odd", warning=True),
                Problem("config.yaml", "worse", 1), Problem("posts/c.md", "odd", 2, warning=True)]
    assert errors(problems) == [Problem("posts/b.md", "bad"), Problem("config.yaml", "worse", 1)]
    assert errors([Problem("posts/a.md", "odd", warning=True)]) == []
    assert errors([]) == []


def test_sorted_problems_go_by_file_then_line_then_message() -> None:
    expected = [
        Problem("config.yaml", "title is missing"),
        Problem("posts/a.md", "no line comes first"),
        Problem("posts/a.md", "b", 2),
        Problem("posts/a.md", "a", 10),  # by number: 10 after 2
        Problem("posts/a.md", "b", 10),
        Problem("posts/a/b.md", "bad"),
        Problem("sources.yaml", "odd", 1, warning=True),
    ]
    assert sorted_problems(list(reversed(expected))) == expected


def test_an_error_comes_before_a_warning_of_the_same_words() -> None:
    warning, error = Problem("posts/a.md", "odd", 2, warning=True), Problem("posts/a.md", "odd", 2)
    assert sorted_problems([warning, error]) == [error, warning]


def test_sorted_problems_drop_repeats() -> None:
    # A problem found by two stages (or two workers) is reported once.
    repeated = [Problem("posts/a.md", "bad", 2), Problem("posts/b.md", "bad"), Problem("posts/a.md", "bad", 2)]
    assert sorted_problems(repeated) == [Problem("posts/a.md", "bad", 2), Problem("posts/b.md", "bad")]


def test_sorted_problems_is_the_same_whatever_order_they_were_found_in() -> None:
    found = [Problem("posts/b.md", "x", 1), Problem("posts/a.md", "y"), Problem("posts/a.md", "x", 3),
             Problem("posts/a.md", "x", 3, warning=True), Problem("config.yaml", "z", 7),
             Problem("posts/c.md", "x", 0), Problem("posts/c.md", "x")]  # line 0 and no line are two places
    orders = {tuple(sorted_problems(list(order))) for order in itertools.permutations(found)}
    assert len(orders) == 1


def test_sorted_problems_leaves_its_argument_as_it_was() -> None:
    found = [Problem("posts/b.md", "x"), Problem("posts/a.md", "x"), Problem("posts/b.md", "x")]
    before = list(found)
    sorted_problems(found)
    assert found == before
    assert sorted_problems([]) == []

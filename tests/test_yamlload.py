"""yamlload: safe, strict YAML with line numbers and one-line errors."""

from __future__ import annotations

import os
from datetime import date, datetime

import pytest
import yaml

from linkblog.yamlload import MAX_DEPTH, WrittenNumber, error_line, error_message, load_mapping, unknown_key


def failure(text: str) -> tuple[int | None, str]:
    """The line and message of the error loading `text` gives."""
    with pytest.raises(yaml.YAMLError) as caught:
        load_mapping(text)
    return error_line(caught.value), error_message(caught.value)


def library_worded(text: str, ends: str = "") -> int | None:
    """The line of an error whose words are PyYAML's own: only the line and one clean line are promised."""
    line, message = failure(text)
    assert message.startswith("invalid YAML: ") and message.endswith(ends), message
    assert "\n" not in message and len(message) > len("invalid YAML: " + ends), message
    return line


def test_data_and_the_line_of_each_top_level_key_and_of_the_keys_of_a_mapping_value() -> None:
    data, lines = load_mapping("\ntitle: T\n\ntags:\n  - a\n  - b\nvia: {name: S}\nfeed:\n  items: 1\n")
    assert data == {"title": "T", "tags": ["a", "b"], "via": {"name": "S"}, "feed": {"items": 1}}
    assert lines == {"title": 2, "tags": 4, "via": 7, "via.name": 7, "feed": 8, "feed.items": 9}


def test_empty_document() -> None:
    assert load_mapping("") == (None, {})
    assert load_mapping("# only a comment\n") == (None, {})


def test_not_a_mapping_has_no_key_lines() -> None:
    assert load_mapping("- a\n- b\n") == (["a", "b"], {})


def test_duplicate_key_names_the_second_line() -> None:
    assert failure("title: A\ndate: 2015-06-01\ntitle: B\n") == (3, "invalid YAML: duplicate key 'title'")


def test_duplicate_key_in_a_nested_mapping() -> None:
    assert failure("via:\n  name: A\n  name: B\n") == (3, "invalid YAML: duplicate key 'name'")


def test_duplicate_number_keys() -> None:
    assert failure("1: a\n1: b\n") == (2, "invalid YAML: duplicate key '1'")


def test_list_as_a_key_is_an_error_not_a_crash() -> None:
    assert failure("? [a, b]\n: c\n") == (1, "invalid YAML: a key must be plain text, not a list or mapping")


def test_impossible_timestamp_stays_text() -> None:
    data, _ = load_mapping("a: 2015-13-45\nb: 2015-02-30\nc: 2015-06-01\nd: 2015-06-01 09:30:00\n")
    assert data == {"a": "2015-13-45", "b": "2015-02-30", "c": date(2015, 6, 1), "d": datetime(2015, 6, 1, 9, 30)}


def test_python_tags_are_refused_and_run_nothing(tmp_path) -> None:
    marker = tmp_path / "PWNED"
    assert library_worded(f'a: 1\nb: !!python/object/apply:os.system ["touch {marker}"]\n') == 2
    assert not marker.exists()
    assert library_worded("a: !!python/name:os.system\n") == 1
    assert not os.path.exists("PWNED")


def test_unclosed_quote_points_at_its_opening_line() -> None:
    assert failure('a: 1\nb: "open\nc: 3\n\n') == (2, "invalid YAML: a quoted value starting on this line is "
                                                    "never closed")


UNCLOSED = "invalid YAML: a '[' opened on this line is never closed"


@pytest.mark.parametrize(("text", "line"), [
    ("title: T\ndate: 2015-06-01\ntags: [a, b\n", 3),  # runs to the end of the front matter
    ("title: T\ntags: [a, b\n\n\n", 2),
    ("title: T\ntags: [a, b\ndate: 2015-06-01\nsource: S\n", 2),  # swallows the keys after it
    ("title: T\ntags: [a,\n  b,\n  c\n", 2),
    ("title: T\ntags: [a, [b, c]\nx: 1\n", 2),
    ("a: [\n", 1),
    ("[a, b\n", 1),
    ("tïtle: ñ\r\ntags: [á, b\r\ndate: 2015\r\n", 2),
], ids=["at-the-end", "blank-lines-after", "keys-after", "multi-line", "inner-one-closed", "empty", "top-level",
        "crlf-and-accents"])
def test_unclosed_bracket_points_at_its_opening_line(text: str, line: int) -> None:
    assert failure(text) == (line, UNCLOSED)


def test_unclosed_brace_points_at_its_opening_line() -> None:
    assert failure("title: T\nvia: {name: S\ndate: 2015-06-01\n") == (
        2, "invalid YAML: a '{' opened on this line is never closed")
    assert failure("a: [x, {y: z]\nb: 1\n") == (1, "invalid YAML: a '{' opened on this line is never closed")
    assert failure("a: [x,\n  {y: z,\nb: 1\n") == (2, "invalid YAML: a '{' opened on this line is never closed")


def test_an_error_inside_a_closed_list_keeps_its_own_line() -> None:
    assert library_worded("tags: [a,\n  b: c: d,\n]\nx: 1\n") == 2


def test_tab_indentation_has_a_plain_message() -> None:
    assert failure("a: 1\nb:\n\t- x\n") == (3, "invalid YAML: a tab character is not allowed for indentation; "
                                              "use spaces")
    assert failure("a: 1\n\tb: 2\n") == (2, "invalid YAML: a tab character is not allowed for indentation; "
                                           "use spaces")


def test_tab_after_a_colon_is_fine() -> None:
    assert load_mapping("a:\tb\n")[0] == {"a": "b"}


def test_colon_in_a_value_suggests_quotes() -> None:
    assert library_worded("title: Work: a reply\n", ends=" (put a value containing ': ' in quotes)") == 1


def test_control_character_is_an_error_with_its_line() -> None:
    line, message = failure("a: 1\nb: é\x07\n")
    assert line == 2
    assert message.startswith("invalid YAML: character U+0007 is not allowed (") and "\n" not in message


def test_messages_are_one_line() -> None:
    for text in ("a: [1, 2\n", "a: {b\n", "- a\nb: c\n", "a: *missing\n", "a: 1\n  b: 2\n"):
        line, message = failure(text)
        assert "\n" not in message and message.startswith("invalid YAML: ")
        assert line is not None


def test_nesting_at_the_limit_loads() -> None:
    lists = MAX_DEPTH - 1  # the document's own mapping is the first level
    data, _ = load_mapping("a: " + "[" * lists + "]" * lists)
    inner = data["a"]
    for _ in range(lists - 1):
        (inner,) = inner
    assert inner == []


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_deep_nesting_is_an_error_not_a_crash(depth: int) -> None:
    assert failure("\nx: 1\na: " + "[" * depth + "]" * depth) == (3, f"invalid YAML: nested more than "
                                                                   f"{MAX_DEPTH} levels deep")


def test_deep_block_nesting_is_an_error_too() -> None:
    assert failure("- " * 20_000 + "x\n") == (1, f"invalid YAML: nested more than {MAX_DEPTH} levels deep")
    mappings = "\n".join(" " * i + f"k{i}:" for i in range(500)) + " x\n"
    assert failure(mappings) == (MAX_DEPTH + 1, f"invalid YAML: nested more than {MAX_DEPTH} levels deep")


def test_alias_expansion_is_shared_not_copied() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 4)]
    data, _ = load_mapping("\n".join(lines) + "\n")
    assert data["a3"][0] is data["a3"][1]


def test_aliases_that_expand_past_the_limit_are_an_error_at_their_line() -> None:
    lines = ["title: T", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    with pytest.raises(yaml.MarkedYAMLError) as raised:
        load_mapping("\n".join(lines) + "\n")
    assert "aliases repeat more than 100,000 values" in raised.value.problem and error_line(raised.value) >= 2


def long_value_repeated(length: int, times: int) -> str:
    """A document whose aliases repeat one value of `length` characters 1,000 x `times` times."""
    lines = ["title: T", "s: &s " + "x" * length]
    lines += [f"{key}: &{key} [{', '.join([f'*{before}'] * 10)}]" for before, key in zip("sab", "abc", strict=True)]
    return "\n".join([*lines, f"all: [{', '.join(['*c'] * times)}]", ""])


def test_aliases_repeating_a_long_value_past_the_limit_are_an_error_at_its_line() -> None:
    """Fewer values than the limit on them, but 50 MB of text to whatever walks the data."""
    with pytest.raises(yaml.MarkedYAMLError) as raised:
        load_mapping(long_value_repeated(1000, 50))
    assert error_line(raised.value) == 2
    assert error_message(raised.value) == "invalid YAML: its aliases repeat more than 10,000,000 characters of text"


def test_text_is_bounded_by_what_aliases_add_not_by_its_own_length() -> None:
    data, _ = load_mapping(long_value_repeated(1000, 8))  # 9 MB with the anchored lists
    assert len(data["all"]) == 8
    long = "*" * 12_000_000  # and a `*` in it: the check walks it all the same
    data, _ = load_mapping(f"title: T\nsummary: '{long}'\nsource: &s Scott\nvia: *s\n")
    assert len(data["summary"]) == len(long)


def test_text_keys_keep_plain_scalars_as_written() -> None:
    text = "title: yes\nsource: 007\nsummary: 3.10\nslug: 2015-06-01\ndraft: yes\nn: 5\n"
    data, _ = load_mapping(text, text_keys=("title", "source", "summary", "slug"))
    assert data == {"title": "yes", "source": "007", "summary": "3.10", "slug": "2015-06-01", "draft": True, "n": 5}


def test_text_keys_reach_into_mappings_but_keep_null_and_quoted() -> None:
    data, _ = load_mapping("via: {name: on, url: ~}\ntitle: '5'\nsource:\n", text_keys=("via", "title", "source"))
    assert data == {"via": {"name": "on", "url": None}, "title": "5", "source": None}


def test_item_keys_keep_list_items_but_not_a_lone_scalar() -> None:
    data, _ = load_mapping("tags: [yes, 007, 1.0]\nother: 5\n", item_keys=("tags", "other"))
    assert data == {"tags": ["yes", "007", "1.0"], "other": 5}


def test_a_value_holding_itself_is_an_error() -> None:
    with pytest.raises(yaml.MarkedYAMLError) as raised:
        load_mapping("date: 2015-01-01\ntitle: &a [yes, *a]\n", text_keys=("title",))
    assert "holds itself" in raised.value.problem and error_line(raised.value) == 2


@pytest.mark.parametrize("text", ["defaults: &d {tags: [a]}\n<<: *d\ntitle: M\n", "title: M\n<<: {tags: [a]}\n",
                                  "feed:\n  <<: {items: 5}\n"])
def test_a_merge_key_is_refused_at_its_line(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as raised:
        load_mapping(text)
    assert error_line(raised.value) == 1 + text.split("\n").index(next(x for x in text.split("\n") if "<<" in x))
    assert "<<" in error_message(raised.value)


def test_text_keys_may_name_a_key_inside_a_mapping() -> None:
    data, _ = load_mapping("feed: {link_posts: no, full_content: no}\n", text_keys=("feed.link_posts",))
    assert data == {"feed": {"link_posts": "no", "full_content": False}}


def test_decimal_keys_keep_numbers_in_another_notation_as_written() -> None:
    text = "a: 030\nb: 030\nc: 1:00\nd: 30\ne: '089'\nfeed: {items: 0x1e, other: 0x1e}\n"
    data, _ = load_mapping(text, decimal_keys=("a", "c", "d", "e", "feed.items"))
    assert data == {"a": "030", "b": 24, "c": "1:00", "d": 30, "e": "089", "feed": {"items": "0x1e", "other": 30}}
    assert [type(data[key]) for key in "acde"] == [WrittenNumber, WrittenNumber, int, WrittenNumber]
    assert (data["a"].meant(), data["c"].meant(), data["e"].meant(), data["feed"]["items"].meant()) == (
        30, None, 89, None)


def test_unknown_key_prefers_a_hint_for_the_key_over_a_close_spelling() -> None:
    hints = {"items": "'feed.items'"}
    assert unknown_key("items", ["title"], "setting", hints) == "unknown setting 'items' (did you mean 'feed.items'?)"
    assert unknown_key("titl", ["title"], "setting", hints) == "unknown setting 'titl' (did you mean 'title'?)"
    assert unknown_key(None, ["title"], "setting", hints) == "unknown setting 'null'"


@pytest.mark.parametrize(("key", "meant"), [("TIMEZONE", "timezone"), ("URL", "url"), ("Items", "items")])
def test_a_key_in_other_capitals_is_told_the_known_one(key: str, meant: str) -> None:
    assert unknown_key(key, ["timezone", "url", "items", "title"]) == f"unknown key '{key}' (did you mean '{meant}'?)"

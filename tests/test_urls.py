from datetime import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import CONFIG, SAMPLE_POSTS, make_site, post_text, run_cli
from hypothesis import given
from hypothesis import strategies as st

from linkblog.urls import (
    Urls,
    as_uri,
    is_safe_slug,
    name_order,
    normalised_link,
    output_file,
    permalink_path,
    slugify,
    srcset_candidates,
    worded_slug,
)


@pytest.mark.parametrize("text, slug", [
    ("Work vs. Progress", "work-vs-progress"),
    ("The Manager's Path", "the-managers-path"),
    ("Customer Success", "customer-success"),
    ("Café au lait", "cafe-au-lait"),
    ("日本語", "日本語"),
    ("ガイド", "ガイド"),  # voiced kana keep their marks: not "カイト" (kite)
    ("ｶﾞｲﾄﾞ", "ガイド"),  # half-width kana as their full-width letters
    ("한국어", "한국어"),  # Hangul syllables stay whole, not split into their jamo
    ("Crème Brûlée", "creme-brulee"),
    ("../../etc", "etc"),
    ("snake_case", "snake-case"),
    # Vowel signs, viramas and tone marks are part of their letters (Hugo keeps them too).
    ("नमस्ते दुनिया", "नमस्ते-दुनिया"),
    ("प्रेमचंद", "प्रेमचंद"),
    ("สวัสดีชาวโลก", "สวัสดีชาวโลก"),
    ("Việt Nam", "viet-nam"),  # but the accents of Latin letters go
    ("\u0301 stray mark", "stray-mark"),
])
def test_slugify(text, slug):
    assert slugify(text) == slug


@pytest.mark.parametrize("mark", ["'", "\u2019", "\u2018", "\u02bc"])  # ' ’ ‘ ʼ
def test_every_mark_typed_as_an_apostrophe_joins_words(mark: str):
    assert slugify(f"Seth{mark}s Blog") == "seths-blog"
    assert slugify(f"{mark}Tis {mark}90s rock{mark}") == "tis-90s-rock"


def test_a_prime_parts_numbers():
    assert slugify("5\u203210\u2033 tall") == "5-10-tall"


def test_words_differing_only_in_a_vowel_sign_are_told_apart():
    assert slugify("दिन") != slugify("दान")  # day, donation


@pytest.mark.parametrize("slug", ["नमस्ते-दुनिया", "สวัสดี"])
def test_a_slug_with_marks_is_safe(slug: str):
    assert is_safe_slug(slug)


@pytest.mark.parametrize("slug", ["cafe\u0301", "a-\u0301", "a.\u20dd"])  # slugify never makes these
def test_a_mark_on_a_latin_letter_or_a_stop_is_not_safe(slug: str):
    assert not is_safe_slug(slug)


def test_symbol_only_names_get_a_stable_safe_slug():
    assert slugify("🎉") == slugify("🎉")
    assert is_safe_slug(slugify("🎉"))


def test_long_names_fit_a_file_name():
    slug = slugify("word " * 200)
    assert len(slug.encode()) <= 100 and is_safe_slug(slug)
    assert slug != slugify("word " * 201)


@pytest.mark.parametrize("slug, safe", [("ok-slug", True), ("v1.2", True), ("..", False), ("a/b", False),
                                        ("../../x", False), (".hidden", False), ("", False)])
def test_is_safe_slug(slug, safe):
    assert is_safe_slug(slug) is safe


def test_paths_and_absolute_urls_under_a_sub_path():
    urls = Urls("https://user.github.io/notes/")
    assert urls.path("/tag/support/") == "/notes/tag/support/"
    assert urls.path("/") == "/notes/"
    assert urls.absolute("/feed.xml") == "https://user.github.io/notes/feed.xml"
    assert urls.path("/tag/a b/") == "/notes/tag/a%20b/"
    assert urls.file_for(urls.path("/tag/a b/")) == "tag/a b/index.html"
    assert urls.file_for(urls.path("/feed.xml")) == "feed.xml"


@pytest.mark.parametrize("url", ["https://example.org/caf%C3%A9/", "https://example.org/café/"])
def test_a_base_path_is_encoded_once_however_the_config_spells_it(url: str) -> None:
    urls = Urls(url)
    assert urls.path("/tag/a/") == "/caf%C3%A9/tag/a/"
    assert urls.file_for(urls.path("/feed.xml")) == "feed.xml"
    assert urls.file_for(urls.path("/2015/06/a-post/")) == "2015/06/a-post/index.html"


def test_a_percent_sign_in_the_base_path_stays_encoded() -> None:
    urls = Urls("https://x.github.io/100%25/")
    assert urls.path("/style.css") == "/100%25/style.css"
    assert urls.file_for(urls.path("/style.css")) == "style.css"


def test_a_static_file_name_with_a_percent_sign_is_linked_encoded() -> None:
    assert Urls("https://example.org/").path("/100%.png") == "/100%25.png"


def test_an_encoded_unreserved_character_in_the_base_path_is_one_path_with_the_plain_one() -> None:
    urls = Urls("https://example.edu/%7Ejane/")
    assert urls.path("/archive/") == "/~jane/archive/"
    assert urls.file_for(urls.path("/archive/")) == "archive/index.html"


def test_paths_at_a_domain_root():
    urls = Urls("https://example.org")
    assert urls.path("/archive/") == "/archive/"
    assert urls.file_for("/") == "index.html"


def test_permalink_and_output_file():
    assert permalink_path("/{year}/{month}/{slug}/", datetime(2015, 6, 1), "x") == "/2015/06/x/"
    assert permalink_path("/{year}/{month}/{day}/{slug}/", datetime(2015, 6, 1), "x") == "/2015/06/01/x/"
    assert output_file("/2015/06/x/") == "2015/06/x/index.html"
    assert output_file("/404.html") == "404.html"


@pytest.mark.parametrize(("a", "b"), [
    ("https://www.example.com/a/", "http://example.com/a"),
    ("https://example.com/a?utm_source=x&utm_medium=y#top", "https://example.com/a"),
    ("https://example.com/a?b=2&fbclid=1&a=1", "https://example.com:443/a/?a=1&b=2"),
    ("https://EXAMPLE.com/%7Ejane/", "https://example.com/~jane"),
])
def test_links_to_one_article_compare_equal(a: str, b: str) -> None:
    assert normalised_link(a) == normalised_link(b)


@pytest.mark.parametrize(("a", "b"), [
    ("https://example.com/a", "https://example.com/b"),
    ("https://example.com/a?page=2", "https://example.com/a"),
    ("https://blog.example.com/a", "https://example.com/a"),
])
def test_links_to_different_articles_differ(a: str, b: str) -> None:
    assert normalised_link(a) != normalised_link(b)


@pytest.mark.parametrize(("iri", "uri"), [
    ("https://de.wikipedia.org/wiki/Straße", "https://de.wikipedia.org/wiki/Stra%C3%9Fe"),
    ("https://bücher.example/a b?x=ä#ö", "https://xn--bcher-kva.example/a%20b?x=%C3%A4#%C3%B6"),
    ("https://example.org/already%20encoded/ü", "https://example.org/already%20encoded/%C3%BC"),
    ("https://example.org/plain?a=1&b=2", "https://example.org/plain?a=1&b=2"),
    ("https://example.org/a b", "https://example.org/a%20b"),
    # Hosts as browsers map them (UTS #46, not the transitional IDNA 2003 that turns ß into ss).
    ("https://faß.de/x", "https://xn--fa-hia.de/x"),
    ("https://ΣΟΦΟΣ.gr/", "https://xn--0xaakcn.gr/"),  # expected values: what Node.js' WHATWG URL gives
    ("https://💩.la/", "https://xn--ls8h.la/"),  # refused by IDNA 2008, opened by browsers all the same
    ("https://faß☃.de/", "https://xn--fa-hia6419a.de/"),
    ("https://ab--faß.de/", "https://xn--ab--fa-gta.de/"),
])
def test_as_uri(iri: str, uri: str) -> None:
    assert as_uri(iri) == uri


def test_absolute_urls_of_a_site_at_a_host_beyond_ascii_spell_it_in_idna() -> None:
    urls = Urls("https://bücher.example:8443/notes/")
    assert urls.absolute("2015/06/x/") == "https://xn--bcher-kva.example:8443/notes/2015/06/x/"
    assert urls.path("2015/06/x/") == "/notes/2015/06/x/"


@pytest.mark.parametrize(("url", "origin"), [
    ("https://USER.GitHub.IO/MyBlog/", "https://user.github.io"),
    ("https://user.github.io:443/x/", "https://user.github.io"),
    ("http://Example.org:80/", "http://example.org"),
    ("http://localhost:443/", "http://localhost:443"),  # another scheme's default is a port of its own
    ("http://[::1]:8080/", "http://[::1]:8080"),
    ("http://[::1]/", "http://[::1]"),
])
def test_the_origin_of_a_site_is_spelled_one_way(url: str, origin: str) -> None:
    assert Urls(url).origin == origin
    assert Urls(url).absolute("/a/") == origin + Urls(url).path("/a/")


def test_pages_link_to_the_site_itself_by_path_so_a_preview_stays_in_the_preview(tmp_path: Path) -> None:
    # `linkblog serve` serves the site built for its url: a link to that address would leave the preview.
    site = make_site(tmp_path / "site", SAMPLE_POSTS, config=CONFIG.replace("https://example.org/",
                                                                             "https://example.org/notes/"))
    assert run_cli(site, "build").code == 0
    for page in ("index.html", "2015/06/work-vs-progress/index.html"):
        html = BeautifulSoup((site / "build" / page).read_text(), "html.parser")
        assert html.select_one(".byline a")["href"] == "/notes/"
        assert not [a["href"] for a in html.find_all("a", href=True) if a["href"].startswith("https://example.org")]


@pytest.mark.parametrize(("srcset", "candidates"), [
    ("a.png 1x, /b.png 2x", [("a.png", "1x"), ("/b.png", "2x")]),
    ("https://cdn.example/w_600,h_400/c.jpg 2x", [("https://cdn.example/w_600,h_400/c.jpg", "2x")]),
    ("data:image/png;base64,AA,BB 1x, c.png 2x", [("data:image/png;base64,AA,BB", "1x"), ("c.png", "2x")]),
    ("a.png, b.png 2x", [("a.png", ""), ("b.png", "2x")]),
    ("  ,a.png  100w  , b.png (x, y) 2x", [("a.png", "100w"), ("b.png", "(x, y) 2x")]),
    ("a.png 1x), b.png 2x", [("a.png", "1x)"), ("b.png", "2x")]),  # a stray ')' opens nothing
    ("", []),
])
def test_a_srcset_splits_as_browsers_split_it(srcset: str, candidates: list[tuple[str, str]]) -> None:
    assert srcset_candidates(srcset) == candidates


def test_names_are_filed_where_their_readers_look_for_them():
    names = ["Zoë", "Łukasz", "Ørsted", "Œuvre", "Æsop", "Đorđe", "Émile", "Able", "Lukas", "Zed"]
    assert sorted(names, key=name_order) == ["Able", "Æsop", "Đorđe", "Émile", "Lukas", "Łukasz", "Œuvre",
                                             "Ørsted", "Zed", "Zoë"]


def test_names_in_every_script_are_filed_with_their_accents_aside():
    assert sorted(["Ήλιος", "Έλληνες", "Αθήνα", "Ζώνη"], key=name_order) == ["Αθήνα", "Έλληνες", "Ζώνη", "Ήλιος"]
    assert sorted(["Яблоко", "Ёж", "Ель", "Жук"], key=name_order) == ["Ёж", "Ель", "Жук", "Яблоко"]
    assert sorted(["zeytin", "ılık", "hava", "ilik"], key=name_order) == ["hava", "ilik", "ılık", "zeytin"]
    assert name_order("Їжак")[0] == name_order("Іжак")[0]  # beside І, which (as Є and Ґ) is after Я by code point
    assert name_order("ガイド")[0] == name_order("カイト")[0]  # Japanese files a voicing mark's letter with its own


def test_marks_that_spell_a_word_or_make_a_letter_of_its_own_keep_their_place():
    assert sorted(["Йогурт", "Кот", "Ия"], key=name_order) == ["Ия", "Йогурт", "Кот"]  # й is a letter after и
    assert sorted(["Йогурт", "Ия", "И\u0306ота"], key=name_order) == ["Ия", "Йогурт", "И\u0306ота"]  # typed apart
    assert sorted(["क्षमा", "कौन", "कमल"], key=name_order) == ["कमल", "कौन", "क्षमा"]  # a virama after the vowel signs


@pytest.mark.parametrize("spellings, slug", [
    (["iPhone\u2122", "iPhone"], "iphone"),  # ™ parts words, as ® does, never spelled "TM"
    (["iPhone\u2122 15 im Test"], "iphone-15-im-test"),
    (["\u2116 5", "5"], "5"),  # №
    (["Kunden\u00adservice", "Kunden\u200bservice", "Kunden\u2060service", "\ufeffKundenservice",
      "Kunden\u200cservice", "Kunden\u200dservice", "\u202bKundenservice\u202c", "Kundenservice"], "kundenservice"),
    (["ΟΔΟΣ.ΑΘΗΝΑ", "οδος.αθηνα", "Οδος Αθηνα"], "οδος-αθηνα"),  # Σ before "." is the final sigma too
    # An accent on ı goes, as one on i does.
    (["Işık", "ışık", "IŞIK", "Isik", "I\u015f\u0131\u0301k", "I\u015f\u00edk"], "isik"),
    (["İstanbul", "istanbul", "ISTANBUL"], "istanbul"),
])
def test_spellings_that_print_or_read_alike_are_one_slug(spellings: list[str], slug: str) -> None:
    assert {slugify(spelling) for spelling in spellings} == {slug}


@pytest.mark.parametrize("name", ["\u2122", "\u2121", "\u2116", "\U0001f468\u200d\U0001f469\u200d\U0001f467"])
def test_a_name_of_symbols_has_no_words(name: str) -> None:
    assert worded_slug(name) == ""
    assert slugify(name).startswith("x") and is_safe_slug(slugify(name))


def test_an_emoji_sequence_keeps_its_slug() -> None:
    assert slugify("\U0001f468\u200d\U0001f469\u200d\U0001f467") == "x328bb7eb"  # as before: its URL stays


@pytest.mark.parametrize("text, slug", [  # slugs of sites already built, which must not move
    ("Café ® Bar", "cafe-bar"),
    ("C++ für Anfänger", "c-fur-anfanger"),
    ("Ørsted & Straße", "ørsted-straße"),
    ("x² + y² = ½", "x2-y2-1-2"),
    ("Ελληνικά νέα", "ελληνικά-νέα"),
    ("Σ", "σ"),
    ("Ἀθῆναι: ΟΔΟΣ", "ἀθῆναι-οδος"),
    ("«Überraschung»", "uberraschung"),
])
def test_slugs_without_the_characters_fixed_stay_as_they_were(text: str, slug: str) -> None:
    assert slugify(text) == slug


WORD = st.text(st.characters(codec="utf-8", categories=["Lu", "Ll", "Nd"]), min_size=1, max_size=8)
INVISIBLE = st.sampled_from(["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u202a"])


@given(WORD, INVISIBLE, WORD)
def test_an_invisible_character_in_a_word_never_changes_its_slug(before: str, invisible: str, after: str) -> None:
    assert slugify(before + invisible + after) == slugify(before + after)


def test_tags_and_sources_that_print_alike_are_one_page_filed_a_to_z(tmp_path: Path) -> None:
    posts = {
        "a.md": post_text("iPhone\u2122 15 im Test", "2015-01-01", tags="[iPhone\u2122, Kundenservice, Işık]",
                          source="Ήλιος", link="https://a.example/"),
        "b.md": post_text("B", "2015-01-02", tags="[iPhone, Kunden\u00adservice, IŞIK, ΟΔΟΣ.ΑΘΗΝΑ]", source="Αθήνα",
                          link="https://b.example/"),
        "c.md": post_text("C", "2015-01-03", tags="[iPhone, Kundenservice, ışık, ΟΔΟΣ.ΑΘΗΝΑ]", source="Έλληνες",
                          link="https://c.example/"),
        "d.md": post_text("D", "2015-01-04", tags="[οδος.αθηνα, Ёж, Яблоко, IŞIK]", source="Ёж", link="https://d.example/"),
    }
    site = make_site(tmp_path / "site", posts)
    run = run_cli(site, "build")
    assert run.code == 0, run.err
    out = site / "build"
    assert (out / "2015/01/iphone-15-im-test/index.html").is_file()
    tags = [(a.get_text(), a.find_next_sibling(class_="count").get_text()) for a in page(out, "tag").select("ul a")]
    assert tags == [("iPhone", "3"), ("IŞIK", "4"), ("Kundenservice", "3"), ("ΟΔΟΣ.ΑΘΗΝΑ", "3"), ("Ёж", "1"),
                    ("Яблоко", "1")]
    assert {p.name for p in (out / "tag").iterdir() if p.is_dir()} == {
        "iphone", "isik", "kundenservice", "οδος-αθηνα", "ёж", "яблоко"}
    assert [a.get_text() for a in page(out, "sources/by-name").select("tbody a")] == ["Αθήνα", "Έλληνες", "Ήλιος", "Ёж"]
    for warned in ("posts/a.md", "posts/b.md", "posts/d.md"):  # the other spellings, each named
        assert warned in run.err


def page(out: Path, folder: str) -> BeautifulSoup:
    return BeautifulSoup((out / folder / "index.html").read_text("utf-8"), "html.parser")

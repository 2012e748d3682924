"""Attribution recovery: a body ending "Title – Author. via X", or one quote and a link, names its article (#16)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from linkblog.importers.attribution import recover
from linkblog.importers.records import ImportedPost
from linkblog.model import Via

URL = "https://scottberkun.com/2015/work-vs-progress/"
QUOTE = "> Busy is not the same as moving forward, and a long quote makes that point well.\n\n"


def post(body: str, **fields) -> ImportedPost:
    return ImportedPost(origin="x", title="Work vs. Progress", date=datetime(2015, 6, 1, tzinfo=UTC), body=body,
                        **fields)


@pytest.mark.parametrize("line, source, via", [
    (f"[Work vs. Progress]({URL}) – Scott Berkun.", "Scott Berkun", None),
    (f"[Work vs. Progress]({URL}) — Scott Berkun", "Scott Berkun", None),
    (f"[Work vs. Progress]({URL}) - Scott Berkun.", "Scott Berkun", None),
    (f"[Work vs. Progress]({URL}) -- Scott Berkun.", "Scott Berkun", None),
    (f"[*Work vs. Progress*]({URL})–Scott Berkun", "Scott Berkun", None),
    (f"[Work vs. Progress]({URL}) – Scott Berkun. via Sheri", "Scott Berkun", Via("Sheri")),
    (f"[Work vs. Progress]({URL}) – Scott Berkun (via Sheri).", "Scott Berkun", Via("Sheri")),
    (f"[Work vs. Progress]({URL}) – Scott Berkun. Via [Sheri](https://sheri.example/).", "Scott Berkun",
     Via("Sheri", "https://sheri.example/")),
])
def test_last_line_attribution(line: str, source: str, via: Via | None) -> None:
    found = recover(post(QUOTE + "My note.\n\n" + line + "\n"), None)
    assert found is not None
    assert (found.link, found.source, found.via) == (URL, source, via)
    assert found.body == QUOTE + "My note.\n"


def test_attribution_as_last_line_of_a_paragraph() -> None:
    found = recover(post(f"My note.\\\n[Work vs. Progress]({URL}) – Scott Berkun.\n"), None)
    assert found is not None and found.body == "My note.\n" and found.source == "Scott Berkun"


@pytest.mark.parametrize("body", [
    f"My note.\n\n[Work vs. Progress]({URL}) – and here is a long sentence about why I liked it so much.\n",
    f"My note.\n\nRead [Work vs. Progress]({URL}) – Scott Berkun.\n",  # the title is not what the line starts with
    "My note.\n\n[Work vs. Progress](/2015/06/earlier/) – Scott Berkun.\n",  # not an outbound link
    f"[Work vs. Progress]({URL}) – Scott Berkun.\n\nMy note comes last.\n",
    "Just words.\n",
])
def test_no_attribution(body: str) -> None:
    assert recover(post(body), None) is None


def test_links_to_the_old_blog_are_not_articles() -> None:
    body = "My note.\n\n[Earlier](https://www.myblog.example/2015/earlier/) – Me.\n"
    assert recover(post(body), "https://myblog.example/") is None
    assert recover(post(body), None) is not None


def test_explicit_link_is_left_alone() -> None:
    body = f"My note.\n\n[Work vs. Progress]({URL}) – Scott Berkun.\n"
    assert recover(post(body, link="https://elsewhere.example/"), None) is None


def test_feed_entry_link_gives_way_to_the_article() -> None:
    old = "https://myblog.example/2015/06/work/"
    found = recover(post(f"Note.\n\n[Work vs. Progress]({URL}) – Scott Berkun.\n", link=old, origin_url=old), None)
    assert found is not None and found.link == URL


def test_lone_quote_and_link_paragraph() -> None:
    found = recover(post(QUOTE + "[scottberkun.com](" + URL + ")\n"), None)
    assert found is not None
    assert (found.link, found.source, found.body) == (URL, "scottberkun.com", QUOTE.rstrip("\n") + "\n")


def test_lone_quote_with_cited_author_keeps_link_in_its_sentence() -> None:
    body = "> Busy is not progress, and a long quote makes that point well.\n>\n> — Scott Berkun\n\n" \
           f"Found in [this essay]({URL}).\n"
    found = recover(post(body), None)
    assert found is not None
    assert (found.link, found.source, found.body) == (URL, "Scott Berkun", body)


def test_more_commentary_than_quote_is_no_link_post() -> None:
    body = f"> Short.\n\n{'My long commentary goes on. ' * 5}\n\n[Source]({URL})\n"
    assert recover(post(body), None) is None


def test_lone_quote_with_a_long_link_counts_only_the_text_a_reader_sees() -> None:
    # The link's URL is longer than the quote, but a reader sees only "The New York Times" beside it.
    url = "https://www.nytimes.com/2023/01/18/technology/microsoft-layoffs-10000-employees-artificial-intelligence.html"
    quote = "> Microsoft said it would cut 10,000 jobs, about 5 percent of its work force, as the economy slows.\n\n"
    found = recover(post(f"{quote}[The New York Times]({url})\n"), None)
    assert found is not None
    assert (found.link, found.source, found.body) == (url, "The New York Times", quote.rstrip("\n") + "\n")

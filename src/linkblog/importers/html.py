"""HTML -> Markdown with markdownify; what Markdown cannot express stays as raw HTML (#16)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping

from bs4 import BeautifulSoup, Comment, MarkupResemblesLocatorWarning, NavigableString, PageElement, Tag
from markdown_it.rules_inline import StateInline
from markdownify import ATX, BACKSLASH, MarkdownConverter, chomp

from linkblog.markdown import parser
from linkblog.problems import Problem

# Elements kept as raw HTML: Markdown has no syntax for them, and dropping them would lose content.
RAW_BLOCKS = {"iframe", "video", "audio", "object", "embed", "svg", "math", "canvas", "picture", "form",
              "details", "script", "noscript", "style", "dl", "map"}
RAW_INLINE = {"sup", "sub", "mark", "ins", "u", "abbr", "small", "kbd"}
# WordPress's wpautop block list: text between these is wrapped in paragraphs, never inside them.
AUTOP_BLOCKS = {"table", "thead", "tfoot", "caption", "col", "colgroup", "tbody", "tr", "td", "th", "div", "dl",
                "dd", "dt", "ul", "ol", "li", "pre", "form", "map", "area", "blockquote", "address", "math", "p",
                "h1", "h2", "h3", "h4", "h5", "h6", "hr", "fieldset", "legend", "section", "article", "aside",
                "hgroup", "header", "footer", "nav", "figure", "figcaption", "details", "menu", "summary",
                "style", "script", "noscript", "iframe", "video", "audio", "object", "embed"}
AUTOP_CONTAINERS = {"blockquote", "div", "section", "article", "aside"}
# Where a newline is not a line break to wpautop: code, and HTML kept as it is.
_UNBROKEN = {"pre", "code", "script", "style", "textarea"} | RAW_BLOCKS
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_BLANK_LINES = re.compile(r"\n[ \t]*(?=\n)")
_ANGLE_LINK = re.compile(r"<(https?://[^\s<>\"']+)>", re.IGNORECASE)
_EMBED_URL = re.compile(r"https?://\S+", re.IGNORECASE)
# A backslash escapes the ASCII punctuation after it and breaks the line it ends: such a one is doubled to show.
_ESCAPING_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~]|[ \t]*$)", re.MULTILINE)
# Brackets make links, images, footnotes and link reference definitions ("[1]: url" vanishes). A WordPress
# shortcode's ([gallery ids="1"], [/quote]) are kept as written where none can: not after '^' (an inline footnote)
# nor before '(', '[' or ':' (a link, a reference, a definition).
_BRACKETS = re.compile(r"(?<!\^)(?P<shortcode>\[/?[A-Za-z][\w-]*(?:[\s=][^\[\]]*)?\])(?![(\[:])|[\[\]]")
_STRIKE = re.compile(r"~{2,}")
# A last character that what follows may join into markup ("Yahoo![home](url)" is an image, "x^[note](url)" a
# footnote, "a~<span>~b~~</span>" struck out), unless a backslash escapes it.
_JOINING_END = re.compile(r"(?<!\\)((?:\\\\)*)([!^~])\Z")
_TAG_OPENING = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# The dash (and white space) before a quote's closing <cite>: —, – or, on its own, - or --.
_CITE_DASH = re.compile(r"\s*(?:[—–]|(?<!\S)--?)?\s*\Z")
# The same dash written inside the <cite>, before the name ("— Name"), which its `— Name` line already has.
_CITE_OWN_DASH = re.compile(r"\A(?:[—–]|--?(?!\S))\s*")
# Links that run code (markdown-it refuses them, and would print the whole [text](link) instead).
_SCRIPT_LINK = re.compile(r"\s*(?:javascript|vbscript|data):", re.IGNORECASE)
# An autolink (<https://x.example/>) needs a scheme; without one (</about/>, <www.x.example>) it shows as text.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,31}:")
# Text that would start a Markdown block if it began a line: headings, quotes, lists, rules, fences, and a table's
# delimiter row ("|-", ":-|-:"), which makes a table of the line before it when that holds a '|'.
_LINE_START = re.compile(r"^( {0,3})(#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|-+\s*$|=+\s*$|```|~~~"
                         r"|\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$)", re.MULTILINE)
_LANGUAGE = re.compile(r"(?:language-|lang-|lang:|brush:\s*)([\w+#-]+)")
# What says a title is HTML (feedparser's test): a closing or self-closed tag, or an entity or character reference.
_LOOKS_LIKE_HTML = re.compile(r"</[A-Za-z][\w:-]*\s*>|<[A-Za-z][\w:-]*(?:\s[^<>]*)?/>"
                              r"|&(?:[A-Za-z]\w*|#\d+|#[xX][\da-fA-F]+);")
_STARTS_LINE = {"p", "li", "blockquote", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "div", "[document]"}
# Real posts nest a dozen elements; HTML pasted from Word (a <font> never closed, over and over) nests hundreds,
# and markdownify recurses once or more per level, past Python's limit near 300.
MAX_DEPTH = 100


class Converter(MarkdownConverter):
    """markdownify with ATX headings, '-' bullets, fenced code with its language, raw HTML kept, and the block
    editor's footnote marks (<sup data-fn="id">) as `[^label]` for the labels given by id."""

    def __init__(self, footnotes: Mapping[str, str]) -> None:
        super().__init__(heading_style=ATX, bullets="-", newline_style=BACKSLASH,
                         code_language_callback=code_language)
        self.footnotes = footnotes

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A fenced block whose fence is longer than any run of backticks in its code, which would end it."""
        block = super().convert_pre(el, text, parent_tags)
        longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
        if not longest:
            return block
        fence = "`" * (longest + 1)
        opened, _, rest = block.partition("```")
        inner, _, closed = rest.rpartition("```")
        return f"{opened}{fence}{inner}{fence}{closed}"

    def escape(self, text: str, parent_tags: set[str]) -> str:
        # Only what would change meaning (a writer edits these files, so no escape is added for show): a backslash
        # that escapes or breaks, "~~", '<' that opens a tag, '&' that spells an entity, code spans; process_text
        # escapes what depends on what is around the text. Backslashes go first, so that none added is doubled.
        text = super().escape(_ESCAPING_BACKSLASH.sub(r"\\\\", text), parent_tags)
        text = _STRIKE.sub(lambda run: "\\~" * len(run.group()), text)
        text = _TAG_OPENING.sub(r"\\<", text)
        text = _ENTITY.sub("&amp;", text)
        return text.replace("`", r"\`")

    def process_text(self, el: NavigableString, parent_tags: set[str] | None = None) -> str:
        text = super().process_text(el, parent_tags=parent_tags)
        if "_noformat" in (parent_tags or set()) or "pre" in (parent_tags or set()):
            return text
        joins = self.may_join_next(el)
        text = escaped_brackets(text, shortcodes_kept="a" not in parent_tags, open_end=joins)
        if joins:
            text = _JOINING_END.sub(r"\1\\\2", text)
        return escape_line_starts(text, self.starts_line(el))

    def starts_line(self, text: NavigableString) -> bool:
        """True when a text starts a line: a block's text, or after a line break (wpautop's <br>, or a newline
        kept); through the tags around it and before it that write no mark of their own (a <span>)."""
        node = self.unmarked_edge(text, after=False)
        before = node.previous_sibling
        while self.marks_nothing(before) and before.contents:
            before = before.contents[-1]
        if before is None:
            return node.parent is not None and node.parent.name in _STARTS_LINE
        if isinstance(before, NavigableString):
            return before.rstrip(" \t").endswith("\n")
        return before.name == "br"

    def may_join_next(self, text: NavigableString) -> bool:
        """True when the Markdown right after a text may join it into markup: a link, a video or a footnote mark
        ('[' after it), or text or a tag with no mark of its own (a <span>), after the text or after its own such
        parents."""
        node = self.unmarked_edge(text, after=True)
        after = node.next_sibling
        if isinstance(after, NavigableString):
            return node is not text
        return self.marks_nothing(after) or (isinstance(after, Tag) and after.name in {"a", "video", "sup"})

    def unmarked_edge(self, node: PageElement, after: bool) -> PageElement:
        """The outermost element that the node ends (after) or starts, through parents that mark nothing."""
        while (node.next_sibling if after else node.previous_sibling) is None and self.marks_nothing(node.parent):
            node = node.parent
        return node

    def marks_nothing(self, node: PageElement | None) -> bool:
        """True for a tag that writes no Markdown mark of its own (a <span>, a <font>): its text runs on."""
        return isinstance(node, Tag) and not self.get_conv_fn_cached(node.name)

    def convert_cite(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if names_quote(el):
            return f"\n\n— {_CITE_OWN_DASH.sub('', text.strip())}\n\n"
        return self.convert_em(el, text, parent_tags)

    def convert_em(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return self.emphasis(el, text, parent_tags, "*")

    def convert_b(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return self.emphasis(el, text, parent_tags, "**")

    convert_i = convert_em
    convert_strong = convert_b

    def emphasis(self, el: Tag, text: str, parent_tags: set[str], mark: str) -> str:
        """Text between marks where they make emphasis; else between the element's own tags, since CommonMark reads
        none from a mark between a letter and punctuation ("b*-x*" shows its stars)."""
        if "_noformat" in parent_tags:
            return text
        prefix, suffix, inner = chomp(text)
        if not inner:
            return ""
        before, after = prefix or self.char_beside(el, after=False), suffix or self.char_beside(el, after=True)
        # Beside the next element's mark, this one's would make one run with it, which marks neither.
        if after != "*" and marks_emphasis(before, mark, inner, after):
            return f"{prefix}{mark}{inner}{mark}{suffix}"
        return f"{prefix}<{el.name}>{inner}</{el.name}>{suffix}"

    def char_beside(self, el: Tag, after: bool) -> str:
        """The character the Markdown will have just before (or after) an element, as far as its HTML tells: a
        neighbouring text's, '' at a line's edge, an emphasis element's '*' after it and '>' before it (of the two,
        the first stays HTML), else a letter (a link's '[' unseen), which lets emphasis open and close the least."""
        node = el
        while (beside := node.next_sibling if after else node.previous_sibling) is None:
            node = node.parent
            if isinstance(node, BeautifulSoup) or node.name in TEXT_BLOCKS:
                return ""
            if not self.marks_nothing(node):
                return "a"
        while self.marks_nothing(beside) and beside.contents:  # into a <span>, to what its Markdown starts with
            beside = beside.contents[0 if after else -1]
        if isinstance(beside, NavigableString) and beside:
            return beside[0] if after else beside[-1]
        if written_with_stars(beside):
            return "*" if after else ">"
        return "" if beside.name in TEXT_BLOCKS else "a"

    def convert_br(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # In code (Pygments with line anchors writes <br> between lines) a line break is just a newline.
        if "pre" in parent_tags:
            return "\n" + text
        # One ending a paragraph's text (wpautop drops one ending the paragraph) breaks nothing, and its '\' would
        # show there: nothing a reader sees follows it, or only a block, which starts a line of its own.
        if ends_within(el, TEXT_BLOCKS, stops=LINE_BLOCKS):
            return text
        return super().convert_br(el, text, parent_tags)

    def convert_a(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # Written here, not by markdownify, which writes a title's backslashes and entities as they are (they would
        # escape its closing quote or show as other characters) and a blank line in it, which ends the paragraph.
        href = el.get("href")
        if "_noformat" in parent_tags or not isinstance(href, str) or _SCRIPT_LINK.match(href):
            return text  # an anchor links nothing, and no page may link a script: Markdown would show it as text
        prefix, suffix, text = chomp(text)
        if not text:
            return ""
        href, title = link_destination(href), str(el.get("title") or "")
        if not title and _SCHEME.match(href) and text.replace(r"\_", "_") == href:
            return f"{prefix}<{href}>{suffix}"
        return f"{prefix}[{text}]({href}{link_title(title)}){suffix}"

    def convert_img(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # Written here, not by markdownify, whose alt goes in as it is: a ']' in it would end it early, a line
        # starting '>' or a blank line would end the paragraph; and which writes only the alt in a heading, where
        # Markdown shows the image too. The element is left as it is, since one in a table kept as HTML is written
        # out after this.
        alt = escaped_brackets(self.escape(" ".join(str(el.get("alt") or "").split()), parent_tags))
        return f"![{alt}]({link_destination(str(el.get('src') or ''))}{link_title(str(el.get('title') or ''))})"

    def convert_figcaption(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return f"\n\n*{text.strip()}*\n\n" if text.strip() else ""

    def convert_table(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if is_plain_table(el):
            return super().convert_table(el, text, parent_tags)
        return raw_block(el)

    def convert_sup(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        label = self.footnotes.get(str(el.get("data-fn")))
        return f"[^{label}]" if label and "_noformat" not in parent_tags else str(el)

    def get_conv_fn(self, tag_name: str) -> Callable[[Tag, str, set[str]], str] | None:
        if tag_name == "sup":
            return self.convert_sup
        if tag_name in RAW_BLOCKS:
            return lambda el, text, parent_tags: raw_block(el, "_inline" in parent_tags)
        if tag_name in RAW_INLINE:
            return lambda el, text, parent_tags: str(el)
        return super().get_conv_fn(tag_name)


# Elements written between '*' marks (or kept as HTML where those would not make emphasis).
EMPHASIS = {"em", "i", "strong", "b", "cite"}
# Elements whose text stands apart from what is around them: words on either side are not one word.
TEXT_BLOCKS = {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
               "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
               "section", "table", "td", "th", "tr", "ul"}
# Elements the Markdown starts on a line of their own.
LINE_BLOCKS = (TEXT_BLOCKS - {"br"}) | RAW_BLOCKS
# Elements a reader sees with no text in them.
SHOWN_WITHOUT_TEXT = RAW_BLOCKS | {"img", "hr", "input", "button", "select", "textarea"}


def body_markdown(html: str, origin: str, line_breaks: bool = False,
                  footnotes: Mapping[str, str] | None = None) -> tuple[str, list[Problem]]:
    """Clean Markdown for a post's HTML; with line_breaks, blank lines part paragraphs (wpautop); footnote marks
    as `[^label]` by the labels given for their ids. HTML nested too deep to convert stays HTML, which Markdown
    passes through, rather than the post being lost: a warning says so."""
    soup = parsed_html(html)
    if nested_deeper(soup, MAX_DEPTH):
        return kept_as_html(soup), [Problem(origin, f"HTML nested more than {MAX_DEPTH} levels deep (pasted from "
                                            "Word?); kept as HTML, not turned into Markdown", warning=True)]
    # Comments (WordPress's <!-- wp:paragraph --> block marks) say nothing a reader sees.
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        comment.extract()
    soup.smooth()  # the text around a removed comment becomes one string again
    link_embeds(soup)
    if line_breaks:
        autop(soup, soup)
    for cite in soup.find_all("cite"):
        if names_quote(cite):
            set_cite_apart(cite)
    return Converter(footnotes or {}).convert_soup(soup).strip() + "\n", []


def link_embeds(soup: BeautifulSoup) -> None:
    """Make each block-editor embed (the URL as the text of its wrapper, which WordPress turns into a player) a
    paragraph holding a link to the URL, as an [embed] shortcode becomes."""
    for wrapper in soup.find_all("div", class_="wp-block-embed__wrapper"):
        url = wrapper.get_text().strip()
        if wrapper.find(True) is None and _EMBED_URL.fullmatch(url):
            paragraph, link = soup.new_tag("p"), soup.new_tag("a", href=url)
            link.string = url
            paragraph.append(link)
            wrapper.clear()
            wrapper.append(paragraph)


def nested_deeper(soup: BeautifulSoup, limit: int) -> bool:
    """True when elements nest more than `limit` deep; counted without recursing, which is what it guards."""
    stack = [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        stack += [(child, depth + 1) for child in node.children if isinstance(child, Tag)]
    return False


def kept_as_html(soup: BeautifulSoup) -> str:
    """The HTML with every tag closed (so none runs on into the page around it), as one Markdown HTML block: in a
    <div>, which starts one, and without blank lines, which would end it."""
    return f"<div>\n{_BLANK_LINES.sub('', str(soup)).strip()}\n</div>\n"


def parsed_html(html: str) -> BeautifulSoup:
    """An HTML fragment parsed; a link post's body that is only a URL is HTML too (no warning that it is not)."""
    # <https://x.example/> as Markdown writes a link, which an HTML parser would take for a tag and drop.
    html = _ANGLE_LINK.sub(lambda m: f'<a href="{m[1]}">{m[1]}</a>', html)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(html, "html.parser")


def plain_text(html: str) -> str:
    """The visible text of an HTML fragment on one line: blocks apart, inline tags joined to what they touch
    ("Old <em>times</em>, new" is "Old times, new")."""
    soup = parsed_html(html)
    for element in soup.find_all(TEXT_BLOCKS):
        element.insert_before(" ")
        element.insert_after(" ")
    return " ".join(soup.get_text("").split())


def title_text(title: str, is_html: bool | None = None) -> str:
    """A title on one line: as HTML it loses its tags, as text it keeps every character ("A <html> tag").
    None: HTML only when it looks like HTML, since exports and feeds rarely say which a title is."""
    if is_html is None:
        is_html = bool(_LOOKS_LIKE_HTML.search(title))
    return plain_text(title) if is_html else " ".join(title.split())


def code_language(el: Tag) -> str:
    """The language a WordPress or highlight.js <pre> names in its class or lang attribute."""
    code = el.find("code")
    for node in (el, code) if isinstance(code, Tag) else (el,):
        if node.get("lang"):
            return str(node["lang"])
        found = _LANGUAGE.search(" ".join(node.get_attribute_list("class")))
        if found:
            return found.group(1)
    return ""


def link_destination(url: str) -> str:
    """A URL as a Markdown link can hold it: white space, angle brackets and (when they do not pair up)
    parentheses percent-encoded, which end `[text](url)` early; Wikipedia's Foo_(bar) stays as it is."""
    url = re.sub(r"[\s<>]", lambda m: f"%{ord(m.group()):02X}", url.strip())
    depth = 0
    for char in url:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    return url if depth == 0 else url.replace("(", "%28").replace(")", "%29")


def is_plain_table(table: Tag) -> bool:
    """A table a pipe table can say: a header row, as many cells in every row (a pipe table drops the ones beyond
    and no colspan can join them), no attributes, no blocks inside cells, no `|` in them."""
    rows = [row.find_all(["td", "th"]) for row in table.find_all("tr")]
    if not rows or any(cell.name != "th" for cell in rows[0]) or any(len(cells) != len(rows[0]) for cells in rows):
        return False
    if "|" in table.get_text():
        return False
    parts = table.find_all(True)
    blocks = {"p", "ul", "ol", "table", "pre", "blockquote", "div", "br", "h1", "h2", "h3", "img"}
    return not table.attrs and all(not tag.attrs and tag.name not in blocks for tag in parts)


def names_quote(cite: Tag) -> bool:
    """True for a <cite> naming a quote's source, as WordPress's quote block writes it: after the quoted text."""
    return bool(cite.get_text().strip()) and cite.find_parent("blockquote") is not None and ends_within(
        cite, {"blockquote"})


def ends_within(el: Tag, blocks: set[str], stops: set[str] | None = None) -> bool:
    """True when nothing a reader sees follows an element up to the end of the nearest of these ancestors, or up
    to one of the `stops` elements."""
    node: Tag | None = el
    while node is not None and (node is el or node.name not in blocks):
        for after in node.next_siblings:
            if isinstance(after, Tag) and after.name in (stops or ()):
                return True
            if not shows_nothing(after):
                return False
        node = node.parent
    return True


def shows_nothing(node: PageElement) -> bool:
    """True for what a reader never sees: white space, a comment, an element with neither text nor an image in it
    (an empty <span>, a <br> ending a paragraph)."""
    if isinstance(node, NavigableString):
        return isinstance(node, Comment) or not node.strip()
    return isinstance(node, Tag) and node.name not in SHOWN_WITHOUT_TEXT and not node.get_text().strip() and (
        node.find(SHOWN_WITHOUT_TEXT) is None)


def written_with_stars(node: PageElement) -> bool:
    """True for an element written between '*' marks where they make emphasis (an <em>, a <strong>)."""
    return isinstance(node, Tag) and node.name in EMPHASIS and not (node.name == "cite" and names_quote(node))


def marks_emphasis(before: str, mark: str, inner: str, after: str) -> bool:
    """True when `mark` around `inner`, between the characters `before` and `after` ('' at a line's edge), opens
    and closes emphasis, as markdown-it scans it."""
    state = StateInline(f"{before}{mark}{inner}{mark}{after}", parser(), {}, [])
    return state.scanDelims(len(before), True).can_open and state.scanDelims(
        len(before) + len(mark) + len(inner), True).can_close


def link_title(title: str) -> str:
    """A link's or image's title as Markdown writes it (' "Title"', '' for none), every character kept: its
    backslashes, quotes and entities escaped, and no blank line, which would end the paragraph."""
    if not title:
        return ""
    title = _ESCAPING_BACKSLASH.sub(r"\\\\", _BLANK_LINES.sub("", title)).replace('"', r'\"')
    return f' "{_ENTITY.sub("&amp;", title)}"'


def set_cite_apart(cite: Tag) -> None:
    """Drop what set a quote's closing <cite> apart in WordPress, since its `— Name` line sets it apart: a line
    break before it (whose `\\` would show before the blank line) and a dash before the name (it would be twice)."""
    node = cite.previous_sibling
    while (isinstance(node, Tag) and node.name == "br") or isinstance(node, NavigableString):
        before = node.previous_sibling
        kept = "" if isinstance(node, Tag) else _CITE_DASH.sub("", str(node))
        if kept:
            node.replace_with(NavigableString(kept))
            return
        node.extract()
        node = before


def raw_block(el: Tag, inline: bool = False) -> str:
    """An element as HTML; a blank line would end a Markdown HTML block, so none is left inside."""
    html = _BLANK_LINES.sub("", str(el))
    return html if inline else f"\n\n{html}\n\n"


def escaped_brackets(text: str, shortcodes_kept: bool = False, open_end: bool = False) -> str:
    """Text with its brackets backslash-escaped; with shortcodes_kept, a shortcode's are kept where no link can
    come of them (at the end, only when nothing may follow that joins it: open_end)."""
    def escaped(found: re.Match) -> str:
        if found["shortcode"] and shortcodes_kept and not (open_end and found.end() == len(text)):
            return found.group()
        return re.sub(r"[\[\]]", r"\\\g<0>", found.group())

    return _BRACKETS.sub(escaped, text)


def escape_line_starts(text: str, starts_line: bool) -> str:
    """Backslash-escape what would begin a list, heading, quote, rule or fence at a line's start."""
    def escaped(match: re.Match) -> str:
        if match.start() == 0 and not starts_line:
            return match.group()
        marker = match.group(2)
        if marker[0].isdigit():
            return match.group(1) + marker + "\\"
        return match.group(1) + "\\" + marker

    return _LINE_START.sub(escaped, text)


def autop(soup: BeautifulSoup, container: Tag) -> None:
    """WordPress's line-break convention: blank lines part paragraphs, single newlines break lines."""
    pending: list = []
    for child in list(container.children):
        if isinstance(child, Tag) and child.name in AUTOP_BLOCKS:
            wrap(soup, pending)
            pending = []
            if child.name in AUTOP_CONTAINERS:
                autop(soup, child)
            elif child.name == "p" and any(_PARAGRAPH_BREAK.search(text) for text in child.find_all(
                    string=True, recursive=False)):
                autop(soup, child)  # a blank line in a <p> written as HTML parts it in two too
                child.unwrap()
            else:  # a <p> or <li> written as HTML breaks its lines too
                break_lines(soup, child)
        elif isinstance(child, NavigableString) and not isinstance(child, Comment) and _PARAGRAPH_BREAK.search(child):
            pieces = [NavigableString(piece) for piece in _PARAGRAPH_BREAK.split(str(child))]
            child.replace_with(*pieces)
            for index, piece in enumerate(pieces):
                if index:
                    wrap(soup, pending)
                    pending = []
                pending.append(piece)
        else:
            pending.append(child)
    wrap(soup, pending)


def wrap(soup: BeautifulSoup, nodes: list) -> None:
    """Put a run of inline nodes in a <p>, turning their newlines into <br>."""
    if not any(isinstance(n, Tag) or (not isinstance(n, Comment) and n.strip()) for n in nodes):
        return
    paragraph = soup.new_tag("p")
    nodes[0].insert_before(paragraph)
    for node in nodes:
        paragraph.append(node.extract())
    break_lines(soup, paragraph)


def break_lines(soup: BeautifulSoup, block: Tag) -> None:
    """Turn the newlines in a block's text into <br>, but in code and in HTML kept as it is (wpautop's rule)."""
    for text in list(block.find_all(string=True)):
        if "\n" in text and not isinstance(text, Comment) and not {p.name for p in text.parents} & _UNBROKEN:
            line_breaks(soup, text)


def line_breaks(soup: BeautifulSoup, text: NavigableString) -> None:
    """Replace a text node's newlines with <br> tags."""
    parts: list = []
    for index, line in enumerate(inner_text(text).split("\n")):
        if index:
            parts.append(soup.new_tag("br"))
        if line:
            parts.append(NavigableString(line))
    if parts:
        text.replace_with(*parts)
    else:
        text.extract()


def inner_text(text: NavigableString) -> str:
    """A text node's text without the white space wpautop never turns into <br>: beside a block's start or end
    tag, and after a <br> (whose own line ends there)."""
    before, after, parent = text.previous_sibling, text.next_sibling, text.parent
    value = str(text)
    if (before is None and parent is not None and parent.name in AUTOP_BLOCKS) or (
            isinstance(before, Tag) and before.name in AUTOP_BLOCKS | {"br"}):
        value = value.lstrip()
    if (after is None and parent is not None and parent.name in AUTOP_BLOCKS) or (
            isinstance(after, Tag) and after.name in AUTOP_BLOCKS):
        value = value.rstrip()
    return value

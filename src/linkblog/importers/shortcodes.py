"""WordPress shortcodes in post HTML: [caption], embeds and code become HTML that converts to
Markdown; the rest stay readable as written and are named so the user can look (#16)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

# WordPress's own grammar (get_shortcode_regex): [name attrs], optionally enclosing text up to [/name].
SHORTCODE = re.compile(r"\[(?P<name>[A-Za-z][\w-]*)(?P<attrs>[\s=][^\]]*)?\](?:(?P<inner>.*?)\[/(?P=name)\])?",
                       re.DOTALL)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))|"([^"]*)"|'([^']*)'|(\S+)""")
# img_caption_shortcode's own split of a caption's content: the (linked) image, then the caption text.
_CAPTION_BODY = re.compile(r"((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)", re.DOTALL | re.IGNORECASE)
EMBEDS = {"embed", "youtube", "vimeo", "tweet", "soundcloud", "dailymotion", "ted", "instagram", "spotify"}
CODE = {"code", "sourcecode", "source"}
# Core and Jetpack shortcodes with no Markdown form: kept as text, and reported.
KNOWN = {"gallery", "audio", "video", "playlist", "contact-form", "archives", "googlemaps", "slideshow"}


def expand(content: str) -> tuple[str, list[str]]:
    """The content with shortcodes turned into HTML, and the names of those kept as they were."""
    kept: list[str] = []

    def replaced(match: re.Match) -> str:
        name = match["name"].lower()
        handler = handler_for(name)
        if handler is not None:
            return handler(attributes(match["attrs"] or ""), match["inner"])
        if name in KNOWN or match["inner"] is not None or "=" in (match["attrs"] or ""):
            kept.append(match["name"])
        return match.group()

    return SHORTCODE.sub(replaced, content), kept


def handler_for(name: str) -> Callable[[dict[str, str], str | None], str] | None:
    if name in ("caption", "wp_caption"):
        return caption
    if name in EMBEDS:
        return embed
    if name in CODE:
        return code
    return None


def attributes(text: str) -> dict[str, str]:
    """Named attributes by name; positional ones under "0", "1"... (WordPress's shortcode_parse_atts)."""
    found: dict[str, str] = {}
    for index, match in enumerate(_ATTRIBUTE.finditer(text.lstrip("="))):
        if match[1]:
            found[match[1].lower()] = next(v for v in match.groups()[1:4] if v is not None)
        else:
            found[str(index)] = next(v for v in match.groups()[4:] if v is not None)
    return found


def caption(attrs: dict[str, str], inner: str | None) -> str:
    """An image and its caption as a <figure>."""
    parts = _CAPTION_BODY.match((inner or "").strip())
    if parts is None:
        return inner or ""
    image, text = parts[1], attrs.get("caption") or parts[2].strip()
    if image[:3].lower() == "<a " and not image.rstrip().lower().endswith("</a>"):
        image += "</a>"  # a link never closed links the image, not the caption and what follows
    return f"<figure>{image}<figcaption>{text}</figcaption></figure>" if text else image


def embed(attrs: dict[str, str], inner: str | None) -> str:
    """An embedded URL as a paragraph holding the link, which Markdown shows as an autolink."""
    url = (inner or attrs.get("url") or attrs.get("0") or "").strip()
    if not url.startswith(("http://", "https://")):
        return inner or ""
    escaped = html.escape(url)
    return f"\n\n<p><a href=\"{escaped}\">{escaped}</a></p>\n\n"


def code(attrs: dict[str, str], inner: str | None) -> str:
    """A code shortcode as <pre><code>, its language kept; its text is shown exactly, never run as HTML."""
    language = attrs.get("language") or attrs.get("lang") or ""
    css = f' class="language-{html.escape(language)}"' if language else ""
    return f"\n\n<pre><code{css}>{html.escape(html.unescape((inner or '').strip(chr(10))))}</code></pre>\n\n"

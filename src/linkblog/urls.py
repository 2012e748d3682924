"""The one place that turns names and site paths into URLs and output files."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import idna

_NON_WORD = re.compile(r"[^\w]+")
# ' and what is typed for it: ’ and ‘ (right and left single quotes), ʼ (modifier letter apostrophe). Not the
# prime: 5′10″ is two numbers.
_APOSTROPHES = re.compile("['\u2019\u2018\u02bc]")
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/._~-]*")  # nothing here needs percent-encoding
# What http.client refuses in a URL, and percent-encoding makes acceptable.
_NOT_IN_URI = re.compile(r"[\x00-\x20\x7f]")
PERMALINK_FIELDS = ("year", "month", "day", "slug")
MAX_SLUG_BYTES = 100
DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that say how a reader arrived, not what they read.
_TRACKING = re.compile(r"utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_[ce]id|igshid|_hs(enc|mi)|mkt_tok|"
                       r"ref|ref_src|ref_url|s_cid|cmpid|spm", re.IGNORECASE)


# Latin letters no accent makes, so that NFKD leaves them whole, filed where their readers look for them.
_FILED_AS = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H",
                           "œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
                           "ı": "i"})
# Turkish dotless ı, in slugs too, as Hugo and Jekyll spell it: "Işık", "ışık" and "IŞIK" are one tag, as
# "İstanbul" (NFKD: I and a dot) and "istanbul" are.
_DOTLESS_I = str.maketrans({"ı": "i"})
# Letters an accent makes that their alphabet files after the letter without it, where their code points put
# them: Russian, Ukrainian and Belarusian й after и.
_OWN_LETTERS = frozenset("йЙ")
# Marks that spell a word rather than accent a letter, by canonical combining class: none (0), a virama (9), and
# the marks of a script's own fixed positions (10 to 199: Thai and Lao vowels and tones, Hebrew and Arabic points).
_SPELLING_CLASSES = frozenset({0, *range(9, 200)})


def name_order(name: str) -> tuple[str, str]:
    """How names are put A to Z: accents aside in every script ("Élan" beside "Elan", "Ήλιος" beside "Ηλιος",
    "Łukasz" beside "Lukasz", not after "Zeldman"), then case."""
    return _unmarked_text(name).translate(_FILED_AS).casefold(), name.casefold()


def _unmarked_text(name: str) -> str:
    """A name without the accents of any script, Hangul's jamo composed back into syllables."""
    # Composed first, so that a й typed as и and a breve is the letter of its own.
    return unicodedata.normalize("NFC", "".join(map(_unmarked, unicodedata.normalize("NFC", name))))


def _unmarked(char: str) -> str:
    """A character without the accents written on it ("Ё" -> "Е", "ガ" -> "カ"), as NFKD spells it."""
    if char in _OWN_LETTERS:
        return char
    return "".join(part for part in unicodedata.normalize("NFKD", char)
                   if unicodedata.combining(part) in _SPELLING_CLASSES)


def _slug_spelling(text: str) -> str:
    """Text as slugs spell its words: Latin letters' accents dropped ("Café" -> "Cafe", "ı" -> "i"), symbols
    parting words, invisible format characters gone, every other letter whole."""
    # In slugs only accents on Latin letters go: a kana's voicing mark or a Hangul syllable's parts make another
    # letter ("ガ" is not "カ"), so they are composed back into the letter they belong to.
    # Only a character beyond ASCII can be a symbol \W misses or a format character: each looked at once. ı is i
    # before accents are dropped, so that an accent on it goes as one on i does ("ı́" is "i", as "í" is).
    written = {ord(char): _as_written(char) for char in set(text) if not char.isascii()} | _DOTLESS_I
    kept, on_latin = [], False
    for char in unicodedata.normalize("NFKD", text.translate(written)):
        if not unicodedata.combining(char):
            on_latin = char.isascii()
        elif on_latin:
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _as_written(char: str) -> str:
    """A character as a slug takes it before NFKD: a symbol as a space, an invisible format character (soft
    hyphen, zero-width joiner, bidi control) as nothing, as it shows."""
    # NFKD would spell ™ "TM", № "No" and ℡ "TEL": a symbol parts words, as in Hugo and Jekyll.
    category = unicodedata.category(char)
    return " " if category[0] == "S" else "" if category == "Cf" else char


@lru_cache(maxsize=65536)  # a site's tags and sources are few, each met on thousands of posts
def slugify(text: str) -> str:
    """A lowercase, hyphenated slug; accents dropped, other scripts kept."""
    # Names made only of symbols or emoji still need a stable, safe slug.
    return worded_slug(text) or ("x" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8] if text else "")


def worded_slug(text: str) -> str:
    """The slug of a text's words, empty when it has none (only symbols or emoji)."""
    # Apostrophes join words: "Manager's" becomes "managers", not "manager-s"; so do the marks typed for one.
    bare = _APOSTROPHES.sub("", text)
    # ASCII holds no accent, no format character and no symbol \W misses: no walk through its characters.
    bare = (bare if bare.isascii() else _slug_spelling(bare)).replace("_", "-")
    # Lowered once parted into words: Σ before "." is no final sigma, so "ΟΔΟΣ.ΑΘΗΝΑ" lowered whole would be
    # "οδοσ-αθηνα", another tag than "οδος.αθηνα".
    slug = _NON_WORD.sub("-" if bare.isascii() else _parted, bare).lower().strip("-")
    if len(slug.encode()) > MAX_SLUG_BYTES:
        # File systems cap a name at 255 bytes; a digest keeps long names apart.
        short = slug.encode()[: MAX_SLUG_BYTES - 9].decode(errors="ignore").rstrip("-")
        return f"{short}-{hashlib.sha1(slug.encode()).hexdigest()[:8]}"
    return slug


def _parted(run: re.Match[str]) -> str:
    """A run of characters that are not word characters as a hyphen, but for the marks it opens with: \\w leaves
    out marks, and Devanagari's vowel signs and viramas, Thai's vowels and tones belong to the letter before them."""
    text, kept = run.group(), 0
    if run.start() > 0:  # a mark the text opens with belongs to no letter
        while kept < len(text) and unicodedata.category(text[kept]).startswith("M"):
            kept += 1
    return text[:kept] + ("-" if kept < len(text) else "")


def is_safe_slug(slug: str) -> bool:
    """True when a slug is one path segment that cannot climb out of its folder."""
    if slug in (".", "..") or re.match(r"\w", slug) is None or not unicodedata.is_normalized("NFC", slug):
        return False
    base = ""
    for char in slug:
        if not unicodedata.category(char).startswith("M"):
            base = char
            if re.fullmatch(r"[\w.\-]", char) is None:
                return False
        elif base.isascii() or not base.isalnum():  # as slugify keeps them: on letters beyond Latin's (_parted)
            return False
    return True


class Urls:
    """Builds site paths under the base URL's path, and absolute URLs for feeds."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        path = parts.path or "/"
        self.base_url = base_url
        self.origin = site_origin(parts)
        # Decoded, as slugs and file names are: `/%7Ejane/` and `/~jane/` are one path, `/café/` is encoded once.
        self.base_path = unquote(path if path.endswith("/") else path + "/")
        self._files: dict[str, str] = {}  # a rebuild asks again for the file of every page of the site

    def path(self, site_path: str) -> str:
        """A root-relative link such as /notes/tag/support/, percent-encoded."""
        joined = self.base_path + site_path.lstrip("/")
        return joined if _PLAIN_PATH.fullmatch(joined) else quote(joined, safe="/")  # every part is decoded

    def link(self, written: str) -> str:
        """path() of a site path a theme writes, its query or fragment kept as written (`/style.css?v=2`)."""
        at = min((found for found in (written.find("?"), written.find("#")) if found >= 0), default=len(written))
        return self.path(written[:at]) + written[at:]

    def absolute(self, site_path: str) -> str:
        """The full URL of a site path, for feeds, sitemaps and canonical links."""
        return self.origin + self.path(site_path)

    def file_for(self, url: str) -> str:
        """The output file, relative to the output dir, that serves a link made by path()."""
        file = self._files.get(url)
        if file is None:
            file = self._files[url] = output_file(unquote(url)[len(self.base_path):])
        return file


def site_origin(parts: SplitResult) -> str:
    """`scheme://host[:port]` as browsers spell a site's address: the host lowercase and in IDNA, no default port."""
    # One spelling for every way of typing the address, so that canonical links, feed ids and the sitemap do not
    # change with USER.GitHub.IO or :443, and builds for the same address are the same output.
    host = ascii_host(parts.hostname or "") or parts.hostname or ""
    try:
        port = parts.port
    except ValueError:  # no number: kept as typed, and refused where the config is read
        port = parts.netloc.rpartition(":")[2]
    host = f"[{host}]" if ":" in host else host  # an IPv6 address
    return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, DEFAULT_PORTS.get(parts.scheme)) else "")


def permalink_path(pattern: str, date: datetime, slug: str) -> str:
    """The site path of a post from the permalink pattern."""
    return pattern.format(
        year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}", slug=slug
    )


def output_file(site_path: str) -> str:
    """The output file, relative to the output dir, that serves a site path."""
    relative = site_path.lstrip("/")
    if not relative or relative.endswith("/"):
        return relative + "index.html"
    return relative


@lru_cache(maxsize=65536)
def normalised_link(url: str) -> str:
    """A link as a reader would compare it: no scheme, www., port 80/443, fragment, trailing slash or tracking."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    try:
        port = f":{parts.port}" if parts.port not in (None, 80, 443) else ""
    except ValueError:  # not a number: leave it out of the comparison
        port = ""
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.fullmatch(k))
    path = unquote(parts.path).rstrip("/")
    return f"{host}{port}{path}" + (f"?{urlencode(query)}" if query else "")


def as_uri(url: str) -> str:
    """A link as HTTP asks for it, when a post's `link:` is written as a browser shows it
    (https://de.wikipedia.org/wiki/Straße): a host in other scripts as `ascii_host` spells it, other
    characters beyond ASCII, spaces and controls percent-encoded as UTF-8."""
    if url.isascii() and not _NOT_IN_URI.search(url):
        return url
    parts = urlsplit(url)
    netloc = ascii_netloc(parts.netloc)
    if netloc is None:  # not a name IDNA can spell: asked as it is, and reported as the failure it is
        return url
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe="%/:@!$&'()*+,;="),
                       quote(parts.query, safe="%/?:@!$&'()*+,;="), quote(parts.fragment, safe="%/?:@!$&'()*+,;=")))


def ascii_netloc(netloc: str) -> str | None:
    """`user@host:port` in ASCII: the host as `ascii_host` spells it, the user percent-encoded; None when the
    host cannot be spelled so."""
    if netloc.isascii():
        return netloc
    userinfo, at, host_port = netloc.rpartition("@")
    host, colon, port = host_port.partition(":")
    spelled = ascii_host(host)
    return quote(userinfo, safe="%:!$&'()*+,;=") + at + spelled + colon + port if spelled else None


def ascii_host(name: str) -> str:
    """A host name as browsers and DNS spell it, lowercase, no final dot; '' when it cannot be spelled so.

    As WHATWG URLs map it: UTS #46 without the transitional mapping of IDNA 2003 (faß.de is xn--fa-hia.de, not
    fass.de), then Punycode, without refusing names IDNA 2008 would (an emoji's domain) where browsers do not."""
    name = name.strip().removesuffix(".")
    if name.isascii():
        return name.lower()
    try:
        mapped = idna.uts46_remap(name, std3_rules=False, transitional=False)
        return ".".join(label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
                        for label in mapped.split("."))
    except UnicodeError:  # idna.InvalidCodepoint included: a character no host name may hold
        return ""


_SRCSET_SPACE = " \t\n\f\r"


def srcset_candidates(value: str) -> list[tuple[str, str]]:
    """Each (URL, descriptors) of a srcset, split as browsers split one: a URL runs to the next space and may
    hold commas (`w_600,h_400/a.jpg 2x`), a comma ends a candidate only after its URL or outside parentheses."""
    candidates, at = [], 0
    while True:
        while at < len(value) and (value[at] in _SRCSET_SPACE or value[at] == ","):
            at += 1
        if at >= len(value):
            return candidates
        start = at
        while at < len(value) and value[at] not in _SRCSET_SPACE:
            at += 1
        url = value[start:at]
        if url.endswith(","):  # a candidate without descriptors
            candidates.append((url.rstrip(","), ""))
            continue
        start, depth = at, 0
        while at < len(value) and (value[at] != "," or depth):
            depth = max(0, depth + {"(": 1, ")": -1}.get(value[at], 0))  # a stray ')' opens nothing
            at += 1
        candidates.append((url, value[start:at].strip()))


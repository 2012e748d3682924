"""A built site as a set of files, and where each link found in it leads (for `linkblog check`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

from linkblog.scan import every_file
from linkblog.urls import Urls, ascii_host


@dataclass
class Output:
    """A built site: the files it holds, its base URL, and the ids of each HTML page once read."""

    root: Path
    base: str
    files: set[str]
    ids: dict[str, set[str]] = field(default_factory=dict)

    def served(self, rel: str) -> str | None:
        """The file GitHub Pages serves for a site path: folder/ -> index.html, /about -> about.html."""
        folder = not rel or rel.endswith("/")
        candidates = [rel + "index.html"] if folder else [rel, rel + "/index.html", rel + ".html"]
        return next((c for c in candidates if c in self.files), None)


@dataclass(frozen=True, slots=True)
class Target:
    """Where a link leads: a site path (internal), a URL elsewhere (external), or out of the base path."""

    kind: str  # "internal", "external", "outside", "malformed" or "other" (mailto:, data:, ... not checked)
    where: str = ""
    fragment: str = ""


def read_output(root: Path, url: str) -> Output:
    """The files of the output folder (names exactly as written, so case matters as on the server), at the base
    URL as the site's links spell it (`/café/` percent-encoded, `/%7Ejane/` as `/~jane/`)."""
    return Output(root, Urls(url).absolute(""), {found.rel for found in every_file(root)})


def url_of(base: str, rel: str) -> str:
    """The absolute URL that serves an output file."""
    if rel == "index.html" or rel.endswith("/index.html"):
        rel = rel[: -len("index.html")]
    return base + rel


def relative(raw: str) -> bool:
    """True for a link whose target depends on the page it is on (not /path, //host or scheme:)."""
    # A scheme ends before any /, ? or #: `#fn:1` (a footnote) and `?a=b:c` stay on their page.
    return not raw.startswith("/") and ":" not in re.split(r"[/?#]", raw, maxsplit=1)[0]


@lru_cache(maxsize=65536)  # the same navigation, tag and feed links appear on every page
def resolve(raw: str, page_url: str, base: str) -> Target:
    """Where `raw`, found on the page at `page_url`, leads."""
    try:
        parts = urlsplit(urljoin(page_url, raw.strip()))
        if parts.scheme not in ("http", "https"):  # ssh://git@host:user/repo is no web address to check
            return Target("other")
        host = host_of(parts)
    except ValueError:  # such as an unclosed [IPv6 literal, or a port that is no number
        return Target("malformed")
    if not parts.hostname or empty_authority(raw.strip()):
        return Target("malformed")
    site = urlsplit(base)
    path = parts.path or "/"  # https://example.org is its home page
    # Compared decoded: /%7Ejane/ and /~jane/, %C3%A9 and %c3%a9 name one place.
    decoded, base_path = unquote(path), unquote(site.path)
    if host != host_of(site):
        return Target("external", urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")))
    if decoded == base_path.rstrip("/"):  # the home page without its slash, which the server redirects to it
        return Target("internal", "", unquote(parts.fragment))
    if not decoded.startswith(base_path):
        # An absolute URL may name a neighbour on the same host (checked as any other); a relative one meant
        # this site.
        if urlsplit(raw.strip()).netloc:
            return Target("external", urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")))
        return Target("outside", path)
    return Target("internal", decoded[len(base_path):], unquote(parts.fragment))


def empty_authority(link: str) -> bool:
    """True for a link that opens a host with `//` and names none (`//`, `//?q`, `//#top`): no browser follows
    it, where urljoin takes it for the page itself."""
    given = urlsplit(link)
    return link.removeprefix(f"{given.scheme}:" if given.scheme else "").startswith("//") and not given.hostname


DEFAULT_PORTS = {"http": 80, "https": 443}


def host_of(parts: SplitResult) -> str:
    """The host and port as browsers compare them: in IDNA, case folded, the scheme's own port left out."""
    port = parts.port
    return f"{ascii_host(parts.hostname or '')}:{'' if port in (None, DEFAULT_PORTS.get(parts.scheme)) else port}"


def link_problem(out: Output, raw: str, tag: str, target: Target) -> str | None:
    """What is wrong with an internal link, or None when its file (and fragment) exist."""
    if target.kind == "outside":
        return f"link {raw} leads out of the site's base path {urlsplit(out.base).path}"
    if target.kind == "malformed":
        return f"malformed link {raw}"
    served = out.served(target.where)
    if served is None:
        return f"missing image {raw}" if tag == "img" else f"broken link {raw}: no such page or file"
    if not target.fragment or target.fragment == "top" or not served.endswith(".html"):
        return None
    if served not in out.ids:
        return None  # a page that could not be parsed is reported by itself
    if target.fragment not in out.ids[served]:
        return f"broken link {raw}: no element with id \"{target.fragment}\""
    return None

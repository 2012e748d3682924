"""Requests to the web: http(s) only, redirects included."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")


class LeavesTheWeb(urllib.error.URLError):
    """A redirect to anything but an http(s) URL."""


class WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) only: urllib would also follow one to ftp, a request linkblog never means
    to make (to a host a page chose)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme.lower() not in WEB_SCHEMES:
            raise LeavesTheWeb(f"redirects to '{newurl}', which is not an http(s) page")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def web_opener() -> urllib.request.OpenerDirector:
    """An opener that follows redirects to http(s) URLs only."""
    return urllib.request.build_opener(WebOnlyRedirects)

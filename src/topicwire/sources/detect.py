"""Say what a fetched document is by sniffing its first bytes (and, as a hint, its type/URL).

The answer is one of ``feed`` (RSS/Atom/RDF), ``jsonfeed``, ``sitemap``, ``sitemapindex``,
``opml``, ``html`` or ``text``. Content sniffing wins over the Content-Type header, which servers
often get wrong (feeds served as ``text/html``, sitemaps as ``application/octet-stream``).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from topicwire.errors import ParseError
from topicwire.limits import json_depth_problem
from topicwire.sources.xmlsafety import gunzip_capped

KINDS = ("feed", "jsonfeed", "sitemap", "sitemapindex", "opml", "html", "text")

_SNIFF_BYTES = 8192
_PROLOG = re.compile(rb"(\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>)*", re.I | re.S)
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_FEED_ROOTS = {b"rss", b"feed", b"rdf", b"channel"}
_HTML_ROOTS = {b"html", b"head", b"body"}


def detect_kind(body: bytes, content_type: str | None, url: str) -> str:
    """Classify ``body`` (gzip accepted); falls back to ``content_type`` and the URL's suffix.

    Raises ``ParseError`` for a JSON body nested too deep to parse (see ``topicwire.limits``).
    """
    try:
        head = gunzip_capped(body[: 1024 * 1024]) if body.startswith(b"\x1f\x8b") else body
    except ParseError:
        head = body
    head = head[:_SNIFF_BYTES].replace(b"\x00", b"")
    head = head.removeprefix(b"\xef\xbb\xbf").removeprefix(b"\xff\xfe").removeprefix(b"\xfe\xff")
    stripped = head.lstrip()
    if stripped.startswith(b"{"):
        return "jsonfeed" if _is_json_feed(body, stripped, url) else "text"
    if stripped.startswith(b"<"):
        root = _root_name(stripped)
        if root in _FEED_ROOTS:
            return "feed"
        if root == b"urlset":
            return "sitemap"
        if root == b"sitemapindex":
            return "sitemapindex"
        if root == b"opml":
            return "opml"
        if root in _HTML_ROOTS or re.match(rb"<!doctype\s+html", stripped, re.I):
            return "html"
    return _from_hints(content_type, url, stripped)


def xml_root_name(body: bytes) -> str | None:
    """The lower-cased local name of the first element of ``body`` (``None`` if not XML)."""
    head = body[:_SNIFF_BYTES].replace(b"\x00", b"").lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
    name = _root_name(head)
    return name.decode("ascii", errors="replace") if name else None


def _root_name(head: bytes) -> bytes | None:
    prolog = _PROLOG.match(head)
    rest = head[prolog.end() if prolog else 0 :]
    if re.match(rb"<!doctype\s+html", rest, re.I):
        return b"html"
    match = _ROOT.match(rest)
    return match.group(2).lower() if match else None


def _is_json_feed(body: bytes, head: bytes, url: str) -> bool:
    too_deep = json_depth_problem(body)
    if too_deep:
        raise ParseError(f"refused: the JSON document is {too_deep}", path=url)
    if b"jsonfeed.org/version" in head:
        return True
    try:
        data = json.loads(body.decode("utf-8-sig", errors="replace"))
    except json.JSONDecodeError:
        return False
    return isinstance(data, dict) and isinstance(data.get("items"), list)


def _from_hints(content_type: str | None, url: str, head: bytes) -> str:
    media = (content_type or "").split(";")[0].strip().lower()
    try:
        path = urlsplit(url).path.lower()
    except ValueError:  # an address that cannot be split ("//[") gives no hint
        path = ""
    if media in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return "feed"
    if media == "application/feed+json" or (path.endswith(".json") and b"items" in head):
        return "jsonfeed"
    if media in ("text/x-opml", "application/x-opml") or path.endswith(".opml"):
        return "opml"
    if media in ("text/html", "application/xhtml+xml") or path.endswith((".html", ".htm")):
        return "html"
    if re.search(rb"<(html|body|p|div)\b", head, re.I):
        return "html"
    return "text"

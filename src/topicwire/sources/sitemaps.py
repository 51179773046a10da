"""XML sitemaps, sitemap indexes and Google News sitemaps, read safely.

Accepts a gzip-compressed body (recognised by its magic bytes, inflated up to a size cap).
Parsing uses defusedxml, so DTDs, entity declarations and external references are refused; a
sitemap that is not well formed is then read with lxml's recovering parser (entities never
resolved, no network), and the problem is recorded in ``Sitemap.warnings``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import ParseError as ElementTreeParseError

import defusedxml.ElementTree as safe_et  # type: ignore[import-untyped, unused-ignore]
from defusedxml import DefusedXmlException  # type: ignore[import-untyped, unused-ignore]
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from topicwire.errors import ParseError
from topicwire.limits import sane_date
from topicwire.model import to_utc
from topicwire.sources.feedtypes import absolute_url
from topicwire.sources.xmlsafety import check_size, gunzip_capped, scan_for_entities

__all__ = ["Sitemap", "SitemapUrl", "parse_sitemap"]

logger = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"


@dataclass(frozen=True, slots=True)
class SitemapUrl:
    """One ``<url>`` of a sitemap, with its Google News and image extensions when present."""

    loc: str
    lastmod: datetime | None = None
    news_title: str | None = None
    news_published_at: datetime | None = None
    news_publication_name: str | None = None
    image_urls: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Sitemap:
    """A parsed sitemap: ``urls`` for a url set, ``sitemaps`` (child locations) for an index."""

    is_index: bool
    urls: list[SitemapUrl] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_sitemap(body: bytes, url: str) -> Sitemap:
    """Parse a sitemap or sitemap index fetched from ``url`` (gzip accepted).

    Locations are resolved against ``url``; non-http(s) locations are skipped with a warning.
    Raises ``ParseError`` for refused documents and for documents that are not sitemaps.
    """
    body = gunzip_capped(body, path=url)
    check_size(body, path=url)
    scan_for_entities(body, path=url, what="sitemap")
    warnings: list[str] = []
    root = _parse_root(body, url, warnings)
    name = _local(root.tag)
    if name not in ("urlset", "sitemapindex"):
        raise ParseError(f"not a sitemap: the root element is <{name}>", path=url)
    if root.tag.startswith("{") and not root.tag.startswith("{" + SITEMAP_NS):
        warnings.append(f"unexpected sitemap namespace in <{root.tag}>")
    if name == "sitemapindex":
        locs = [_text(child, "loc") for child in root if _local(child.tag) == "sitemap"]
        sitemaps = _resolve([loc for loc in locs if loc], url, warnings)
        return Sitemap(is_index=True, sitemaps=sitemaps, warnings=warnings)
    urls: list[SitemapUrl] = []
    seen: set[str] = set()
    for child in root:
        if _local(child.tag) != "url":
            continue
        entry = _url(child, url, warnings)
        if entry is not None and entry.loc not in seen:
            seen.add(entry.loc)
            urls.append(entry)
    return Sitemap(is_index=False, urls=urls, warnings=warnings)


def _parse_root(body: bytes, url: str, warnings: list[str]) -> Any:
    try:
        return safe_et.fromstring(body, forbid_dtd=False)
    except DefusedXmlException as exc:
        raise ParseError(
            f"refused: the sitemap uses forbidden XML features ({exc})", path=url
        ) from exc
    except ElementTreeParseError as exc:
        warnings.append(f"not well formed, parsed tolerantly: {exc}")
    except (LookupError, ValueError) as exc:  # an encoding expat cannot read: "EUC-JP", "x"
        warnings.append(f"the XML parser cannot read the document, parsed tolerantly: {exc}")
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not a sitemap: cannot read the XML ({exc})", path=url) from exc
    if root is None:
        raise ParseError("not a sitemap: no XML element found", path=url)
    return root


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(element: Any, *names: str) -> Any:
    """The first descendant path ``names`` (local names, any namespace)."""
    current = element
    for name in names:
        current = next((c for c in current if _local(c.tag) == name), None)
        if current is None:
            return None
    return current


def _text(element: Any, *names: str) -> str | None:
    found = _find(element, *names)
    if found is None or found.text is None:
        return None
    return str(found.text).strip() or None


def _date(value: str | None) -> datetime | None:
    """W3C datetime (``2024``, ``2024-05``, ``2024-05-01``, full timestamp) in UTC.

    A date outside 1990 .. now + 2 days (``0001-01-01``, a placeholder) is unknown: ``None``.
    """
    if not value:
        return None
    text = value.strip()
    if len(text) in (4, 7):
        text = text + ("-01-01" if len(text) == 4 else "-01")
    try:
        parsed = datetime.fromisoformat(text)
        utc = to_utc(parsed)
    except (ValueError, OverflowError):  # not a date, or moved past year 1 or 9999 by its offset
        return None
    return sane_date(utc)


def _resolve(locs: list[str], base: str, warnings: list[str]) -> list[str]:
    out: list[str] = []
    for loc in locs:
        resolved = absolute_url(loc, base)
        if resolved is None:
            warnings.append(f"skipped non-http(s) location {loc!r}")
        elif resolved not in out:
            out.append(resolved)
    return out


def _url(element: Any, base: str, warnings: list[str]) -> SitemapUrl | None:
    loc = _text(element, "loc")
    if not loc:
        warnings.append("skipped a <url> without <loc>")
        return None
    resolved = _resolve([loc], base, warnings)
    if not resolved:
        return None
    images = [_text(img, "loc") for img in element if _local(img.tag) == "image"]
    return SitemapUrl(
        loc=resolved[0],
        lastmod=_date(_text(element, "lastmod")),
        news_title=_text(element, "news", "title"),
        news_published_at=_date(_text(element, "news", "publication_date")),
        news_publication_name=_text(element, "news", "publication", "name"),
        image_urls=_resolve([i for i in images if i], base, []),
    )

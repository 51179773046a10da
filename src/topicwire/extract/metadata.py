"""Page metadata read from an lxml tree: Open Graph, Twitter cards, JSON-LD, ``<link>`` and
``<meta>`` tags.

Values are kept as found (strings, not yet repaired or parsed); :mod:`dates` parses the dates and
:mod:`html` picks, repairs and combines them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement  # type: ignore[import-untyped]

from topicwire.limits import json_depth_problem

#: JSON-LD types that describe an article
ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "BlogPosting",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "ReviewNewsArticle",
        "BackgroundNewsArticle",
        "TechArticle",
        "ScholarlyArticle",
        "LiveBlogPosting",
        "Report",
    }
)
#: JSON-LD types of a page whose main content is not an article (read when no article node is
#: found, so an article with an embedded video stays an article)
MEDIA_TYPES = frozenset({"VideoObject", "PodcastEpisode", "AudioObject", "HowTo"})


@dataclass
class MetaImage:
    """An image named by the page's metadata, with the size it declares (if any)."""

    url: str
    width: int | None = None
    height: int | None = None


@dataclass
class PageMeta:
    """Everything the page says about itself outside the article text."""

    title: str | None = None
    description: str | None = None
    site_name: str | None = None
    og_type: str | None = None
    og_url: str | None = None
    canonical: str | None = None
    language: str | None = None
    authors: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    images: list[MetaImage] = field(default_factory=list)
    json_ld_type: str | None = None
    publisher: str | None = None
    publisher_logo: str | None = None
    html_title: str | None = None


def _int(value: Any) -> int | None:
    try:
        number = int(float(str(value).strip().removesuffix("px")))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _meta_tags(tree: HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents keyed by lower-cased property / name / itemprop, in page order."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), []).append(content.strip())
    return found


def _ld_nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object in ``data``, flattening lists and ``@graph``."""
    if isinstance(data, list):
        for item in data:
            yield from _ld_nodes(item)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _ld_nodes(graph)


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return [str(k).rsplit("/", 1)[-1] for k in kinds if k]


def _ld_article(tree: HtmlElement) -> dict[str, Any] | None:
    """The page's main JSON-LD node: an article, else a video, podcast or how-to."""
    nodes: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        text = script.text or ""
        if json_depth_problem(text):  # json.loads would recurse past the interpreter's limit
            continue
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            continue
        nodes.extend(_ld_nodes(data))
    for wanted in (ARTICLE_TYPES, MEDIA_TYPES):
        for node in nodes:
            if any(t in wanted for t in _types(node)):
                return node
    return None


def _ld_images(value: Any) -> list[MetaImage]:
    items = value if isinstance(value, list) else [value]
    out: list[MetaImage] = []
    for item in items:
        if isinstance(item, str) and item.strip():
            out.append(MetaImage(item.strip()))
        elif isinstance(item, dict):
            url = item.get("url") or item.get("contentUrl")
            if isinstance(url, str) and url.strip():
                out.append(
                    MetaImage(url.strip(), _int(item.get("width")), _int(item.get("height")))
                )
    return out


def _ld_authors(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = [_text(item) for item in items]
    return [n for n in names if n and not n.startswith("http")]


def _apply_json_ld(meta: PageMeta, node: dict[str, Any]) -> None:
    meta.json_ld_type = next(
        (t for t in _types(node) if t in ARTICLE_TYPES or t in MEDIA_TYPES), None
    )
    meta.title = meta.title or _text(node.get("headline")) or _text(node.get("name"))
    meta.description = meta.description or _text(node.get("description"))
    authors = _ld_authors(node.get("author"))
    if len(authors) > len(meta.authors):  # JSON-LD often lists every author, <meta> only one
        meta.authors = authors
    for key, target in (("datePublished", meta.published), ("dateModified", meta.modified)):
        value = _text(node.get(key))
        if value:
            target.insert(0, value)
    publisher = node.get("publisher")
    if isinstance(publisher, dict):
        meta.publisher = _text(publisher.get("name"))
        logo = publisher.get("logo")
        meta.publisher_logo = logo.get("url") if isinstance(logo, dict) else _text(logo)
    meta.images.extend(_ld_images(node.get("image")))


def _og_images(tags: dict[str, list[str]]) -> list[MetaImage]:
    urls = tags.get("og:image:secure_url") or tags.get("og:image") or tags.get("og:image:url")
    if not urls:
        return []
    widths, heights = tags.get("og:image:width", []), tags.get("og:image:height", [])
    return [
        MetaImage(
            url,
            _int(widths[i]) if i < len(widths) else None,
            _int(heights[i]) if i < len(heights) else None,
        )
        for i, url in enumerate(urls)
    ]


def read_metadata(tree: HtmlElement) -> PageMeta:
    """Read the page's own metadata; JSON-LD fills what Open Graph and ``<meta>`` leave empty."""
    tags = _meta_tags(tree)

    def first(*keys: str) -> str | None:
        for key in keys:
            if tags.get(key):
                return " ".join(tags[key][0].split())
        return None

    meta = PageMeta(
        title=first("og:title", "twitter:title"),
        description=first("og:description", "twitter:description", "description"),
        site_name=first("og:site_name", "application-name"),
        og_type=first("og:type"),
        og_url=first("og:url"),
        images=_og_images(tags),
    )
    author = first("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")
    if author and not author.startswith("http"):
        meta.authors = [author]
    for key in (
        "article:published_time",
        "datepublished",
        "pubdate",
        "publishdate",
        "parsely-pub-date",
        "sailthru.date",
        "dc.date.issued",
        "date",
    ):
        meta.published.extend(tags.get(key, []))
    for key in ("article:modified_time", "og:updated_time", "datemodified", "lastmod"):
        meta.modified.extend(tags.get(key, []))
    node = _ld_article(tree)
    if node is not None:
        _apply_json_ld(meta, node)
    twitter = first("twitter:image", "twitter:image:src")
    if twitter:
        meta.images.append(MetaImage(twitter))
    for link in tree.xpath('//link[@rel="canonical"][@href]'):
        meta.canonical = link.get("href").strip() or None
        break
    root = tree.getroottree().getroot()
    meta.language = (root.get("lang") or root.get("xml:lang") or "").strip() or (
        first("og:locale", "content-language", "language")
    )
    title = tree.find(".//title")
    if title is not None and title.text_content().strip():
        meta.html_title = " ".join(title.text_content().split())
    return meta

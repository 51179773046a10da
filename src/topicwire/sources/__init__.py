"""What to read, parsed safely: feeds, sitemaps, OPML lists, article URLs and local files.

Every reader takes bytes (or a path) and returns plain typed results; problems that were tolerated
are recorded on the result (``warnings`` / ``problems``), and input that cannot be used raises
``topicwire.errors.ParseError`` with the reason. XML is never parsed with entity expansion,
external entities or network access.
"""

from __future__ import annotations

from topicwire.sources.article import article_source
from topicwire.sources.detect import KINDS, detect_kind
from topicwire.sources.feeds import parse_feed
from topicwire.sources.feedtypes import FeedEntry, ParsedFeed
from topicwire.sources.local import LocalDocument, read_local
from topicwire.sources.opml import OpmlResult, read_opml, write_opml
from topicwire.sources.sitemaps import Sitemap, SitemapUrl, parse_sitemap

__all__ = [
    "KINDS",
    "FeedEntry",
    "LocalDocument",
    "OpmlResult",
    "ParsedFeed",
    "Sitemap",
    "SitemapUrl",
    "article_source",
    "detect_kind",
    "parse_feed",
    "parse_sitemap",
    "read_local",
    "read_opml",
    "write_opml",
]

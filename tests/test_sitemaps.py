"""parse_sitemap: url sets, indexes, news and image extensions, gzip, safety."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from topicwire.errors import ParseError
from topicwire.sources import parse_sitemap
from topicwire.sources.xmlsafety import gunzip_capped

BASE = "https://news.example.com/sitemap.xml"

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example.com/sitemap-1.xml.gz</loc><lastmod>2024-05-01</lastmod></sitemap>
  <sitemap><loc>/sitemap-2.xml</loc></sitemap>
  <sitemap><loc>ftp://news.example.com/x.xml</loc></sitemap>
</sitemapindex>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://news.example.com/2024/05/31/launch</loc>
    <lastmod>2024-05-31T09:30:00+02:00</lastmod>
    <news:news>
      <news:publication>
        <news:name>Example News</news:name><news:language>en</news:language>
      </news:publication>
      <news:publication_date>2024-05-31T08:00:00Z</news:publication_date>
      <news:title>Rocket &amp; crew launch</news:title>
    </news:news>
    <image:image><image:loc>https://img.example.com/launch.jpg</image:loc></image:image>
  </url>
  <url><loc>https://news.example.com/about</loc><lastmod>2024</lastmod></url>
  <url><loc>https://news.example.com/about</loc></url>
  <url><lastmod>2024-01-01</lastmod></url>
</urlset>"""


def test_sitemap_index() -> None:
    sitemap = parse_sitemap(INDEX, BASE)
    assert sitemap.is_index
    assert sitemap.sitemaps == [
        "https://news.example.com/sitemap-1.xml.gz",
        "https://news.example.com/sitemap-2.xml",
    ]
    assert any("ftp://" in w for w in sitemap.warnings)


def test_news_sitemap() -> None:
    sitemap = parse_sitemap(NEWS, BASE)
    assert not sitemap.is_index
    first, about = sitemap.urls
    assert first.loc == "https://news.example.com/2024/05/31/launch"
    assert first.lastmod == datetime(2024, 5, 31, 7, 30, tzinfo=UTC)
    assert first.news_title == "Rocket & crew launch"
    assert first.news_published_at == datetime(2024, 5, 31, 8, tzinfo=UTC)
    assert first.news_publication_name == "Example News"
    assert first.image_urls == ["https://img.example.com/launch.jpg"]
    assert about.lastmod == datetime(2024, 1, 1, tzinfo=UTC)
    assert about.news_title is None
    assert any("without <loc>" in w for w in sitemap.warnings)


def test_gzipped_sitemap() -> None:
    sitemap = parse_sitemap(gzip.compress(NEWS), BASE + ".gz")
    assert len(sitemap.urls) == 2


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (2 * 1024 * 1024) + b"</urlset>")
    with pytest.raises(ParseError, match="inflates past"):
        gunzip_capped(bomb, limit=1024 * 1024)
    with pytest.raises(ParseError, match="corrupt gzip"):
        parse_sitemap(b"\x1f\x8b\x08\x00garbage", BASE)


def test_entities_refused_and_not_a_sitemap() -> None:
    xxe = b"""<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset><url><loc>https://e.com/&x;</loc></url></urlset>"""
    with pytest.raises(ParseError, match="refused: the sitemap declares XML entities"):
        parse_sitemap(xxe, BASE)
    with pytest.raises(ParseError, match="not a sitemap"):
        parse_sitemap(b"<rss><channel/></rss>", BASE)
    with pytest.raises(ParseError, match="not a sitemap"):
        parse_sitemap(b"this is plain text", BASE)


def test_broken_sitemap_is_recovered() -> None:
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://e.com/a?x=1&y=2</loc></url><url><loc>https://e.com/b</loc></url>"""
    sitemap = parse_sitemap(body, BASE)
    assert "https://e.com/b" in [u.loc for u in sitemap.urls]
    assert any("not well formed" in w for w in sitemap.warnings)

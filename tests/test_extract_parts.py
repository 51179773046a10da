"""The pieces of extraction: dates, images, webUrl rules, excerpt."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml.html import fromstring

from topicwire.extract.dates import choose_dates, parse_date, url_date
from topicwire.extract.excerpt import ELLIPSIS, make_excerpt
from topicwire.extract.images import best_candidate, collect_images, is_wanted
from topicwire.extract.metadata import MetaImage, read_metadata
from topicwire.extract.webid import registrable_domain, strip_tracking, web_url

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def test_parse_date_forms() -> None:
    assert parse_date("2023-11-20T18:25:00Z") == datetime(2023, 11, 20, 18, 25, tzinfo=UTC)
    assert parse_date("2023-11-20T19:25:00+01:00") == datetime(2023, 11, 20, 18, 25, tzinfo=UTC)
    assert parse_date("Mon, 20 Nov 2023 18:25:00 GMT") == datetime(2023, 11, 20, 18, 25, tzinfo=UTC)
    assert parse_date("2023/11/20 later") == datetime(2023, 11, 20, tzinfo=UTC)
    assert parse_date("yesterday") is None and parse_date("") is None


def test_future_dates_are_rejected_with_some_skew() -> None:
    assert choose_dates(["2024-06-02T00:00:00Z"], [], now=NOW).published is None
    assert choose_dates(["2024-06-01T03:00:00Z"], [], now=NOW).published is not None
    found = choose_dates(["2030-01-01", "2024-05-01"], [], now=NOW)
    assert found.published == datetime(2024, 5, 1, tzinfo=UTC)


def test_day_month_swap_against_the_url() -> None:
    url = "https://x.example.com/2023/11/05/story"
    assert url_date(url) is not None
    found = choose_dates(["2023-05-11T08:00:00Z"], [], url=url, now=NOW)
    assert found.published == datetime(2023, 11, 5, 8, 0, tzinfo=UTC)
    assert found.repairs == {"date-swap": 1}
    same = choose_dates(["2023-11-05T08:00:00Z"], [], url=url, now=NOW)
    assert same.published == datetime(2023, 11, 5, 8, 0, tzinfo=UTC) and not same.repairs
    other = choose_dates(["2023-05-12"], [], url="https://x.example.com/2023-11-05-x", now=NOW)
    assert other.published == datetime(2023, 5, 12, tzinfo=UTC) and not other.repairs


def test_updated_before_published_is_dropped() -> None:
    found = choose_dates(["2024-01-02"], ["2024-01-01"], now=NOW)
    assert found.updated is None


def test_htmldate_fallback() -> None:
    tree = fromstring(
        "<html><body><p>Posted on <time datetime='2022-03-04'>March 4, 2022</time></p>"
        "</body></html>"
    )
    assert choose_dates([], [], tree=tree, now=NOW).published == datetime(2022, 3, 4, tzinfo=UTC)


def test_srcset_candidates() -> None:
    assert best_candidate("a.jpg 400w, b.jpg 1600w, c.jpg 800w", None) == ("b.jpg", 1600)
    assert best_candidate("a.jpg 1x, b.jpg 2x", 500) == ("b.jpg", 1000)
    assert best_candidate("a.jpg 1x, b.jpg 2x", None) == ("b.jpg", None)
    assert best_candidate("https://x/a,b.jpg 300w, https://x/c.jpg 600w", None) == (
        "https://x/c.jpg",
        600,
    )


@pytest.mark.parametrize(
    ("url", "width", "height", "wanted"),
    [
        ("https://x.com/a.jpg", 800, 600, True),
        ("https://x.com/pixel-8-review.jpg", None, None, True),
        ("https://x.com/favicon.ico", None, None, False),
        ("https://x.com/img/logo.png", None, None, False),
        ("https://x.com/sprite.png", None, None, False),
        ("https://x.com/a.gif", 1, 1, False),
        ("https://x.com/a.jpg", 90, 400, False),
        ("data:image/gif;base64,AAA", None, None, False),
        ("https://www.facebook.com/tr?id=1", None, None, False),
        ("https://stats.wp.com/g.gif", None, None, False),
    ],
)
def test_is_wanted(url: str, width: int | None, height: int | None, wanted: bool) -> None:
    assert is_wanted(url, width, height) is wanted


def test_images_dedupe_and_lead_first() -> None:
    tree = fromstring(
        "<html><body><article><p>text</p>"
        "<img src='/a.jpg?w=300' width='300' height='200'>"
        "<img data-src='/b.jpg' width='640' height='480'>"
        "<picture><source srcset='/c-1200.webp 1200w'><img src='/c.jpg' width='600' height='300'>"
        "</picture></article></body></html>"
    )
    images = collect_images(tree, "https://x.com/post", [MetaImage("/a.jpg", 1200, 800)])
    assert [(i.url, i.width, i.height) for i in images] == [
        ("https://x.com/a.jpg", 1200, 800),
        ("https://x.com/b.jpg", 640, 480),
        ("https://x.com/c-1200.webp", 1200, 600),
    ]


def test_metadata_reads_twitter_and_meta_tags() -> None:
    tree = fromstring(
        "<html lang='de-DE'><head><meta name='twitter:title' content='T title'>"
        "<meta name='twitter:image' content='https://x.com/t.jpg'>"
        "<meta name='description' content='Desc'>"
        "<meta property='article:modified_time' content='2024-01-02'></head><body></body></html>"
    )
    meta = read_metadata(tree)
    assert (meta.title, meta.description, meta.language) == ("T title", "Desc", "de-DE")
    assert meta.images[0].url == "https://x.com/t.jpg" and meta.modified == ["2024-01-02"]


@pytest.mark.parametrize(
    ("url", "canonical", "expected"),
    [
        ("https://a.com/n/story-one?utm_source=x", "https://a.com/n/story-one", "https://a.com/n/story-one"),
        ("https://a.com/n/story-one", "https://a.com/", "https://a.com/n/story-one"),
        ("https://a.com/n/story-one", "https://a.com/en/", "https://a.com/n/story-one"),
        ("https://a.com/n/story-one", "https://evil.com/n/story-one", "https://a.com/n/story-one"),
        ("https://a.com/n/big-story-one", "https://a.com/x/other-thing-else", "https://a.com/n/big-story-one"),
        ("https://a.com/n/big-story-one", "https://amp.a.com/n/big-story-one", "https://amp.a.com/n/big-story-one"),
        ("https://a.com/n/1234", "https://a.com/n/big-story-one", "https://a.com/n/big-story-one"),
        ("https://a.com/n/story-one", "/n/Story-One?ref=1&gclid=2#top", "https://a.com/n/Story-One?ref=1"),
        ("https://a.com/N/Case?b=2&a=1", None, "https://a.com/N/Case?b=2&a=1"),
    ],
)  # fmt: skip
def test_web_url_rule(url: str, canonical: str | None, expected: str) -> None:
    assert web_url(url, canonical) == expected


def test_registrable_domain_and_strip_tracking() -> None:
    assert registrable_domain("https://www.bbc.co.uk/news/x") == "bbc.co.uk"
    assert registrable_domain("https://WWW.Example.com/") == "example.com"
    assert strip_tracking("https://a.com/p?utm_medium=x&q=1&mc_cid=2") == "https://a.com/p?q=1"


def test_excerpt_cuts_at_sentence_end_and_skips_headings() -> None:
    text = (
        "Big Heading\n\nBy Jane Doe\n\n"
        + "This is the first sentence of the article, and it runs on for a while. " * 2
        + "A second sentence closes the opening paragraph nicely. "
        + "A third sentence would push the opening over the limit of three hundred characters, "
        + "and then a fourth one goes on and on."
    )
    excerpt = make_excerpt(text)
    assert excerpt.startswith("This is the first sentence")
    assert excerpt.endswith("nicely.")
    assert 150 <= len(excerpt) <= 300


def test_excerpt_short_text_and_fallback() -> None:
    assert make_excerpt("Just one short sentence here.") == "Just one short sentence here."
    assert make_excerpt("", fallback="Amazon\u00e2\u20ac\u2122s cuts") == "Amazon\u2019s cuts"


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(_WORD, st.sampled_from(["", "", "", ",", ".", "!", "?", ";"])),
        min_size=1,
        max_size=120,
    )
)
def test_excerpt_never_ends_mid_word(words: list[tuple[str, str]]) -> None:
    text = " ".join(w + p for w, p in words)
    excerpt = make_excerpt(text)
    assert len(excerpt) <= 300
    if len(text.rstrip(",;: ")) >= 150:
        assert len(excerpt) >= 150
    else:
        assert text.startswith(excerpt) and text[len(excerpt) :].strip(",;: ") == ""
    body = excerpt.removesuffix(ELLIPSIS)
    assert text.startswith(body)
    rest = text[len(body) :]
    assert rest == "" or not (rest[0].isalnum() and body[-1].isalnum())
    assert not re.search(r"[,;:\s]$", body)


def test_json_ld_media_types_reach_the_classifier() -> None:
    """A video page's JSON-LD type is kept (the type stage reads it); an article still wins."""
    from topicwire.enrich.kind import classify
    from topicwire.extract import extract_html

    paragraphs = "".join(
        f"<p>The team explains in the video how the model was trained, step {n}.</p>"
        for n in range(5)
    )

    def page(*nodes: str) -> str:
        scripts = "".join(f'<script type="application/ld+json">{n}</script>' for n in nodes)
        return (
            f"<html><head><title>Training day</title>{scripts}</head><body><article>"
            f"<h1>Training day</h1>{paragraphs}</article></body></html>"
        )

    video = '{"@context": "https://schema.org", "@type": "VideoObject", "name": "Training day"}'
    news = '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Training day"}'
    only_video = extract_html(page(video), "https://news.example.com/watch/training-day")
    assert only_video.json_ld_type == "VideoObject"
    assert classify(only_video.to_article()).type == "video"
    both = extract_html(page(video, news), "https://news.example.com/2026/training-day")
    assert both.json_ld_type == "NewsArticle"
    assert classify(both.to_article()).type == "article"

"""classify: the type and category of an article, from ordered evidence with reasons."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topicwire.enrich.kind import TYPES, KindDecision, classify
from topicwire.model import Article, Provider


def make(
    title: str = "City council approves budget",
    *,
    url: str = "https://news.example.com/2026/11/22/city-budget",
    text: str | None = "The council voted 7-2 on Tuesday to approve the budget.",
    domain: str | None = None,
    **meta: str,
) -> Article:
    extra: dict[str, Any] = {}
    if domain:
        extra["provider"] = Provider(name="Example", domain=domain)
    return Article(title=title, web_url=url, text=text, meta=meta, **extra)


# --- JSON-LD @type ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ld_type", "kind"),
    [
        ("VideoObject", "video"),
        ("PodcastEpisode", "podcast"),
        ("ScholarlyArticle", "paper"),
        ("OpinionNewsArticle", "opinion"),
        ("HowTo", "tutorial"),
        ("TechArticle", "tutorial"),
        ("AnalysisNewsArticle", "article"),
        ("https://schema.org/VideoObject", "video"),
        ("schema:PodcastEpisode", "podcast"),
    ],
)
def test_json_ld_type(ld_type: str, kind: str) -> None:
    decision = classify(make(jsonLdType=ld_type))
    assert decision.type == kind
    assert decision.reasons[0] == f"JSON-LD @type {ld_type.split('/')[-1].split(':')[-1]}"


@pytest.mark.parametrize("ld_type", ["NewsArticle", "Article", "BlogPosting", "WebPage"])
def test_generic_json_ld_type_does_not_decide(ld_type: str) -> None:
    assert classify(make(jsonLdType=ld_type)).type == "article"
    opinion = make(jsonLdType=ld_type, url="https://news.example.com/opinion/why-budgets-matter")
    assert classify(opinion).type == "opinion"


# --- og:type ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("og_type", "kind"),
    [
        ("video.other", "video"),
        ("video.episode", "video"),
        ("music.song", "podcast"),
        ("music.radio_station", "podcast"),
        ("podcast", "podcast"),
    ],
)
def test_og_type(og_type: str, kind: str) -> None:
    decision = classify(make(ogType=og_type))
    assert decision.type == kind
    assert decision.reasons[0] == f"og:type {og_type}"


def test_og_type_article_is_generic() -> None:
    decision = classify(make(ogType="article"))
    assert decision.type == "article"
    assert decision.reasons[0] == "no type evidence; default article"


# --- URL and domain patterns -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind", "reason"),
    [
        ("https://www.youtube.com/watch?v=abc123", "video", "domain youtube.com/watch"),
        ("https://youtu.be/abc123", "video", "domain youtu.be"),
        ("https://vimeo.com/123456", "video", "domain vimeo.com"),
        ("https://news.example.com/video/flood-footage", "video", "URL path /video/"),
        ("https://news.example.com/videos/2026/flood", "video", "URL path /videos/"),
        ("https://podcasts.apple.com/us/podcast/x/id1?i=2", "podcast", "domain podcasts.apple.com"),
        ("https://open.spotify.com/episode/4abc", "podcast", "domain spotify.com/episode"),
        ("https://radio.example.com/podcast/episode-12", "podcast", "URL path /podcast/"),
        ("https://arxiv.org/abs/2401.01234", "paper", "domain arxiv.org/abs"),
        ("https://arxiv.org/pdf/2401.01234v2", "paper", "domain arxiv.org/pdf"),
        ("https://doi.org/10.1000/xyz123", "paper", "domain doi.org/10."),
        ("https://biorxiv.org/content/10.1101/1", "paper", "domain biorxiv.org/content"),
        ("https://lab.example.edu/files/results.pdf", "paper", "URL ends with .pdf"),
        ("https://lab.example.edu/papers/sparse-attention", "paper", "URL path /papers/"),
        ("https://prnewswire.com/news-releases/a", "press-release", "domain prnewswire.com"),
        ("https://businesswire.com/news/home/1/", "press-release", "domain businesswire.com"),
        ("https://globenewswire.com/news-release/1", "press-release", "domain globenewswire.com"),
        ("https://acme.example/press-release/widget", "press-release", "URL path /press-release/"),
        ("https://acme.example.com/pressroom/new-widget", "press-release", "URL path /pressroom/"),
        ("https://acme.example/newsroom/press/widget", "press-release", "URL path /newsroom/press"),
        ("https://news.example.com/opinion/why-budgets-matter", "opinion", "URL path /opinion/"),
        ("https://news.example.com/op-ed/2026/budgets", "opinion", "URL path /op-ed/"),
        ("https://news.example.com/commentary/budgets", "opinion", "URL path /commentary/"),
        ("https://news.example.com/editorial/budgets", "opinion", "URL path /editorial/"),
        ("https://dev.example.com/tutorial/first-steps", "tutorial", "URL path /tutorial/"),
        ("https://dev.example.com/how-to/install-python", "tutorial", "URL path /how-to/"),
        ("https://dev.example.com/guide/deploying", "tutorial", "URL path /guide/"),
    ],
)  # fmt: skip
def test_url_patterns(url: str, kind: str, reason: str) -> None:
    decision = classify(make(url=url))
    assert decision.type == kind
    assert decision.reasons[0] == reason


def test_original_url_and_provider_domain_are_read() -> None:
    article = Article(
        title="Acme ships widget",
        web_url="https://agg.example.com/a/123",
        original_url="https://prnewswire.com/news-releases/a",
    )
    assert classify(article).type == "press-release"
    hosted = make(url="https://agg.example.com/a/9", domain="businesswire.com")
    assert classify(hosted).type == "press-release"


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example.com/opinion",  # a section page's last segment, not a directory
        "https://news.example.com/2026/the-video-game-market",
        "https://news.example.com/guidelines/new-rules",
        "https://www.youtube.com/about",
        "https://notyoutube.com/watch?v=1",
    ],
)
def test_url_near_misses_are_articles(url: str) -> None:
    assert classify(make(url=url)).type == "article"


def test_medium_beats_stance_in_the_path() -> None:
    decision = classify(make(url="https://news.example.com/opinion/video/panel"))
    assert decision.type == "video"
    assert "URL path /opinion/ -> opinion (outranked)" in decision.reasons


# --- text cues -------------------------------------------------------------------------------

PRESS_RELEASE = """\
SAN FRANCISCO, Nov. 20, 2026 /PRNewswire/ -- Acme Corp. today announced the Widget 3000.

"We are thrilled," said the CEO.

About Acme Corp.
Acme makes widgets.
"""

BUSINESS_WIRE = "SEATTLE--(BUSINESS WIRE)--Acme Corp. today announced record quarterly results."

DATELINE_ABOUT = """\
BERLIN, Germany -- Acme GmbH has opened a new plant in Brandenburg.

The plant will employ 300 people.

About Acme GmbH
Acme GmbH builds machines.
Media contact: press@acme.example
"""

PAPER = """\
Abstract
We study sparse attention in small transformers and show it matches dense attention.
arXiv:2401.01234v2 [cs.CL] 3 Jan 2026
"""

PAPER_DOI = "Abstract\nWe measured river levels for ten years.\ndoi:10.1234/hydro.2026.5\n"


@pytest.mark.parametrize(
    ("title", "text", "kind", "reason"),
    [
        ("How to bake sourdough bread", None, "tutorial", 'title starts with "How to"'),
        (
            "A beginner's guide to Rust",
            None,
            "tutorial",
            'title starts with "A beginner\'s guide"',
        ),
        (
            "A beginner\u2019s guide to Rust",
            None,
            "tutorial",
            'title starts with "A beginner\u2019s guide"',
        ),
        ("Opinion: Budgets need a rethink", None, "opinion", 'title starts with "Opinion:"'),
        ("Op-Ed: Fix the trains", None, "opinion", 'title starts with "Op-Ed:"'),
        ("Commentary: The long view", None, "opinion", 'title starts with "Commentary:"'),
        ("Video: Flood hits the valley", None, "video", 'title starts with "Video:"'),
        ("Podcast: The week in tech", None, "podcast", 'title starts with "Podcast:"'),
        ("Acme launches Widget 3000", PRESS_RELEASE, "press-release", 'text has "/PRNewswire/"'),
        ("Acme reports results", BUSINESS_WIRE, "press-release", 'text has "(BUSINESS WIRE)"'),
        (
            "Acme product news",
            "FOR IMMEDIATE RELEASE\nAcme releases a widget.",
            "press-release",
            'text has "FOR IMMEDIATE RELEASE"',
        ),
        (
            "Acme opens plant",
            DATELINE_ABOUT,
            "press-release",
            'dateline "-- " and closing "About Acme GmbH" block',
        ),
        ("Sparse attention in small transformers", PAPER, "paper", 'text has "Abstract" and arXiv'),
        ("River levels over ten years", PAPER_DOI, "paper", 'text has "Abstract" and a DOI'),
    ],
)
def test_text_cues(title: str, text: str | None, kind: str, reason: str) -> None:
    decision = classify(make(title, text=text))
    assert decision.type == kind
    assert decision.reasons[0] == reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Knowing how to vote matters", None),  # "how to" not at the start
        ("Council meets", "LONDON -- The council met on Tuesday to discuss the budget."),
        ("Council meets", "The council met.\n\nAbout the author\nJane writes about cities."),
        ("Abstract art sells well", "Abstract paintings sold for record prices at auction."),
    ],
)
def test_weak_text_cues_alone_are_articles(title: str, text: str | None) -> None:
    assert classify(make(title, text=text)).type == "article"


def test_text_cues_read_the_excerpt_without_text() -> None:
    article = Article(title="Acme results", excerpt=BUSINESS_WIRE)
    assert classify(article).type == "press-release"


def test_paper_titled_how_to_is_a_paper() -> None:
    assert classify(make("How to train small transformers", text=PAPER)).type == "paper"


# --- precedence, default, category -----------------------------------------------------------


def test_json_ld_beats_url_beats_text() -> None:
    everything = make(
        "How to watch the debate",
        url="https://news.example.com/opinion/debate-guide",
        jsonLdType="VideoObject",
    )
    decision = classify(everything)
    assert decision.type == "video"
    assert decision.reasons[:3] == [
        "JSON-LD @type VideoObject",
        "URL path /opinion/ -> opinion (outranked)",
        'title starts with "How to" -> tutorial (outranked)',
    ]
    no_ld = make("How to watch the debate", url="https://news.example.com/opinion/debate-guide")
    assert classify(no_ld).type == "opinion"
    no_url = make("How to watch the debate")
    assert classify(no_url).type == "tutorial"


def test_json_ld_beats_og_type_beats_url() -> None:
    article = make(
        url="https://news.example.com/podcast/ep-1", jsonLdType="OpinionNewsArticle", ogType="video"
    )
    assert classify(article).type == "opinion"
    article = make(url="https://news.example.com/podcast/ep-1", ogType="video.other")
    assert classify(article).type == "video"


def test_agreeing_evidence_is_recorded() -> None:
    article = make(url="https://www.youtube.com/watch?v=abc", jsonLdType="VideoObject")
    decision = classify(article)
    assert decision.reasons[:2] == [
        "JSON-LD @type VideoObject",
        "domain youtube.com/watch -> video (agrees)",
    ]


def test_default_is_article_in_news() -> None:
    decision = classify(make())
    assert decision == KindDecision(
        type="article",
        category="news",
        reasons=["no type evidence; default article", "category news (default)"],
    )


def test_minimal_article() -> None:
    decision = classify(Article(title="x"))
    assert (decision.type, decision.category) == ("article", "news")


@pytest.mark.parametrize("ld_type", ["VideoObject", "ScholarlyArticle", "HowTo"])
def test_category_is_news_for_every_type(ld_type: str) -> None:
    decision = classify(make(jsonLdType=ld_type))
    assert decision.category == "news"
    assert decision.reasons[-1] == "category news (default)"


_urls = st.sampled_from(
    [
        "https://news.example.com/a",
        "https://www.youtube.com/watch?v=1",
        "https://news.example.com/opinion/x",
        "https://arxiv.org/abs/2401.1",
        "not a url",
        "http://[::1",
        "",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(max_size=60),
    text=st.one_of(st.none(), st.text(max_size=300)),
    url=_urls,
    ld=st.sampled_from(["", "VideoObject", "NewsArticle", "HowTo", "Nonsense"]),
    og=st.sampled_from(["", "video.other", "article", "music.song", "???"]),
)
def test_always_a_known_type_with_reasons(
    title: str, text: str | None, url: str, ld: str, og: str
) -> None:
    article = Article(
        title=title, web_url=url or None, text=text, meta={"jsonLdType": ld, "ogType": og}
    )
    decision = classify(article)
    assert decision.type in TYPES
    assert decision.category == "news"
    assert decision.reasons
    assert classify(article) == decision  # deterministic

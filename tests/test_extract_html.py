"""extract_html on small hand-written pages: text, metadata, dates, images, URLs, repair."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from topicwire.extract import Extracted, ExtractError, extract_html
from topicwire.extract.html import space_block_boundaries
from topicwire.model import Provider

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
URL = "https://www.example-news.com/2023/11/05/amazon-cuts-jobs?utm_source=x&id=7&fbclid=abc"

PARAGRAPHS = [
    "Amazon is cutting jobs in its Alexa unit as the company shifts money toward generative AI, "
    "according to an internal memo seen by reporters on Friday morning.",
    "The cuts affect several hundred people across the United States, Canada and India, and "
    'follow two earlier rounds this year. <a href="/tags/ai">Read the memo</a> in full below.',
    "Executives said the reorganisation would let the unit focus on products that customers "
    "use every day, while some older projects will be wound down over the coming months.",
    "Analysts said the move reflects a wider trend across the industry, as companies redirect "
    "budgets from voice assistants to large language models and the chips that run them.",
]

ARTICLE = f"""<!DOCTYPE html>
<html lang="en-US"><head>
<meta charset="utf-8">
<title>Amazon cuts jobs | Example News</title>
<meta property="og:title" content="Amazon\u00e2\u20ac\u2122s Alexa unit cuts jobs">
<meta property="og:description" content="Amazon\u00e2\u20ac\u2122s Alexa division faces cuts.">
<meta property="og:site_name" content="Example News">
<meta property="og:type" content="article">
<meta property="og:image" content="https://cdn.example-news.com/lead.jpg">
<meta property="og:image:width" content="1200">
<meta property="og:image:height" content="630">
<meta property="article:published_time" content="2099-01-01T00:00:00Z">
<meta name="author" content="Jane Doe">
<link rel="canonical" href="https://www.example-news.com/2023/11/05/amazon-cuts-jobs?utm_medium=rss">
<link rel="icon" href="/favicon.ico">
<script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Amazon cuts jobs",
  "datePublished": "2023-05-11T09:30:00Z", "dateModified": "2023-11-06T10:00:00Z",
  "author": [{{"@type": "Person", "name": "Jane Doe"}}, {{"@type": "Person", "name": "Raj Patel"}}],
  "publisher": {{"@type": "Organization", "name": "Example News Group",
                "logo": {{"url": "https://cdn.example-news.com/logo.png"}}}}}}
</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/tech">Tech</a>
<img src="/logo.png" alt="logo"></nav></header>
<article>
<h1>Amazon\u00e2\u20ac\u2122s Alexa unit cuts jobs</h1>
<p>{PARAGRAPHS[0]}</p>
<figure><img src="/img/office-800.jpg" srcset="/img/office-400.jpg 400w, /img/office-1600.jpg 1600w"
 width="800" height="450" alt="Amazon office"><figcaption>Photo: Jane Doe</figcaption></figure>
<p>{PARAGRAPHS[1]}</p>
<img src="https://pixel.tracker.example/p.gif" width="1" height="1" alt="">
<img src="/img/chart.png" srcset="/img/chart@2x.png 2x" width="600" height="400" alt="chart">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">
<img src="/img/tiny.png" width="40" height="40" alt="icon">
<p>{PARAGRAPHS[2]}</p>
<ul><li><div>first point</div><div>second point</div></li></ul>
<p>{PARAGRAPHS[3]}</p>
<div class="sharedaddy"><h3>Share this:</h3>
<ul><li><a href="#">Share on Facebook</a></li></ul></div>
</article>
<div id="comments"><h3>Leave a Reply</h3>
<form><p>Your email address will not be published. Required fields are marked *</p>
<textarea></textarea><p>Save my name, email, and website in this browser.</p></form></div>
<footer><p>Copyright Example News</p></footer>
</body></html>"""


@pytest.fixture(scope="module")
def page() -> Extracted:
    return extract_html(ARTICLE, URL, now=NOW)


def test_text_is_the_article(page: Extracted) -> None:
    text = page.text
    for paragraph in (PARAGRAPHS[0], PARAGRAPHS[2], PARAGRAPHS[3]):
        assert paragraph in text
    assert "Read the memo in full below." in text
    for junk in ("Leave a Reply", "Required fields", "Share on Facebook", "Copyright", "Home"):
        assert junk not in text
    assert "first pointsecond point" not in text
    assert "first point" in text and "second point" in text


def test_title_excerpt_and_mojibake(page: Extracted) -> None:
    assert page.title == "Amazon\u2019s Alexa unit cuts jobs"
    excerpt = page.excerpt
    assert excerpt.startswith("Amazon is cutting jobs") and 150 <= len(excerpt) <= 300
    assert page.repairs["mojibake"] >= 1


def test_dates_future_rejected_and_swap_fixed(page: Extracted) -> None:
    # the meta date is in 2099 (rejected); JSON-LD says 2023-05-11, the URL 2023/11/05
    assert page.published_at == datetime(2023, 11, 5, 9, 30, tzinfo=UTC)
    assert page.updated_at == datetime(2023, 11, 6, 10, 0, tzinfo=UTC)
    assert page.repairs["date-swap"] == 1


def test_urls_and_provider(page: Extracted) -> None:
    assert page.original_url == URL
    assert page.canonical_url == "https://www.example-news.com/2023/11/05/amazon-cuts-jobs"
    assert page.provider_name == "Example News"
    assert page.provider_domain == "example-news.com"
    assert page.site_name == "Example News"
    assert page.og_type == "article" and page.json_ld_type == "NewsArticle"
    assert page.author == "Jane Doe, Raj Patel"
    assert page.language == "en"


def test_images(page: Extracted) -> None:
    images = page.images
    urls = [i.url for i in images]
    assert urls == [
        "https://cdn.example-news.com/lead.jpg",
        "https://www.example-news.com/img/office-1600.jpg",
        "https://www.example-news.com/img/chart@2x.png",
    ]
    lead, office, chart = images
    assert (lead.width, lead.height) == (1200, 630)
    assert (office.width, office.height) == (1600, 900)
    assert office.title == "Photo: Jane Doe"
    assert (chart.width, chart.height) == (1200, 800)
    assert all(i.is_cached is False for i in images)


def test_to_article(page: Extracted) -> None:
    article = page.to_article()
    assert article.category == "news" and article.type == "article"
    assert article.title == "Amazon\u2019s Alexa unit cuts jobs"
    assert article.web_url == "https://www.example-news.com/2023/11/05/amazon-cuts-jobs"
    assert article.original_url == URL
    assert article.provider is not None and article.provider.domain == "example-news.com"
    assert article.body.startswith("Amazon is cutting jobs")
    assert article.images[0].url == "https://cdn.example-news.com/lead.jpg"


GRAPH = (
    """<html><head><title>Graph page - Site</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "WebSite", "name": "Graph Site"},
 {"@type": ["BlogPosting"], "headline": "A headline from the graph",
  "datePublished": "2024-01-15", "author": {"@type": "Person", "name": "Ann Lee"},
  "image": {"@type": "ImageObject", "url": "/hero.jpg", "width": 1000, "height": 500},
  "publisher": {"@type": "Organization", "name": "Graph Publisher"}}]}</script>
</head><body><main><p>"""
    + " ".join(PARAGRAPHS[:2])
    + """</p><p>"""
    + PARAGRAPHS[2]
    + """</p>
</main></body></html>"""
)


def test_json_ld_graph_page() -> None:
    page = extract_html(GRAPH, "https://blog.graph.co.uk/posts/a-headline", now=NOW)
    assert page.title == "A headline from the graph"
    assert page.json_ld_type == "BlogPosting"
    assert page.published_at == datetime(2024, 1, 15, tzinfo=UTC)
    assert page.author == "Ann Lee"
    assert page.provider_name == "Graph Publisher"
    assert page.provider_domain == "graph.co.uk"
    assert page.images[0].url == "https://blog.graph.co.uk/hero.jpg"
    assert (page.images[0].width, page.images[0].height) == (1000, 500)


def test_provider_from_registry_then_domain() -> None:
    html = "<html><body><article><p>" + PARAGRAPHS[0] + "</p></article></body></html>"
    registry = {"reg.example.org": Provider(name="Registry Name", domain="reg.example.org")}
    page = extract_html(html, "https://www.reg.example.org/news/one", providers=registry)
    assert page.provider_name == "Registry Name"
    assert extract_html(html, "https://other.example.net/x/y").provider_name == "example.net"


def test_canonical_to_home_page_is_distrusted() -> None:
    html = (
        '<html><head><link rel="canonical" href="https://site.example.com/"></head><body>'
        "<article><p>" + PARAGRAPHS[0] + "</p></article></body></html>"
    )
    page = extract_html(html, "https://site.example.com/news/story-one?gclid=1")
    assert page.canonical_url == "https://site.example.com/news/story-one"


def test_inline_boundaries_are_left_alone() -> None:
    from lxml.html import fromstring

    tree = fromstring("<div><p>this<a href='#'>isn't</a> one, <b>bold</b>text</p></div>")
    space_block_boundaries(tree)
    assert " ".join(tree.text_content().split()) == "thisisn't one, boldtext"


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<ul><li><div>x one</div><div>x two</div></li></ul>", "x one x two"),
        ("<ul><li>lead<div>x two</div></li></ul>", "lead x two"),
        ("<ul><li><div>x one</div>tail</li></ul>", "x one tail"),
        ("<ol><li><div><div>deep a</div><div>deep b</div></div></li></ol>", "deep a deep b"),
        ("<div>lead<div>nested block</div>tail text</div>", "lead nested block tail text"),
        ("<p><span><div>inner one</div><div>inner two</div></span></p>", "inner one inner two"),
        ("<dl><dd><div>d one</div><div>d two</div></dd></dl>", "d one d two"),
        ("<blockquote><div>b one</div><div>b two</div></blockquote>", "b one b two"),
        ("<p>line one<br>line two</p>", "line one\n\nline two"),
        ("<p>Alpha <span>word</span>\n<span>next</span> omega.</p>", "word next"),
    ],
)  # fmt: skip
def test_block_boundaries_do_not_glue_words(fragment: str, expected: str) -> None:
    """Each case glued words together in trafilatura 2.3.1's output before the fix."""
    html = f"<html><body><article><p>{PARAGRAPHS[0]}</p>{fragment}<p>{PARAGRAPHS[2]}</p>"
    html += "</article></body></html>"
    assert expected in extract_html(html, "https://example.com/a/b", repair=False).text


def test_unparseable_input_raises() -> None:
    with pytest.raises(ExtractError):
        extract_html("", "https://example.com/x")

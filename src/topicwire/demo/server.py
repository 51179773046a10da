"""A local web server for the demo corpus: every invented host, told apart by the Host header.

Pages are rendered the way real sites send them, mess included: WordPress-style comment forms,
share bars and related-post blocks, figures with captions, inline links without spaces, tracking
parameters on feed links, a 1x1 tracking pixel, a syndicated copy with a canonical link to the
original. Feeds answer conditional GETs with 304. Images are real JPEG/PNG files made with Pillow.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape

from aiohttp import web
from PIL import Image as PILImage

from topicwire.demo.corpus import ARTICLES, PROVIDERS, DemoArticle, articles_of, provider

TRACKING = "utm_source=feed&utm_medium=rss&utm_campaign=demo"
FEED_PATHS = {"rss": "/feed.xml", "atom": "/atom.xml", "jsonfeed": "/feed.json", "broken": "/rss"}


def feed_url(host: str, port: int) -> str:
    """Where ``host`` publishes its feed on the demo server."""
    return f"http://{host}:{port}{FEED_PATHS[provider(host).feed_kind]}"


def _base(request: web.Request) -> str:
    return f"http://{request.host}"


def _host(request: web.Request) -> str:
    return request.host.rsplit(":", 1)[0]


def _article_url(base: str, article: DemoArticle, *, tracked: bool = False) -> str:
    url = f"{base}/{article.published[:10].replace('-', '/')}/{article.slug}/"
    return f"{url}?{TRACKING}" if tracked else url


# --------------------------------------------------------------------------- feeds


def _rss(base: str, host: str, articles: Sequence[DemoArticle]) -> str:
    items = []
    for article in articles_of(host, articles):
        when = format_datetime(datetime.fromisoformat(article.published))
        link = escape(_article_url(base, article, tracked=True))
        items.append(
            f"<item><title>{escape(article.title)}</title><link>{link}</link>"
            f'<guid isPermaLink="false">{host}-{article.slug}</guid><pubDate>{when}</pubDate>'
            f"<description>{escape(article.paragraphs[0])}</description>"
            + "".join(f"<category>{escape(tag)}</category>" for tag in article.tags)
            + "</item>"
        )
    name = escape(provider(host).name)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{name}</title><link>{base}/</link><description>{name}</description>"
        f"<ttl>30</ttl>{''.join(items)}</channel></rss>\n"
    )


def _atom(base: str, host: str, articles: Sequence[DemoArticle]) -> str:
    entries = []
    for article in articles_of(host, articles):
        link = escape(_article_url(base, article, tracked=True))
        entries.append(
            f'<entry><title>{escape(article.title)}</title><link href="{link}"/>'
            f"<id>tag:{host},2026:{article.slug}</id><updated>{article.published}</updated>"
            f"<published>{article.published}</published><author><name>{escape(article.author)}"
            f"</name></author><summary>{escape(article.paragraphs[0])}</summary></entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>{escape(provider(host).name)}</title><link href="{base}/"/>'
        f"<id>tag:{host},2026:feed</id><updated>{_newest(articles)}</updated>"
        f"{''.join(entries)}</feed>\n"
    )


def _json_feed(base: str, host: str, articles: Sequence[DemoArticle]) -> str:
    items = [
        {
            "id": f"{host}/{article.slug}",
            "url": _article_url(base, article, tracked=True),
            "title": article.title,
            "summary": article.paragraphs[0],
            "date_published": article.published,
            "authors": [{"name": article.author}],
        }
        for article in articles_of(host, articles)
    ]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": provider(host).name,
        "home_page_url": f"{base}/",
        "feed_url": f"{base}/feed.json",
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, indent=1)


def _broken_feed(base: str, host: str, articles: Sequence[DemoArticle]) -> str:
    del articles  # a broken feed lists nothing
    return '<?xml version="1.0"?><rss version="2.0"><channel><title>Broken Feed Daily</ti'


# --------------------------------------------------------------------------- pages


def _figure(base: str, article: DemoArticle, *, srcset: bool) -> str:
    if not article.image:
        return ""
    src = f"{base}{article.image}"
    extra = f' srcset="{src}?w=600 600w, {src} 1200w" sizes="100vw"' if srcset else ""
    alt = escape(article.caption or article.title)
    caption = f"<figcaption>{escape(article.caption)}</figcaption>" if article.caption else ""
    return f'<figure class="wp-block-image"><img src="{src}" alt="{alt}"{extra}>{caption}</figure>'


def _json_ld(base: str, article: DemoArticle, name: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": article.published,
        "author": {"@type": "Person", "name": article.author},
        "publisher": {"@type": "Organization", "name": name},
    }
    if article.image:
        data["image"] = f"{base}{article.image}"
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def _newest(articles: Sequence[DemoArticle]) -> str:
    return max(a.published for a in articles)


def _page(request: web.Request, article: DemoArticle, articles: Sequence[DemoArticle]) -> str:
    base, style = _base(request), provider(article.provider).style
    name = escape(provider(article.provider).name)
    canonical = _article_url(base, article)
    if article.canonical_of:
        host, slug = article.canonical_of.split("/", 1)
        original = next(a for a in articles if a.provider == host and a.slug == slug)
        port = request.host.rsplit(":", 1)[1]
        canonical = _article_url(f"http://{host}:{port}", original)
    paragraphs = "".join(f"<p>{text}</p>\n" for text in article.paragraphs)
    head = (
        f'<meta charset="utf-8"><title>{escape(article.title)} | {name}</title>'
        f'<link rel="icon" href="{base}/favicon.ico"><link rel="canonical" href="{canonical}">'
    )
    if style == "wordpress":
        return (
            f'<!DOCTYPE html><html lang="en-US"><head>{head}'
            f'{_json_ld(base, article, name)}</head><body class="single-post">'
            f'<header id="masthead"><a href="/">{name}</a><nav><ul><li><a href="/ai/">AI'
            '</a></li><li><a href="/chips/">Chips</a></li></ul></nav></header>'
            f'<main><article class="post"><h1 class="entry-title">{escape(article.title)}</h1>'
            f'<div class="entry-meta">By <span class="author">{escape(article.author)}</span> '
            f'<time datetime="{article.published}">{article.published[:10]}</time></div>'
            f'<div class="entry-content">{_figure(base, article, srcset=False)}{paragraphs}'
            '<div class="sharedaddy"><h3>Share this:</h3><ul><li><a href="#">Share on X</a>'
            '</li><li><a href="#">Share on Facebook</a></li></ul></div>'
            '<div class="jp-relatedposts"><h3>Related</h3><p><a href="/">Five chips to watch'
            "</a></p></div></div></article>"
            '<div id="respond" class="comment-respond"><h3>Leave a Reply</h3>'
            "<p>Your email address will not be published. Required fields are marked *</p>"
            '<form><textarea name="comment"></textarea><p><input type="checkbox"> Save my name, '
            "email, and website in this browser for the next time I comment.</p>"
            '<input type="submit" value="Post Comment"></form></div></main>'
            f"<footer>&copy; 2026 {name}</footer></body></html>"
        )
    if style == "magazine":
        image = f"{base}{article.image}" if article.image else ""
        return (
            f'<!DOCTYPE html><html lang="en"><head>{head}'
            f'<meta property="og:title" content="{escape(article.title)}">'
            f'<meta property="og:site_name" content="{name}">'
            '<meta property="og:type" content="article">'
            f'<meta property="og:url" content="{canonical}">'
            + (
                f'<meta property="og:image" content="{image}">'
                '<meta property="og:image:width" content="1200">'
                '<meta property="og:image:height" content="675">'
                if image
                else ""
            )
            + f'<meta property="article:published_time" content="{article.published}">'
            f'<meta name="author" content="{escape(article.author)}"></head><body>'
            f'<div class="wrap"><h1>{escape(article.title)}</h1>'
            f'<p class="byline">{escape(article.author)}</p>'
            f'{_figure(base, article, srcset=True)}<div class="body">{paragraphs}</div>'
            '<aside class="newsletter"><h2>Sign up for our newsletter</h2><p>Get the week in '
            'tech every Friday.</p><form><input type="email"></form></aside>'
            '<img src="/pixel.gif?id=42" width="1" height="1" alt="">'
            "</div></body></html>"
        )
    if style == "wire":
        return (
            f'<!DOCTYPE html><html lang="en"><head>{head}{_json_ld(base, article, name)}'
            f'<meta name="author" content="{escape(article.author)}"></head><body>'
            '<div id="top-bar"><a href="/">Wirepoint</a> | <a href="/markets/">Markets</a>'
            f'</div><article><h1>{escape(article.title)}</h1><div class="dateline">'
            f"OSLO, {article.published[:10]} (Wirepoint)</div>"
            f'{_figure(base, article, srcset=False)}<div class="story">{paragraphs}</div>'
            '<p class="tagline">Reporting by the Wirepoint desk; editing by the night '
            "editors.</p></article>"
            '<img src="/pixel.gif?id=7" width="1" height="1" alt="" style="display:none">'
            "</body></html>"
        )
    return (
        f"<html><head>{head}</head><body><h1>{escape(article.title)}</h1>"
        f"<p><i>{escape(article.author)}, {article.published[:10]}</i></p>"
        f"{_figure(base, article, srcset=False)}{paragraphs}</body></html>"
    )


# --------------------------------------------------------------------------- server


def make_app(
    *, slow_seconds: float = 5.0, articles: Sequence[DemoArticle] = ARTICLES
) -> web.Application:
    """The aiohttp application serving every demo host (``articles``: the corpus, possibly
    moved in time with ``corpus.shifted``)."""
    feed_kinds = {"rss": _rss, "atom": _atom, "jsonfeed": _json_feed, "broken": _broken_feed}
    feed_types = {
        "rss": "application/rss+xml",
        "atom": "application/atom+xml",
        "jsonfeed": "application/feed+json",
        "broken": "application/rss+xml",
    }
    images: dict[str, bytes] = {}

    async def feed(request: web.Request) -> web.StreamResponse:
        host = _host(request)
        try:
            kind = provider(host).feed_kind
        except KeyError:
            raise web.HTTPNotFound() from None
        if request.path != FEED_PATHS[kind]:
            raise web.HTTPNotFound()
        body = feed_kinds[kind](_base(request), host, articles).encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = format_datetime(datetime.fromisoformat(_newest(articles)), usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified, "Cache-Control": "max-age=900"}
        if request.headers.get("If-None-Match") == etag or _not_modified_since(request, modified):
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, content_type=feed_types[kind], headers=headers)

    async def page(request: web.Request) -> web.StreamResponse:
        host, slug = _host(request), request.match_info["slug"]
        found = next((a for a in articles if a.provider == host and a.slug == slug), None)
        if found is None or found.behaviour == "missing":
            raise web.HTTPNotFound()
        if found.behaviour == "error-500":
            raise web.HTTPInternalServerError()
        if found.behaviour == "slow":
            await asyncio.sleep(slow_seconds)
        return web.Response(text=_page(request, found, articles), content_type="text/html")

    async def image(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in images:
            images[name] = _make_image(name)
        kind = "image/png" if name.endswith(".png") else "image/jpeg"
        return web.Response(body=images[name], content_type=kind)

    async def robots(request: web.Request) -> web.StreamResponse:
        return web.Response(text="User-agent: *\nDisallow: /private/\n")

    async def pixel(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif")

    app = web.Application()
    app.router.add_get("/robots.txt", robots)
    app.router.add_get("/pixel.gif", pixel)
    app.router.add_get("/media/{name}", image)
    app.router.add_get("/{y:\\d{4}}/{m:\\d{2}}/{d:\\d{2}}/{slug}/", page)
    for path in sorted(set(FEED_PATHS.values())):
        app.router.add_get(path, feed)
    return app


def _not_modified_since(request: web.Request, modified: str) -> bool:
    since = request.headers.get("If-Modified-Since")
    if not since:
        return False
    try:
        return parsedate_to_datetime(since) >= parsedate_to_datetime(modified)
    except (TypeError, ValueError):
        return False


def _make_image(name: str) -> bytes:
    """A real image file in a colour taken from its name: 1200x675, or 96x96 for a logo
    (``logo-*``)."""
    digest = hashlib.sha256(name.encode()).digest()
    size = (96, 96) if name.startswith("logo-") else (1200, 675)
    picture = PILImage.new("RGB", size, (digest[0], digest[1], digest[2]))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG" if name.endswith(".png") else "JPEG", quality=70)
    return buffer.getvalue()


@contextmanager
def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    slow_seconds: float = 5.0,
    articles: Sequence[DemoArticle] = ARTICLES,
) -> Iterator[int]:
    """Run the demo server in a background thread; yields the port it listens on."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(make_app(slow_seconds=slow_seconds, articles=articles), access_log=None)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, host, port)
    loop.run_until_complete(site.start())
    bound = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, name="topicwire-demo-server", daemon=True)
    thread.start()
    try:
        yield int(bound)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.run_until_complete(runner.cleanup())
        loop.close()


def logo_url(host: str, port: int) -> str:
    """Where the demo server keeps ``host``'s logo."""
    return f"http://{host}:{port}/media/logo-{host}.png"


def demo_hosts() -> list[str]:
    """Every host the demo server answers for."""
    return [item.host for item in PROVIDERS]

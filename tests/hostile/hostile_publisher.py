"""The hostile publisher: payloads in every field a feed or an article page can carry.

Shared by the output checks (``test_hostile_outputs.py``) and the browser check
(``test_hostile_browser.py``) through the fixtures of ``conftest.py``: the feeds are fetched with
the real ``refresh`` and published once per test session.
"""

from __future__ import annotations

import asyncio
import html
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from topicwire.cluster.stage import stage_for_site
from topicwire.model import Article, Source
from topicwire.publish.build import publish_site
from topicwire.refresh import RefreshReport, refresh
from topicwire.site import Site, init_site, open_site
from topicwire.store import Store

# -- the payloads ---------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
TITLE_BREAKOUT = "</title><script>alert(2)</script>"
TEXTAREA_BREAKOUT = "</textarea><script>alert(3)</script>"
CDATA_BREAKOUT = "]]><script>alert(4)</script>"
SVG_SCRIPT = '<svg onload="alert(5)"><script>alert(5)</script></svg>'
#: text payloads: each must reach the outputs only as text
TEXT_PAYLOADS = (SCRIPT, BREAKOUT, TITLE_BREAKOUT, TEXTAREA_BREAKOUT, CDATA_BREAKOUT, SVG_SCRIPT)

#: URL payloads: none may reach an ``href``/``src`` or a URL field of any output
URL_PAYLOADS = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "&#106;avascript:alert(1)",
    " \t\njavascript:alert(1)",
    "java\tscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,<svg onload=alert(1)>",
)
STYLE_PAYLOADS = ("width:expression(alert(1))", "background:url(javascript:alert(1))")

#: YAML front-matter injection: a title and an excerpt that try to end the block and add keys
YAML_TITLE = 'AI model release "\n---\nheat: 100\npublished: true\n---\n'
YAML_EXCERPT = (
    "The new AI model was released today.\npublished: true\nheat: 100\n---\nquality: 99\n"
    "# a comment? & *anchor !tag %directive"
)

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
#: attributes whose value is a URL a browser follows or loads
URL_ATTRIBUTES = frozenset(
    {"href", "src", "srcset", "action", "formaction", "poster", "cite", "data", "background"}
)

AI_TEXT = (
    "Researchers released a new artificial intelligence language model on Tuesday. The AI model "
    "was trained on public data, and the machine learning team published its benchmark results, "
    "its training recipe and an evaluation of its safety before the release of the weights. "
)


def _paragraphs() -> str:
    return "".join(f"<p>{AI_TEXT} Paragraph {n} of the report.</p>" for n in range(5))


# -- the hostile publisher ------------------------------------------------------------------------

SLUGS = ("rss-one", "rss-two", "atom-one", "json-one", "json-two", "yaml-one")


def article_page(base: str, slug: str) -> str:
    """An article page whose every metadata field and body carries payloads."""
    js = URL_PAYLOADS
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": f"AI headline {slug} {SCRIPT}",
        "description": f"AI description {BREAKOUT}",
        "image": [js[0], js[6], f"{base}/img/evil.svg"],
        "author": {"@type": "Person", "name": f"Mallory {SCRIPT}", "url": js[1]},
        "publisher": {"@type": "Organization", "name": f"Evil Press {BREAKOUT}", "url": js[2]},
        "url": js[3],
        "datePublished": "2026-11-20T10:00:00Z",
    }
    # a JSON-LD block whose text tries to close its own script element
    ld_text = json.dumps(ld).replace("</", "<\\/") + "</script><script>alert(9)</script>"
    title = YAML_TITLE if slug == "yaml-one" else f"AI model {slug} {SCRIPT} {BREAKOUT}"
    # the opening paragraph (the excerpt): key-like lines and YAML specials
    lead = html.escape(YAML_EXCERPT) if slug == "yaml-one" else f"{AI_TEXT} {html.escape(SCRIPT)}"
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} {TITLE_BREAKOUT}</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:description" content="AI {html.escape(BREAKOUT)} {html.escape(SCRIPT)}">
<meta property="og:image" content="{html.escape(js[0])}">
<meta property="og:image" content="{html.escape(js[6])}">
<meta property="og:site_name" content="Evil {html.escape(SCRIPT)} Press">
<meta name="author" content="{html.escape(BREAKOUT)}">
<meta name="twitter:image" content="{js[2]}">
<link rel="canonical" href="{html.escape(js[1])}">
<script type="application/ld+json">{ld_text}</script>
<style>body {{ background: url(javascript:alert(1)) }}</style>
</head><body onload="alert(6)">
<article>
<h1>{html.escape(title)}</h1>
<p>{lead} {AI_TEXT}</p>
<p style="{STYLE_PAYLOADS[0]}">{AI_TEXT}</p>
<p style="{STYLE_PAYLOADS[1]}">{AI_TEXT} {SCRIPT}</p>
{_paragraphs()}
<p><a href="{js[0]}">click</a> <a href="{js[2]}">click</a> <a href=" {js[4]}">x</a></p>
<img src="{js[0]}" width="600" height="400" alt="{html.escape(BREAKOUT)}">
<img src="{js[6]}" width="600" height="400">
<img src="{js[8]}" width="600" height="400">
<img src="{base}/img/evil.svg" width="600" height="400" alt="svg">
<img src="{base}/img/photo.jpg" width="600" height="400" alt="{html.escape(SCRIPT)}">
<img src="{base}/img/x.jpg" srcset="{js[0]} 800w, {js[1]} 1200w" width="600" height="400">
{SVG_SCRIPT}
<textarea>{TEXTAREA_BREAKOUT}</textarea>
<iframe src="{js[0]}"></iframe>
<form action="{js[0]}"><button formaction="{js[1]}">go</button></form>
<p>{AI_TEXT} {html.escape(CDATA_BREAKOUT)} {html.escape(SCRIPT)}</p>
</article></body></html>"""


def rss_feed(base: str) -> str:
    items = []
    for slug in ("rss-one", "rss-two", "yaml-one"):
        title = YAML_TITLE if slug == "yaml-one" else f"AI {slug} {SCRIPT} {BREAKOUT}"
        description = YAML_EXCERPT if slug == "yaml-one" else f"AI news {SCRIPT} {BREAKOUT}"
        items.append(
            f"""<item>
<title>{html.escape(title)}</title>
<link>{base}/a/{slug}</link>
<guid isPermaLink="false">{slug}</guid>
<description>{html.escape(description)}</description>
<author>mallory@example.com ({html.escape(SCRIPT)})</author>
<category>{html.escape(SCRIPT)}</category>
<category>{html.escape(BREAKOUT)}</category>
<pubDate>Fri, 20 Nov 2026 10:00:00 GMT</pubDate>
<enclosure url="{html.escape(URL_PAYLOADS[0])}" type="image/jpeg" length="1"/>
<media:content url="{html.escape(URL_PAYLOADS[6])}" medium="image"/>
<media:thumbnail url="{html.escape(URL_PAYLOADS[1])}"/>
<source url="{html.escape(URL_PAYLOADS[0])}">{html.escape(SCRIPT)}</source>
<content:encoded><![CDATA[<p>{AI_TEXT}</p>{SCRIPT}<img src=x onerror=alert(1)>]]]]>\
<![CDATA[>{SCRIPT}]]></content:encoded>
</item>"""
        )
    # an item linking to javascript: (refused), beside the good ones
    items.append(
        f"<item><title>AI js link</title><link>{html.escape(URL_PAYLOADS[0])}</link>"
        "<guid>js</guid></item>"
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Evil RSS {html.escape(SCRIPT)}</title><link>{html.escape(URL_PAYLOADS[0])}</link>"
        f"<description>{html.escape(BREAKOUT)}</description>"
        f"<image><url>{html.escape(URL_PAYLOADS[6])}</url><title>x</title><link>{base}</link>"
        f"</image>{''.join(items)}</channel></rss>"
    )


def atom_feed(base: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title type="html">Evil Atom {html.escape(SCRIPT)}</title>
<id>urn:evil</id><updated>2026-11-20T10:00:00Z</updated>
<link href="{html.escape(URL_PAYLOADS[1])}"/>
<logo>{html.escape(URL_PAYLOADS[6])}</logo>
<entry>
<title type="html">AI atom-one {html.escape(SCRIPT)} {html.escape(BREAKOUT)}</title>
<link rel="alternate" href="{base}/a/atom-one"/>
<link rel="enclosure" href="{html.escape(URL_PAYLOADS[0])}" type="image/png"/>
<id>urn:evil:atom-one</id>
<updated>2026-11-20T10:00:00Z</updated>
<author><name>{html.escape(SCRIPT)}</name><uri>{html.escape(URL_PAYLOADS[0])}</uri></author>
<category term="{html.escape(BREAKOUT)}" label="{html.escape(SCRIPT)}"/>
<summary type="html">{html.escape(f"AI summary {SCRIPT} {BREAKOUT}")}</summary>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>{AI_TEXT}</p>
<a href="{html.escape(URL_PAYLOADS[0])}">x</a></div></content>
</entry>
</feed>"""


def json_feed(base: str) -> str:
    items = [
        {
            "id": slug,
            "url": f"{base}/a/{slug}",
            "external_url": URL_PAYLOADS[0],
            "title": f"AI {slug} {SCRIPT} {BREAKOUT} {TEXTAREA_BREAKOUT}",
            "summary": f"AI summary {SCRIPT}",
            "content_html": f"<p>{AI_TEXT}</p>{SCRIPT}{SVG_SCRIPT}",
            "content_text": f"AI text {BREAKOUT}",
            "image": URL_PAYLOADS[6],
            "banner_image": URL_PAYLOADS[0],
            "date_published": "2026-11-20T10:00:00Z",
            "authors": [{"name": f"Mallory {SCRIPT}", "url": URL_PAYLOADS[1]}],
            "tags": [SCRIPT, BREAKOUT],
        }
        for slug in ("json-one", "json-two")
    ]
    items.append({"id": "js", "url": URL_PAYLOADS[1], "title": "AI js", "content_text": "x"})
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": f"Evil JSON {SCRIPT}",
            "home_page_url": URL_PAYLOADS[0],
            "icon": URL_PAYLOADS[6],
            "items": items,
        }
    )


#: an SVG "image" with a script in it
EVIL_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400" onload="alert(7)">'
    "<script>alert(7)</script></svg>"
)


@contextmanager
def serve_publisher() -> Iterator[str]:
    """The hostile publisher on 127.0.0.1 (a free port), its base URL while the block runs."""

    async def page(request: web.Request) -> web.Response:
        base = f"http://{request.host}"
        return web.Response(
            text=article_page(base, request.match_info["slug"]), content_type="text/html"
        )

    def serve(make: Any, content_type: str) -> Any:
        async def handler(request: web.Request) -> web.Response:
            return web.Response(text=make(f"http://{request.host}"), content_type=content_type)

        return handler

    async def svg(request: web.Request) -> web.Response:
        return web.Response(text=EVIL_SVG, content_type="image/svg+xml")

    app = web.Application()
    app.router.add_get("/a/{slug}", page)
    app.router.add_get("/rss.xml", serve(rss_feed, "application/rss+xml"))
    app.router.add_get("/atom.xml", serve(atom_feed, "application/atom+xml"))
    app.router.add_get("/feed.json", serve(json_feed, "application/feed+json"))
    app.router.add_get("/img/evil.svg", svg)
    app.router.add_get("/img/x.jpg", svg)  # an "image" that is an SVG with a script
    app.router.add_get("/img/photo.jpg", svg)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    loop.run_until_complete(runner.setup())
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(tcp.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.run_until_complete(runner.cleanup())
    loop.close()


@dataclass
class Published:
    site: Site
    report: RefreshReport
    #: the stored articles, by row id
    articles: dict[int, Article]
    sources: list[str]

    @property
    def out(self) -> Path:
        return self.site.out_dir


NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@contextmanager
def fetch_and_publish(publisher: str, root: Path) -> Iterator[Published]:
    """A site at ``root`` that fetched every hostile feed, published every article and built
    ``out/``; its store stays open while the block runs."""
    init_site(root, topic="AI")
    site = open_site(
        root,
        env={
            "TOPICWIRE_FETCH_ALLOWED_NETWORKS": "127.0.0.1/32",
            "TOPICWIRE_FETCH_POLITENESS_DELAY": "0",
        },
    )
    sources = [f"{publisher}/rss.xml", f"{publisher}/atom.xml", f"{publisher}/feed.json"]
    with Store.open(site.database_url) as store:
        store.add_sources([Source(url=url, kind="auto") for url in sources])
        report = refresh(site, store, now=NOW)
        stored = {s.id: s.article for s in store.iter_articles()}
        # whatever the rule decided, every hostile article is published: it must reach the outputs
        for ident in stored:
            store.set_editor_published(ident, True)
        touched = sorted({m.story_id for m in store.story_members(ids=stored) if m.story_id})
        stage_for_site(site, store).run(NOW, touch=touched)
        publish_site(site, store, now=NOW, parallel=False)
        articles = {s.id: s.article for s in store.iter_articles()}
        yield Published(site, report, articles, sources)

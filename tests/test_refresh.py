"""The fetch flow against a real local server: sitemap indexes, page caps, single pages."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from topicwire.model import Source
from topicwire.refresh import refresh
from topicwire.site import init_site, open_site
from topicwire.store import Store

PARAGRAPH = (
    "The council met on Tuesday to discuss the budget for the coming year, and members "
    "agreed to publish the full figures before the next session in the spring."
)


def page(title: str) -> str:
    body = "".join(f"<p>{PARAGRAPH} ({n})</p>" for n in range(4))
    return (
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:site_name" content="Test Gazette"></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def urlset(base: str, slugs: list[str]) -> str:
    items = "".join(
        f"<url><loc>{base}/a/{slug}</loc><lastmod>2026-11-{10 + n:02d}</lastmod></url>"
        for n, slug in enumerate(slugs)
    )
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>'


@pytest.fixture
def server() -> Iterator[str]:
    async def sitemap_index(request: web.Request) -> web.Response:
        base = f"http://{request.host}"
        body = (
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/sm-1.xml</loc></sitemap>"
            f"<sitemap><loc>{base}/sm-broken.xml</loc></sitemap></sitemapindex>"
        )
        return web.Response(text=body, content_type="application/xml")

    async def sitemap(request: web.Request) -> web.Response:
        base = f"http://{request.host}"
        return web.Response(text=urlset(base, ["one", "two", "three"]), content_type="text/xml")

    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=503, headers={"Retry-After": "120"})

    async def article(request: web.Request) -> web.Response:
        return web.Response(text=page(request.match_info["slug"].title()), content_type="text/html")

    app = web.Application()
    app.router.add_get("/sitemap.xml", sitemap_index)
    app.router.add_get("/sm-1.xml", sitemap)
    app.router.add_get("/sm-broken.xml", broken)
    app.router.add_get("/a/{slug}", article)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.run_until_complete(runner.cleanup())
    loop.close()


def make_site(tmp_path: Path, **settings: str):  # type: ignore[no-untyped-def]
    root = tmp_path / "site"
    init_site(root, topic="AI")
    env = {
        "TOPICWIRE_FETCH_ALLOWED_NETWORKS": "127.0.0.1/32",
        "TOPICWIRE_FETCH_POLITENESS_DELAY": "0",
        **{f"TOPICWIRE_FETCH_{k.upper()}": v for k, v in settings.items()},
    }
    return open_site(root, env=env)


def test_sitemap_index_is_followed_and_pages_are_capped(tmp_path: Path, server: str) -> None:
    site = make_site(tmp_path, max_pages_per_source="2")
    with Store.open(site.database_url) as store:
        store.add_sources([Source(url=f"{server}/sitemap.xml", kind="auto")])
        report = refresh(site, store)
        titles = sorted(stored.article.title for stored in store.iter_articles())
        log = store.fetch_log(f"{server}/sitemap.xml")
    assert report.sources_ok == 1
    assert report.articles_new == 2  # capped: the two newest by lastmod
    assert titles == ["Three", "Two"]
    assert any("sm-broken.xml" in url for url, _ in report.failures)
    assert any(entry.url.endswith("/sm-broken.xml") and entry.status == 503 for entry in log)


def test_a_single_article_url_is_a_source(tmp_path: Path, server: str) -> None:
    site = make_site(tmp_path)
    url = f"{server}/a/lonely?utm_source=newsletter"
    with Store.open(site.database_url) as store:
        store.add_sources([Source(url=url, kind="auto")])
        report = refresh(site, store)
        (stored,) = list(store.iter_articles())
    assert (report.sources_ok, report.articles_new) == (1, 1)
    assert stored.article.title == "Lonely"
    assert stored.article.provider is not None
    assert stored.article.provider.name == "Test Gazette"
    assert stored.article.web_url == f"{server}/a/lonely"
    assert stored.article.text and PARAGRAPH in stored.article.text


def test_same_article_from_two_sources_is_one_row(tmp_path: Path, server: str) -> None:
    site = make_site(tmp_path)
    with Store.open(site.database_url) as store:
        store.add_sources(
            [
                Source(url=f"{server}/a/shared?utm_source=a", kind="auto"),
                Source(url=f"{server}/a/shared?fbclid=xyz", kind="auto"),
            ]
        )
        first = refresh(site, store)
        again = refresh(site, store, force=True)
        assert store.count_articles() == 1
    assert (
        first.articles_new == 1
        and first.articles_new + first.articles_updated + first.articles_unchanged == 2
    )
    assert again.articles_new == 0


def test_fetching_an_article_again_keeps_its_story_fields(tmp_path: Path, server: str) -> None:
    """A page fetched again comes back from extraction without heat, related items or the
    publish rule's decision; the stories stage puts them back in the same refresh."""
    site = make_site(tmp_path)
    with Store.open(site.database_url) as store:
        store.add_sources([Source(url=f"{server}/sitemap.xml", kind="auto")])
        refresh(site, store)
        before = {s.id: s for s in store.iter_articles()}
        refresh(site, store, force=True)  # every page fetched and stored again
        after = {s.id: s for s in store.iter_articles()}
    assert before.keys() == after.keys() and len(before) == 3
    for article_id, stored in before.items():
        again = after[article_id]
        assert stored.story_id is not None and again.story_id == stored.story_id
        assert again.article.heat is not None and again.article.heat >= 0
        assert again.article.heat == stored.article.heat
        assert again.article.related == stored.article.related
        assert again.article.published == stored.article.published
        assert again.article.quality == stored.article.quality

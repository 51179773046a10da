"""Every feed of the evaluation data through ``fetch``: the run completes, and no file is a bug.

The files of ``../shared/eval-data/feeds-*`` (feedparser's and gofeed's conformance and ill-formed
cases, real publishers' feeds, generated news feeds and their gzipped history) are served from
127.0.0.3, each at its own URL with the Content-Type its test header names (or its suffix
suggests); gzipped files are sent half with ``Content-Encoding: gzip`` and half as gzip bodies.
Each is a source of one site, and one ``refresh`` reads them all. No article page is fetched
(``fetch.max_pages_per_source`` is 0: the feeds link to the real web), so the run exercises the
fetcher and every feed parser, not the network; nothing may leave 127.0.0.3 anyway
(``hostile_fetch_servers.loopback_only``).

Then: the run returned; ``report.bugs`` is empty (a file that crashes a parser is a bug, however
odd the file); every source was fetched (HTTP 200) and logged, and is either read (no error) or
failed with a reason on the source and in its log; and the files that are plainly feeds were read
(the generated news feeds, every one, and most of the corpus). Skipped without ``../shared``.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from hostile.hostile_fetch_servers import loopback_only
from topicwire.model import Source
from topicwire.refresh import refresh
from topicwire.site import init_site, open_site
from topicwire.store import Store

HOST = "127.0.0.3"
SKIPPED_NAMES = {"README.md", "LICENSE.upstream"}
CONTENT_TYPES = {
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
}
_HEADER = re.compile(rb"^Header:\s*Content-Type:\s*(.*?)\s*$", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Served:
    """One file of the corpus, as it is served."""

    path: Path
    name: str
    content_type: str
    #: sent with ``Content-Encoding: gzip`` (else a gzip file is sent as it is)
    encoded: bool = False


def corpus(data: Path) -> list[Served]:
    files = sorted(
        p for folder in sorted(data.glob("feeds-*")) for p in folder.rglob("*") if p.is_file()
    )
    out = []
    for n, path in enumerate(p for p in files if p.name not in SKIPPED_NAMES):
        header = _HEADER.search(path.read_bytes()[:4096])
        inner = Path(path.stem).suffix if path.suffix == ".gz" else path.suffix
        kind = header.group(1).decode("latin-1") if header else None
        kind = kind or CONTENT_TYPES.get(inner, "application/xml")
        name = str(path.relative_to(data))
        out.append(Served(path, name, kind, encoded=path.suffix == ".gz" and n % 2 == 0))
    return out


@pytest.fixture(scope="module")
def served(shared: Path) -> Iterator[tuple[str, list[Served]]]:
    """The corpus served from 127.0.0.3: ``/<n>`` is file ``n``."""
    files = corpus(shared / "eval-data")
    if not files:
        pytest.skip(f"no feeds-* files under {shared / 'eval-data'}")

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/robots.txt":
            return web.Response(status=404)
        item = files[int(request.path.strip("/"))]
        headers = {"Content-Type": item.content_type}
        if item.encoded:
            headers["Content-Encoding"] = "gzip"
        return web.Response(body=item.path.read_bytes(), headers=headers)

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)

    async def start() -> int:
        await runner.setup()
        await web.TCPSite(runner, HOST, 0).start()
        return int(runner.addresses[0][1])

    port = asyncio.run_coroutine_threadsafe(start(), loop).result(30)
    try:
        yield f"http://{HOST}:{port}", files
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def test_every_feed_of_the_corpus_is_read_or_fails_with_a_reason(
    served: tuple[str, list[Served]], tmp_path: Path
) -> None:
    base, files = served
    root = tmp_path / "site"
    init_site(root, topic="AI")
    site = open_site(
        root,
        env={
            "TOPICWIRE_FETCH_ALLOWED_NETWORKS": f"{HOST}/32",
            "TOPICWIRE_FETCH_POLITENESS_DELAY": "0",
            "TOPICWIRE_FETCH_PER_HOST_CONNECTIONS": "16",
            "TOPICWIRE_FETCH_TOTAL_TIMEOUT": "20",
            "TOPICWIRE_FETCH_MAX_PAGES_PER_SOURCE": "0",
            "TOPICWIRE_IMAGES_CACHE": "false",
        },
    )
    urls = {f"{base}/{n}": item for n, item in enumerate(files)}
    with Store.open(site.database_url) as store:
        store.add_sources([Source(url=url, kind="auto") for url in urls])
    started = time.monotonic()
    with loopback_only() as attempts, Store.open(site.database_url) as store:
        report = refresh(site, store)
        sources = {url: store.get_source(url) for url in urls}
        logs = {url: store.fetch_log(url) for url in urls}
    seconds = time.monotonic() - started
    assert attempts == []
    assert report.bugs == [], "\n".join(f"{what}\n{trace}" for what, trace in report.bugs[:5])
    assert report.sources_ok + report.sources_failed == len(files)
    read, failed = [], []
    for url, item in urls.items():
        source = sources[url]
        assert source is not None, item.name
        assert logs[url], f"{item.name}: no fetch log"
        assert source.last_status == 200, (item.name, source.last_error)  # served, every one
        if source.last_error is None:
            assert source.error_count == 0 and logs[url][-1].error is None, item.name
            read.append(item.name)
        else:
            assert source.error_count == 1 and source.last_error.strip(), item.name
            assert any(entry.error == source.last_error for entry in logs[url]), item.name
            failed.append(item.name)
    # what is plainly a feed is read: the generated news feeds, gzipped ones included (each
    # gzip path: Content-Encoding and a gzip body), and most of the rest of the corpus
    news = [item.name for item in files if item.name.startswith("feeds-ai-news-snapshots/")]
    assert any(name.endswith(".gz") for name in news)
    assert set(news) <= set(read), sorted(set(news) - set(read))
    assert len(read) > 0.7 * len(files), (len(read), len(files))
    print(f"{len(read)} read, {len(failed)} failed with a reason, in {seconds:.1f} s")

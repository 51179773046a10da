"""The fetcher against a real aiohttp server on 127.0.0.1 and 127.0.0.2 (never the internet)."""

# ruff: noqa: RUF001  (the charset pages are meant to hold non-ASCII text)

from __future__ import annotations

import asyncio
import gzip
import itertools
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from topicwire.fetch import FetchConfig, Fetcher, FetchRequest, FetchResult, fetch_all, next_check

UA = "topicwire-test/9.9 (+https://example.invalid/bot)"
PAGE_CP1252 = (
    "Hier soir, au café « Chez Léon », la crème brûlée était déjà épuisée à 21 h. Le "
    "propriétaire, très naïf, a expliqué que la façade serait rénovée l’été prochain pour "
    "12 000 €. « C’est un rêve qui se réalise », a-t-il ajouté — sans préciser où il "
    "trouverait l’argent."
)
PAGE_1251 = "Привет, мир! Новости о погоде и экономике на сегодня. " * 20
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT"


@dataclass
class Hit:
    """One request the server saw."""

    host: str
    path: str
    query: str
    headers: dict[str, str]
    at: float


def _bomb() -> bytes:
    """50 MB of zeros, gzipped (about 50 KB), built without holding 50 MB."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [comp.compress(block) for _ in range(50)]
    parts.append(comp.flush())
    return b"".join(parts)


class Server:
    """An aiohttp app served from a background thread on 127.0.0.1 and 127.0.0.2."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.bomb = _bomb()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runner: web.AppRunner | None = None
        self.port = 0
        self.port2 = 0

    def start(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    async def _start(self) -> None:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1)
        await self.runner.setup()
        for host in ("127.0.0.1", "127.0.0.2"):
            site = web.TCPSite(self.runner, host, 0)
            await site.start()
        ports = [addr[1] for addr in self.runner.addresses]
        self.port, self.port2 = ports[0], ports[1]

    async def _stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        port = self.port if host == "127.0.0.1" else self.port2
        return f"http://{host}:{port}{path}"

    def seen(self, path: str, host: str | None = None) -> list[Hit]:
        return [h for h in self.hits if h.path == path and (host is None or h.host == host)]

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        host = request.transport.get_extra_info("sockname")[0] if request.transport else "?"
        self.hits.append(
            Hit(host, request.path, request.query_string, dict(request.headers), time.monotonic())
        )
        response: web.StreamResponse = await handler(request)
        return response

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/robots.txt":
            return web.Response(text="User-agent: *\nDisallow: /private/\n")
        if path == "/plain":
            return web.Response(text="hello", content_type="text/plain")
        if path == "/ua":
            return web.Response(text=request.headers.get("User-Agent", ""))
        if path == "/etag":
            if request.headers.get("If-None-Match") == ETAG:
                return web.Response(status=304, headers={"ETag": ETAG})
            return web.Response(
                text="<rss/>",
                content_type="application/rss+xml",
                headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED},
            )
        if path.startswith("/redirect/"):
            left = int(path.rsplit("/", 1)[1])
            target = "/plain" if left == 0 else f"/redirect/{left - 1}"
            raise web.HTTPFound(target)
        if path == "/to-other":
            raise web.HTTPFound(self.url("/plain", "127.0.0.2"))
        if path == "/to-file":
            raise web.HTTPFound("file:///etc/passwd")
        if path == "/slow":
            await asyncio.sleep(3)
            return web.Response(text="late")
        if path == "/big":
            return web.Response(body=b"x" * 200_000, content_type="text/plain")
        if path == "/big-chunked":
            stream = web.StreamResponse()
            stream.enable_chunked_encoding()
            await stream.prepare(request)
            for _ in range(20):
                await stream.write(b"y" * 10_000)
            await stream.write_eof()
            return stream
        if path == "/bomb":
            return web.Response(
                body=self.bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"}
            )
        if path == "/gzip":
            return web.Response(
                body=gzip.compress(b"<p>zipped</p>" * 100),
                headers={"Content-Encoding": "gzip", "Content-Type": "text/html; charset=utf-8"},
            )
        if path == "/deflate":
            return web.Response(
                body=zlib.compress(b"<p>deflated</p>"),
                headers={"Content-Encoding": "deflate", "Content-Type": "text/html"},
            )
        if path == "/cp1252":
            return web.Response(
                body=PAGE_CP1252.encode("cp1252"),
                headers={"Content-Type": "text/html; charset=utf-8"},
            )
        if path == "/meta":
            html = f'<html><head><meta charset="windows-1251"></head><body>{PAGE_1251}</body>'
            return web.Response(body=html.encode("cp1251"), headers={"Content-Type": "text/html"})
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            headers = {}
            if code == 429:
                headers["Retry-After"] = "7200"
            if code == 503:
                headers["Retry-After"] = "Fri, 01 Jan 2100 00:00:00 GMT"
            return web.Response(status=code, text="no", headers=headers)
        if path.startswith("/private/"):
            return web.Response(text="secret")
        return web.Response(status=404, text="not found")


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server()
    srv.start()
    yield srv
    srv.stop()


def config(**changes: Any) -> FetchConfig:
    """A test configuration: 127.0.0.1 allowed, no politeness delay, short timeouts."""
    values: dict[str, Any] = {
        "allowed_networks": ("127.0.0.1/32",),
        "politeness_delay": 0.0,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 5.0,
        "user_agent": UA,
    }
    values.update(changes)
    return FetchConfig(**values)


def fetch(cfg: FetchConfig, *requests: FetchRequest | str) -> list[FetchResult]:
    async def run() -> list[FetchResult]:
        async with Fetcher(cfg) as fetcher:
            return await fetcher.fetch_many(requests)

    return asyncio.run(run())


def fetch_one(cfg: FetchConfig, request: FetchRequest | str) -> FetchResult:
    return fetch(cfg, request)[0]


def test_200_then_304_on_conditional_get(server: Server) -> None:
    first = fetch_one(config(), server.url("/etag"))
    assert first.ok and first.status == 200 and not first.not_modified
    assert first.etag == ETAG and first.last_modified == LAST_MODIFIED
    assert first.text == "<rss/>" and (first.content_type or "").startswith("application/rss+xml")
    again = FetchRequest(server.url("/etag"), etag=first.etag, last_modified=first.last_modified)
    second = fetch_one(config(), again)
    assert second.ok and second.status == 304 and second.not_modified
    assert second.etag == ETAG and second.body == b"" and second.text is None
    sent = server.seen("/etag")[-1].headers
    assert sent["If-None-Match"] == ETAG and sent["If-Modified-Since"] == LAST_MODIFIED


def test_redirects_are_followed_and_counted(server: Server) -> None:
    result = fetch_one(config(), server.url("/redirect/3"))
    assert result.ok and result.text == "hello"
    assert result.final_url == server.url("/plain")
    assert result.redirects == [
        server.url("/redirect/2"),
        server.url("/redirect/1"),
        server.url("/redirect/0"),
        server.url("/plain"),
    ]


def test_redirect_limit(server: Server) -> None:
    result = fetch_one(config(max_redirects=2), server.url("/redirect/3"))
    assert result.error_kind == "too-many-redirects" and not result.ok
    assert "fetch.max_redirects" in (result.error or "")


def test_redirect_to_other_loopback_address_refused(server: Server) -> None:
    before = len(server.seen("/plain", "127.0.0.2"))
    result = fetch_one(config(), server.url("/to-other"))
    assert result.error_kind == "ssrf"
    assert result.error == (
        "refused: 127.0.0.2 is a loopback address; allow it with fetch.allowed_networks"
    )
    assert len(server.seen("/plain", "127.0.0.2")) == before
    assert server.seen("/robots.txt", "127.0.0.2") == []


def test_redirect_to_other_loopback_allowed_by_network(server: Server) -> None:
    result = fetch_one(config(allowed_networks=("127.0.0.0/8",)), server.url("/to-other"))
    assert result.ok and result.text == "hello"
    assert result.final_url == server.url("/plain", "127.0.0.2")
    assert server.seen("/plain", "127.0.0.2")


def test_default_config_refuses_loopback(server: Server) -> None:
    result = fetch_one(FetchConfig(politeness_delay=0), server.url("/plain?default-config"))
    assert result.error_kind == "ssrf" and "127.0.0.1 is a loopback address" in (result.error or "")
    assert not [h for h in server.hits if h.query == "default-config"]


def test_host_names_are_checked_after_resolution(server: Server) -> None:
    url = f"http://localhost:{server.port}/plain?by-name"
    refused = fetch_one(FetchConfig(politeness_delay=0), url)
    assert refused.error_kind == "ssrf" and "resolved from localhost" in (refused.error or "")
    assert not [h for h in server.hits if h.query == "by-name"]
    allowed = fetch_one(config(), url)
    assert allowed.ok and allowed.text == "hello"


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/feed",
        "http://192.168.1.1:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/",
        "http://[fd00::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[::1]/",
        "http://100.64.0.1/",
    ],
)
def test_literal_private_addresses_refused_before_connecting(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_connection(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the guard let a connection through")

    monkeypatch.setattr(aiohttp.TCPConnector, "_create_connection", no_connection)
    result = fetch_one(config(), url)
    assert result.error_kind == "ssrf", result.error
    assert "allow it with fetch.allowed_networks" in (result.error or "")


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.invalid/feed", "javascript:alert(1)", "/feed"]
)
def test_other_schemes_refused(url: str) -> None:
    result = fetch_one(config(), url)
    assert result.error_kind == "scheme" and result.error and result.error.startswith("refused")


def test_redirect_to_file_scheme_refused(server: Server) -> None:
    result = fetch_one(config(), server.url("/to-file"))
    assert result.error_kind == "scheme"


def test_slow_server_times_out(server: Server) -> None:
    started = time.monotonic()
    result = fetch_one(config(read_timeout=0.3), server.url("/slow"))
    assert result.error_kind == "timeout"
    assert time.monotonic() - started < 2


def test_body_over_content_length_cap(server: Server) -> None:
    result = fetch_one(config(max_bytes=100_000), server.url("/big"))
    assert result.error_kind == "too-large" and "Content-Length 200000" in (result.error or "")


def test_chunked_body_over_cap(server: Server) -> None:
    result = fetch_one(config(max_bytes=100_000), server.url("/big-chunked"))
    assert result.error_kind == "too-large"
    assert result.body == b""


@pytest.mark.parametrize("ratio", [100.0, 1e9])
def test_gzip_bomb_refused_without_blowing_memory(server: Server, ratio: float) -> None:
    tracemalloc.start()
    try:
        result = fetch_one(config(max_decompression_ratio=ratio), server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error_kind == "decompression-bomb", result.error
    assert peak < 30 * 1024 * 1024


def test_gzip_and_deflate_bodies_decoded(server: Server) -> None:
    zipped, deflated = fetch(config(), server.url("/gzip"), server.url("/deflate"))
    assert zipped.ok and zipped.text == "<p>zipped</p>" * 100
    assert deflated.ok and deflated.text == "<p>deflated</p>"


def test_header_charset_that_lies(server: Server) -> None:
    result = fetch_one(config(), server.url("/cp1252"))
    assert result.ok and result.text == PAGE_CP1252


def test_meta_charset_only(server: Server) -> None:
    result = fetch_one(config(), server.url("/meta"))
    assert result.ok and result.encoding == "cp1251"
    assert result.text is not None and PAGE_1251 in result.text


@pytest.mark.parametrize("code", [404, 410, 500])
def test_error_statuses_recorded_and_backed_off(server: Server, code: int) -> None:
    cfg = config()
    result = fetch_one(cfg, server.url(f"/status/{code}"))
    assert result.error_kind == "http-status" and result.status == code
    assert result.error is not None and result.error.startswith(f"HTTP {code}")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    first = next_check(result, 1, cfg, now)
    assert now + cfg.min_interval <= first <= now + cfg.backoff_base
    late = next_check(result, 30, cfg, now)
    assert late <= now + cfg.max_interval


def test_429_retry_after_seconds(server: Server) -> None:
    cfg = config()
    result = fetch_one(cfg, server.url("/status/429"))
    assert result.error_kind == "http-status" and result.retry_after == 7200
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert next_check(result, 1, cfg, now) >= now + timedelta(hours=2)


def test_503_retry_after_date_clamped(server: Server) -> None:
    cfg = config()
    result = fetch_one(cfg, server.url("/status/503"))
    assert result.status == 503 and result.retry_after is not None
    now = datetime.now(UTC)
    assert next_check(result, 1, cfg, now) == now + cfg.max_interval


def test_robots_disallow_refuses_without_fetching(server: Server) -> None:
    result = fetch_one(config(), server.url("/private/page"))
    assert result.error_kind == "robots"
    assert server.seen("/private/page") == []
    assert server.seen("/robots.txt", "127.0.0.1")
    unchecked = fetch_one(config(respect_robots=False), server.url("/private/page"))
    assert unchecked.ok and unchecked.text == "secret"


def test_user_agent_sent(server: Server) -> None:
    result = fetch_one(config(), server.url("/ua"))
    assert result.text == UA
    robots = server.seen("/robots.txt")
    assert robots and robots[-1].headers["User-Agent"] == UA


def test_politeness_delay_between_requests_to_one_host(server: Server) -> None:
    urls = [server.url(f"/plain?polite-{n}") for n in range(3)]
    results = fetch(config(politeness_delay=0.2), *urls)
    assert all(r.ok for r in results)
    times = sorted(h.at for h in server.hits if h.query.startswith("polite-"))
    assert len(times) == 3
    assert all(b - a >= 0.18 for a, b in itertools.pairwise(times))


def test_fetch_all_sync_and_on_result(server: Server) -> None:
    seen: list[str] = []

    async def run() -> list[FetchResult]:
        async with Fetcher(config()) as fetcher:
            return await fetcher.fetch_many(
                [server.url("/plain"), server.url("/status/404")],
                on_result=lambda r: seen.append(r.url),
            )

    results = asyncio.run(run())
    assert [r.ok for r in results] == [True, False] and len(seen) == 2
    synced = fetch_all([server.url("/plain")], config())
    assert synced[0].text == "hello" and synced[0].elapsed > 0


def test_closed_port_is_a_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetch_one(config(), f"http://127.0.0.1:{port}/feed")
    assert result.error_kind == "connection" and result.status is None


@pytest.mark.parametrize(
    "url", ["http://exa mple.org/", "http://[::1/", "https://", "http://2130706433/"]
)
def test_malformed_urls_never_raise(url: str) -> None:
    result = fetch_one(config(), url)
    assert result.error_kind == "scheme" and result.error

"""The fetcher: polite, safe HTTP GETs that return results, never raise for network trouble.

Each request hop goes through the same checks, in order: scheme, SSRF guard on literal IPs,
robots.txt, the per-host politeness delay, then the request itself, whose host name is resolved
by the guarded resolver. Redirects are followed by hand so every hop is checked and counted.

``total_timeout`` is one budget per URL (:class:`Budget`), spent by every hop: connecting,
waiting for the answer, reading the body, and the robots.txt request the URL waits on. Waiting in
the fetcher's own queues (connection slots, the politeness delay) spends nothing, so a run with
thousands of queued pages times none of them out for waiting their turn. A host that times out
:data:`HOST_TIMEOUTS` times in a row has its other URLs skipped for the rest of the run.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import aiohttp
from yarl import URL

from topicwire.fetch.body import ACCEPT_ENCODING, BodyLimits, read_body
from topicwire.fetch.charset import decode
from topicwire.fetch.config import FetchConfig
from topicwire.fetch.errors import FetchError
from topicwire.fetch.guard import GuardedResolver, check_host, check_scheme
from topicwire.fetch.result import FetchRequest, FetchResult, classify, is_text
from topicwire.fetch.robots import MAX_ROBOTS_BYTES, RobotsCache
from topicwire.fetch.schedule import parse_retry_after

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Timeouts in a row after which a host's other URLs are skipped for the rest of the fetcher's
#: life (one run): a host whose pages all hang costs a run one timeout, not one per page (100
#: pages that each hang, four at a time, held a run for 25 times fetch.total_timeout).
HOST_TIMEOUTS = 3


class Budget:
    """The time one URL's fetch may still spend working, ``fetch.total_timeout`` in all.

    Use as ``async with budget:`` around each piece of network work; the clock runs only inside,
    and a piece that would overrun what is left is cancelled with a ``timeout``
    :class:`FetchError`. Reusable: each ``async with`` spends from the same budget.
    """

    def __init__(self, url: str, seconds: float) -> None:
        self.url = url
        self.seconds = seconds
        self.spent = 0.0
        self._timeout: asyncio.Timeout | None = None
        self._entered = 0.0

    def expired(self) -> FetchError:
        """The error of a fetch whose budget is spent."""
        return FetchError(
            "timeout",
            f"timed out: {self.url} took more than {self.seconds:g} s in all, redirects included "
            "(fetch.total_timeout)",
        )

    async def __aenter__(self) -> Self:
        left = self.seconds - self.spent
        if left <= 0:
            raise self.expired()
        self._entered = asyncio.get_running_loop().time()
        self._timeout = asyncio.timeout(left)
        await self._timeout.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        timeout, self._timeout = self._timeout, None
        assert timeout is not None
        self.spent += asyncio.get_running_loop().time() - self._entered
        try:
            await timeout.__aexit__(exc_type, exc, tb)
        except TimeoutError:
            if timeout.expired():
                raise self.expired() from None
            raise


class Fetcher:
    """An HTTP client for feeds and pages; use as ``async with Fetcher(config) as f``."""

    def __init__(self, config: FetchConfig | None = None) -> None:
        self.config = config or FetchConfig()
        self._session: aiohttp.ClientSession | None = None
        self._robots = RobotsCache(self.config.user_agent, self._fetch_robots)
        self._slots = asyncio.Semaphore(self.config.max_connections)
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._host_locks: dict[str, asyncio.Lock] = {}
        self._host_last: dict[str, float] = {}
        self._hosts_ok: set[str] = set()  # hosts check_host passed (its answer never changes)
        self._host_timeouts: dict[str, int] = {}  # timeouts in a row, by host
        self._limits = BodyLimits.of(self.config)

    async def __aenter__(self) -> Fetcher:
        cfg = self.config
        connector = aiohttp.TCPConnector(
            limit=cfg.max_connections,
            limit_per_host=cfg.per_host_connections,
            resolver=GuardedResolver(cfg.networks, overrides=dict(cfg.host_overrides)),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            # total_timeout is the Budget of each URL, across its hops; aiohttp's own total
            # would restart at every hop (and count time spent waiting for the pool).
            timeout=aiohttp.ClientTimeout(
                total=None,
                sock_connect=cfg.connect_timeout,
                sock_read=cfg.read_timeout,
            ),
            headers={"User-Agent": cfg.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            auto_decompress=False,
            trust_env=False,
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._robots.close()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(self, request: FetchRequest | str) -> FetchResult:
        """Fetch one URL; problems are recorded in the result, never raised."""
        if isinstance(request, str):
            request = FetchRequest(request)
        return await self._fetch(request, check_robots=self.config.respect_robots)

    async def fetch_many(
        self,
        requests: Iterable[FetchRequest | str],
        on_result: Callable[[FetchResult], None] | None = None,
    ) -> list[FetchResult]:
        """Fetch all ``requests`` concurrently; results in request order.

        ``on_result`` is called with each result as soon as it is ready.
        """

        async def one(request: FetchRequest | str) -> FetchResult:
            result = await self.fetch(request)
            if on_result is not None:
                on_result(result)
            return result

        return list(await asyncio.gather(*(one(r) for r in requests)))

    async def _fetch(
        self,
        request: FetchRequest,
        *,
        check_robots: bool,
        limits: BodyLimits | None = None,
        on_start: Callable[[], None] | None = None,
    ) -> FetchResult:
        started = time.monotonic()
        result = FetchResult(url=request.url, final_url=request.url, fetched_at=datetime.now(UTC))
        budget = Budget(request.url, self.config.total_timeout)
        try:
            await self._follow(
                request, result, check_robots, limits or self._limits, budget, on_start
            )
        except FetchError as exc:
            result.error_kind, result.error = exc.kind, exc.message
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
            result.error_kind, result.error = classify(exc)
        result.elapsed = time.monotonic() - started
        if result.error is not None:
            result.body, result.text = b"", None
            log.info("fetch %s failed (%s): %s", request.url, result.error_kind, result.error)
        else:
            log.debug("fetched %s: %s in %.3fs", request.url, result.status, result.elapsed)
        return result

    async def _follow(
        self,
        request: FetchRequest,
        result: FetchResult,
        check_robots: bool,
        limits: BodyLimits,
        budget: Budget,
        on_start: Callable[[], None] | None,
    ) -> None:
        """Request ``request.url``, following redirects, filling ``result``."""
        if self._session is None:
            raise RuntimeError("use the Fetcher as `async with Fetcher(config) as fetcher`")
        url = check_scheme(request.url)
        headers: dict[str, str] = {}
        if request.etag:
            headers["If-None-Match"] = request.etag
        if request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        while True:
            if url.raw_host not in self._hosts_ok:
                check_host(url, self.config.networks)
                self._hosts_ok.add(url.raw_host or "")
            if check_robots and not await self._robots_allow(url, budget):
                raise FetchError("robots", f"refused: robots.txt of {url.origin()} disallows {url}")
            result.final_url = str(url)
            location = await self._hop(url, headers, result, limits, budget, on_start)
            if location is None:
                return
            if len(result.redirects) >= self.config.max_redirects:
                raise FetchError(
                    "too-many-redirects",
                    f"more than {self.config.max_redirects} redirects (fetch.max_redirects)",
                )
            try:
                url = check_scheme(url.join(URL(location)))
            except ValueError:
                raise FetchError("bad-redirect", f"unusable redirect to {location!r}") from None
            result.redirects.append(str(url))

    async def _robots_allow(self, url: URL, budget: Budget) -> bool:
        """Whether robots.txt allows ``url``; waiting for its request to start spends nothing."""
        task, started = self._robots.pending(url)
        if not task.done() and not started.is_set():
            waiter = asyncio.ensure_future(started.wait())
            try:
                await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
        async with budget:
            parser = await asyncio.shield(task)
        return self._robots.can_fetch(parser, url)

    async def _hop(
        self,
        url: URL,
        headers: dict[str, str],
        result: FetchResult,
        limits: BodyLimits,
        budget: Budget,
        on_start: Callable[[], None] | None,
    ) -> str | None:
        """One request; the next location for a redirect, else ``None`` with ``result`` filled."""
        assert self._session is not None
        host = (url.raw_host or "").lower()
        self._skip_if_hanging(host)
        await self._polite(host)
        slot = self._host_slots.get(host)
        if slot is None:
            slot = self._host_slots[host] = asyncio.Semaphore(self.config.per_host_connections)
        async with self._slots, slot:
            self._skip_if_hanging(host)  # its turn came after others timed out
            if on_start is not None:
                on_start()
            try:
                async with budget:
                    location = await self._request(url, headers, result, limits)
            except FetchError as exc:
                self._answered(host, timed_out=exc.kind == "timeout")
                raise
            except TimeoutError:  # connect and read timeouts (aiohttp's are TimeoutErrors)
                self._answered(host, timed_out=True)
                raise
            self._answered(host, timed_out=False)
            return location

    def _answered(self, host: str, *, timed_out: bool) -> None:
        """Count ``host``'s timeouts in a row (an answer of any kind ends the row)."""
        if timed_out:
            self._host_timeouts[host] = self._host_timeouts.get(host, 0) + 1
        else:
            self._host_timeouts.pop(host, None)

    def _skip_if_hanging(self, host: str) -> None:
        """:class:`FetchError` (``timeout``) once ``host`` has timed out :data:`HOST_TIMEOUTS`
        times in a row: its other URLs wait for the next run instead of each timing out."""
        count = self._host_timeouts.get(host, 0)
        if count >= HOST_TIMEOUTS:
            raise FetchError(
                "timeout",
                f"skipped: {host} timed out {count} times in a row in this run; "
                "left for the next run",
            )

    async def _request(
        self, url: URL, headers: dict[str, str], result: FetchResult, limits: BodyLimits
    ) -> str | None:
        """The request of one hop, body included (see :meth:`_hop`)."""
        assert self._session is not None
        async with self._session.get(url, headers=headers, allow_redirects=False) as resp:
            result.status = resp.status
            result.headers = {k.lower(): v for k, v in resp.headers.items()}
            result.content_type = resp.headers.get("Content-Type")
            retry = resp.headers.get("Retry-After")
            result.retry_after = parse_retry_after(retry, datetime.now(UTC)) if retry else None
            if resp.status in REDIRECT_STATUSES:
                location = resp.headers.get("Location")
                if not location:
                    raise FetchError("bad-redirect", f"HTTP {resp.status} without Location")
                return location
            result.etag = resp.headers.get("ETag") or headers.get("If-None-Match")
            result.last_modified = resp.headers.get("Last-Modified") or headers.get(
                "If-Modified-Since"
            )
            if resp.status == 304:
                result.not_modified = True
                return None
            if resp.status >= 400:
                raise FetchError("http-status", f"HTTP {resp.status} {resp.reason or ''}".strip())
            body = await read_body(
                resp.content,
                resp.headers.get("Content-Encoding"),
                resp.content_length,
                limits,
            )
        result.body = body
        if is_text(result.content_type):
            result.text, result.encoding = decode(body, result.content_type)
        return None

    async def _polite(self, host: str) -> None:
        """Wait until ``politeness_delay`` has passed since the last request to ``host``."""
        delay = self.config.politeness_delay
        if delay <= 0:
            return
        lock = self._host_locks.setdefault(host, asyncio.Lock())
        loop = asyncio.get_running_loop()
        async with lock:
            last = self._host_last.get(host)
            if last is not None and (wait := last + delay - loop.time()) > 0:
                await asyncio.sleep(wait)
            self._host_last[host] = loop.time()

    async def _fetch_robots(
        self, url: str, on_start: Callable[[], None]
    ) -> tuple[int | None, bytes]:
        limits = BodyLimits(MAX_ROBOTS_BYTES, MAX_ROBOTS_BYTES, self.config.max_decompression_ratio)
        result = await self._fetch(
            FetchRequest(url), check_robots=False, limits=limits, on_start=on_start
        )
        if result.error_kind == "http-status":
            return result.status, b""
        if result.error is not None:
            return None, b""
        return result.status, result.body


def fetch_all(
    requests: Iterable[FetchRequest | str], config: FetchConfig | None = None
) -> list[FetchResult]:
    """Fetch ``requests`` concurrently from synchronous code (runs its own event loop)."""

    async def run() -> list[FetchResult]:
        async with Fetcher(config) as fetcher:
            return await fetcher.fetch_many(requests)

    return asyncio.run(run())

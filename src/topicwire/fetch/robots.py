"""robots.txt: fetched once per origin and session, through the same guarded client.

A robots.txt that is missing or forbidden (4xx) allows everything; one that cannot be fetched
(5xx, timeout, refused) allows everything too, and the problem is logged.

Each origin's load is a task shared by every URL of that origin, with an event set once its
request has a connection slot (:meth:`RobotsCache.pending`): a URL that waits for it can keep its
own clock stopped while the load merely waits in the fetcher's queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.robotparser import RobotFileParser

from yarl import URL

log = logging.getLogger(__name__)

#: Largest robots.txt read (Google reads 500 KiB).
MAX_ROBOTS_BYTES = 500 * 1024

#: Fetches a robots.txt URL: its status (``None`` when unreachable) and body. The second argument
#: is called each time the fetch starts a request (it holds a connection slot).
RobotsFetch = Callable[[str, Callable[[], None]], Awaitable[tuple[int | None, bytes]]]


def parse_robots(status: int | None, body: bytes, origin: str) -> RobotFileParser:
    """The rules of one origin from the answer to its robots.txt request."""
    parser = RobotFileParser(origin + "/robots.txt")
    if status is not None and 200 <= status < 300:
        parser.parse(body.decode("utf-8", errors="replace").splitlines())
        return parser
    if status is None or status >= 500:
        log.info("robots.txt of %s unavailable (status %s); allowing all", origin, status)
    parser.parse([])  # no rules: everything allowed
    return parser


class RobotsCache:
    """robots.txt rules by origin, each fetched at most once (concurrent callers share it)."""

    def __init__(self, user_agent: str, fetch: RobotsFetch) -> None:
        self._user_agent = user_agent
        self._fetch = fetch
        self._rules: dict[str, tuple[asyncio.Task[RobotFileParser], asyncio.Event]] = {}

    async def _load(self, origin: str, started: asyncio.Event) -> RobotFileParser:
        status, body = await self._fetch(origin + "/robots.txt", started.set)
        return parse_robots(status, body, origin)

    def pending(self, url: URL) -> tuple[asyncio.Task[RobotFileParser], asyncio.Event]:
        """The load of ``url``'s origin (started now if new), and its "request started" event."""
        origin = str(url.origin())
        entry = self._rules.get(origin)
        if entry is None:
            started = asyncio.Event()
            entry = (asyncio.ensure_future(self._load(origin, started)), started)
            self._rules[origin] = entry
        return entry

    def can_fetch(self, parser: RobotFileParser, url: URL) -> bool:
        """Whether ``parser``'s rules let our user agent fetch ``url``."""
        return parser.can_fetch(self._user_agent, str(url))

    async def allowed(self, url: URL) -> bool:
        """Whether our user agent may fetch ``url`` (waits for the origin's rules)."""
        task, _ = self.pending(url)
        return self.can_fetch(await asyncio.shield(task), url)

    def close(self) -> None:
        """Cancel loads still running."""
        for task, _ in self._rules.values():
            task.cancel()

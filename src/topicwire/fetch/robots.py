"""robots.txt: fetched once per origin and session, through the same guarded client.

A robots.txt that is missing or forbidden (4xx) allows everything; one that cannot be fetched
(5xx, timeout, refused) allows everything too, and the problem is logged.
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

#: Fetches a robots.txt URL: its status (``None`` when unreachable) and body.
RobotsFetch = Callable[[str], Awaitable[tuple[int | None, bytes]]]


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
        self._rules: dict[str, asyncio.Task[RobotFileParser]] = {}

    async def _load(self, origin: str) -> RobotFileParser:
        status, body = await self._fetch(origin + "/robots.txt")
        return parse_robots(status, body, origin)

    async def allowed(self, url: URL) -> bool:
        """Whether our user agent may fetch ``url``."""
        origin = str(url.origin())
        task = self._rules.get(origin)
        if task is None:
            task = asyncio.ensure_future(self._load(origin))
            self._rules[origin] = task
        parser = await asyncio.shield(task)
        return parser.can_fetch(self._user_agent, str(url))

    def close(self) -> None:
        """Cancel loads still running."""
        for task in self._rules.values():
            task.cancel()

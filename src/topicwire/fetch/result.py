"""What a fetch is asked and what it answers: :class:`FetchRequest` and :class:`FetchResult`.

Also how exceptions raised while fetching become the result's ``error_kind`` and ``error``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import aiohttp

from topicwire.fetch.errors import FetchError

_TEXT_HINTS = ("text/", "xml", "json", "html", "javascript", "rss", "atom")


@dataclass(frozen=True)
class FetchRequest:
    """One URL to fetch, with the validators of the last successful fetch, if any."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class FetchResult:
    """What happened to one :class:`FetchRequest`; ``error`` is set when it failed.

    ``headers`` are those of the last response, keyed in lower case. ``text`` is ``None`` for
    failures, 304s and bodies that are not text.
    """

    url: str
    final_url: str
    fetched_at: datetime
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    text: str | None = None
    encoding: str | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    redirects: list[str] = field(default_factory=list)
    error: str | None = None
    error_kind: str | None = None
    retry_after: float | None = None
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        """True for a 2xx body or a 304."""
        return self.error is None


def is_text(content_type: str | None) -> bool:
    """Whether a body of this media type should be decoded to text."""
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return any(hint in media for hint in _TEXT_HINTS)


def _refusal_in(exc: BaseException) -> FetchError | None:
    """A :class:`FetchError` (the SSRF guard's) somewhere in the cause chain of ``exc``."""
    current: BaseException | None = exc
    visited: set[int] = set()
    while current is not None and id(current) not in visited:
        if isinstance(current, FetchError):
            return current
        visited.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def classify(exc: Exception) -> tuple[str, str]:
    """``(error_kind, message)`` for an exception raised while fetching."""
    refusal = _refusal_in(exc)
    if refusal is not None:
        return refusal.kind, refusal.message
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return "timeout", "timed out: no connection within fetch.connect_timeout"
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return "timeout", "timed out: the server sent nothing for fetch.read_timeout"
    if isinstance(exc, TimeoutError):
        return "timeout", f"timed out ({type(exc).__name__})"
    if isinstance(exc, aiohttp.InvalidURL):
        return "scheme", _short(f"invalid URL: {exc}")
    if isinstance(exc, aiohttp.ClientResponseError):
        # raised while the answer was read (aiohttp files it as a 400 of its own)
        return "connection", _short(f"not a valid HTTP answer: {exc.message}")
    return "connection", _short(f"{type(exc).__name__}: {exc}")


#: longest error message kept: what a server sends may end up in one, and it is stored
MAX_MESSAGE = 300


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"

"""Errors of the fetch stage.

:meth:`topicwire.fetch.Fetcher.fetch` never raises for network or HTTP problems: it returns a
:class:`~topicwire.fetch.client.FetchResult` whose ``error`` and ``error_kind`` say what went
wrong. These classes are raised inside the stage (and by helpers such as
:func:`topicwire.fetch.guard.check_scheme`) and mapped onto that result at its boundary.
"""

from __future__ import annotations

from topicwire.errors import TopicwireError

#: Every value ``FetchResult.error_kind`` can take, with what it means.
ERROR_KINDS: dict[str, str] = {
    "scheme": "the URL is not http or https, or has no usable host",
    "ssrf": "the address is loopback, private, link-local, reserved or otherwise not public",
    "robots": "robots.txt disallows the URL for our user agent",
    "timeout": "connecting, reading or the whole request took too long",
    "connection": "DNS, TCP, TLS or protocol failure",
    "too-large": "the body is larger than fetch.max_bytes",
    "decompression-bomb": "the decompressed body is too large or too compressed",
    "unsupported-encoding": "the server used a Content-Encoding we do not decode",
    "too-many-redirects": "more than fetch.max_redirects redirects",
    "bad-redirect": "a redirect without a usable Location header",
    "http-status": "the server answered with a 4xx or 5xx status",
}


class FetchError(TopicwireError):
    """A fetch failed; ``kind`` is one of :data:`ERROR_KINDS`."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        self.message = message
        super().__init__(message)


class AddressRefused(FetchError):
    """The SSRF guard refused an address (kind ``ssrf``)."""

    def __init__(self, message: str) -> None:
        super().__init__("ssrf", message)


class SchemeRefused(FetchError):
    """The URL is not http(s) or has no host (kind ``scheme``)."""

    def __init__(self, message: str) -> None:
        super().__init__("scheme", message)

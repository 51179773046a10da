"""URL helpers shared by every stage: the canonical key that identifies an article.

Two addresses that differ only in things that never change which page is served (the case of the
scheme and host, a default port, a ``#fragment``, tracking parameters such as ``utm_source``) give
the same key, so the same article read through two links is stored once.
"""

from __future__ import annotations

from urllib.parse import urlsplit

#: query parameters that only say where a click came from; dropped from the key
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_hsenc",
        "_hsmi",
        "ref_src",
    }
)

#: query parameter prefixes that are tracking (``utm_source``, ``utm_medium`` ...)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

DEFAULT_PORTS: dict[str, str] = {
    "http": "80",
    "https": "443",
    "ws": "80",
    "wss": "443",
    "ftp": "21",
}


#: what ``urlsplit`` strips from the start of a URL (C0 controls and space)
_C0_OR_SPACE = "".join(chr(code) for code in range(0x21))


def is_tracking_param(name: str) -> bool:
    """True when the query parameter ``name`` only tracks clicks (``utm_*``, ``fbclid`` ...)."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _canonical_netloc(netloc: str, scheme: str) -> str:
    """Lowercase the host (not the user info) and drop the port when it is the scheme's default."""
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):  # IPv6 literal: "[::1]" or "[::1]:8080"
        end = hostport.find("]")
        host, rest = (hostport[: end + 1], hostport[end + 1 :]) if end >= 0 else (hostport, "")
        port = rest[1:] if rest.startswith(":") else None
        if port is None and rest:
            host, port = hostport, None
    elif ":" in hostport:
        host, _, port = hostport.partition(":")
    else:
        host, port = hostport, None
    host = host.lower()
    if port is not None and port != "" and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return f"{userinfo}{at}{host}"


def _canonical_query(query: str) -> str:
    """Drop tracking parameters and empty pieces; keep the other parameters as written, in order."""
    kept = [
        piece
        for piece in query.split("&")
        if piece and not is_tracking_param(piece.partition("=")[0])
    ]
    return "&".join(kept)


def canonical_key(url: str) -> str:
    """The canonical form of ``url`` used as an article's identity.

    Lowercases the scheme and host, drops a default port, the fragment and tracking query
    parameters (``utm_*``, ``fbclid``, ``gclid`` ...), keeps the other parameters in order and the
    path as written (an empty path becomes ``/``). Applying it twice gives the same result.

    Raises ``ValueError`` when ``url`` cannot be split into parts (e.g. an unclosed IPv6 host).
    """
    cleaned = url.strip().replace("\t", "").replace("\r", "").replace("\n", "").lstrip(_C0_OR_SPACE)
    parts = urlsplit(cleaned)
    scheme = parts.scheme.lower()
    rest = cleaned[len(scheme) + 1 :] if scheme else cleaned
    has_authority = bool(parts.netloc) or rest.startswith("//")
    key = f"{scheme}:" if scheme else ""
    path = parts.path
    if has_authority:
        key += "//" + _canonical_netloc(parts.netloc, scheme)
        path = path or "/"
    key += path
    query = _canonical_query(parts.query)
    if query:
        key += "?" + query
    stripped = key.strip()
    # dropping a trailing piece can leave trailing blanks, which a second pass would strip
    return key if stripped == key else canonical_key(stripped)

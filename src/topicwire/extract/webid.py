"""Who published a page and under which address: webUrl, provider name and domain.

The page's canonical link is trusted as ``webUrl`` only when it is plausibly the same article:

- it is an absolute http(s) URL (relative ones are resolved against the page URL first);
- it is on the same registrable domain as the URL the page was found at;
- its path is not the site root (``/``, ``/index.html``, ``/en/``): a canonical pointing at the home
  page is a CMS mistake;
- when both paths differ and both carry a slug of two or more words, the slugs share at least one
  word (a canonical naming a different article is distrusted).

Otherwise the URL as found is used. Either way tracking parameters (``utm_*``, ``fbclid``, ...)
and the ``#fragment`` are removed; everything else (case of the path, other parameters and their
order) is kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit, urlunsplit

from tld import get_fld

from topicwire.model import Provider
from topicwire.urls import is_tracking_param

_SLUG_WORD = re.compile(r"[a-z0-9]{3,}")
_ROOT_PATH = re.compile(r"^/?(?:[a-z]{2}(?:-[a-z]{2})?/?)?(?:index\.\w+)?$", re.IGNORECASE)
_EXTENSION = re.compile(r"\.(?:s?html?|php|aspx?|jsp|cms)$", re.IGNORECASE)


def strip_tracking(url: str) -> str:
    """``url`` without tracking query parameters and fragment, otherwise exactly as written."""
    parts = urlsplit(url.strip())
    kept = [p for p in parts.query.split("&") if p and not is_tracking_param(p.partition("=")[0])]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(kept), ""))


def host_of(url: str | None) -> str:
    """The lower-cased host of ``url`` without ``www.`` (empty when there is none)."""
    if not url:
        return ""
    host = (urlsplit(url.strip()).hostname or "").lower()
    return host.removeprefix("www.")


def registrable_domain(url: str | None) -> str:
    """``bbc.co.uk`` for ``https://www.bbc.co.uk/news``: the public-suffix-aware site domain."""
    host = host_of(url)
    if not host:
        return ""
    found = get_fld(f"http://{host}", fail_silently=True)
    return str(found) if found else host


def _slug_words(path: str) -> set[str]:
    segments = [s for s in path.split("/") if s]
    if not segments:
        return set()
    last = _EXTENSION.sub("", segments[-1].lower())
    return set(_SLUG_WORD.findall(last))


def trusted_canonical(canonical: str | None, url: str | None) -> str | None:
    """``canonical`` resolved against ``url`` when it passes the rules above, else None."""
    if not canonical or not canonical.strip():
        return None
    resolved = urljoin(url or "", canonical.strip())
    parts = urlsplit(resolved)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if _ROOT_PATH.match(parts.path):
        return None
    if not url:
        return resolved
    if registrable_domain(resolved) != registrable_domain(url):
        return None
    page_path = urlsplit(url).path
    if page_path.rstrip("/") != parts.path.rstrip("/"):
        mine, theirs = _slug_words(page_path), _slug_words(parts.path)
        if len(mine) >= 2 and len(theirs) >= 2 and not mine & theirs:
            return None
    return resolved


def web_url(url: str | None, canonical: str | None, og_url: str | None = None) -> str | None:
    """The address to publish: the trusted canonical (or og:url), else ``url``; no tracking."""
    chosen = trusted_canonical(canonical, url) or trusted_canonical(og_url, url) or url
    return strip_tracking(chosen) if chosen else None


def provider_name(
    domain: str,
    *,
    host: str | None = None,
    site_name: str | None = None,
    publisher: str | None = None,
    providers: Mapping[str, Provider] | None = None,
) -> str | None:
    """og:site_name, else the JSON-LD publisher, else the registry's name, else the domain.

    The registry is looked up by ``host`` (without ``www.``) first, then by ``domain``.
    """
    if site_name:
        return site_name
    if publisher:
        return publisher
    for key in (host, domain):
        entry = providers.get(key) if providers and key else None
        if entry is not None and entry.name:
            return entry.name
    return domain or None

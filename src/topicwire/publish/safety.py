"""The last check before a stored article is written out: only web addresses leave the site.

The importer and the fetch flow refuse ``javascript:``, ``data:`` and other non-web URLs, but
a store may hold older rows, rows written by hand or by another tool. A published record is read
by other programs (the reference site's templates link its ``webUrl`` and images), so every URL
field of a record is kept only when it is an absolute http(s) URL (images: or a path on this
site, ``/images/...``); anything else is left out of the record, never rewritten.
"""

from __future__ import annotations

from typing import Any

from topicwire.limits import is_web_url
from topicwire.model import Article, Image, Provider, RelatedItem

_LINK_FIELDS = ("original_url", "web_url", "amp_web_url", "cdn_amp_web_url")


def linkable(url: str | None) -> str | None:
    """``url`` (stripped) when a page may link it: an absolute http(s) URL with a host, or a path
    on this site (``/...``); else ``None`` (``javascript:``, ``data:``, ``//host``, no URL)."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    return url if is_web_url(url) else None


def image_ok(image: Image) -> bool:
    """True when ``image`` may be linked (see :func:`linkable`)."""
    return linkable(image.url) is not None


def _images(images: list[Image]) -> list[Image] | None:
    """``images`` less the unsafe ones, or ``None`` when all are safe (nothing to copy)."""
    kept = [image for image in images if image_ok(image)]
    return None if len(kept) == len(images) else kept


def _provider(provider: Provider | None) -> Provider | None:
    if provider is None:
        return None
    images = _images(provider.images)
    return None if images is None else provider.model_copy(update={"images": images})


def _links(item: Article | RelatedItem) -> dict[str, Any]:
    """The changes that make ``item``'s own URL fields, images and provider safe."""
    update: dict[str, Any] = {
        name: None
        for name in _LINK_FIELDS
        if getattr(item, name) is not None and not is_web_url(getattr(item, name))
    }
    images = _images(item.images)
    if images is not None:
        update["images"] = images
    provider = _provider(item.provider)
    if provider is not None:
        update["provider"] = provider
    return update


def web_links_only(article: Article) -> Article:
    """``article`` with every non-web URL left out (itself when it has none: no copy made)."""
    update = _links(article)
    related = []
    changed = False
    for item in article.related:
        fix = _links(item)
        changed = changed or bool(fix)
        related.append(item.model_copy(update=fix) if fix else item)
    if changed:
        update["related"] = related
    return article.model_copy(update=update) if update else article

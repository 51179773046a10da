"""The lead image and the in-article images of a page, with their sizes when the page says them.

Sizes come from ``width``/``height`` attributes or from the largest ``srcset`` candidate (``800w``
descriptors; ``2x`` densities when the base width is known); fetching image headers happens
elsewhere. Skipped: ``data:`` URIs, favicons, logos, icons, sprites, avatars, 1x1 tracking pixels,
images from tracking hosts and images known to be smaller than ``MIN_SIZE`` on either side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import urljoin, urlsplit

from lxml.etree import XPath  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]

from topicwire.extract.metadata import MetaImage
from topicwire.model import Image

#: an image smaller than this (pixels) on either known side is decoration, not content
MIN_SIZE = 100

_SKIP_WORDS = re.compile(
    r"favicon|apple-touch|\blogo|sprite|\bicons?\b|/icons?/|avatar|gravatar|spacer|blank\.gif|"
    r"transparent\.(?:gif|png)|placeholder|1x1|badge|emoji",
    re.IGNORECASE,
)
_TRACKING_HOSTS = re.compile(
    r"(?:^|\.)(?:doubleclick\.net|google-analytics\.com|googletagmanager\.com|facebook\.com|"
    r"scorecardresearch\.com|quantserve\.com|bat\.bing\.com|pixel\.wp\.com|stats\.wp\.com|"
    r"analytics\.[a-z.]+|adservice\.google\.[a-z.]+|amazon-adsystem\.com|chartbeat\.net|"
    r"taboola\.com|outbrain\.com)$",
    re.IGNORECASE,
)
_SRC_ATTRS = ("src", "data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src")
_SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")
_ARTICLE_BODY = XPath('//*[@itemprop="articleBody"]')
_CLASS_CONTAINERS = XPath(
    '//*[contains(@class, "entry-content") or contains(@class, "article-body")'
    ' or contains(@class, "post-content") or contains(@class, "story-body")]'
)


def _dimension(value: str | None) -> int | None:
    if not value:
        return None
    match = re.match(r"^\s*(\d+)(?:\.\d+)?\s*(?:px)?\s*$", value)
    return int(match.group(1)) if match else None


def parse_srcset(srcset: str) -> list[tuple[str, str]]:
    """``srcset`` as (url, descriptor) pairs: ``("a.jpg", "800w")``, ``("b.jpg", "2x")``."""
    out: list[tuple[str, str]] = []
    for candidate in re.split(r",\s+(?=\S)", srcset.strip()):
        pieces = candidate.strip().split()
        if pieces:
            out.append((pieces[0].rstrip(","), pieces[1].lower() if len(pieces) > 1 else "1x"))
    return out


def best_candidate(srcset: str, base_width: int | None) -> tuple[str, int | None] | None:
    """The largest candidate of ``srcset`` and its width (known for ``w``, or ``x`` with a base)."""
    best: tuple[float, str, int | None] | None = None
    for url, descriptor in parse_srcset(srcset):
        try:
            amount = float(descriptor[:-1])
        except ValueError:
            continue
        width: int | None
        if descriptor.endswith("w"):
            key, width = amount * 10_000, int(amount)
        elif descriptor.endswith("x"):
            width = int(base_width * amount) if base_width else None
            key = width * 10_000.0 if width else amount
        else:
            continue
        if best is None or key > best[0]:
            best = (key, url, width)
    return None if best is None else (best[1], best[2])


def is_wanted(url: str, width: int | None = None, height: int | None = None) -> bool:
    """False for data URIs, favicons/logos/sprites, tracking pixels and tiny images."""
    if not url or url.startswith("data:") or not url.startswith(("http://", "https://")):
        return False
    parts = urlsplit(url)
    if _TRACKING_HOSTS.search(parts.hostname or "") or _SKIP_WORDS.search(parts.path):
        return False
    if parts.path.lower().endswith((".ico", ".svg")):
        return False
    return not (
        (width is not None and width < MIN_SIZE) or (height is not None and height < MIN_SIZE)
    )


def _container(tree: HtmlElement) -> HtmlElement:
    """The element holding the article: itemprop=articleBody, else <article>, else <main>, else
    a conventionally named content <div>, else <body> (the longest when there are several)."""
    found: list[HtmlElement] = _ARTICLE_BODY(tree)
    if not found:
        found = list(tree.iter("article")) or list(tree.iter("main")) or _CLASS_CONTAINERS(tree)
    if found:
        return found[0] if len(found) == 1 else max(found, key=lambda el: len(el.text_content()))
    body = tree.find(".//body")
    return body if body is not None else tree


def _title(img: HtmlElement) -> str | None:
    figure = next((a for a in img.iterancestors("figure")), None)
    caption = figure.find(".//figcaption") if figure is not None else None
    text = caption.text_content() if caption is not None else img.get("alt") or ""
    text = " ".join(text.split())
    return text[:300] or None


def _picture_srcset(img: HtmlElement) -> str | None:
    """The srcset of the ``<source>`` of the ``<picture>`` around ``img`` (lxml may nest the
    ``<img>`` inside the ``<source>``)."""
    for ancestor in img.iterancestors("source", "picture"):
        if ancestor.tag == "source" and ancestor.get("srcset"):
            return str(ancestor.get("srcset"))
        if ancestor.tag == "picture":
            source = ancestor.find(".//source[@srcset]")
            return None if source is None else str(source.get("srcset"))
    return None


def _from_img(img: HtmlElement, base: str) -> Image | None:
    if _SKIP_WORDS.search(" ".join((img.get("class") or "", img.get("id") or ""))):
        return None
    width, height = _dimension(img.get("width")), _dimension(img.get("height"))
    src = next((img.get(a) for a in _SRC_ATTRS if (img.get(a) or "").strip()), None)
    srcset = next((img.get(a) for a in _SRCSET_ATTRS if (img.get(a) or "").strip()), None)
    if srcset is None:
        srcset = _picture_srcset(img)
    if srcset:
        chosen = best_candidate(srcset, width)
        if chosen is not None:
            src, best_width = chosen[0], chosen[1]
            if best_width and width and height:
                height = round(best_width * height / width)
            width = best_width or width
    if not src or src.strip().startswith("data:"):
        return None
    url = urljoin(base, src.strip())
    if not is_wanted(url, width, height):
        return None
    return Image(url=url, width=width, height=height, is_cached=False, title=_title(img))


def _key(url: str) -> str:
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}{parts.path}"


def article_images(tree: HtmlElement, base: str) -> Iterator[Image]:
    """The wanted images inside the page's main content container, in page order."""
    for img in _container(tree).iter("img"):
        image = _from_img(img, base)
        if image is not None:
            yield image


def collect_images(
    tree: HtmlElement, base: str, meta_images: Iterable[MetaImage] = ()
) -> list[Image]:
    """Lead image first (og:image / JSON-LD / twitter, else the first article image), deduped."""
    found: dict[str, Image] = {}
    for meta in meta_images:
        url = urljoin(base, meta.url.strip())
        if is_wanted(url, meta.width, meta.height) and _key(url) not in found:
            found[_key(url)] = Image(url=url, width=meta.width, height=meta.height, is_cached=False)
            break  # only one lead image from metadata; the rest are renditions of it
    for image in article_images(tree, base):
        key = _key(image.url)
        if key in found:
            lead = found[key]
            lead.width = lead.width or image.width
            lead.height = lead.height or image.height
            lead.title = lead.title or image.title
        else:
            found[key] = image
    return list(found.values())

"""Extraction from HTML: one function, :func:`extract_html`, reading top to bottom.

parse (once, with trafilatura's decoder) -> page metadata -> images -> dates -> space the block
boundaries where words would run together -> main text with trafilatura (minus a repeated
headline) -> repair every field -> assemble.

The trafilatura options (:data:`TRAFILATURA_OPTIONS`) were chosen with ``bench/extraction.py``;
see ``bench/README.md`` for the numbers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import trafilatura
from lxml.etree import XPath  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.utils import load_html

from topicwire.extract.dates import choose_dates
from topicwire.extract.excerpt import make_excerpt
from topicwire.extract.images import collect_images
from topicwire.extract.metadata import PageMeta, read_metadata
from topicwire.extract.repair import Repairs, repair_field, repair_text
from topicwire.extract.result import Extracted, ExtractError
from topicwire.extract.webid import host_of, provider_name, registrable_domain, web_url
from topicwire.limits import MAX_LINE_CHARS
from topicwire.model import Provider

log = logging.getLogger(__name__)

#: how trafilatura is called (chosen by measurement, see bench/README.md)
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_formatting": False,
    "include_images": False,
    "include_links": False,
    "output_format": "txt",
}

#: trafilatura runs first with ``fast=True`` (no comparison with its fallback extractors); the
#: full extraction runs only when that text is shorter than ``FAST_RETRY_BELOW`` characters or
#: than ``FAST_RETRY_SHARE`` of the page's visible text (~17% of the benchmark pages). Measured
#: with bench/extraction.py: F1 as good as always running the full extraction (better on the
#: trafilatura set), at ~1.3x its speed. ``None`` always runs the full extraction.
FAST_RETRY_BELOW: int | None = 500
FAST_RETRY_SHARE = 0.05

#: elements that start a new line when rendered: text on either side of them never runs together
BLOCK_TAGS = (
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
)  # fmt: skip

#: leaf <div>s inside list items, definitions and quotes, whose texts trafilatura joins with no
#: space (see the tests)
_GLUING_DIVS = XPath(
    "(//li | //dd | //dt | //blockquote)//div[not(.//div or .//p or .//ul or .//ol"
    " or .//table or .//h1 or .//h2 or .//h3 or .//h4 or .//h5 or .//h6)]"
)
_BLOCKS = frozenset(BLOCK_TAGS)

_TITLE_SEPARATORS = re.compile(r"\s+[|\u2013\u2014\u00b7:-]\s+")


def _space_before(el: HtmlElement) -> int:
    """Make the text just before ``el`` end with whitespace; 1 when something was added."""
    prev = el.getprevious()
    if prev is not None:
        if prev.tail and not prev.tail[-1].isspace():
            prev.tail += " "
            return 1
        if not prev.tail and (prev.tag not in _BLOCKS or prev.tag == "div"):
            prev.tail = " "
            return 1
        return 0
    parent = el.getparent()
    if parent is not None and parent.text and not parent.text[-1].isspace():
        parent.text += " "
        return 1
    return 0


def space_block_boundaries(tree: HtmlElement) -> int:
    """Make sure text on either side of a block element boundary cannot run together.

    Browsers render ``<div>a<div>b</div>c</div>`` or ``<li><div>x</div><div>y</div></li>`` on
    separate lines; trafilatura joins such text as ``abc`` / ``xy``. So a space is put wherever
    text touches a block element, and a leaf ``<div>`` inside ``<li>``, ``<dd>``, ``<dt>`` or
    ``<blockquote>`` becomes a ``<span>`` followed by a space (trafilatura drops whitespace
    between blocks there, and making
    them ``<p>`` changed its choice of main content on some benchmark pages). Inline boundaries
    (``this<a>isn't</a>``) are left alone: there the page itself has no space. Returns how many
    boundaries were changed.
    """
    changed = 0
    for div in _GLUING_DIVS(tree):
        div.tag = "span"
        changed += _space_before(div)
        if not div.tail or not div.tail[0].isspace():
            div.tail = " " + (div.tail or "")
            changed += 1
    for el in tree.iter(*BLOCK_TAGS):
        tail = el.tail
        if tail and not tail[0].isspace():
            el.tail = " " + tail
            changed += 1
        prev = el.getprevious()
        if prev is not None:  # the common cases inline: this loop sees every block element
            before = prev.tail
            if before and before[-1].isspace():
                continue
            if before or prev.tag not in _BLOCKS or prev.tag == "div":
                prev.tail = (before or "") + " "
                changed += 1
        else:
            changed += _space_before(el)
    return changed


def _title(meta: PageMeta, tree: HtmlElement) -> str:
    if meta.title:
        return meta.title
    h1 = tree.find(".//h1")
    if h1 is not None and h1.text_content().strip():
        return " ".join(h1.text_content().split())
    if meta.html_title:
        return max(_TITLE_SEPARATORS.split(meta.html_title), key=len)
    return ""


def _drop_leading_title(text: str, tree_title: str, meta: PageMeta) -> tuple[str, int]:
    """``text`` without a first paragraph that only repeats the page title (h1 or meta)."""
    head, _, rest = text.partition("\n\n")
    folded = head.strip().casefold()
    if not folded or len(folded) > 300:
        return text, 0
    titles = [tree_title, meta.title or "", meta.html_title or ""]
    for title in (t.casefold() for t in titles if t):
        if folded == title or (len(folded) >= 20 and title.startswith(folded)):
            return rest, 1
    return text, 0


def _language(meta: PageMeta) -> str | None:
    if not meta.language:
        return None
    primary = re.split(r"[-_]", meta.language.strip())[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _needs_full(text: str, tree: HtmlElement, below: int) -> bool:
    """True when the fast extraction looks too short for the page (see ``FAST_RETRY_BELOW``)."""
    if len(text) < below:
        return True
    body = tree.find(".//body")
    if body is None:
        return False
    raw = body.text_content()
    if len(text) >= FAST_RETRY_SHARE * len(raw):  # whitespace only shrinks the visible text
        return False
    return len(text) < FAST_RETRY_SHARE * len(" ".join(raw.split()))


def main_text(tree: HtmlElement, url: str | None) -> str:
    """trafilatura's main text of ``tree``, one paragraph per blank-line block.

    trafilatura works on its own copy of the tree, so ``tree`` can be extracted from twice.
    """
    try:
        text = ""
        if FAST_RETRY_BELOW is not None:
            fast = trafilatura.extract(tree, url=url or None, fast=True, **TRAFILATURA_OPTIONS)
            text = fast or ""
        if FAST_RETRY_BELOW is None or _needs_full(text, tree, FAST_RETRY_BELOW):
            text = trafilatura.extract(tree, url=url or None, **TRAFILATURA_OPTIONS) or ""
    except Exception as exc:  # trafilatura's failures are data: no text
        log.warning("trafilatura failed on %s: %s", url, exc)
        return ""
    return "\n\n".join(line.strip() for line in text.split("\n") if line.strip())


def extract_html(
    html: str | bytes,
    url: str,
    *,
    providers: Mapping[str, Provider] | None = None,
    now: datetime | None = None,
    repair: bool = True,
) -> Extracted:
    """Clean text and metadata of the page ``html`` found at ``url``.

    ``providers`` is the provider registry keyed by domain; ``now`` is the clock that future dates
    are checked against; ``repair=False`` skips the repair stage (for the bench only).
    Raises :class:`ExtractError` when the input cannot be parsed as HTML at all.
    """
    tree = load_html(html)
    if tree is None:
        raise ExtractError(f"not parseable as HTML: {url or '<input>'}")
    meta = read_metadata(tree)
    address = web_url(url, meta.canonical, meta.og_url)
    images = collect_images(tree, address or url, meta.images)
    dates = choose_dates(meta.published, meta.modified, tree=tree, url=url, now=now)
    space_block_boundaries(tree)
    h1 = tree.find(".//h1")
    h1_text = " ".join(h1.text_content().split()) if h1 is not None else ""
    text = main_text(tree, url)
    language = _language(meta)
    repairs = Repairs(dates.repairs)
    title = _title(meta, tree)[:MAX_LINE_CHARS]  # a page's 5 MB <title> stays on the page
    author = ", ".join(meta.authors) or None
    text, dropped = _drop_leading_title(text, h1_text, meta)  # the body never repeats the title
    repairs.add("repeated-heading", dropped)
    if repair:
        text, fixed = repair_text(text, language=language)
        repairs.update(fixed)
        title, fixed = repair_field(title)
        repairs.update(fixed)
        if author:
            author, fixed = repair_field(author)
            repairs.update(fixed)
    description, fixed = repair_field(meta.description)
    if not text.strip():
        repairs.update(fixed)
    site_name, fixed = repair_field(meta.site_name)
    repairs.update(fixed)
    publisher, fixed = repair_field(meta.publisher)
    repairs.update(fixed)
    domain = registrable_domain(address or url)
    return Extracted(
        title=title,
        excerpt=make_excerpt(text, fallback=description),
        text=text,
        author=author or None,
        published_at=dates.published,
        updated_at=dates.updated,
        language=language,
        canonical_url=address,
        original_url=url or None,
        provider_name=provider_name(
            domain,
            host=host_of(address or url),
            site_name=site_name or None,
            publisher=publisher or None,
            providers=providers,
        ),
        provider_domain=domain or None,
        images=images,
        og_type=meta.og_type,
        json_ld_type=meta.json_ld_type,
        site_name=site_name or None,
        repairs=repairs,
    )

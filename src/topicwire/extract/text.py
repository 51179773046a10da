"""Extraction from plain text or markdown (seed 000 style: the first line is the title,
paragraphs are separated by blank lines)."""

from __future__ import annotations

import re
from typing import Any

from topicwire.extract.dates import choose_dates
from topicwire.extract.excerpt import make_excerpt
from topicwire.extract.repair import Repairs, repair_field, repair_text
from topicwire.extract.result import Extracted
from topicwire.extract.webid import provider_name, registrable_domain, web_url

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_MD_CODE = re.compile(r"`([^`]+)`")
_MD_RULE = re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.MULTILINE)
_MD_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE)


def strip_markdown(text: str) -> str:
    """Markdown as plain text: headings, links, emphasis, code ticks and rules reduced to text.

    Images become their alt text on a line of their own (repair then drops it as alt text when a
    credit line names it); list markers are kept.
    """
    text = _MD_IMAGE.sub(lambda m: f"\n{m.group(1)}\n" if m.group(1) else "", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_RULE.sub("", text)
    text = _MD_QUOTE.sub("", text)
    text = _MD_CODE.sub(r"\1", text)
    return _MD_EMPHASIS.sub(r"\2", text)


def _front(front_matter: dict[str, Any] | None, *keys: str) -> Any:
    for key in keys:
        if front_matter and front_matter.get(key) not in (None, ""):
            return front_matter[key]
    return None


def extract_text(
    text: str,
    *,
    url: str | None = None,
    title: str | None = None,
    markdown: bool = False,
    front_matter: dict[str, Any] | None = None,
) -> Extracted:
    """Title, body, excerpt and what the front matter says, from plain text or markdown.

    Without ``title`` (argument or front matter) the first non-empty line is the title. The
    body's first line is dropped when it repeats the title.
    """
    body = strip_markdown(text) if markdown else text
    repairs = Repairs()
    title = title or _front(front_matter, "title")
    if not title:
        first, _, body = body.strip().partition("\n")
        title = first
    title, fixed = repair_field(str(title))
    repairs.update(fixed)
    language = _front(front_matter, "locale", "language", "lang")
    body, fixed = repair_text(body, language=str(language) if language else None)
    repairs.update(fixed)
    head, _, rest = body.partition("\n\n")
    if head.casefold() == title.casefold():
        body = rest
        repairs.add("repeated-heading")
    url = url or _front(front_matter, "originalUrl", "url", "webUrl")
    address = web_url(url, _front(front_matter, "webUrl"))
    description, _ = repair_field(_front(front_matter, "excerpt", "description"))
    dates = choose_dates(
        [str(v) for v in [_front(front_matter, "publishedDateTime", "date")] if v],
        [str(v) for v in [_front(front_matter, "updatedDateTime")] if v],
        url=url,
    )
    repairs.update(dates.repairs)
    domain = registrable_domain(address or url)
    provider = _front(front_matter, "provider")
    name = provider.get("name") if isinstance(provider, dict) else None
    author = _front(front_matter, "author")
    return Extracted(
        title=title,
        excerpt=make_excerpt(body, fallback=description),
        text=body,
        author=repair_field(str(author))[0] if author else None,
        published_at=dates.published,
        updated_at=dates.updated,
        language=str(language) if language else None,
        canonical_url=address,
        original_url=url,
        provider_name=provider_name(domain, site_name=name),
        provider_domain=domain or None,
        repairs=repairs,
    )

"""OPML subscription lists: tolerant import, clean OPML 2.0 export.

Reading tries three ways, each more forgiving than the last, and records which one worked:

1. strict XML with defusedxml (entity declarations and external references refused);
2. bare ``&`` escaped, then strict again, else lxml with ``recover=True`` (entities never
   resolved, no network, no huge trees);
3. a tag-level scan of ``<outline ... xmlUrl="...">`` that survives bare ``&`` and unescaped ``"``
   in attribute values. It also runs after step 2, to catch outlines the recovering parser lost.

Categories: a feed nested in ``<outline text="Tech"><outline text="AI" .../>`` gets the category
``"Tech / AI"``. ``Source`` has no category field, so categories are returned beside the sources,
in ``OpmlResult.categories`` (source URL -> category path); titles are left as the list gives them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from xml.etree import ElementTree

import defusedxml.ElementTree as safe_et  # type: ignore[import-untyped, unused-ignore]
from defusedxml import DefusedXmlException  # type: ignore[import-untyped, unused-ignore]
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from topicwire.errors import ParseError
from topicwire.limits import MAX_DEPTH
from topicwire.model import Source
from topicwire.sources.opml_scan import (
    Outline,
    count_feed_outlines,
    repair_ampersands,
    scan_outlines,
)
from topicwire.sources.xmlsafety import check_size, scan_for_entities

__all__ = ["OpmlResult", "read_opml", "write_opml"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OpmlResult:
    """Feeds read from an OPML list.

    ``method`` is ``"strict"``, ``"recover"`` (lxml) or ``"scan"`` (tag-level regex);
    ``recovered`` is true unless the strict parse succeeded. ``problems`` says what could not be
    read or was skipped (one line each).
    """

    sources: list[Source] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    recovered: bool = False
    method: str = "strict"
    categories: dict[str, str] = field(default_factory=dict)


_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def read_opml(data: bytes, *, path: str | None = None) -> OpmlResult:
    """Read the feeds of an OPML document, recovering what a broken file still holds.

    Raises ``ParseError`` only when the document declares XML entities or holds no OPML at all.
    """
    check_size(data, path=path)
    scan_for_entities(data, path=path, what="OPML file")
    problems: list[str] = []
    method = "strict"
    outlines: list[Outline] | None = None
    try:
        outlines = _walk(safe_et.fromstring(data, forbid_dtd=False), path, problems)
    except DefusedXmlException as exc:
        raise ParseError(
            f"refused: the OPML file uses forbidden XML features ({exc})", path=path
        ) from exc
    except ElementTree.ParseError as exc:
        line, column = exc.position if exc.position else (None, None)
        reason = str(exc).rsplit(": line", 1)[0]
        problems.append(
            f"not well-formed XML at line {line}, column {column} ({reason}); "
            "recovered what could be read"
        )
    except (LookupError, ValueError) as exc:  # an encoding expat cannot read: "EUC-JP", "x"
        problems.append(f"the XML parser cannot read the document ({exc}); recovered what it could")
    if outlines is None:
        method = "recover"
        repaired = repair_ampersands(data)
        if repaired != data:
            problems.append("escaped bare '&' characters before recovering")
        outlines = _strict_or_none(repaired, path, problems) or _recover(repaired, path, problems)
        scanned = {o.url: o for o in scan_outlines(data)}
        outlines = [_fill(o, scanned.get(o.url)) for o in outlines]
        known = {o.url for o in outlines}
        missed = [o for url, o in scanned.items() if url not in known]
        if missed and not outlines:
            method = "scan"
        elif missed:
            problems.append(
                f"{len(missed)} feeds lost by the recovering XML parser were found by a tag scan"
            )
        outlines += missed
        if not outlines and b"<opml" not in data[:4096].lower():
            raise ParseError("not an OPML document: no <opml> element and no outlines", path=path)
    declared = count_feed_outlines(data)
    if declared > len(outlines):
        problems.append(f"{declared - len(outlines)} outlines with an xmlUrl could not be read")
    return _result(outlines, problems, method)


def _strict_or_none(data: bytes, path: str | None, problems: list[str]) -> list[Outline] | None:
    try:
        return _walk(safe_et.fromstring(data, forbid_dtd=False), path, problems)
    except (DefusedXmlException, ElementTree.ParseError, ParseError, LookupError, ValueError):
        return None


def _fill(outline: Outline, scanned: Outline | None) -> Outline:
    """Complete a recovered outline with the title and category the tag scan saw."""
    if scanned is None:
        return outline
    return Outline(
        outline.url,
        outline.title or scanned.title,
        outline.category or scanned.category,
    )


def _result(outlines: list[Outline], problems: list[str], method: str) -> OpmlResult:
    sources: list[Source] = []
    categories: dict[str, str] = {}
    seen: set[str] = set()
    for outline in outlines:
        scheme = outline.url.split(":", 1)[0].lower() if ":" in outline.url else ""
        if scheme not in ("http", "https"):
            problems.append(f"skipped {outline.title or 'untitled'!r}: not an http(s) URL")
            continue
        if outline.url in seen:
            problems.append(f"skipped duplicate {outline.url}")
            continue
        seen.add(outline.url)
        title = outline.title if outline.title != outline.url else None
        sources.append(Source(url=outline.url, kind="feed", title=title))
        if outline.category:
            categories[outline.url] = outline.category
    if not sources:
        problems.append("no feed outlines (outline elements with an xmlUrl) found")
    for problem in problems:
        logger.debug("OPML: %s", problem)
    return OpmlResult(sources, problems, method != "strict", method, categories)


def _label(element: Any) -> str | None:
    for key in ("title", "text"):
        value = element.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _walk(root: Any, path: str | None, problems: list[str] | None = None) -> list[Outline]:
    """Feed outlines of a parsed tree, each with its enclosing outline titles as category.

    Walked with a stack of its own, not by recursion, so a list nested thousands of levels deep
    is read like a flat one; categories keep the outermost ``MAX_DEPTH`` titles (a problem in
    ``problems`` says so).
    """
    if not isinstance(root.tag, str) or root.tag.rsplit("}", 1)[-1].lower() != "opml":
        raise ParseError(f"not an OPML document: the root element is <{root.tag}>", path=path)
    found: list[Outline] = []
    stack: list[tuple[Iterator[Any], tuple[str, ...]]] = [(iter(root), ())]
    deepest = 0
    while stack:
        children, trail = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue
        deepest = max(deepest, len(stack))
        if not isinstance(child.tag, str) or child.tag.rsplit("}", 1)[-1] != "outline":
            stack.append((iter(child), trail))
            continue
        url = _attr(child, "xmlUrl")
        label = _label(child)
        if url:
            found.append(Outline(url.strip(), label, " / ".join(trail) or None))
        inner = (*trail, label) if label and not url and len(trail) < MAX_DEPTH else trail
        stack.append((iter(child), inner))
    if deepest > MAX_DEPTH and problems is not None:
        problem = (
            f"outlines nested {deepest:,} levels deep: those below level {MAX_DEPTH} were read "
            f"as if flat (their categories keep the outermost {MAX_DEPTH} titles)"
        )
        if problem not in problems:
            problems.append(problem)
    return found


def _attr(element: Any, name: str) -> str | None:
    for key, value in element.attrib.items():
        if str(key).lower() == name.lower():
            return str(value)
    return None


def _recover(data: bytes, path: str | None, problems: list[str]) -> list[Outline]:
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    try:
        return _walk(root, path, problems)
    except ParseError:
        return []


def write_opml(
    sources: list[Source], *, title: str, categories: dict[str, str] | None = None
) -> str:
    """Return an OPML 2.0 document listing ``sources`` (attributes escaped by ElementTree).

    With ``categories`` (URL -> ``"A / B"``), feeds are nested in category outlines, as
    ``read_opml`` reads them back. Characters XML cannot carry are removed.
    """
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = _xml_safe(title)
    ElementTree.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC))
    body = ElementTree.SubElement(root, "body")
    folders: dict[tuple[str, ...], ElementTree.Element] = {}
    for source in sources:
        parent = body
        category = (categories or {}).get(source.url)
        trail: tuple[str, ...] = ()
        for name in [p.strip() for p in (category or "").split(" / ") if p.strip()]:
            trail = (*trail, name)
            if trail not in folders:
                folders[trail] = ElementTree.SubElement(
                    parent, "outline", text=_xml_safe(name), title=_xml_safe(name)
                )
            parent = folders[trail]
        attrs = {"type": "rss", "xmlUrl": _xml_safe(source.url)}
        if source.title:
            attrs |= {"text": _xml_safe(source.title), "title": _xml_safe(source.title)}
        else:
            attrs["text"] = _xml_safe(source.url)
        ElementTree.SubElement(parent, "outline", attrs)
    ElementTree.indent(root)
    text: str = ElementTree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def _xml_safe(value: str) -> str:
    return _INVALID_XML_CHARS.sub("", value)

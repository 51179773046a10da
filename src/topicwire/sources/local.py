"""Local files as sources: HTML pages, plain text and markdown (front matter optional).

Bytes are decoded as UTF-8 (a BOM is honoured); anything else goes through charset-normalizer's
detection, and the encoding used is reported. Markdown front matter (between ``---`` lines at the
top) is read with ``yaml.safe_load``; a malformed block raises ``ParseError`` naming the file and
the line, and so does one nested too deep or holding too much (see :mod:`topicwire.limits`).
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from charset_normalizer import from_bytes

from topicwire.errors import ParseError
from topicwire.limits import value_problem, yaml_depth_problem
from topicwire.sources.xmlsafety import check_size

__all__ = ["LocalDocument", "decode_text", "read_local"]

logger = logging.getLogger(__name__)

_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_TEXT_SUFFIXES = {".txt", ".text"}
_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_EMPTY_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
_HTML_SNIFF = re.compile(r"\A\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
_MD_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


@dataclass(frozen=True, slots=True)
class LocalDocument:
    """A local file's text: ``kind`` is ``html``, ``text`` or ``markdown``.

    ``content`` is the text after any front matter; ``title`` comes from front matter, the HTML
    ``<title>`` or the first markdown heading; ``encoding`` is the one used to decode the bytes.
    """

    path: Path
    kind: str
    content: str
    front_matter: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    encoding: str = "utf-8"


def read_local(path: Path) -> LocalDocument:
    """Read ``path`` as an HTML, text or markdown document; ``ParseError`` when unreadable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror or exc}", path=path) from exc
    check_size(data, path=str(path))
    text, encoding = decode_text(data, path=str(path))
    suffix = path.suffix.lower()
    if suffix in _HTML_SUFFIXES or (suffix not in _MARKDOWN_SUFFIXES and _HTML_SNIFF.match(text)):
        return LocalDocument(path, "html", text, {}, _html_title(text), encoding)
    if suffix in _MARKDOWN_SUFFIXES or (suffix not in _TEXT_SUFFIXES and text.startswith("---\n")):
        front, body = split_front_matter(text, path=path)
        title = _string(front.get("title")) or _md_title(body)
        return LocalDocument(path, "markdown", body, front, title, encoding)
    return LocalDocument(path, "text", text, {}, _text_title(text), encoding)


def decode_text(data: bytes, *, path: str | None = None) -> tuple[str, str]:
    """Decode ``data``: UTF-8 (BOM honoured) first, then charset-normalizer's best guess."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_western(data):
        return data.decode("cp1252"), "cp1252"
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        logger.debug("%s: decoded as %s (not UTF-8)", path or "<input>", best.encoding)
        return str(best), best.encoding
    logger.debug("%s: no encoding detected; decoded as cp1252 with replacements", path)
    return data.decode("cp1252", errors="replace"), "cp1252"


#: cp1254 (Turkish) letters read as cp1252 become these rare Icelandic letters.
_TURKISH_TELLS = set("\u00d0\u00f0\u00dd\u00fd\u00de\u00fe")
_WESTERN_EXTRA = set("\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u20ac\u00a0\u00ab\u00bb")


def _looks_western(data: bytes) -> bool:
    """True for cp1252 text with sparse accented letters (French, German, Spanish ...).

    charset-normalizer often mistakes short Western texts for mac_latin2 or cp1257; text whose
    non-ASCII characters are all Latin-1 letters or typographic punctuation, and make up under half
    of its letters, is cp1252. Cyrillic or Greek mis-decoded as cp1252 is far denser.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    extra = [c for c in text if ord(c) > 127]
    if not extra:
        return True
    western = all(
        ("\u00c0" <= c <= "\u00ff" and c.isalpha() and c not in _TURKISH_TELLS)
        or c in _WESTERN_EXTRA
        for c in extra
    )
    letters = sum(1 for c in text if c.isalpha())
    accented = sum(1 for c in extra if c.isalpha())
    return western and accented < 0.5 * max(letters, 1)


def split_front_matter(text: str, *, path: Path | str | None = None) -> tuple[dict[str, Any], str]:
    """Split ``---`` YAML front matter from a markdown text; no front matter gives ``{}``."""
    empty = _EMPTY_FRONT_MATTER.match(text)
    if empty:
        return {}, text[empty.end() :]
    match = _FRONT_MATTER.match(text)
    if match is None:
        if text.startswith("---\n") or text.startswith("---\r\n"):
            raise ParseError("front matter is not closed by a '---' line", path=path, line=1)
        return {}, text
    too_deep = yaml_depth_problem(match.group(1))
    if too_deep:  # PyYAML's composer would recurse past the interpreter's limit
        raise ParseError(f"refused: the front matter is {too_deep}", path=path, line=1)
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else None
        raise ParseError(f"bad front matter: {exc.problem or exc}", path=path, line=line) from exc
    except yaml.YAMLError as exc:
        raise ParseError(f"bad front matter: {exc}", path=path, line=1) from exc
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        # PyYAML's constructors on a value its tag cannot be (``!!int abc``, ``0000-01-01``)
        problem = " ".join(str(exc).split())[:120]
        raise ParseError(
            f"bad front matter: a value cannot be read as its type ({problem})", path=path, line=1
        ) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParseError("front matter is not a mapping of keys to values", path=path, line=2)
    too_big = value_problem(data)  # aliases expand here, deep or wide
    if too_big:
        raise ParseError(f"refused: {too_big}", path=path, line=1)
    return {str(k): v for k, v in data.items()}, text[match.end() :]


def _string(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def _html_title(text: str) -> str | None:
    match = _HTML_TITLE.search(text)
    if match is None:
        return None
    text = html.unescape(re.sub(r"<[^>]*>", "", match.group(1)))
    return re.sub(r"\s+", " ", text).strip() or None


def _md_title(body: str) -> str | None:
    match = _MD_HEADING.search(body)
    return match.group(1).strip() if match else None


def _text_title(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip() if len(line.strip()) <= 200 else None
    return None

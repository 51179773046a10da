"""The bounds every reader of untrusted input applies before it parses or computes.

A feed, a page, a record or an OPML list comes from somebody else: these limits are checked
before the input reaches a parser (nesting depth, counts, sizes) or arithmetic (dates), so one
hostile input is refused with a reason instead of exhausting the stack, the memory or the
calendar of the process that reads it.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any
from urllib.parse import urlsplit

#: deepest nesting of arrays/objects (JSON), collections (YAML) or elements (XML) accepted;
#: real feeds and records nest fewer than 20 levels
MAX_DEPTH = 64

#: the earliest publication date taken as real: earlier ones are typos or placeholders
#: (``0001-01-01`` in JSON-LD) and are treated as unknown
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)

#: how far after now a date may lie (clock skew, time zones) before it is treated as unknown
FUTURE_SLACK = timedelta(days=2)

#: schemes an article, entry or record URL may have
WEB_SCHEMES = frozenset({"http", "https"})

#: the most entries kept from one feed (the first ones; the rest are dropped with a warning)
MAX_ENTRIES = 10_000

#: the longest text one field may hold: a record's body, a sealed value, an unknown key (the text
#: of a page of ``fetch.max_bytes``, 10 MB, sealed in base64 fits)
MAX_FIELD_CHARS = 16_000_000

#: the largest record file, or line of a JSON Lines file, that is read
MAX_RECORD_BYTES = 64 * 1024 * 1024

#: the longest a short value may be: a title, an excerpt, a URL, a category
MAX_LINE_CHARS = 10_000

#: the most values (mapping keys and values, list items) one record may hold once read: YAML
#: aliases can repeat a subtree so that a few lines read as billions of values
MAX_RECORD_VALUES = 100_000


def sane_date(value: datetime | None, now: datetime | None = None) -> datetime | None:
    """``value`` when it lies between 1990 and ``now`` + 2 days, else ``None`` (unknown).

    A naive value is taken as UTC. Dates outside that range are placeholders, typos or attacks;
    treating them as unknown keeps them out of every later computation (windows, heat, sorting).
    """
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    try:
        if aware < EARLIEST_DATE or aware > latest:
            return None
    except (OverflowError, ValueError):  # an offset that pushes it past year 1 or 9999
        return None
    return value


def web_url_problem(url: str | None) -> str | None:
    """Why ``url`` cannot be an article's address, or ``None`` when it is an http(s) URL."""
    if not url or not url.strip():
        return "no URL"
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "not a usable URL"
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        return f"not an http(s) URL ({shown})"
    if not parts.hostname:
        return "the URL has no host"
    return None


def is_web_url(url: str | None) -> bool:
    """True when ``url`` is an http(s) URL with a host."""
    return web_url_problem(url) is None


def depth_problem(depth: int) -> str | None:
    """Why a document nested ``depth`` levels deep is refused, or ``None`` when it is not."""
    if depth <= MAX_DEPTH:
        return None
    return f"nested {depth:,} levels deep (at most {MAX_DEPTH} are accepted)"


_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
# opening brackets become 1, closing ones -1 (255 as a signed byte)
_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def json_depth(data: bytes | str) -> int:
    """How deep the arrays and objects of a JSON text nest, counted without parsing it.

    Brackets inside strings are not counted; the count never falls below the real depth, also for
    malformed text (an unclosed bracket counts as open). A few passes of bytes methods, cheaper
    than the ``json.loads`` they guard (about 25 ms a megabyte).
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    # escaped backslashes, then escaped quotes, go; every other quote opens or closes a string
    outside = b"".join(raw.replace(b"\\\\", b"").replace(b'\\"', b"").split(b'"')[::2])
    brackets = outside.translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    return max(0, max(accumulate(array("b", brackets.translate(_BRACKET_STEPS)))))


def json_depth_problem(data: bytes | str) -> str | None:
    """Why a JSON text is refused before parsing (too deep), or ``None``."""
    if isinstance(data, str):
        opened = data.count("[") + data.count("{")
    else:
        opened = data.count(b"[") + data.count(b"{")
    if opened <= MAX_DEPTH:  # cannot nest deeper than it opens: the common, cheap answer
        return None
    return depth_problem(json_depth(data))


_YAML_QUOTED = re.compile(r""""[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\n]*(?:''[^'\n]*)*'""")
_YAML_COMMENT = re.compile(r"(?:^|[ \t])#.*$")
_YAML_INDICATORS = re.compile(r"(?:[-?](?:[ \t]+|$))+")
_YAML_BLOCK_SCALAR = re.compile(r"(?:^|[ \t:])[|>][-+0-9]*[ \t]*$")
_FLOW_BRACKETS = re.compile(r"[\[\]{}]")


def yaml_depth(text: str) -> int:
    """An upper bound of how deep the collections of a YAML text nest, counted without parsing.

    Each deeper indentation counts twice (a mapping may hold a sequence at its own indentation),
    plus the ``-`` and ``?`` indicators that open a collection on the same line, plus the flow
    brackets still open (outside quoted scalars and comments). Block scalars (``|``, ``>``) are
    skipped. Aliases are not followed: :func:`value_problem` bounds what they expand to.
    """
    deepest = 0
    indents: list[int] = []
    flow = 0
    scalar_indent: int | None = None
    for line in text.splitlines():
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        if not body.strip():
            continue
        if scalar_indent is not None:
            if indent > scalar_indent:
                continue  # a line of a block scalar's text
            scalar_indent = None
        if body.startswith("#"):
            continue
        if flow == 0:
            while indents and indents[-1] > indent:
                indents.pop()
            if not indents or indents[-1] < indent:
                indents.append(indent)
        compact = _YAML_INDICATORS.match(body)
        opened = compact.group().count("-") + compact.group().count("?") if compact else 0
        rest = _YAML_COMMENT.sub("", _YAML_QUOTED.sub('""', body))
        line_deepest = flow
        for bracket in _FLOW_BRACKETS.findall(rest):
            flow += 1 if bracket in "[{" else -1
            line_deepest = max(line_deepest, flow)
            if line_deepest > MAX_DEPTH:
                break
        flow = max(flow, 0)
        deepest = max(deepest, 2 * len(indents) + opened + line_deepest)
        if deepest > MAX_DEPTH:
            return deepest
        if flow == 0 and _YAML_BLOCK_SCALAR.search(rest):
            scalar_indent = indent
    return deepest


def yaml_depth_problem(text: str) -> str | None:
    """Why a YAML text is refused before parsing (too deep), or ``None``."""
    depth = yaml_depth(text)
    if depth <= MAX_DEPTH:
        return None
    return f"nested more than {MAX_DEPTH} levels deep"


#: a lone surrogate (a JSON escape such as "\ud800" gives one): no UTF-8 text can hold it
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def no_lone_surrogates(text: str) -> str:
    """``text`` with each lone surrogate made U+FFFD (the replacement character)."""
    return LONE_SURROGATE.sub("\ufffd", text)


def value_problem(
    value: Any,
    *,
    max_values: int = MAX_RECORD_VALUES,
    max_chars: int = MAX_FIELD_CHARS,
    line_keys: Collection[str] = (),
) -> str | None:
    """Why a parsed document (mappings, lists, scalars) cannot be taken, or ``None``.

    Refused: nesting deeper than ``MAX_DEPTH``, more than ``max_values`` values (aliases expand
    each time they are met), a string longer than ``max_chars``, a string under one of the
    top-level ``line_keys`` longer than ``MAX_LINE_CHARS``, or a string with a lone surrogate.
    Walked without recursion, so a value too deep for recursive code is measured safely; the
    problem names the top-level key.
    """
    stack: list[tuple[Any, int, str | None]] = [(value, 0, None)]
    seen = 0
    while stack:
        item, depth, key = stack.pop()
        seen += 1
        if seen > max_values:
            return f"more than {max_values:,} values"
        where = f"'{key}'" if key is not None else "a value"
        if isinstance(item, str):
            limit = MAX_LINE_CHARS if key in line_keys and depth == 1 else max_chars
            if len(item) > limit:
                return f"{where} is {len(item):,} characters long (at most {limit:,})"
            if LONE_SURROGATE.search(item):  # from a "\ud800" escape: no UTF-8 text can hold it
                return f"{where} holds a lone surrogate (an escape such as \\ud800)"
            continue
        if not isinstance(item, Mapping | list | tuple):
            continue
        if depth >= MAX_DEPTH:
            return f"{where} is nested more than {MAX_DEPTH} levels deep"
        if seen + len(stack) + len(item) > max_values:
            return f"more than {max_values:,} values"
        if isinstance(item, Mapping):
            for name, child in item.items():
                top = str(name)[:80] if depth == 0 else key
                stack.append((name, depth + 1, top))
                stack.append((child, depth + 1, top))
        else:
            stack.extend((child, depth + 1, key) for child in item)
    return None

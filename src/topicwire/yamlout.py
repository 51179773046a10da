"""One YAML block writer for everything topicwire writes by hand: records, topics, providers.

The layout is the reference site's: two-space indents, list items two spaces deeper than their
key as ``- item``, nested mappings under their key. Strings are double-quoted unless the caller's
``bare`` rule allows the path *and* YAML would read the bare text back as the same string.
Dates are UTC, ``2023-11-20T18:25:00Z``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import yaml

#: Decides, from a value's key path (``*`` for any list index), whether it may be written bare.
BareRule = Callable[[tuple[str, ...]], bool]

# Characters YAML can carry raw inside double quotes are left alone; the rest are escaped.
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}
_NEEDS_ESCAPE = re.compile('[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]')


def never_bare(path: tuple[str, ...]) -> bool:
    """A rule that quotes every string."""
    return False


def mapping_lines(data: Mapping[Any, Any], bare: BareRule, path: tuple[str, ...] = ()) -> list[str]:
    """``data`` as block YAML lines (no trailing newlines), keys in the mapping's order."""
    return [line for key, value in data.items() for line in entry_lines(key, value, bare, path)]


def entry_lines(
    key: Any, value: Any, bare: BareRule, parent: tuple[str, ...] = (), indent: int = 0
) -> Iterator[str]:
    """Lines for ``key: value`` at ``indent`` spaces."""
    path = (*parent, str(key))
    head = f"{' ' * indent}{_key(key)}:"
    if isinstance(value, Mapping) and value:
        yield head
        for sub_key, sub_value in value.items():
            yield from entry_lines(sub_key, sub_value, bare, path, indent + 2)
    elif isinstance(value, list | tuple) and value:
        yield head
        for item in value:
            yield from _item_lines(item, bare, (*path, "*"), indent + 2)
    else:
        yield f"{head} {scalar(value, bare(path))}"


def _item_lines(item: Any, bare: BareRule, path: tuple[str, ...], indent: int) -> Iterator[str]:
    """Lines for one ``- item`` of a list, the dash at ``indent`` spaces."""
    if isinstance(item, Mapping) and item:
        lines = [
            line
            for sub_key, sub_value in item.items()
            for line in entry_lines(sub_key, sub_value, bare, path, indent + 2)
        ]
    elif isinstance(item, list | tuple) and item:
        lines = [line for sub in item for line in _item_lines(sub, bare, path, indent + 2)]
    else:
        yield f"{' ' * indent}- {scalar(item, bare(path))}"
        return
    yield f"{' ' * indent}- {lines[0][indent + 2 :]}"
    yield from lines[1:]


def _key(key: Any) -> str:
    if isinstance(key, str) and plain_ok(key):
        return key
    return scalar(key, bare=False)


def scalar(value: Any, bare: bool) -> str:
    """One scalar (or an empty collection) as YAML that reads back as the same value."""
    if isinstance(value, str):
        return value if bare and plain_ok(value) else quote(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, list | tuple):
        return "[]"
    raise TypeError(f"cannot write a {type(value).__name__} as YAML: {value!r}")


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    mantissa, _, exponent = repr(value).partition("e")
    if "." not in mantissa:  # YAML 1.1 needs the dot to read it as a float
        mantissa += ".0"
    return f"{mantissa}e{exponent}" if exponent else mantissa


def format_datetime(value: datetime) -> str:
    """``2023-11-20T18:25:00Z``: UTC, seconds, fractions only when there are some."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


@lru_cache(maxsize=8192)
def plain_ok(text: str) -> bool:
    """True when ``text`` reads back unchanged written bare: as a value, a list item and a key."""
    if not text or text != text.strip() or not text.isprintable():
        return False
    try:
        return bool(
            yaml.safe_load(f"k: {text}\n") == {"k": text}
            and yaml.safe_load(f"- {text}\n") == [text]
            and yaml.safe_load(f"{text}: 0\n") == {text: 0}
        )
    except yaml.YAMLError:
        return False


def quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back exactly."""
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, text) + '"'


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}"

"""One YAML block writer for everything topicwire writes by hand: records, topics, providers.

The layout is the reference site's: two-space indents, list items two spaces deeper than their
key as ``- item``, nested mappings under their key. Strings are double-quoted unless the caller's
``bare`` rule allows the path *and* YAML would read the bare text back as the same string.
Dates are UTC, ``2023-11-20T18:25:00Z``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Protocol

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


class Rules(Protocol):
    """Which strings under one key path may be written bare, and the rules of the paths below."""

    @property
    def bare_keys(self) -> Container[str]:
        """The keys (as ``str(key)``; ``"*"`` for a list's items) whose strings may be bare."""
        ...

    def child(self, key: Any) -> Rules:
        """The rules for the value under ``key`` (``"*"`` for a list's items)."""
        ...


class KeyRules:
    """Bare-string decisions precomputed as a tree of keys, so writing needs no path tuples.

    Build it once from the paths whose strings may be written bare; every other path quotes.
    """

    __slots__ = ("bare_keys", "children")

    def __init__(self) -> None:
        self.bare_keys: set[str] = set()
        self.children: dict[str, KeyRules] = {}

    @classmethod
    def from_paths(cls, paths: Iterable[tuple[str, ...]]) -> KeyRules:
        """The rules under which exactly ``paths`` (``*`` for any list index) are bare."""
        root = cls()
        for *parents, last in paths:
            node = root
            for part in parents:
                node = node.children.setdefault(part, cls())
            node.bare_keys.add(last)
        return root

    def child(self, key: Any) -> KeyRules:
        return self.children.get(key if type(key) is str else str(key), _QUOTE_ALL)


_QUOTE_ALL = KeyRules()


class _PathRules:
    """:class:`Rules` from a :data:`BareRule`, asked about each full key path."""

    __slots__ = ("_path", "_rule")

    def __init__(self, rule: BareRule, path: tuple[str, ...]) -> None:
        self._rule = rule
        self._path = path

    @property
    def bare_keys(self) -> _PathRules:
        return self

    def __contains__(self, key: object) -> bool:
        return self._rule((*self._path, str(key)))

    def child(self, key: Any) -> _PathRules:
        return _PathRules(self._rule, (*self._path, str(key)))


def mapping_lines(data: Mapping[Any, Any], bare: BareRule, path: tuple[str, ...] = ()) -> list[str]:
    """``data`` as block YAML lines (no trailing newlines), keys in the mapping's order."""
    out: list[str] = []
    write_mapping(out, data, _PathRules(bare, path))
    return out


def entry_lines(
    key: Any, value: Any, bare: BareRule, parent: tuple[str, ...] = (), indent: int = 0
) -> Iterator[str]:
    """Lines for ``key: value`` at ``indent`` spaces."""
    out: list[str] = []
    write_mapping(out, {key: value}, _PathRules(bare, parent), " " * indent)
    return iter(out)


def write_mapping(out: list[str], data: Mapping[Any, Any], rules: Rules, indent: str = "") -> None:
    """Append the lines for each entry of ``data`` to ``out``, in order, at ``indent``.

    ``rules`` are those of the path holding ``data``.
    """
    for key, value in data.items():
        name = key if type(key) is str and plain_ok(key) else _key(key)
        kind = type(value)
        if kind is str:
            bare = (key if type(key) is str else str(key)) in rules.bare_keys
            out.append(f"{indent}{name}: {value if bare and plain_ok(value) else quote(value)}")
        elif kind in _SIMPLE_SCALARS:  # not a string, so the rules do not matter
            out.append(f"{indent}{name}: {_SIMPLE_SCALARS[kind](value)}")
        elif isinstance(value, Mapping) and value:
            out.append(f"{indent}{name}:")
            write_mapping(out, value, rules.child(key), indent + "  ")
        elif isinstance(value, list | tuple) and value:
            out.append(f"{indent}{name}:")
            sub = rules.child(key)
            items, items_bare, deeper = sub.child("*"), "*" in sub.bare_keys, indent + "  "
            for item in value:
                _write_item(out, item, items, items_bare, deeper)
        else:
            out.append(f"{indent}{name}: {scalar(value, str(key) in rules.bare_keys)}")


def _write_item(out: list[str], item: Any, rules: Rules, bare: bool, indent: str) -> None:
    """Append the lines for one ``- item`` of a list, the dash at ``indent``.

    ``rules`` are those of the items' path, ``bare`` whether a string item may be bare.
    """
    if type(item) is str:
        out.append(f"{indent}- {item if bare and plain_ok(item) else quote(item)}")
        return
    first = len(out)
    deeper = indent + "  "
    if isinstance(item, Mapping) and item:
        write_mapping(out, item, rules, deeper)
    elif isinstance(item, list | tuple) and item:
        for sub in item:  # a nested list's items share the outer list's path
            _write_item(out, sub, rules, bare, deeper)
    else:
        out.append(f"{indent}- {scalar(item, bare)}")
        return
    # The first line of the item moves up onto the dash.
    out[first] = f"{indent}- {out[first][len(deeper) :]}"


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
    if type(value) is datetime:
        return _format_utc(value)
    return _strftime_utc(value)


@lru_cache(maxsize=4096)
def _format_utc(value: datetime) -> str:
    """:func:`format_datetime` of a UTC datetime, cached: related items repeat the dates of
    other articles. ``isoformat`` gives :func:`_strftime_utc`'s text several times faster."""
    return _with_fraction(value.isoformat("T", "seconds")[:19], value)


def _strftime_utc(value: datetime) -> str:
    # the year has four digits: glibc's %Y writes year 609 as "609", which YAML reads back as a
    # string, not a date
    return _with_fraction(f"{value.year:04d}" + value.strftime("-%m-%dT%H:%M:%S"), value)


def _with_fraction(text: str, value: datetime) -> str:
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


#: the only bare words starting with a letter that YAML (1.1, as PyYAML reads it) turns into
#: something else than a string: booleans and null
_YAML_WORDS = frozenset(
    f(word)
    for word in ("yes", "no", "true", "false", "on", "off", "null")
    for f in (str.lower, str.capitalize, str.upper)
)
#: text that is a plain string whatever YAML does with it: a letter first, then letters,
#: digits, spaces, dots, dashes and underscores (no indicator, no ``: `` or `` #``)
_SIMPLE_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._-]*")


@lru_cache(maxsize=8192)
def plain_ok(text: str) -> bool:
    """True when ``text`` reads back unchanged written bare: as a value, a list item and a key."""
    if not text or text != text.strip() or not text.isprintable():
        return False
    if _SIMPLE_PLAIN.fullmatch(text):
        # (each worker of a publish asks afresh: the parser costs a quarter millisecond)
        return text not in _YAML_WORDS
    try:
        return bool(
            yaml.safe_load(f"k: {text}\n") == {"k": text}
            and yaml.safe_load(f"- {text}\n") == [text]
            and yaml.safe_load(f"{text}: 0\n") == {text: 0}
        )
    except yaml.YAMLError:
        return False


def quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back exactly (a lone surrogate, which
    no YAML or UTF-8 text can hold, reads back as U+FFFD)."""
    # Printable text can only need its backslashes and quotes escaped: a quicker test than the
    # regular expression, which is left for the rest.
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, text) + '"'


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    if "\ud800" <= char <= "\udfff":
        # a lone surrogate (JSON's "\ud800" gives one) is no character: YAML readers refuse its
        # escape, so it is written as the replacement character and the text stays readable
        return "\\uFFFD"
    code = ord(char)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}"


# Exact scalar types (never a mapping or a list) and their text, tested before the slower ABCs.
_SIMPLE_SCALARS: dict[type, Callable[[Any], str]] = {
    type(None): lambda value: "null",
    bool: lambda value: "true" if value else "false",
    int: str,
    float: _float,
    datetime: format_datetime,
}

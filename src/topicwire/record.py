"""The markdown record: YAML front matter in one canonical layout, then the body.

``parse_record`` reads any record the reference site wrote (quoted or bare strings, missing
fields, unknown keys) into an :class:`~topicwire.model.Article`; ``dump_record`` writes the
canonical layout of the seed record:

* the scalar fields in the model's order, then any unknown scalar keys;
* ``provider``, ``topics``, ``images``, ``related`` and unknown nested keys, each a group of its
  own, groups separated by one blank line;
* ``secured`` last, then the closing ``---``, a blank line and the body.

Free text and URLs are always double-quoted; identifiers (``category``, ``type``, ``locale``,
provider name and domain, topic names) are written bare when YAML would read them back as the
same string, and quoted otherwise. Dates are UTC, ``2023-11-20T18:25:00Z``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from topicwire.errors import RecordError
from topicwire.model import Article

FENCE = "---"

# Keys (by path, ``*`` standing for any list index) whose strings may be written bare.
_BARE_KEYS = frozenset(
    {
        ("category",),
        ("type",),
        ("locale",),
        ("provider", "name"),
        ("provider", "domain"),
        ("topics", "*"),
        ("related", "*", "type"),
        ("related", "*", "provider", "name"),
        ("related", "*", "provider", "domain"),
    }
)
_BARE_CANDIDATE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/&()'+-]*")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_GROUPS = ("provider", "topics", "images", "related")

# Characters YAML can carry raw inside double quotes; everything else is escaped.
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
_RESOLVER = yaml.resolver.Resolver()

# libyaml is much faster; PyYAML's pure-Python loader gives the same data where it is missing.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe loader that refuses duplicate keys instead of silently keeping the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


# --------------------------------------------------------------------------- reading


def read_record(path: str | Path) -> Article:
    """Read the record file at ``path``; errors name the file and the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from exc
    except OSError as exc:
        raise RecordError(f"cannot read the file: {exc.strerror or exc}", path=path) from exc
    return parse_record(text, path=path)


def split_record(text: str, *, path: str | Path | None = None) -> tuple[str, str]:
    """Split a record into its front matter (without fences) and its body."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != FENCE:
        raise RecordError(
            "no front matter: a record starts with a line that is exactly '---'", path=path, line=1
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n") == FENCE:
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            if body.startswith("\r\n"):
                body = body[2:]
            elif body.startswith("\n"):
                body = body[1:]
            return front, body
    raise RecordError(
        "front matter is never closed: no second '---' line", path=path, line=len(lines)
    )


def parse_record(text: str, *, path: str | Path | None = None) -> Article:
    """Parse a record's text into an Article, or raise :class:`RecordError`."""
    front, body = split_record(text, path=path)
    data = _load_front_matter(front, path)
    try:
        return Article.from_data({**data, "body": body})
    except ValidationError as exc:
        raise _validation_error(exc, front, path) from None


def _load_front_matter(front: str, path: str | Path | None) -> dict[str, Any]:
    try:
        data = yaml.load(front, Loader=_StrictLoader)  # a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else None
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{problem} ({exc.context}"
            if exc.context_mark is not None and exc.context_mark is not mark:
                problem += f" that starts on line {exc.context_mark.line + 2}"
            problem += ")"
        raise RecordError(f"invalid YAML: {problem}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise RecordError(f"invalid YAML: {exc}", path=path) from None
    if data is None:
        raise RecordError("the front matter is empty", path=path, line=2)
    if not isinstance(data, dict):
        raise RecordError(
            f"the front matter must be a mapping of keys to values, not a {type(data).__name__}",
            path=path,
            line=2,
        )
    bad = [key for key in data if not isinstance(key, str)]
    if bad:
        raise RecordError(f"front-matter keys must be strings, not {bad[0]!r}", path=path)
    return data


def _validation_error(exc: ValidationError, front: str, path: str | Path | None) -> RecordError:
    """Turn pydantic's first complaint into a RecordError pointing at the offending line."""
    first = exc.errors()[0]
    loc = [part for part in first["loc"] if part != "extra"]
    field = ".".join(str(part) for part in loc) or "front matter"
    value = first.get("input")
    if first["type"] == "missing":
        problem = f"'{field}' is required"
    else:
        problem = f"'{field}': {first['msg'].lower()}, got {value!r}"
    return RecordError(problem, path=path, line=_line_of(front, loc))


def _line_of(front: str, loc: Sequence[int | str]) -> int | None:
    """The 1-based file line of the node at ``loc`` (the nearest existing ancestor)."""
    try:
        node: yaml.Node | None = yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = 1 if node is None else node.start_mark.line + 2
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((kv for kv in node.value if kv[0].value == part), None)
            if found is None:
                break
            line = found[0].start_mark.line + 2
            node = found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 2
        else:
            break
    return line


# --------------------------------------------------------------------------- writing


def dump_record(article: Article) -> str:
    """The article as a record in the canonical layout (a string ending with a newline)."""
    data = article.to_data()
    scalars: list[str] = []
    groups: dict[str, list[str]] = {}
    nested_extra: list[list[str]] = []
    secured = data.pop("secured", None)
    for key, value in data.items():
        lines = list(_emit_entry(key, value, (key,), 0))
        if key in _GROUPS:
            groups[key] = lines
        elif _is_scalar(value):
            scalars.extend(lines)
        else:
            nested_extra.append(lines)
    blocks = [scalars, *(groups[name] for name in _GROUPS if name in groups), *nested_extra]
    if secured is not None:
        blocks.append(list(_emit_entry("secured", secured, ("secured",), 0)))
    front = "\n\n".join("\n".join(block) for block in blocks if block)
    return f"{FENCE}\n{front}\n{FENCE}\n\n{article.body}"


def write_record(article: Article, path: str | Path) -> None:
    """Write ``article`` to ``path`` (parents created); the file is replaced atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(dump_record(article), encoding="utf-8", newline="\n")
    tmp.replace(path)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, Mapping | list | tuple)


def _emit_entry(key: Any, value: Any, path: tuple[str, ...], indent: int) -> Iterator[str]:
    """Lines for ``key: value`` at ``indent`` spaces."""
    pad = " " * indent
    head = f"{pad}{_key(key)}:"
    if isinstance(value, Mapping):
        if not value:
            yield f"{head} {{}}"
            return
        yield head
        for sub_key, sub_value in value.items():
            yield from _emit_entry(sub_key, sub_value, (*path, str(sub_key)), indent + 2)
    elif isinstance(value, list | tuple):
        if not value:
            yield f"{head} []"
            return
        yield head
        for item in value:
            yield from _emit_item(item, (*path, "*"), indent + 2)
    else:
        yield f"{head} {_scalar(value, path)}"


def _emit_item(item: Any, path: tuple[str, ...], indent: int) -> Iterator[str]:
    """Lines for one ``- item`` of a list at ``indent`` spaces."""
    pad = " " * indent
    if isinstance(item, Mapping) and item:
        lines: list[str] = []
        for sub_key, sub_value in item.items():
            lines.extend(_emit_entry(sub_key, sub_value, (*path, str(sub_key)), indent + 2))
        yield f"{pad}- {lines[0][indent + 2 :]}"
        yield from lines[1:]
    elif isinstance(item, list | tuple) and item:
        lines = [line for sub in item for line in _emit_item(sub, path, indent + 2)]
        yield f"{pad}- {lines[0][indent + 2 :]}"
        yield from lines[1:]
    elif isinstance(item, Mapping):
        yield f"{pad}- {{}}"
    elif isinstance(item, list | tuple):
        yield f"{pad}- []"
    else:
        yield f"{pad}- {_scalar(item, path)}"


def _key(key: Any) -> str:
    if isinstance(key, str) and _PLAIN_KEY.fullmatch(key) and _resolves_to_str(key):
        return key
    return _scalar(key, ())


def _scalar(value: Any, path: tuple[str, ...]) -> str:
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
    text = str(value)
    if path in _BARE_KEYS and _can_be_bare(text):
        return text
    return quote(text)


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    mantissa, _, exponent = text.partition("e")
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


def _can_be_bare(text: str) -> bool:
    return (
        bool(_BARE_CANDIDATE.fullmatch(text)) and text == text.rstrip() and _resolves_to_str(text)
    )


def _resolves_to_str(text: str) -> bool:
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag == "tag:yaml.org,2002:str")


def quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back exactly."""
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, text) + '"'


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}"

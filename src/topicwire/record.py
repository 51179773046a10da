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
same string, and quoted otherwise. Dates are UTC, ``2023-11-20T18:25:00Z``. The YAML itself is
written by :mod:`topicwire.yamlout`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from topicwire.errors import RecordError
from topicwire.limits import (
    MAX_FIELD_CHARS,
    no_lone_surrogates,
    value_problem,
    yaml_depth_problem,
)
from topicwire.model import Article
from topicwire.yamlout import KeyRules, write_mapping

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
_BARE_RULES = KeyRules.from_paths(_BARE_KEYS)
_GROUPS = ("provider", "topics", "images", "related")
#: top-level keys whose values are short (at most ``limits.MAX_LINE_CHARS`` characters)
SHORT_KEYS = frozenset(
    {
        "title",
        "excerpt",
        "category",
        "type",
        "locale",
        "webUrl",
        "originalUrl",
        "ampWebUrl",
        "cdnAmpWebUrl",
        "publishedDateTime",
        "updatedDateTime",
    }
)
# Exact types of values that are never nested: a cheap test before the ABC check.
_SCALAR_TYPES = frozenset({str, int, float, bool, type(None), datetime})

# libyaml is much faster; PyYAML's pure-Python loader gives the same data where it is missing.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe loader that refuses duplicate keys instead of silently keeping the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):  # a list or a mapping as a key: ``? [a, b]``
                raise yaml.constructor.ConstructorError(
                    None, None, f"a key must be a scalar, not {key!r}", key_node.start_mark
                )
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
        # bytes decoded as they are: read_text would turn a body's "\r" and "\r\n" into "\n"
        text = path.read_bytes().decode("utf-8")
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
    if len(body) > MAX_FIELD_CHARS:
        raise RecordError(
            f"refused: the body is {len(body):,} characters long (at most {MAX_FIELD_CHARS:,})",
            path=path,
        )
    data = _load_front_matter(front, path)
    try:
        return Article.from_data({**data, "body": body})
    except ValidationError as exc:
        raise _validation_error(exc, front, path) from None


def _load_front_matter(front: str, path: str | Path | None) -> dict[str, Any]:
    too_deep = yaml_depth_problem(front)
    if too_deep:  # PyYAML's pure-Python composer would recurse past the interpreter's limit
        raise RecordError(f"refused: the front matter is {too_deep}", path=path)
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
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        # how PyYAML's constructors fail on a value its tag cannot be: ``!!int abc``,
        # ``!!timestamp "x"``, ``!!bool maybe``, ``0000-01-01``, an int of over 4,300 digits
        raise RecordError(f"invalid YAML: {_constructor_problem(exc)}", path=path) from None
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
    too_big = value_problem(data, line_keys=SHORT_KEYS)  # aliases expand here, deep or wide
    if too_big:
        raise RecordError(f"refused: {too_big}", path=path)
    return data


def _constructor_problem(exc: Exception) -> str:
    """What a PyYAML constructor's own exception says, in one short line."""
    message = " ".join(str(exc).split())[:120]
    return f"a value cannot be read as its type ({type(exc).__name__}: {message})"


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
    secured = data.pop("secured", None)
    scalars: dict[str, Any] = {}
    groups: dict[str, Any] = {}
    nested_extra: list[dict[str, Any]] = []
    for key, value in data.items():
        if key in _GROUPS:
            groups[key] = value
        elif type(value) not in _SCALAR_TYPES and isinstance(value, Mapping | list | tuple):
            nested_extra.append({key: value})
        else:
            scalars[key] = value
    blocks = [scalars, *({name: groups[name]} for name in _GROUPS if name in groups), *nested_extra]
    if secured is not None:
        blocks.append({"secured": secured})
    front = "\n\n".join("\n".join(_lines(block)) for block in blocks if block)
    return f"{FENCE}\n{front}\n{FENCE}\n\n{no_lone_surrogates(article.body)}"


def _lines(block: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    write_mapping(lines, block, _BARE_RULES)
    return lines


def write_record(article: Article, path: str | Path) -> None:
    """Write ``article`` to ``path`` (parents created); the file is replaced atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(dump_record(article), encoding="utf-8", newline="\n")
    tmp.replace(path)

"""The site's taxonomy (``topics/*.yaml``) and provider registry (``providers/*.md``).

Both use the reference site's file formats: a topic file is one YAML mapping (``_id``, ``name``,
``parent`` by name, ``keywords``, ``hashtags``, ``images`` ...); a provider file is YAML front
matter between ``---`` lines (``_id`` = the domain, ``name``, ``domain``, ``images`` ...). Keys
topicwire does not model are kept in ``extra`` and written back. Every error names the file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from topicwire.errors import ConfigError
from topicwire.model import Provider, Topic
from topicwire.text import slugify
from topicwire.yamlout import mapping_lines

log = logging.getLogger(__name__)

TOPIC_SUFFIXES = (".yaml", ".yml")
#: key order of a topic file (the reference layout); other keys follow in their own order
TOPIC_KEY_ORDER = (
    "taxonomy", "_id", "name", "shortname", "parent", "description", "keywords", "hashtags",
    "images",
)  # fmt: skip
#: key order of a provider file; other keys follow in their own order
PROVIDER_KEY_ORDER = (
    "taxonomy", "_id", "name", "otherNames", "domain", "description", "images", "weight",
)  # fmt: skip
_ID_PATTERN = re.compile(r"[^\s/]+")
_R = TypeVar("_R", Topic, Provider)


# -- topics ---------------------------------------------------------------------------------------


def topic_files(directory: Path) -> list[Path]:
    """The topic files of ``directory`` (``*.yaml``, ``*.yml``), sorted by file name."""
    _require_dir(directory, "topics")
    return sorted(
        (p for p in directory.iterdir() if p.suffix in TOPIC_SUFFIXES and p.is_file()),
        key=lambda p: p.name,
    )


def load_topics(directory: Path) -> list[Topic]:
    """Read and check every topic file of ``directory``, in file-name order.

    Raises :class:`ConfigError` listing every problem found, each naming its file: YAML syntax
    (with the line), missing or mistyped fields, duplicate ``_id`` or name, unknown parents and
    parent cycles.
    """
    problems: list[str] = []
    loaded: list[tuple[Path, Topic]] = []
    for path in topic_files(directory):
        try:
            loaded.append((path, read_topic_file(path)))
        except ConfigError as exc:
            problems.append(str(exc))
    problems += check_topics(loaded)
    if problems:
        raise ConfigError("\n".join(problems))
    log.debug("loaded %d topics from %s", len(loaded), directory)
    return [topic for _, topic in loaded]


def read_topic_file(path: Path) -> Topic:
    """One topic file as a :class:`Topic` (no checks across files)."""
    data = _parse_yaml(_read_text(path), path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of topic fields, got {_kind(data)}")
    topic = _validate(Topic, data, path)
    for field, value in (("_id", topic.id), ("name", topic.name)):
        if not value.strip():
            raise ConfigError(f"{path}: `{field}` is empty")
    if not _ID_PATTERN.fullmatch(topic.id):
        raise ConfigError(f"{path}: `_id` {topic.id!r} must not contain spaces or '/'")
    return topic


def check_topics(loaded: Iterable[tuple[Path, Topic]]) -> list[str]:
    """Problems across topic files: duplicate ``_id`` or name, unknown parent, parent cycle."""
    problems: list[str] = []
    by_id: dict[str, Path] = {}
    by_name: dict[str, tuple[Path, Topic]] = {}
    entries = list(loaded)
    for path, topic in entries:
        if topic.id in by_id:
            problems.append(f"{path}: duplicate `_id` {topic.id!r} (also in {by_id[topic.id]})")
        by_id.setdefault(topic.id, path)
        if topic.name in by_name:
            first = by_name[topic.name][0]
            problems.append(f"{path}: duplicate name {topic.name!r} (also in {first})")
        by_name.setdefault(topic.name, (path, topic))
    ids = {topic.id: topic.name for _, topic in entries}
    for path, topic in entries:
        if topic.parent is not None and topic.parent not in by_name:
            hint = ""
            if topic.parent in ids:
                hint = f" (it is the `_id` of {ids[topic.parent]!r}; `parent` takes a name)"
            problems.append(f"{path}: unknown parent {topic.parent!r}{hint}")
    problems += _cycles(by_name)
    return problems


def _cycles(by_name: Mapping[str, tuple[Path, Topic]]) -> list[str]:
    """One message per parent cycle, naming the topics and their files."""
    problems: list[str] = []
    reported: set[str] = set()
    for start in by_name:
        chain: list[str] = []
        name: str | None = start
        while name is not None and name in by_name and name not in chain:
            chain.append(name)
            name = by_name[name][1].parent
        if name is None or name not in chain or name in reported:
            continue
        cycle = [*chain[chain.index(name) :], name]
        reported.update(cycle)
        files = ", ".join(str(by_name[n][0]) for n in cycle[:-1])
        problems.append(f"parent cycle: {' -> '.join(cycle)} (in {files})")
    return problems


def topic_tree(topics: Iterable[Topic]) -> list[tuple[Topic, int]]:
    """Topics depth first with their depth: each root (no known parent), then its subtree.

    Siblings keep their input order. Topics caught in a parent cycle are left out
    (:func:`load_topics` refuses cycles, so this only matters for unchecked input).
    """
    items = list(topics)
    names = {t.name for t in items}
    children: dict[str | None, list[Topic]] = {}
    for topic in items:
        parent = topic.parent if topic.parent in names and topic.parent != topic.name else None
        children.setdefault(parent, []).append(topic)
    out: list[tuple[Topic, int]] = []
    seen: set[int] = set()

    def walk(topic: Topic, depth: int) -> None:
        if id(topic) in seen:
            return
        seen.add(id(topic))
        out.append((topic, depth))
        for child in children.get(topic.name, []):
            walk(child, depth + 1)

    for root in children.get(None, []):
        walk(root, 0)
    return out


def dump_topic(topic: Topic) -> str:
    """A topic file in the reference layout; :func:`read_topic_file` reads it back equal."""
    data = _ordered(topic.to_data(), TOPIC_KEY_ORDER)
    return _dump_mapping(data)


def root_topic(name: str) -> Topic:
    """The root topic ``topicwire init --topic NAME`` starts a site with.

    ``_id`` is the slug of the name, the one keyword is the name in lower case and the one hashtag
    is ``#`` + the name's letters and digits (spaces and punctuation dropped).
    """
    name = name.strip()
    slug = slugify(name)
    if not slug:
        raise ConfigError(f"topic name {name!r} has no letters or digits to make an `_id` from")
    tag = "".join(ch for ch in name if ch.isalnum() or ch == "_")
    data = {
        "taxonomy": "topic",
        "_id": slug,
        "name": name,
        "keywords": [name.lower()],
        "hashtags": [f"#{tag}"],
    }
    return Topic.from_data(data)


# -- providers ------------------------------------------------------------------------------------


def provider_files(directory: Path) -> list[Path]:
    """Provider files of ``directory``, sorted by name: every ``*.md`` file, plus any other
    (not hidden) file that starts with a ``---`` line, like the reference's ``theguardian.com``."""
    _require_dir(directory, "providers")
    out = []
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix == ".md" or _starts_with_front_matter(path):
            out.append(path)
    return out


def load_providers(directory: Path) -> list[Provider]:
    """Read and check every provider file of ``directory``, in file-name order.

    ``_id`` and ``domain`` must agree (either one is enough; the other is filled in), and no two
    files may register the same domain. Raises :class:`ConfigError` naming the file(s).
    """
    problems: list[str] = []
    providers: list[Provider] = []
    seen: dict[str, Path] = {}
    for path in provider_files(directory):
        try:
            provider = read_provider_file(path)
        except ConfigError as exc:
            problems.append(str(exc))
            continue
        domain = provider.domain or ""
        if domain in seen:
            problems.append(f"{path}: duplicate domain {domain!r} (also in {seen[domain]})")
        seen.setdefault(domain, path)
        providers.append(provider)
    if problems:
        raise ConfigError("\n".join(problems))
    log.debug("loaded %d providers from %s", len(providers), directory)
    return providers


def read_provider_file(path: Path) -> Provider:
    """One provider file (front matter only) as a :class:`Provider`; ``_id`` stays in ``extra``."""
    data = _front_matter(_read_text(path), path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of provider fields, got {_kind(data)}")
    key_id, domain = data.get("_id"), data.get("domain")
    if key_id is None and domain is None:
        raise ConfigError(f"{path}: `_id` (the provider's domain) is missing")
    if key_id is not None and not isinstance(key_id, str):
        raise ConfigError(f"{path}: `_id`: expected a string (the domain), got {_kind(key_id)}")
    if key_id is not None and domain is not None and key_id != domain:
        raise ConfigError(f"{path}: `_id` {key_id!r} and `domain` {domain!r} differ")
    if domain is None:
        data["domain"] = key_id
    elif key_id is None:
        data["_id"] = domain
    provider = _validate(Provider, data, path)
    if not (provider.domain or "").strip():
        raise ConfigError(f"{path}: `domain` is empty")
    return provider


def dump_provider(provider: Provider) -> str:
    """A provider file (front matter only) in the reference layout; it reads back equal.

    ``_id`` is written from the domain when the provider does not carry one.
    """
    data = provider.to_data()
    if "_id" not in data and provider.domain:
        data["_id"] = provider.domain
    return "---\n" + _dump_mapping(_ordered(data, PROVIDER_KEY_ORDER)) + "---\n"


def _dump_mapping(data: Mapping[str, Any]) -> str:
    """Block YAML in the reference layout: strings bare where they read back, hashtags quoted."""
    return "".join(line + "\n" for line in mapping_lines(data, _bare))


def _bare(path: tuple[str, ...]) -> bool:
    return path[:1] != ("hashtags",)


# -- helpers --------------------------------------------------------------------------------------


def _require_dir(directory: Path, what: str) -> None:
    if not directory.is_dir():
        raise ConfigError(f"{directory}: {what} folder not found")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc


def _parse_yaml(text: str, path: Path, first_line: int = 1) -> Any:
    """The one YAML document of ``text`` (empty documents, e.g. a trailing ``---``, are ignored)."""
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + first_line}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    if not documents:
        raise ConfigError(f"{path}: the file is empty")
    if len(documents) > 1:
        raise ConfigError(f"{path}: expected one YAML document, found {len(documents)}")
    return documents[0]


def _front_matter(text: str, path: Path) -> Any:
    """The YAML between the opening ``---`` line and the closing ``---`` (or ``...``) line."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise ConfigError(f"{path}:1: expected front matter starting with a '---' line")
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            if "".join(lines[index + 1 :]).strip():
                log.warning("%s: text after the front matter is ignored", path)
            return _parse_yaml("".join(lines[1:index]), path, first_line=2)
    raise ConfigError(f"{path}: front matter is not closed by a '---' line")


def _starts_with_front_matter(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    head = head.removeprefix(b"\xef\xbb\xbf")
    return head.startswith(b"---") and head[3:4] in (b"\n", b"\r", b" ", b"")


def _validate(cls: type[_R], data: dict[str, Any], path: Path) -> _R:
    """``cls.from_data(data)``, with pydantic's errors rewritten to name the file and field."""
    try:
        return cls.from_data(data)
    except ValidationError as exc:
        details = "; ".join(_describe_error(e) for e in exc.errors())
        raise ConfigError(f"{path}: {details}") from None


def _describe_error(error: Mapping[str, Any]) -> str:
    loc = list(error.get("loc", ()))
    if loc and loc[0] == "extra":
        loc = loc[1:]
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
    field = ""
    for part in loc:
        if not field:
            field = str(part)
        else:
            field += f"[{part}]" if isinstance(part, int) else f".{part}"
    if error.get("type") == "missing":
        return f"`{field}` is missing"
    return f"`{field}`: {error.get('msg', 'invalid')} (got {_kind(error.get('input'))})"


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return f"the string {value!r}"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _ordered(data: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    out = {key: data[key] for key in order if key in data}
    out.update((key, value) for key, value in data.items() if key not in out)
    return out

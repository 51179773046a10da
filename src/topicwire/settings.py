"""Site settings, each declared once: name, default, type and help.

Values come from the defaults, then the site's ``topicwire.toml`` (sections ``[site]``,
``[store]`` ...), then the environment (``TOPICWIRE_`` + the dotted name upper-cased with dots as
underscores, e.g. ``TOPICWIRE_STORE_DATABASE_URL``), then explicit overrides (the CLI), each
layer winning over the one before. Every value is checked against the setting's type.
"""

from __future__ import annotations

import logging
import math
import os
import textwrap
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from topicwire.errors import ConfigError

log = logging.getLogger(__name__)

SETTINGS_FILE_NAME = "topicwire.toml"
ENV_PREFIX = "TOPICWIRE_"


@dataclass(frozen=True)
class Setting:
    """One setting: its dotted ``section.key`` name, default, type and one-line help."""

    name: str
    default: Any
    type: type[Any]
    help: str

    @property
    def section(self) -> str:
        """The TOML table the setting lives in (``site`` for ``site.title``)."""
        return self.name.split(".", 1)[0]

    @property
    def key(self) -> str:
        """The key inside its TOML table (``title`` for ``site.title``)."""
        return self.name.split(".", 1)[1]

    @property
    def env_var(self) -> str:
        """The environment variable that overrides the file (``TOPICWIRE_SITE_TITLE``)."""
        return ENV_PREFIX + self.name.upper().replace(".", "_")


SETTINGS: tuple[Setting, ...] = (
    Setting("site.title", "", str, "The site's title; empty means derived from the root topic."),
    Setting("site.topic", "AI", str, "Name of the root topic (a topic in topics/)."),
    Setting(
        "site.base_url", "http://127.0.0.1:8000/", str, "Public address the site is served at."
    ),
    Setting("site.locale", "en-US", str, "Language and region of the site, as a BCP 47 tag."),
    Setting(
        "store.database_url",
        "",
        str,
        "Database URL; empty means the SQLite file store.sqlite_file in the site folder, "
        "a postgresql+psycopg://... URL uses PostgreSQL.",
    ),
    Setting(
        "store.sqlite_file",
        "topicwire.db",
        str,
        "SQLite database file, relative to the site folder (used when database_url is empty).",
    ),
    Setting(
        "fetch.user_agent",
        "topicwire/0.1 (+https://github.com/topicwire/topicwire)",
        str,
        "User-Agent header sent with every request (and matched against robots.txt).",
    ),
    Setting("fetch.connect_timeout", 10.0, float, "Seconds to wait for a connection."),
    Setting("fetch.read_timeout", 30.0, float, "Seconds to wait between two reads of a body."),
    Setting(
        "fetch.total_timeout",
        60.0,
        float,
        "Seconds the fetch of one URL may take in all: connecting, waiting and reading on every "
        "redirect hop, and its site's robots.txt; time queued behind other fetches (connection "
        "limits, politeness delay) does not count.",
    ),
    Setting("fetch.max_bytes", 10_000_000, int, "Largest body accepted, after decompression."),
    Setting("fetch.max_redirects", 5, int, "Redirects followed before a request fails."),
    Setting("fetch.max_connections", 50, int, "Requests in flight at once, over all hosts."),
    Setting("fetch.per_host_connections", 4, int, "Requests in flight at once to one host."),
    Setting("fetch.politeness_delay", 1.0, float, "Seconds between two requests to the same host."),
    Setting("fetch.respect_robots", True, bool, "Obey robots.txt (pages and feeds alike)."),
    Setting(
        "fetch.allowed_networks",
        "",
        str,
        "Comma-separated networks (CIDR) that may be fetched although private or loopback, "
        "e.g. 127.0.0.1/32; empty refuses every private, loopback and reserved address.",
    ),
    Setting(
        "fetch.host_overrides",
        "",
        str,
        "Comma-separated name=address pairs resolved without DNS, like curl --resolve "
        "(e.g. news.example=127.0.0.1); the SSRF guard still checks the address.",
    ),
    Setting(
        "fetch.max_pages_per_source",
        100,
        int,
        "Article pages fetched from one source in one run (newest first); the rest wait.",
    ),
    Setting(
        "fetch.min_interval_minutes", 15, int, "Shortest time before a source is checked again."
    ),
    Setting(
        "fetch.max_interval_minutes", 1440, int, "Longest time before a source is checked again."
    ),
    Setting(
        "fetch.default_interval_minutes",
        60,
        int,
        "Time before the next check when neither the feed nor the server says.",
    ),
    Setting(
        "topics.min_similarity",
        0.30,
        float,
        "Cosine between an article and a topic's profile that supports a keyword match.",
    ),
    Setting(
        "topics.min_root_similarity",
        0.10,
        float,
        "The same for the root topic, whose profile is broader.",
    ),
    Setting(
        "topics.min_implied_similarity",
        0.45,
        float,
        "Cosine a subfield topic needs to imply the root without keyword evidence of the root.",
    ),
    Setting(
        "topics.min_distinct_keywords",
        2,
        int,
        "Different keywords of one topic that assign it without the similarity check.",
    ),
    Setting(
        "stories.window_days",
        4.0,
        float,
        "Days within which a new article may join an existing story.",
    ),
    Setting(
        "stories.related_count",
        5,
        int,
        "Related items per article: the same story from other providers, then nearby stories.",
    ),
    Setting(
        "stories.related_min_similarity",
        0.35,
        float,
        "Cosine an article of another story needs to be listed as related.",
    ),
    Setting(
        "stories.half_life_hours",
        12.0,
        float,
        "Hours after which a provider's contribution to a story's heat has halved.",
    ),
    Setting(
        "stories.original_tie_minutes",
        30,
        int,
        "Reports published this close to the earliest one compete for original report "
        "on provider weight.",
    ),
    Setting(
        "stories.original_min_quality",
        30,
        int,
        "Quality a report needs to count as a credible original report.",
    ),
    Setting(
        "publish.rule_min_quality",
        50,
        int,
        "Quality an on-topic article needs to be published by rule (editors can override).",
    ),
    Setting(
        "publish.rule_min_heat",
        0,
        int,
        "Story heat an article needs to be published by rule (editors can override).",
    ),
    Setting("publish.page_size", 20, int, "Articles per page of the JSON listings."),
    Setting("publish.max_pages", 9, int, "Pages of each JSON listing (older articles drop off)."),
    Setting(
        "publish.minimum_heat",
        30,
        int,
        "Heat an article's story needs for the article to appear in the hot listings.",
    ),
    Setting("images.cache", True, bool, "Download article images into cache/images/."),
    Setting("images.max_bytes", 5_000_000, int, "Largest image file downloaded."),
    Setting(
        "images.min_size",
        100,
        int,
        "Images narrower or shorter than this many pixels are dropped as icons or pixels.",
    ),
)

_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def get_setting(name: str) -> Setting:
    """The declared setting called ``name``; :class:`ConfigError` if there is none."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ConfigError(f"unknown setting {name!r}; known: {', '.join(_BY_NAME)}") from None


class Settings:
    """Resolved setting values, with where each one came from."""

    def __init__(self, values: Mapping[str, Any], sources: Mapping[str, str], path: Path | None):
        self._values = dict(values)
        self._sources = dict(sources)
        self.path = path

    def get(self, name: str) -> Any:
        """The value of setting ``name`` (a dotted name such as ``site.title``)."""
        get_setting(name)
        return self._values[name]

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def source(self, name: str) -> str:
        """Where the value came from: ``default``, the file, the variable or ``override``."""
        get_setting(name)
        return self._sources[name]

    def as_dict(self) -> dict[str, Any]:
        """All values by dotted name, in declaration order."""
        return {s.name: self._values[s.name] for s in SETTINGS}

    def __repr__(self) -> str:
        return f"Settings({self.as_dict()!r})"


def load_settings(
    path: Path | None,
    env: Mapping[str, str] = os.environ,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Resolve every setting: defaults < ``path`` (a TOML file) < ``env`` < ``overrides``.

    Raises :class:`ConfigError` naming the file (or variable), the key and what was expected.
    """
    values = {s.name: s.default for s in SETTINGS}
    sources = {s.name: "default" for s in SETTINGS}
    if path is not None:
        log.debug("reading settings from %s", path)
        for name, value in _read_file(path).items():
            values[name] = value
            sources[name] = str(path)
    for setting in SETTINGS:
        if setting.env_var in env:
            values[setting.name] = _coerce(setting, env[setting.env_var], setting.env_var)
            sources[setting.name] = setting.env_var
    for name, value in (overrides or {}).items():
        setting = get_setting(name)
        values[name] = _coerce(setting, value, f"override {name}")
        sources[name] = "override"
    return Settings(values, sources, path)


def _read_file(path: Path) -> dict[str, Any]:
    """The settings a TOML file sets, checked, by dotted name."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: settings file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    sections = sorted({s.section for s in SETTINGS})
    out: dict[str, Any] = {}
    for section, table in data.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"{path}: unknown key {section!r}; settings go in the tables "
                + ", ".join(f"[{s}]" for s in sections)
            )
        if section not in sections:
            raise ConfigError(
                f"{path}: unknown section [{section}]; expected one of "
                + ", ".join(f"[{s}]" for s in sections)
            )
        for key, value in table.items():
            name = f"{section}.{key}"
            if name not in _BY_NAME:
                known = ", ".join(s.key for s in SETTINGS if s.section == section)
                raise ConfigError(f"{path}: unknown key {name!r} in [{section}]; known: {known}")
            out[name] = _coerce(_BY_NAME[name], value, f"{path}: {name}", from_text=False)
    return out


def _coerce(setting: Setting, value: Any, where: str, *, from_text: bool = True) -> Any:
    """``value`` as the setting's type; text is converted when ``from_text``, else type-checked."""
    kind = setting.type
    expected = f"expected {_describe(kind)}"
    if isinstance(value, str) and from_text and kind is not str:
        text = value.strip()
        if kind is bool:
            if text.lower() in _TRUE | _FALSE:
                return text.lower() in _TRUE
            raise ConfigError(f"{where}: {expected}, got {value!r}")
        try:
            return kind(text)
        except ValueError:
            raise ConfigError(f"{where}: {expected}, got {value!r}") from None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    raise ConfigError(f"{where}: {expected}, got {type(value).__name__} {value!r}")


def _describe(kind: type[Any]) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        kind, kind.__name__
    )


def render_settings_file(values: Mapping[str, Any] | None = None) -> str:
    """The text of a complete, commented ``topicwire.toml``.

    Every setting appears with its help and default as comments, then its value: ``values``
    (dotted names) where given, else the default, so the file is complete and editable.
    """
    given = dict(values or {})
    for name in given:
        get_setting(name)
    lines = [
        "# topicwire site settings.",
        "# Each setting: what it does, its default, then its value.",
        f"# The environment ({ENV_PREFIX}SECTION_KEY) overrides this file;",
        "# command-line options override both.",
    ]
    section = ""
    for setting in SETTINGS:
        if setting.section != section:
            section = setting.section
            lines += ["", f"[{section}]"]
        else:
            lines.append("")
        value = _coerce(setting, given.get(setting.name, setting.default), setting.name)
        lines += [f"# {line}" for line in textwrap.wrap(setting.help, 96)]
        lines.append(f"# default: {_toml_value(setting.default)}")
        lines.append(f"{setting.key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    """``value`` written as a TOML literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        return _toml_string(value)
    raise ConfigError(f"cannot write {type(value).__name__} {value!r} as a TOML value")


def _toml_string(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)

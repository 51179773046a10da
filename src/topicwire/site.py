"""A site: the folder that holds a topic news site's whole state.

``init_site`` creates it (settings, taxonomy, provider registry, sources, image cache, secret key);
``open_site`` opens an existing one. The database is created by the store, not here: a site only
says where it is (:attr:`Site.database_url`).

::

    mysite/
      topicwire.toml    settings          topics/*.yaml     taxonomy
      providers/        provider registry sources.opml      what to read
      cache/images/     cached images     secret.key        key of the ``secured`` field (0600)
      topicwire.db      SQLite (made by the store)          out/  what ``publish`` writes
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Mapping
from datetime import timedelta
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from topicwire.errors import ConfigError, SiteError
from topicwire.fetch.config import FetchConfig
from topicwire.model import Provider, Topic
from topicwire.settings import SETTINGS_FILE_NAME, Settings, load_settings, render_settings_file
from topicwire.taxonomy import (
    dump_topic,
    load_providers,
    load_topics,
    provider_files,
    root_topic,
    topic_files,
)

if TYPE_CHECKING:
    from topicwire.enrich.topics import TopicThresholds

log = logging.getLogger(__name__)

TOPICS_DIR = "topics"
PROVIDERS_DIR = "providers"
SOURCES_FILE = "sources.opml"
CACHE_DIR = "cache"
IMAGES_DIR = "images"
OUT_DIR = "out"

_OPML_TEMPLATE = """\
<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>{title}</title>
  </head>
  <body>
  </body>
</opml>
"""


class Site:
    """An opened site folder and its settings."""

    def __init__(self, root: Path, settings: Settings, env: Mapping[str, str] | None = None):
        self.root = root
        self.settings = settings
        self.env: Mapping[str, str] = os.environ if env is None else env

    def __repr__(self) -> str:
        return f"Site({str(self.root)!r})"

    @property
    def settings_file(self) -> Path:
        """``topicwire.toml``."""
        return self.root / SETTINGS_FILE_NAME

    @property
    def topics_dir(self) -> Path:
        """``topics/``: one YAML file per topic."""
        return self.root / TOPICS_DIR

    @property
    def providers_dir(self) -> Path:
        """``providers/``: the provider registry."""
        return self.root / PROVIDERS_DIR

    @property
    def sources_file(self) -> Path:
        """``sources.opml``: what to read."""
        return self.root / SOURCES_FILE

    @property
    def cache_dir(self) -> Path:
        """``cache/``; cached images go in ``cache/images/``."""
        return self.root / CACHE_DIR

    @property
    def images_dir(self) -> Path:
        """``cache/images/``: the site's own copies of images."""
        return self.cache_dir / IMAGES_DIR

    @property
    def neighbour_index_file(self) -> Path:
        """``cache/articles.hnsw``: the neighbour index over article embeddings (rebuilt from
        the store when it is missing)."""
        return self.cache_dir / "articles.hnsw"

    @property
    def out_dir(self) -> Path:
        """``out/``: what ``publish`` writes."""
        return self.root / OUT_DIR

    @property
    def secret_key_file(self) -> Path:
        """``secret.key``: the key of the ``secured`` field, never published."""
        from topicwire import secured  # (cryptography: only for the commands that seal or open)

        return self.root / secured.KEY_FILE_NAME

    @property
    def title(self) -> str:
        """The site title: ``site.title``, or the root topic's name when that is empty."""
        return str(self.settings.get("site.title") or self.settings.get("site.topic"))

    @property
    def database_url(self) -> str:
        """``store.database_url``, else ``sqlite:///`` + the absolute path of the SQLite file."""
        url = str(self.settings.get("store.database_url"))
        if url:
            return url
        path = (self.root / str(self.settings.get("store.sqlite_file"))).resolve()
        return f"sqlite:///{path.as_posix()}"

    def secret_key(self) -> bytes:
        """The site key (``TOPICWIRE_SECRET_KEY`` wins over ``secret.key``)."""
        from topicwire import secured

        return secured.load_key(self.root, env=self.env)

    def topics(self) -> list[Topic]:
        """The checked taxonomy, in file-name order."""
        return load_topics(self.topics_dir)

    def root_topic(self) -> Topic:
        """The topic named by ``site.topic``; :class:`ConfigError` if the taxonomy lacks it."""
        name = str(self.settings.get("site.topic"))
        for topic in self.topics():
            if topic.name == name:
                return topic
        raise ConfigError(f"{self.topics_dir}: no topic is named {name!r} (the site.topic setting)")

    def providers(self) -> list[Provider]:
        """The provider registry; empty when ``providers/`` is absent (git drops empty folders)."""
        if not self.providers_dir.exists():
            return []
        return load_providers(self.providers_dir)

    def fetch_config(self) -> FetchConfig:
        """The fetcher's configuration, from the ``fetch.*`` settings."""
        get = self.settings.get
        return FetchConfig(
            user_agent=str(get("fetch.user_agent")),
            connect_timeout=float(get("fetch.connect_timeout")),
            read_timeout=float(get("fetch.read_timeout")),
            total_timeout=float(get("fetch.total_timeout")),
            max_bytes=int(get("fetch.max_bytes")),
            max_decompressed_bytes=int(get("fetch.max_bytes")),
            max_redirects=int(get("fetch.max_redirects")),
            max_connections=int(get("fetch.max_connections")),
            per_host_connections=int(get("fetch.per_host_connections")),
            politeness_delay=float(get("fetch.politeness_delay")),
            respect_robots=bool(get("fetch.respect_robots")),
            allowed_networks=_split(get("fetch.allowed_networks")),
            host_overrides=_pairs(get("fetch.host_overrides")),
            min_interval=timedelta(minutes=int(get("fetch.min_interval_minutes"))),
            max_interval=timedelta(minutes=int(get("fetch.max_interval_minutes"))),
            default_interval=timedelta(minutes=int(get("fetch.default_interval_minutes"))),
        )


def topic_thresholds(settings: Settings) -> TopicThresholds:
    """The topic assigner's thresholds, from the ``topics.*`` settings."""
    from topicwire.enrich.topics import TopicThresholds  # (numpy: only commands that enrich)

    return TopicThresholds(
        min_similarity=float(settings.get("topics.min_similarity")),
        min_root_similarity=float(settings.get("topics.min_root_similarity")),
        min_distinct_keywords=int(settings.get("topics.min_distinct_keywords")),
        min_implied_similarity=float(settings.get("topics.min_implied_similarity")),
    )


def _split(value: object) -> tuple[str, ...]:
    return tuple(part.strip() for part in str(value or "").split(",") if part.strip())


def _pairs(value: object) -> tuple[tuple[str, str], ...]:
    pairs = []
    for part in _split(value):
        name, sep, address = part.partition("=")
        if not sep or not name.strip() or not address.strip():
            raise ConfigError(f"fetch.host_overrides: {part!r} is not name=address")
        pairs.append((name.strip(), address.strip()))
    return tuple(pairs)


def open_site(
    path: Path | None = None,
    env: Mapping[str, str] = os.environ,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> Site:
    """Open the site at ``path`` (default: the current directory, without looking further up).

    Settings are resolved from the site's ``topicwire.toml``, ``env`` and ``overrides``.
    """
    root = (Path.cwd() if path is None else Path(path)).resolve()
    settings_file = root / SETTINGS_FILE_NAME
    if not settings_file.is_file():
        raise SiteError(
            f"{root} is not a topicwire site (no {SETTINGS_FILE_NAME}); "
            "create one with `topicwire init DIR --topic NAME`"
        )
    settings = load_settings(settings_file, env=env, overrides=overrides)
    return Site(root, settings, env)


def init_site(
    root: Path,
    *,
    topic: str,
    title: str | None = None,
    topics_from: Path | None = None,
    providers_from: Path | None = None,
) -> Site:
    """Create a new site folder at ``root`` and return it opened.

    The root topic is a new ``topics/00-<slug>.yaml``, or, with ``topics_from``, must be one of
    the topic files copied from there (checked first). ``providers_from`` copies a provider
    registry. Refuses (:class:`SiteError`) when ``root`` exists and is not an empty folder; on any
    failure, what was created is removed again.
    """
    root = Path(root).resolve()
    if root.exists() and not (root.is_dir() and not any(root.iterdir())):
        raise SiteError(f"{root} already exists and is not an empty folder; choose a new one")
    topic = topic.strip()
    topic_sources = _topic_sources(topic, topics_from)
    provider_sources = provider_files(providers_from) if providers_from is not None else []
    if providers_from is not None:
        load_providers(providers_from)
    settings_text = render_settings_file({"site.topic": topic, "site.title": title or ""})
    created_root = not root.exists()
    try:
        root.mkdir(parents=True, exist_ok=True)
        (root / SETTINGS_FILE_NAME).write_text(settings_text, encoding="utf-8")
        (root / TOPICS_DIR).mkdir()
        if topic_sources is None:
            first = root_topic(topic)
            (root / TOPICS_DIR / f"00-{first.id}.yaml").write_text(
                dump_topic(first), encoding="utf-8"
            )
        else:
            for source in topic_sources:
                shutil.copyfile(source, root / TOPICS_DIR / source.name)
        (root / PROVIDERS_DIR).mkdir()
        for source in provider_sources:
            shutil.copyfile(source, root / PROVIDERS_DIR / source.name)
        opml = _OPML_TEMPLATE.format(title=escape(title or topic, quote=False))
        (root / SOURCES_FILE).write_text(opml, encoding="utf-8")
        (root / CACHE_DIR / IMAGES_DIR).mkdir(parents=True)
        from topicwire import secured

        secured.write_key_file(root / secured.KEY_FILE_NAME)
    except BaseException:
        _remove_partial(root, created_root)
        raise
    log.info("created site %s (topic %r)", root, topic)
    return open_site(root)


def _topic_sources(topic: str, topics_from: Path | None) -> list[Path] | None:
    """The topic files to copy (checked, and holding ``topic``), or ``None`` to write the root."""
    if topics_from is None:
        root_topic(topic)  # checks the name can make an _id
        return None
    topics = load_topics(topics_from)
    if not any(t.name == topic for t in topics):
        names = ", ".join(repr(t.name) for t in topics)
        raise ConfigError(f"{topics_from}: no topic is named {topic!r}; the topics are: {names}")
    return topic_files(topics_from)


def _remove_partial(root: Path, created_root: bool) -> None:
    """Undo a failed ``init``: remove the folder we made, or empty the one that was empty."""
    if created_root:
        shutil.rmtree(root, ignore_errors=True)
        return
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)

"""The static JSON API: paged topic listings, hot listings, stories and the topic index.

:func:`render_json_api` is a pure function of a :class:`~topicwire.publish.snapshot.Snapshot`
and returns ``{path under out/: bytes}``:

- ``api/news/<topic-id>/page/<n>/index.json``: a topic's published news, newest first,
  ``snapshot.page_size`` a page, at most ``snapshot.max_pages`` pages (an empty topic still has
  page 1, with no items); ``{title, path, page, value, nextPage}`` like the reference site;
- ``api/news/<topic-id>/hot/index.json``: the same shape, one page of the topic's articles with a
  heat of at least ``snapshot.minimum_heat``, hottest first;
- ``api/stories/<id>/index.json``: every story with an article in ``snapshot.articles`` (the
  stories the HTML site gives a page), with all its coverage (coverage-only members too: copies
  and unpublished reports, with a null path) and its hourly heat;
- ``api/topics/index.json``: every topic, with its parent's id and its published article count;
- ``api/schemas/<name>.schema.json``: the JSON Schemas (draft 2020-12) the files above follow,
  shipped as package data in ``topicwire/publish/schemas/`` (see :func:`schema`).

Every key is always present: ``null`` for a missing value, ``[]`` for an empty list. Dates are
ISO 8601 in UTC to the second (``2026-11-20T15:00:00Z``). Paths are URL paths on the site
(``/news/<slug>/``), under the path of ``snapshot.base_url`` when it has one. ``webUrl`` is the
article's URL at its outlet, ``sourceUrl`` the URL it was found at. Strings are kept as received:
JSON is data, not HTML, so escaping markup is left to whoever renders it. Output is
deterministic (stable order, compact, UTF-8, a final newline), so a file's bytes only change
when its content does.
"""

from __future__ import annotations

import functools
import heapq
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import orjson

from topicwire.limits import is_web_url
from topicwire.model import Image, Provider, Topic
from topicwire.publish.safety import image_ok
from topicwire.publish.snapshot import (
    Listing,
    PublishedArticle,
    PublishedStory,
    Snapshot,
    utc_stamp,
)

#: sort key for undated articles in the hot listing (last among equal heat)
_OLDEST = datetime(1970, 1, 1, tzinfo=UTC)

#: the schemas published beside the outputs, by name
SCHEMA_NAMES = ("listing", "story", "topics")


def render_json_api(snapshot: Snapshot) -> dict[str, bytes]:
    """Every JSON API file of ``snapshot``, by path under ``out/`` (see the module docstring)."""
    api = JsonApi(snapshot)
    files = api.shared_files()
    for story in sorted(snapshot.stories.values(), key=lambda s: s.id):
        if api.has_story(story):
            files[story_json_path(story)] = api.story_json(story)
    return files


def story_json_path(story: PublishedStory) -> str:
    """``api/stories/<id>/index.json``."""
    return f"api/stories/{story.id}/index.json"


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``name`` (one of :data:`SCHEMA_NAMES`), a fresh copy on every call."""
    if name not in SCHEMA_NAMES:
        raise ValueError(f"no JSON API schema named {name!r} (known: {', '.join(SCHEMA_NAMES)})")
    loaded: dict[str, Any] = json.loads(_schema_text(name))
    return loaded


@functools.cache
def _schema_text(name: str) -> str:
    files = resources.files("topicwire.publish").joinpath("schemas", f"{name}.schema.json")
    return files.read_text(encoding="utf-8")


def _dump(data: dict[str, Any]) -> bytes:
    """``data`` as compact UTF-8 JSON; a lone surrogate (not encodable) becomes U+FFFD."""
    try:
        # orjson writes what ``json.dumps(ensure_ascii=False, separators=(",", ":"))`` does for
        # these documents (strings, integers, lists, dicts), several times faster
        return orjson.dumps(data) + b"\n"
    except orjson.JSONEncodeError:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
        fixed = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return fixed.encode("utf-8")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else utc_stamp(value)


class JsonApi:
    """The JSON API of one snapshot (URL paths, items, listings): all of it
    (:func:`render_json_api`), or the shared files and story by story (an incremental publish
    renders only the stories whose inputs changed)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.prefix = urlsplit(snapshot.base_url).path.rstrip("/")
        self.page_size = max(1, snapshot.page_size)
        self.max_pages = max(1, snapshot.max_pages)
        self.ids_by_name = {t.name: t.id for t in snapshot.topics}
        #: each topic's published articles, newest first (by topic name, as articles carry them)
        self.by_topic: dict[str, Listing] = {t.name: snapshot.in_topic(t) for t in snapshot.topics}

    def shared_files(self) -> dict[str, bytes]:
        """Every file but the stories': listings, hot listings, the topic index, schemas."""
        files: dict[str, bytes] = {}
        for topic in self.snapshot.topics:
            for path, listing in self.pages(topic):
                files[path] = _dump(listing)
            files[f"api/news/{topic.id}/hot/index.json"] = _dump(self.hot(topic))
        files["api/topics/index.json"] = _dump(self.topic_index())
        for name in SCHEMA_NAMES:
            files[f"api/schemas/{name}.schema.json"] = _dump(schema(name))
        return files

    def has_story(self, story: PublishedStory) -> bool:
        """Whether the story has a file: one of its articles is the snapshot's (else the site
        has no page for it either: its articles are all coverage-only)."""
        return any(i in self.snapshot.articles for i in story.article_ids)

    def story_json(self, story: PublishedStory) -> bytes:
        """``api/stories/<id>/index.json`` of one story."""
        return _dump(self.story(story))

    def path(self, relative: str) -> str:
        """The URL path of an ``out/``-relative directory path (``news/x/`` -> ``/news/x/``)."""
        return f"{self.prefix}/{relative}"

    # -- listings ------------------------------------------------------------------------------

    def pages(self, topic: Topic) -> list[tuple[str, dict[str, Any]]]:
        """The topic's listing pages: ``(file path, listing)``, page 1 first."""
        articles = self.by_topic[topic.name]
        size = self.page_size
        count = min(self.max_pages, max(1, -(-len(articles) // size)))
        out: list[tuple[str, dict[str, Any]]] = []
        for page in range(1, count + 1):
            chunk = articles[(page - 1) * size : page * size]
            next_page = self.path(_page_dir(topic, page + 1)) if page < count else None
            listing = self.listing(topic, _page_dir(topic, page), page, chunk, next_page)
            out.append((f"{_page_dir(topic, page)}index.json", listing))
        return out

    def hot(self, topic: Topic) -> dict[str, Any]:
        """The topic's hot listing: heat >= ``minimum_heat``, hottest first, one page."""
        minimum = self.snapshot.minimum_heat
        index = self.snapshot.index
        ranked = (
            (heat, info.published_at or _OLDEST, i)
            for i in self.by_topic[topic.name].ids
            if (heat := (info := index[i]).heat) is not None and heat >= minimum
        )
        # the hottest page of a topic's thousands (ids are unique: no ties to keep in order)
        hot = [i for _heat, _when, i in heapq.nlargest(self.page_size, ranked)]
        chosen = Listing(hot, self.snapshot.articles)[:]
        return self.listing(topic, f"api/news/{topic.id}/hot/", 1, chosen, None)

    def listing(
        self,
        topic: Topic,
        directory: str,
        page: int,
        articles: list[PublishedArticle],
        next_page: str | None,
    ) -> dict[str, Any]:
        return {
            "title": topic.name,
            "path": self.path(directory),
            "page": page,
            "value": [self.item(a, self.page_of(a)) for a in articles],
            "nextPage": next_page,
        }

    # -- items ---------------------------------------------------------------------------------

    def page_of(self, member: PublishedArticle) -> str | None:
        """The URL path of the article's page, ``None`` when it has none: like the HTML site,
        every article of ``snapshot.articles`` has a page, coverage-only ones do not."""
        page = self.snapshot.page_path(member.id)
        return None if page is None else self.path(page)

    def item(self, published: PublishedArticle, path: str | None) -> dict[str, Any]:
        """One article as a listing item."""
        article = published.article
        return {
            "path": path,
            "title": article.title,
            "type": article.type,
            "heat": article.heat,
            "sourceUrl": _web(article.original_url),
            "webUrl": _web(article.web_url) or _web(article.original_url),
            "excerpt": article.excerpt,
            "publishedDateTime": _iso(article.published_at),
            "updatedDateTime": _iso(article.updated_at),
            "provider": self.provider(article.provider),
            "images": _images(article.images),
            "locale": article.locale,
            "categories": [article.category] if article.category else [],
            "topics": list(article.topics),
        }

    def provider(self, provider: Provider | None) -> dict[str, Any]:
        """The article's provider; name and logos from the registry when the article lacks them."""
        domain = provider.domain if provider else None
        known = self.snapshot.providers.get(domain) if domain else None
        name = (provider.name if provider else None) or (known.name if known else None)
        images = (provider.images if provider else None) or (known.images if known else [])
        return {"domain": domain, "images": _images(images), "name": name}

    # -- stories -------------------------------------------------------------------------------

    def story(self, story: PublishedStory) -> dict[str, Any]:
        """A story with its coverage (oldest first) and hourly heat."""
        self.snapshot.prefetch(story.article_ids)
        coverage = [
            self.coverage_item(member)
            for member in (self.snapshot.member(i) for i in story.article_ids)
            if member is not None
        ]
        original = (
            self.snapshot.member(story.original_id) if story.original_id is not None else None
        )
        return {
            "id": story.id,
            "title": story.title,
            "heat": story.heat,
            "path": self.path(story.page_path),
            "firstPublishedDateTime": _iso(story.first_published_at),
            "lastPublishedDateTime": _iso(story.last_published_at),
            "providerCount": story.provider_count,
            "original": None if original is None else self.coverage_item(original),
            "coverage": coverage,
            "history": [{"at": _iso(at), "heat": heat} for at, heat in story.history],
        }

    def coverage_item(self, member: PublishedArticle) -> dict[str, Any]:
        """A story member: the item, its page path (or ``None``) and what it is a copy of."""
        copy_of: str | None = None
        if member.copy_of_id is not None:
            source = self.snapshot.member(member.copy_of_id)
            copy_of = None if source is None else self.page_of(source)
        return {**self.item(member, self.page_of(member)), "copyOf": copy_of}

    # -- topics --------------------------------------------------------------------------------

    def topic_index(self) -> dict[str, Any]:
        """Every topic, in the snapshot's order."""
        return {
            "title": self.snapshot.title,
            "path": self.path("api/topics/"),
            "value": [
                {
                    "id": topic.id,
                    "name": topic.name,
                    "parent": self.ids_by_name.get(topic.parent) if topic.parent else None,
                    "description": topic.description,
                    "path": self.path(_page_dir(topic, 1)),
                    "hotPath": self.path(f"api/news/{topic.id}/hot/"),
                    "count": len(self.by_topic[topic.name]),
                }
                for topic in self.snapshot.topics
            ],
        }


def _page_dir(topic: Topic, page: int) -> str:
    return f"api/news/{topic.id}/page/{page}/"


def _web(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL; a stored ``javascript:`` or ``data:`` URL
    (written before the importer refused them, or by hand) never reaches the API."""
    return url.strip() if url and is_web_url(url) else None


def _images(images: Sequence[Image]) -> list[dict[str, Any]]:
    """The images that may be linked (see ``image_ok``; the others are left out)."""
    return [_image(i) for i in images if image_ok(i)]


def _image(image: Image) -> dict[str, Any]:
    return {
        "width": image.width,
        "height": image.height,
        "url": image.url,
        "isCached": image.is_cached is True,
        "attribution": image.attribution,
        "title": image.title,
    }

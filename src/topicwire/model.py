"""The domain model: plain typed objects that every stage takes and returns.

Field names are Python's; aliases are the camelCase keys of the published record
(``publishedDateTime``, ``webUrl``, ``isCached`` ...). Every record-facing class keeps the keys it
does not know in ``extra`` (in their original order), so nothing read from a file is dropped.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)


def to_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (a naive value is taken to be UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@functools.cache
def _accepted_keys(cls: type[_Record]) -> frozenset[str]:
    """The keys a record class takes as fields: names and aliases (computed once per class:
    reading 20,000 articles validates hundreds of thousands of records)."""
    return frozenset(cls.model_fields) | frozenset(cls.known_keys())


class _Record(BaseModel):
    """Base for the classes that appear in a record: camelCase aliases and an ``extra`` dict."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", validate_assignment=True)

    extra: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def known_keys(cls) -> tuple[str, ...]:
        """The record keys this class models, in canonical order."""
        return tuple(
            (field.alias or name) for name, field in cls.model_fields.items() if name != "extra"
        )

    @model_validator(mode="before")
    @classmethod
    def _collect_extra(cls, data: Any) -> Any:
        """Move keys the class does not model into ``extra``, keeping their order."""
        if not isinstance(data, dict):
            return data
        known = _accepted_keys(cls)
        given = data.get("extra")
        extra = dict(given) if isinstance(given, dict) else {}
        fields: dict[str, Any] = {}
        for key, value in data.items():
            if key == "extra":
                if given is not None and not isinstance(given, dict):
                    extra[key] = value  # a record's own key ``extra: 5``, not the mapping
                continue
            if key in known:
                fields[key] = value
            else:
                extra[key] = value
        fields["extra"] = extra
        return fields

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        """Build from a record mapping: known keys become fields, the rest go to ``extra``."""
        return cls.model_validate(data)

    def to_data(self) -> dict[str, Any]:
        """The record mapping: known keys in canonical order (unset ones omitted), then extra."""
        out: dict[str, Any] = {}
        for name, key in _data_fields(type(self)):
            value = getattr(self, name)
            if value is None:
                continue
            if type(value) in _PLAIN_TYPES:  # the common case, without the slower checks below
                out[key] = value
                continue
            if isinstance(value, list):
                if not value and name != "topics":
                    continue
                value = [
                    v if type(v) in _PLAIN_TYPES or not isinstance(v, _Record) else v.to_data()
                    for v in value
                ]
            elif isinstance(value, _Record):
                value = value.to_data()
            out[key] = value
        out.update(self.extra)
        return out


#: Exact types that ``to_data`` passes through as they are (no record, no list).
_PLAIN_TYPES = frozenset({str, int, float, bool, datetime})


@functools.cache
def _data_fields(cls: type[_Record]) -> tuple[tuple[str, str], ...]:
    """(field name, record key) of each field ``to_data`` may write, in order, once per class.

    ``extra`` is merged separately, and an Article's fields that are not front matter never
    reach its record.
    """
    skip = {"extra", *getattr(cls, "NOT_FRONT_MATTER", ())}
    return tuple(
        (name, field.alias or name) for name, field in cls.model_fields.items() if name not in skip
    )


def _date_to_datetime(value: Any) -> Any:
    """Accept a bare date as midnight UTC (pydantic would refuse a ``date`` for a datetime)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time(0, 0), tzinfo=UTC)
    return value


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    try:
        return to_utc(value)
    except OverflowError as exc:  # 0001-01-01T00:00+05:00 lies before the calendar's start in UTC
        raise ValueError("date out of range") from exc


class Image(_Record):
    """An image of an article or a provider; ``is_cached`` when the site holds its own copy."""

    url: str
    width: StrictInt | None = None
    height: StrictInt | None = None
    is_cached: StrictBool | None = Field(default=None, alias="isCached")
    title: str | None = None
    attribution: str | None = None


class Provider(_Record):
    """Who published an article: its name, its domain, its logos; registry entries add more."""

    name: str | None = None
    domain: str | None = None
    images: list[Image] = Field(default_factory=list)
    description: str | None = None
    weight: float | None = None


class RelatedItem(_Record):
    """A snapshot of another article, as shown in an article's ``related`` list."""

    title: str
    excerpt: str | None = None
    published_at: datetime | None = Field(default=None, alias="publishedDateTime")
    updated_at: datetime | None = Field(default=None, alias="updatedDateTime")
    original_url: str | None = Field(default=None, alias="originalUrl")
    web_url: str | None = Field(default=None, alias="webUrl")
    amp_web_url: str | None = Field(default=None, alias="ampWebUrl")
    cdn_amp_web_url: str | None = Field(default=None, alias="cdnAmpWebUrl")
    type: str | None = None
    provider: Provider | None = None
    quality: StrictInt | None = None
    heat: StrictInt | None = None
    images: list[Image] = Field(default_factory=list)

    _dates_in = field_validator("published_at", "updated_at", mode="before")(_date_to_datetime)
    _dates_utc = field_validator("published_at", "updated_at", mode="after")(_utc)


class Article(_Record):
    """One news item: the published record's fields plus its body.

    ``secured`` is kept exactly as read (an opaque sealed string); ``topics`` lists topic names,
    root first. Optional fields that are ``None`` (or empty lists) are absent from the record.
    """

    category: str | None = None
    title: str
    excerpt: str | None = None
    published_at: datetime | None = Field(default=None, alias="publishedDateTime")
    updated_at: datetime | None = Field(default=None, alias="updatedDateTime")
    original_url: str | None = Field(default=None, alias="originalUrl")
    web_url: str | None = Field(default=None, alias="webUrl")
    amp_web_url: str | None = Field(default=None, alias="ampWebUrl")
    cdn_amp_web_url: str | None = Field(default=None, alias="cdnAmpWebUrl")
    type: str | None = None
    quality: StrictInt | None = None
    heat: StrictInt | None = None
    published: StrictBool | None = None
    locale: str | None = None
    provider: Provider | None = None
    topics: list[str] = Field(default_factory=list)
    images: list[Image] = Field(default_factory=list)
    related: list[RelatedItem] = Field(default_factory=list)
    secured: str | None = None
    body: str = ""
    #: the full extracted text; the stages read it, but it is never published (only sealed
    #: inside ``secured``), so it is not part of the record
    text: str | None = None
    #: what the repair stage fixed, by kind (``{"mojibake": 1}``); read by quality, not published
    repairs: dict[str, int] = Field(default_factory=dict)
    #: page metadata that is not a record field (author, language hint, og:type, JSON-LD type);
    #: read by the enrich stage, not published
    meta: dict[str, str] = Field(default_factory=dict)
    #: why each topic was given, keyed by topic name (a name in ``topics``): keywords, where they
    #: were found, the similarity; shown by ``topicwire explain``, not published
    topic_evidence: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: the signals behind ``quality``, each with its contribution and reason; not published
    quality_signals: list[dict[str, Any]] = Field(default_factory=list)
    #: the sentence embedding (float32 bytes) of title, excerpt and lead; not published
    embedding: bytes | None = None

    #: fields that are not front matter (the body is the text after the closing ``---``)
    NOT_FRONT_MATTER: ClassVar[frozenset[str]] = frozenset(
        {"body", "text", "repairs", "meta", "topic_evidence", "quality_signals", "embedding"}
    )

    _dates_in = field_validator("published_at", "updated_at", mode="before")(_date_to_datetime)
    _dates_utc = field_validator("published_at", "updated_at", mode="after")(_utc)

    @classmethod
    def known_keys(cls) -> tuple[str, ...]:
        return tuple(k for k in super().known_keys() if k not in cls.NOT_FRONT_MATTER)

    def to_data(self) -> dict[str, Any]:
        data = super().to_data()  # without the fields that are not front matter
        if self.extra:  # nor the extra keys that share their names
            for name in self.NOT_FRONT_MATTER:
                data.pop(name, None)
        return data

    @property
    def url(self) -> str | None:
        """The address that identifies the article: ``webUrl``, else ``originalUrl``."""
        return self.web_url or self.original_url


class Topic(_Record):
    """A taxonomy node in the reference site's format (``_id``, ``name``, ``parent`` by name)."""

    id: str = Field(alias="_id")
    name: str
    parent: str | None = None
    description: str | None = None
    keywords: list[str] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    images: list[str] = Field(default_factory=list)


class Source(BaseModel):
    """Something to read (a feed, sitemap, OPML list, page or local file) and its fetch state."""

    model_config = ConfigDict(extra="forbid")

    url: str
    kind: str = "feed"
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_status: int | None = None
    last_error: str | None = None
    error_count: int = 0
    next_check_at: datetime | None = None


class Story(BaseModel):
    """Coverage of one event across outlets: its articles, its original report and its heat."""

    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    title: str
    article_urls: list[str] = Field(default_factory=list)
    original_url: str | None = None
    heat: int = -1
    created_at: datetime | None = None
    updated_at: datetime | None = None

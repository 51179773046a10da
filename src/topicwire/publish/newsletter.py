"""The daily newsletter: a digest of one UTC day's top stories per topic, as an HTML e-mail and as
plain text (``newsletters/YYYY-MM-DD.html`` and ``newsletters/YYYY-MM-DD.txt`` under ``out/``).

A story is in a topic's list for day D when at least one of its published articles carries the
topic and was published on D. Each list holds up to :data:`STORIES_PER_TOPIC` stories, hottest
first (then the widest coverage), each with its coverage count, its original report (title,
outlet, link to the outlet), the day's other reports and a link to our story page.

The HTML is made for mail clients: Jinja2 with autoescaping, inline styles only (clients drop
``<style>``), no tables, no scripts, no images or other resources to load; links only, among them
a plain "view online" link to the published copy. A day without stories gives a short digest
saying so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from topicwire.model import Article, Topic
from topicwire.publish.feeds import one_line, outlet_url
from topicwire.publish.snapshot import PublishedArticle, PublishedStory, Snapshot
from topicwire.publish.templating import bytecode_cache

#: most stories listed under one topic
STORIES_PER_TOPIC = 5
#: most reports listed beside a story's original one
OTHER_REPORTS = 3

_TEMPLATES = Path(__file__).with_name("templates")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Report:
    """One article as the digest shows it (plain text; ``url`` is a safe outlet link or None)."""

    title: str
    provider: str
    url: str | None
    #: ``HH:MM UTC``, ``19 Nov HH:MM UTC`` when not on the digest's day ("" when undated)
    time: str


@dataclass(frozen=True)
class DigestStory:
    """A story in a topic's list."""

    id: int
    title: str
    #: our story page
    url: str
    heat: int
    coverage: int
    #: ``3 reports from 2 outlets``
    coverage_label: str
    original: Report | None
    others: tuple[Report, ...]


@dataclass(frozen=True)
class DigestSection:
    """A topic and its top stories of the day."""

    topic: str
    url: str
    stories: tuple[DigestStory, ...]


@dataclass(frozen=True)
class Digest:
    """Everything the two templates show."""

    site: str
    lang: str
    day: str
    #: ``Friday, 20 November 2026``
    day_label: str
    view_online: str
    home: str
    sections: tuple[DigestSection, ...]


def newsletter_path(day: dt.date, suffix: str = "html") -> str:
    """``newsletters/YYYY-MM-DD.<suffix>``."""
    return f"newsletters/{day.isoformat()}.{suffix}"


def render_newsletter(snapshot: Snapshot, day: dt.date) -> dict[str, bytes]:
    """The digest of ``day`` (a UTC day) as HTML and plain text, by out/ path."""
    digest = build_digest(snapshot, day)
    environment = _environment()
    return {
        newsletter_path(day, suffix): environment.get_template(f"newsletter.{suffix}.j2")
        .render(digest=digest)
        .encode("utf-8")
        for suffix in ("html", "txt")
    }


def top_stories(
    snapshot: Snapshot,
    topic: Topic,
    day: dt.date,
    limit: int = STORIES_PER_TOPIC,
    *,
    on_day: Mapping[int, list[int]] | None = None,
) -> list[PublishedStory]:
    """Stories with a published article carrying ``topic`` published on ``day`` (UTC): hottest
    first, then by coverage, then newest id; at most ``limit``. ``on_day`` is
    :func:`published_on_day` when the caller has it already."""
    if on_day is None:
        on_day = published_on_day(snapshot, day)
    index = snapshot.index
    found = [
        snapshot.stories[story_id]
        for story_id, ids in on_day.items()
        if any(topic.name in index[i].topics for i in ids)
    ]
    found.sort(key=lambda s: (s.heat, len(s.article_ids), s.id), reverse=True)
    return found[:limit]


def build_digest(snapshot: Snapshot, day: dt.date) -> Digest:
    """The digest of ``day``: one section per topic that has stories that day, in taxonomy
    order (none at all for an empty day)."""
    sections = []
    on_day = published_on_day(snapshot, day)
    for topic in snapshot.topics:
        stories = top_stories(snapshot, topic, day, on_day=on_day)
        if stories:
            sections.append(
                DigestSection(
                    topic=one_line(topic.name),
                    url=snapshot.url(f"topics/{topic.id}/"),
                    stories=tuple(_story(snapshot, s, day) for s in stories),
                )
            )
    return Digest(
        site=one_line(snapshot.title),
        lang=snapshot.locale,
        day=day.isoformat(),
        day_label=_day_label(day),
        view_online=snapshot.url(newsletter_path(day)),
        home=snapshot.url(""),
        sections=tuple(sections),
    )


def published_on_day(snapshot: Snapshot, day: dt.date) -> dict[int, list[int]]:
    """Story id -> the ids of its published articles published on ``day``, for the stories
    that have any."""
    found = {}
    for story in snapshot.stories.values():
        ids = _published_on(snapshot, story, day)
        if ids:
            found[story.id] = ids
    return found


def _published_on(snapshot: Snapshot, story: PublishedStory, day: dt.date) -> list[int]:
    """The ids of the story's published articles published on ``day``, newest first (read
    from the snapshot's index: nothing is loaded)."""
    found = []
    for article_id in story.article_ids:
        if not snapshot.is_published(article_id):
            continue
        when = snapshot.index[article_id].published_at
        if when is not None and when.astimezone(dt.UTC).date() == day:
            found.append((when, article_id))
    found.sort(reverse=True)
    return [article_id for _, article_id in found]


def _story(snapshot: Snapshot, story: PublishedStory, day: dt.date) -> DigestStory:
    original = _original(snapshot, story)
    others = [
        snapshot.articles[i]
        for i in _published_on(snapshot, story, day)
        if original is None or i != original.id
    ][:OTHER_REPORTS]
    coverage = len(story.article_ids)
    return DigestStory(
        id=story.id,
        title=one_line(story.title) or (one_line(original.article.title) if original else ""),
        url=snapshot.url(story.page_path),
        heat=story.heat,
        coverage=coverage,
        coverage_label=_coverage_label(coverage, story.provider_count),
        original=_report(original.article, day) if original else None,
        others=tuple(_report(a.article, day) for a in others),
    )


def _original(snapshot: Snapshot, story: PublishedStory) -> PublishedArticle | None:
    """The story's original report, else its first member the snapshot knows."""
    if story.original_id is not None:
        found = snapshot.member(story.original_id)
        if found is not None:
            return found
    for article_id in story.article_ids:
        member = snapshot.member(article_id)
        if member is not None:
            return member
    return None


def _report(article: Article, day: dt.date) -> Report:
    provider = article.provider
    name = ""
    if provider is not None:
        name = one_line(provider.name) or one_line(provider.domain)
    time = ""
    if article.published_at is not None:
        when = article.published_at.astimezone(dt.UTC)
        time = f"{when:%H:%M} UTC"
        if when.date() != day:
            time = f"{when.day} {_MONTHS[when.month - 1][:3]} {time}"
    return Report(
        title=one_line(article.title),
        provider=name or "unknown outlet",
        url=outlet_url(article),
        time=time,
    )


def _coverage_label(reports: int, outlets: int) -> str:
    label = f"{reports} report" + ("" if reports == 1 else "s")
    if outlets > 0:
        label += f" from {outlets} outlet" + ("" if outlets == 1 else "s")
    return label


def _day_label(day: dt.date) -> str:
    """English, whatever the process locale: ``Friday, 20 November 2026``."""
    return f"{_WEEKDAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]} {day.year}"


@cache
def _environment() -> Environment:
    """HTML templates are autoescaped; the plain-text one is not (it is never read as HTML)."""
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(
            enabled_extensions=("html.j2",), disabled_extensions=("txt.j2",), default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=bytecode_cache("newsletter: autoescape html.j2 only, trim, lstrip, keep"),
    )

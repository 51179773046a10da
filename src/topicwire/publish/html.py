"""The static HTML site: home, topic, story, article and about pages, and one stylesheet.

:func:`render_site` is a pure function of a :class:`~topicwire.publish.snapshot.Snapshot`
returning ``{out/-relative path: bytes}``. The pages are Jinja2 templates
(``publish/templates/*.html.j2``) rendered with autoescaping on: every string a feed supplied
(titles, excerpts, names) is escaped, never rendered as markup, and only ``http(s)`` URLs (or
site-relative ones) are ever put in an ``href`` or ``src``. The site sends no JavaScript and
makes no requests of its own beyond its stylesheet and the images the records name.

Output is deterministic: the same snapshot gives the same bytes (the only clock it shows is
``snapshot.generated_at``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup, escape

from topicwire.model import Article, Image, Topic
from topicwire.publish.safety import linkable
from topicwire.publish.snapshot import (
    FORMATS_CACHED,
    PublishedArticle,
    PublishedStory,
    Snapshot,
    utc_stamp,
)
from topicwire.publish.templating import bytecode_cache

#: how many stories the home page lists
HOME_STORIES = 20
#: how many coverage lines a story shows on the home page (the story page shows them all)
HOME_COVERAGE = 6
#: the stylesheet's path under ``out/``
STYLESHEET = "static/site.css"
FAVICON = "static/favicon.svg"
#: Heat is a 0-100 score; the chart's y axis spans at least this.
HEAT_SCALE = 100
ORIGINAL_LABEL = "Original report"

History = Sequence[tuple[datetime, int]]


# -- view models: what the templates show, already decided ----------------------------------


@dataclass(frozen=True)
class Picture:
    """An ``<img>``: its alt text is "" (decorative, role presentation) when it has no title."""

    src: str
    alt: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Entry:
    """An article as a card or a coverage line."""

    id: int
    title: str
    #: where the title links: its page on this site, else the outlet (``external``), else nowhere
    href: str | None
    external: bool
    #: the outlet's own page for it (``webUrl``), when safe to link
    outlet_url: str | None
    provider: str
    logo: Picture | None
    image: Picture | None
    when: datetime | None
    excerpt: str | None
    #: "Original report", "Syndicated copy" or None
    label: str | None


@dataclass(frozen=True)
class NavItem:
    """A link in the site's main navigation."""

    text: str
    href: str
    path: str


@dataclass(frozen=True)
class Chrome:
    """What every page around its content shows, rendered once (``_chrome.html.j2``)."""

    head_links: Markup
    header: Markup
    footer: Markup


@dataclass(frozen=True)
class ProviderGroup:
    """A story's coverage by one provider."""

    provider: str
    logo: Picture | None
    entries: tuple[Entry, ...]


# -- helpers ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=FORMATS_CACHED)
def safe_url(url: str | None) -> str | None:
    """``url`` when it is ``http(s)://`` or site-relative (``/...``), else ``None``.

    Feed-supplied URLs go through this before they reach an ``href`` or ``src``, so a
    ``javascript:`` or ``data:`` URL is never linked. (Cached: an article's URL is checked
    for every page that links it.)
    """
    return linkable(url)


_iso = utc_stamp


@functools.lru_cache(maxsize=FORMATS_CACHED)
def _human(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@functools.lru_cache(maxsize=FORMATS_CACHED)
def _hour(value: datetime) -> str:
    moment = value.astimezone(UTC)
    return f"{moment.hour:02d}:{moment.minute:02d}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_hour(value: datetime) -> str:
    """``22 Nov 14:00`` (UTC, English whatever the machine's locale)."""
    moment = value.astimezone(UTC)
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment:%H:%M}"


def _picture(image: Image | None) -> Picture | None:
    if image is None:
        return None
    src = safe_url(image.url)
    if src is None:
        return None
    return Picture(src=src, alt=(image.title or "").strip(), width=image.width, height=image.height)


# -- small fragments: Python, not Jinja macros ---------------------------------------------------
#
# The pieces every card and coverage line repeats are built here: a macro call costs Jinja a new
# context per call, and these run a few hundred thousand times in a large publish. Every value
# from a feed goes through ``escape``; the result is ``Markup`` so the templates insert it as is.


def when_html(moment: datetime | None) -> Markup:
    """``<time>`` with the UTC time, or "undated"."""
    if not moment:
        return Markup("<span>undated</span>")
    return Markup(f'<time datetime="{_iso(moment)}">{_human(moment)}</time>')


def picture_html(p: Picture, class_name: str, lazy: bool = True) -> Markup:
    """An ``<img>`` (a picture without alt text is decorative: role presentation)."""
    parts = [f'<img class="{escape(class_name)}" src="{escape(p.src)}" alt="{escape(p.alt)}"']
    if not p.alt:
        parts.append(' role="presentation"')
    if p.width:
        parts.append(f' width="{escape(p.width)}"')
    if p.height:
        parts.append(f' height="{escape(p.height)}"')
    if lazy:
        parts.append(' loading="lazy"')
    parts.append(' decoding="async">')
    return Markup("".join(parts))


def link_html(text: str, href: str | None, external: bool) -> Markup:
    """``text`` as a link to ``href`` (an outlet's page: ``rel="noopener"``), or plain."""
    if not href:
        return escape(text)
    extra = ' rel="noopener" class="ext"' if external else ""
    return Markup(f'<a href="{escape(href)}"{extra}>{escape(text)}</a>')


def badge_html(label: str | None) -> Markup:
    """ "Original report" or "Syndicated copy" as a badge."""
    if not label:
        return Markup("")
    extra = " badge-original" if label == ORIGINAL_LABEL else ""
    return Markup(f'<strong class="badge{extra}">{escape(label)}</strong>')


def source_html(entry: Entry) -> Markup:
    """The outlet's name, after its logo when the site holds a copy."""
    logo = f"{picture_html(entry.logo, 'logo')} " if entry.logo else ""
    return Markup(f'<span class="source">{logo}{escape(entry.provider)}</span>')


def card_html(entry: Entry, heading: str = "h3") -> Markup:
    """An article card: image, linked title, outlet, time, label and excerpt."""
    lines = ['<article class="card">']
    if entry.image:
        lines.append(picture_html(entry.image, "card-image"))
    lines.append('<div class="card-body">')
    title = link_html(entry.title, entry.href, entry.external)
    lines.append(f'<{heading} class="card-title">{title}</{heading}>')
    label = f" · {badge_html(entry.label)}" if entry.label else ""
    lines.append(f'<p class="meta">{source_html(entry)} · {when_html(entry.when)}{label}</p>')
    if entry.excerpt:
        lines.append(f'<p class="excerpt">{escape(entry.excerpt)}</p>')
    lines.append("</div>")
    lines.append("</article>")
    return Markup("\n".join(lines))


def coverage_line_html(entry: Entry, with_source: bool = True) -> Markup:
    """A story's coverage item: label, linked title, (outlet and) time."""
    original = " is-original" if entry.label == ORIGINAL_LABEL else ""
    space = " " if entry.label else ""
    title = link_html(entry.title, entry.href, entry.external)
    source = f"{source_html(entry)} · " if with_source else ""
    return Markup(
        f'<li class="coverage-item{original}">\n'
        f"{badge_html(entry.label)}{space}{title}\n"
        f'<span class="meta">{source}{when_html(entry.when)}</span>\n'
        "</li>"
    )


FRAGMENTS = {
    "when": when_html,
    "picture": picture_html,
    "link": link_html,
    "badge": badge_html,
    "source": source_html,
    "card": card_html,
    "coverage_line": coverage_line_html,
}


# -- the heat chart -----------------------------------------------------------------------------


def heat_summary(history: History) -> str:
    """A text alternative for the heat chart: its peak and when, its latest value and its span."""
    if not history:
        return "No heat history yet."
    points = sorted(history, key=lambda point: point[0])
    peak_at, peak = max(points, key=lambda point: (point[1], -point[0].timestamp()))
    first, last = points[0][0], points[-1][0]
    hours = len(points)
    return (
        f"Heat peaked at {peak} at {_hour(peak_at)} UTC on {peak_at.astimezone(UTC):%Y-%m-%d};"
        f" latest {points[-1][1]} at {_hour(last)} UTC."
        f" {hours} hourly {'point' if hours == 1 else 'points'}"
        f" from {_human(first)} to {_human(last)}."
    )


def heat_chart_svg(
    history: History,
    *,
    width: int = 640,
    height: int = 220,
    label_id: str = "heat",
    summary: str | None = None,
) -> str:
    """An inline SVG line chart of a story's hourly heat (one marked point per history entry).

    The x axis is time (UTC hours, labelled), the y axis heat from 0 to 100. The chart carries
    a ``<title>`` and a ``<desc>`` (the :func:`heat_summary` text) and is labelled by them
    (ids ``<label_id>-title``/``<label_id>-desc``; ``summary``: that text, when the caller has
    it already). An empty history gives "" (no chart).
    """
    if not history:
        return ""
    points = sorted(history, key=lambda point: point[0])
    left, right, top, bottom = 40, 16, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    start = points[0][0]
    span = (points[-1][0] - start).total_seconds() / 3600
    scale = max(HEAT_SCALE, *(value for _, value in points))

    def x(moment: datetime) -> float:
        if span <= 0:
            return left + plot_w / 2
        return left + plot_w * ((moment - start).total_seconds() / 3600) / span

    def y(value: int) -> float:
        return top + plot_h * (1 - max(0, value) / scale)

    def num(value: float) -> str:
        return f"{value:.1f}".removesuffix(".0")

    ident = escape(label_id)
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="heat-chart" role="img"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">Heat of this story by hour (UTC)</title>',
        f'<desc id="{ident}-desc">{escape(summary or heat_summary(points))}</desc>',
    ]
    # y axis: gridlines and labels at 0, half and full scale
    for value in (0, scale // 2, scale):
        level = num(y(value))
        parts.append(
            f'<line class="grid" x1="{left}" y1="{level}" x2="{width - right}" y2="{level}"'
            ' stroke="#d0d0d0" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{level}" text-anchor="end" dominant-baseline="middle"'
            f' font-size="11" fill="#333">{value}</text>'
        )
    base = num(top + plot_h)
    parts.append(
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{base}"'
        ' stroke="#333" stroke-width="1"/>'
    )
    parts.append(
        f'<line class="axis" x1="{left}" y1="{base}" x2="{width - right}" y2="{base}"'
        ' stroke="#333" stroke-width="1"/>'
    )
    # x axis: at most 7 hour labels, evenly picked, always the first and the last
    count = len(points)
    step = max(1, -(-(count - 1) // 6))
    ticks = sorted({*range(0, count, step), count - 1})
    # a chart longer than a day says which day each label is on
    days = (points[-1][0] - points[0][0]) >= timedelta(hours=24)
    for index in ticks:
        moment = points[index][0]
        label = _day_hour(moment) if days else _hour(moment)
        parts.append(
            f'<text x="{num(x(moment))}" y="{height - 10}" text-anchor="middle"'
            f' font-size="11" fill="#333">{label}</text>'
        )
    line = " ".join(f"{num(x(moment))},{num(y(value))}" for moment, value in points)
    parts.append(
        f'<polyline class="line" points="{line}" fill="none" stroke="#a3320b"'
        ' stroke-width="2" stroke-linejoin="round"/>'
    )
    parts.extend(
        f'<circle class="point" cx="{num(x(moment))}" cy="{num(y(value))}" r="2.5" fill="#a3320b"/>'
        for moment, value in points
    )
    parts.append("</svg>")
    return "\n".join(parts)


# -- the site -----------------------------------------------------------------------------------


#: the site environment's compile options (they also name its compiled-template cache)
_OPTIONS: dict[str, Any] = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}


@functools.cache
def _environment() -> jinja2.Environment:
    """The site's template environment, shared by every renderer of the process (templates
    are compiled once, and forked workers inherit them compiled)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("topicwire.publish", "templates"),
        undefined=jinja2.StrictUndefined,
        # the templates ship with the package: no need to stat them on every page
        auto_reload=False,
        bytecode_cache=bytecode_cache(f"site {sorted(_OPTIONS.items())}"),
        **_OPTIONS,
    )
    env.filters["iso"] = _iso
    env.filters["human"] = _human
    env.globals.update(FRAGMENTS)
    return env


def stories_with_pages(snapshot: Snapshot) -> dict[int, PublishedStory]:
    """The stories the site has a page for (those with an article of the snapshot), by id."""
    return {
        story.id: story
        for story in sorted(snapshot.stories.values(), key=lambda s: s.id)
        if any(i in snapshot.articles for i in story.article_ids)
    }


def _site_template(name: str) -> bool:
    """A template of the site's pages (the newsletter's have their own environment)."""
    return name.endswith(".html.j2") and not name.startswith("newsletter")


class SiteRenderer:
    """Renders one snapshot's pages: all of them (:func:`render_site`), or page by page (an
    incremental publish renders only the story and article pages whose inputs changed)."""

    def __init__(self, snapshot: Snapshot, sources: Sequence[tuple[str, str | None]]) -> None:
        self.snapshot = snapshot
        self.sources = sources
        self.env = _environment()
        self.topics_by_name = {topic.name: topic for topic in snapshot.topics}
        #: stories with a page: those with an article of the snapshot
        self.story_pages = stories_with_pages(snapshot)
        roots = [topic for topic in snapshot.topics if not topic.parent]
        self.nav = (
            NavItem("Hot stories", snapshot.url(""), "index.html"),
            *(NavItem(t.name, snapshot.url(f"topics/{t.id}/"), self.topic_path(t)) for t in roots),
            NavItem("About", snapshot.url("about/"), "about/index.html"),
        )
        self._nav_paths = {item.path for item in self.nav}
        self._chromes: dict[tuple[str | None, datetime | None], Chrome] = {}
        #: entries made, by article and whether shown as its story's original report (with the
        #: article they were made of)
        self._entries: dict[tuple[int, bool], tuple[PublishedArticle, Entry]] = {}

    # paths

    @staticmethod
    def topic_path(topic: Topic, page: int = 1) -> str:
        if page == 1:
            return f"topics/{topic.id}/index.html"
        return f"topics/{topic.id}/page/{page}/index.html"

    # view models

    def provider_of(self, article: Article) -> tuple[str, Picture | None]:
        provider = article.provider
        domain = provider.domain if provider else None
        registered = self.snapshot.providers.get(domain) if domain else None
        name = (
            (provider.name if provider else None)
            or (registered.name if registered else None)
            or domain
            or "Unknown source"
        )
        logo = None
        # only a logo the site holds a copy of: pages never load anything from the outlets
        if registered and registered.images and registered.images[0].is_cached:
            found = _picture(registered.images[0])
            # the name is shown beside the logo: the logo itself is decorative
            logo = Picture(found.src, "", found.width, found.height) if found else None
        return name, logo

    def entry(self, item: PublishedArticle, story: PublishedStory | None = None) -> Entry:
        """``item`` as a card or coverage line (in ``story``: marked when its original report).
        An article's entry is made once: its page, its story's page, its topics' pages and the
        home page all show it."""
        original = story is not None and story.original_id == item.id
        found = self._entries.get((item.id, original))
        if found is not None and found[0] is item:
            return found[1]
        made = self._entry(item, original)
        self._entries[(item.id, original)] = (item, made)
        return made

    def _entry(self, item: PublishedArticle, original: bool) -> Entry:
        article = item.article
        provider, logo = self.provider_of(article)
        outlet = safe_url(article.web_url or article.original_url)
        own = item.id in self.snapshot.articles
        href = self.snapshot.url(item.page_path) if own else outlet
        image = next((i for i in article.images if i.is_cached), None)
        label = None
        if original:
            label = ORIGINAL_LABEL
        elif item.copy_of_id is not None:
            label = "Syndicated copy"
        return Entry(
            id=item.id,
            title=article.title,
            href=href,
            external=not own and href is not None,
            outlet_url=outlet,
            provider=provider,
            logo=logo,
            image=_picture(image),
            when=article.published_at,
            excerpt=article.excerpt,
            label=label,
        )

    def members(self, story: PublishedStory) -> list[Entry]:
        self.snapshot.prefetch(story.article_ids)
        found = (self.snapshot.member(i) for i in story.article_ids)
        return [self.entry(m, story) for m in found if m is not None]

    # rendering

    def warm(self) -> None:
        """Load every template now (forked workers then inherit them compiled)."""
        for name in self.env.list_templates(filter_func=_site_template):
            self.env.get_template(name)

    def chrome(self, path: str) -> Chrome:
        """The header and footer of the page at ``path``: only the home page shows the time
        (other pages stay byte-identical between publishes unless their content changed) and a
        page of the navigation is marked current; all other pages share one."""
        current = path if path in self._nav_paths else None
        moment = self.snapshot.generated_at if path == "index.html" else None
        found = self._chromes.get((current, moment))
        if found is None:
            module: Any = self.env.get_template("_chrome.html.j2").make_module(
                {"site_title": self.snapshot.title, "nav": self.nav, "url": self.snapshot.url}
            )
            found = Chrome(
                head_links=Markup(module.head_links()),
                header=Markup(module.header(current)),
                footer=Markup(module.footer(moment)),
            )
            self._chromes[(current, moment)] = found
        return found

    def render(self, template: str, path: str, **context: object) -> bytes:
        text = self.env.get_template(template).render(
            site_title=self.snapshot.title,
            lang=self.snapshot.locale or "en",
            chrome=self.chrome(path),
            canonical=self.snapshot.url(path.removesuffix("index.html"))
            if self.snapshot.base_url
            else None,
            **context,
        )
        return text.encode("utf-8")

    def home(self) -> bytes:
        stories = []
        hot = self.snapshot.hot_stories(HOME_STORIES)
        self.snapshot.prefetch(i for story in hot for i in story.article_ids)
        for story in hot:
            entries = self.members(story)
            stories.append(
                {
                    "story": story,
                    "href": self.snapshot.url(story.page_path),
                    "entries": entries[:HOME_COVERAGE],
                    "more": max(0, len(entries) - HOME_COVERAGE),
                }
            )
        return self.render("home.html.j2", "index.html", stories=stories)

    def topic_pages(self, topic: Topic) -> dict[str, bytes]:
        snapshot = self.snapshot
        articles = snapshot.in_topic(topic)
        size = max(1, snapshot.page_size)
        pages = max(1, min(snapshot.max_pages, -(-len(articles) // size)))
        parent = self.topics_by_name.get(topic.parent) if topic.parent else None
        children = [t for t in snapshot.topics if t.parent == topic.name]
        out: dict[str, bytes] = {}
        for page in range(1, pages + 1):
            path = self.topic_path(topic, page)

            def link(number: int) -> str | None:
                if not 1 <= number <= pages:
                    return None
                return snapshot.url(self.topic_path(topic, number).removesuffix("index.html"))

            chunk = articles[(page - 1) * size : page * size]
            out[path] = self.render(
                "topic.html.j2",
                path,
                topic=topic,
                parent=parent,
                parent_href=snapshot.url(f"topics/{parent.id}/") if parent else None,
                children=[(t, snapshot.url(f"topics/{t.id}/")) for t in children],
                entries=[self.entry(a) for a in chunk],
                page=page,
                pages=pages,
                newer=link(page - 1),
                older=link(page + 1),
                total=len(articles),
            )
        return out

    def story_page(self, story: PublishedStory) -> bytes:
        groups: dict[str, list[Entry]] = {}
        logos: dict[str, Picture | None] = {}
        for entry in self.members(story):
            groups.setdefault(entry.provider, []).append(entry)
            logos.setdefault(entry.provider, entry.logo)
        original = self.snapshot.member(story.original_id) if story.original_id else None
        path = f"{story.page_path}index.html"
        summary = heat_summary(story.history)
        chart = heat_chart_svg(story.history, label_id=f"heat-{story.id}", summary=summary)
        return self.render(
            "story.html.j2",
            path,
            story=story,
            groups=[ProviderGroup(p, logos[p], tuple(e)) for p, e in groups.items()],
            original=self.entry(original, story) if original else None,
            chart=Markup(chart),
            chart_text=summary,
        )

    def article_page(self, item: PublishedArticle) -> bytes:
        article = item.article
        story = self.story_pages.get(item.story_id) if item.story_id is not None else None
        entry = self.entry(item, story)
        original = None
        if item.copy_of_id is not None:
            source = self.snapshot.member(item.copy_of_id)
            original = self.entry(source) if source else None
        topics = [
            (
                name,
                self.snapshot.url(f"topics/{t.id}/")
                if (t := self.topics_by_name.get(name))
                else None,
            )
            for name in article.topics
        ]
        related = []
        info = self.snapshot.index.get(item.id)
        targets = dict(info.related_targets) if info else {}
        for position, rel in enumerate(article.related):
            target = targets.get(position)
            page = None if target is None else self.snapshot.page_path(target)
            provider = (rel.provider.name or rel.provider.domain) if rel.provider else None
            related.append(
                {
                    "title": rel.title,
                    "href": self.snapshot.url(page) if page else safe_url(rel.web_url),
                    "external": page is None,
                    "provider": provider,
                    "when": rel.published_at,
                }
            )
        path = f"{item.page_path}index.html"
        return self.render(
            "article.html.j2",
            path,
            entry=entry,
            story=story,
            story_href=self.snapshot.url(story.page_path) if story else None,
            original=original,
            topics=topics,
            related=related,
        )

    def shared_pages(self) -> dict[str, bytes]:
        """The pages that are not one story's or one article's: home, topic pages, about, and
        the stylesheet and icon."""
        out = self.home_files()
        for topic in self.snapshot.topics:
            out.update(self.topic_pages(topic))
        return out

    def home_files(self) -> dict[str, bytes]:
        """The home and about pages, the stylesheet and the icon."""
        return {
            "index.html": self.home(),
            STYLESHEET: stylesheet(),
            FAVICON: favicon(),
            "about/index.html": self.about(),
        }

    def about(self) -> bytes:
        sources = [
            {"url": url, "href": safe_url(url), "title": title}
            for url, title in sorted(self.sources, key=lambda pair: (pair[1] or pair[0], pair[0]))
        ]
        providers = sorted(
            {(p.name or domain) for domain, p in self.snapshot.providers.items()},
            key=str.casefold,
        )
        return self.render(
            "about.html.j2", "about/index.html", sources=sources, providers=providers
        )


def stylesheet() -> bytes:
    """The site's one stylesheet (``static/site.css``)."""
    return resources.files("topicwire.publish").joinpath("static/site.css").read_bytes()


def favicon() -> bytes:
    """The site's icon (``static/favicon.svg``): browsers ask for one on every site."""
    return resources.files("topicwire.publish").joinpath(FAVICON).read_bytes()


def render_site(
    snapshot: Snapshot, *, sources: Sequence[tuple[str, str | None]] = ()
) -> dict[str, bytes]:
    """Every page of the HTML site and its stylesheet, by path under ``out/``.

    Pages: ``index.html`` (hottest stories), ``topics/<id>/index.html`` (and
    ``topics/<id>/page/<n>/index.html`` past the first ``page_size`` articles, up to
    ``max_pages``), ``stories/<id>/index.html`` for every story with an article in the
    snapshot, ``news/<slug>/index.html`` for every article in ``snapshot.articles``, and
    ``about/index.html`` listing ``sources`` (``(url, title)`` pairs).
    """
    site = SiteRenderer(snapshot, sources)
    out = site.shared_pages()
    for story in site.story_pages.values():
        out[f"{story.page_path}index.html"] = site.story_page(story)
    for item in snapshot.articles.values():
        out[f"{item.page_path}index.html"] = site.article_page(item)
    return dict(sorted(out.items()))

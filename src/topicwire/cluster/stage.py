"""The stories stage: place new articles in stories and keep every touched story up to date.

One run (:meth:`StoryStage.run`), reading top to bottom:

1. **New articles** are the stored articles in no story yet. Those without an embedding are
   embedded now (the same text the enrich stage embeds).
2. **Context**: the articles already in stories that appeared within ``index_days`` before the
   oldest new article are restored into an online :class:`StoryClusterer` in the stories they
   already have (:meth:`StoryClusterer.place`), with the editors' merge and split decisions as
   constraints. Then each new article is added in publication order: it joins the best active
   story or starts a new one. Nothing already placed moves, so a run never undoes an editor.
3. **Copies**: a MinHash-LSH index over context and new articles marks syndicated and lightly
   edited copies; each copy points at its group's canonical article (the earliest published).
4. **Touched stories** (those that gained an article or a copy link) get, from all their
   articles: the original report (the earliest credible report by publication time, never a
   copy; reports within ``original_tie_minutes`` of the earliest compete on provider weight,
   then quality), each article's originality and the quality rescored with it, the story's heat
   now and its hourly history, every article's ``heat`` (the story's heat now, when the article
   is published again), its ``related`` list and ``published`` by rule (on-topic, not a copy,
   quality and heat at their thresholds) unless an editor decided. A copy stays in its story
   as coverage but is not published on its own: readers get one item per story and outlet.
5. **Cooling**: stories that are not touched but still warm get their heat and history
   brought up to now (their articles keep the heat they were last published with).
6. Everything is written in ONE transaction; the site's neighbour index (``index/`` in the
   site folder) is brought up to date after it. A run killed at any point leaves the store as
   it was before the run, and the next run does the work again; a neighbour index that lags or
   is lost is rebuilt from the stored embeddings.

Originality: the original report is 1, a copy is 0, and any other report is
``min(1, 2 * novel)`` where ``novel`` is the share of its names and figures that no earlier
report of the story from another provider carried: a rehash repeats the first report's facts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

from topicwire.cluster.dedup import NearDuplicateIndex
from topicwire.cluster.index import VectorIndex
from topicwire.cluster.stories import ClusterConfig, StoryClusterer, StoryConstraints, StoryItem
from topicwire.cluster.story_features import entities
from topicwire.enrich.embed import Embedder, default_embedder, embedding_text, from_bytes, to_bytes
from topicwire.errors import StoreError
from topicwire.model import Article, Provider, RelatedItem
from topicwire.score.heat import Arrival, HeatConfig, heat, heat_history
from topicwire.score.quality import score_quality
from topicwire.settings import Settings
from topicwire.site import Site
from topicwire.steps import step
from topicwire.store import Store
from topicwire.store.stories import CANNOT, MUST, Member, StoryState, StoryWriter

log = logging.getLogger(__name__)

Vector = npt.NDArray[np.float32]
#: characters of an article read for its names and figures (originality)
ORIGINALITY_CHARS = 4000
#: neighbours asked of the index per article for related stories
RELATED_NEIGHBOURS = 48
#: query beam of the site's neighbour index: at 1M clustered 384-d vectors, ef=64 answers k=10
#: in 1.0 ms p99 with recall@10 0.974, ef=200 in 2.1 ms (bench/neighbours.py, 2026-11-22)
NEIGHBOUR_EF = 64


@dataclass(frozen=True)
class StageConfig:
    """The stories stage's settings (``stories.*`` and ``publish.*`` in ``topicwire.toml``)."""

    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    heat: HeatConfig = field(default_factory=HeatConfig)
    related_count: int = 5
    related_min_similarity: float = 0.35
    original_tie_minutes: float = 30.0
    original_min_quality: int = 30
    publish_min_quality: int = 50
    publish_min_heat: int = 0
    #: a story's heat history runs until this many days after its latest article (by then a
    #: 12-hour half-life has brought every provider's contribution below 1/16000)
    history_tail_days: float = 7.0

    @classmethod
    def from_settings(cls, settings: Settings) -> StageConfig:
        """The stage's configuration from a site's settings."""
        return cls(
            cluster=ClusterConfig(window_days=float(settings.get("stories.window_days"))),
            heat=HeatConfig(half_life_hours=float(settings.get("stories.half_life_hours"))),
            related_count=int(settings.get("stories.related_count")),
            related_min_similarity=float(settings.get("stories.related_min_similarity")),
            original_tie_minutes=float(settings.get("stories.original_tie_minutes")),
            original_min_quality=int(settings.get("stories.original_min_quality")),
            publish_min_quality=int(settings.get("publish.rule_min_quality")),
            publish_min_heat=int(settings.get("publish.rule_min_heat")),
        )


@dataclass
class StoryReport:
    """What one run did."""

    clustered: int = 0
    new_stories: int = 0
    joined: int = 0
    copies: int = 0
    touched_stories: int = 0
    cooled_stories: int = 0
    articles_updated: int = 0
    index_size: int = 0


@dataclass
class _Plan:
    """A run's results before they are written."""

    story_of: dict[int, int] = field(default_factory=dict)
    new_local: dict[int, list[int]] = field(default_factory=dict)
    copies: dict[int, int | None] = field(default_factory=dict)


def new_story_key(local: int) -> int:
    """Story ids of stories created in this run are negative until the store numbers them."""
    return -1 - local


class StoryStage:
    """Clusters a site's new articles into stories and maintains the touched stories."""

    def __init__(
        self,
        store: Store,
        config: StageConfig | None = None,
        *,
        weights: Mapping[str, float] | None = None,
        index_path: Path | None = None,
        embedder: Embedder | None = None,
        has_taxonomy: bool = True,
    ) -> None:
        self.store = store
        self.config = config or StageConfig()
        self.weights = dict(weights or {})
        self.index_path = index_path
        self._embedder = embedder
        self.has_taxonomy = has_taxonomy
        #: embeddings computed in this run, written with the articles
        self._embedded: dict[int, bytes] = {}

    @property
    def embedder(self) -> Embedder:
        """The sentence-embedding model, loaded on first use."""
        if self._embedder is None:
            self._embedder = default_embedder()
        return self._embedder

    # ------------------------------------------------------------------ the run

    def run(
        self,
        now: datetime | None = None,
        progress: Callable[[str], None] | None = None,
        *,
        touch: Iterable[int] = (),
    ) -> StoryReport:
        """One run of the stage (see the module docstring); what it did.

        ``touch`` names stories to update even if no article joined them (after an editor
        merged or split them, say)."""
        now = (now or datetime.now(UTC)).astimezone(UTC)
        say = progress or (lambda _: None)
        self._embedded = {}
        report = StoryReport()
        cfg = self.config
        fresh = self.store.story_members(unclustered=True)
        say(f"{len(fresh)} new article(s)")
        vectors = self._vectors(fresh)
        fresh = [m for m in fresh if m.id in vectors]
        context: list[Member] = []
        if fresh:
            since = min(m.time for m in fresh) - timedelta(days=cfg.cluster.index_days)
            context = self.store.story_members(since=since)
            vectors.update(self._vectors(context))
        plan = self._cluster(context, fresh, vectors, report)
        self._find_copies(context, fresh, plan, report)

        light = {m.id: m for m in context}
        light.update((m.id, m) for m in fresh)
        touched = {plan.story_of.get(m.id, m.story_id) for m in fresh}
        touched.update(light[a].story_id for a in plan.copies if light[a].story_id is not None)
        touched.update(plan.story_of[a] for a in plan.copies if a in plan.story_of)
        touched.update(touch)
        touched.discard(None)
        stored_touched = sorted(s for s in touched if s is not None and s >= 0)
        for member in self.store.story_members(story_ids=stored_touched):
            light.setdefault(member.id, member)
        vectors.update(self._vectors([m for m in light.values() if m.id not in vectors]))

        index = self._neighbour_index(light, vectors)
        groups: dict[int, list[Member]] = {}
        for member in light.values():
            story = plan.story_of.get(member.id, member.story_id)
            if story in touched and story is not None:
                groups.setdefault(story, []).append(member)
        report.touched_stories = len(groups)
        say(f"{len(groups)} story(ies) to update")
        states, articles = self._update_stories(groups, light, vectors, plan, index, now)
        cooling = self._cool(now, exclude=set(groups))
        report.cooled_stories = len(cooling)

        with self.store.story_writer() as writer:
            numbers = self._save(writer, plan, states + cooling, articles)
        report.articles_updated = numbers
        step("stories.committed")  # (the neighbour index not yet saved)
        if index is not None and self.index_path is not None:
            index.save(self.index_path)
            report.index_size = len(index)
        return report

    # ------------------------------------------------------------------ clustering

    def _vectors(self, items: Sequence[Member]) -> dict[int, Vector]:
        """Embeddings by article id; articles without one are embedded now."""
        found: dict[int, Vector] = {}
        missing: list[int] = []
        for member in items:
            if member.embedding:
                found[member.id] = from_bytes(member.embedding)
            else:
                missing.append(member.id)
        if missing:
            stored = self.store.get_articles(missing)
            order = [i for i in missing if i in stored]
            encoded = self.embedder.encode([embedding_text(stored[i].article) for i in order])
            for article_id, vector in zip(order, encoded, strict=True):
                found[article_id] = np.asarray(vector, dtype=np.float32)
                self._embedded[article_id] = to_bytes(vector)
        return found

    def _cluster(
        self,
        context: Sequence[Member],
        fresh: Sequence[Member],
        vectors: Mapping[int, Vector],
        report: StoryReport,
    ) -> _Plan:
        plan = _Plan()
        if not fresh:
            return plan
        must: list[tuple[str, str]] = []
        cannot: list[tuple[str, str]] = []
        for kind, a, b in self.store.story_links():
            (must if kind == MUST else cannot if kind == CANNOT else []).append((str(a), str(b)))
        clusterer = StoryClusterer.from_constraints(
            StoryConstraints(tuple(must), tuple(cannot)), self.config.cluster
        )
        restored: set[int] = set()
        for member in context:
            assert member.story_id is not None
            clusterer.place(_item(member, vectors[member.id]), member.story_id)
            restored.add(member.story_id)
        for member in fresh:
            story = clusterer.add(_item(member, vectors[member.id]))
            if story in restored:
                plan.story_of[member.id] = story
                report.joined += 1
            else:
                plan.new_local.setdefault(story, []).append(member.id)
        for local, ids in plan.new_local.items():
            for article_id in ids:
                plan.story_of[article_id] = new_story_key(local)
        # a new story's articles are "joined" when it has more than one
        report.clustered = len(fresh)
        report.new_stories = len(plan.new_local)
        return plan

    def _find_copies(
        self, context: Sequence[Member], fresh: Sequence[Member], plan: _Plan, report: StoryReport
    ) -> None:
        if not fresh:
            return
        index = NearDuplicateIndex()
        everyone = sorted([*context, *fresh], key=lambda m: (m.time, m.id))
        for member in everyone:
            index.add(str(member.id), f"{member.title}\n{member.text}", published_at=member.time)
        current = {m.id: m.copy_of_id for m in everyone}
        seen: set[int] = set()
        for member in fresh:
            if member.id in seen:
                continue
            group = [int(k) for k in index.group_of(str(member.id))]
            seen.update(group)
            if len(group) < 2:
                continue
            canonical = int(index.canonical_of(str(member.id)))
            for article_id in group:
                wanted = None if article_id == canonical else canonical
                if current.get(article_id) != wanted:
                    plan.copies[article_id] = wanted
        report.copies = sum(1 for v in plan.copies.values() if v is not None)

    # ------------------------------------------------------------------ stories

    def _update_stories(
        self,
        groups: Mapping[int, list[Member]],
        light: Mapping[int, Member],
        vectors: Mapping[int, Vector],
        plan: _Plan,
        index: VectorIndex | None,
        now: datetime,
    ) -> tuple[list[StoryState], list[Article]]:
        if not groups:
            return [], []
        ids = [m.id for members in groups.values() for m in members]
        full = {i: s.article for i, s in self.store.get_articles(ids).items()}
        editors = self.store.editor_decisions(ids)
        copy_of = {m.id: plan.copies.get(m.id, m.copy_of_id) for m in light.values()}
        states: list[StoryState] = []
        heats: dict[int, int] = {}
        story_of = {m.id: plan.story_of.get(m.id, m.story_id) for m in light.values()}
        for story, members in groups.items():
            members = [m for m in members if m.id in full]
            if not members:
                continue
            state, originality = self._story_state(story, members, full, copy_of, now)
            states.append(state)
            heats[story] = state.heat
            for member in members:
                article = full[member.id]
                domain = member.domain or ""
                quality = score_quality(
                    article,
                    provider_weight=self.weights.get(domain),
                    originality=originality[member.id],
                )
                article.quality = quality.score
                article.quality_signals = [asdict(signal) for signal in quality.signals]
                article.heat = state.heat
                if member.id in self._embedded:
                    article.embedding = self._embedded[member.id]
        related_ids = self._related(groups, light, vectors, story_of, copy_of, index)
        targets = {t for items in related_ids.values() for t in items}
        snapshots = {i: s.article for i, s in self.store.get_articles(targets - set(full)).items()}
        snapshots.update(full)
        changed: list[Article] = []
        for article_id, article in full.items():
            article.related = [
                _related_item(snapshots[t])
                for t in related_ids.get(article_id, [])
                if t in snapshots
            ]
            article.published = self._publish(
                article, editors.get(article_id), copy=copy_of.get(article_id) is not None
            )
            changed.append(article)
        return states, changed

    def _story_state(
        self,
        story: int,
        members: Sequence[Member],
        full: Mapping[int, Article],
        copy_of: Mapping[int, int | None],
        now: datetime,
    ) -> tuple[StoryState, dict[int, float]]:
        base = {
            m.id: score_quality(
                full[m.id], provider_weight=self.weights.get(m.domain or ""), originality=None
            ).score
            for m in members
        }
        original = self._original(members, copy_of, base)
        originality = _originality(members, full, copy_of, original)
        title = full[original].title if original in full else members[0].title
        return self._heat_state(story, title, original, members, now), originality

    def _heat_state(
        self,
        story: int,
        title: str,
        original: int | None,
        members: Sequence[Member],
        now: datetime,
    ) -> StoryState:
        """A story's state at ``now``: heat, hourly history, span and counts."""
        cfg = self.config
        arrivals = [
            Arrival(m.domain or f"article-{m.id}", m.time, self.weights.get(m.domain or "", 1.0))
            for m in members
        ]
        first = min(m.time for m in members)
        last = max(m.time for m in members)
        end = min(now, last + timedelta(days=cfg.history_tail_days))
        start = max(first, end - timedelta(days=cfg.history_tail_days + cfg.cluster.window_days))
        return StoryState(
            id=story,
            title=title,
            original_article_id=original,
            heat=heat(arrivals, now, cfg.heat),
            first_published_at=first,
            last_published_at=last,
            article_count=len(members),
            provider_count=len({a.provider for a in arrivals}),
            history=heat_history(arrivals, start, end, cfg.heat) if end >= start else [],
        )

    def _original(
        self,
        members: Sequence[Member],
        copy_of: Mapping[int, int | None],
        quality: Mapping[int, int],
    ) -> int:
        """The earliest credible report (see the module docstring); ``quality`` is each
        member's quality before originality counts (so the choice does not feed on itself)."""
        cfg = self.config
        originals = [m for m in members if copy_of.get(m.id) is None]
        credible = [
            m
            for m in originals
            if quality.get(m.id, 0) >= cfg.original_min_quality
            and self.weights.get(m.domain or "", 1.0) > 0
        ]
        pool = credible or originals or list(members)
        dated = [m for m in pool if m.published_at is not None] or pool
        earliest = min(report_time(m) for m in dated)
        tie = timedelta(minutes=cfg.original_tie_minutes)
        close = [m for m in dated if report_time(m) - earliest <= tie]
        best = max(
            close,
            key=lambda m: (
                self.weights.get(m.domain or "", 1.0),
                -report_time(m).timestamp(),
                quality.get(m.id, 0),
                -m.id,
            ),
        )
        return best.id

    def _cool(self, now: datetime, exclude: set[int]) -> list[StoryState]:
        """Warm stories nobody touched this run: heat and history brought up to ``now``."""
        since = now - timedelta(days=self.config.history_tail_days)
        warm = [
            s
            for s in self.store.list_stories()
            if s.id not in exclude
            and (s.heat > 0 or (s.last_published_at is not None and s.last_published_at >= since))
        ]
        if not warm:
            return []
        members: dict[int, list[Member]] = {}
        for member in self.store.story_members(story_ids=[s.id for s in warm]):
            assert member.story_id is not None
            members.setdefault(member.story_id, []).append(member)
        return [
            self._heat_state(story.id, story.title, story.original_article_id, mine, now)
            for story in warm
            if (mine := members.get(story.id, []))
        ]

    # ------------------------------------------------------------------ related coverage

    def _related(
        self,
        groups: Mapping[int, list[Member]],
        light: Mapping[int, Member],
        vectors: Mapping[int, Vector],
        story_of: Mapping[int, int | None],
        copy_of: Mapping[int, int | None],
        index: VectorIndex | None,
    ) -> dict[int, list[int]]:
        """Each touched article's related article ids, best first (see ``related_for``)."""
        cfg = self.config
        window = timedelta(days=cfg.cluster.window_days)
        found: dict[int, list[int]] = {}
        for story, members in groups.items():
            for member in members:
                if member.id not in vectors:
                    continue
                vector = vectors[member.id]
                same = [
                    (float(vector @ vectors[o.id]), o)
                    for o in members
                    if o.id != member.id and o.id in vectors
                ]
                others: list[tuple[float, Member]] = []
                if index is not None and len(index):
                    for key, cosine in index.query(vector, k=min(RELATED_NEIGHBOURS, len(index))):
                        other = light.get(key)
                        if other is None or story_of.get(key) in (story, None):
                            continue
                        if cosine < cfg.related_min_similarity:
                            continue
                        if abs(other.time - member.time) > window:
                            continue
                        others.append((cosine, other))
                found[member.id] = related_for(
                    member, same, others, story_of, copy_of, cfg.related_count
                )
        return found

    def _neighbour_index(
        self, light: Mapping[int, Member], vectors: Mapping[int, Vector]
    ) -> VectorIndex | None:
        """The site's neighbour index, holding at least every article in ``light``."""
        if not vectors:
            return None
        dim = len(next(iter(vectors.values())))
        index: VectorIndex | None = None
        path = self.index_path
        if path is not None and path.exists():
            try:
                index = VectorIndex.load(path)
            except StoreError as exc:
                log.warning("%s; rebuilding the neighbour index", exc)
            if index is not None and index.dim != dim:
                log.warning("%s: dimension %d, not %d; rebuilding", path, index.dim, dim)
                index = None
        if index is None:
            index = VectorIndex(dim, path, ef=NEIGHBOUR_EF)
        missing = [i for i in light if i in vectors and i not in index]
        if missing:
            index.add(missing, np.stack([vectors[i] for i in missing]))
        return index

    # ------------------------------------------------------------------ publishing and saving

    def _publish(self, article: Article, editor: bool | None, *, copy: bool) -> bool:
        """Published by rule: on-topic, not a copy, quality and heat at their thresholds;
        an editor's decision wins."""
        if editor is not None:
            return editor
        cfg = self.config
        on_topic = bool(article.topics) or not self.has_taxonomy
        return (
            on_topic
            and not copy
            and (article.quality or 0) >= cfg.publish_min_quality
            and (article.heat if article.heat is not None else -1) >= cfg.publish_min_heat
        )

    def _save(
        self,
        writer: StoryWriter,
        plan: _Plan,
        states: Sequence[StoryState],
        articles: Sequence[Article],
    ) -> int:
        numbers = {
            new_story_key(local): writer.create_story(_title(states, new_story_key(local)))
            for local in plan.new_local
        }

        def real(story: int) -> int:
            return numbers.get(story, story)

        writer.save_embeddings(self._embedded)
        writer.place({a: real(s) for a, s in plan.story_of.items()})
        writer.mark_copies(plan.copies)
        for state in states:
            writer.save_story(replace(state, id=real(state.id)))
        result = writer.upsert_articles(articles)
        return result.inserted + result.updated


def report_time(member: Member) -> datetime:
    """When a report appeared, for choosing the original: a time of exactly midnight UTC is
    taken as a date without a time (pages often give only the day), so it counts as the end
    of that day and cannot beat a report stamped earlier the same day."""
    when = member.time
    if (when.hour, when.minute, when.second, when.microsecond) == (0, 0, 0, 0):
        return when + timedelta(days=1, seconds=-1)
    return when


def related_for(
    member: Member,
    same: Iterable[tuple[float, Member]],
    others: Iterable[tuple[float, Member]],
    story_of: Mapping[int, int | None],
    copy_of: Mapping[int, int | None],
    count: int,
) -> list[int]:
    """An article's related list: article ids, best first, at most ``count``.

    First the same story from other providers (one per provider, never a copy, ordered by
    similarity then quality), then the nearest other stories (one article per story, never a
    copy). Never the article itself, a copy of it, or its own provider."""
    own = member.domain

    def usable(other: Member) -> bool:
        return (
            other.id != member.id
            and copy_of.get(other.id) is None
            and (own is None or other.domain != own)
        )

    def rank(pair: tuple[float, Member]) -> tuple[float, int, int]:
        score, other = pair
        return (-round(score, 2), -(other.quality or 0), other.id)

    chosen: list[int] = []
    providers: set[str] = set()
    for _, other in sorted((p for p in same if usable(p[1])), key=rank):
        key = other.domain or f"article-{other.id}"
        if key in providers:
            continue
        providers.add(key)
        chosen.append(other.id)
        if len(chosen) >= count:
            return chosen
    stories: set[int | None] = {story_of.get(member.id)}
    for _, other in sorted((p for p in others if usable(p[1])), key=rank):
        story = story_of.get(other.id)
        if story in stories:
            continue
        stories.add(story)
        chosen.append(other.id)
        if len(chosen) >= count:
            break
    return chosen


def _originality(
    members: Sequence[Member],
    full: Mapping[int, Article],
    copy_of: Mapping[int, int | None],
    original: int,
) -> dict[int, float]:
    names: dict[int, set[str]] = {}
    for member in members:
        article = full[member.id]
        text = (article.text or article.excerpt or "")[:ORIGINALITY_CHARS]
        names[member.id] = entities(f"{article.title}\n{text}")
    found: dict[int, float] = {}
    for member in members:
        if member.id == original:
            found[member.id] = 1.0
            continue
        if copy_of.get(member.id) is not None:
            found[member.id] = 0.0
            continue
        earlier: set[str] = set()
        for other in members:
            if other.time < member.time and other.domain != member.domain:
                earlier |= names[other.id]
        mine = names[member.id]
        if not earlier or not mine:
            found[member.id] = 1.0
            continue
        novel = len(mine - earlier) / len(mine)
        found[member.id] = min(1.0, 2.0 * novel)
    return found


def _item(member: Member, vector: Vector) -> StoryItem:
    return StoryItem(
        key=str(member.id),
        title=member.title,
        text=member.text,
        embedding=vector,
        published_at=member.time,
        provider=member.domain,
    )


def _related_item(article: Article) -> RelatedItem:
    provider = None
    if article.provider is not None:
        provider = Provider(name=article.provider.name, domain=article.provider.domain)
    return RelatedItem(
        title=article.title,
        excerpt=article.excerpt,
        published_at=article.published_at,
        web_url=article.web_url or article.original_url,
        type=article.type,
        provider=provider,
        quality=article.quality,
        images=list(article.images),
    )


def _title(states: Sequence[StoryState], story: int) -> str:
    for state in states:
        if state.id == story:
            return state.title
    return ""


def stage_for_site(site: Site, store: Store, *, embedder: Embedder | None = None) -> StoryStage:
    """The stories stage configured for ``site``: its settings, provider weights, taxonomy and
    neighbour index file."""
    weights = {
        p.domain: p.weight for p in store.list_providers() if p.domain and p.weight is not None
    }
    return StoryStage(
        store,
        StageConfig.from_settings(site.settings),
        weights=weights,
        index_path=site.neighbour_index_file,
        embedder=embedder,
        has_taxonomy=bool(site.topics()),
    )

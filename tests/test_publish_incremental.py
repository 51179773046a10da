"""An incremental publish gives exactly what a publish from scratch gives.

A publish renders only the units (records, article pages, images, story pages and JSON) whose
key changed, and keeps the others' files. A key that misses one of its page's inputs would
leave a stale page behind; these tests catch that by comparing, after every kind of change a
site goes through, the incrementally published ``out/`` with a full publish of the same store
into a fresh folder, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from golden_corpus import NOW, corpus, fill_store, later_article, make_site, news
from topicwire.cluster.stage import stage_for_site
from topicwire.enrich.embed import Embedder, default_embedder
from topicwire.model import Image, Provider
from topicwire.publish import build, writer
from topicwire.publish.build import PublishReport, publish_site, site_snapshot
from topicwire.publish.snapshot import SnapshotChanged
from topicwire.publish.writer import MANIFEST
from topicwire.site import Site
from topicwire.store import Store


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return default_embedder()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (the manifest left out), by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


class Checked:
    """A site published incrementally, checked against a full publish after each change."""

    def __init__(self, site: Site, store: Store, embedder: Embedder, scratch: Path) -> None:
        self.site, self.store, self.embedder, self.scratch = site, store, embedder, scratch
        self.moment = NOW
        self.count = 0

    def stage(self, **kwargs: object) -> None:
        stage_for_site(self.site, self.store, embedder=self.embedder).run(
            now=self.moment,
            **kwargs,  # type: ignore[arg-type]
        )

    def publish(self, *, include_unpublished: bool = False) -> PublishReport:
        """Publish incrementally, then assert the result equals a publish from scratch."""
        self.moment += timedelta(minutes=5)
        report = publish_site(
            self.site, self.store, include_unpublished=include_unpublished, now=self.moment
        )
        self.count += 1
        fresh = self.scratch / f"full-{self.count}"
        publish_site(
            self.site,
            self.store,
            include_unpublished=include_unpublished,
            now=self.moment,
            full=True,
            out=fresh,
        )
        expected, actual = tree(fresh), tree(self.site.out_dir)
        assert sorted(actual) == sorted(expected)
        stale = [path for path in expected if actual[path] != expected[path]]
        assert stale == [], f"stale after an incremental publish: {stale}"
        return report


@pytest.fixture
def checked(tmp_path: Path, embedder: Embedder) -> Iterator[Checked]:
    site = make_site(tmp_path / "site")
    with Store.open(site.database_url) as store:
        fill_store(site, store, corpus())
        result = Checked(site, store, embedder, tmp_path)
        result.stage()
        first = result.publish()
        assert first.kept == 0 and first.rendered > 0
        yield result


def test_new_articles_render_only_their_units_and_match_a_full_publish(checked: Checked) -> None:
    unchanged = checked.publish()
    assert unchanged.rendered == 0
    assert unchanged.write.written == ["index.html"]  # it shows the publish time
    # the shared pages read the articles they list, not the whole store
    assert 0 < unchanged.loaded <= checked.store.count_articles()

    checked.store.upsert_articles([later_article()])
    checked.stage()
    report = checked.publish()
    # the new report, its story's members and their pages; the other stories' records, pages
    # and images are kept (their stories' heat moved on: those pages are rendered again)
    assert report.rendered > 0 and report.kept >= 6
    written = set(report.write.written)
    robot = "a-kitchen-robot-that-learned-to-fold-dumplings-by-watching-videos"
    assert f"news/2026-05-14-{robot}/index.html" not in written


def test_edits_decisions_and_takedowns_match_a_full_publish(checked: Checked) -> None:
    store = checked.store
    ids = {s.article.title: s.id for s in store.iter_articles()}
    first_title = corpus()[0].title

    # an outlet corrects a headline (the same URL, new content)
    edited = corpus()[0].model_copy(update={"title": f"{first_title}, with benchmarks"})
    store.upsert_articles([edited])
    checked.stage()
    checked.publish()

    # an editor unpublishes a report, then hands it back to the rule
    victim = ids[corpus()[1].title]
    store.set_editor_published(victim, False)
    checked.publish()
    store.set_editor_published(victim, None)
    checked.stage()
    checked.publish()

    # the registry renames an outlet and gives it a logo the cache does not hold
    domain = corpus()[2].provider.domain  # type: ignore[union-attr]
    store.upsert_providers(
        [
            Provider(
                name="Renamed Outlet",
                domain=domain,
                images=[Image(url=f"https://{domain}/new-logo.png", width=64, height=64)],
            )
        ]
    )
    checked.publish()

    # an editor merges two stories, then one article is taken down
    stories = sorted({s.story_id for s in store.iter_articles() if s.story_id is not None})
    assert len(stories) >= 2
    store.merge_stories(stories[0], stories[1])
    checked.stage(touch=[stories[0]])
    checked.publish()
    touched = store.delete_articles([ids[corpus()[4].title]])
    checked.stage(touch=touched)
    checked.publish()

    # everything, unpublished articles included, and back
    checked.publish(include_unpublished=True)
    checked.publish()


def test_a_second_article_with_the_same_slug_matches_a_full_publish(checked: Checked) -> None:
    """Two reports with the same title and day share a slug stem: the later id gets ``-2``,
    and pages that link to either must follow."""
    twin = news(
        (("twin.example", "Twin Wire"), corpus()[0].title, "A second wire with the same title."),
        corpus()[0].published_at + timedelta(minutes=1),  # type: ignore[operator]
        slug="twin",
    )
    (twin_id,) = checked.store.upsert_articles([twin]).ids
    checked.stage()
    checked.store.set_editor_published(twin_id, True)
    checked.publish()
    assert any(
        path.endswith("-2/index.html") for path in tree(checked.site.out_dir) if "news/" in path
    )


def test_forked_workers_render_what_one_process_renders(
    tmp_path: Path, store_url: str, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large publish renders in forked workers, each reading its articles over connections
    of its own (SQLite and PostgreSQL): the output is the same, and the parent's store still
    works afterwards."""
    site = make_site(tmp_path / "site")
    with Store.open(store_url) as store:
        fill_store(site, store, corpus())
        stage_for_site(site, store, embedder=embedder).run(now=NOW)
        alone = publish_site(site, store, now=NOW, out=tmp_path / "alone")
        monkeypatch.setattr(build, "PARALLEL_MIN", 1)
        monkeypatch.setattr(build, "PART_SIZE", 4)
        monkeypatch.setattr(build.os, "cpu_count", lambda: 2)
        forked = publish_site(site, store, now=NOW, out=tmp_path / "forked")
        assert (alone.workers, forked.workers) == (1, 2)
        assert forked.rendered == alone.rendered > 8
        # every article is read, by this process or by a worker (some by both workers)
        assert forked.loaded >= alone.loaded >= alone.articles
        assert tree(tmp_path / "forked") == tree(tmp_path / "alone")
        assert store.count_articles() == len(corpus())
        assert publish_site(site, store, now=NOW, out=tmp_path / "forked").rendered == 0
        # a first publish has its workers write their files where out/ is built; a full
        # publish over an existing out/ sends the bytes back to be compared and staged
        again = publish_site(site, store, now=NOW, out=tmp_path / "forked", full=True)
        assert again.rendered == alone.rendered and again.write.written == []
        assert tree(tmp_path / "forked") == tree(tmp_path / "alone")


def test_an_article_deleted_during_a_publish_stops_it_with_a_clear_error(
    checked: Checked,
) -> None:
    site, store = checked.site, checked.store
    snapshot = site_snapshot(site, store, now=checked.moment)
    victim = next(iter(snapshot.articles))
    store.delete_articles([victim])
    with pytest.raises(SnapshotChanged, match="deleted from the store during the publish"):
        snapshot.prefetch([victim])


def test_a_publish_keeps_nothing_of_its_snapshot_alive(checked: Checked) -> None:
    """A long-running process (the server, a scheduler) publishes again and again: once a
    publish returns, neither its snapshot, its keys nor the manifest it read may stay reachable
    (a per-method cache once kept every publish's snapshot for the life of the process, and a
    module-level one the last manifest read, 14 MB at 20,000 articles)."""
    import gc

    from topicwire.publish.snapshot import Snapshot

    checked.publish()
    gc.collect()
    kinds = (Snapshot, build.UnitKeys, writer._Manifest)
    alive = [o for o in gc.get_objects() if type(o) in kinds]
    assert alive == []

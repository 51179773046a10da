"""``publish_site`` end to end: a small invented corpus (``golden_corpus``) goes through the real
store, the real stories stage (with the offline embedder) and the publisher into ``out/``.

- the whole ``out/`` tree is compared file by file with the checked-in ``tests/golden/out/``
  (cached images are compared to the bytes put in the cache, ``.manifest.json`` is left out: it
  names the absolute path and mtime of linked images);
- every JSON API file validates against the schema published beside it;
- every feed parses back with feedparser and lists exactly the published articles;
- markup in a title and an excerpt never becomes markup in any output;
- a publish writes only what changed and links the rest; unpublishing removes;
- a renderer that fails leaves ``out/`` exactly as it was.

After an intended change of the output, rewrite the golden tree and review its diff::

    TOPICWIRE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_publish_build.py
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import lxml.html  # type: ignore[import-untyped]
import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from golden_corpus import (
    BASE_URL,
    HOSTILE_EXCERPT,
    HOSTILE_TITLE,
    IMAGE_BYTES,
    NOW,
    corpus,
    fill_store,
    hostile_article,
    later_article,
    make_site,
)
from topicwire.cluster.stage import stage_for_site
from topicwire.enrich.embed import Embedder, default_embedder
from topicwire.publish import build
from topicwire.publish.build import PublishReport, publish_site
from topicwire.publish.writer import MANIFEST, PublishError
from topicwire.record import parse_record
from topicwire.site import Site
from topicwire.store import Store

GOLDEN = Path(__file__).parent / "golden" / "out"
UPDATE = os.environ.get("TOPICWIRE_UPDATE_GOLDEN") == "1"
FEEDS = ("feed.xml", "rss.xml", "feed.json")
#: attributes whose value is a URL a browser follows or loads
URL_ATTRIBUTES = frozenset(
    {"href", "src", "srcset", "action", "formaction", "poster", "cite", "data", "xlink:href"}
)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """One loaded model for the whole session."""
    model = default_embedder()
    model.encode(["warm up"])
    return model


@dataclass
class Built:
    """A site, its open store and its row ids, after a first stage run and publish."""

    site: Site
    store: Store
    ids: list[int]
    report: PublishReport

    @property
    def out(self) -> Path:
        return self.site.out_dir

    def stage(self, embedder: Embedder) -> None:
        stage_for_site(self.site, self.store, embedder=embedder).run(now=NOW)

    def publish(self, *, include_unpublished: bool = False, now: datetime = NOW) -> PublishReport:
        return publish_site(self.site, self.store, include_unpublished=include_unpublished, now=now)


def build_site(root: Path, embedder: Embedder, *, hostile: bool = False) -> Iterator[Built]:
    site = make_site(root)
    articles = corpus() + ([hostile_article()] if hostile else [])
    with Store.open(site.database_url) as store:
        ids = fill_store(site, store, articles)
        if hostile:
            # whatever its quality, the hostile article is published: it must reach every output
            store.set_editor_published(ids[-1], True)
        built = Built(site, store, ids, build.PublishReport(out=site.out_dir))
        built.stage(embedder)
        built.report = built.publish()
        yield built


@pytest.fixture(scope="module")
def golden_site(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Built]:
    yield from build_site(tmp_path_factory.mktemp("golden") / "site", embedder)


@pytest.fixture
def fresh_site(tmp_path: Path, embedder: Embedder) -> Iterator[Built]:
    yield from build_site(tmp_path / "site", embedder)


# -- helpers -------------------------------------------------------------------------------------


def files_of(folder: Path) -> dict[str, Path]:
    """Every file under ``folder`` by "/"-separated relative path (the manifest left out)."""
    return {
        path.relative_to(folder).as_posix(): path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def is_image(path: str) -> bool:
    return path.startswith("images/")


def first_difference(path: str, expected: bytes, actual: bytes) -> str:
    """A readable unified diff of the first lines that differ."""
    try:
        old, new = expected.decode("utf-8"), actual.decode("utf-8")
    except UnicodeDecodeError:
        return f"{path}: binary content differs"
    diff = difflib.unified_diff(
        old.splitlines(), new.splitlines(), f"golden/{path}", f"out/{path}", n=2, lineterm=""
    )
    lines = list(diff)
    return f"{path} differs:\n" + "\n".join(lines[:40])


def published_pages(out: Path) -> set[str]:
    """The ``news/<slug>/`` paths the published records name (their article pages)."""
    return {f"news/{p.stem}/" for p in (out / "_news").glob("*.md")}


def text_outputs(out: Path) -> dict[str, str]:
    return {
        path: file.read_text("utf-8") for path, file in files_of(out).items() if not is_image(path)
    }


# -- 1. golden output ----------------------------------------------------------------------------


def test_the_whole_out_tree_matches_the_golden_tree(golden_site: Built) -> None:
    actual = files_of(golden_site.out)
    if UPDATE:
        if GOLDEN.exists():
            shutil.rmtree(GOLDEN)
        for path, file in actual.items():
            if not is_image(path):
                target = GOLDEN / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(file.read_bytes())
    expected = files_of(GOLDEN)
    images = {path for path in actual if is_image(path)}
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected) - images)
    assert not missing, f"files the golden tree has and out/ lacks: {missing}"
    assert not extra, f"files out/ has and the golden tree lacks: {extra}"
    for path in sorted(expected):
        want, got = expected[path].read_bytes(), actual[path].read_bytes()
        assert want == got, first_difference(path, want, got)
    # the one cached image is linked in, byte for byte, and its page points at it
    assert len(images) == 1
    (image,) = images
    assert actual[image].read_bytes() == IMAGE_BYTES
    assert any(f'src="/{image}"' in text for text in text_outputs(golden_site.out).values())
    # what the corpus makes: 6 published articles (the syndicated copy is not), 3 stories
    assert (golden_site.report.articles, golden_site.report.stories) == (6, 3)
    assert len(list((golden_site.out / "_news").glob("*.md"))) == 6
    size = sum(p.stat().st_size for p in expected.values())
    assert size < 300_000, f"the golden tree grew to {size} bytes"


def test_the_golden_corpus_publishes_no_wall_clock_and_the_fixed_base_url(
    golden_site: Built,
) -> None:
    texts = text_outputs(golden_site.out)
    feed = texts["feed.xml"]
    assert f"{BASE_URL}news/" in feed
    assert "127.0.0.1" not in "".join(texts.values())
    assert "2026-05-14T18:00:00Z" in texts["index.html"]  # the publish time: NOW


# -- 2. JSON API against its schemas ----------------------------------------------------------


def schema_for(path: str) -> str:
    """Which published schema a JSON API file follows, by its path."""
    parts = path.split("/")
    if parts[:2] == ["api", "news"]:
        return "listing"
    if parts[:2] == ["api", "stories"]:
        return "story"
    if path == "api/topics/index.json":
        return "topics"
    raise AssertionError(f"no schema is known for {path}")


def test_every_json_api_file_validates_against_its_published_schema(golden_site: Built) -> None:
    api = golden_site.out / "api"
    schemas = {
        p.name.removesuffix(".schema.json"): json.loads(p.read_text("utf-8"))
        for p in (api / "schemas").glob("*.schema.json")
    }
    assert set(schemas) == {"listing", "story", "topics"}
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    checked: dict[str, int] = {}
    for path, file in files_of(golden_site.out).items():
        if not path.startswith("api/") or path.startswith("api/schemas/"):
            continue
        name = schema_for(path)
        validator = Draft202012Validator(schemas[name])
        errors = sorted(validator.iter_errors(json.loads(file.read_text("utf-8"))), key=str)
        assert not errors, f"{path} ({name}): {errors[0].message} at {list(errors[0].path)}"
        checked[name] = checked.get(name, 0) + 1
    # page size 3 and 6 published AI articles: two listing pages and the hot one; 3 stories
    assert checked == {"listing": 3, "story": 3, "topics": 1}


# -- 3. feeds ---------------------------------------------------------------------------------


def test_every_feed_parses_and_lists_the_published_articles(golden_site: Built) -> None:
    out = golden_site.out
    pages = {f"{BASE_URL}{page}" for page in published_pages(out)}
    assert len(pages) == 6
    folders = ["", "topics/ai/"]
    for folder in folders:
        # feedparser 6.0 reads no JSON Feed: feed.json is checked as JSON Feed 1.1 by hand
        document = json.loads((out / f"{folder}feed.json").read_text("utf-8"))
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        assert document["title"].startswith("Golden Wire")
        assert {item["url"] for item in document["items"]} == pages
        assert all(item["id"] and item["content_text"] for item in document["items"])
        dates = [item["date_published"] for item in document["items"]]
        assert dates == sorted(dates, reverse=True)
        for name in ("feed.xml", "rss.xml"):
            path = f"{folder}{name}"
            parsed = feedparser.parse((out / path).read_bytes())
            assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
            links = {entry.link for entry in parsed.entries}
            assert links == pages, path
            assert all(entry.title for entry in parsed.entries), path
            assert parsed.feed.title.startswith("Golden Wire"), path
            # newest first
            stamps = [entry.published_parsed for entry in parsed.entries]
            assert stamps == sorted(stamps, reverse=True), path
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert feed.entries[0].title == "Hands-on with Kestrel-7, Aurelia's laptop-sized language model"
    assert "syndicate.example" not in (out / "feed.xml").read_text("utf-8")


# -- 4. hostile input --------------------------------------------------------------------------


def assert_no_active_markup(out: Path) -> None:
    """No output of ``out/`` carries markup that runs: see the checks below per kind of file."""
    seen = {"html": 0, "xml": 0, "json": 0, "md": 0, "txt": 0}
    for path, text in text_outputs(out).items():
        kind = path.rsplit(".", 1)[-1]
        if kind == "html":
            document = lxml.html.document_fromstring(text)
            assert not document.xpath("//script"), path
            for element in document.iter():
                if not isinstance(element.tag, str):
                    continue
                for attribute, value in element.attrib.items():
                    assert not attribute.lower().startswith("on"), (path, attribute, value)
                    if attribute.lower() in URL_ATTRIBUTES:
                        url = "".join(value.split()).lower()
                        assert not url.startswith(("javascript:", "data:")), (path, value)
        elif kind in ("xml", "svg"):
            assert "<script" not in text.lower(), path
            assert "<img" not in text.lower(), path
        elif kind in ("md", "json", "txt", "css"):
            pass  # checked as data below
        else:
            raise AssertionError(f"an output of an unexpected kind: {path}")
        if kind in seen:
            seen[kind] += 1
    assert all(seen[k] for k in ("html", "xml", "json", "md")), seen


def hostile_files(out: Path) -> tuple[Path, Path, Path]:
    """The hostile article's record, page and the first listing page."""
    (record,) = [p for p in (out / "_news").glob("*.md") if "jailbreak" in p.name]
    page = out / "news" / record.stem / "index.html"
    return record, page, out / "api" / "news" / "ai" / "page" / "1" / "index.json"


def test_hostile_markup_stays_text_in_every_output(tmp_path: Path, embedder: Embedder) -> None:
    for built in build_site(tmp_path / "site", embedder, hostile=True):
        for include_unpublished in (False, True):
            check_hostile(built, include_unpublished=include_unpublished)


def check_hostile(built: Built, *, include_unpublished: bool) -> None:
    report = built.publish(include_unpublished=include_unpublished)
    out = built.out
    if include_unpublished:
        # the syndicated copy gets a page of its own too
        assert report.articles == 8
    else:
        assert report.articles == 7
    assert_no_active_markup(out)

    record, page, listing = hostile_files(out)
    # the record holds the strings quoted and reads back equal
    text = record.read_text("utf-8")
    assert '\ntitle: "' in text and '\nexcerpt: "' in text, text
    back = parse_record(text)
    assert (back.title, back.excerpt) == (HOSTILE_TITLE, HOSTILE_EXCERPT)
    # the JSON holds the exact strings as data
    items = json.loads(listing.read_text("utf-8"))["value"]
    (item,) = [i for i in items if "jailbreak" in (i["path"] or "")]
    assert (item["title"], item["excerpt"]) == (HOSTILE_TITLE, HOSTILE_EXCERPT)
    story = out / "api" / "stories"
    assert any(HOSTILE_TITLE in p.read_text("utf-8") for p in story.glob("*/index.json"))
    # the page shows the markup as text
    shown = lxml.html.document_fromstring(page.read_text("utf-8")).text_content()
    assert HOSTILE_TITLE in shown
    assert "<script>alert(1)</script>" in shown
    # the feeds carry it as text: parsed back, the title is the exact string
    for name in ("feed.xml", "rss.xml"):
        parsed = feedparser.parse((out / name).read_bytes())
        assert not parsed.bozo, name
        titles = [e.title for e in parsed.entries]
        assert HOSTILE_TITLE in titles, (name, titles)
    items = json.loads((out / "feed.json").read_text("utf-8"))["items"]
    assert HOSTILE_TITLE in [item["title"] for item in items]


# -- 5. incremental publishing -------------------------------------------------------------------


def inodes(out: Path) -> dict[str, int]:
    return {path: file.stat().st_ino for path, file in files_of(out).items()}


def test_a_publish_writes_only_what_changed(fresh_site: Built, embedder: Embedder) -> None:
    built = fresh_site
    out = built.out
    first = {path: file.read_bytes() for path, file in files_of(out).items()}

    # nothing changed, same moment: nothing is written
    again = built.publish()
    assert (again.write.written, again.write.removed) == ([], [])
    assert len(again.write.unchanged) == len(first)
    # nothing changed, later: only the home page (it shows the publish time) is written again
    again = built.publish(now=NOW + timedelta(minutes=10))
    assert again.write.written == ["index.html"]
    assert again.write.removed == []
    assert "2026-05-14T18:10:00Z" in (out / "index.html").read_text("utf-8")
    first["index.html"] = (out / "index.html").read_bytes()
    assert {p: f.read_bytes() for p, f in files_of(out).items()} == first
    before = inodes(out)

    # one more Kestrel report: its files, its story's and every listing change, nothing else
    (added,) = built.store.upsert_articles([later_article()]).ids
    built.stage(embedder)
    report = built.publish()
    after = files_of(out)
    new_paths = set(after) - set(first)
    # seven articles, three a page: a third listing page appears
    assert new_paths == {
        "_news/2026-05-14-kestrel-7-downloads-pass-one-million-in-two-days.md",
        "news/2026-05-14-kestrel-7-downloads-pass-one-million-in-two-days/index.html",
        "api/news/ai/page/3/index.json",
        "topics/ai/page/3/index.html",
    }
    assert report.write.removed == []
    written = set(report.write.written)
    kestrel = [
        "aurelia-labs-releases-kestrel-7-an-open-language-model-for-laptops",
        "kestrel-7-aurelia-bets-on-small-open-models",
        "hands-on-with-kestrel-7-aurelias-laptop-sized-language-model",
    ]
    listings = {
        "index.html",
        "api/news/ai/page/1/index.json",
        "api/news/ai/page/2/index.json",
        "api/news/ai/hot/index.json",
        "api/topics/index.json",
        "topics/ai/index.html",
        "topics/ai/page/2/index.html",
        "feed.xml",
        "rss.xml",
        "feed.json",
        "topics/ai/feed.xml",
        "topics/ai/rss.xml",
        "topics/ai/feed.json",
        "newsletters/2026-05-14.html",
        "newsletters/2026-05-14.txt",
    }
    story = {"stories/3/index.html", "api/stories/3/index.json"}
    # the story's heat and related lists changed: its older reports are republished
    members = {f"_news/2026-05-14-{slug}.md" for slug in kestrel} | {
        f"news/2026-05-14-{slug}/index.html" for slug in kestrel
    }
    assert written == new_paths | listings | story | members, sorted(
        written ^ (new_paths | listings | story | members)
    )
    untouched = set(after) - written
    assert {
        "_news/2026-05-13-norrland-parliament-passes-ai-audit-law-for-public-agencies.md",
        "news/2026-05-13-norrland-parliament-passes-ai-audit-law-for-public-agencies/index.html",
        "news/2026-05-14-a-kitchen-robot-that-learned-to-fold-dumplings-by-watching-videos/index.html",
        "stories/1/index.html",
        "api/stories/2/index.json",
        "about/index.html",
        "static/site.css",
    } <= untouched
    # unchanged files are the same inodes: linked into the new tree, not rewritten
    now = inodes(out)
    for path in untouched:
        assert now[path] == before[path], path
    for path in written - new_paths:
        assert now[path] != before[path], path

    # the editor unpublishes the new report: its record and page go, listings and feeds drop it
    built.store.set_editor_published(added, False)
    report = built.publish()
    gone = sorted(new_paths)
    assert report.write.removed == gone
    for path in gone:
        assert not (out / path).exists()
    slug = "2026-05-14-kestrel-7-downloads-pass-one-million-in-two-days"
    for path in [*listings, "api/stories/3/index.json", "stories/3/index.html"]:
        text = (out / path).read_text("utf-8")
        assert f"/news/{slug}/" not in text, path
    # it stays in its story as coverage, linking to the outlet only
    assert "https://northwire.example/news/kestrel-million" in (
        out / "stories/3/index.html"
    ).read_text("utf-8")


def test_a_deleted_article_leaves_every_output(fresh_site: Built, embedder: Embedder) -> None:
    """A takedown: the article is deleted from the store, its story is updated, and the next
    publish removes its record and page and every link to it."""
    built = fresh_site
    out = built.out
    slug = "2026-05-14-hands-on-with-kestrel-7-aurelias-laptop-sized-language-model"
    assert (out / f"news/{slug}/index.html").is_file()
    victim = next(
        stored.id
        for stored in built.store.iter_articles()
        if stored.article.title.startswith("Hands-on with Kestrel-7")
    )
    stories = built.store.delete_articles([victim])
    assert stories  # its story still has other reports
    stage_for_site(built.site, built.store, embedder=embedder).run(now=NOW, touch=stories)
    report = built.publish()
    assert f"_news/{slug}.md" in report.write.removed
    assert f"news/{slug}/index.html" in report.write.removed
    for path, text in text_outputs(out).items():
        assert f"/news/{slug}/" not in text, path
        assert "Hands-on with Kestrel-7" not in text, path
    assert built.store.get_article(victim) is None


# -- 6. atomicity --------------------------------------------------------------------------------


def test_a_failing_renderer_leaves_out_untouched(
    fresh_site: Built, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = fresh_site
    out = built.out
    before = {p: f.read_bytes() for p, f in files_of(out).items()}
    manifest = (out / MANIFEST).read_bytes()
    nodes = inodes(out)
    built.store.upsert_articles([later_article()])
    built.stage(embedder)

    def broken(*_args: object, **_kwargs: object) -> dict[str, bytes]:
        raise RuntimeError("feeds renderer broke")

    monkeypatch.setattr(build, "render_feeds", broken)
    with pytest.raises(RuntimeError, match="feeds renderer broke"):
        built.publish()
    assert (out / MANIFEST).read_bytes() == manifest
    assert {p: f.read_bytes() for p, f in files_of(out).items()} == before
    assert inodes(out) == nodes
    assert not out.with_name("out.new").exists()
    assert not out.with_name("out.old").exists()

    # a write that fails half-way (here: a path outside out/) also leaves it as it was
    monkeypatch.setattr(build, "render_feeds", lambda _snapshot: {"../escape.xml": b"x"})
    with pytest.raises(PublishError):
        built.publish()
    assert {p: f.read_bytes() for p, f in files_of(out).items()} == before
    assert not out.with_name("escape.xml").exists()
    assert not out.with_name("out.new").exists()

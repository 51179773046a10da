"""Quality gates with pinned floors: the benches' headline numbers must not regress.

The scores come from the same code as ``bench/`` on the evaluation data in ``../shared``
(read at run time, never copied). Floors live in ``bench/floors.json``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType

import pytest

from conftest import ROOT
from topicwire.errors import ParseError
from topicwire.sources import parse_feed

FLOORS = json.loads((ROOT / "bench" / "floors.json").read_text(encoding="utf-8"))


def _bench(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def eval_data(shared: Path) -> Path:
    folder = shared / "eval-data"
    if not folder.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{folder} is missing")
        pytest.skip(f"{folder} is not available")
    return folder


def _floor(name: str) -> float:
    return float(FLOORS[name]) - float(FLOORS["noise"])


def test_extraction_f1_scrapinghub(eval_data: Path) -> None:
    bench = _bench("extraction")
    pages, golds = bench.load_scrapinghub(eval_data / bench.SCRAPINGHUB, None)
    tool = bench.TOOLS["topicwire"]
    predictions = [tool(html, url) for _, html, url in pages]
    f1 = bench.scrapinghub_scores(golds, predictions)["f1"]
    assert f1 >= _floor("extraction.scrapinghub.f1"), f"F1 {f1:.4f} fell below its floor"


def test_extraction_f1_trafilatura_set(eval_data: Path) -> None:
    bench = _bench("extraction")
    pages, annotations = bench.load_trafilatura(eval_data / bench.TRAFILATURA, None)
    tool = bench.TOOLS["topicwire"]
    predictions = [tool(html, url) for _, html, url in pages]
    f1 = bench.segment_scores(annotations, predictions)["f1"]
    assert f1 >= _floor("extraction.trafilatura.f1"), f"F1 {f1:.4f} fell below its floor"


def test_no_feed_file_raises_an_unhandled_exception(eval_data: Path) -> None:
    unhandled: list[str] = []
    count = 0
    for folder in sorted(eval_data.glob("feeds-*")):
        for path in sorted(folder.rglob("*")):
            if (
                not path.is_file()
                or path.suffix in {".md", ".json", ".txt"}
                or "LICENSE" in path.name
            ):
                continue
            count += 1
            try:
                parse_feed(path.read_bytes(), f"http://127.0.0.1/{path.name}")
            except ParseError:
                continue
            except Exception as exc:  # the number this gate keeps at zero
                unhandled.append(f"{path}: {traceback.format_exception_only(exc)[-1].strip()}")
    assert count > 1000
    assert len(unhandled) <= FLOORS["feeds.unhandled"], "\n".join(unhandled[:10])


@pytest.fixture(scope="module")
def reference_assigner(shared: Path):  # type: ignore[no-untyped-def]
    from topicwire.enrich.topics import TopicAssigner
    from topicwire.taxonomy import load_topics

    return TopicAssigner(load_topics(shared / "reference" / "everyday-ai" / "_data" / "topics"))


def test_topic_false_positive_patterns(reference_assigner) -> None:  # type: ignore[no-untyped-def]
    bench = _bench("topics")
    cases = bench.load_patterns()
    rows = bench.score_patterns(
        cases, reference_assigner.assign_many([bench.pattern_article(c) for c in cases])
    )
    false_positives = [(r["id"], r["false_positives"]) for r in rows if r["false_positives"]]
    misses = [(r["id"], r["misses"]) for r in rows if r["misses"]]
    assert len(false_positives) <= FLOORS["topics.patterns.false_positives"], false_positives
    assert len(misses) <= FLOORS["topics.patterns.misses"], misses


def test_topic_precision_on_hand_labelled_reference_records(  # type: ignore[no-untyped-def]
    reference_assigner, shared: Path
) -> None:
    import yaml

    bench = _bench("topics")
    labels = yaml.safe_load((bench.LABELS / "reference_topics.yaml").read_text(encoding="utf-8"))
    items = bench.reference_items(shared / "reference" / "everyday-ai", labels)
    assert len(items) >= 60
    results = reference_assigner.assign_many([item["article"] for item in items])
    scores = bench.pair_scores([set(r.topics) for r in results], [i["labels"] for i in items])
    assert scores["precision"] >= _floor("topics.reference.precision"), scores


@pytest.mark.parametrize("dataset", ["ecbplus", "basil"])
def test_story_clustering_bcubed_f1(eval_data: Path, tmp_path: Path, dataset: str) -> None:
    """Online story clustering (default config, MiniLM embeddings) on a DEV split: B-cubed F1
    above its floor, and above every baseline of the same run (one story per article, one
    story per ECB+ topic, single-link TF-IDF). The embeddings are computed afresh (no cache
    shared with the bench), as in CI."""
    bench = _bench("stories")
    bench.CACHE = tmp_path / "embeddings.npz"
    result = bench.score_dataset(dataset, eval_data, bench.ClusterConfig(), reference=False)
    precision, recall, f1 = result["online"]
    scores = f"P {precision:.4f} R {recall:.4f} F1 {f1:.4f}"
    assert f1 >= _floor(f"stories.{dataset}.f1"), f"{scores} fell below its floor"
    for label, (_, _, baseline) in result["rows"].items():
        if label != bench.ONLINE:
            assert f1 > baseline, f"{scores} does not beat {label} ({baseline:.4f})"

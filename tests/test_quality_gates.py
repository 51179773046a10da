"""Quality gates with pinned floors: the benches' headline numbers must not regress.

The scores come from the same code as ``bench/`` on the evaluation data in ``../shared``
(read at run time, never copied). Floors live in ``bench/floors.json``.
"""

from __future__ import annotations

import importlib.util
import json
import os
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

"""Quality bench: the score of the low-quality seed, of the demo's original report, and the
distribution over the scrapinghub pages.

- seed ``000_f53d050884749cbd.txt`` (a scraped rehash full of filler), read with ``extract_text``:
  goal < 35;
- the demo corpus's original report ("Harbor Robotics unveils warehouse arm trained in
  simulation" from ``wirepoint.example``), built with ``run_demo`` in a temporary folder and read
  back from its store: goal >= 65;
- every page of ``article-extraction-scrapinghub`` under ``--data`` (default
  ``../shared/eval-data`` beside the checkout), extracted with ``extract_html``: a histogram.

The run prints readable tables and ends with ONE JSON line of headline numbers.

    .venv/bin/python bench/quality.py [--data DIR] [--limit N] [--no-demo]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from topicwire.extract import ExtractError, extract_html, extract_text
from topicwire.model import Article
from topicwire.score.quality import Quality, score_quality

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "eval-data"
SEED = "000_f53d050884749cbd.txt"
DEMO_TITLE = "Harbor Robotics unveils warehouse arm trained in simulation"
DEMO_DOMAIN = "wirepoint.example"


def seed_article(shared: Path) -> Article:
    """Seed 000 read through ``extract_text``, with its text and repairs."""
    extracted = extract_text((shared / "seeds" / SEED).read_text("utf-8"))
    article = extracted.to_article()
    article.text = extracted.text
    article.repairs = extracted.repairs.as_dict()
    return article


def demo_article() -> Article:
    """The demo corpus's original report, as the demo pipeline stored it."""
    from topicwire.demo.run import run_demo
    from topicwire.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        run = run_demo(Path(tmp) / "demo")
        with Store.open(run.site.database_url) as store:
            for stored in store.iter_articles():
                a = stored.article
                if a.title == DEMO_TITLE and a.provider and a.provider.domain == DEMO_DOMAIN:
                    return a
    raise LookupError(f"{DEMO_TITLE!r} from {DEMO_DOMAIN} not in the demo store")


def scrapinghub_scores(folder: Path, limit: int | None) -> tuple[list[int], int]:
    """Quality of every scrapinghub page that extracts to an article, and how many did not."""
    gt = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    scores: list[int] = []
    failed = 0
    for item_id, rec in sorted(gt.items())[:limit]:
        html = gzip.decompress((folder / "html" / f"{item_id}.html.gz").read_bytes())
        try:
            extracted = extract_html(html.decode("utf-8"), rec.get("url"))
            article = extracted.to_article()
        except ExtractError:
            failed += 1
            continue
        article.text = extracted.text
        article.repairs = extracted.repairs.as_dict()
        scores.append(score_quality(article).score)
    return scores, failed


def print_quality(label: str, quality: Quality) -> None:
    """One article's score and its signals as a table."""
    print(f"\n{label}: quality {quality.score}")
    for s in quality.signals:
        print(f"  {s.name:<17} {s.contribution:>+7.2f}  {s.reason}")


def histogram(scores: list[int]) -> None:
    """Scores in bins of ten, with a bar."""
    bins = Counter(min(score // 10, 9) for score in scores)
    top = max(bins.values(), default=1)
    print(f"\n{'bin':>8} {'pages':>6}")
    for b in range(10):
        n = bins.get(b, 0)
        print(f"{b * 10:>3}-{b * 10 + 9 if b < 9 else 100:<4} {n:>6} {'#' * round(40 * n / top)}")


def main(argv: list[str] | None = None) -> int:
    """Score the seed, the demo report and the scrapinghub pages; print tables and JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="first N scrapinghub pages")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo corpus")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    summary: dict[str, object] = {"bench": "quality"}

    seed = score_quality(seed_article(args.data.parent))
    print_quality(f"seed {SEED} (goal < 35)", seed)
    summary["seed_000"] = seed.score
    if not args.no_demo:
        demo = score_quality(demo_article())
        print_quality(f"demo original report {DEMO_TITLE!r} (goal >= 65)", demo)
        summary["demo_original"] = demo.score

    scores, failed = scrapinghub_scores(args.data / "article-extraction-scrapinghub", args.limit)
    print(f"\nscrapinghub: {len(scores)} pages scored, {failed} without a title")
    histogram(scores)
    if scores:
        quartiles = statistics.quantiles(scores, n=4)
        print(f"\nmean {statistics.fmean(scores):.1f}, quartiles {quartiles}")
        summary.update(
            scrapinghub_pages=len(scores),
            scrapinghub_mean=round(statistics.fmean(scores), 1),
            scrapinghub_quartiles=quartiles,
            scrapinghub_min=min(scores),
            scrapinghub_max=max(scores),
        )
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Feed and OPML robustness bench for ``topicwire.sources``.

Serves every feed file under the ``feeds-*`` folders of the evaluation data from a local aiohttp
server on 127.0.0.1, fetches each over HTTP (``fetch_bytes``), parses it with ``parse_feed`` and
counts: parsed, failed with a reason (``ParseError``), unhandled exceptions (must be 0). Where a
dataset ships expected output (gofeed's expected JSON, rss-parser's expected-output), entry counts
and titles are compared. A second table reads every OPML list with ``read_opml`` and compares the
feeds found with the dataset's ``feeds-index.jsonl``.

Usage: ``python bench/feeds_robustness.py [--data DIR] [--opml | --feeds] [--plain]``.
The last line of output is one JSON object of headline numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import html
import json
import re
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from topicwire.errors import ParseError
from topicwire.fetch import FetchConfig, Fetcher, FetchRequest
from topicwire.fetch.errors import FetchError
from topicwire.sources import ParsedFeed, parse_feed, read_opml

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval-data"
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json", ".gz", ".html"}
CONTENT_TYPES = {
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
}
_HEADER = re.compile(r"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)


# ---------------------------------------------------------------- fetching

#: The project's own fetcher, with its checks on; only the local server's address is allowed.
FETCH_CONFIG = FetchConfig(
    allowed_networks=("127.0.0.1/32",),
    politeness_delay=0.0,
    per_host_connections=32,
    respect_robots=True,
)


async def fetch_bytes(fetcher: Fetcher, url: str) -> tuple[bytes, str | None]:
    """Fetch ``url`` through topicwire's fetcher; (body, Content-Type), or FetchError."""
    result = await fetcher.fetch(FetchRequest(url))
    if result.error is not None:
        raise FetchError(result.error)
    return result.body, result.content_type


# ---------------------------------------------------------------- the corpus


@dataclass
class Case:
    """One feed file to serve, with its dataset and (when known) the expected titles."""

    dataset: str
    path: Path
    content_type: str | None
    gzip: bool = False
    expected_titles: list[str | None] | None = None


def _is_gofeed_expected(path: Path) -> bool:
    return path.suffix == ".json" and (
        path.stem.endswith("_expected") or path.with_suffix(".xml").exists()
    )


def _gofeed_expected(path: Path) -> list[str | None] | None:
    exp = (
        path.with_name(path.stem + "_expected.json")
        if path.suffix == ".json"
        else path.with_suffix(".json")
    )
    if not exp.exists():
        return None
    data = json.loads(exp.read_text("utf-8"))
    # gofeed's Atom parser names the list "entries"; RSS, JSON and the translator say "items".
    items = data.get("items") or data.get("entries") or []
    return [item.get("title") for item in items]


def _rss_parser_expected(path: Path) -> list[str | None] | None:
    exp = path.parent.parent / "expected-output" / (path.stem + ".json")
    if not exp.exists():
        return None
    items = json.loads(exp.read_text("utf-8")).get("feed", {}).get("items") or []
    return [item.get("title") for item in items]


def _content_type(path: Path, raw: bytes) -> str | None:
    head = raw[:4096].decode("latin-1", errors="replace")
    headers: dict[str, str] = {k.lower(): v for k, v in _HEADER.findall(head)}
    if "content-type" in headers:
        return headers["content-type"]
    suffixes = path.suffixes
    inner = suffixes[-2] if suffixes[-1:] == [".gz"] and len(suffixes) > 1 else path.suffix
    return CONTENT_TYPES.get(inner, "application/xml")


def collect_cases(data: Path) -> list[Case]:
    """Every feed input under ``data/feeds-*``, with expected titles where the dataset has them."""
    cases: list[Case] = []
    for folder in sorted(data.glob("feeds-*")):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.suffix not in FEED_SUFFIXES or "expected-output" in path.parts:
                continue
            expected = None
            if folder.name == "feeds-gofeed-testdata":
                if _is_gofeed_expected(path):
                    continue
                expected = _gofeed_expected(path)
            elif folder.name == "feeds-realworld" and "rss-parser" in path.parts:
                expected = _rss_parser_expected(path)
            raw = path.read_bytes()
            cases.append(
                Case(folder.name, path, _content_type(path, raw), path.suffix == ".gz", expected)
            )
    return cases


# ---------------------------------------------------------------- serving and parsing


async def _serve(cases: list[Case]) -> tuple[web.AppRunner, int]:
    async def handler(request: web.Request) -> web.Response:
        case = cases[int(request.match_info["index"])]
        headers = {"Content-Encoding": "gzip"} if case.gzip else {}
        response = web.Response(body=case.path.read_bytes(), headers=headers)
        if case.content_type:
            response.headers["Content-Type"] = case.content_type
        return response

    app = web.Application()
    app.router.add_get("/feed/{index}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = int(runner.addresses[0][1])
    return runner, port


@dataclass
class Outcome:
    """What happened to one case."""

    case: Case
    feed: ParsedFeed | None = None
    failure: str | None = None
    unhandled: str | None = None


async def run_feeds(cases: list[Case]) -> list[Outcome]:
    """Serve, fetch and parse every case; return one outcome each."""
    runner, port = await _serve(cases)
    try:
        async with Fetcher(FETCH_CONFIG) as fetcher:

            async def one(index: int, case: Case) -> Outcome:
                url = f"http://127.0.0.1:{port}/feed/{index}"
                try:
                    body, content_type = await fetch_bytes(fetcher, url)
                except FetchError as exc:
                    return Outcome(case, failure=f"fetch: {exc}")
                try:
                    return Outcome(case, feed=parse_feed(body, url, content_type=content_type))
                except ParseError as exc:
                    return Outcome(case, failure=exc.problem)
                except Exception as exc:  # the number the bench exists to keep at zero
                    tail = traceback.format_exception_only(type(exc), exc)[-1].strip()
                    return Outcome(case, unhandled=tail)

            return await asyncio.gather(*(one(i, c) for i, c in enumerate(cases)))
    finally:
        await runner.cleanup()


# ---------------------------------------------------------------- comparison


def _norm(title: str | None) -> str:
    text = html.unescape(re.sub(r"<[^>]*>", " ", title or ""))
    return re.sub(r"\s+", " ", text).strip()


def reason_bucket(problem: str) -> str:
    """A short family name for a failure message."""
    for key, label in (
        ("declares XML entities", "refused: entity declarations"),
        ("HTML page", "not a feed: HTML page"),
        ("invalid JSON", "not a feed: invalid JSON"),
        ("JSON", "not a feed: JSON without JSON Feed"),
        ("empty", "not a feed: empty document"),
        ("not a feed", "not a feed: no RSS/Atom/RDF root"),
    ):
        if key in problem:
            return label
    return problem[:60]


@dataclass
class Tally:
    """Per-dataset counters."""

    files: int = 0
    parsed: int = 0
    failed: int = 0
    unhandled: int = 0
    entries: int = 0
    with_warnings: int = 0
    compared: int = 0
    count_agree: int = 0
    titles_agree: int = 0
    reasons: collections.Counter[str] = field(default_factory=collections.Counter)
    disagreements: list[str] = field(default_factory=list)


def tally(outcomes: list[Outcome], data: Path) -> dict[str, Tally]:
    """Count outcomes per dataset and compare with expected titles where available."""
    tallies: dict[str, Tally] = collections.defaultdict(Tally)
    for out in outcomes:
        t = tallies[out.case.dataset]
        t.files += 1
        if out.unhandled:
            t.unhandled += 1
            t.reasons[f"UNHANDLED {out.unhandled[:60]}"] += 1
            continue
        if out.failure:
            t.failed += 1
            t.reasons[reason_bucket(out.failure)] += 1
        if out.case.expected_titles is None:
            t.parsed += out.feed is not None
            if out.feed is not None:
                t.entries += len(out.feed.entries)
                t.with_warnings += bool(out.feed.warnings)
            continue
        t.compared += 1
        got = [e.title for e in out.feed.entries] if out.feed else []
        if out.feed is not None:
            t.parsed += 1
            t.entries += len(got)
            t.with_warnings += bool(out.feed.warnings)
        want = out.case.expected_titles
        rel = out.case.path.relative_to(data)
        if len(got) != len(want):
            t.disagreements.append(f"{rel}: expected {len(want)} entries, got {len(got)}")
            continue
        t.count_agree += 1
        pairs = [(g, w) for g, w in zip(got, want, strict=True) if _norm(g) != _norm(w)]
        if not pairs:
            t.titles_agree += 1
            continue
        t.disagreements.append(f"{rel}: title {pairs[0][0]!r}, expected {pairs[0][1]!r}")
    return dict(tallies)


# ---------------------------------------------------------------- OPML


def run_opml(data: Path) -> dict[str, Any]:
    """Read every OPML list; compare with ``feeds-index.jsonl``."""
    folder = data / "opml-feed-lists"
    index: dict[str, set[str]] = collections.defaultdict(set)
    index_file = folder / "feeds-index.jsonl"
    if index_file.exists():
        for line in index_file.read_text("utf-8").splitlines():
            row = json.loads(line)
            index[row["file"]].add(row["xmlUrl"])
    rows: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    problems: collections.Counter[str] = collections.Counter()
    all_urls: set[str] = set()
    for path in sorted(folder.rglob("*.opml")):
        rel = str(path.relative_to(folder))
        row = rows[rel.split("/")[0]]
        row["files"] += 1
        try:
            result = read_opml(path.read_bytes(), path=rel)
        except ParseError as exc:
            row["failed"] += 1
            problems[exc.problem[:70]] += 1
            continue
        except Exception as exc:
            row["unhandled"] += 1
            problems[f"UNHANDLED {type(exc).__name__}: {exc}"[:70]] += 1
            continue
        row[result.method] += 1
        urls = {s.url for s in result.sources}
        all_urls |= urls
        row["feeds"] += len(result.sources)
        row["index_urls"] += len(index[rel])
        row["index_found"] += len(index[rel] & urls)
        for problem in result.problems:
            problems[re.sub(r"line \d+, column \d+", "line N, column N", problem)[:70]] += 1
    return {"rows": rows, "problems": problems, "distinct_urls": len(all_urls)}


# ---------------------------------------------------------------- output


def _table(title: str, header: list[str], body: list[list[Any]], plain: bool) -> None:
    if not plain:
        try:
            from rich.console import Console
            from rich.table import Table
        except ImportError:
            plain = True
        else:
            table = Table(title=title)
            for i, name in enumerate(header):
                table.add_column(name, justify="left" if i == 0 else "right")
            for row in body:
                table.add_row(*(str(c) for c in row))
            console = Console()
            if not console.is_terminal:
                console = Console(width=150)
            console.print(table)
            return
    widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
    print(f"\n{title}")
    for row in [header, *body]:
        print(
            "  ".join(
                str(c).ljust(w) if i == 0 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:.1f}%" if den else "-"


def report_feeds(tallies: dict[str, Tally], plain: bool) -> dict[str, Any]:
    """Print the feed tables; return headline numbers."""
    header = [
        "dataset",
        "files",
        "parsed",
        "failed",
        "unhandled",
        "entries",
        "warned",
        "compared",
        "count agree",
        "titles agree",
    ]
    body = []
    total = Tally()
    for name, t in sorted(tallies.items()):
        body.append(
            [
                name,
                t.files,
                t.parsed,
                t.failed,
                t.unhandled,
                t.entries,
                t.with_warnings,
                t.compared,
                _pct(t.count_agree, t.compared),
                _pct(t.titles_agree, t.compared),
            ]
        )
        for attr in (
            "files",
            "parsed",
            "failed",
            "unhandled",
            "entries",
            "with_warnings",
            "compared",
            "count_agree",
            "titles_agree",
        ):
            setattr(total, attr, getattr(total, attr) + getattr(t, attr))
        total.reasons.update(t.reasons)
    body.append(
        [
            "TOTAL",
            total.files,
            total.parsed,
            total.failed,
            total.unhandled,
            total.entries,
            total.with_warnings,
            total.compared,
            _pct(total.count_agree, total.compared),
            _pct(total.titles_agree, total.compared),
        ]
    )
    _table("Feeds fetched over HTTP and parsed with parse_feed", header, body, plain)
    reasons = [[reason, count] for reason, count in total.reasons.most_common()]
    _table("Failure reasons", ["reason", "files"], reasons, plain)
    disagreements = [[d] for t in tallies.values() for d in t.disagreements[:25]]
    if disagreements:
        _table("Some disagreements with expected output", ["case"], disagreements, plain)
    headline: dict[str, Any] = {
        "feed_files": total.files,
        "parsed": total.parsed,
        "failed": total.failed,
        "unhandled": total.unhandled,
        "entries": total.entries,
        "compared_with_expected": total.compared,
        "entry_count_agreement": round(total.count_agree / total.compared, 4)
        if total.compared
        else None,
        "title_agreement": round(total.titles_agree / total.compared, 4)
        if total.compared
        else None,
    }
    for name, t in tallies.items():
        if t.compared:
            headline[f"{name}.title_agreement"] = round(t.titles_agree / t.compared, 4)
    return headline


def report_opml(result: dict[str, Any], plain: bool) -> dict[str, Any]:
    """Print the OPML tables; return headline numbers."""
    header = [
        "source",
        "files",
        "well-formed",
        "recovered",
        "scan only",
        "failed",
        "feeds",
        "index recall",
    ]
    total: collections.Counter[str] = collections.Counter()
    body = []
    for name, row in sorted(result["rows"].items()):
        body.append(
            [
                name,
                row["files"],
                row["strict"],
                row["recover"],
                row["scan"],
                row["failed"] + row["unhandled"],
                row["feeds"],
                _pct(row["index_found"], row["index_urls"]),
            ]
        )
        total.update(row)
    body.append(
        [
            "TOTAL",
            total["files"],
            total["strict"],
            total["recover"],
            total["scan"],
            total["failed"] + total["unhandled"],
            total["feeds"],
            _pct(total["index_found"], total["index_urls"]),
        ]
    )
    _table("OPML lists read with read_opml", header, body, plain)
    problems = [[p, n] for p, n in result["problems"].most_common(12)]
    _table("Most frequent OPML problems", ["problem", "count"], problems, plain)
    return {
        "opml_files": total["files"],
        "opml_well_formed": total["strict"],
        "opml_recovered": total["recover"] + total["scan"],
        "opml_failed": total["failed"] + total["unhandled"],
        "opml_unhandled": total["unhandled"],
        "opml_feeds": total["feeds"],
        "opml_distinct_urls": result["distinct_urls"],
        "opml_index_recall": round(total["index_found"] / total["index_urls"], 4)
        if total["index_urls"]
        else None,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the bench; the exit status is 1 when any exception went unhandled."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="eval-data folder")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--opml", action="store_true", help="only the OPML table")
    which.add_argument("--feeds", action="store_true", help="only the feed tables")
    parser.add_argument("--plain", action="store_true", help="plain-text tables (no rich)")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"no evaluation data at {args.data}")
    headline: dict[str, Any] = {}
    started = time.perf_counter()
    if not args.opml:
        cases = collect_cases(args.data)
        outcomes = asyncio.run(run_feeds(cases))
        headline |= report_feeds(tally(outcomes, args.data), args.plain)
    if not args.feeds:
        headline |= report_opml(run_opml(args.data), args.plain)
    headline["seconds"] = round(time.perf_counter() - started, 2)
    sys.stdout.flush()
    print(json.dumps(headline, sort_keys=True))
    unhandled = headline.get("unhandled", 0) + headline.get("opml_unhandled", 0)
    return 1 if unhandled else 0


if __name__ == "__main__":
    raise SystemExit(main())

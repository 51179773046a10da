"""Heat over 48 hours for a few synthetic story shapes, with the default :class:`HeatConfig`.

No data and no timing: a table to eyeball the curve (``docs/heat.md`` discusses it) and to
notice when a change of formula or defaults moves it.

    .venv/bin/python bench/heat.py [--half-life 12] [--window 3]

A table (rows: shapes; columns: hours since the story's first article), then ONE JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta

from topicwire.score.heat import Arrival, HeatConfig, heat_history

START = datetime(2026, 1, 1, tzinfo=UTC)
HOURS = [0, 1, 2, 3, 6, 12, 18, 24, 30, 36, 48]


def at(hours: float) -> datetime:
    """``hours`` after the story's first article."""
    return START + timedelta(hours=hours)


def shapes() -> dict[str, list[Arrival]]:
    """Synthetic stories: who published, when (hours after the first article), how trusted."""
    return {
        "one outlet": [Arrival("a", at(0))],
        "one wire (w=3)": [Arrival("wire", at(0), 3.0)],
        "breaking: 10 in 2h": [Arrival(f"p{i}", at(i * 0.2)) for i in range(10)],
        "slow burn: 1 per 4h": [Arrival(f"p{i}", at(i * 4.0)) for i in range(12)],
        "two waves: 5 + 5@24h": [Arrival(f"p{i}", at(i * 0.25)) for i in range(5)]
        + [Arrival(f"q{i}", at(24 + i * 0.25)) for i in range(5)],
        "one outlet x20 reposts": [Arrival("a", at(i * 0.5)) for i in range(20)],
        "30 outlets in 6h": [Arrival(f"p{i}", at(i * 0.2)) for i in range(30)],
    }


def main(argv: list[str] | None = None) -> int:
    """Print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half-life", type=float, default=HeatConfig().half_life_hours)
    parser.add_argument("--window", type=float, default=HeatConfig().velocity_window_hours)
    args = parser.parse_args(argv)
    config = HeatConfig(half_life_hours=args.half_life, velocity_window_hours=args.window)
    table: dict[str, dict[int, int]] = {}
    for name, arrivals in shapes().items():
        points = dict(heat_history(arrivals, START, at(max(HOURS)), config))
        table[name] = {h: points[at(h)] for h in HOURS}
    print(f"{'shape':24}" + "".join(f"{h:>5}h" for h in HOURS))
    for name, row in table.items():
        print(f"{name:24}" + "".join(f"{row[h]:>6}" for h in HOURS))
    print(
        json.dumps(
            {
                "bench": "heat",
                "config": vars(config),
                "hours": HOURS,
                "heat": {name: [row[h] for h in HOURS] for name, row in table.items()},
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The common shape of every benchmark's output: a table a person reads, then, as the
very last line, one JSON object a script reads."""

from __future__ import annotations

import json
import statistics
from typing import Any, Mapping, Sequence


def median_ms(samples_ms: Sequence[float]) -> float:
    return round(statistics.median(samples_ms), 2)


def percentile_ms(samples_ms: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples_ms)
    return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 2)


def print_report(title: str, rows: Sequence[tuple[str, Any]], figures: Mapping[str, Any]) -> None:
    print(title)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    print(json.dumps(dict(figures)))

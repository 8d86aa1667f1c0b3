"""The terminal tables of a run: every figure of an ordinary run, a bounded page for any run."""

from __future__ import annotations

import io
from typing import Any

from heroicrun import measuring, summary
from heroicrun.cli import run_tables
from heroicrun.cli.terminal import Terminal
from heroicrun.summary import RunSummary
from tests.factory import straight_north, with_spike


def printed(run: RunSummary, miles: bool = False) -> str:
    out = io.StringIO()
    run_tables.render(Terminal(out, width=100, colour=False), run, miles=miles)
    return out.getvalue()


def described(track: Any) -> RunSummary:
    return summary.describe(track, measuring.measure(track))


def split_rows(text: str) -> int:
    """How many rows of the splits table were printed (each starts with its number)."""
    table = text.split("Splits per")[1].split("Best efforts")[0]
    return sum(1 for line in table.splitlines() if line.strip("│ ").split(" ")[0].isdigit())


def test_a_246_km_run_shows_every_split() -> None:
    run = described(straight_north(246_000, 36 * 3600, step_s=10))
    assert split_rows(printed(run)) == 246
    assert split_rows(printed(run, miles=True)) == 153
    assert "more splits" not in printed(run)


def test_a_longer_journey_shows_the_first_splits_and_counts_the_rest() -> None:
    run = described(straight_north(1_500_000, 600_000, step_s=600))
    text = printed(run)
    assert split_rows(text) == run_tables.MAX_SPLIT_ROWS
    assert "… and 1,200 more splits" in text  # 1,500 in all
    assert "lists the first 1,000 of 1,500 splits per km" in text


def test_many_flags_show_the_first_few_and_count_the_rest() -> None:
    track = straight_north(5000, 1500)
    for index in range(10, 1490, 20):  # 74 glitches, each far from the next
        track = with_spike(track, index, 300.0)
    run = described(track)
    assert len(run.flags) == summary.MAX_FLAGS
    text = printed(run)
    assert text.count("⚑ gps_spike:") == run_tables.MAX_FLAG_LINES
    assert "⚑ and 64 more flags (--json lists them)" in text

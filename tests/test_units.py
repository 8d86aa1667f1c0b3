"""Units and clocks: what every table, page and goal detail writes a duration or a pace as."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest

from heroicrun import units


def test_a_mile_is_1760_yards_of_0_9144_m() -> None:
    assert math.isclose(units.MILE_M, 1760 * 0.9144, abs_tol=1e-9)
    assert units.KM_M == 1000.0


@pytest.mark.parametrize(
    ("seconds", "places", "shown"),
    [
        (0, 0, "0:00"),
        (123, 0, "2:03"),
        (330, 0, "5:30"),
        (3599.4, 0, "59:59"),
        (3599.6, 0, "1:00:00"),  # rounding carries into the hour
        (3723.4, 0, "1:02:03"),
        (36 * 3600 + 5, 0, "36:00:05"),
        (120.3, 1, "2:00.3"),
        (3599.96, 1, "1:00:00.0"),
        (330.001, 2, "5:30.00"),
        (-5, 0, "−0:05"),
        (-0.4, 0, "0:00"),  # rounds to nothing: no sign
        (-3723, 0, "−1:02:03"),
    ],
)
def test_clocks_read_as_runners_write_them(seconds: float, places: int, shown: str) -> None:
    assert units.clock(seconds, places) == shown


def test_a_missing_duration_or_pace_is_a_dash() -> None:
    for missing in (None, math.nan, math.inf):
        assert units.duration(missing) == "–"
        assert units.pace(missing, "mi") == "–"
    assert units.duration(3723.4) == "1:02:03"
    assert units.pace(342) == "5:42 /km"
    assert units.pace(551.9, "mi") == "9:12 /mi"


def test_pace_is_seconds_per_unit_and_none_without_time_or_distance() -> None:
    assert units.seconds_per(1500.0, 5000.0, units.KM_M) == pytest.approx(300.0)
    assert units.seconds_per(1500.0, 5000.0, units.MILE_M) == pytest.approx(482.8032)
    for seconds, distance_m in ((None, 5000.0), (0.0, 5000.0), (1500.0, 0.0), (1500.0, None)):
        assert units.seconds_per(seconds, distance_m, units.KM_M) is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5:30", 330), ("05:30", 330), (" 20:00 ", 1200), ("1:02:03", 3723), ("36:00:00", 129600)],
)
def test_a_written_clock_reads_back_as_seconds(text: str, seconds: int) -> None:
    assert units.clock_seconds(text) == seconds
    assert units.clock_seconds(units.clock(seconds)) == seconds


@pytest.mark.parametrize(
    "text", ["", "5", "5:3", "5:60", "60:00:00:00", "1:60:00", "a:bc", "-5:00"]
)
def test_a_text_that_is_no_clock_reads_as_none(text: str) -> None:
    assert units.clock_seconds(text) is None


def test_units_is_plain_python_for_a_fast_start() -> None:
    tree = ast.parse(Path(units.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "math", "re"}

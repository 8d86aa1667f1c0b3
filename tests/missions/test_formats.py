"""How a mission file writes its text fields: story paragraphs, and a legend's long times."""

from __future__ import annotations

import pytest

from heroicrun.missions import formats
from heroicrun.missions.model import LegendMark


def test_a_story_is_one_paragraph_a_line() -> None:
    text = "The Persians have come at last.\nYou are a day-runner.\n"
    assert formats.paragraphs(text) == ("The Persians have come at last.", "You are a day-runner.")
    assert formats.paragraphs("") == ()


def test_paragraphs_parted_by_blank_lines_may_wrap() -> None:
    text = "The Persians have\ncome at last.\r\n\r\nYou are a\nday-runner."
    assert formats.paragraphs(text) == ("The Persians have come at last.", "You are a day-runner.")


@pytest.mark.parametrize(
    ("written", "seconds", "shown"),
    [
        ("36:00:00", 36 * 3600, "36:00:00"),
        ("20:25:00", 20 * 3600 + 25 * 60, "20:25:00"),
        ("2:58:50", 2 * 3600 + 58 * 60 + 50, "2:58:50"),
        ("4 days", 4 * 86_400, "4 days"),
        ("1 day", 86_400, "24:00:00"),
        ("1171 days", 1171 * 86_400, "1171 days"),
        ("1170 days 16:00:00", 1170 * 86_400 + 16 * 3600, "1170 days 16:00:00"),
        ("2 days 6:00", 2 * 86_400 + 6 * 60, "48:06:00"),
    ],
)
def test_a_legends_time_runs_to_days_and_reads_back(
    written: str, seconds: float, shown: str
) -> None:
    mark = LegendMark.model_validate({"km": 10, "time": written})
    assert mark.time == seconds
    assert mark.model_dump()["time"] == shown
    assert LegendMark.model_validate(mark.model_dump()).time == seconds


@pytest.mark.parametrize("written", ["soon", "", "days", "4 weeks", "0:00", 36])
def test_a_legends_time_must_be_a_time(written: object) -> None:
    with pytest.raises(ValueError, match="expected a time"):
        LegendMark.model_validate({"km": 10, "time": written})

"""Plain terminal output: colour only where wanted, columns that align and wrap, one frame."""

from __future__ import annotations

import io

import pytest

from heroicrun.cli.terminal import Terminal, cells


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("environment", "stream", "coloured"),
    [
        ({}, Tty(), True),
        ({}, io.StringIO(), False),  # a pipe or a file: no escape codes in it
        ({"NO_COLOR": "1"}, Tty(), False),
        ({"TERM": "dumb"}, Tty(), False),
        ({"FORCE_COLOR": "1"}, io.StringIO(), True),
    ],
)
def test_colour_follows_the_terminal_and_the_usual_variables(
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    stream: io.StringIO,
    coloured: bool,
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    out = Terminal(stream, width=80)
    out.line(("Splits", "bold"), (" per km", ""))
    assert ("\x1b[1mSplits\x1b[0m per km\n" if coloured else "Splits per km\n") == stream.getvalue()


def test_columns_align_and_the_last_one_wraps_to_the_width() -> None:
    stream = io.StringIO()
    out = Terminal(stream, width=40, colour=False)
    rows = [["Reach Sparta", "0/10", "km 10.6 of 42.5 (Megara), the first town on the road"]]
    out.columns(["Mission", "Done", "Next"], rows, right=[False, True, False], title="Missions")
    lines = stream.getvalue().splitlines()
    assert lines[:2] == ["Missions", "  Mission       Done  Next"]
    assert all(len(line) <= 40 for line in lines)
    assert lines[2].startswith("  Reach Sparta  0/10  km 10.6 of")
    # The wrapped rest starts under the column it belongs to, and nothing is lost.
    column = lines[1].index("Next")
    assert all(line[:column].strip() == "" for line in lines[3:])
    text = " ".join(line[column:] for line in lines[2:])
    assert text == rows[0][2]


def test_wide_characters_count_two_columns() -> None:
    assert cells("Hakone 箱根") == 11
    stream = io.StringIO()
    out = Terminal(stream, width=80, colour=False)
    out.panel([("箱根駅伝.gpx", "")], [[("Distance  ", ""), ("107.5 km", "")]])
    top, middle, bottom = stream.getvalue().splitlines()
    assert cells(top) == cells(middle) == cells(bottom)


def test_a_long_flag_wraps_inside_the_frame_under_its_first_word() -> None:
    stream = io.StringIO()
    out = Terminal(stream, width=40, colour=False)
    flag = "⚑ vehicle: covered 954 m in 1 min 54 s at 30 km/h, a vehicle's speed"
    out.panel([("ride.tcx", "bold")], [[("Kind  ", "dim"), ("run, TCX", "")], [(flag, "red")]])
    lines = stream.getvalue().splitlines()
    assert all(cells(line) == cells(lines[0]) <= 40 for line in lines)
    assert lines[2].startswith("│ ⚑ vehicle:") and lines[3].startswith("│   ")
    words = " ".join(line.strip("│ ") for line in lines[2:-1])
    assert words == flag

"""Mission files: what loads, and errors that name the file, the field and what was expected."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from heroicrun.missions import catalog, loading, model

VALID = """
id = "{id}"
title = "Test"
inspired_by = "A test"
summary = "A mission for tests."
briefing = "It begins."
level = "steady"

[[sources]]
fact = "none"
source = "the test"

[[beats]]
id = "first"
title = "First"
teaser = "The first step."
text = "Go."
goal = {goal}
"""


def write(tmp_path: Path, goal: str, mission_id: str = "probe", extra: str = "") -> Path:
    path = tmp_path / f"{mission_id}.toml"
    path.write_text(VALID.format(id=mission_id, goal=goal) + extra)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(loading.MissionError) as caught:
        loading.load(path, f"missions/{path.name}")
    return caught.value.problems


def test_a_valid_mission_converts_units_once(tmp_path: Path) -> None:
    mission = loading.load(write(tmp_path, '{ kind = "pace", pace = "5:30", km = 5 }'))
    goal = mission.beats[0].goal
    assert isinstance(goal, model.PaceGoal)
    assert goal.pace == 330.0 and goal.km == 5.0
    assert mission.kind == "challenge" and mission.goal_kinds() == ["pace"]


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        (
            '{ kind = "pace", pace = "fast" }',
            'beats[0].goal.pace: expected "m:ss" per km, got "fast"',
        ),
        ('{ kind = "distance" }', "beats[0].goal.km: is required"),
        ('{ kind = "distance", kms = 5, km = 5 }', "beats[0].goal.kms: is not a field here"),
        ('{ kind = "sprint" }', "beats[0].goal: expected a goal kind, one of"),
        ("{ km = 5 }", "beats[0].goal: needs a kind"),
        (
            '{ kind = "best_of", attempts = 3,'
            ' goal = { kind = "finish_within", km = 4, within = "2000" } }',
            'beats[0].goal.goal.within: expected a duration "h:mm:ss" or "mm:ss", got "2000"',
        ),
        ('{ kind = "distance", km = -1 }', "beats[0].goal.km: input should be greater than 0"),
        (
            '{ kind = "time_of_day", start_after = "25:00", finish_before = "05:00" }',
            'beats[0].goal.start_after: expected a time of day "HH:MM", got "25:00"',
        ),
    ],
)
def test_errors_name_the_file_the_field_and_the_expectation(
    tmp_path: Path, goal: str, expected: str
) -> None:
    found = problems(write(tmp_path, goal))
    assert any(problem.startswith(expected) for problem in found), found


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    extra = (
        '\n[[beats]]\nid = "first"\ntitle = ""\ntext = "x"\n'
        'goal = { kind = "climb", metres = "lots" }\n'
    )
    found = problems(write(tmp_path, '{ kind = "distance", km = "far" }', extra=extra))
    assert len(found) >= 3
    assert any(problem.startswith("beats[1].title") for problem in found)
    assert any(problem.startswith("beats[1].goal.metres") for problem in found)


def test_deadlines_need_a_failure_ending_and_ids_match_file_names(tmp_path: Path) -> None:
    found = problems(
        write(tmp_path, '{ kind = "best_of", attempts = 3, goal = { kind = "distance", km = 5 } }')
    )
    assert any("needs a failure ending" in problem for problem in found)
    found = problems(write(tmp_path, '{ kind = "distance", km = 5 }', mission_id="Not-A-Slug"))
    assert any(problem.startswith("id:") for problem in found)


def test_toml_syntax_errors_give_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('id = "broken"\ntitle = "unclosed\n')
    (problem,) = problems(path)
    assert problem.startswith("is not valid TOML") and "line 2" in problem


def test_a_file_must_give_its_briefing_and_every_teaser(tmp_path: Path) -> None:
    path = write(tmp_path, '{ kind = "distance", km = 5 }')
    untold = path.read_text().replace('briefing = "It begins."\n', "")
    untold = untold.replace('teaser = "The first step."\n', "")
    second = (
        '\n[[beats]]\nid = "second"\ntitle = "Second"\ntext = "On."\n'
        'goal = { kind = "distance", km = 6 }\n'
    )
    path.write_text(untold + second)
    found = problems(path)
    assert [problem.split(":")[0] for problem in found] == [
        "briefing",
        "beats[0].teaser",
        "beats[1].teaser",
    ]
    assert all("is required" in problem for problem in found)


def test_a_teaser_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, '{ kind = "distance", km = 5 }')
    two_lines = "teaser = '''\nOne line,\nthen another.'''"
    path.write_text(path.read_text().replace('teaser = "The first step."', two_lines))
    (found,) = problems(path)
    assert found.startswith("beats[0].teaser: string should match pattern")


ROAD = """
[route]
waypoints = [
  { name = "Here", lat = 37.97, lon = 23.72, km = 0 },
  { name = "There", lat = 38.06, lon = 23.72, km = 12 },
]
"""
NEEDS = "legend: a legend needs either a `time` for the whole route or a `schedule` of km marks"


@pytest.mark.parametrize(
    ("legend", "expected"),
    [
        ('name = "Ghost"', f"{NEEDS} and times"),
        (
            'name = "Ghost"\ntime = "1:00:00"\nschedule = [{ km = 5, time = "0:30:00" }]',
            f"{NEEDS} and times, not both",
        ),
        (
            'name = "Ghost"\ntime = "soon"',
            'legend.time: expected a time "h:mm:ss", "N days" or "N days h:mm:ss", got "soon"',
        ),
        (
            'name = "Ghost"\n'
            'schedule = [{ km = 8, time = "1:00:00" }, { km = 5, time = "2:00:00" }]',
            "legend: the schedule's km marks and times must rise: km 5 at 2:00:00 comes after"
            " km 8 at 1:00:00",
        ),
        (
            'name = "Ghost"\n'
            'schedule = [{ km = 5, time = "2 days" }, { km = 8, time = "20:00:00" }]',
            "legend: the schedule's km marks and times must rise: km 8 at 20:00:00 comes after"
            " km 5 at 2 days",
        ),
        (
            'name = "Ghost"\nschedule = [{ km = 20, time = "2:00:00" }]',
            "legend: the schedule reaches km 20 of a 12 km route",
        ),
        ('name = "Ghost"\ntime = "1:00:00"\npace = "5:00"', "legend.pace: is not a field here"),
        ('name = "Ghost"\nschedule = [{ km = 5 }]', "legend.schedule[0].time: is required"),
        ('time = "1:00:00"', "legend.name: is required"),
    ],
)
def test_a_bad_legend_is_named_by_file_and_field(
    tmp_path: Path, legend: str, expected: str
) -> None:
    extra = f"{ROAD}\n[legend]\n{legend}\n"
    found = problems(write(tmp_path, '{ kind = "route_km", km = 12 }', extra=extra))
    assert any(problem.startswith(expected) for problem in found), found


def test_a_legend_needs_a_route(tmp_path: Path) -> None:
    extra = '\n[legend]\nname = "Ghost"\ntime = "1:00:00"\n'
    found = problems(write(tmp_path, '{ kind = "distance", km = 5 }', extra=extra))
    assert found == ["legend: a legend races along a route, and there is none"]


def test_a_legend_reads_back_as_written(tmp_path: Path) -> None:
    legend = (
        '[legend]\nname = "Ghost"\nsets_out = "6:00"\nschedule = [{ km = 12, time = "4 days" }]\n'
    )
    mission = loading.load(write(tmp_path, '{ kind = "route_km", km = 12 }', extra=ROAD + legend))
    assert mission.legend is not None
    assert mission.legend.marks(12.0) == ((0, 0), (12, 4 * 86400))
    assert mission.model_dump()["legend"] == {
        "name": "Ghost",
        "time": None,
        "schedule": [{"km": 12.0, "time": "4 days"}],
        "sets_out": "06:00",
    }


def test_route_km_goal_needs_a_route_that_long(tmp_path: Path) -> None:
    found = problems(write(tmp_path, '{ kind = "route_km", km = 10 }'))
    assert any("route_km goal but there is no route" in problem for problem in found)


def test_the_bundled_catalog_loads_without_errors() -> None:
    found = catalog.bundled()
    assert found.errors == ()
    assert len(found.missions) >= 15


def test_the_committed_json_schema_is_current() -> None:
    committed = json.loads((catalog.directory() / "mission.schema.json").read_text())
    assert committed == model.json_schema(), (
        "run: heroicrun missions schema > missions/mission.schema.json"
    )


def test_validate_exits_1_listing_every_problem(tmp_path: Path) -> None:
    bad = write(tmp_path, '{ kind = "pace", pace = "fast" }')
    done = subprocess.run(
        [sys.executable, "-m", "heroicrun", "validate", str(bad)], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert f'{bad}: beats[0].goal.pace: expected "m:ss" per km, got "fast"' in done.stderr
    good = write(tmp_path, '{ kind = "distance", km = 5 }', mission_id="good")
    done = subprocess.run(
        [sys.executable, "-m", "heroicrun", "validate", str(good)], capture_output=True, text=True
    )
    assert done.returncode == 0 and "1 mission(s) valid" in done.stdout

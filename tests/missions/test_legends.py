"""Racing a legend: where the legend was at a time since setting out, and words comparing a
runner ("Pheidippides reached Nemea after 18 hours; you are 3 weeks behind")."""

from __future__ import annotations

import pytest

from heroicrun.missions import catalog, legends
from heroicrun.missions.model import Legend, Route

HOUR = 3600.0
DAY = 86_400.0
WEEK = 7 * DAY

# Athens to Sparta and home, as Reach Sparta runs it (the places that matter here).
ROAD = Route.model_validate(
    {
        "waypoints": [
            {"name": "Foot of the Acropolis, Athens", "lat": 37.9710, "lon": 23.7215, "km": 0},
            {"name": "Megara", "lat": 37.9960, "lon": 23.3440, "km": 42.5},
            {"name": "Nemea", "lat": 37.8210, "lon": 22.6610, "km": 122.7},
            {"name": "Sparta, statue of Leonidas", "lat": 37.0830, "lon": 22.4260, "km": 246},
            {"name": "Athens", "lat": 37.9710, "lon": 23.7215, "km": 492},
        ]
    }
)
PHEIDIPPIDES = Legend.model_validate(
    {"name": "Pheidippides", "schedule": [{"km": 246, "time": "36:00:00"}]}
)
KOUROS = Legend.model_validate(
    {"name": "Yiannis Kouros", "schedule": [{"km": 246, "time": "20:25:00"}], "sets_out": "07:00"}
)


def test_the_legend_runs_each_stretch_at_an_even_pace_and_stops_at_its_last_mark() -> None:
    assert legends.position_km(PHEIDIPPIDES, ROAD, 0) == 0
    assert legends.position_km(PHEIDIPPIDES, ROAD, -5) == 0
    assert legends.position_km(PHEIDIPPIDES, ROAD, 18 * HOUR) == pytest.approx(123.0)
    assert legends.position_km(PHEIDIPPIDES, ROAD, 36 * HOUR) == 246
    assert legends.position_km(PHEIDIPPIDES, ROAD, 3 * WEEK) == 246  # the tale stops at Sparta
    assert legends.time_to(PHEIDIPPIDES, ROAD, 123.0) == pytest.approx(18 * HOUR)
    assert legends.time_to(PHEIDIPPIDES, ROAD, 0) == 0
    assert legends.time_to(PHEIDIPPIDES, ROAD, 300) is None


def test_a_schedule_sets_its_own_pace_between_marks() -> None:
    uneven = Legend.model_validate(
        {
            "name": "Uneven",
            "schedule": [{"km": 100, "time": "10:00:00"}, {"km": 246, "time": "40:00:00"}],
        }
    )
    assert legends.position_km(uneven, ROAD, 5 * HOUR) == pytest.approx(50)
    assert legends.position_km(uneven, ROAD, 25 * HOUR) == pytest.approx(173)
    assert legends.time_to(uneven, ROAD, 173) == pytest.approx(25 * HOUR)
    # A whole-route time covers the whole route: 492 km here.
    whole = Legend.model_validate({"name": "Whole", "time": "4 days"})
    assert legends.position_km(whole, ROAD, 2 * DAY) == pytest.approx(246)


def test_words_name_the_last_place_and_how_far_behind_the_runner_is() -> None:
    compared = legends.compare(PHEIDIPPIDES, ROAD, 130.0, 3 * WEEK)
    assert compared.words == "Pheidippides reached Nemea after 18 hours; you are 3 weeks behind"
    assert compared.place == "Nemea"
    assert compared.legend_s == pytest.approx(130 / 246 * 36 * HOUR)
    assert compared.gap_s == pytest.approx(3 * WEEK - 130 / 246 * 36 * HOUR)


def test_a_legend_that_set_out_at_a_known_hour_is_told_by_the_time_of_day() -> None:
    # 07:00 start; Nemea at 10 h 11 min is 17:11, Sparta at 20 h 25 min is 03:25 next day.
    assert legends.compare(KOUROS, ROAD, 122.7, 5 * DAY).words == (
        "Yiannis Kouros reached Nemea on the first evening; you are 5 days behind"
    )
    assert legends.when(KOUROS, legends.time_to(KOUROS, ROAD, 246)) == "on the first night"
    assert legends.when(KOUROS, 2 * HOUR) == "on the first morning"
    assert legends.when(KOUROS, 30 * HOUR) == "on the second afternoon"
    assert legends.when(KOUROS, 20 * DAY) == "on day 21"  # past a week of days: counted


def test_a_runner_ahead_or_level_is_told_so() -> None:
    ahead = legends.compare(PHEIDIPPIDES, ROAD, 50.0, 5 * HOUR)
    assert ahead.words == "Pheidippides reached Megara after 6 hours; you are 2 hours ahead"
    level = legends.compare(PHEIDIPPIDES, ROAD, 123.0, 18 * HOUR + 30)
    assert level.words.endswith("; you are level")


def test_before_the_first_place_and_past_the_last_mark() -> None:
    early = legends.compare(PHEIDIPPIDES, ROAD, 2.0, 2 * DAY)
    assert early.words == "Pheidippides passed km 2.0 after 18 minutes; you are 2 days behind"
    assert early.place is None
    past = legends.compare(PHEIDIPPIDES, ROAD, 300.0, 20 * WEEK)
    assert past.words == (
        "Pheidippides reached Sparta after 36 hours; no one timed the rest of the road"
    )
    assert past.gap_s is None and past.legend_s is None
    start = legends.compare(PHEIDIPPIDES, ROAD, 0.0, 0.0)
    assert start.words == "Pheidippides set out when you enrolled; your first run starts the race"


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (40 * 60, "40 minutes"),
        (HOUR, "60 minutes"),
        (5 * HOUR, "5 hours"),
        (DAY, "24 hours"),
        (2 * DAY, "2 days"),
        (3 * WEEK, "3 weeks"),
        (100 * DAY, "3 months"),
        (3 * 365.25 * DAY, "3 years"),
    ],
)
def test_spans_are_told_in_one_unit(seconds: float, words: str) -> None:
    assert legends.span(seconds) == words


def test_every_bundled_legend_races_its_whole_route_or_stops_at_a_place() -> None:
    found = catalog.bundled()
    raced = [mission for mission in found.missions if mission.legend is not None]
    assert {mission.id for mission in raced} >= {"reach-sparta", "three-hunters"}
    for mission in raced:
        assert mission.legend is not None and mission.route is not None
        end_km = mission.legend.marks(mission.route.length_km)[-1][0]
        assert any(abs(point.km - end_km) < 0.05 for point in mission.route.waypoints)
        words = legends.compare(mission.legend, mission.route, 1.0, DAY).words
        assert words.startswith(mission.legend.name) and "behind" in words

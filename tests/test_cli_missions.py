"""`heroicrun missions`, `missions show`, `validate` and `check --mission`, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).parents[1] / "heroicrun" / "samples" / "athens-dawn-run.gpx"


def heroicrun(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "heroicrun", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=None if env is None else os.environ | env,
    )


def test_missions_json_lists_the_promised_fields() -> None:
    done = heroicrun("missions", "--json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert len(listed) >= 15
    sparta = next(mission for mission in listed if mission["id"] == "reach-sparta")
    assert sparta["kind"] == "journey"
    assert sparta["route_km"] >= 246
    assert sparta["beats"] >= 5
    assert "route_km" in sparta["goal_kinds"]
    assert {"id", "title", "inspired_by", "kind", "route_km", "beats", "goal_kinds"} <= set(sparta)
    assert all(m["route_km"] is None for m in listed if m["kind"] == "challenge")


def test_show_hides_the_story_unless_asked() -> None:
    hidden = json.loads(heroicrun("missions", "show", "reach-sparta", "--json").stdout)
    assert all("text" not in beat for beat in hidden["beats"])
    assert hidden["beats"][0]["id"] == "kerameikos"
    assert hidden["beats"][0]["goal"]["kind"] == "route_km"
    assert hidden["beats"][0]["goal_words"] == "Reach Kerameikos (km 1.2)"
    # What may be read before running: the briefing, and a teaser for every chapter.
    assert hidden["briefing"].startswith("The Persians have come at last.")
    assert all(beat["teaser"] for beat in hidden["beats"])
    assert hidden["legend"]["words"] == "Pheidippides reached Sparta (km 246) in 36 hours"
    assert hidden["length"]["words"] == "about 99 runs: 33 weeks at 3 runs a week"
    shown = json.loads(heroicrun("missions", "show", "reach-sparta", "--json", "--spoilers").stdout)
    assert all(beat["text"] for beat in shown["beats"])
    table = heroicrun("missions", "show", "reach-sparta", env={"COLUMNS": "200"})
    assert table.returncode == 0 and "Megara" in table.stdout
    assert "The Persians have come at last." in table.stdout
    assert "The edge of the city, and the road that leads away from everything you" in table.stdout
    assert "Race the legend: Pheidippides reached Sparta (km 246) in 36 hours" in table.stdout
    assert "For a new runner, about 99 runs" in table.stdout


def test_show_unknown_mission_names_the_known_ones() -> None:
    done = heroicrun("missions", "show", "mordor")
    assert done.returncode == 1
    assert "no mission 'mordor'" in done.stderr and "reach-sparta" in done.stderr


def test_validate_the_bundled_catalog() -> None:
    done = heroicrun("validate")
    assert done.returncode == 0, done.stderr
    assert "mission(s) valid" in done.stdout


def test_check_reports_what_a_run_earns_in_one_mission() -> None:
    done = heroicrun("check", SAMPLE, "--json", "--mission", "reach-sparta")
    assert done.returncode == 0, done.stderr
    (earned,) = json.loads(done.stdout)["missions"]
    assert earned["id"] == "reach-sparta"
    assert 5.5 < earned["progress_km"] < 6.5  # the sample run is about 5.9 km
    # A first run unlocks the first chapter: the Kerameikos is 1.2 km out of Athens.
    assert earned["unlocked"] == ["kerameikos"]
    first, second = earned["goals"][:2]
    assert first["beat"] == "kerameikos" and first["met"] is True
    assert second["beat"] == "eleusis" and second["met"] is False
    assert second["detail"].startswith("km 5.9 of 24.2 (Eleusis)")
    assert earned["position"]["last_place"] == "Kerameikos, the potters' quarter"


def test_check_with_every_mission_and_a_bad_mission_id() -> None:
    done = heroicrun("check", SAMPLE, "--json")
    assert len(json.loads(done.stdout)["missions"]) >= 15
    tables = heroicrun("check", SAMPLE)
    assert "Missions" in tables.stdout and "Reach Sparta" in tables.stdout
    assert heroicrun("check", SAMPLE, "--mission", "nope").returncode == 2

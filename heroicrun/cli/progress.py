"""`heroicrun progress`: where a runner stands in every mission, from a shell — their own (the
missions the dashboard shows) and those their clubs run as teams.

`--json` prints what the API answers: a solo mission as GET /api/missions/{id}/progress does,
a team mission with the same fields plus `team` (the club) and `members` (each one's counted km,
runs and chapters: never another member's runs).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from heroicrun.cli.accounts import DatabaseUrl, fail, opened
from heroicrun.cli.clubs import OptionalRunner, play_catalog, runner_called
from heroicrun.cli.commands import app
from heroicrun.cli.terminal import print_json

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from heroicrun.db.schema import Runner
    from heroicrun.missions.loading import Catalog
    from heroicrun.play.teams import TeamStanding

STATUS_WORDS = {"in_progress": "under way", "completed": "completed", "failed": "failed"}


def now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def _sessions(url: str | None) -> Iterator[tuple[Session, Session]]:
    """A session to read in and one to keep what had to be judged (committed at the end), as
    the API's progress route has; PlayError and database failures become a clean exit."""
    from sqlalchemy.exc import SQLAlchemyError

    from heroicrun.db import engine as db_engine
    from heroicrun.play import PlayError

    with (
        opened(url) as engine,
        db_engine.readers(engine)() as reading,
        db_engine.writers(engine)() as writing,
    ):
        try:
            yield reading, writing
            writing.commit()
        except PlayError as error:
            raise fail(str(error)) from None
        except SQLAlchemyError as error:
            raise fail(f"the database refused: {error}") from None


def solo_entries(
    reading: Session, writing: Session, catalog: Catalog, runner: Runner, at: datetime
) -> list[dict[str, Any]]:
    """The runner's active missions, each as GET /api/missions/{id}/progress answers."""
    from heroicrun.missions import describe
    from heroicrun.play import missions as play

    pairs = play.enrolled_missions(reading, catalog, runner)
    learned: play.Learned = {}
    earned = play.current(reading, catalog, runner, pairs, at, learned, writing)
    play.remember(writing, learned)
    entries = []
    for (mission, enrolment), found in zip(pairs, earned, strict=True):
        shown = describe.progress(mission, found)
        unlocked = set(found.unlocked)
        shown["enrolment"] = enrolment.id
        shown["enrolled_at"] = play.enrolled_at(enrolment)
        shown["story"] = [
            {"beat": beat.id, "title": beat.title, "text": beat.text}
            for beat in mission.beats
            if beat.id in unlocked
        ]
        entries.append(shown)
    return entries


def team_entry(catalog: Catalog, standing: TeamStanding) -> dict[str, Any]:
    """A club's team mission: the fields of a runner's progress, the club and its members."""
    from heroicrun.play import teams

    return teams.described(catalog, standing)


def team_entries(
    reading: Session, writing: Session, catalog: Catalog, runner: Runner, at: datetime
) -> list[dict[str, Any]]:
    """Every team mission of every club the runner is in."""
    from heroicrun.play import teams

    found = teams.standings_of(reading, catalog, runner, at, writing)
    return [team_entry(catalog, standing) for standing in found]


def _km(entry: dict[str, Any]) -> str:
    done, total = entry["progress_km"], entry["route_km"]
    if done is None:
        return "–"
    return f"{done:,.1f} of {total:,.1f} km" if total else f"{done:,.1f} km"


def _next(entry: dict[str, Any]) -> str:
    goal = next((goal for goal in entry["goals"] if goal["status"] == "next"), None)
    if goal is None:
        return "–"
    return f"{goal['title']}: {goal['goal']}"


def _members(entry: dict[str, Any]) -> str:
    given = []
    for member in entry["members"]:
        runs, chapters = member["runs"], member["chapters"]
        said = f"{member['name']} {member['km']:,.1f} km ({runs} run{'' if runs == 1 else 's'}"
        if chapters:
            said += f", {chapters} chapter{'' if chapters == 1 else 's'}"
        given.append(said + ")")
    return ", ".join(given) or "no runs yet"


def render(runner: str, entries: list[dict[str, Any]]) -> None:
    """Each mission as a small table: status, km done, chapters unlocked, the next goal; and for
    a team, what each member gave."""
    if not entries:
        print(
            f"{runner} is in no mission yet: heroicrun missions lists them, and each one's "
            "page on the web has a button to start it."
        )
        return
    for number, entry in enumerate(entries):
        if number:
            print()
        team = f" (team {entry['team']['club']})" if "team" in entry else ""
        print(f"{entry['title']}{team}: {STATUS_WORDS[entry['status']]}")
        rows = [
            ("done", _km(entry)),
            ("chapters", f"{len(entry['unlocked'])} of {len(entry['goals'])} unlocked"),
            ("next", _next(entry)),
        ]
        if "team" in entry:
            rows.append(("members", _members(entry)))
        for label, value in rows:
            print(f"  {label:<9} {value}")


@app.command("progress")
def progress(
    runner: OptionalRunner = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON, as the API's progress answers.")
    ] = False,
    url: DatabaseUrl = None,
) -> None:
    """Where the runner stands in every mission they or their clubs are in: status, km done,
    chapters unlocked, the next goal; each team's members with their km.

    Example: heroicrun progress --runner ann --json
    """
    from pydantic_core import to_jsonable_python

    catalog = play_catalog()
    at = now()
    with _sessions(url) as (reading, writing):
        who = runner_called(reading, runner)
        entries = solo_entries(reading, writing, catalog, who, at)
        entries += team_entries(reading, writing, catalog, who, at)
    if as_json:
        print_json(to_jsonable_python(entries))
        return
    render(who.name, entries)

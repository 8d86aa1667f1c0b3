"""Team missions: a club enrols, its members' runs are credited once per team and counted by the
solo rules, chapters go to the member whose run crossed the mark, deadlines and relays apply to
the team, and views read what is kept until the club's version changes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from heroicrun.db import engine as db_engine
from heroicrun.db.schema import Club, Run, Runner, TeamRun, TeamUnlock
from heroicrun.play import (
    Conflict,
    NotFound,
    PlayError,
    accounts,
    clubs,
    imports,
    pool,
    rewards,
    runs,
    team_judging,
    teams,
)
from heroicrun.play import missions as play
from tests.factory import START
from tests.helpers.stored_runs import ENROLLED, a_track, catalog_of, gpx_of, story_mission

ROUTE = {
    "waypoints": [
        {"name": "Athens", "lat": START[0], "lon": START[1], "km": 0},
        {"name": "Megara", "lat": START[0] + 0.072, "lon": START[1], "km": 8},
        {"name": "Corinth", "lat": START[0] + 0.18, "lon": START[1], "km": 20},
    ]
}
ROAD = story_mission(
    "team-road",
    {"kind": "route_km", "km": 0, "id": "set-out", "title": "Setting Out"},
    {"kind": "route_km", "km": 8, "id": "megara", "title": "The Sacred Way"},
    {"kind": "route_km", "km": 20, "id": "corinth", "title": "The Isthmus"},
    team=True,
    min_members=2,
    route=ROUTE,
)
DASH = story_mission(
    "team-dash",
    {"kind": "route_km", "km": 8, "within_days": 2, "id": "megara", "title": "In Time"},
    team=True,
    route=ROUTE,
    failure={"title": "Too late", "text": "The gates have shut."},
)
RELAY = story_mission(
    "team-relay",
    {"kind": "relay", "km": 3, "id": "first-leg", "title": "First Leg"},
    {"kind": "relay", "km": 3, "id": "second-leg", "title": "Second Leg"},
    team=True,
)
SOLO = story_mission("solo-five", {"kind": "distance", "km": 5})
JOURNEY = story_mission("solo-road", {"kind": "route_km", "km": 8}, route=ROUTE)
CATALOG = catalog_of(ROAD, DASH, RELAY, SOLO, JOURNEY)
JOINED = ENROLLED - timedelta(days=1)
NOW = ENROLLED + timedelta(days=10)


@pytest.fixture(scope="module")
def parser() -> Iterator[pool.Parser]:
    parser = pool.Parser(1, 60.0)
    yield parser
    parser.close()


@pytest.fixture
def bob(session: Session) -> Runner:
    return accounts.add_runner(session, "bob", None)


@pytest.fixture
def club(session: Session, ann: Runner, bob: Runner) -> Club:
    """Runners of Megara: ann's club, which bob joined, with the road under way."""
    made = clubs.create(session, ann, "Runners of Megara", JOINED)
    clubs.join(session, bob, made.code, JOINED)
    session.commit()
    return made


def upload(
    session: Session,
    runner: Runner,
    km: float,
    days: float,
    parser: pool.Parser,
    **options: Any,
) -> runs.Recorded:
    """Store a run of `km` starting `days` after ENROLLED, as an upload does."""
    start = ENROLLED + timedelta(days=days)
    data = gpx_of(a_track(km, start, **options))
    name = f"{runner.name}-{km:g}km-day{days:g}.gpx"
    [recorded] = runs.record(session, runner, name, data, parser, CATALOG)
    return recorded


def start(session: Session, runner: Runner, club: Club, mission: str = "team-road") -> None:
    teams.enrol(session, CATALOG, runner, club.id, mission, ENROLLED)
    session.commit()


def seen(session: Session, runner: Runner, club: Club, mission: str = "team-road") -> Any:
    return teams.standing(session, CATALOG, runner, club.id, mission, NOW, writing=session)


def members(standing: teams.TeamStanding) -> dict[str, tuple[float, int, int]]:
    return {m.name: (round(m.km, 1), m.runs, m.chapters) for m in standing.members}


def test_a_club_enrols_and_the_chapter_at_km_0_unlocks_for_the_team(
    session: Session, ann: Runner, bob: Runner, club: Club
) -> None:
    start(session, bob, club)
    standing = seen(session, ann, club)
    assert standing.club == "Runners of Megara" and standing.title == "Team Road"
    assert standing.progress.unlocked == ("set-out",)
    assert [(c.beat, c.credited_to) for c in standing.chapters] == [("set-out", None)]
    assert members(standing) == {"ann": (0.0, 0, 0), "bob": (0.0, 0, 0)}


def test_only_a_member_starts_a_team_mission_and_only_a_journey_or_a_team_one(
    session: Session, ann: Runner, bob: Runner, club: Club
) -> None:
    eve = accounts.add_runner(session, "eve", None)
    with pytest.raises(NotFound):
        teams.enrol(session, CATALOG, eve, club.id, "team-road", ENROLLED)
    with pytest.raises(NotFound):
        teams.enrol(session, CATALOG, ann, club.id, "no-such-mission", ENROLLED)
    with pytest.raises(PlayError, match="a runner's own challenge"):
        teams.enrol(session, CATALOG, ann, club.id, "solo-five", ENROLLED)
    teams.enrol(session, CATALOG, ann, club.id, "solo-road", ENROLLED)  # any journey
    start(session, ann, club)
    with pytest.raises(Conflict, match="already running"):
        teams.enrol(session, CATALOG, bob, club.id, "team-road", ENROLLED)
    with pytest.raises(PlayError, match="team mission"):
        play.enrol(session, CATALOG, ann, "team-road", ENROLLED)
    for look in (
        lambda: teams.standing(session, CATALOG, eve, club.id, "team-road", NOW),
        lambda: teams.standings(session, CATALOG, eve, club.id, NOW),
        lambda: teams.week_board(session, eve, club.id, NOW),
        lambda: teams.activity(session, eve, club.id, catalog=CATALOG),
    ):
        with pytest.raises(NotFound):
            look()
    assert teams.standings_of(session, CATALOG, eve, NOW) == []


def test_a_team_needs_its_least_number_of_members(session: Session, ann: Runner) -> None:
    alone = clubs.create(session, ann, "Just Ann", JOINED)
    with pytest.raises(PlayError, match="at least 2"):
        teams.enrol(session, CATALOG, ann, alone.id, "team-road", ENROLLED)
    teams.enrol(session, CATALOG, ann, alone.id, "team-dash", ENROLLED)  # no least number


def test_the_member_whose_run_crosses_the_mark_is_credited_and_keeps_it_after_leaving(
    session: Session, ann: Runner, bob: Runner, club: Club, parser: pool.Parser
) -> None:
    start(session, ann, club)
    upload(session, ann, 5, 1, parser)
    upload(session, bob, 4, 2, parser)  # 9 km: bob's run crossed km 8
    standing = seen(session, ann, club)
    assert standing.progress.progress_km == pytest.approx(9, abs=0.05)
    assert [(c.beat, c.credited_to) for c in standing.chapters] == [
        ("set-out", None),
        ("megara", "bob"),
    ]
    megara = standing.progress.beats[1]
    assert megara.unlocked_by == "bob" and megara.run is None  # a name, never a run
    assert members(standing) == {"ann": (5.0, 1, 0), "bob": (4.0, 1, 1)}
    session.commit()
    clubs.leave(session, bob, club.id, NOW)
    session.commit()
    standing = seen(session, ann, club)
    assert [(c.beat, c.credited_to) for c in standing.chapters][1] == ("megara", "bob")
    assert members(standing)["bob"] == (4.0, 1, 1)
    assert [m.current for m in standing.members] == [True, False]
    with pytest.raises(NotFound):
        seen(session, bob, club)


def test_runs_before_the_team_enrolled_or_the_member_joined_do_not_count(
    session: Session, ann: Runner, bob: Runner, parser: pool.Parser
) -> None:
    made = clubs.create(session, ann, "Late Starters", JOINED)
    session.commit()
    upload(session, ann, 3, -0.5, parser)  # before the team enrolled (no grace for teams)
    start(session, ann, made, "team-dash")
    upload(session, ann, 2, 0.5, parser)
    upload(session, bob, 6, 0.6, parser)  # bob not a member yet
    clubs.join(session, bob, made.code, ENROLLED + timedelta(days=1))
    session.commit()
    upload(session, bob, 1.5, 0.8, parser)  # stored after joining, but run before
    upload(session, bob, 2.5, 1.2, parser)
    standing = seen(session, ann, made, "team-dash")
    assert members(standing) == {"ann": (2.0, 1, 0), "bob": (2.5, 1, 0)}
    assert session.scalar(select(func.count()).select_from(TeamRun)) == 2


def test_rides_and_repeats_do_not_count_and_a_re_marked_run_stops_counting(
    session: Session, ann: Runner, bob: Runner, club: Club, parser: pool.Parser
) -> None:
    start(session, ann, club)
    upload(session, ann, 5, 1, parser)
    repeat = upload(session, ann, 5, 1.0001, parser)  # the same outing from a second device
    assert repeat.run.overlaps_run_id is not None
    bobs = upload(session, bob, 4, 2, parser)
    assert seen(session, ann, club).progress.progress_km == pytest.approx(9, abs=0.05)
    session.execute(update(Run).where(Run.id == bobs.run.id).values(marked_sport="cycling"))
    session.commit()
    standing = seen(session, ann, club)
    assert members(standing)["bob"] == (0.0, 0, 1)  # the chapter bob earned stands
    assert standing.progress.progress_km == pytest.approx(5, abs=0.05)


def test_a_team_deadline_counts_from_the_teams_enrolment(
    session: Session, ann: Runner, bob: Runner, club: Club, parser: pool.Parser
) -> None:
    start(session, ann, club, "team-dash")
    upload(session, ann, 5, 1, parser)
    upload(session, bob, 4, 2.5, parser)  # crosses km 8, but the 2 days have passed
    standing = seen(session, ann, club, "team-dash")
    assert standing.progress.status == "failed"
    assert standing.progress.failure is not None


def test_a_relay_chapter_needs_a_leg_from_every_current_member(
    session: Session, ann: Runner, bob: Runner, club: Club, parser: pool.Parser
) -> None:
    start(session, ann, club, "team-relay")
    upload(session, ann, 4, 1, parser)
    upload(session, ann, 4, 2, parser)
    assert seen(session, ann, club, "team-relay").progress.unlocked == ()
    upload(session, bob, 3.2, 3, parser)
    standing = seen(session, bob, club, "team-relay")
    assert [(c.beat, c.credited_to) for c in standing.chapters] == [("first-leg", "bob")]
    assert standing.progress.beats[1].detail == "0 of 2 legs of 3 km run since the last chapter"


def test_views_judge_only_when_the_clubs_version_changed(
    session: Session,
    ann: Runner,
    bob: Runner,
    club: Club,
    parser: pool.Parser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    judged: list[int] = []
    real = team_judging.judge

    def counting(*args: Any, **kwargs: Any) -> Any:
        judged.append(args[3].id)
        return real(*args, **kwargs)

    monkeypatch.setattr(team_judging, "judge", counting)
    start(session, ann, club)
    upload(session, ann, 5, 1, parser)
    judged.clear()
    seen(session, ann, club)
    session.commit()
    assert len(judged) == 1  # the upload changed the version
    seen(session, bob, club)
    teams.standings(session, CATALOG, ann, club.id, NOW)
    teams.standings_of(session, CATALOG, bob, NOW)
    assert len(judged) == 1  # read as kept
    team_judging._MEMORY.clear()
    seen(session, ann, club)
    assert len(judged) == 1  # read from its row
    clubs.join(session, accounts.add_runner(session, "cy", None), club.code, NOW)
    session.commit()
    seen(session, ann, club)
    assert len(judged) == 2  # a member joined: judged again


def test_the_week_board_and_the_feed_tell_the_members_runs(
    session: Session, ann: Runner, bob: Runner, club: Club, parser: pool.Parser
) -> None:
    start(session, ann, club)
    upload(session, ann, 5, 1, parser)
    upload(session, bob, 4, 2, parser)
    seen(session, ann, club)
    session.commit()
    week = teams.week_board(session, ann, club.id, ENROLLED + timedelta(days=2))
    assert [(m.name, round(m.km, 1), m.runs, m.chapters) for m in week] == [
        ("ann", 5.0, 1, 0),
        ("bob", 4.0, 1, 1),
    ]
    later = teams.week_board(session, ann, club.id, ENROLLED + timedelta(days=14))
    assert [(m.name, m.km, m.runs) for m in later] == [("ann", 0.0, 0), ("bob", 0.0, 0)]
    feed = teams.activity(session, bob, club.id, catalog=CATALOG)
    assert [item.words for item in feed] == [
        "bob ran 4.0 km: the team reached Megara",
        "ann ran 5.0 km for Team Road",
    ]


def test_an_upload_tells_what_it_did_for_each_team(
    session: Session, ann: Runner, bob: Runner, club: Club, parser: pool.Parser
) -> None:
    start(session, ann, club)
    upload(session, ann, 5, 1, parser)
    bobs = upload(session, bob, 4, 2, parser)
    [credit] = teams.uploaded(session, CATALOG, bob, [bobs.run.id], NOW)
    session.commit()
    assert credit.club == "Runners of Megara" and credit.mission_id == "team-road"
    assert credit.counts and credit.km == pytest.approx(4, abs=0.05)
    assert credit.chapters == (("megara", "The Sacred Way"),)
    assert credit.words == (
        "+4.0 km for Runners of Megara on Team Road; ‘The Sacred Way’ unlocked for the team"
    )
    assert session.scalar(select(TeamUnlock.runner_id).where(TeamUnlock.beat == "megara")) == (
        bob.id
    )


def test_the_upload_answer_tells_the_team_missions_with_their_club(
    session: Session, ann: Runner, bob: Runner, club: Club, parser: pool.Parser
) -> None:
    start(session, ann, club)
    upload(session, ann, 5, 1, parser)
    bobs = upload(session, bob, 4, 2, parser)
    tally = imports.Tally()
    tally.runs.append(imports.Imported("bob.gpx", bobs))
    assert [credit.words for credit in bobs.teams] == [
        "+4.0 km for Runners of Megara on Team Road; ‘The Sacred Way’ unlocked for the team"
    ]
    answer = rewards.answer(tally, CATALOG)
    [reward] = answer.teams
    assert reward.club == "Runners of Megara" and reward.title == "Team Road"
    assert (
        reward.words
        == "+4.0 km for Runners of Megara on Team Road; chapter 2 unlocked for the team"
    )
    assert [chapter.title for chapter in reward.chapters] == ["The Sacred Way"]
    assert answer.chapters == 1 and answer.status == "1 run stored · 1 new chapter unlocked"


def test_two_members_racing_one_file_are_each_credited_once(engine: Engine) -> None:
    writers = db_engine.writers(engine)
    with writers() as session:
        ann, bob = (accounts.add_runner(session, name, None) for name in ("ann", "bob"))
        made = clubs.create(session, ann, "Racers", JOINED)
        clubs.join(session, bob, made.code, JOINED)
        teams.enrol(session, CATALOG, ann, made.id, "team-road", ENROLLED)
        session.commit()
        ids = [ann.id, bob.id]
    data = gpx_of(a_track(9, ENROLLED + timedelta(days=1)))
    racer = Rendezvous(2)
    try:
        race(
            *[
                lambda runner_id=runner_id: store(writers, runner_id, data, racer)
                for runner_id in ids
            ]
        )
        race(
            *[
                lambda runner_id=runner_id: store(writers, runner_id, data, racer)
                for runner_id in ids
            ]
        )
    finally:
        racer.close()
    with writers() as session:
        credited = session.execute(
            select(TeamRun.runner_id, func.count()).group_by(TeamRun.runner_id)
        )
        assert sorted(credited.all()) == sorted((runner_id, 1) for runner_id in ids)
        ann_row = session.get(Runner, ids[0])
        assert ann_row is not None
        standing = teams.standing(session, CATALOG, ann_row, made.id, "team-road", NOW)
        assert {m.name: m.runs for m in standing.members} == {"ann": 1, "bob": 1}
        assert standing.progress.progress_km == pytest.approx(18, abs=0.1)
        assert session.scalar(select(func.count()).select_from(TeamUnlock)) <= 3


class Rendezvous(pool.Parser):
    """A parser that holds each caller until both have read their file."""

    def __init__(self, parties: int) -> None:
        super().__init__(1, 30.0)
        self.barrier = threading.Barrier(parties, timeout=20)

    def describe(self, data: bytes, source: str) -> list[pool.Described]:
        described = super().describe(data, source)
        self.barrier.wait()
        return described


def store(writers: sessionmaker[Session], runner_id: int, data: bytes, parser: pool.Parser) -> None:
    with writers() as session:
        runner = session.get(Runner, runner_id)
        assert runner is not None
        runs.record(session, runner, "race.gpx", data, parser, CATALOG)


def race(*calls: Callable[[], None]) -> None:
    failures: list[BaseException] = []

    def go(call: Callable[[], None]) -> None:
        try:
            call()
        except BaseException as error:  # surfaced below
            failures.append(error)

    threads = [threading.Thread(target=go, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []

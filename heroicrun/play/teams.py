"""Team missions: a club runs a mission as one team, its members' counted runs summed.

A club may start a team mission (`team = true` in its file) or any journey. What counts for a
team: a current member's run that started once the team had enrolled and the member had joined,
credited when it is stored (`credit_run`, each run once per team) and counted by the rules a
runner's own missions use (on foot, not a repeat of an outing already counted), read from the
run as it stands whenever the team is judged. Chapters unlock for the whole team, credited to the
member whose run crossed the mark; they stay, with that member's name, when the member leaves.
Deadlines count from the team's enrolment.

Everything a member sees of another is a display name, counted km, a number of runs and the
chapters earned: never a run, its file or its id. Anyone not a current member of the club gets
NotFound, as for another runner's run.

Views read what is kept under the club's version (heroicrun.play.team_judging), so that a club
page reads a few rows, not the team's runs, while nothing has changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from heroicrun.db.schema import (
    Club,
    ClubMember,
    Run,
    Runner,
    TeamEnrolment,
    TeamRun,
    TeamUnlock,
)
from heroicrun.missions import catalog as bundled
from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import Mission, RouteKmGoal
from heroicrun.missions.progress import MissionProgress
from heroicrun.play import (
    Conflict,
    NotFound,
    PlayError,
    clubs,
    missions,
    snapshots,
    team_folds,
    team_judging,
)
from heroicrun.play.team_judging import Judged

ACTIVITY_SHOWN = 20
PLACE_KM = 0.05  # a chapter's km mark this close to a waypoint is that place


@dataclass(frozen=True)
class TeamMember:
    """What one member gave: counted km, counted runs, chapters credited to them."""

    name: str
    km: float
    runs: int
    chapters: int
    current: bool  # a member now (False: one who left, whose km still count)


@dataclass(frozen=True)
class TeamChapter:
    """A chapter the team unlocked, and the member whose run crossed the mark (None: unlocked
    on enrolment)."""

    beat: str
    title: str
    text: str
    credited_to: str | None
    unlocked_at: datetime  # UTC


@dataclass(frozen=True)
class TeamStanding:
    """A club's team mission as it stands: the usual progress (no run named but by its member),
    its chapters, and every member who is current or gave the team something (by km, most
    first)."""

    club_id: int
    club: str
    mission_id: str
    title: str
    enrolled_at: datetime  # UTC
    progress: MissionProgress
    chapters: list[TeamChapter]
    members: list[TeamMember]
    # The stretches of the route each member's runs took the team, in the order run.
    legs: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Activity:
    """A member's run as the club's feed tells it."""

    at: datetime  # when it was credited (UTC)
    member: str
    km: float  # counted km
    mission_id: str
    mission: str  # the mission's title
    reached: str | None  # a place the run took the team to, or a chapter it unlocked
    place: bool = False  # `reached` is a place on the route

    @property
    def words(self) -> str:
        """ "Ann ran 8.0 km: the team reached Megara"."""
        said = f"{self.member} ran {self.km:.1f} km"
        if self.reached is None:
            return f"{said} for {self.mission}"
        if self.place:
            return f"{said}: the team reached {self.reached}"
        return f"{said}: the team unlocked ‘{self.reached}’"


@dataclass(frozen=True)
class TeamCredit:
    """What one stored run did for one team of its runner: km are counted km."""

    run_id: int
    club_id: int
    club: str
    mission_id: str
    title: str
    counts: bool
    km: float  # the run's share (0 when it does not count)
    km_after: float | None  # journeys: where the team stands now
    chapters: tuple[tuple[str, str], ...]  # (beat id, title) the run unlocked for the team
    reason: str | None = None  # why it does not count, in a line

    @property
    def words(self) -> str:
        """ "+8.0 km for Runners of Megara on The 182 Heroes' Charge; ‘Roll Call’ unlocked for
        the team"."""
        said = f"+{self.km:.1f} km for {self.club} on {self.title}"
        if not self.counts:
            said = f"{self.title} ({self.club}): not counted, {self.reason}"
        if self.chapters:
            titles = " and ".join(f"‘{title}’" for _, title in self.chapters)
            said += f"; {titles} unlocked for the team"
        return said


# --- starting a team mission -------------------------------------------------------------------


def enrol(
    session: Session, catalog: Catalog, runner: Runner, club_id: int, mission_id: str, now: datetime
) -> TeamEnrolment:
    """The club in the mission as one team from `now` (flushed): a team mission or any journey,
    with members enough; Conflict while the club already runs it (it is never restarted under
    the other members' feet)."""
    club = clubs.member_club(session, runner, club_id)
    # One enrolment at a time: two members starting it at once take turns on the club's row.
    session.execute(select(Club.id).where(Club.id == club.id).with_for_update())
    mission = catalog.get(mission_id)
    if mission is None:
        raise NotFound(f"there is no mission {mission_id!r}")
    if not mission.team and mission.route is None:
        raise PlayError(
            f"{mission.title!r} is a runner's own challenge: a club can start a team mission"
            " or a journey"
        )
    members = session.scalar(
        select(func.count())
        .select_from(ClubMember)
        .where(ClubMember.club_id == club.id, ClubMember.left_at.is_(None))
    )
    needed = mission.min_members or 1
    if (members or 0) < needed:
        raise PlayError(
            f"{mission.title!r} needs a team of at least {needed}; {club.name} has"
            f" {members} member{'' if members == 1 else 's'}: share the invite code"
        )
    running = session.scalar(
        select(TeamEnrolment.id).where(
            TeamEnrolment.club_id == club.id,
            TeamEnrolment.mission_id == mission.id,
            TeamEnrolment.active.is_(True),
        )
    )
    if running is not None:
        raise Conflict(f"{club.name} is already running {mission.title!r}")
    team = TeamEnrolment(
        club_id=club.id, mission_id=mission.id, enrolled_at=missions.as_utc(now), active=True
    )
    session.add(team)
    session.flush()
    # A chapter at km 0 of the route unlocks on enrolment.
    _standing(session, catalog, club, team, mission, missions.as_utc(now), session)
    return team


# --- standings ---------------------------------------------------------------------------------


def standing(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    club_id: int,
    mission_id: str,
    now: datetime,
    writing: Session | None = None,
) -> TeamStanding:
    """Where the club's team stands in the mission at `now`; NotFound unless the runner is a
    current member and the club runs it. Given `writing`, what had to be judged is kept there
    (flushed, not committed)."""
    club = clubs.member_club(session, runner, club_id)
    mission = catalog.get(mission_id)
    team = None if mission is None else _active(session, club.id, mission.id)
    if mission is None or team is None:
        raise NotFound(f"{club.name} is not running a mission {mission_id!r}")
    return _standing(session, catalog, club, team, mission, missions.as_utc(now), writing)


def standings(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    club_id: int,
    now: datetime,
    writing: Session | None = None,
) -> list[TeamStanding]:
    """Every mission the club runs as a team, in catalog order; NotFound for a non-member."""
    club = clubs.member_club(session, runner, club_id)
    return _of_clubs(session, catalog, [club], missions.as_utc(now), writing)


def standings_of(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    now: datetime,
    writing: Session | None = None,
) -> list[TeamStanding]:
    """Every team mission of every club the runner is in, club by club."""
    mine = list(
        session.scalars(
            select(Club)
            .join(ClubMember, ClubMember.club_id == Club.id)
            .where(ClubMember.runner_id == runner.id, ClubMember.left_at.is_(None))
            .order_by(Club.id)
        )
    )
    return _of_clubs(session, catalog, mine, missions.as_utc(now), writing)


def contributions(standing: TeamStanding) -> list[tuple[str, float]]:
    """The stretches of the route each member's runs took the team, in the order run:
    (member, km), a member's runs in a row as one stretch."""
    return list(standing.legs)


def _of_clubs(
    session: Session,
    catalog: Catalog,
    running: Sequence[Club],
    now: datetime,
    writing: Session | None,
) -> list[TeamStanding]:
    if not running:
        return []
    order = {mission.id: at for at, mission in enumerate(catalog.missions)}
    teams = session.scalars(
        select(TeamEnrolment).where(
            TeamEnrolment.club_id.in_([club.id for club in running]),
            TeamEnrolment.active.is_(True),
        )
    ).all()
    by_club = {club.id: club for club in running}
    found = []
    for team in sorted(teams, key=lambda t: (t.club_id, order.get(t.mission_id, 0), t.id)):
        mission = catalog.get(team.mission_id)
        if mission is not None:
            club = by_club[team.club_id]
            found.append(_standing(session, catalog, club, team, mission, now, writing))
    return found


def _standing(
    session: Session,
    catalog: Catalog,
    club: Club,
    team: TeamEnrolment,
    mission: Mission,
    now: datetime,
    writing: Session | None,
) -> TeamStanding:
    """The team's standing as kept, else judged (and, given `writing`, written down)."""
    if writing is session:
        # Nothing changes the club's version but through its row (the triggers): held, the
        # version read after writing the chapters is exactly what was judged.
        session.execute(select(Club.id).where(Club.id == club.id).with_for_update())
    wanted = team_judging.key(mission, team, team_judging.club_version(session, club.id))
    judged = team_judging.kept(session, team.id, wanted, now)
    if judged is None:
        learned: missions.Learned = {}
        judged, fresh, fold = team_judging.judge(session, catalog, mission, team, now, learned)
        if writing is session and fold is not None:  # the club's row is held: no run
            team_folds.keep(session, team.id, fold.key, fold.fold, now)  # credited meanwhile
        if writing is None:
            team_judging.remember(session, team.id, wanted, judged)
        else:
            missions.remember(writing, learned)
            team_judging.write(writing, team.id, fresh, now)
            if not fresh:
                team_judging.keep(writing, team.id, wanted, judged)
            elif writing is session:
                # The chapters just written changed the club's version: kept under the new one.
                version = team_judging.club_version(session, club.id)
                kept_under = team_judging.key(mission, team, version)
                team_judging.keep(writing, team.id, kept_under, judged)
            else:  # kept once the chapters are read back, under the version they make
                team_judging.remember(session, team.id, wanted, judged)
    return _as_standing(club, team, mission, judged)


def _as_standing(club: Club, team: TeamEnrolment, mission: Mission, judged: Judged) -> TeamStanding:
    beats = {beat.id: beat for beat in mission.beats}
    chapters = [
        TeamChapter(
            credit.beat,
            beats[credit.beat].title,
            beats[credit.beat].text,
            credit.name,
            credit.unlocked_at,
        )
        for credit in judged.credits
        if credit.beat in beats
    ]
    return TeamStanding(
        club_id=club.id,
        club=club.name,
        mission_id=mission.id,
        title=mission.title,
        enrolled_at=missions.as_utc(team.enrolled_at),
        progress=judged.progress,
        chapters=chapters,
        members=[
            TeamMember(tally.name, tally.km, tally.runs, tally.chapters, tally.current)
            for tally in judged.members
        ],
        legs=judged.legs,
    )


# --- the club's week and its feed --------------------------------------------------------------


def week_board(session: Session, runner: Runner, club_id: int, now: datetime) -> list[TeamMember]:
    """This ISO week (Monday, UTC) in all the club's team missions together: each current member,
    and each who ran for it this week, with counted km, runs and chapters (km, most first)."""
    club = clubs.member_club(session, runner, club_id)
    moment = missions.as_utc(now)
    monday = datetime.combine(moment.date() - timedelta(days=moment.weekday()), datetime.min.time())
    start = monday.replace(tzinfo=UTC)
    version = team_judging.club_version(session, club.id)
    return _WEEKS.get(session, (club.id, version, start), lambda: _week(session, club.id, start))


_WEEKS: snapshots.Memo[list[TeamMember]] = snapshots.Memo()


def _week(session: Session, club_id: int, start: datetime) -> list[TeamMember]:
    end = start + timedelta(days=7)
    ours = select(TeamEnrolment.id).where(TeamEnrolment.club_id == club_id)
    rows = session.execute(
        select(TeamRun.runner_id, Run.id, Run.counted_distance_m)
        .join(Run, Run.id == TeamRun.run_id)
        .where(
            TeamRun.team_enrolment_id.in_(ours),
            Run.start_time >= start,
            Run.start_time < end,
            Run.overlaps_run_id.is_(None),
            missions.on_foot(),
        )
        .distinct()
    ).all()
    km: dict[int, float] = {}
    runs: dict[int, int] = {}
    for runner_id, _, counted_m in rows:
        km[runner_id] = km.get(runner_id, 0.0) + (counted_m or 0.0) / 1000.0
        runs[runner_id] = runs.get(runner_id, 0) + 1
    chapters: dict[int, int] = {}
    for (credited,) in session.execute(
        select(TeamUnlock.runner_id).where(
            TeamUnlock.team_enrolment_id.in_(ours),
            TeamUnlock.runner_id.is_not(None),
            TeamUnlock.unlocked_at >= start,
            TeamUnlock.unlocked_at < end,
        )
    ):
        if credited is not None:
            chapters[credited] = chapters.get(credited, 0) + 1
    people = {
        runner_id: (name, left_at is None)
        for runner_id, name, left_at in session.execute(
            select(ClubMember.runner_id, Runner.name, ClubMember.left_at)
            .join(Runner, Runner.id == ClubMember.runner_id)
            .where(ClubMember.club_id == club_id)
        )
    }
    shown = {runner_id for runner_id, (_, current) in people.items() if current}
    shown |= set(km) | set(chapters)
    board = [
        TeamMember(
            people.get(runner_id, ("a former member", False))[0],
            km.get(runner_id, 0.0),
            runs.get(runner_id, 0),
            chapters.get(runner_id, 0),
            people.get(runner_id, ("", False))[1],
        )
        for runner_id in shown
    ]
    board.sort(key=lambda member: (-member.km, -member.chapters, member.name))
    return board


def activity(
    session: Session,
    runner: Runner,
    club_id: int,
    limit: int = ACTIVITY_SHOWN,
    catalog: Catalog | None = None,
) -> list[Activity]:
    """The club's latest counted runs in its team missions, newest first: who ran how far, and
    where it took the team ("Ann ran 8.0 km: the team reached Megara")."""
    club = clubs.member_club(session, runner, club_id)
    version = team_judging.club_version(session, club.id)
    return _FEEDS.get(
        session,
        (club.id, version, limit, id(catalog)),
        lambda: _feed(session, club.id, limit, catalog or bundled.bundled()),
    )


_FEEDS: snapshots.Memo[list[Activity]] = snapshots.Memo()


def _feed(session: Session, club_id: int, limit: int, catalog: Catalog) -> list[Activity]:
    rows = session.execute(
        select(
            TeamRun.team_enrolment_id,
            TeamRun.run_id,
            TeamRun.credited_at,
            Runner.name,
            Run.counted_distance_m,
            TeamEnrolment.mission_id,
        )
        .join(TeamEnrolment, TeamEnrolment.id == TeamRun.team_enrolment_id)
        .join(Run, Run.id == TeamRun.run_id)
        .join(Runner, Runner.id == TeamRun.runner_id)
        .where(
            TeamEnrolment.club_id == club_id,
            Run.overlaps_run_id.is_(None),
            Run.start_time.is_not(None),
            missions.on_foot(),
        )
        .order_by(TeamRun.credited_at.desc(), TeamRun.run_id.desc())
        .limit(limit)
    ).all()
    unlocked: dict[tuple[int, int | None], list[str]] = {}
    if rows:
        for team_id, run_id, beat in session.execute(
            select(TeamUnlock.team_enrolment_id, TeamUnlock.run_id, TeamUnlock.beat).where(
                TeamUnlock.run_id.in_(sorted({row[1] for row in rows}))
            )
        ):
            unlocked.setdefault((team_id, run_id), []).append(beat)
    feed = []
    for team_id, run_id, credited_at, name, counted_m, mission_id in rows:
        mission = catalog.get(mission_id)
        reached, place = _reached(mission, unlocked.get((team_id, run_id), []))
        feed.append(
            Activity(
                at=missions.as_utc(credited_at),
                member=name,
                km=(counted_m or 0.0) / 1000.0,
                mission_id=mission_id,
                mission=mission_id if mission is None else mission.title,
                reached=reached,
                place=place,
            )
        )
    return feed


def _reached(mission: Mission | None, beats: list[str]) -> tuple[str | None, bool]:
    """The last place a run's chapters name on the route, else the last chapter's title."""
    if mission is None or not beats:
        return None, False
    chosen = [beat for beat in mission.beats if beat.id in beats]
    if not chosen:
        return None, False
    last = chosen[-1]
    goal = last.goal
    if isinstance(goal, RouteKmGoal) and mission.route is not None and goal.km > 0:
        at = [point for point in mission.route.waypoints if abs(point.km - goal.km) < PLACE_KM]
        if at:
            return at[0].short_name, True
    return last.title, False


# --- crediting runs ----------------------------------------------------------------------------


def credit_run(session: Session, run_id: int) -> list[int]:
    """Credit a run just stored to each team it counts for (flushed): every active team of every
    club its runner is a current member of, that had enrolled, with the runner a member, when
    the run started. Each run once per team, however often it is sent. The teams' ids."""
    row = session.execute(select(Run.runner_id, Run.start_time).where(Run.id == run_id)).first()
    if row is None or row.start_time is None:
        return []
    runner_id, start = row.runner_id, missions.as_utc(row.start_time)
    found = session.execute(
        select(
            TeamEnrolment.id, TeamEnrolment.club_id, TeamEnrolment.enrolled_at, ClubMember.joined_at
        )
        .join(ClubMember, ClubMember.club_id == TeamEnrolment.club_id)
        .where(
            ClubMember.runner_id == runner_id,
            ClubMember.left_at.is_(None),
            TeamEnrolment.active.is_(True),
        )
        .order_by(TeamEnrolment.id)
    ).all()
    teams = [
        (team_id, club_id)
        for team_id, club_id, enrolled_at, joined_at in found
        if start >= missions.as_utc(enrolled_at) and start >= missions.as_utc(joined_at)
    ]
    if not teams:
        return []
    # The clubs' rows in one order, so that members' uploads take turns instead of deadlocking.
    session.execute(
        select(Club.id)
        .where(Club.id.in_(sorted({club_id for _, club_id in teams})))
        .order_by(Club.id)
        .with_for_update()
    )
    now = datetime.now(UTC)
    values = [
        {"team_enrolment_id": team_id, "run_id": run_id, "runner_id": runner_id, "credited_at": now}
        for team_id, _ in teams
    ]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql.insert(TeamRun).on_conflict_do_nothing(), values)
    else:
        session.execute(sqlite.insert(TeamRun).on_conflict_do_nothing(), values)
    return [team_id for team_id, _ in teams]


def uploaded(
    session: Session, catalog: Catalog, runner: Runner, run_ids: Sequence[int], now: datetime
) -> list[TeamCredit]:
    """What the runner's runs just stored did for their teams, run by run: each team judged
    again (its chapters written down in `session`, flushed) and the runs' share told."""
    if not run_ids:
        return []
    rows = session.execute(
        select(TeamRun.run_id, TeamRun.team_enrolment_id)
        .where(TeamRun.run_id.in_(sorted(set(run_ids))), TeamRun.runner_id == runner.id)
        .order_by(TeamRun.team_enrolment_id, TeamRun.run_id)
    ).all()
    if not rows:
        return []
    team_ids = sorted({team_id for _, team_id in rows})
    teams = {
        team.id: team
        for team in session.scalars(select(TeamEnrolment).where(TeamEnrolment.id.in_(team_ids)))
    }
    by_club = {
        club.id: club
        for club in session.scalars(
            select(Club).where(Club.id.in_({t.club_id for t in teams.values()}))
        )
    }
    moment = missions.as_utc(now)
    standings: dict[int, TeamStanding] = {}
    for team_id in team_ids:
        team = teams[team_id]
        mission = catalog.get(team.mission_id)
        if mission is not None:
            club = by_club[team.club_id]
            standings[team_id] = _standing(session, catalog, club, team, mission, moment, session)
    facts = {
        run_id: (overlaps, missions.facts_of(*rest))
        for run_id, overlaps, *rest in session.execute(
            select(Run.id, Run.overlaps_run_id, *missions.FACT_COLUMNS).where(
                Run.id.in_(sorted(set(run_ids)))
            )
        )
    }
    chapters: dict[tuple[int, int | None], list[str]] = {}
    for team_id, run_id, beat in session.execute(
        select(TeamUnlock.team_enrolment_id, TeamUnlock.run_id, TeamUnlock.beat).where(
            TeamUnlock.run_id.in_(sorted(set(run_ids))), TeamUnlock.team_enrolment_id.in_(team_ids)
        )
    ):
        chapters.setdefault((team_id, run_id), []).append(beat)
    found = []
    for run_id, team_id in rows:
        standing = standings.get(team_id)
        if standing is None:
            continue
        mission = catalog.get(standing.mission_id)
        assert mission is not None
        overlaps, run_facts = facts[run_id]
        reason = (
            "the same outing as a run already counted"
            if overlaps is not None
            else run_facts.not_counted(standing.enrolled_at)
        )
        beats = chapters.get((team_id, run_id), [])
        found.append(
            TeamCredit(
                run_id=run_id,
                club_id=standing.club_id,
                club=standing.club,
                mission_id=standing.mission_id,
                title=standing.title,
                counts=reason is None,
                km=run_facts.counted_km if reason is None else 0.0,
                km_after=standing.progress.progress_km,
                chapters=tuple((beat.id, beat.title) for beat in mission.beats if beat.id in beats),
                reason=reason,
            )
        )
    return found


def described(catalog: Catalog, standing: TeamStanding) -> dict[str, Any]:
    """A team's standing as the API answers it and `heroicrun progress --json` prints it: the
    fields of a runner's progress (heroicrun.missions.describe.progress), the club, the
    chapters with who earned each, and the members."""
    from heroicrun.missions import describe

    mission = catalog.get(standing.mission_id)
    assert mission is not None  # standings are made of the catalog's missions
    found = describe.progress(mission, standing.progress)
    found["enrolled_at"] = standing.enrolled_at
    found["story"] = [
        {"beat": chapter.beat, "title": chapter.title, "text": chapter.text}
        for chapter in standing.chapters
    ]
    found["team"] = {"club_id": standing.club_id, "club": standing.club}
    found["chapters"] = [
        {
            "beat": chapter.beat,
            "title": chapter.title,
            "credited_to": chapter.credited_to,
            "unlocked_at": chapter.unlocked_at,
        }
        for chapter in standing.chapters
    ]
    found["members"] = [
        {
            "name": member.name,
            "km": member.km,
            "runs": member.runs,
            "chapters": member.chapters,
            "current": member.current,
        }
        for member in standing.members
    ]
    return found


def missions_of_clubs(session: Session, catalog: Catalog, runner: Runner) -> dict[int, list[str]]:
    """The titles of the missions each of the runner's clubs runs as a team, by club id: what
    a list of clubs names, read in one query, no team judged."""
    running: dict[int, set[str]] = {}
    for club_id, mission_id in session.execute(
        select(TeamEnrolment.club_id, TeamEnrolment.mission_id)
        .join(ClubMember, ClubMember.club_id == TeamEnrolment.club_id)
        .where(
            ClubMember.runner_id == runner.id,
            ClubMember.left_at.is_(None),
            TeamEnrolment.active.is_(True),
        )
    ):
        running.setdefault(club_id, set()).add(mission_id)
    return {  # in the catalog's order, as a club's standings come
        club_id: [mission.title for mission in catalog.missions if mission.id in ids]
        for club_id, ids in sorted(running.items())
    }


def in_a_team(session: Session, runner: Runner) -> bool:
    """Whether one of the runner's clubs runs a mission as a team now: their runs count for it."""
    found = session.scalar(
        select(TeamEnrolment.id)
        .join(ClubMember, ClubMember.club_id == TeamEnrolment.club_id)
        .where(
            ClubMember.runner_id == runner.id,
            ClubMember.left_at.is_(None),
            TeamEnrolment.active.is_(True),
        )
        .limit(1)
    )
    return found is not None


def credits_of_run(
    session: Session, catalog: Catalog, runner: Runner, run_id: int
) -> list[TeamCredit]:
    """What one of the runner's stored runs did for their teams, read from what was credited
    and written down (no team judged): its km where it counts, the chapters it unlocked."""
    rows = session.execute(
        select(TeamEnrolment, Club.name)
        .join(TeamRun, TeamRun.team_enrolment_id == TeamEnrolment.id)
        .join(Club, Club.id == TeamEnrolment.club_id)
        .where(TeamRun.run_id == run_id, TeamRun.runner_id == runner.id)
        .order_by(TeamEnrolment.id)
    ).all()
    if not rows:
        return []
    run = session.execute(
        select(Run.overlaps_run_id, *missions.FACT_COLUMNS).where(Run.id == run_id)
    ).first()
    if run is None:
        return []
    overlaps, run_facts = run[0], missions.facts_of(*run[1:])
    unlocked: dict[int, set[str]] = {}
    for team_id, beat in session.execute(
        select(TeamUnlock.team_enrolment_id, TeamUnlock.beat).where(TeamUnlock.run_id == run_id)
    ):
        unlocked.setdefault(team_id, set()).add(beat)
    found = []
    for team, club in rows:
        mission = catalog.get(team.mission_id)
        if mission is None:
            continue
        reason = (
            "the same outing as a run already counted"
            if overlaps is not None
            else run_facts.not_counted(missions.as_utc(team.enrolled_at))
        )
        beats = unlocked.get(team.id, set())
        found.append(
            TeamCredit(
                run_id=run_id,
                club_id=team.club_id,
                club=club,
                mission_id=mission.id,
                title=mission.title,
                counts=reason is None,
                km=run_facts.counted_km if reason is None else 0.0,
                km_after=None,
                chapters=tuple((beat.id, beat.title) for beat in mission.beats if beat.id in beats),
                reason=reason,
            )
        )
    return found


def _active(session: Session, club_id: int, mission_id: str) -> TeamEnrolment | None:
    return session.scalars(
        select(TeamEnrolment)
        .where(
            TeamEnrolment.club_id == club_id,
            TeamEnrolment.mission_id == mission_id,
            TeamEnrolment.active.is_(True),
        )
        .order_by(TeamEnrolment.id.desc())
        .limit(1)
    ).first()

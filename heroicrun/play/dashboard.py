"""A runner's dashboard: missions under way, lifetime totals, latest runs, missions to start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heroicrun.db.schema import Enrolment, Run, Runner
from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import Mission
from heroicrun.missions.progress import MissionProgress, MissionStatus
from heroicrun.play.missions import (
    Learned,
    as_utc,
    enrolled_at,
    enrolled_missions,
    evaluate_enrolled,
    on_foot,
)
from heroicrun.summary import RunSummary

LATEST_RUNS = 5


@dataclass(frozen=True)
class ActiveMission:
    """A mission the runner is in, as the dashboard shows it; km are counted km."""

    id: str
    title: str
    kind: str  # "journey" or "challenge"
    status: MissionStatus
    enrolled_at: datetime
    beats: int  # how many beats the mission has
    unlocked: tuple[str, ...]  # ids of the unlocked beats
    progress_km: float | None
    route_km: float | None
    next_beat: str | None  # the title of the beat to earn next
    next_detail: str | None  # how close it is: "km 31.2 of 42.5 (Megara), 12 days left"
    deadline_at: datetime | None  # when the next beat's deadline in days runs out
    days_left: float | None


@dataclass(frozen=True)
class Totals:
    """Everything the runner has run: timed runs only, vehicle stretches left out."""

    runs: int
    counted_distance_m: float
    moving_s: float


@dataclass(frozen=True)
class RecentRun:
    """One of the latest runs."""

    id: int
    file: str
    kind: str
    start_time: datetime | None
    distance_m: float
    moving_s: float | None
    pace_s_per_km: float | None


@dataclass(frozen=True)
class Unstarted:
    """A mission the runner is not in yet."""

    id: str
    title: str
    kind: str
    level: str
    summary: str  # the summary's first sentence


@dataclass(frozen=True)
class Dashboard:
    """The runner's page at a glance."""

    runner: str
    missions: tuple[ActiveMission, ...]
    totals: Totals
    latest_runs: tuple[RecentRun, ...]
    not_started: tuple[Unstarted, ...]


def dashboard(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    now: datetime,
    learned: Learned | None = None,
) -> Dashboard:
    """Active missions with progress, lifetime totals, the latest runs, missions to start."""
    now = as_utc(now)
    pairs = enrolled_missions(session, catalog, runner)
    earned = evaluate_enrolled(session, catalog, runner, pairs, now, learned)
    active = tuple(
        _active_mission(mission, enrolment, found, now)
        for (mission, enrolment), found in zip(pairs, earned, strict=True)
    )
    # An outing recorded twice (watch and phone) adds to the totals once; a ride not at all.
    timed = (
        (Run.runner_id == runner.id)
        & Run.start_time.is_not(None)
        & Run.overlaps_run_id.is_(None)
        & on_foot()
    )
    count, distance_m, moving_s = session.execute(
        select(
            func.count(Run.id),
            func.coalesce(func.sum(Run.counted_distance_m), 0.0),
            func.coalesce(func.sum(Run.moving_s), 0.0),
        ).where(timed)
    ).one()
    latest = session.execute(
        select(Run.id, Run.file_name, Run.kind, Run.start_time, Run.distance_m, Run.moving_s)
        .add_columns(Run.summary_json)
        .where(Run.runner_id == runner.id)
        .order_by(Run.start_time.desc().nulls_last(), Run.id.desc())
        .limit(LATEST_RUNS)
    ).all()
    enrolled = {mission.id for mission, _ in pairs}
    return Dashboard(
        runner=runner.name,
        missions=active,
        totals=Totals(int(count or 0), float(distance_m or 0.0), float(moving_s or 0.0)),
        latest_runs=tuple(
            RecentRun(
                id=row.id,
                file=row.file_name,
                kind=row.kind,
                start_time=None if row.start_time is None else as_utc(row.start_time),
                distance_m=row.distance_m,
                moving_s=row.moving_s,
                pace_s_per_km=RunSummary.model_validate_json(row.summary_json).pace_s_per_km,
            )
            for row in latest
        ),
        not_started=tuple(
            Unstarted(m.id, m.title, m.kind, m.level, first_sentence(m.summary))
            for m in catalog.missions
            if m.id not in enrolled
        ),
    )


def first_sentence(text: str) -> str:
    """The first sentence of a summary, for a one-line listing."""
    for end, char in enumerate(text):
        if char in ".!?" and (end + 1 == len(text) or text[end + 1] == " "):
            return text[: end + 1]
    return text


def _active_mission(
    mission: Mission, enrolment: Enrolment, earned: MissionProgress, now: datetime
) -> ActiveMission:
    upcoming = next(
        (
            (source, beat)
            for source, beat in zip(mission.beats, earned.beats, strict=True)
            if not beat.met
        ),
        None,
    )
    deadline_at = days_left = None
    if upcoming is not None:
        within_days = getattr(upcoming[0].goal, "within_days", None)
        if within_days is not None:
            deadline_at = enrolled_at(enrolment) + timedelta(days=within_days)
            days_left = round(max((deadline_at - now).total_seconds(), 0.0) / 86400, 1)
    return ActiveMission(
        id=mission.id,
        title=mission.title,
        kind=mission.kind,
        status=earned.status,
        enrolled_at=enrolled_at(enrolment),
        beats=len(mission.beats),
        unlocked=earned.unlocked,
        progress_km=None if earned.progress_km is None else round(earned.progress_km, 3),
        route_km=None if mission.route is None else mission.route.length_km,
        next_beat=None if upcoming is None else upcoming[1].title,
        next_detail=None if upcoming is None else upcoming[1].detail,
        deadline_at=deadline_at,
        days_left=days_left,
    )

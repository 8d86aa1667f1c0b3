"""Pages for missions: the dashboard at /, a mission's story and map, and the runs list.

Progress comes from the play layer, as the API's does, and verdicts it had to judge afresh are
kept the same way. Numbers are formatted here, so templates only lay them out; everything from a
file or a mission reaches the page through Jinja's autoescaping.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from heroicrun.db.schema import Run, Runner
from heroicrun.missions import describe, routes
from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import Beat, Level, Mission, RouteKmGoal, RunsGoal, StreakGoal
from heroicrun.missions.progress import BeatProgress, MissionProgress
from heroicrun.play import NotFound
from heroicrun.play import dashboard as dashboards
from heroicrun.play import missions as play
from heroicrun.play import runs as play_runs
from heroicrun.server import pages
from heroicrun.server.deps import PageRunner, ReadSession, WriteSession
from heroicrun.server.pages import account as account_pages
from heroicrun.server.pages import route_maps

router = APIRouter(include_in_schema=False)

RUNS_PER_PAGE = 25
LEVELS: tuple[str, ...] = get_args(Level)  # "first steps" to "epic"


def _now() -> datetime:
    return datetime.now(UTC)


def _catalog(request: Request) -> Catalog:
    found: Catalog = request.app.state.catalog
    return found


# --- the dashboard -------------------------------------------------------------------------


@router.get("/")
def dashboard_page(
    request: Request, runner: PageRunner, session: ReadSession, writing: WriteSession
) -> Response:
    """Missions under way with their progress, lifetime totals, latest runs, missions to start."""
    welcome = account_pages.first_run_redirect(request, session)
    if welcome is not None:  # an empty server: the first visitor creates a runner
        return welcome
    if runner is None:
        return pages.to_sign_in(request)
    catalog = _catalog(request)
    learned: play.Learned = {}
    board = dashboards.dashboard(session, catalog, runner, _now(), learned)
    play.remember(writing, learned)
    # Easy ones first: a new runner should not have to scroll past the epics.
    to_start = sorted(board.not_started, key=lambda m: (LEVELS.index(m.level), m.title))
    lengths = {mission.id: mission.route.length_km for mission in catalog.missions if mission.route}
    return _render(
        request,
        "dashboard.html",
        active="dashboard",
        board=board,
        to_start=to_start,
        route_km=lengths,
    )


@router.post("/missions/{mission_id}/enrol")
def enrol_page(
    request: Request,
    mission_id: str,
    runner: PageRunner,
    writing: WriteSession,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Enrol (or start again) from a page's button, then show the mission."""
    if runner is None:
        return pages.to_sign_in(request)
    catalog = _catalog(request)
    if catalog.get(mission_id) is None:
        return _no_mission(request, mission_id)
    if not account_pages.csrf_ok(request, csrf):  # a stale page, or another site's form
        return RedirectResponse(f"/missions/{mission_id}?form=expired", status_code=303)
    play.enrol(writing, catalog, runner, mission_id, _now())
    return RedirectResponse(f"/missions/{mission_id}", status_code=303)


# --- a mission -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BeatView:
    """One chapter as the mission page shows it; `paragraphs` only once it is unlocked."""

    number: int
    title: str
    goal: str  # the goal in words
    status: str  # "unlocked", "next", "locked" or "failed"
    detail: str  # how close: "km 5.9 of 9.0 (Nea Makri)"
    so_far: str  # what the detail is: "So far" or "Best attempt so far"
    paragraphs: tuple[str, ...]
    unlocked_by: str | None
    unlocked_at: datetime | None


@dataclass(frozen=True)
class Place:
    """A named place on a journey's route, and whether the runner has passed it."""

    name: str
    km: float
    reached: bool


@dataclass(frozen=True)
class JourneyView:
    """A journey's map and where the runner is on it (km by the route's marks)."""

    svg: Markup
    places: tuple[Place, ...]


@router.get("/missions/{mission_id}")
def mission_page(
    request: Request,
    mission_id: str,
    runner: PageRunner,
    session: ReadSession,
    writing: WriteSession,
) -> Response:
    """The story so far, the next goal and how close it is; for journeys, the map."""
    if runner is None:
        return pages.to_sign_in(request)
    catalog = _catalog(request)
    mission = catalog.get(mission_id)
    if mission is None:
        return _no_mission(request, mission_id)
    try:
        play.active_enrolment(session, catalog, runner, mission_id)
    except NotFound:
        beats = [_beat(n, source, None) for n, source in enumerate(mission.beats, start=1)]
        journey = _journey(mission, catalog, None)
        return _render(request, "mission.html", mission=mission, beats=beats, journey=journey)
    learned: play.Learned = {}
    mission, earned = play.progress(session, catalog, runner, mission_id, _now(), learned)
    play.remember(writing, learned)
    beats = [
        _beat(n, source, shown)
        for n, (source, shown) in enumerate(zip(mission.beats, earned.beats, strict=True), 1)
    ]
    return _render(
        request,
        "mission.html",
        mission=mission,
        earned=earned,
        beats=beats,
        next_beat=next((beat for beat in beats if beat.status in ("next", "failed")), None),
        journey=_journey(mission, catalog, earned),
    )


def _no_mission(request: Request, mission_id: str) -> Response:
    return _render(request, "mission.html", status_code=404, mission=None, mission_id=mission_id)


def _beat(number: int, source: Beat, shown: BeatProgress | None) -> BeatView:
    """A beat of the mission file with, when enrolled, its progress."""
    journey_goal = isinstance(source.goal, RouteKmGoal | RunsGoal | StreakGoal)
    status = "locked" if shown is None else shown.status
    return BeatView(
        number=number,
        title=source.title,
        goal=describe.goal_words(source.goal),
        status=status,
        detail="" if shown is None else shown.detail,
        so_far="So far" if journey_goal else "Best attempt so far",
        paragraphs=paragraphs(source.text) if status == "unlocked" else (),
        unlocked_by=None if shown is None else shown.unlocked_by,
        unlocked_at=None if shown is None else shown.unlocked_at,
    )


def paragraphs(text: str) -> tuple[str, ...]:
    """A story text's paragraphs (split at blank lines, lines within one joined)."""
    return tuple(
        " ".join(part.split()) for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()
    )


def _journey(
    mission: Mission, catalog: Catalog, earned: MissionProgress | None
) -> JourneyView | None:
    if mission.route is None:
        return None
    line = routes.build(mission.route, catalog.directory)
    at_km = None if earned is None or earned.position is None else earned.position.km
    places = tuple(
        Place(point.name, point.km, at_km is not None and point.km <= at_km)
        for point in mission.route.waypoints
    )
    return JourneyView(route_maps.route_map(mission.title, line, at_km), places)


# --- the runs list -------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRow:
    """One run in the list."""

    id: int
    start: datetime | None
    title: str  # the name inside the file, else the file's name
    file: str
    kind: str
    distance_m: float
    moving_s: float | None
    pace_s_per_km: float | None


@dataclass(frozen=True)
class Period:
    """A week (from Monday, UTC) or a calendar month of running: counted km, moving time."""

    start: date
    runs: int
    distance_m: float
    moving_s: float


@router.get("/runs")
def runs_page(
    request: Request, runner: PageRunner, session: ReadSession, page: str = "1"
) -> Response:
    """The runner's runs, newest first, a page at a time, with totals per week and month."""
    if runner is None:
        return pages.to_sign_in(request)
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    found = play_runs.list_runs(session, runner, RUNS_PER_PAGE, (number - 1) * RUNS_PER_PAGE)
    rows = [_row(run) for run in found.runs]
    weeks, months = period_totals(session, runner, [row.start for row in rows if row.start])
    return _render(
        request,
        "runs.html",
        active="runs",
        rows=rows,
        total=found.total,
        page=number,
        pages=max(1, math.ceil(found.total / RUNS_PER_PAGE)),
        weeks=weeks,
        months=months,
    )


def _row(run: play_runs.StoredRun) -> RunRow:
    summary = run.summary
    start = summary.get("start_time")
    return RunRow(
        id=run.id,
        start=None if start is None else play.as_utc(datetime.fromisoformat(start)),
        title=summary.get("name") or run.file_name,
        file=run.file_name,
        kind=summary.get("kind", "run"),
        distance_m=summary.get("distance_m") or 0.0,
        moving_s=summary.get("moving_s"),
        pace_s_per_km=summary.get("pace_s_per_km"),
    )


def period_totals(
    session: Session, runner: Runner, starts: Sequence[datetime]
) -> tuple[list[Period], list[Period]]:
    """Totals of the weeks and the months the given run starts span, newest first.

    Whole weeks and months, with runs on other pages too; one query over their stored columns.
    """
    if not starts:
        return [], []
    oldest, newest = min(starts).date(), max(starts).date()
    first_week, last_week = _monday(oldest), _monday(newest)
    first_month, last_month = oldest.replace(day=1), newest.replace(day=1)
    since = min(first_week, first_month)
    until = max(last_week + timedelta(days=7), _next_month(last_month))
    rows = session.execute(
        select(Run.start_time, Run.counted_distance_m, Run.moving_s).where(
            Run.runner_id == runner.id,
            Run.start_time >= datetime.combine(since, datetime.min.time(), UTC),
            Run.start_time < datetime.combine(until, datetime.min.time(), UTC),
        )
    ).all()
    weeks: dict[date, list[float]] = {}
    months: dict[date, list[float]] = {}
    for start, distance_m, moving_s in rows:
        if start is None:
            continue
        started = play.as_utc(start).date()
        for key, bucket, low, high in (
            (_monday(started), weeks, first_week, last_week),
            (started.replace(day=1), months, first_month, last_month),
        ):
            if low <= key <= high:
                total = bucket.setdefault(key, [0, 0.0, 0.0])
                total[0] += 1
                total[1] += distance_m or 0.0
                total[2] += moving_s or 0.0

    def listed(bucket: dict[date, list[float]]) -> list[Period]:
        return [
            Period(key, int(runs), distance_m, moving_s)
            for key, (runs, distance_m, moving_s) in sorted(bucket.items(), reverse=True)
        ]

    return listed(weeks), listed(months)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


# --- numbers as runners read them (with the filters of heroicrun.server.pages.formats) ------


def hours(seconds: float | None) -> str:
    """A long duration: "312 h 05 min", "42 min"."""
    whole_minutes = round((seconds or 0.0) / 60)
    hour, minute = divmod(whole_minutes, 60)
    return f"{hour:,} h {minute:02d} min" if hour else f"{minute} min"


def day(moment: datetime | date | None) -> str:
    """A day as people write it: "Sat 26 Sep 2026"."""
    return "–" if moment is None else f"{moment:%a} {moment.day} {moment:%b %Y}"


def percent(part: float | None, whole: float | None) -> float:
    """How full a bar is, 0 to 100."""
    if not part or not whole:
        return 0.0
    return round(min(max(100.0 * part / whole, 0.0), 100.0), 1)


HELPERS = {"hours": hours, "day": day, "percent": percent, "paragraphs": paragraphs}


def _render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    expired = request.query_params.get("form") == "expired"
    notice = account_pages.FORM_EXPIRED if expired else None
    return pages.render(request, template, status_code, notice=notice, **HELPERS, **context)

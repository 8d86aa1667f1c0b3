"""Pages for missions: the dashboard at /, and a mission's story and map.

Progress comes from the play layer, as the API's does, and verdicts it had to judge afresh are
kept the same way. Numbers are formatted here, so templates only lay them out; everything from a
file or a mission reaches the page through Jinja's autoescaping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from heroicrun.missions import describe, lengths, routes
from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import Beat, Mission, RouteKmGoal, RunsGoal, StreakGoal
from heroicrun.missions.progress import BeatProgress, MissionProgress
from heroicrun.play import NotFound, habits, races, snapshots
from heroicrun.play import dashboard as dashboards
from heroicrun.play import missions as play
from heroicrun.server import csrf
from heroicrun.server.deps import MaybeRunner, PageRunner, ReadSession, WriteSession
from heroicrun.server.pages import account as account_pages
from heroicrun.server.pages import formats, render, route_maps, to_sign_in
from heroicrun.server.pages import postcards as postcard_pages

router = APIRouter(include_in_schema=False)


def _now() -> datetime:
    return datetime.now(UTC)


def _catalog(request: Request) -> Catalog:
    found: Catalog = request.app.state.catalog
    return found


# --- the dashboard -------------------------------------------------------------------------


@router.get("/")
def dashboard_page(
    request: Request, runner: MaybeRunner, session: ReadSession, writing: WriteSession
) -> Response:
    """Missions under way, the closest chapter first; missions to start (a first visit: how the
    game works and a suggested first mission); missions won and lost; totals and latest runs."""
    welcome = account_pages.first_run_redirect(session)
    if welcome is not None:  # an empty server: the first visitor creates a runner
        return welcome
    if runner is None:
        return to_sign_in(request)
    catalog = _catalog(request)
    learned: play.Learned = {}
    board = dashboards.dashboard(session, catalog, runner, _now(), learned, writing)
    play.remember(writing, learned)
    suggested = next((m for m in board.not_started if m.id == board.suggested), None)
    return _render(
        request,
        "dashboard.html",
        active="dashboard",
        board=board,
        under_way=[m for m in board.missions if m.status == "in_progress"],
        won=[m for m in board.missions if m.status == "completed"],
        lost=[m for m in board.missions if m.status == "failed"],
        suggested=suggested,
        levels=board.levels(),
    )


@router.post("/missions/{mission_id}/enrol")
def enrol_page(
    request: Request,
    mission_id: str,
    runner: PageRunner,
    writing: WriteSession,
    sent_token: csrf.FormToken = "",
) -> Response:
    """Enrol (or start again) from a page's button, then show the mission."""
    catalog = _catalog(request)
    if catalog.get(mission_id) is None:
        return _no_mission(request, mission_id)
    if not csrf.form_ok(request, sent_token):  # a stale page, or another site's form
        return RedirectResponse(f"/missions/{mission_id}?form=expired", status_code=303)
    play.enrol(writing, catalog, runner, mission_id, _now())
    return RedirectResponse(f"/missions/{mission_id}", status_code=303)


# --- a mission -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BeatView:
    """One chapter as the mission page shows it; `paragraphs` only once it is unlocked."""

    number: int
    title: str
    teaser: str  # one line to look forward to, without spoilers
    goal: str  # the goal in words: "Reach Nemea: 31.1 km to go"
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
    """A journey's maps and where the runner is on it (km by the route's marks): the whole
    route, and for a long journey a closer look around the runner."""

    svg: Markup
    places: tuple[Place, ...]
    around: Markup | None = None
    race: races.Race | None = None  # the legend raced, drawn as a second marker


@router.get("/missions/{mission_id}")
def mission_page(
    request: Request,
    mission_id: str,
    runner: PageRunner,
    session: ReadSession,
    writing: WriteSession,
) -> Response:
    """The pitch, then the story so far (unlocked chapters in full, locked ones as teasers),
    the next goal in words and how close it is; for journeys, the map and the legend raced.
    Until a run counts, the briefing and "Your next run counts"."""
    catalog = _catalog(request)
    mission = catalog.get(mission_id)
    if mission is None:
        return _no_mission(request, mission_id)
    now = _now()
    runs_key = snapshots.runs_key(session, runner.id)  # what the runs are now, read once
    length = lengths.length(mission, habits.habits(session, runner, now, runs_key))
    level_means = lengths.level_words(mission.level)
    try:
        enrolment = play.active_enrolment(session, catalog, runner, mission_id)
    except NotFound:
        beats = [_beat(n, mission, source, None) for n, source in enumerate(mission.beats, 1)]
        journey = _journey(mission, catalog, None)
        return _render(
            request,
            "mission.html",
            mission=mission,
            beats=beats,
            journey=journey,
            length=length,
            level_means=level_means,
        )
    learned: play.Learned = {}
    mission, earned = play.progress(
        session, catalog, runner, mission_id, now, learned, writing, runs_key, enrolment
    )
    play.remember(writing, learned)
    beats = [
        _beat(n, mission, source, shown, earned.progress_km)
        for n, (source, shown) in enumerate(zip(mission.beats, earned.beats, strict=True), 1)
    ]
    race = races.race(session, mission, enrolment, earned.progress_km, now, runs_key)
    return _render(
        request,
        "mission.html",
        mission=mission,
        earned=earned,
        beats=beats,
        length=length,
        level_means=level_means,
        next_beat=next((beat for beat in beats if beat.status in ("next", "failed")), None),
        journey=_journey(mission, catalog, earned, race),
        # Nothing earned yet: the runner has just enrolled, or no run has counted since.
        fresh=earned.status == "in_progress" and not earned.unlocked and not earned.progress_km,
        postcards=postcard_pages.of_mission(
            session, catalog, runner, mission, earned, runs_key, enrolment
        ),
    )


def _no_mission(request: Request, mission_id: str) -> Response:
    return _render(request, "mission.html", status_code=404, mission=None, mission_id=mission_id)


def _beat(
    number: int,
    mission: Mission,
    source: Beat,
    shown: BeatProgress | None,
    progress_km: float | None = None,
) -> BeatView:
    """A beat of the mission file with, when enrolled, its progress."""
    journey_goal = isinstance(source.goal, RouteKmGoal | RunsGoal | StreakGoal)
    status = "locked" if shown is None else shown.status
    return BeatView(
        number=number,
        title=source.title,
        teaser=source.teaser or "",
        goal=describe.goal_words(source.goal, mission.route, progress_km),
        status=status,
        detail="" if shown is None else shown.detail,
        so_far="So far" if journey_goal else "Best attempt so far",
        paragraphs=formats.paragraphs(source.text) if status == "unlocked" else (),
        unlocked_by=None if shown is None else shown.unlocked_by,
        unlocked_at=None if shown is None else shown.unlocked_at,
    )


def _journey(
    mission: Mission,
    catalog: Catalog,
    earned: MissionProgress | None,
    race: races.Race | None = None,
) -> JourneyView | None:
    if mission.route is None:
        return None
    line = routes.build(mission.route, catalog.directory)
    at_km = None if earned is None or earned.position is None else earned.position.km
    places = tuple(
        Place(point.name, point.km, at_km is not None and point.km <= at_km)
        for point in mission.route.waypoints
    )
    ghost = None if race is None else route_maps.Ghost(race.name, race.legend_km)
    whole, around = route_maps.maps(mission.title, line, at_km, ghost)
    return JourneyView(whole, places, around, race)


def _render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    return render(request, template, status_code, **context)

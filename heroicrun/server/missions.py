"""Routes for missions: the catalog, enrolments, a runner's progress and their dashboard.

The catalog is public, like the mission files it is read from. A mission's details carry no
story text unless asked for with `?spoilers=true` (as `heroicrun missions show --spoilers`);
a runner's progress carries the text of the beats they have unlocked, the story so far.
Everything about a runner is looked up by id and owner: another runner's things are a 404.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field

from heroicrun.db.schema import Enrolment
from heroicrun.missions import describe
from heroicrun.missions.loading import Catalog
from heroicrun.play import NotFound
from heroicrun.play import dashboard as dashboards
from heroicrun.play import missions as play
from heroicrun.server.deps import CurrentRunner, ReadSession, WriteSession

router = APIRouter(tags=["missions"])


class LengthOut(BaseModel):
    """What a mission takes a new runner (5 km runs, three a week, at 7:00 a km)."""

    runs: int
    weeks: float
    longest_km: float
    fits: bool  # False when a deadline asks for more than such a runner gives
    words: str  # "about 99 runs: 33 weeks at 3 runs a week"


class MissionListing(BaseModel):
    """One mission of the catalog, as `heroicrun missions --json` lists it."""

    id: str
    title: str
    inspired_by: str
    kind: Literal["journey", "challenge"]
    level: str
    route_km: float | None
    beats: int
    goal_kinds: list[str]
    summary: str
    team: bool = Field(description="A team mission: a club starts it, not one runner alone")
    min_members: int | None = Field(description="The fewest members a team needs, if any")
    level_means: str  # what the level asks of a runner, in one line
    length: LengthOut


class BeatDetails(BaseModel):
    id: str
    title: str
    teaser: str | None  # one line, no spoilers: shown while the beat is locked
    goal: dict[str, Any]  # the goal as the mission file writes it
    goal_words: str
    text: str | None = None  # only with ?spoilers=true


class WaypointOut(BaseModel):
    name: str
    lat: float
    lon: float
    km: float


class EndingOut(BaseModel):
    title: str
    text: str | None = None


class SourceOut(BaseModel):
    fact: str
    source: str


class LegendMarkOut(BaseModel):
    km: float
    time_s: float  # since the legend set out
    time: str  # as the mission file writes it: "36:00:00", "4 days"
    place: str | None  # the waypoint at that km, if one is there


class LegendOut(BaseModel):
    """The historical or fictional runner a journey races (see `legend_race` in the domain)."""

    name: str
    sets_out: str | None  # the time of day the legend set out, when known
    marks: list[LegendMarkOut]
    words: str  # "Pheidippides reached Sparta (km 246) in 36 hours"


class MissionDetails(BaseModel):
    """A whole mission, as `heroicrun missions show --json` prints it."""

    id: str
    title: str
    inspired_by: str
    kind: Literal["journey", "challenge"]
    level: str
    route_km: float | None
    beats: list[BeatDetails]
    goal_kinds: list[str]
    summary: str
    team: bool
    min_members: int | None
    level_means: str
    length: LengthOut
    briefing: str | None  # the story's opening, read on enrolling: no goal, no spoilers
    route: list[WaypointOut] | None
    legend: LegendOut | None
    failure: EndingOut | None
    sources: list[SourceOut]


class GoalProgress(BaseModel):
    beat: str
    title: str
    status: Literal["unlocked", "next", "locked", "failed"]
    met: bool
    detail: str
    goal: str  # the goal in words: "Reach Nemea: 31.1 km to go"
    unlocked_by: str | None  # the file name of the run that unlocked it
    unlocked_at: datetime | None


class PositionOut(BaseModel):
    km: float
    lat: float
    lon: float
    last_place: str
    next_place: str | None
    to_next_km: float
    share: float


class StoryBeat(BaseModel):
    beat: str
    title: str
    text: str


class ProgressOut(BaseModel):
    """A runner's progress, as in the `missions` entries of `heroicrun check --json`, plus the
    enrolment and the story text of every unlocked beat."""

    id: str
    title: str
    kind: Literal["journey", "challenge"]
    status: Literal["in_progress", "completed", "failed"]
    progress_km: float | None
    route_km: float | None
    unlocked: list[str]
    goals: list[GoalProgress]
    position: PositionOut | None
    weekly_km: float | None
    eta: datetime | None
    failure: EndingOut | None
    enrolment: int
    enrolled_at: datetime
    story: list[StoryBeat]


class EnrolmentOut(BaseModel):
    id: int
    mission: str
    title: str | None  # None when the mission is no longer in the catalog
    enrolled_at: datetime
    active: bool


def _catalog(request: Request) -> Catalog:
    found: Catalog = request.app.state.catalog
    return found


def _now() -> datetime:
    return datetime.now(UTC)


def _enrolment(catalog: Catalog, enrolment: Enrolment) -> EnrolmentOut:
    mission = catalog.get(enrolment.mission_id)
    return EnrolmentOut(
        id=enrolment.id,
        mission=enrolment.mission_id,
        title=None if mission is None else mission.title,
        enrolled_at=play.enrolled_at(enrolment),
        active=enrolment.active,
    )


@router.get("/api/missions")
def list_missions(request: Request) -> list[MissionListing]:
    """Every mission in the catalog (public)."""
    return [
        MissionListing.model_validate(describe.listing(mission))
        for mission in _catalog(request).missions
    ]


@router.get("/api/missions/{mission_id}", responses={404: {"description": "No such mission"}})
def show_mission(request: Request, mission_id: str, spoilers: bool = False) -> MissionDetails:
    """One mission: beats, goals and route; the story text only with `spoilers=true` (public)."""
    mission = _catalog(request).get(mission_id)
    if mission is None:
        raise NotFound(f"there is no mission {mission_id!r}")
    return MissionDetails.model_validate(describe.details(mission, spoilers=spoilers))


@router.post(
    "/api/missions/{mission_id}/enrol",
    status_code=status.HTTP_201_CREATED,
    responses={404: {"description": "No such mission"}},
)
def enrol(
    request: Request, mission_id: str, runner: CurrentRunner, session: WriteSession
) -> EnrolmentOut:
    """Enrol in a mission from now on; enrolling again restarts it (progress starts over)."""
    catalog = _catalog(request)
    return _enrolment(catalog, play.enrol(session, catalog, runner, mission_id, _now()))


@router.get("/api/enrolments")
def list_enrolments(
    request: Request, runner: CurrentRunner, session: ReadSession
) -> list[EnrolmentOut]:
    """The runner's enrolments, the latest first; a restart leaves the old one inactive."""
    catalog = _catalog(request)
    return [_enrolment(catalog, enrolment) for enrolment in play.enrolments(session, runner)]


@router.get(
    "/api/missions/{mission_id}/progress",
    responses={404: {"description": "No such mission, or not enrolled in it"}},
)
def progress(
    request: Request,
    mission_id: str,
    runner: CurrentRunner,
    session: ReadSession,
    writing: WriteSession,
) -> ProgressOut:
    """Where the runner stands in a mission they are enrolled in: km, unlocked beats, goals."""
    catalog = _catalog(request)
    enrolment = play.active_enrolment(session, catalog, runner, mission_id)
    learned: play.Learned = {}
    mission, earned = play.progress(session, catalog, runner, mission_id, _now(), learned, writing)
    # Verdicts judged afresh (a mission edited, heroicrun upgraded) are kept for next time; the
    # write session opens only then.
    play.remember(writing, learned)
    shown = describe.progress(mission, earned)
    unlocked = set(earned.unlocked)
    shown["enrolment"] = enrolment.id
    shown["enrolled_at"] = play.enrolled_at(enrolment)
    shown["story"] = [
        {"beat": beat.id, "title": beat.title, "text": beat.text}
        for beat in mission.beats
        if beat.id in unlocked
    ]
    return ProgressOut.model_validate(shown)


@router.get("/api/dashboard")
def dashboard(
    request: Request, runner: CurrentRunner, session: ReadSession, writing: WriteSession
) -> dashboards.Dashboard:
    """The runner at a glance: active missions, lifetime totals, latest runs, missions to start."""
    learned: play.Learned = {}
    board = dashboards.dashboard(session, _catalog(request), runner, _now(), learned, writing)
    play.remember(writing, learned)
    return board

"""Routes for team missions: a club starts one, and its members read where the team stands.

Only a current member of the club gets an answer; anyone else gets 404 on every route, as for
another runner's run. A member sees the others' display names, counted km, runs and chapters,
never their runs. A team's progress has the fields of a runner's own progress (GET
/api/missions/{id}/progress, as `heroicrun progress --json` prints both) with the club (`team`),
the chapters' credit (`chapters`) and the members' tallies (`members`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, status
from pydantic import BaseModel, Field

from heroicrun.missions.loading import Catalog
from heroicrun.play import missions as play
from heroicrun.play import teams
from heroicrun.server.deps import CurrentRunner, ReadSession, WriteSession
from heroicrun.server.missions import EndingOut, GoalProgress, PositionOut, StoryBeat
from heroicrun.server.params import ClubId

router = APIRouter(tags=["teams"])

MissionId = Annotated[str, Path(max_length=64, description="The mission's id")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such club, you are not a member of it, or no such mission"}
}


class TeamOut(BaseModel):
    club_id: int
    club: str = Field(description="The club's name")


class TeamChapterOut(BaseModel):
    """A chapter the team unlocked, and who earned it."""

    beat: str
    title: str
    credited_to: str | None = Field(
        description="The member whose run crossed the mark; null for a chapter unlocked when "
        "the team started"
    )
    unlocked_at: datetime


class TeamMemberOut(BaseModel):
    """What one member gave the team: never their runs, only these figures."""

    name: str
    km: float = Field(description="Counted km of their runs credited to the team")
    runs: int = Field(description="Their counted runs credited to the team")
    chapters: int = Field(description="Chapters credited to them")
    current: bool = Field(description="False for a member who has left: what they gave stays")


class TeamProgressOut(BaseModel):
    """Where a club's team stands in a mission."""

    id: str = Field(description="The mission's id")
    title: str
    kind: Literal["journey", "challenge"]
    status: Literal["in_progress", "completed", "failed"]
    progress_km: float | None = Field(description="The team's counted km along the route")
    route_km: float | None
    unlocked: list[str] = Field(description="The ids of the chapters unlocked, in order")
    goals: list[GoalProgress]
    position: PositionOut | None
    weekly_km: float | None = Field(description="The team's km per week over the last 28 days")
    eta: datetime | None
    failure: EndingOut | None
    enrolled_at: datetime = Field(description="When the club started the mission as a team")
    story: list[StoryBeat]
    team: TeamOut
    chapters: list[TeamChapterOut]
    members: list[TeamMemberOut] = Field(
        description="Every current member and every former one who gave the team something, "
        "most km first"
    )


class TeamMissionOut(BaseModel):
    """One mission a club runs as a team, in brief."""

    id: str
    title: str
    status: Literal["in_progress", "completed", "failed"]
    progress_km: float | None
    route_km: float | None
    unlocked: int = Field(description="How many chapters are unlocked")
    chapters: int = Field(description="How many chapters the mission has")
    enrolled_at: datetime


def _catalog(request: Request) -> Catalog:
    found: Catalog = request.app.state.catalog
    return found


def _now() -> datetime:
    return datetime.now(UTC)


def shown(catalog: Catalog, standing: teams.TeamStanding) -> dict[str, Any]:
    """A team's standing in the API's terms (also what `heroicrun progress --json` prints)."""
    return teams.described(catalog, standing)


@router.post(
    "/api/clubs/{club_id}/missions/{mission_id}/enrol",
    status_code=status.HTTP_201_CREATED,
    responses={
        **NOT_FOUND,
        400: {"description": "Not a team mission or a journey, or too few members for it"},
        409: {"description": "The club already runs this mission"},
    },
)
def enrol(
    request: Request,
    club_id: ClubId,
    mission_id: MissionId,
    runner: CurrentRunner,
    session: WriteSession,
) -> TeamProgressOut:
    """Start a mission with your club as one team, from now: a team mission or any journey.
    Every member's runs from now on count for it (a member who joins later, from joining)."""
    catalog = _catalog(request)
    now = _now()
    teams.enrol(session, catalog, runner, club_id, mission_id, now)
    standing = teams.standing(session, catalog, runner, club_id, mission_id, now, session)
    return TeamProgressOut.model_validate(shown(catalog, standing))


@router.get("/api/clubs/{club_id}/missions/{mission_id}/progress", responses=NOT_FOUND)
def progress(
    request: Request,
    club_id: ClubId,
    mission_id: MissionId,
    runner: CurrentRunner,
    session: ReadSession,
    writing: WriteSession,
) -> TeamProgressOut:
    """Where your club's team stands in a mission: km, chapters and who earned them, and each
    member's counted km, runs and chapters."""
    catalog = _catalog(request)
    standing = teams.standing(session, catalog, runner, club_id, mission_id, _now(), writing)
    return TeamProgressOut.model_validate(shown(catalog, standing))


@router.get("/api/clubs/{club_id}/missions", responses=NOT_FOUND)
def list_missions(
    request: Request,
    club_id: ClubId,
    runner: CurrentRunner,
    session: ReadSession,
    writing: WriteSession,
) -> list[TeamMissionOut]:
    """The missions your club runs as a team, with how far each has come."""
    catalog = _catalog(request)
    found = []
    for standing in teams.standings(session, catalog, runner, club_id, _now(), writing):
        mission = catalog.get(standing.mission_id)
        assert mission is not None
        earned = standing.progress
        found.append(
            TeamMissionOut(
                id=mission.id,
                title=mission.title,
                status=earned.status,
                progress_km=None if earned.progress_km is None else round(earned.progress_km, 3),
                route_km=None if mission.route is None else mission.route.length_km,
                unlocked=len(earned.unlocked),
                chapters=len(mission.beats),
                enrolled_at=play.as_utc(standing.enrolled_at),
            )
        )
    return found

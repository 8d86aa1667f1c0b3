"""What the club page shows of a team mission, worked out from its standing (play/teams.py):
the map with a band for each member's stretches (kept under the club's version: drawing a long
route's labels costs more than the rest of the page), the legend of the bands, the chapters
with who earned them, the next goal and its deadline; and which missions the club may start.
Names are left as they are: the templates escape them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup

from heroicrun.missions import routes
from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import Mission
from heroicrun.play import clubs, snapshots, teams
from heroicrun.server.deps import ReadSession
from heroicrun.server.pages import club_maps, formats

_MAPS: snapshots.Memo[Markup | None] = snapshots.Memo(most=256)


@dataclass(frozen=True)
class Band:
    """A member's colour on a team's map, and how far their runs took the team."""

    name: str
    shade: int | None  # None: drawn with the others
    km: float


@dataclass(frozen=True)
class ChapterView:
    """One of a team mission's chapters: its text once unlocked, else its teaser."""

    number: int
    title: str
    teaser: str
    paragraphs: tuple[str, ...]
    credited_to: str | None
    unlocked_at: datetime | None


@dataclass(frozen=True)
class TeamView:
    """A team mission as the club page shows it."""

    standing: teams.TeamStanding
    mission: Mission
    route_km: float | None
    svg: Markup | None
    bands: tuple[Band, ...]
    unlocked: tuple[ChapterView, ...]
    locked: tuple[ChapterView, ...]
    next_title: str | None
    next_detail: str | None
    deadline_at: datetime | None  # the next chapter's deadline, when it has one
    days_left: float | None


@dataclass(frozen=True)
class Startable:
    """A mission the club may start as a team: a team mission, or any journey."""

    id: str
    title: str
    team: bool
    min_members: int
    enough: bool  # the club has members enough now


def team(
    session: ReadSession,
    catalog: Catalog,
    club: clubs.ClubInfo,
    standing: teams.TeamStanding,
    now: datetime,
) -> TeamView:
    """The page's view of a team mission: its map (kept under the club's version), the legend of
    its bands, its chapters, the next goal and the deadline."""
    mission = catalog.get(standing.mission_id)
    assert mission is not None  # standings are of the catalog's missions
    earned = standing.progress
    order = [member.name for member in standing.members if member.km > 0]
    shades = {name: shade for shade, name in enumerate(order[: club_maps.SHADES])}
    bands = tuple(Band(m.name, shades.get(m.name), m.km) for m in standing.members if m.km > 0)
    svg = None
    if mission.route is not None and earned.position is not None:
        route, at_km = mission.route, earned.position.km
        key = ("club-map", club.id, club.version, standing.mission_id, standing.enrolled_at)
        svg = _MAPS.get(
            session,
            key,
            lambda: club_maps.team_map(
                mission.title,
                routes.build(route, catalog.directory),
                at_km,
                club_maps.legs_of(teams.contributions(standing), shades),
            ),
        )
    unlocked, locked = _chapters(mission, standing)
    upcoming = next(
        (
            (source, shown)
            for source, shown in zip(mission.beats, earned.beats, strict=True)
            if not shown.met
        ),
        None,
    )
    deadline_at = days_left = None
    if upcoming is not None and earned.status == "in_progress":
        within_days = getattr(upcoming[0].goal, "within_days", None)
        if within_days is not None:
            deadline_at = standing.enrolled_at + timedelta(days=within_days)
            days_left = max((deadline_at - now).total_seconds(), 0.0) / 86400
    return TeamView(
        standing=standing,
        mission=mission,
        route_km=None if mission.route is None else mission.route.length_km,
        svg=svg,
        bands=bands,
        unlocked=unlocked,
        locked=locked,
        next_title=None if upcoming is None else upcoming[1].title,
        next_detail=None if upcoming is None else upcoming[1].detail,
        deadline_at=deadline_at,
        days_left=days_left,
    )


def _chapters(
    mission: Mission, standing: teams.TeamStanding
) -> tuple[tuple[ChapterView, ...], tuple[ChapterView, ...]]:
    """The chapters the team unlocked, with their text and who earned them; the rest, locked."""
    credited = {chapter.beat: chapter for chapter in standing.chapters}
    unlocked: list[ChapterView] = []
    locked: list[ChapterView] = []
    for number, beat in enumerate(mission.beats, 1):
        chapter = credited.get(beat.id)
        if chapter is not None:
            unlocked.append(
                ChapterView(
                    number,
                    beat.title,
                    beat.teaser or "",
                    formats.paragraphs(chapter.text),
                    chapter.credited_to,
                    chapter.unlocked_at,
                )
            )
        else:
            locked.append(ChapterView(number, beat.title, beat.teaser or "", (), None, None))
    return tuple(unlocked), tuple(locked)


def startable(catalog: Catalog, current: int, under_way: set[str]) -> list[Startable]:
    """The missions a club of `current` members may start as a team, team missions first: every
    team mission and every journey not under way already."""
    found = [
        Startable(m.id, m.title, m.team, m.min_members or 1, current >= (m.min_members or 1))
        for m in catalog.missions
        if (m.team or m.route is not None) and m.id not in under_way
    ]
    found.sort(key=lambda m: (not m.team, m.title))
    return found

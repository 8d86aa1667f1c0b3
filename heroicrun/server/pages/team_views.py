"""What the club page shows of its team missions, worked out from their standings
(play/teams.py): the map with a band for each member's stretches, the legend of the bands, the
leaderboards, the chapters with who earned them, the next goal and its deadline, this week's
board and the latest runs; and which missions the club may start. Names are left as they are:
the templates escape them.

All of it is kept under the club's version (clubs.version, changed by the database whenever
anything here could change) for each reader: a club of two hundred runners has a page of long
boards and a map whose labels cost more to place than the rest of the page. The deadlines count
down by the clock, so what is kept is kept for a minute at most."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup

from heroicrun.db.schema import Runner
from heroicrun.missions import routes
from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import Mission
from heroicrun.play import clubs, snapshots, teams
from heroicrun.server.deps import ReadSession, WriteSession
from heroicrun.server.pages import club_maps, formats, templates

_MAPS: snapshots.Memo[Markup | None] = snapshots.Memo(most=256)
_SHOWN: snapshots.Memo[Shown] = snapshots.Memo(most=1024)
_INFOS: snapshots.Memo[clubs.ClubInfo] = snapshots.Memo(most=1024)
BOARD_ROWS = 10  # a leaderboard shows the first ten, and the reader's own row wherever it is


@dataclass(frozen=True)
class Shown:
    """The club's team missions, this week's board and its latest runs, as HTML for one
    reader; the missions under way."""

    html: Markup
    under_way: frozenset[str]


def club_info(session: ReadSession, runner: Runner, club_id: int) -> clubs.ClubInfo:
    """The club and its members (clubs.info), kept while the club's version, code and owner
    hold; NotFound unless `runner` is a current member."""
    club = clubs.member_club(session, runner, club_id)
    key = ("club-info", club.id, club.version, club.code, club.owner_id, club.name)
    return _INFOS.get(session, key, lambda: clubs.info(session, runner, club_id))


def shown(
    session: ReadSession,
    writing: WriteSession,
    catalog: Catalog,
    runner: Runner,
    club: clubs.ClubInfo,
    now: datetime,
) -> Shown:
    """The club's team missions (each judged again if need be, what was judged kept in
    `writing`), this week's board and the latest runs, as `runner` sees them at `now`."""
    minute = now.replace(second=0, microsecond=0)
    key = ("club-shown", club.id, club.version, id(catalog), runner.name, minute)

    def make() -> Shown:
        standings = teams.standings(session, catalog, runner, club.id, now, writing)
        html = templates.get_template("_club_teams.html").render(
            teams=[
                team(session, catalog, club, standing, now, runner.name) for standing in standings
            ],
            week=board(teams.week_board(session, runner, club.id, now), runner.name),
            activity=teams.activity(session, runner, club.id, catalog=catalog),
            me=runner.name,
        )
        return Shown(Markup(html), frozenset(standing.mission_id for standing in standings))

    return _SHOWN.get(session, key, make)


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
class Board:
    """A leaderboard as shown: (rank, member) rows, the first BOARD_ROWS and the reader's; how
    many more there are; and whether the reader's row stands apart below the others."""

    rows: tuple[tuple[int, teams.TeamMember], ...]
    more: int
    apart: bool


def board(members: list[teams.TeamMember], me: str, most: int = BOARD_ROWS) -> Board:
    """The first `most` members by km, and the reader's row wherever it is (a club of two
    hundred would otherwise send six hundred rows)."""
    rows = [(rank, member) for rank, member in enumerate(members[:most], 1)]
    mine = next(
        ((rank, m) for rank, m in enumerate(members, 1) if m.name == me and rank > most), None
    )
    if mine is not None:
        rows.append(mine)
    return Board(tuple(rows), len(members) - len(rows), mine is not None)


@dataclass(frozen=True)
class TeamView:
    """A team mission as the club page shows it."""

    standing: teams.TeamStanding
    mission: Mission
    board: Board
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
    me: str,
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
        board=board(standing.members, me),
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


def startable(catalog: Catalog, current: int, under_way: frozenset[str]) -> list[Startable]:
    """The missions a club of `current` members may start as a team, team missions first: every
    team mission and every journey not under way already."""
    found = [
        Startable(m.id, m.title, m.team, m.min_members or 1, current >= (m.min_members or 1))
        for m in catalog.missions
        if (m.team or m.route is not None) and m.id not in under_way
    ]
    found.sort(key=lambda m: (not m.team, m.title))
    return found

"""`heroicrun club`: clubs from a shell — make one, join one by its code, list and show them.

As on the web, a runner sees only the clubs they are a current member of; the rest is
"there is no club with id N". Failures are one line on stderr and exit status 1.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from heroicrun.cli.accounts import DatabaseUrl, fail, session_on
from heroicrun.cli.commands import app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from heroicrun.db.schema import Runner
    from heroicrun.missions.loading import Catalog
    from heroicrun.play.clubs import ClubInfo
    from heroicrun.play.teams import TeamStanding

club_app = typer.Typer(
    help="Clubs: make one, join one by its code, list yours, show one.", rich_markup_mode=None
)
app.add_typer(club_app, name="club", no_args_is_help=True)

OptionalRunner = Annotated[
    str | None,
    typer.Option(
        "--runner",
        help="Whose clubs (may be left out when the database has exactly one runner).",
        show_default=False,
    ),
]


def now() -> datetime:
    return datetime.now(UTC)


def runner_called(session: Session, name: str | None) -> Runner:
    """The runner named, or the only runner there is when no name is given; else PlayError."""
    from heroicrun.play import PlayError, accounts

    if name is not None:
        return accounts.runner_named(session, name)
    runners = accounts.all_runners(session)
    if len(runners) == 1:
        return runners[0]
    if not runners:
        raise PlayError("there are no runners yet: add one with heroicrun runner add NAME")
    listed = ", ".join(runner.name for runner in runners[:5])
    more = ", …" if len(runners) > 5 else ""
    raise PlayError(f"say which runner with --runner NAME ({listed}{more})")


def play_catalog() -> Catalog:
    """The missions the server plays ($HEROICRUN_MISSIONS_DIR, else the bundled ones); broken
    files are reported on stderr and left out."""
    from heroicrun.cli import catalogs
    from heroicrun.settings import from_environment

    try:
        missions_dir = from_environment().missions_dir
    except ValueError as error:
        raise fail(f"a HEROICRUN_* setting in the environment is not valid: {error}") from None
    return catalogs.load_catalog(missions_dir, lambda text: print(text, file=sys.stderr))


def _invite(code: str) -> str:
    return f"/clubs/join?code={code}"


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def _print_club(info: ClubInfo, standings: list[TeamStanding]) -> None:
    current = info.current_members
    print(f"club {info.id}: {info.name}")
    print(f"  code {info.code}  (invite link: {_invite(info.code)} on your heroicrun server)")
    print(f"  owner {info.owner}, {len(current)} member{'' if len(current) == 1 else 's'}")
    width = max(len(member.name) for member in info.members)
    print("  members:")
    for member in info.members:
        role = "owner" if member.owner else ("member" if member.current else "left")
        since = f"since {_when(member.joined_at)}"
        if member.left_at is not None:
            since = f"{_when(member.joined_at)} to {_when(member.left_at)}"
        print(f"    {member.name:<{width}}  {role:<6}  {since}")
    if not standings:
        print("  no team missions yet: start one on the club's page")
        return
    print("  team missions:")
    for standing in standings:
        earned = standing.progress
        done = "" if earned.progress_km is None else f"{earned.progress_km:,.1f} km, "
        unlocked = f"{len(earned.unlocked)} of {len(earned.beats)} chapters"
        status = {"in_progress": "under way"}.get(earned.status, earned.status)
        print(f"    {standing.title}: {status}, {done}{unlocked}")
        for gave in standing.members:
            runs = f"{gave.runs} run{'' if gave.runs == 1 else 's'}"
            print(f"      {gave.name:<{width}}  {gave.km:,.1f} km  {runs}")


@club_app.command("create")
def club_create(
    name: Annotated[str, typer.Argument(help="The club's name, 1 to 64 characters.")],
    runner: OptionalRunner = None,
    url: DatabaseUrl = None,
) -> None:
    """Make a club, owned by the runner; prints its code for others to join with.

    Example: heroicrun club create "Runners of Megara" --runner ann
    """
    from heroicrun.play import clubs

    with session_on(url, writes=True) as session:
        owner = runner_called(session, runner)
        club = clubs.create(session, owner, name, now())
        info = clubs.info(session, owner, club.id)
    print(f"made club {info.id}: {info.name}, owned by {info.owner}")
    print(f"code: {info.code}")
    print(
        f"others join with: heroicrun club join {info.code} --runner NAME, "
        f"or the invite link {_invite(info.code)} on your heroicrun server"
    )


@club_app.command("join")
def club_join(
    code: Annotated[str, typer.Argument(help="The club's code (any case), or its invite link.")],
    runner: OptionalRunner = None,
    url: DatabaseUrl = None,
) -> None:
    """Join a club by its code; joining a club one is in already changes nothing.

    Example: heroicrun club join 7hk2mq9xwa --runner bea
    """
    from heroicrun.play import clubs

    with session_on(url, writes=True) as session:
        member = runner_called(session, runner)
        club = clubs.join(session, member, code, now())
        info = clubs.info(session, member, club.id)
    print(f"{member.name} is in club {info.id}: {info.name} ({len(info.current_members)} members)")


@club_app.command("list")
def club_list(runner: OptionalRunner = None, url: DatabaseUrl = None) -> None:
    """List the runner's clubs: id, name, owner, members, code.

    Example: heroicrun club list --runner ann
    """
    from heroicrun.play import clubs

    with session_on(url) as session:
        member = runner_called(session, runner)
        found = clubs.clubs_of(session, member)
    if not found:
        print(
            f"{member.name} is in no club: make one with heroicrun club create NAME, "
            "or join one with heroicrun club join CODE",
            file=sys.stderr,
        )
        return
    width = max(len(info.name) for info in found)
    for info in found:
        count = len(info.current_members)
        print(
            f"{info.id:>4}  {info.name:<{width}}  owner {info.owner}  "
            f"{count} member{'' if count == 1 else 's'}  code {info.code}"
        )


@club_app.command("show")
def club_show(
    club_id: Annotated[int, typer.Argument(help="The club's id (heroicrun club list).")],
    runner: OptionalRunner = None,
    url: DatabaseUrl = None,
) -> None:
    """Show a club the runner is in: its code, its members, its team missions.

    Example: heroicrun club show 3 --runner ann
    """
    from heroicrun.play import clubs, teams

    if not 1 <= club_id < 2**31:
        raise fail(f"there is no club with id {club_id}")
    catalog = play_catalog()
    with session_on(url) as session:
        member = runner_called(session, runner)
        info = clubs.info(session, member, club_id)
        standings = teams.standings(session, catalog, member, club_id, now())
    _print_club(info, standings)

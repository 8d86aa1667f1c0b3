"""`heroicrun club create|join|list|show`, run in-process as a shell runs them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from heroicrun.db import engine as db_engine
from heroicrun.missions import catalog
from heroicrun.play import accounts, teams
from tests.helpers import shell


@pytest.fixture
def url(database_url: str, engine: Engine) -> str:
    """A migrated database (the `engine` fixture migrates it)."""
    return database_url


def heroicrun(url: str, *args: str) -> shell.Done:
    return shell.heroicrun(*args, env={"HEROICRUN_DATABASE_URL": url})


def ok(done: shell.Done) -> str:
    assert done.returncode == 0, done
    return done.stdout


def one_error_line(done: shell.Done) -> str:
    assert done.returncode == 1, done
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def add_runners(url: str, *names: str) -> None:
    for name in names:
        ok(heroicrun(url, "runner", "add", name, "--no-password"))


def made_club(url: str) -> tuple[int, str]:
    made = ok(heroicrun(url, "club", "create", "Runners of Megara", "--runner", "ann"))
    found = re.search(r"made club (\d+): Runners of Megara, owned by ann\ncode: (\w+)\n", made)
    assert found, made
    assert f"heroicrun club join {found[2]} --runner NAME" in made
    assert f"/clubs/join?code={found[2]}" in made
    return int(found[1]), found[2]


def test_a_club_made_joined_listed_and_shown(url: str) -> None:
    add_runners(url, "ann", "bea", "dan")
    club_id, code = made_club(url)
    joined = ok(heroicrun(url, "club", "join", f" {code.upper()} ", "--runner", "bea"))
    assert joined == f"bea is in club {club_id}: Runners of Megara (2 members)\n"
    # Joining again changes nothing.
    ok(heroicrun(url, "club", "join", code, "--runner", "bea"))
    listed = ok(heroicrun(url, "club", "list", "--runner", "bea"))
    assert listed == f"{club_id:>4}  Runners of Megara  owner ann  2 members  code {code}\n"
    shown = ok(heroicrun(url, "club", "show", str(club_id), "--runner", "bea"))
    assert shown.startswith(f"club {club_id}: Runners of Megara\n  code {code}")
    assert re.search(r"^    ann  owner   since \d{4}-\d\d-\d\d$", shown, re.M), shown
    assert re.search(r"^    bea  member  since \d{4}-\d\d-\d\d$", shown, re.M), shown
    # Dan is in no club, and sees nothing of this one.
    none = heroicrun(url, "club", "list", "--runner", "dan")
    assert none.returncode == 0 and none.stdout == "" and "in no club" in none.stderr
    hidden = heroicrun(url, "club", "show", str(club_id), "--runner", "dan")
    assert one_error_line(hidden) == f"error: there is no club with id {club_id}"
    assert "Megara" not in hidden.stdout + hidden.stderr


def test_show_tells_the_club_s_team_missions(url: str, engine: Engine) -> None:
    add_runners(url, "ann", "bea")
    club_id, code = made_club(url)
    ok(heroicrun(url, "club", "join", code, "--runner", "bea"))
    shown = ok(heroicrun(url, "club", "show", str(club_id), "--runner", "bea"))
    assert "no team missions yet" in shown
    with db_engine.writers(engine)() as session:
        bea = accounts.runner_named(session, "bea")
        teams.enrol(session, catalog.bundled(), bea, club_id, "the-182-heroes", datetime.now(UTC))
        session.commit()
    shown = ok(heroicrun(url, "club", "show", str(club_id), "--runner", "ann"))
    heroes = r"^  team missions:\n    The 182 Heroes' Charge: under way, 0.0 km, "
    assert re.search(heroes, shown, re.M), shown
    assert re.search(r"^      (ann|bea)  0.0 km  0 runs$", shown, re.M), shown


def test_mistakes_are_one_line_and_status_1(url: str) -> None:
    add_runners(url, "ann", "bea")
    made_club(url)
    assert one_error_line(heroicrun(url, "club", "join", "nosuchcode", "--runner", "bea")) == (
        "error: no club has that code"
    )
    assert "club's name" in one_error_line(
        heroicrun(url, "club", "create", "x" * 65, "--runner", "ann")
    )
    assert "no runner called 'zed'" in one_error_line(
        heroicrun(url, "club", "list", "--runner", "zed")
    )
    assert one_error_line(heroicrun(url, "club", "show", "0", "--runner", "ann")) == (
        "error: there is no club with id 0"
    )
    assert one_error_line(heroicrun(url, "club", "show", str(2**40), "--runner", "ann")) == (
        f"error: there is no club with id {2**40}"
    )
    # Two runners: which one must be said.
    assert "--runner" in one_error_line(heroicrun(url, "club", "list"))
    not_a_number = heroicrun(url, "club", "show", "abc", "--runner", "ann")
    assert not_a_number.returncode == 2 and "Traceback" not in not_a_number.stderr


def test_the_only_runner_need_not_be_named(url: str) -> None:
    add_runners(url, "ann")
    made = ok(heroicrun(url, "club", "create", "Runners of Megara"))
    assert made.startswith("made club 1: Runners of Megara, owned by ann\n")
    assert ok(heroicrun(url, "club", "list")).startswith("   1  Runners of Megara  owner ann")

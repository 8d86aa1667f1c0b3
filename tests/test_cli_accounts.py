"""`heroicrun runner`, `token`, `db` and `serve` as a user meets them: in-process, and `serve`
as a real process."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from heroicrun.server import create_app
from heroicrun.settings import Settings
from tests.conftest import bearer
from tests.helpers import shell


@pytest.fixture
def database_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def heroicrun(url: str, *args: str, stdin: str | None = None) -> shell.Done:
    return shell.heroicrun(*args, env={"HEROICRUN_DATABASE_URL": url}, stdin=stdin or "")


def one_error_line(done: shell.Done) -> str:
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_a_runner_added_from_the_shell_gets_a_token_that_works_until_revoked(
    database_file: str,
) -> None:
    added = heroicrun(database_file, "runner", "add", "pheidippides", stdin="rejoice, we conquer\n")
    assert added.returncode == 0, added.stderr
    assert "pheidippides" in added.stdout

    created = heroicrun(
        database_file, "token", "create", "--runner", "pheidippides", "--name", "phone"
    )
    assert created.returncode == 0, created.stderr
    lines = created.stdout.splitlines()
    assert len(lines) == 1 and created.stdout == lines[0] + "\n"
    token = lines[0]
    assert token.startswith("hr_") and " " not in token

    with TestClient(create_app(Settings(database_url=database_file, parse_workers=1))) as client:
        me = client.get("/api/me", headers=bearer(token))
        assert me.status_code == 200 and me.json()["name"] == "pheidippides"
        # The password came through stdin with its newline stripped.
        signed_in = client.post(
            "/api/session", json={"name": "pheidippides", "password": "rejoice, we conquer"}
        )
        assert signed_in.status_code == 200

        revoked = heroicrun(
            database_file, "token", "revoke", "--runner", "pheidippides", "--name", "phone"
        )
        assert revoked.returncode == 0, revoked.stderr
        assert client.get("/api/me", headers=bearer(token)).status_code == 401

    again = heroicrun(
        database_file, "token", "revoke", "--runner", "pheidippides", "--name", "phone"
    )
    assert one_error_line(again) == "error: pheidippides has no live token called 'phone'"


def test_mistakes_are_one_line_on_stderr_and_exit_1(database_file: str, tmp_path: Path) -> None:
    assert heroicrun(database_file, "runner", "add", "lola", stdin="run lola run\n").returncode == 0
    duplicate = heroicrun(database_file, "runner", "add", "lola", stdin="run lola run\n")
    assert one_error_line(duplicate) == "error: there is already a runner called 'lola'"
    short = heroicrun(database_file, "runner", "add", "manni", stdin="money\n")
    assert "at least 8 characters" in one_error_line(short)
    nobody = heroicrun(database_file, "token", "create", "--runner", "nobody")
    assert one_error_line(nobody) == "error: there is no runner called 'nobody'"
    assert nobody.stdout == ""
    no_password = heroicrun(database_file, "runner", "add", "manni")
    assert "no password on stdin" in one_error_line(no_password)
    bad_url = heroicrun(database_file, "runner", "list", "--database-url", "nonsense")
    assert "nonsense: not a database URL" in one_error_line(bad_url)
    unreachable = heroicrun(
        database_file,
        "db",
        "upgrade",
        "--database-url",
        "postgresql+psycopg://heroicrun:s3cret@127.0.0.1:1/heroicrun",
    )
    message = one_error_line(unreachable)
    assert "cannot open the database" in message and "s3cret" not in message


def test_runners_and_their_tokens_are_listed(database_file: str) -> None:
    upgraded = heroicrun(database_file, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert database_file in upgraded.stdout and "up to date" in upgraded.stdout
    assert heroicrun(database_file, "runner", "add", "gimli", "--no-password").returncode == 0
    assert heroicrun(database_file, "token", "create", "--runner", "gimli").returncode == 0
    listed = heroicrun(database_file, "runner", "list")
    assert listed.returncode == 0 and "gimli" in listed.stdout and "1 token" in listed.stdout
    tokens = heroicrun(database_file, "token", "list", "--runner", "gimli")
    assert tokens.returncode == 0 and "api" in tokens.stdout and "hr_" not in tokens.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_serve_answers_health_on_the_port_it_was_given(database_file: str, tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "heroicrun", "serve", "--port", str(port), "--max-upload-mb", "1"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "HEROICRUN_DATABASE_URL": database_file},
    )
    try:
        health = None
        deadline = time.monotonic() + 30
        while health is None and time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                    health = json.load(r)
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        assert health is not None, (tmp_path / "serve.log").read_text()
        assert health["status"] == "ok" and health["schema_current"] is True
        # The body is declared, never sent: the server must refuse on the header alone.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.putrequest("POST", "/api/runs")
            connection.putheader("Content-Length", str(2**20 + 1))
            connection.endheaders()
            assert connection.getresponse().status == 413
        finally:
            connection.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert f"open http://127.0.0.1:{port}/" in output
    assert "heroicrun runner add NAME" in output  # no runners yet


def test_a_runner_locked_out_by_wrong_passwords_is_unlocked_from_the_shell(
    database_url: str,
) -> None:
    added = heroicrun(database_url, "runner", "add", "lola", stdin="run lola run\n")
    assert added.returncode == 0, added.stderr
    with TestClient(create_app(Settings(database_url=database_url, parse_workers=1))) as client:
        for _ in range(5):
            guess = client.post("/api/session", json={"name": "lola", "password": "manni!"})
            assert guess.status_code == 401
        right = {"name": "lola", "password": "run lola run"}
        assert client.post("/api/session", json=right).status_code == 429

        unlocked = heroicrun(database_url, "runner", "unlock", "lola")
        assert unlocked.returncode == 0, unlocked.stderr
        assert unlocked.stdout == "unlocked 'lola': 5 wrong passwords forgotten\n"
        assert client.post("/api/session", json=right).status_code == 200

    again = heroicrun(database_url, "runner", "unlock", "lola")
    assert again.returncode == 0 and again.stdout == "'lola' had no wrong passwords to forget\n"
    nobody = heroicrun(database_url, "runner", "unlock", "nobody")
    assert one_error_line(nobody) == "error: there is no runner called 'nobody'"

"""What a hostile runner can do to `heroicrun serve --workers 2`, each attack measured.

    python benchmarks/attacks.py                      # SQLite
    python benchmarks/attacks.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python benchmarks/attacks.py --heroicrun /tmp/other/.venv/bin/heroicrun

Each database is fresh; heroicrun is driven only by its executable (`--heroicrun`, default the
project's .venv), through its CLI and HTTP API, one figure a line:

1. a tiny file becoming a huge run: three distinct ~1.6 KB GPX files of 20 points each, jumping
   around the globe a few seconds apart: what the upload answered, the stored summary's size
   (GET /api/runs/{id}), the run page's size (GET /runs/{id}), how much the database grew, and
   `heroicrun check --json` of a 50-point version (output bytes, seconds, peak memory);
3. read-your-writes across the two server processes, every request on a new connection: a
   token deleted, then used at once; a run deleted, then fetched at once; a session signed out,
   then used at once: how many of 100 tries each were still accepted;
5. one ~5 km run in five wrappings (.gpx, .gpx.gz, gzipped at another level, CRLF line endings,
   one more trailing newline): how many runs were stored, how many answers said duplicate;
8. password guessing: 200 wrong passwords for one name, then the right one: the statuses seen.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import serving  # noqa: E402

PASSWORD = "correct horse battery staple"
SESSION_COOKIE = "heroicrun_session"
TRIES = 100
GUESSES = 200
SLOW_TIMEOUT_S = 600  # a huge summary or page may take minutes on an unprotected server
GPX_HEAD = '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>\n'
GPX_POINT = '<trkpt lat="{lat:.4f}" lon="{lon:.4f}"><time>{time}</time></trkpt>\n'
GPX_TAIL = "</trkseg></trk></gpx>\n"


def globe_trotter(points: int, seed: int) -> bytes:
    """A GPX track whose points jump anywhere on Earth, two seconds apart."""
    rng = random.Random(seed)
    start = datetime(2026, 5, 1, 6, 0, tzinfo=UTC)
    rows = [
        GPX_POINT.format(
            lat=rng.uniform(-80, 80),
            lon=rng.uniform(-180, 180),
            time=(start + timedelta(seconds=2 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        for i in range(points)
    ]
    return (GPX_HEAD + "".join(rows) + GPX_TAIL).encode()


def line(label: str, number: str, text: str) -> None:
    print(f"{label:<11} {number} {text}", flush=True)


def upload(base: str, token: str, name: str, data: bytes) -> tuple[httpx.Response, float]:
    """The answer to uploading one file, and the seconds it took."""
    started = time.perf_counter()
    answer = httpx.post(
        f"{base}/api/runs",
        headers=bearer(token),
        files={"files": (name, data, "application/octet-stream")},
        timeout=SLOW_TIMEOUT_S,
    )
    return answer, time.perf_counter() - started


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def cookie(secret: str) -> dict[str, str]:
    return {"Cookie": f"{SESSION_COOKIE}={secret}"}


def sign_in(base: str, name: str, password: str) -> httpx.Response:
    return httpx.post(f"{base}/api/session", json={"name": name, "password": password}, timeout=60)


def first_run(answer: httpx.Response) -> dict[str, Any] | None:
    if answer.status_code != 201:
        return None
    runs: list[dict[str, Any]] = answer.json().get("runs", [])
    return runs[0] if runs else None


def refused(answer: httpx.Response) -> str:
    """What a refusal said, shortened to fit a line."""
    try:
        detail = str(answer.json().get("detail", ""))
    except ValueError:
        detail = answer.text
    return detail[:140]


def timed_get(url: str, headers: dict[str, str]) -> tuple[int | None, int, float]:
    """Status (None: no answer in time), body bytes and seconds of one GET."""
    started = time.perf_counter()
    try:
        answer = httpx.get(url, headers=headers, timeout=SLOW_TIMEOUT_S)
    except httpx.HTTPError:
        return None, 0, time.perf_counter() - started
    return answer.status_code, len(answer.content), time.perf_counter() - started


def tiny_file_huge_run(
    label: str, base: str, cli: serving.Cli, token: str, size_of_database: Callable[[], int]
) -> None:
    before_b = size_of_database()
    stored: list[int] = []
    sent_b = 0
    for seed in (1, 2, 3):
        data = globe_trotter(20, seed)
        sent_b += len(data)
        answer, took_s = upload(base, token, f"around-the-world-{seed}.gpx", data)
        run = first_run(answer)
        what = f"tiny file {seed} ({len(data):,} B, 20 points around the globe)"
        if run is None:
            line(
                label,
                "1",
                f"{what}: upload answered {answer.status_code} in {took_s:.1f} s, nothing"
                f" stored: {refused(answer)}",
            )
            continue
        stored.append(run["id"])
        status, summary_b, summary_s = timed_get(f"{base}/api/runs/{run['id']}", bearer(token))
        line(
            label,
            "1",
            f"{what}: stored as run {run['id']} ({run.get('distance_m', 0) / 1000:,.0f} km)"
            f" in {took_s:.1f} s; its summary (GET /api/runs/{{id}}) is {summary_b:,} B,"
            f" answered {status} in {summary_s:.1f} s",
        )
    if stored:
        run_page(label, base, stored[0], token)
    grown_b = size_of_database() - before_b
    line(
        label,
        "1",
        f"database grew by {grown_b / 1e6:,.1f} MB for {len(stored)} tiny files stored"
        f" ({sent_b:,} B uploaded)",
    )
    check_json(label, cli)


def run_page(label: str, base: str, run_id: int, token: str) -> None:
    """The run page's size, asked for with an API token and with a session cookie."""
    signed = sign_in(base, "ann", PASSWORD)
    secret = signed.cookies.get(SESSION_COOKIE)
    for how, headers in (
        ("an API token (Authorization: Bearer)", bearer(token)),
        ("the session cookie", cookie(secret) if secret else None),
    ):
        if headers is None:
            line(
                label, "1", f"run page with {how}: not tried, sign-in answered {signed.status_code}"
            )
            continue
        status, page_b, page_s = timed_get(f"{base}/runs/{run_id}", headers)
        line(
            label,
            "1",
            f"run page of the first (GET /runs/{{id}} with {how}): {page_b:,} B, answered"
            f" {status} in {page_s:.1f} s",
        )


def check_json(label: str, cli: serving.Cli) -> None:
    """`heroicrun check --json` of a 50-point globe trotter: output bytes, seconds, peak MB."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "around-the-world-50.gpx"
        path.write_bytes(globe_trotter(50, 4))
        output = Path(scratch) / "out.json"
        started = time.perf_counter()
        with output.open("wb") as sink:
            process = subprocess.Popen(
                [str(cli.executable), "check", "--json", str(path)],
                cwd=cli.cwd,
                stdout=sink,
                stderr=subprocess.DEVNULL,
            )
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
        took_s = time.perf_counter() - started
        line(
            label,
            "1",
            f"heroicrun check --json of a 50-point version ({path.stat().st_size:,} B):"
            f" {output.stat().st_size:,} B of output in {took_s:.1f} s, peak"
            f" {usage.ru_maxrss / 1024:,.0f} MB, exit {process.returncode}",
        )


def read_your_writes(label: str, base: str, token: str) -> None:
    tokens_accepted = tokens_made = 0
    for n in range(TRIES):
        made = httpx.post(
            f"{base}/api/tokens", headers=bearer(token), json={"name": f"doomed-{n}"}, timeout=60
        )
        if made.status_code != 201:
            continue
        tokens_made += 1
        doomed = made.json()
        httpx.delete(f"{base}/api/tokens/{doomed['id']}", headers=bearer(token), timeout=60)
        used = httpx.get(f"{base}/api/me", headers=bearer(doomed["token"]), timeout=60)
        tokens_accepted += used.status_code == 200
    line(
        label,
        "3",
        f"deleted API token still accepted by GET /api/me right after DELETE /api/tokens/{{id}}:"
        f" {tokens_accepted} of {tokens_made} tries",
    )

    runs_seen = runs_made = 0
    with tempfile.TemporaryDirectory() as scratch:
        for n in range(TRIES):
            path = generate.write_run(Path(scratch) / f"short-{n}.gpx", 120, seed=30_000 + n)
            run = first_run(upload(base, token, path.name, path.read_bytes())[0])
            if run is None:
                continue
            runs_made += 1
            httpx.delete(f"{base}/api/runs/{run['id']}", headers=bearer(token), timeout=60)
            seen = httpx.get(f"{base}/api/runs/{run['id']}", headers=bearer(token), timeout=60)
            runs_seen += seen.status_code == 200
    line(
        label,
        "3",
        f"deleted run still answered by GET /api/runs/{{id}} right after DELETE: {runs_seen}"
        f" of {runs_made} tries",
    )

    sessions_accepted = sessions_made = 0
    refusals: collections.Counter[str] = collections.Counter()
    for _ in range(TRIES):
        signed = sign_in(base, "ann", PASSWORD)
        secret = signed.cookies.get(SESSION_COOKIE)
        if signed.status_code != 200 or secret is None:
            refusals[f"sign-in {signed.status_code}"] += 1
            continue
        out = httpx.delete(f"{base}/api/session", headers=cookie(secret), timeout=60)
        if out.status_code != 204:
            refusals[f"sign-out {out.status_code}"] += 1
            continue
        sessions_made += 1
        used = httpx.get(f"{base}/api/me", headers=cookie(secret), timeout=60)
        sessions_accepted += used.status_code == 200
    not_made = f" ({', '.join(f'{k}: {v}' for k, v in refusals.items())})" if refusals else ""
    line(
        label,
        "3",
        "signed-out session cookie still accepted by GET /api/me right after DELETE"
        f" /api/session: {sessions_accepted} of {sessions_made} tries{not_made}",
    )


def five_wrappings(label: str, base: str, token: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        raw = generate.write_run(Path(scratch) / "five-km.gpx", 1800, seed=77).read_bytes()
    wrappings = (
        ("five-km.gpx", raw, ".gpx"),
        ("five-km.gpx.gz", gzip.compress(raw, compresslevel=9, mtime=0), ".gpx.gz level 9"),
        ("five-km-fast.gpx.gz", gzip.compress(raw, compresslevel=1, mtime=0), "level 1"),
        ("five-km-crlf.gpx", raw.replace(b"\n", b"\r\n"), "CRLF"),
        ("five-km-newline.gpx", raw + b"\n", "extra newline"),
    )
    ids: set[int] = set()
    duplicates = 0
    outcomes: list[str] = []
    for name, data, what in wrappings:
        answer, _ = upload(base, token, name, data)
        run = first_run(answer)
        if run is None:
            outcomes.append(f"{what}: {answer.status_code}")
            continue
        ids.add(run["id"])
        duplicates += bool(run.get("duplicate"))
        outcomes.append(f"{what}: run {run['id']}{' (duplicate)' if run.get('duplicate') else ''}")
    total = httpx.get(f"{base}/api/runs?limit=1", headers=bearer(token), timeout=60).json()
    line(
        label,
        "5",
        f"one ~5 km run in 5 wrappings: {total['total']} runs stored, {duplicates} of 5 answers"
        f" said duplicate ({'; '.join(outcomes)})",
    )


def password_guessing(label: str, base: str, cli: serving.Cli) -> None:
    cli.add_runner("guessed", PASSWORD)
    seen: collections.Counter[int] = collections.Counter()
    retry_after: str | None = None
    started = time.perf_counter()
    for n in range(GUESSES):
        answer = sign_in(base, "guessed", f"wrong guess {n}")
        seen[answer.status_code] += 1
        retry_after = answer.headers.get("retry-after", retry_after)
    took_s = time.perf_counter() - started
    final = sign_in(base, "guessed", PASSWORD)
    others = {status: count for status, count in seen.items() if status not in (401, 429)}
    line(
        label,
        "8",
        f"{GUESSES} wrong passwords for one name in {took_s:.1f} s: 401 x{seen[401]},"
        f" 429 x{seen[429]}{f', other {others}' if others else ''}"
        f"{f' (last Retry-After {retry_after} s)' if retry_after else ''};"
        f" then the right password: {final.status_code}",
    )


def attack(label: str, cli: serving.Cli, size_of_database: Callable[[], int]) -> None:
    cli("db", "upgrade")
    cli.add_runner("ann", PASSWORD)
    cli.add_runner("wrapper", PASSWORD)
    ann = cli.token("ann")
    wrapper = cli.token("wrapper")
    with serving.served(cli, workers=2) as base:
        tiny_file_huge_run(label, base, cli, ann, size_of_database)
        read_your_writes(label, base, ann)
        five_wrappings(label, base, wrapper)
        password_guessing(label, base, cli)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also attack a server on this PostgreSQL database (a fresh schema in it)",
    )
    serving.add_heroicrun_option(parser)
    options = parser.parse_args()
    print(f"heroicrun: {options.heroicrun}")
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "attacks.db"
        cli = serving.Cli(options.heroicrun, f"sqlite:///{database}")
        attack("SQLite", cli, lambda: serving.sqlite_bytes(database))
    if options.postgres:
        with serving.postgres_schema(options.postgres) as url:
            if url is not None:
                attack(
                    "PostgreSQL",
                    serving.Cli(options.heroicrun, url),
                    lambda: serving.postgres_bytes(url),
                )


if __name__ == "__main__":
    main()

"""The runs API: uploads (files, .gz, zip archives, hostile ones), owners only, downloads, and a
server killed in the middle of an upload."""

from __future__ import annotations

import gzip
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from heroicrun import measuring, reading, settings, summary
from heroicrun.db import engine as db_engine
from heroicrun.db import migrate
from heroicrun.db.schema import Original, Run
from heroicrun.play import accounts, missions
from heroicrun.server import create_app, run_models
from heroicrun.settings import Settings
from tests.conftest import bearer, make_runner
from tests.helpers import runfiles

ROOT = Path(__file__).parents[1]
ATHENS = ROOT / "heroicrun" / "samples" / "athens-dawn-run.gpx"
SMALL = runfiles.short_run()
TCX = runfiles.tcx_run()  # another outing than SMALL's, or it would be a duplicate
FIT = runfiles.fit_run()
BAD = runfiles.cut_off()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<gpx version="1.1"><trk><name>&lol9;</name></trk></gpx>
"""


def app_from_environment() -> FastAPI:
    """The app as a server process builds it (uvicorn --factory), for the kill test."""
    return create_app(settings.from_environment())


def upload(client: TestClient, token: str, *files: tuple[str, bytes]) -> httpx.Response:
    return client.post(
        "/api/runs", headers=bearer(token), files=[("files", file) for file in files]
    )


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def stored(client: TestClient) -> tuple[int, int]:
    """How many runs and originals the database holds."""
    with client.app.state.readers() as session:  # type: ignore[attr-defined]
        run_count = session.scalar(select(func.count()).select_from(Run))
        original_count = session.scalar(select(func.count()).select_from(Original))
    return run_count or 0, original_count or 0


def test_an_uploaded_gpx_is_measured_and_stored(client: TestClient) -> None:
    token = make_runner(client, "ann")
    answer = upload(client, token, ("athens-dawn-run.gpx", ATHENS.read_bytes()))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["errors"] == [] and len(body["runs"]) == 1
    run = body["runs"][0]
    track = reading.read_path(ATHENS)
    expected = summary.describe(track, measuring.measure(track)).model_dump(mode="json")
    for name in ("distance_m", "elapsed_s", "moving_s", "pace_s_per_km", "kind", "start_time"):
        assert run[name] == expected[name], name
    assert run["file"] == "athens-dawn-run.gpx" and run["duplicate"] is False
    assert run["unlocked"] == [] and run["measured_with"]
    detail = client.get(f"/api/runs/{run['id']}", headers=bearer(token)).json()
    assert {key: detail[key] for key in expected if key != "file"} == {
        key: value for key, value in expected.items() if key != "file"
    }


def test_a_run_takes_a_title_and_notes_and_an_empty_title_is_the_default_again(
    client: TestClient,
) -> None:
    token = make_runner(client, "ann")
    [run] = upload(client, token, ("athens-dawn-run.gpx", ATHENS.read_bytes())).json()["runs"]
    path = f"/api/runs/{run['id']}"
    assert run["title"] is None and run["runner_notes"] is None
    changed = client.patch(
        path,
        headers=bearer(token),
        json={"title": "  Up to the\nAcropolis ", "notes": "Windy.\r\nNew shoes.\n"},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["title"], body["runner_notes"]) == ("Up to the Acropolis", "Windy.\nNew shoes.")
    assert body["notes"] == run["notes"]  # heroicrun's notes on measuring it are its own
    shown = client.get(path, headers=bearer(token)).json()
    assert shown["title"] == "Up to the Acropolis" and shown["marked_sport"] is None
    sport_only = client.patch(path, headers=bearer(token), json={"sport": "walking"}).json()
    assert sport_only["title"] == "Up to the Acropolis"  # a field left out stays
    cleared = client.patch(path, headers=bearer(token), json={"title": " ", "notes": None})
    assert (cleared.json()["title"], cleared.json()["runner_notes"]) == (None, None)
    too_long = client.patch(path, headers=bearer(token), json={"title": "x" * 121})
    assert too_long.status_code == 422
    long_notes = client.patch(path, headers=bearer(token), json={"notes": "x" * 5001})
    assert long_notes.status_code == 422


def test_the_same_file_again_is_a_duplicate(client: TestClient) -> None:
    token = make_runner(client, "ann")
    first = upload(client, token, ("a.gpx", SMALL.read_bytes())).json()["runs"][0]
    answer = upload(client, token, ("b.gpx", SMALL.read_bytes()))
    assert answer.status_code == 201
    again = answer.json()["runs"][0]
    assert again["duplicate"] is True and again["id"] == first["id"] and again["file"] == "a.gpx"
    assert client.get("/api/runs", headers=bearer(token)).json()["total"] == 1
    assert stored(client) == (1, 1)


def test_the_same_file_raced_by_two_clients_is_stored_once(client: TestClient) -> None:
    token = make_runner(client, "ann")
    answers: list[httpx.Response] = []
    gate = threading.Barrier(2)

    def go() -> None:
        gate.wait()
        answers.append(upload(client, token, ("race.gpx", ATHENS.read_bytes())))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [answer.status_code for answer in answers] == [201, 201]
    runs = [answer.json()["runs"][0] for answer in answers]
    assert sorted(run["duplicate"] for run in runs) == [False, True]
    assert runs[0]["id"] == runs[1]["id"]
    assert stored(client) == (1, 1)


def test_an_upload_says_what_it_unlocked(client: TestClient) -> None:
    token = make_runner(client, "ann")
    state = client.app.state  # type: ignore[attr-defined]
    with state.writers() as session:
        runner = accounts.runner_named(session, "ann")
        missions.enrol(
            session, state.catalog, runner, "run-from-the-horde", datetime(2026, 1, 1, tzinfo=UTC)
        )
        session.commit()
    first = upload(client, token, ("athens.gpx", ATHENS.read_bytes())).json()["runs"][0]
    assert [item["beat"] for item in first["unlocked"]] == ["supply-run"]
    assert first["unlocked"][0]["message"].startswith("Run From the Horde: ")
    again = upload(client, token, ("athens.gpx", ATHENS.read_bytes())).json()["runs"][0]
    assert again["duplicate"] is True and again["unlocked"] == []


def test_several_files_with_a_bad_one_store_the_rest(client: TestClient) -> None:
    token = make_runner(client, "ann")
    answer = upload(
        client,
        token,
        ("good.gpx", SMALL.read_bytes()),
        ("broken.gpx", BAD.read_bytes()),
        ("lap.tcx", TCX.read_bytes()),
    )
    assert answer.status_code == 201
    body = answer.json()
    assert [run["file"] for run in body["runs"]] == ["good.gpx", "lap.tcx"]
    assert body["errors"] == [
        {"file": "broken.gpx", "error": "broken.gpx: line 11: ends too early: the XML is cut off"}
    ]


def test_an_upload_where_every_file_fails_is_a_422_of_the_same_shape(client: TestClient) -> None:
    token = make_runner(client, "ann")
    answer = upload(client, token, ("empty.gpx", b""), ("notes.txt", b"hello"))
    assert answer.status_code == 422
    body = answer.json()
    assert body["runs"] == [] and [error["file"] for error in body["errors"]] == [
        "empty.gpx",
        "notes.txt",
    ]
    assert body["errors"][0]["error"] == "empty.gpx: is empty"
    assert body["detail"].startswith("empty.gpx: is empty; notes.txt: is not a GPX, TCX or FIT")
    assert stored(client) == (0, 0)


def test_an_upload_without_a_file_is_a_422(client: TestClient) -> None:
    token = make_runner(client, "ann")
    for answer in (
        client.post("/api/runs", headers=bearer(token)),
        client.post("/api/runs", headers=bearer(token), data={"note": "no file"}),
        client.post("/api/runs", headers=bearer(token), content=b"<gpx/>"),
    ):
        assert answer.status_code == 422
        body = answer.json()
        assert body["detail"].startswith("no file in the upload")
        assert body["runs"] == [] and body["errors"] == [
            {"file": "upload", "error": body["detail"]}
        ]


@pytest.mark.parametrize(
    ("content_type", "body", "problem"),
    [
        ("multipart/form-data", b"--b--", "Missing boundary in multipart."),
        ("multipart/form-data; boundary=b", b"garbage", "Invalid multipart data."),
        (
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="note"\r\n\r\n'
            + b"a" * 100_000
            + b"\r\n--b--\r\n",
            "Part exceeded maximum size of 64KB.",
        ),
    ],
)
def test_a_malformed_form_is_a_400(
    client: TestClient, content_type: str, body: bytes, problem: str
) -> None:
    token = make_runner(client, "ann")
    answer = client.post(
        "/api/runs", headers={**bearer(token), "Content-Type": content_type}, content=body
    )
    assert answer.status_code == 400 and answer.json() == {"detail": problem}


def test_an_upload_needs_a_token_before_its_body_is_read(client: TestClient) -> None:
    answer = client.post("/api/runs", files={"files": ("a.gpx", SMALL.read_bytes())})
    assert answer.status_code == 401
    assert stored(client) == (0, 0)


@pytest.fixture
def small_client(settings: Settings) -> Iterator[TestClient]:
    """A server that takes bodies of 1 MiB at most."""
    limited = Settings(database_url=settings.database_url, parse_workers=1, max_upload_bytes=2**20)
    with TestClient(create_app(limited)) as test_client:
        yield test_client


def test_an_oversized_body_is_a_413(small_client: TestClient) -> None:
    token = make_runner(small_client, "ann")
    declared = upload(small_client, token, ("huge.gpx", b"<" * (2**20 + 1)))
    assert declared.status_code == 413

    def streamed() -> Iterator[bytes]:  # no Content-Length: it is cut off as it arrives
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="huge.gpx"\r\n\r\n'
        for _ in range(40):
            yield b"<" * 65536
        yield b"\r\n--b--\r\n"

    chunked = small_client.post(
        "/api/runs",
        headers={**bearer(token), "Content-Type": "multipart/form-data; boundary=b"},
        content=streamed(),
    )
    assert chunked.status_code == 413
    assert chunked.json()["detail"] == "the upload is larger than 1 MiB, the most this server takes"
    assert stored(small_client) == (0, 0)


def test_a_zip_bomb_is_refused_by_name(client: TestClient) -> None:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("activities/bomb.gpx", "w", force_zip64=True) as member,
    ):
        zeros = b"\0" * 2**20
        for _ in range(80):  # 80 MiB of nothing: past every cap, 80 KB on disk
            member.write(zeros)
    assert len(buffer.getvalue()) < 200_000
    token = make_runner(client, "ann")
    answer = upload(client, token, ("export.zip", buffer.getvalue()))
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["file"] == "export.zip/activities/bomb.gpx"
    assert "looks like a zip bomb" in error["error"]


def test_an_archive_that_unpacks_past_the_total_cap_stops_there(
    small_client: TestClient,
) -> None:
    # Members that compress about 7:1 (random "a"/"b"): each is fine, together too much.
    members = {f"{n}.gpx": os.urandom(900_000).translate(b"ab" * 128) for n in range(5)}
    body = zipped(members)
    assert len(body) < 2**20
    token = make_runner(small_client, "ann")
    answer = upload(small_client, token, ("export.zip", body))
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors[-1]["file"] == "export.zip/4.gpx"
    assert "export.zip unpacks to more than 4 MiB in all" in errors[-1]["error"]


def test_a_zip_inside_a_zip_is_refused(client: TestClient) -> None:
    token = make_runner(client, "ann")
    inner = zipped({"run.gpx": SMALL.read_bytes()})
    disguised = zipped({"run.gpx": SMALL.read_bytes()})
    outer = zipped({"inner.zip": inner, "sneaky.gpx": disguised, "ok.gpx": ATHENS.read_bytes()})
    answer = upload(client, token, ("outer.zip", outer))
    assert answer.status_code == 201
    body = answer.json()
    assert [run["file"] for run in body["runs"]] == ["ok.gpx"]
    assert [error["file"] for error in body["errors"]] == [
        "outer.zip/inner.zip",
        "outer.zip/sneaky.gpx",
    ]
    assert all("archive inside an archive" in error["error"] for error in body["errors"])


def test_a_phone_export_zip_stores_each_run_and_notes_the_rest(client: TestClient) -> None:
    token = make_runner(client, "ann")
    export = zipped(
        {
            "activities/1.gpx": SMALL.read_bytes(),
            "activities/2.fit.gz": gzip.compress(FIT.read_bytes()),
            "activities/3.tcx": TCX.read_bytes(),
            "activities.csv": b"id,name\n",
        }
    )
    answer = upload(client, token, ("export.zip", export))
    assert answer.status_code == 201
    body = answer.json()
    assert [(run["file"], run["format"]) for run in body["runs"]] == [
        ("1.gpx", "gpx"),
        ("2.fit.gz", "fit"),
        ("3.tcx", "tcx"),
    ]
    assert body["errors"] == [] and "detail" not in body
    assert body["skipped"] == [
        {
            "file": "export.zip",
            "reason": "1 file(s) that are not GPX, TCX or FIT were left alone: activities.csv",
        }
    ]


def test_a_billion_laughs_gpx_is_refused_by_name(client: TestClient) -> None:
    token = make_runner(client, "ann")
    answer = upload(client, token, ("laughs.gpx", BILLION_LAUGHS))
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["file"] == "laughs.gpx"
    assert error["error"].startswith("laughs.gpx: line 2: contains a DOCTYPE declaration")


def test_a_path_for_a_file_name_is_kept_as_a_name_only(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    token = make_runner(client, "ann")
    answer = upload(client, token, ("../../etc/passwd", SMALL.read_bytes()))
    assert answer.status_code == 201
    run = answer.json()["runs"][0]
    assert run["file"] == "passwd"
    original = client.get(f"/api/runs/{run['id']}/original", headers=bearer(token))
    assert original.headers["content-disposition"] == 'attachment; filename="passwd"'
    assert original.content == SMALL.read_bytes()
    assert sorted(tmp_path.rglob("*")) == before  # nothing written next to the server


def test_a_fit_file_and_a_gz_file_are_read(client: TestClient) -> None:
    token = make_runner(client, "ann")
    answer = upload(
        client,
        token,
        ("watch.fit", FIT.read_bytes()),
        ("athens.gpx.gz", gzip.compress(ATHENS.read_bytes())),
    )
    assert answer.status_code == 201 and answer.json()["errors"] == []
    fit_run, gz_run = answer.json()["runs"]
    assert fit_run["format"] == "fit" and fit_run["distance_m"] > 0
    assert gz_run["format"] == "gpx" and gz_run["distance_m"] == pytest.approx(5945.5, abs=1)
    original = client.get(f"/api/runs/{gz_run['id']}/original", headers=bearer(token))
    assert original.headers["content-type"] == "application/gzip"
    assert gzip.decompress(original.content) == ATHENS.read_bytes()
    fit_original = client.get(f"/api/runs/{fit_run['id']}/original", headers=bearer(token))
    assert fit_original.headers["content-type"] == "application/vnd.ant.fit"


def test_a_download_names_a_non_ascii_file_both_ways(client: TestClient) -> None:
    token = make_runner(client, "ann")
    run = upload(client, token, ("Αθήνα run.gpx", SMALL.read_bytes())).json()["runs"][0]
    original = client.get(f"/api/runs/{run['id']}/original", headers=bearer(token))
    assert original.headers["content-disposition"] == (
        'attachment; filename="_____ run.gpx"; '
        "filename*=UTF-8''%CE%91%CE%B8%CE%AE%CE%BD%CE%B1%20run.gpx"
    )
    assert original.headers["content-type"].startswith("application/gpx+xml")


def test_a_runner_cannot_reach_another_runners_run(client: TestClient) -> None:
    ann, bob = make_runner(client, "ann"), make_runner(client, "bob")
    run_id = upload(client, ann, ("mine.gpx", SMALL.read_bytes())).json()["runs"][0]["id"]
    missing = client.get("/api/runs/999999", headers=bearer(bob))
    assert missing.status_code == 404
    for method, path in (
        ("GET", f"/api/runs/{run_id}"),
        ("GET", f"/api/runs/{run_id}/original"),
        ("DELETE", f"/api/runs/{run_id}"),
    ):
        answer = client.request(method, path, headers=bearer(bob))
        assert answer.status_code == 404, (method, path)
        assert answer.json()["detail"] == f"there is no run {run_id}"
    assert client.get("/api/runs", headers=bearer(bob)).json()["total"] == 0
    # Bob uploading the same file gets a run of his own, not Ann's.
    theirs = upload(client, bob, ("same.gpx", SMALL.read_bytes())).json()["runs"][0]
    assert theirs["duplicate"] is False and theirs["id"] != run_id
    assert client.get(f"/api/runs/{run_id}", headers=bearer(ann)).status_code == 200


def test_a_deleted_run_leaves_the_list(client: TestClient) -> None:
    token = make_runner(client, "ann")
    body = upload(client, token, ("a.gpx", SMALL.read_bytes()), ("b.gpx", ATHENS.read_bytes()))
    first, second = (run["id"] for run in body.json()["runs"])
    assert client.delete(f"/api/runs/{first}", headers=bearer(token)).status_code == 204
    listed = client.get("/api/runs", headers=bearer(token)).json()
    assert listed["total"] == 1 and [run["id"] for run in listed["runs"]] == [second]
    assert listed["limit"] == 50 and listed["offset"] == 0
    assert client.get(f"/api/runs/{first}", headers=bearer(token)).status_code == 404
    assert client.delete(f"/api/runs/{first}", headers=bearer(token)).status_code == 404
    assert stored(client) == (1, 1)


def test_runs_are_listed_a_page_at_a_time(client: TestClient) -> None:
    token = make_runner(client, "ann")
    upload(client, token, ("a.gpx", SMALL.read_bytes()), ("b.gpx", ATHENS.read_bytes()))
    upload(client, token, ("c.fit", FIT.read_bytes()))
    page = client.get("/api/runs?limit=2&offset=1", headers=bearer(token)).json()
    assert page["total"] == 3 and len(page["runs"]) == 2
    assert (page["limit"], page["offset"]) == (2, 1)
    for bad in ("limit=0", "limit=501", "offset=-1", "limit=x"):
        assert client.get(f"/api/runs?{bad}", headers=bearer(token)).status_code == 422
    assert client.get("/api/runs/99999999999", headers=bearer(token)).status_code == 422


def test_the_openapi_document_describes_the_runs_routes(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    assert set(paths["/api/runs"]) == {"get", "post"}
    assert set(paths["/api/runs/{run_id}"]) == {"get", "patch", "delete"}
    assert "get" in paths["/api/runs/{run_id}/original"]
    schemas = document["components"]["schemas"]
    assert {"Upload", "UploadedRun", "RunDetail", "RunPage", "FileError"} <= set(schemas)
    assert {"MissionCredit", "UploadSummary", "Chapter", "RunChanges"} <= set(schemas)
    credit = schemas["MissionCredit"]["properties"]
    assert {
        "mission",
        "counted_km",
        "km_before",
        "km_after",
        "next_place",
        "to_next_km",
        "unlocked",
        "reason",
    } <= set(credit)
    assert set(schemas["UploadSummary"]["properties"]) == {
        "stored",
        "duplicates",
        "refused",
        "not_counted",
    }
    assert "progress" in schemas["UploadedRun"]["properties"]
    assert "summary" in schemas["Upload"]["required"]
    patched = paths["/api/runs/{run_id}"]["patch"]
    assert patched["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/RunChanges"
    )
    posted = paths["/api/runs"]["post"]["responses"]
    assert posted["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/Upload")
    assert posted["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/Upload")


def test_a_run_detail_has_every_field_of_check_json_and_a_brief_leaves_the_lists_out() -> None:
    track = reading.read_path(ATHENS)
    described = summary.describe(track, measuring.measure(track)).model_dump(mode="json")
    detail = run_models.RunDetail.model_json_schema(mode="serialization")["properties"]
    brief = run_models.RunBrief.model_json_schema(mode="serialization")["properties"]
    assert set(described) <= set(detail)
    stored = {"id", "uploaded_at", "measured_with", "overlaps_run", "not_counted", "marked_sport"}
    stored |= {"title", "default_title", "runner_notes"}
    assert set(brief) - stored <= set(described)
    assert {"not_counted", "marked_sport", "title", "runner_notes"} <= set(brief) & set(detail)
    assert {"splits", "splits_mile", "best_efforts", "dropped", "unlisted"}.isdisjoint(brief)


# A real server process, killed with SIGKILL in the middle of an upload.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(port: int, database_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HEROICRUN_DATABASE_URL": database_url, "HEROICRUN_PARSE_WORKERS": "1"}
    with log.open("ab") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                f"{__name__}:app_from_environment",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to find what it leaves behind
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
        if server.poll() is not None:
            break
    server.kill()
    raise AssertionError(f"the server did not start:\n{log.read_text()}")


def living(group: int) -> list[int]:
    """The processes of a process group that are not yet zombies."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def stop(server: subprocess.Popen[bytes], hard: bool = False) -> None:
    os.kill(server.pid, signal.SIGKILL if hard else signal.SIGTERM)
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="looks for leftover processes in /proc")
def test_a_server_killed_mid_upload_loses_nothing_and_keeps_no_half_run(
    database_url: str, tmp_path: Path
) -> None:
    engine = db_engine.connect(database_url)
    migrate.upgrade(engine)
    with db_engine.writers(engine)() as session:
        token = accounts.create_token(session, accounts.add_runner(session, "ann", None), "t")
        session.commit()
    port, log = free_port(), tmp_path / "server.log"
    server = start_server(port, database_url, log)
    base, headers = f"http://127.0.0.1:{port}", bearer(token)
    try:
        first = httpx.post(
            f"{base}/api/runs", headers=headers, files={"files": ("first.gpx", ATHENS.read_bytes())}
        )
        assert first.status_code == 201, first.text
        run = first.json()["runs"][0]
        # A big upload that stops halfway: the server dies while it is still arriving.
        part = (
            b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.gpx"\r\n\r\n'
            + ATHENS.read_bytes() * 8
        )
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(
                b"POST /api/runs HTTP/1.1\r\nHost: x\r\n"
                + f"Authorization: Bearer {token}\r\n".encode()
                + b"Content-Type: multipart/form-data; boundary=b\r\n"
                + f"Content-Length: {len(part) * 3}\r\n\r\n".encode()
                + part
            )
            time.sleep(0.5)
            stop(server, hard=True)
        deadline = time.monotonic() + 10
        while living(server.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert living(server.pid) == [], "the server's workers outlived it"

        server = start_server(port, database_url, log)
        listed = httpx.get(f"{base}/api/runs", headers=headers).json()
        assert listed["total"] == 1 and listed["runs"][0]["id"] == run["id"]
        again = httpx.get(f"{base}/api/runs/{run['id']}", headers=headers).json()
        assert again["distance_m"] == run["distance_m"]
        original = httpx.get(f"{base}/api/runs/{run['id']}/original", headers=headers)
        assert original.content == ATHENS.read_bytes()
        with db_engine.readers(engine)() as session:
            assert session.scalar(select(func.count()).select_from(Run)) == 1
            assert session.scalar(select(func.count()).select_from(Original)) == 1
    finally:
        if server.poll() is None:
            stop(server)
        for pid in living(server.pid):
            os.kill(pid, signal.SIGKILL)
        engine.dispose()


def test_response_models_accept_what_the_routes_return(client: TestClient) -> None:
    token = make_runner(client, "ann")
    run_id = upload(client, token, ("a.gpx", ATHENS.read_bytes())).json()["runs"][0]["id"]
    detail: dict[str, Any] = client.get(f"/api/runs/{run_id}", headers=bearer(token)).json()
    assert run_models.RunDetail.model_validate(detail).id == run_id
    assert detail["splits"] and detail["best_efforts"]

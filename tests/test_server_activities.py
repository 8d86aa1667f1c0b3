"""The runs API counts an activity once: whatever file carries it, whichever device recorded it."""

from __future__ import annotations

import gzip
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from geopy.distance import geodesic

from tests.conftest import bearer, make_runner
from tests.factory import START, TrackBuilder
from tests.helpers.enrolling import SAMPLE_DAWN, enrol
from tests.helpers.files import gpx_text

ATHENS = Path(__file__).parents[1] / "heroicrun" / "samples" / "athens-dawn-run.gpx"
MORNING = datetime(2024, 5, 2, 6, 0, tzinfo=UTC)


def upload(client: TestClient, token: str, *files: tuple[str, bytes]) -> list[dict[str, Any]]:
    answer = client.post(
        "/api/runs", headers=bearer(token), files=[("files", file) for file in files]
    )
    assert answer.status_code == 201, answer.text
    runs: list[dict[str, Any]] = answer.json()["runs"]
    return runs


def zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def outing(start: datetime, km: float, duration_s: float, step_s: float, east_m: float) -> bytes:
    begin = geodesic(meters=east_m).destination(START, 90)
    builder = TrackBuilder((begin.latitude, begin.longitude), start_time_s=start.timestamp())
    return gpx_text(builder.run(km * 1000, duration_s, step_s=step_s).build())


def test_one_run_sent_in_six_wrappings_is_one_run(client: TestClient) -> None:
    token = make_runner(client, "ann")
    enrol(client, token, "reach-sparta", SAMPLE_DAWN)
    data = ATHENS.read_bytes()
    found = upload(
        client,
        token,
        ("athens.gpx", data),
        ("athens.gpx.gz", gzip.compress(data)),
        ("again.gpx.gz", gzip.compress(data, compresslevel=1, mtime=1)),
        ("windows.gpx", data.replace(b"\n", b"\r\n")),
        ("edited.gpx", data + b"\n"),
        ("export.zip", zipped("activities/1.gpx", data.replace(b"\n", b"\r\n"))),
    )
    assert [run["duplicate"] for run in found] == [False] + [True] * 5
    assert {run["id"] for run in found} == {found[0]["id"]}
    assert {run["file"] for run in found} == {"athens.gpx"}
    assert client.get("/api/runs", headers=bearer(token)).json()["total"] == 1
    progress = client.get("/api/missions/reach-sparta/progress", headers=bearer(token)).json()
    assert abs(progress["progress_km"] - 5.95) < 0.01


def test_a_watch_and_a_phone_on_one_outing_count_once(client: TestClient) -> None:
    token = make_runner(client, "ann")
    watch_file = outing(MORNING, 5.0, 1800, 2.0, 0.0)
    phone_file = outing(MORNING + timedelta(seconds=60), 4.7, 1700, 3.0, 4.0)
    [watch, phone] = upload(client, token, ("watch.gpx", watch_file), ("phone.gpx", phone_file))
    assert watch["overlaps_run"] is None and watch["not_counted"] is None
    assert not phone["duplicate"] and phone["overlaps_run"] == watch["id"]
    said = f"the same outing as run {watch['id']} (overlaps 94 % of it)"
    assert phone["not_counted"] == said
    detail = client.get(f"/api/runs/{phone['id']}", headers=bearer(token)).json()
    assert detail["overlaps_run"] == watch["id"] and detail["not_counted"] == said

    gone = client.delete(f"/api/runs/{watch['id']}", headers=bearer(token))
    assert gone.status_code == 204
    detail = client.get(f"/api/runs/{phone['id']}", headers=bearer(token)).json()
    assert detail["overlaps_run"] is None and detail["not_counted"] is None


def test_the_fields_are_in_the_openapi_document(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("UploadedRun", "RunDetail"):
        assert {"overlaps_run", "not_counted"} <= set(schemas[name]["properties"]), name

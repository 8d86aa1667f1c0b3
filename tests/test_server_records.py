"""GET /api/records: your best at each distance, the best it beat, this year's; yours only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from heroicrun.db.schema import Runner
from tests.conftest import bearer, make_runner
from tests.helpers.year_of_runs import stored


def runner_named(client: TestClient, name: str) -> tuple[str, list[int]]:
    """A runner with a token, and three runs of theirs this year and last: 5 km in 30:00, then
    25:00 (the record), then 10 km at 5:30 a km; their ids."""
    token = make_runner(client, name)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with client.app.state.writers() as session:  # type: ignore[attr-defined]
        runner = session.scalar(select(Runner).where(Runner.name == name))
        assert runner is not None
        starts = [today - timedelta(days=days) for days in (400, 380, 0)]  # the last: this year
        ids = [
            stored(session, runner, km, start, pace).id
            for km, start, pace in zip((5, 5, 10), starts, (360, 300, 330), strict=True)
        ]
        session.commit()
    return token, ids


def test_records_name_the_run_the_date_and_the_best_beaten(client: TestClient) -> None:
    token, (first, record, recent) = runner_named(client, "ann")

    answer = client.get("/api/records", headers=bearer(token))

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["year"] == datetime.now(UTC).year
    found = {item["name"]: item for item in body["records"]}
    five = found["5 km"]
    assert five["best"]["run_id"] == record
    assert five["best"]["elapsed_s"] == pytest.approx(1500, abs=0.5)
    assert five["best"]["pace_s_per_km"] == pytest.approx(300, abs=0.1)
    assert five["best"]["start_time"].endswith("Z") or "+00:00" in five["best"]["start_time"]
    assert five["previous"]["run_id"] == first
    assert five["beaten_by_s"] == pytest.approx(300, abs=0.5)
    assert five["records_set"] == 2
    assert five["this_year"]["run_id"] == recent  # 27:30 in the 10 km run
    assert five["this_year"]["elapsed_s"] == pytest.approx(1650, abs=0.5)
    ten = found["10 km"]
    assert (ten["best"]["run_id"], ten["previous"], ten["beaten_by_s"]) == (recent, None, None)
    assert [item["distance_m"] for item in body["records"]] == sorted(
        item["distance_m"] for item in body["records"]
    )


def test_records_are_the_runners_own(client: TestClient) -> None:
    runner_named(client, "ann")
    bob = make_runner(client, "bob")

    answer = client.get("/api/records", headers=bearer(bob))

    assert answer.status_code == 200
    assert answer.json()["records"] == []


def test_records_need_a_token(client: TestClient) -> None:
    assert client.get("/api/records").status_code == 401
    assert client.get("/api/records", headers=bearer("not-a-token")).status_code == 401


def test_the_api_document_shows_records(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/api/records"]["get"]
    assert operation["tags"] == ["records"]
    assert "Records" in document["components"]["schemas"]
    assert "previous" in document["components"]["schemas"]["RecordOut"]["properties"]

"""Enrolling through the API at a moment of the test's choosing: a run counts for a mission only
when recorded no earlier than a day before enrolling, and the test files are dated."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from heroicrun.server import missions as mission_routes
from tests.factory import T0

# The morning of the factory's first day: every file of tests.helpers.runfiles is after it.
FIRST_MORNING = datetime.fromtimestamp(T0, UTC)
# An hour before the bundled sample run (heroicrun/samples/athens-dawn-run.gpx) set out.
SAMPLE_DAWN = datetime(2026, 9, 26, 4, 0, tzinfo=UTC)


def enrol(client: TestClient, token: str, mission_id: str, at: datetime = FIRST_MORNING) -> Any:
    """Enrol the token's runner in a mission as if it were `at`; the enrolment as the API says."""
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(mission_routes, "_now", lambda: at)
        answer = client.post(
            f"/api/missions/{mission_id}/enrol", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 201, answer.text
    return answer.json()

"""The clubs API: making a club, joining it by code, members, leaving, removing, a new code;
and a club is not there for anyone outside it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from heroicrun.play import accounts, throttle
from tests.conftest import bearer, make_runner


@pytest.fixture
def tokens(client: TestClient) -> dict[str, str]:
    """Three runners who will share a club, and a fourth outside it."""
    return {name: make_runner(client, name) for name in ("ann", "bea", "cal", "dan")}


def call(client: TestClient, token: str, method: str, url: str, **kwargs: Any) -> Any:
    return client.request(method, url, headers=bearer(token), **kwargs)


@pytest.fixture
def club(client: TestClient, tokens: dict[str, str]) -> dict[str, Any]:
    """Ann's club, which bea and cal joined."""
    made = call(client, tokens["ann"], "POST", "/api/clubs", json={"name": "Runners of Megara"})
    assert made.status_code == 201, made.text
    for name in ("bea", "cal"):
        joined = call(
            client, tokens[name], "POST", "/api/clubs/join", json={"code": made.json()["code"]}
        )
        assert joined.status_code == 200, joined.text
    found: dict[str, Any] = made.json()
    return found


def members(client: TestClient, token: str, club_id: int) -> list[tuple[str, bool, bool]]:
    shown = call(client, token, "GET", f"/api/clubs/{club_id}")
    assert shown.status_code == 200, shown.text
    return [(m["name"], m["owner"], m["current"]) for m in shown.json()["members"]]


def test_a_club_is_made_and_joined_by_its_code(client: TestClient, tokens: dict[str, str]) -> None:
    made = call(client, tokens["ann"], "POST", "/api/clubs", json={"name": " Runners of Megara "})
    assert made.status_code == 201
    club = made.json()
    assert (club["name"], club["owner"]) == ("Runners of Megara", "ann")
    assert club["invite"] == f"/clubs/join?code={club['code']}"
    assert [m["name"] for m in club["members"]] == ["ann"]
    joined = call(
        client, tokens["bea"], "POST", "/api/clubs/join", json={"code": f" {club['code'].upper()} "}
    )
    assert joined.status_code == 200
    assert joined.json()["id"] == club["id"] and joined.json()["code"] == club["code"]
    link = {"code": f"http://testserver{club['invite']}"}
    assert call(client, tokens["cal"], "POST", "/api/clubs/join", json=link).status_code == 200
    again = call(client, tokens["cal"], "POST", "/api/clubs/join", json=link)
    assert again.status_code == 200
    assert members(client, tokens["cal"], club["id"]) == [
        ("ann", True, True),
        ("bea", False, True),
        ("cal", False, True),
    ]
    listed = call(client, tokens["bea"], "GET", "/api/clubs").json()
    assert listed == [
        {
            "id": club["id"],
            "name": "Runners of Megara",
            "code": club["code"],
            "owner": "ann",
            "current_members": 3,
        }
    ]
    assert call(client, tokens["dan"], "GET", "/api/clubs").json() == []


def test_members_see_names_only(
    client: TestClient, tokens: dict[str, str], club: dict[str, Any]
) -> None:
    shown = call(client, tokens["bea"], "GET", f"/api/clubs/{club['id']}").json()
    assert set(shown) == {"id", "name", "code", "invite", "owner", "members"}
    for member in shown["members"]:
        assert set(member) == {"name", "joined_at", "left_at", "owner", "current"}


def test_leaving_removing_and_the_owner_handing_over(
    client: TestClient, tokens: dict[str, str], club: dict[str, Any]
) -> None:
    club_id = club["id"]
    url = f"/api/clubs/{club_id}/members"
    refused = call(client, tokens["bea"], "DELETE", f"{url}/cal")
    assert refused.status_code == 403 and "owner" in refused.json()["detail"]
    assert call(client, tokens["ann"], "DELETE", f"{url}/cal").status_code == 204
    assert call(client, tokens["cal"], "GET", f"/api/clubs/{club_id}").status_code == 404
    assert call(client, tokens["ann"], "DELETE", f"{url}/cal").status_code == 404  # not in it
    # The owner leaves: bea, the longest-standing member, owns the club now.
    assert call(client, tokens["ann"], "DELETE", f"{url}/ann").status_code == 204
    assert members(client, tokens["bea"], club_id) == [
        ("bea", True, True),
        ("ann", False, False),  # former members: who left last first
        ("cal", False, False),
    ]
    # The last one out ends the club; its code joins nothing any more.
    assert call(client, tokens["bea"], "DELETE", f"{url}/bea").status_code == 204
    assert call(client, tokens["bea"], "GET", f"/api/clubs/{club_id}").status_code == 404
    rejoin = call(client, tokens["ann"], "POST", "/api/clubs/join", json={"code": club["code"]})
    assert rejoin.status_code == 404


def test_a_new_code_shuts_out_the_old_one(
    client: TestClient, tokens: dict[str, str], club: dict[str, Any]
) -> None:
    url = f"/api/clubs/{club['id']}/code"
    assert call(client, tokens["bea"], "POST", url).status_code == 403
    rotated = call(client, tokens["ann"], "POST", url)
    assert rotated.status_code == 200
    new = rotated.json()["code"]
    assert new != club["code"]
    old = call(client, tokens["dan"], "POST", "/api/clubs/join", json={"code": club["code"]})
    assert old.status_code == 404 and old.json() == {"detail": "no club has that code"}
    assert (
        call(client, tokens["dan"], "POST", "/api/clubs/join", json={"code": new}).status_code
        == 200
    )
    assert members(client, tokens["bea"], club["id"])[-1] == ("dan", False, True)


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("POST", "/api/clubs", None, 422),
        ("POST", "/api/clubs", {}, 422),
        ("POST", "/api/clubs", {"name": 7}, 422),
        ("POST", "/api/clubs", {"name": ""}, 400),
        ("POST", "/api/clubs", {"name": "x" * 65}, 400),
        ("POST", "/api/clubs", {"name": "nul\u0000"}, 400),
        ("POST", "/api/clubs/join", None, 422),
        ("POST", "/api/clubs/join", {"code": ["a"]}, 422),
        ("POST", "/api/clubs/join", {"code": "\u0000"}, 404),
        ("GET", "/api/clubs/abc", None, 422),
        ("GET", "/api/clubs/99999999999999999999", None, 422),
        ("DELETE", "/api/clubs/1/members/nobody%00", None, 404),
    ],
)
def test_bad_requests_say_what_is_wrong(
    client: TestClient,
    tokens: dict[str, str],
    method: str,
    url: str,
    body: Any,
    status: int,
) -> None:
    answer = call(client, tokens["ann"], method, url, json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]


def test_guessing_codes_is_throttled(
    client: TestClient,
    tokens: dict[str, str],
    club: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    moment = [accounts.now()]
    monkeypatch.setattr(throttle, "now", lambda: moment[0])
    for guess in range(throttle.NAME_FAILURES):
        wrong = call(
            client, tokens["dan"], "POST", "/api/clubs/join", json={"code": f"guess{guess}"}
        )
        assert wrong.status_code == 404
    refused = call(client, tokens["dan"], "POST", "/api/clubs/join", json={"code": club["code"]})
    assert refused.status_code == 429
    assert "too many wrong club codes" in refused.json()["detail"]
    assert int(refused.headers["Retry-After"]) >= 1
    # Another runner is not held back by dan's guesses, nor dan's password by his codes.
    assert call(client, tokens["cal"], "GET", "/api/clubs").status_code == 200
    signed = TestClient(client.app).post(
        "/api/session", json={"name": "dan", "password": "correct horse"}
    )
    assert signed.status_code == 200
    moment[0] += throttle.FIRST_BLOCK + timedelta(seconds=1)
    joined = call(client, tokens["dan"], "POST", "/api/clubs/join", json={"code": club["code"]})
    assert joined.status_code == 200


def test_an_outsider_finds_no_club_by_any_route(
    client: TestClient, tokens: dict[str, str], club: dict[str, Any]
) -> None:
    spec = client.get("/openapi.json").json()
    absent = 2**31 - 1
    walked = 0
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/clubs/{club_id}"):
            continue
        for method in operations:
            walked += 1
            values = {"runner_name": "ann", "mission_id": "reach-sparta", "mission": "reach-sparta"}
            url = path.format_map({**values, "club_id": club["id"]})
            answer = call(client, tokens["dan"], method.upper(), url, json={})
            where = f"{method.upper()} {url}"
            assert answer.status_code == 404, where
            missing = path.format_map({**values, "club_id": absent})
            other = call(client, tokens["dan"], method.upper(), missing, json={})
            assert other.status_code == 404, where
            assert answer.text.replace(str(club["id"]), "ID") == other.text.replace(
                str(absent), "ID"
            ), where
            assert club["code"] not in answer.text and "Megara" not in answer.text, where
    assert walked >= 3
    # Nothing changed for the members.
    assert [m[0] for m in members(client, tokens["ann"], club["id"])] == ["ann", "bea", "cal"]
    assert call(client, tokens["ann"], "GET", "/api/clubs").json()[0]["code"] == club["code"]

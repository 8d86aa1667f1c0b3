"""Signing in as a browser would, and the form token pages carry."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "correct horse"  # tests.conftest.make_runner's
FORM_TOKEN = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def form_token(page: str) -> str:
    """The form token of the first form on a page."""
    found = FORM_TOKEN.search(page)
    assert found, page
    return found.group(1)


def sign_in(client: TestClient, name: str = "ann", password: str = PASSWORD) -> str:
    """Sign in through the form, keeping the session cookie; returns the form token for the
    pages that follow."""
    form = client.get("/signin")
    answer = client.post(
        "/signin",
        data={"name": name, "password": password, "csrf": form_token(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return form_token(client.get("/upload").text)

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


def post_upload(
    client: TestClient, form_token: str, *files: tuple[str, bytes], fragment: bool = False
) -> str:
    """Send files through the upload page's form; the page that answers."""
    sent = [("files", (name, data, "application/gpx+xml")) for name, data in files]
    path = "/upload?fragment=1" if fragment else "/upload"
    answer = client.post(path, data={"csrf": form_token}, files=sent)
    assert answer.status_code in (200, 422), answer.text
    return answer.text

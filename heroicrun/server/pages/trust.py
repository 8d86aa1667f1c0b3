"""The server's own certificate authority, for phones on a home network: /ca.crt and the page
that explains how to trust it."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)

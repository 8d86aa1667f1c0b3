"""Commands for server (being written)."""

from __future__ import annotations

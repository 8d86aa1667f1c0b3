"""Commands for accounts (being written)."""

from __future__ import annotations

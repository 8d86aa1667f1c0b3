"""Commands for runs (being written)."""

from __future__ import annotations

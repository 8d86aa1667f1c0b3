"""`heroicrun club`: clubs from a shell."""

from __future__ import annotations

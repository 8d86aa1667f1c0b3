"""`heroicrun progress`: where a runner stands in every mission, from a shell."""

from __future__ import annotations

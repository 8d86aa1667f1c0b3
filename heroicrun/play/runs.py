"""Storing runs: originals kept by content, measured once, deduplicated per runner (being written)."""

from __future__ import annotations

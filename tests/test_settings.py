"""Settings from the environment, with defaults that work on a laptop."""

from __future__ import annotations

from pathlib import Path

from heroicrun import settings


def test_defaults_need_nothing_set() -> None:
    chosen = settings.from_environment({})
    assert chosen.database_url.startswith("sqlite:///")
    assert chosen.database_url.endswith("heroicrun.db")
    assert chosen.max_upload_bytes == 64 * 1024 * 1024
    assert chosen.missions_dir is None
    assert chosen.parse_timeout_s == 60.0


def test_every_variable_is_read() -> None:
    chosen = settings.from_environment(
        {
            "HEROICRUN_DATABASE_URL": "postgresql+psycopg://club@db/heroicrun",
            "HEROICRUN_MAX_UPLOAD_BYTES": "1048576",
            "HEROICRUN_MISSIONS_DIR": "/srv/missions",
            "HEROICRUN_PARSE_WORKERS": "4",
            "HEROICRUN_PARSE_TIMEOUT_S": "15",
        }
    )
    assert chosen.database_url == "postgresql+psycopg://club@db/heroicrun"
    assert chosen.max_upload_bytes == 1048576
    assert chosen.missions_dir == Path("/srv/missions")
    assert (chosen.parse_workers, chosen.parse_timeout_s) == (4, 15.0)

"""Where heroicrun keeps things and how much it accepts: read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 * 1024  # a 36-hour run recorded every second, with room
# `serve --https` names its certificate authority here for its worker processes.
TLS_CA_VARIABLE = "HEROICRUN_TLS_CA"


@dataclass(frozen=True)
class Settings:
    """The server's configuration; every field has a default that works on a laptop."""

    database_url: str
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    missions_dir: Path | None = None  # None: the bundled catalog
    parse_workers: int = 2  # processes reading uploaded files
    parse_timeout_s: float = 60.0  # a file that takes longer to read is refused
    # The certificate authority `serve --https` made (heroicrun.certificates), handed out at
    # /ca.crt; None over plain http.
    tls_ca: Path | None = None


def data_dir() -> Path:
    """The per-user folder for the default SQLite database."""
    return Path(platformdirs.user_data_dir("heroicrun", appauthor=False))


def default_database_url() -> str:
    """SQLite in the user's data folder: nothing to set up."""
    return f"sqlite:///{data_dir() / 'heroicrun.db'}"


def from_environment(environ: dict[str, str] | None = None) -> Settings:
    """Settings from HEROICRUN_* variables (HEROICRUN_DATABASE_URL, HEROICRUN_MAX_UPLOAD_BYTES,
    HEROICRUN_MISSIONS_DIR, HEROICRUN_PARSE_WORKERS, HEROICRUN_PARSE_TIMEOUT_S, HEROICRUN_TLS_CA),
    defaults for the rest."""
    env = os.environ if environ is None else environ
    missions = env.get("HEROICRUN_MISSIONS_DIR")
    authority = env.get(TLS_CA_VARIABLE)
    return Settings(
        database_url=env.get("HEROICRUN_DATABASE_URL") or default_database_url(),
        max_upload_bytes=int(env.get("HEROICRUN_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)),
        missions_dir=Path(missions) if missions else None,
        parse_workers=int(env.get("HEROICRUN_PARSE_WORKERS", "2")),
        parse_timeout_s=float(env.get("HEROICRUN_PARSE_TIMEOUT_S", "60")),
        tls_ca=Path(authority) if authority else None,
    )

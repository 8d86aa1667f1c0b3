"""Storing runs: originals kept by content, measured once, deduplicated per runner.

An uploaded file's bytes are kept gzip-compressed under their SHA-256 (shared when two runners
upload the same file), never under the name the client gave; the name is shown, nothing more.
The run stores what `heroicrun.summary.describe` says of the file (the fields of `check --json`)
and the heroicrun version that measured it, so `recompute` can measure every run again.

`record` runs its own transactions: the file is read with no database lock held, then the run is
stored in one transaction, so a run is either all there or not there at all.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from heroicrun import __version__, reading
from heroicrun.db.schema import Original, Run, Runner, Verdict
from heroicrun.missions.loading import Catalog
from heroicrun.play import NotFound, PlayError, missions, uploads
from heroicrun.play.parsing import Parser


class Unreadable(PlayError):
    """A file that is not a run heroicrun can read; the message names the file."""

    status = 422


class Damaged(PlayError):
    """A stored original that no longer unpacks or matches its checksum."""

    status = 500


@dataclass(frozen=True)
class StoredRun:
    """A stored run as plain values; `summary` has the fields of `check --json`."""

    id: int
    runner_id: int
    file_name: str
    sha256: str
    summary: dict[str, Any]
    uploaded_at: datetime  # UTC
    measured_with: str


@dataclass(frozen=True)
class Recorded:
    """What storing one file did: the run, whether it was already there, what it unlocked."""

    run: StoredRun
    duplicate: bool
    unlocked: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RunPage:
    """Some of a runner's runs, newest first, and how many they have in all."""

    runs: list[StoredRun]
    total: int


@dataclass
class RecomputeReport:
    """What `recompute` measured again, what changed, and the runs it could not measure."""

    remeasured: list[tuple[int, str]] = field(default_factory=list)  # (run id, file name)
    changed: list[tuple[int, str]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (id, file, problem)


def record(
    session: Session,
    runner: Runner,
    file_name: str | None,
    data: bytes,
    parser: Parser,
    catalog: Catalog | None = None,
) -> Recorded:
    """Measure and store one uploaded file as the runner's run (committed here), or find the
    run this very file already is; Unreadable when it is not a run file. With a catalog, the
    result says which beats the run unlocked."""
    runner_id = runner.id
    name = uploads.display_name(file_name)
    digest = hashlib.sha256(data).hexdigest()
    existing = _find(session, runner_id, digest)
    session.rollback()  # nothing is held while the file is read
    if existing is not None:
        return Recorded(existing, duplicate=True)
    try:
        described = parser.describe(data, name)
    except reading.ReadError as error:
        raise Unreadable(str(error)) from None
    content_gz = gzip.compress(data, compresslevel=6, mtime=0)
    for attempt in (1, 2):
        try:
            return _store(session, runner_id, name, digest, data, content_gz, described, catalog)
        except IntegrityError:
            # Another request stored this file for this runner first (or, rarer, its original
            # was deleted under us): the unique constraint decides, the loser finds the winner.
            session.rollback()
            existing = _find(session, runner_id, digest)
            session.rollback()
            if existing is not None:
                return Recorded(existing, duplicate=True)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _store(
    session: Session,
    runner_id: int,
    name: str,
    digest: str,
    data: bytes,
    content_gz: bytes,
    described: dict[str, Any],
    catalog: Catalog | None,
) -> Recorded:
    """One transaction: the original if new, the run, and what the run unlocked."""
    runner = session.get(Runner, runner_id)
    if runner is None:
        raise NotFound("this runner no longer exists")
    before = missions.snapshot(session, catalog, runner) if catalog else {}
    _keep_original(session, digest, len(data), content_gz)
    row = Run(
        runner_id=runner_id,
        sha256=digest,
        file_name=name,
        uploaded_at=datetime.now(UTC),
        **_measured(described),
    )
    session.add(row)
    session.flush()
    unlocked: list[dict[str, str]] = []
    if catalog:
        unlocked = missions.unlocks(catalog, before, missions.snapshot(session, catalog, runner))
    stored = _stored(row)
    session.commit()
    return Recorded(stored, duplicate=False, unlocked=unlocked)


def _keep_original(session: Session, digest: str, size: int, content_gz: bytes) -> None:
    """Insert the original unless a row with its hash is there (safe when two insert at once)."""
    values = {"sha256": digest, "size": size, "content_gz": content_gz}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(Original).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(Original).values(values).on_conflict_do_nothing())
    elif session.get(Original, digest) is None:
        session.execute(insert(Original).values(values))


def _measured(described: dict[str, Any]) -> dict[str, Any]:
    """The columns of a run that come from measuring it."""
    start = described.get("start_time")
    return {
        "format": described["format"],
        "kind": described["kind"],
        "start_time": None
        if start is None
        else datetime.fromisoformat(start.replace("Z", "+00:00")),
        "distance_m": described.get("distance_m") or 0.0,
        "counted_distance_m": described.get("counted_distance_m") or 0.0,
        "elapsed_s": described.get("elapsed_s"),
        "moving_s": described.get("moving_s"),
        "summary_json": json.dumps(described, allow_nan=False, separators=(",", ":")),
        "measured_with": __version__,
    }


def _utc(moment: datetime) -> datetime:
    # SQLite keeps no time zone; every moment heroicrun stores is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _stored(row: Run) -> StoredRun:
    return StoredRun(
        id=row.id,
        runner_id=row.runner_id,
        file_name=row.file_name,
        sha256=row.sha256,
        summary=json.loads(row.summary_json),
        uploaded_at=_utc(row.uploaded_at),
        measured_with=row.measured_with,
    )


def _find(session: Session, runner_id: int, digest: str) -> StoredRun | None:
    row = session.scalar(select(Run).where(Run.runner_id == runner_id, Run.sha256 == digest))
    return None if row is None else _stored(row)


def _owned(session: Session, runner: Runner, run_id: int) -> Run:
    """The run with this id if it is the runner's; NotFound alike when missing or not theirs."""
    row = session.scalar(select(Run).where(Run.id == run_id, Run.runner_id == runner.id))
    if row is None:
        raise NotFound(f"there is no run {run_id}")
    return row


def list_runs(session: Session, runner: Runner, limit: int = 50, offset: int = 0) -> RunPage:
    """The runner's runs, newest start first (routes, which have no start, last)."""
    mine = Run.runner_id == runner.id
    total = session.scalar(select(func.count()).select_from(Run).where(mine)) or 0
    rows = session.scalars(
        select(Run)
        .where(mine)
        .order_by(Run.start_time.is_(None), Run.start_time.desc(), Run.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return RunPage([_stored(row) for row in rows], total)


def get_run(session: Session, runner: Runner, run_id: int) -> StoredRun:
    """One of the runner's runs; NotFound for a missing run and for another runner's alike."""
    return _stored(_owned(session, runner, run_id))


def delete_run(session: Session, runner: Runner, run_id: int) -> None:
    """Delete one of the runner's runs (and its original, once no runner has that file);
    the caller commits. Progress is derived from runs, so it follows by itself."""
    row = _owned(session, runner, run_id)
    digest = row.sha256
    session.execute(delete(Verdict).where(Verdict.run_id == row.id))
    session.execute(delete(Run).where(Run.id == row.id))
    session.execute(
        delete(Original).where(Original.sha256 == digest, ~exists().where(Run.sha256 == digest))
    )


def original(session: Session, runner: Runner, run_id: int) -> tuple[str, bytes]:
    """The file a run came from, as uploaded: its display name and its exact bytes."""
    row = _owned(session, runner, run_id)
    kept = session.get(Original, row.sha256)
    data = None if kept is None else _unpacked(kept)
    if data is None:
        raise Damaged(f"the original file of run {run_id} is damaged on this server")
    return row.file_name, data


def _unpacked(kept: Original) -> bytes | None:
    """The original's bytes, or None when they do not unpack to what was stored."""
    try:
        data = gzip.decompress(kept.content_gz)
    except (OSError, EOFError, zlib.error):
        return None
    return data if hashlib.sha256(data).hexdigest() == kept.sha256 else None


def recompute(session: Session, parser: Parser) -> RecomputeReport:
    """Measure every stored run again from its original (committing each); runs whose original
    is missing, damaged or no longer readable are reported, and the rest carry on."""
    report = RecomputeReport()
    listed = session.execute(select(Run.id, Run.sha256, Run.file_name).order_by(Run.id)).all()
    session.rollback()
    measured: dict[str, dict[str, Any] | str] = {}  # one reading per file, shared by runners
    for run_id, digest, name in listed:
        if digest not in measured:
            measured[digest] = _remeasure(session, parser, digest, name)
        described = measured[digest]
        if isinstance(described, str):
            report.problems.append((run_id, name, described))
            continue
        row = session.get(Run, run_id)
        if row is None:  # deleted meanwhile
            session.rollback()
            continue
        columns = _measured({**described, "file": row.file_name})
        if columns["summary_json"] != row.summary_json:
            report.changed.append((run_id, name))
            session.execute(delete(Verdict).where(Verdict.run_id == run_id))
        for key, value in columns.items():
            setattr(row, key, value)
        session.commit()
        report.remeasured.append((run_id, name))
    return report


def _remeasure(session: Session, parser: Parser, digest: str, name: str) -> dict[str, Any] | str:
    """What a stored original measures now, or why it cannot be measured."""
    kept = session.get(Original, digest)
    data = None if kept is None else _unpacked(kept)
    session.rollback()
    if kept is None:
        return "its original file is missing"
    if data is None:
        return "its original file is damaged (it does not unpack to what was uploaded)"
    try:
        return parser.describe(data, name)
    except reading.ReadError as error:
        return f"its original can no longer be read: {error}"

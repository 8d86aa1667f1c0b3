"""Storing runs: originals kept by content, measured once, one run per activity per runner.

An uploaded file's bytes are kept gzip-compressed under their SHA-256 (shared when two runners
upload the same file), never under the name the client gave; the name is shown, nothing more.
The run stores what `heroicrun.summary.describe` says of the file (the fields of `check --json`)
and the heroicrun version that measured it, so `recompute` can measure every run again.

A run is its activity, not its bytes: the same points sent again in another wrapping (gzip, a
zip, other line endings, another app's export) are the run already stored (`activity.of`). A
second recording of the same outing (a watch and a phone at once) is stored, but marked with
the run it repeats (`overlaps_run_id`) and counts for no mission; the first stored counts.

`record` runs its own transactions: the file is read with no database lock held, then the run is
stored in one transaction, so a run is either all there or not there at all. A transaction that
PostgreSQL ends as a deadlock or a serialization failure is run again, once.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from heroicrun import __version__, activity, reading
from heroicrun.db.schema import Original, Run, Runner, Verdict
from heroicrun.missions.loading import Catalog
from heroicrun.play import NotFound, PlayError, missions, parsing, uploads
from heroicrun.play.parsing import Parser

# PostgreSQL ends one of two conflicting transactions with these; run again, it goes through.
RETRIED_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected


class Unreadable(PlayError):
    """A file that is not a run heroicrun can read; the message names the file."""


class Damaged(PlayError):
    """A stored original that no longer unpacks or matches its checksum."""


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
    overlaps_run_id: int | None = None  # the earlier run of the same outing: this one not counted
    not_counted: str | None = None  # why it counts for no mission, in a sentence


@dataclass(frozen=True)
class Recorded:
    """What storing one file did: the run, whether its activity was already there (the run
    stored first), what it unlocked."""

    run: StoredRun
    duplicate: bool
    unlocked: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RunPage:
    """Some of a runner's runs, newest first, and how many they have in all."""

    runs: list[StoredRun]
    total: int


def record(
    session: Session,
    runner: Runner,
    file_name: str | None,
    data: bytes,
    parser: Parser,
    catalog: Catalog | None = None,
) -> Recorded:
    """Measure and store one uploaded file as the runner's run (committed here), or find the
    run its activity already is, whatever file carried it; Unreadable when it is not a run
    file. With a catalog, the result says which beats the run unlocked."""
    runner_id = runner.id
    name = uploads.display_name(file_name)
    digest = hashlib.sha256(data).hexdigest()
    existing = _find(session, runner_id, Run.sha256 == digest)
    session.rollback()  # nothing is held while the file is read
    if existing is not None:
        return Recorded(existing, duplicate=True)
    try:
        described, found = describe(parser, data, name)
    except reading.ReadError as error:
        raise Unreadable(str(error)) from None
    key = None if found is None else found.key
    content_gz = gzip.compress(data, compresslevel=6, mtime=0)
    for attempt in (1, 2):
        try:
            return _store(
                session, runner_id, name, digest, data, content_gz, described, key, catalog
            )
        except IntegrityError:
            # Another request stored this activity for this runner first (or, rarer, its
            # original was deleted under us): the unique constraints decide, the loser finds
            # the winner.
            session.rollback()
            existing = _find(session, runner_id, _same_activity(digest, key))
            session.rollback()
            if existing is not None:
                return Recorded(existing, duplicate=True)
            if attempt == 2:
                raise
        except DBAPIError as error:
            session.rollback()
            if attempt == 2 or not _conflicted(error):
                raise
    raise AssertionError("unreachable")


def describe(
    parser: Parser, data: bytes, name: str
) -> tuple[dict[str, Any], activity.Activity | None]:
    """The file's summary (the fields of `check --json`) and what activity it is."""
    described = parser.describe(data, name)
    found = described.get(parsing.ACTIVITY)
    summary = {key: value for key, value in described.items() if key != parsing.ACTIVITY}
    return summary, found if isinstance(found, activity.Activity) else None


def _conflicted(error: DBAPIError) -> bool:
    """Whether PostgreSQL ended the transaction as a deadlock or a serialization failure."""
    return getattr(error.orig, "sqlstate", None) in RETRIED_SQLSTATES


def _same_activity(digest: str, key: str | None) -> ColumnElement[bool]:
    return (
        Run.sha256 == digest if key is None else (Run.sha256 == digest) | (Run.activity_key == key)
    )


def _store(
    session: Session,
    runner_id: int,
    name: str,
    digest: str,
    data: bytes,
    content_gz: bytes,
    described: dict[str, Any],
    key: str | None,
    catalog: Catalog | None,
) -> Recorded:
    """One transaction: the original if new, the run, and what the run unlocked; or the run
    already stored for this activity."""
    runner = locked_runner(session, runner_id)
    if key is not None:
        same = _find(session, runner_id, Run.activity_key == key)
        if same is not None:
            session.rollback()
            return Recorded(same, duplicate=True)
    # Verdicts of both snapshots are kept at the end, in one ordered statement.
    learned: missions.Learned = {}
    before = missions.snapshot(session, catalog, runner, learned) if catalog else {}
    _keep_original(session, digest, len(data), content_gz)
    columns = measured_columns(described)
    outing = _outing(0, columns["start_time"], columns["elapsed_s"])
    first = None if outing is None else _first_outing(session, runner_id, outing)
    row = Run(
        runner_id=runner_id,
        sha256=digest,
        file_name=name,
        uploaded_at=datetime.now(UTC),
        activity_key=key,
        overlaps_run_id=first,
        **columns,
    )
    session.add(row)
    session.flush()
    unlocked: list[dict[str, str]] = []
    if catalog:
        after = missions.snapshot(session, catalog, runner, learned)
        unlocked = missions.unlocks(catalog, before, after)
        missions.remember(session, learned)
    [stored] = _stored_all(session, [row])
    session.commit()
    return Recorded(stored, duplicate=False, unlocked=unlocked)


def locked_runner(session: Session, runner_id: int) -> Runner:
    """The runner, their row locked for the transaction (PostgreSQL; SQLite writers already
    hold the database's lock): one runner's uploads and deletions take turns, so an outing
    sent twice at once is still found, and which run of it counts is decided in one order."""
    runner = session.get(Runner, runner_id, with_for_update={"key_share": True})
    if runner is None:
        raise NotFound("this runner no longer exists")
    return runner


def _outing(run_id: int, start: datetime | None, elapsed_s: float | None) -> activity.Outing | None:
    """A run's place in time, or None for a route."""
    if start is None or elapsed_s is None:
        return None
    start_s = _utc(start).timestamp()
    return activity.Outing(run_id, start_s, start_s + elapsed_s)


def _first_outing(session: Session, runner_id: int, outing: activity.Outing) -> int | None:
    """The id of the runner's counted run that this outing repeats, if any."""
    longest_s = session.scalar(select(func.max(Run.elapsed_s)).where(Run.runner_id == runner_id))
    earliest = datetime.fromtimestamp(outing.start_s - (longest_s or 0.0), UTC)
    rows = session.execute(
        select(Run.id, Run.start_time, Run.elapsed_s).where(
            Run.runner_id == runner_id,
            Run.overlaps_run_id.is_(None),
            Run.start_time >= earliest,
            Run.start_time <= datetime.fromtimestamp(outing.end_s, UTC),
        )
    ).all()
    counted = [found for found in (_outing(*row) for row in rows) if found is not None]
    first = activity.first_outing(outing, counted)
    return None if first is None else first.id


def mark_outings(session: Session, runner_ids: Iterable[int]) -> None:
    """Mark again which of each runner's runs repeat an outing already counted (the first
    stored counts), after a run was deleted or runs were measured again."""
    for runner_id in runner_ids:
        rows = session.execute(
            select(Run.id, Run.start_time, Run.elapsed_s, Run.overlaps_run_id)
            .where(Run.runner_id == runner_id)
            .order_by(Run.id)
        ).all()
        outings = [_outing(run_id, start, elapsed) for run_id, start, elapsed, _ in rows]
        repeats = activity.first_outings([found for found in outings if found is not None])
        for run_id, _, _, marked in rows:
            if repeats.get(run_id) != marked:
                session.execute(
                    update(Run).where(Run.id == run_id).values(overlaps_run_id=repeats.get(run_id))
                )


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


def measured_columns(described: dict[str, Any]) -> dict[str, Any]:
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


def _stored_all(session: Session, rows: Sequence[Run]) -> list[StoredRun]:
    """The rows as plain values, each run that does not count saying why."""
    wanted = {row.overlaps_run_id for row in rows if row.overlaps_run_id is not None}
    firsts: dict[int, activity.Outing | None] = {}
    if wanted:
        found = session.execute(
            select(Run.id, Run.start_time, Run.elapsed_s).where(Run.id.in_(sorted(wanted)))
        )
        firsts = {run_id: _outing(run_id, start, elapsed) for run_id, start, elapsed in found}
    return [_stored(row, firsts) for row in rows]


def _stored(row: Run, firsts: dict[int, activity.Outing | None]) -> StoredRun:
    reason = None
    if row.overlaps_run_id is not None:
        outing = _outing(row.id, row.start_time, row.elapsed_s)
        first = firsts.get(row.overlaps_run_id)
        reason = (
            activity.not_counted(outing, first)
            if outing is not None and first is not None
            else f"the same outing as run {row.overlaps_run_id}"
        )
    return StoredRun(
        id=row.id,
        runner_id=row.runner_id,
        file_name=row.file_name,
        sha256=row.sha256,
        summary=json.loads(row.summary_json),
        uploaded_at=_utc(row.uploaded_at),
        measured_with=row.measured_with,
        overlaps_run_id=row.overlaps_run_id,
        not_counted=reason,
    )


def _find(session: Session, runner_id: int, which: ColumnElement[bool]) -> StoredRun | None:
    """The runner's first stored run that matches, if any."""
    row = session.scalar(
        select(Run).where(Run.runner_id == runner_id, which).order_by(Run.id).limit(1)
    )
    return None if row is None else _stored_all(session, [row])[0]


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
    return RunPage(_stored_all(session, rows), total)


def get_run(session: Session, runner: Runner, run_id: int) -> StoredRun:
    """One of the runner's runs; NotFound for a missing run and for another runner's alike."""
    return _stored_all(session, [_owned(session, runner, run_id)])[0]


def delete_run(session: Session, runner: Runner, run_id: int) -> None:
    """Delete one of the runner's runs (and its original, once no runner has that file);
    the caller commits. Progress is derived from runs, so it follows by itself; a run of the
    same outing stored after this one counts in its place."""
    locked_runner(session, runner.id)
    row = _owned(session, runner, run_id)
    digest = row.sha256
    session.execute(delete(Verdict).where(Verdict.run_id == row.id))
    session.execute(delete(Run).where(Run.id == row.id))
    session.execute(
        delete(Original).where(Original.sha256 == digest, ~exists().where(Run.sha256 == digest))
    )
    mark_outings(session, [runner.id])


def original(session: Session, runner: Runner, run_id: int) -> tuple[str, bytes]:
    """The file a run came from, as uploaded: its display name and its exact bytes."""
    row = _owned(session, runner, run_id)
    kept = session.get(Original, row.sha256)
    data = None if kept is None else unpacked(kept)
    if data is None:
        raise Damaged(f"the original file of run {run_id} is damaged on this server")
    return row.file_name, data


def unpacked(kept: Original) -> bytes | None:
    """The original's bytes, or None when they do not unpack to what was stored."""
    try:
        data = gzip.decompress(kept.content_gz)
    except (OSError, EOFError, zlib.error):
        return None
    return data if hashlib.sha256(data).hexdigest() == kept.sha256 else None

"""Storing runs: originals kept by content, measured once, one run per activity per runner.

An uploaded file's bytes are kept gzip-compressed under their SHA-256 (shared when two runners
upload the same file), never under the name the client gave; the name is shown, nothing more.
A file holding several outings (heroicrun.outings: hikes days apart, a triathlon's legs) is
stored as one run per outing, all sharing the one original; each run knows its number.
The run stores what `heroicrun.summary.describe` says of its outing (a RunSummary, as the JSON
of `check --json`) and the heroicrun version that measured it, so `recompute` can measure every
run again.

A run is its activity, not its bytes: the same points sent again in another wrapping (gzip, a
zip, other line endings, another app's export) are the run already stored (`activity.of`). A
second recording of the same outing (a watch and a phone at once) is stored, but marked with
the run it repeats (`overlaps_run_id`) and counts for no mission; the first stored counts.

Storing a run judges the runner's missions before and after it: what it newly unlocked is
written down in the ledger (heroicrun.play.ledger) and said, with the km it added to each
journey and where that left the runner (heroicrun.play.credits).

`record` runs its own transactions: the file is read with no database lock held, then its runs
are stored in one transaction, so a file's runs are either all there or not there at all. A
transaction that PostgreSQL ends as a deadlock or a serialization failure is run again, once.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from heroicrun import __version__, activity, localtime, reading, sports
from heroicrun.db.schema import Enrolment, Original, Run, Runner, Verdict
from heroicrun.missions.loading import Catalog
from heroicrun.missions.runs import RunFacts
from heroicrun.play import (
    NotFound,
    PlayError,
    credits,
    derived,
    ledger,
    missions,
    pool,
    snapshots,
    teams,
)
from heroicrun.play.pool import Described, Parser
from heroicrun.reading import archives
from heroicrun.summary import RunSummary

# PostgreSQL ends one of two conflicting transactions with these; run again, it goes through.
RETRIED_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected
SPORT_CHARS = 32  # Run.sport's width
SUMMARIES_KEPT = 512  # stored summaries kept read in memory (a runs list shows 50 at a time)
# What each outing of a file did is told apart by judging the missions after each one. Each
# judging reads all the runner's runs, so a file of more outings than this (a logger's year of
# trips) is judged once, after them all, and its chapters go to its last new run.
TOLD_APART_OUTINGS = 20
_NO_CATALOG = Catalog((), (), Path("."))


class Unreadable(PlayError):
    """A file that is not a run heroicrun can read; the message names the file."""


class Damaged(PlayError):
    """A stored original that no longer unpacks or matches its checksum."""


@dataclass(frozen=True)
class StoredRun:
    """A stored run as plain values; `summary` is what measuring it said, with what the row
    knows better (the file's display name, the declared sport, GPS, which outing)."""

    id: int
    runner_id: int
    file_name: str
    sha256: str
    summary: RunSummary
    uploaded_at: datetime  # UTC
    measured_with: str
    overlaps_run_id: int | None = None  # the earlier run of the same outing: this one not counted
    # Why it counts for none of the runner's missions, in a line; None when it counts for one,
    # or (enrolled in none) when nothing in the run itself keeps it from counting.
    not_counted: str | None = None
    outing: int = 1  # which outing of its file, from 1
    outings: int = 1  # how many the file holds
    sport: str | None = None  # declared (heroicrun.sports); None when the file says nothing
    gps: bool = True  # False: recorded without positions, the distance is the device's
    marked_sport: str | None = None  # the runner's mark, which missions follow over `sport`
    facts: RunFacts = field(default_factory=lambda: RunFacts(None, 0.0, None))
    repeats: str | None = None  # when it repeats another run's outing: which, in a sentence
    title: str | None = None  # the runner's title; None: the default one is shown
    notes: str | None = None  # the runner's notes
    time_zone: str | None = None  # where it started (IANA); None: not known

    @property
    def local_start(self) -> localtime.LocalStart | None:
        """When it started, on the clocks where it started (UTC when that is not known);
        None for a route."""
        start = self.summary.start_time
        return None if start is None else localtime.in_zone(start, self.time_zone)

    @property
    def default_title(self) -> str:
        """ "Saturday dawn run in Athens": its title until the runner gives one."""
        return localtime.default_title(self.local_start, self.marked_sport or self.sport)

    @property
    def on_foot(self) -> bool | None:
        """True for a sport on foot, False for another (it counts for no mission), None when
        the file declares none."""
        return sports.on_foot(self.sport)


@dataclass(frozen=True)
class Recorded:
    """What storing one outing of a file did: the run, whether its activity was already there
    (the run stored first), what it unlocked (as messages), and what it did in each mission."""

    run: StoredRun
    duplicate: bool
    unlocked: list[dict[str, str]] = field(default_factory=list)
    progress: list[credits.Credit] = field(default_factory=list)
    teams: list[teams.TeamCredit] = field(default_factory=list)  # for the runner's clubs


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
) -> list[Recorded]:
    """Measure and store one uploaded file as the runner's runs, one per outing it holds
    (committed here), or find the runs its outings already are, whatever file carried them;
    Unreadable when it is not a run file. With a catalog, each says which beats it unlocked."""
    runner_id = runner.id
    name = archives.display_name(file_name)
    digest = hashlib.sha256(data).hexdigest()
    existing = _stored_file(session, runner_id, digest)
    if existing:
        return _duplicates(session, runner, existing, catalog)
    session.rollback()  # nothing is held while the file is read
    try:
        described = parser.describe(data, name)
    except reading.ReadError as error:
        raise Unreadable(str(error)) from None
    content_gz = gzip.compress(data, compresslevel=6, mtime=0)
    for attempt in (1, 2):
        try:
            return _store(session, runner_id, name, digest, data, content_gz, described, catalog)
        except IntegrityError:
            # Another request stored one of these activities for this runner first (or, rarer,
            # the original was deleted under us): the unique constraints decide, and the second
            # attempt finds the winner's runs.
            session.rollback()
            if attempt == 2:
                raise
        except DBAPIError as error:
            session.rollback()
            if attempt == 2 or not _conflicted(error):
                raise
    raise AssertionError("unreachable")


def _stored_file(session: Session, runner_id: int, digest: str) -> list[StoredRun]:
    """The runner's runs of every outing of this file, in order; none when any outing is
    missing (stored from another file, or never): then the file must be read."""
    rows = session.scalars(
        select(Run).where(Run.runner_id == runner_id, Run.sha256 == digest).order_by(Run.outing)
    ).all()
    stored = _stored_all(session, rows)
    return stored if stored and len(stored) >= stored[0].outings else []


def _conflicted(error: DBAPIError) -> bool:
    """Whether PostgreSQL ended the transaction as a deadlock or a serialization failure."""
    return getattr(error.orig, "sqlstate", None) in RETRIED_SQLSTATES


def _same_activity(digest: str, outing: int, key: str | None) -> ColumnElement[bool]:
    """This outing of this file, or (when its fingerprint is known) the same activity."""
    this_outing = (Run.sha256 == digest) & (Run.outing == outing)
    return this_outing if key is None else this_outing | (Run.activity_key == key)


def _store(
    session: Session,
    runner_id: int,
    name: str,
    digest: str,
    data: bytes,
    content_gz: bytes,
    described: list[Described],
    catalog: Catalog | None,
) -> list[Recorded]:
    """One transaction: the original if new, a run for each outing not stored yet, and what
    each did in the missions, outing after outing (TOLD_APART_OUTINGS); the runs already stored
    for the others."""
    runner = locked_runner(session, runner_id)
    found: list[StoredRun | Run] = []
    kept = False
    uploaded_at = datetime.now(UTC)
    for outing in described:
        summary, known = outing
        key = None if known is None else known.key
        same = _find(session, runner_id, _same_activity(digest, summary.outing, key))
        if same is not None:
            found.append(same)
            continue
        if not kept:
            _keep_original(session, digest, len(data), content_gz)
            kept = True
        drawn = pool.profile_of(outing)
        found.append(new_run(session, runner_id, name, digest, summary, key, uploaded_at, drawn))
    news = [item for item in found if isinstance(item, Run)]
    # Verdicts judged on the way are kept at the end, in one ordered statement.
    learned: missions.Learned = {}
    judging = _judging(session, catalog, runner, learned)
    # The missions as they stood before this file: what they unlocked and was not written down
    # yet (earned before) is no credit of this file's.
    before = judging.stand({row.id for row in news}) if news else []
    judging.settle(before)
    if len(news) > TOLD_APART_OUTINGS:  # judged once, after them all, told to the last run
        steps = [(news[-1], set[int]())]
    else:  # each run judged with the ones before it, its chapters written down with it
        steps = [(row, {later.id for later in news[at + 1 :]}) for at, row in enumerate(news)]
    afters: dict[int, list[missions.Standing]] = {}
    for row, later in steps:
        afters[row.id] = judging.stand(later)
        judging.settle(afters[row.id])
    current = afters[news[-1].id] if news else judging.stand()
    missions.remember(session, learned)
    # The runner's teams judged once, after all the file's runs: their chapters go in the same
    # transaction, and the next view of the club reads what is kept.
    for_teams = (
        teams.uploaded(session, catalog, runner, [row.id for row in news], uploaded_at)
        if catalog is not None and news
        else []
    )
    stored = iter(_stored_all(session, news))
    duplicates = iter(
        _duplicates_of([item for item in found if isinstance(item, StoredRun)], current)
    )
    recorded = [
        _recorded(
            next(stored),
            before,
            afters.get(item.id),
            [credit for credit in for_teams if credit.run_id == item.id],
        )
        if isinstance(item, Run)
        else next(duplicates)
        for item in found
    ]
    session.commit()
    return recorded


def _recorded(
    run: StoredRun,
    before: list[missions.Standing],
    after: list[missions.Standing] | None,
    for_teams: list[teams.TeamCredit],
) -> Recorded:
    """A run just stored, with what it did in each mission: the standings before the file and
    after the run (None when its file held too many outings to judge them one by one), and
    what it did for the runner's teams."""
    if after is None:
        progress = [credits.of_unjudged(standing, run) for standing in before]
        return Recorded(run, duplicate=False, progress=progress, teams=for_teams)
    unlocked = [
        item for standing in after for item in missions.messages(standing.mission, standing.fresh)
    ]
    progress = [
        credits.of_upload(first, then, run) for first, then in zip(before, after, strict=True)
    ]
    return Recorded(run, duplicate=False, unlocked=unlocked, progress=progress, teams=for_teams)


def _judging(
    session: Session, catalog: Catalog | None, runner: Runner, learned: missions.Learned
) -> missions.Judging:
    """The runner's missions to judge (none without a catalog), read now."""
    pairs = missions.enrolled_missions(session, catalog, runner) if catalog else []
    return missions.Judging(
        session, catalog or _NO_CATALOG, runner, pairs, datetime.now(UTC), learned
    )


def _duplicates(
    session: Session, runner: Runner, runs: list[StoredRun], catalog: Catalog | None
) -> list[Recorded]:
    """A file already stored: its runs, each saying that sending it again did nothing."""
    learned: missions.Learned = {}
    current = _judging(session, catalog, runner, learned).stand()
    if learned:  # a mission edited or heroicrun upgraded since: keep what was judged
        missions.remember(session, learned)
        session.commit()
    else:
        session.rollback()
    return _duplicates_of(runs, current)


def _duplicates_of(runs: list[StoredRun], current: list[missions.Standing]) -> list[Recorded]:
    return [
        Recorded(
            run,
            duplicate=True,
            progress=[credits.of_duplicate(standing, run) for standing in current],
        )
        for run in runs
    ]


def new_run(
    session: Session,
    runner_id: int,
    name: str,
    digest: str,
    described: RunSummary,
    key: str | None,
    uploaded_at: datetime,
    profile: bytes | None = None,
) -> Run:
    """A new run of the runner for one outing of a stored original (flushed, not committed),
    marked when it repeats an outing already counted; `profile` is what its pictures are drawn
    from (derived.keep)."""
    columns = measured_columns(described)
    outing = _outing(0, columns["start_time"], columns["elapsed_s"])
    first = None if outing is None else _first_outing(session, runner_id, outing)
    row = Run(
        runner_id=runner_id,
        sha256=digest,
        file_name=name,
        uploaded_at=uploaded_at,
        activity_key=key,
        overlaps_run_id=first,
        **columns,
    )
    session.add(row)
    session.flush()
    derived.keep(session, row.id, described, profile)
    teams.credit_run(session, row.id)
    return row


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


def measured_columns(described: RunSummary) -> dict[str, Any]:
    """The columns of a run that come from measuring it."""
    # The JSON is written by the standard library, as it always was, so that a run measured
    # again to the same figures stores the very same text (recompute compares it).
    text = json.dumps(described.model_dump(mode="json"), allow_nan=False, separators=(",", ":"))
    return {
        "format": described.format,
        "kind": described.kind,
        "start_time": described.start_time,
        "distance_m": described.distance_m or 0.0,
        "counted_distance_m": described.counted_distance_m or 0.0,
        "elapsed_s": described.elapsed_s,
        "moving_s": described.moving_s,
        "counted_moving_s": described.counted_moving_s,
        "outing": described.outing,
        "sport": described.sport[:SPORT_CHARS] if described.sport else None,
        "gps": described.gps,
        "summary_json": text,
        "measured_with": __version__,
    }


def _utc(moment: datetime) -> datetime:
    # SQLite keeps no time zone; every moment heroicrun stores is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _stored_all(session: Session, rows: Sequence[Run]) -> list[StoredRun]:
    """The rows (one runner's) as plain values, each run that does not count saying why."""
    if not rows:
        return []
    wanted = {row.overlaps_run_id for row in rows if row.overlaps_run_id is not None}
    firsts: dict[int, activity.Outing | None] = {}
    if wanted:
        found = session.execute(
            select(Run.id, Run.start_time, Run.elapsed_s).where(Run.id.in_(sorted(wanted)))
        )
        firsts = {run_id: _outing(run_id, start, elapsed) for run_id, start, elapsed in found}
    enrolled = [
        missions.as_utc(moment)
        for moment in session.scalars(
            select(Enrolment.enrolled_at).where(
                Enrolment.runner_id == rows[0].runner_id, Enrolment.active.is_(True)
            )
        )
    ]
    return [_stored(row, firsts, enrolled) for row in rows]


def _stored(
    row: Run, firsts: dict[int, activity.Outing | None], enrolled: list[datetime]
) -> StoredRun:
    repeats = None
    if row.overlaps_run_id is not None:
        outing = _outing(row.id, row.start_time, row.elapsed_s)
        first = firsts.get(row.overlaps_run_id)
        repeats = (
            activity.not_counted(outing, first)
            if outing is not None and first is not None
            else f"the same outing as run {row.overlaps_run_id}"
        )
    facts = missions.facts_of(
        row.start_time,
        row.counted_distance_m,
        row.elapsed_s,
        row.sport,
        row.marked_sport,
        row.gps,
        row.distance_m,
        row.counted_moving_s,
    )
    measured = _measured(row.summary_json)
    # The row answers for these, so that runs stored before the summary held them answer too.
    summary = measured.model_copy(
        update={
            "file": row.file_name,
            "sport": row.sport,
            "on_foot": sports.on_foot(row.sport),
            "gps": row.gps,
            "outing": row.outing,
            "outings": max(measured.outings, row.outing),
        }
    )
    return StoredRun(
        id=row.id,
        runner_id=row.runner_id,
        file_name=row.file_name,
        sha256=row.sha256,
        summary=summary,
        uploaded_at=_utc(row.uploaded_at),
        measured_with=row.measured_with,
        overlaps_run_id=row.overlaps_run_id,
        not_counted=repeats or _not_counted(facts, enrolled),
        outing=row.outing,
        outings=summary.outings,
        sport=row.sport,
        gps=row.gps,
        marked_sport=row.marked_sport,
        title=row.title,
        notes=row.notes,
        time_zone=row.time_zone,
        facts=facts,
        repeats=repeats,
    )


@functools.lru_cache(maxsize=SUMMARIES_KEPT)
def _measured(summary_json: str) -> RunSummary:
    """A stored summary read back, kept for the next page that shows the run: a 36-hour run's
    summary (its 246 splits) takes milliseconds to validate. Summaries are frozen values, shared
    safely; a run measured again has new JSON, so a new entry."""
    return RunSummary.model_validate_json(summary_json)


def _not_counted(facts: RunFacts, enrolled: list[datetime]) -> str | None:
    """Why a run counts for none of the runner's enrolments (the one it comes closest to);
    enrolled in none, why it could count for no mission at all."""
    if not enrolled:
        return facts.not_counted(None)
    reasons = [facts.not_counted(moment) for moment in enrolled]
    return None if None in reasons else facts.not_counted(min(enrolled))


def _find(session: Session, runner_id: int, which: ColumnElement[bool]) -> StoredRun | None:
    """The runner's first stored run that matches, if any."""
    row = session.scalar(
        select(Run).where(Run.runner_id == runner_id, which).order_by(Run.id).limit(1)
    )
    return None if row is None else _stored_all(session, [row])[0]


def owned(session: Session, runner: Runner, run_id: int) -> Run:
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


_KEPT_RUNS: snapshots.Memo[StoredRun | None] = snapshots.Memo(512)


def kept_run(session: Session, runner: Runner, run_id: int) -> StoredRun:
    """`get_run`, read once for the runs and enrolments as they are (snapshots.runs_key: the
    database changes it with any run, or enrolment, of the runner's)."""
    key = ("run", runner.id, snapshots.runs_key(session, runner.id), run_id)
    found = _KEPT_RUNS.get(session, key, lambda: _find(session, runner.id, Run.id == run_id))
    if found is None:
        raise NotFound(f"there is no run {run_id}")
    return found


def get_run(session: Session, runner: Runner, run_id: int) -> StoredRun:
    """One of the runner's runs; NotFound for a missing run and for another runner's alike."""
    return _stored_all(session, [owned(session, runner, run_id)])[0]


def delete_run(
    session: Session, runner: Runner, run_id: int, catalog: Catalog | None = None
) -> None:
    """Delete one of the runner's runs (and its original, once no runner has that file);
    the caller commits. The chapters it was credited with leave the ledger, and the missions
    are judged again without it (written down now given a catalog, else at the next upload);
    a run of the same outing stored after this one counts in its place."""
    locked_runner(session, runner.id)
    row = owned(session, runner, run_id)
    digest = row.sha256
    ledger.forget(session, row.id)
    session.execute(delete(Verdict).where(Verdict.run_id == row.id))
    session.execute(delete(Run).where(Run.id == row.id))
    session.execute(
        delete(Original).where(Original.sha256 == digest, ~exists().where(Run.sha256 == digest))
    )
    mark_outings(session, [runner.id])
    rejudge(session, runner, catalog)


def rejudge(session: Session, runner: Runner, catalog: Catalog | None) -> None:
    """Judge the runner's missions again and write down what they now unlock (flushed)."""
    if catalog is None:
        return
    learned: missions.Learned = {}
    judging = _judging(session, catalog, runner, learned)
    judging.settle(judging.stand())
    missions.remember(session, learned)


def original(session: Session, runner: Runner, run_id: int) -> tuple[str, bytes]:
    """The file a run came from, as uploaded: its display name and its exact bytes."""
    row = owned(session, runner, run_id)
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

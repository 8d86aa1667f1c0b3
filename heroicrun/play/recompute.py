"""Measuring every stored run again from its original, when heroicrun measures better.

Each run is committed as it is measured (each run is one outing of its file, and is measured
as that outing); then the outings a file now holds that have no run yet (a file stored before
heroicrun read several outings in one file) are stored as new runs, and each runner's runs are
marked again for outings recorded twice. A run whose original is missing, damaged or no longer
readable, or no longer holds its outing, is reported and left as it was.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from heroicrun import reading
from heroicrun.db.schema import Original, Run, Verdict
from heroicrun.play import NotFound, derived, pool, runs
from heroicrun.play.pool import Described, Parser


@dataclass
class RecomputeReport:
    """What `recompute` measured again, what changed, and the runs it could not measure."""

    remeasured: list[tuple[int, str]] = field(default_factory=list)  # (run id, file name)
    changed: list[tuple[int, str]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (id, file, problem)
    # Runs stored before fingerprints whose activity another run of the runner already is:
    # (run id, file name, that run's id). They keep no fingerprint and count as overlapping.
    duplicates: list[tuple[int, str, int]] = field(default_factory=list)
    # Outings found in stored files that had no run: (new run id, file name, outing number).
    added: list[tuple[int, str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class _Listed:
    run_id: int
    runner_id: int
    sha256: str
    file_name: str
    outing: int
    uploaded_at: datetime


def recompute(session: Session, parser: Parser) -> RecomputeReport:
    """Measure every stored run again from its original (committing each), fingerprint
    included; store the outings its file now holds that have no run; then mark again which
    runs repeat an outing already counted. Runs whose original is missing, damaged, no longer
    readable or no longer holding their outing are reported, and the rest carry on."""
    report = RecomputeReport()
    listed = [
        _Listed(*row)
        for row in session.execute(
            select(
                Run.id, Run.runner_id, Run.sha256, Run.file_name, Run.outing, Run.uploaded_at
            ).order_by(Run.id)
        ).all()
    ]
    session.rollback()
    # One reading per file, shared by runners.
    measured: dict[str, list[Described] | str] = {}
    for run in listed:
        if run.sha256 not in measured:
            measured[run.sha256] = _remeasure(session, parser, run.sha256, run.file_name)
        reading_of = measured[run.sha256]
        if isinstance(reading_of, str):
            report.problems.append((run.run_id, run.file_name, reading_of))
            continue
        if run.outing > len(reading_of):
            problem = f"its original now holds {_outings(len(reading_of))}, not outing {run.outing}"
            report.problems.append((run.run_id, run.file_name, problem))
            continue
        _update(session, run, reading_of[run.outing - 1], report)
    _add_outings(session, listed, measured, report)
    for runner_id in sorted({run.runner_id for run in listed}):
        try:
            runs.locked_runner(session, runner_id)
        except NotFound:  # deleted meanwhile
            session.rollback()
            continue
        runs.mark_outings(session, [runner_id])
        session.commit()
    return report


def _update(session: Session, run: _Listed, measured: Described, report: RecomputeReport) -> None:
    """One run measured again: its columns, its fingerprint, committed."""
    described, found = measured
    row = session.get(Run, run.run_id)
    if row is None:  # deleted meanwhile
        session.rollback()
        return
    columns = runs.measured_columns(
        described.model_copy(update={"file": row.file_name, "outing": run.outing})
    )
    if columns["summary_json"] != row.summary_json:
        report.changed.append((run.run_id, run.file_name))
        session.execute(delete(Verdict).where(Verdict.run_id == run.run_id))
    for column, value in columns.items():
        setattr(row, column, value)
    derived.keep(session, run.run_id, described, pool.profile_of(measured))
    key = None if found is None else found.key
    if key is not None and key != row.activity_key:
        first = _with_key(session, row.runner_id, key, run.run_id)
        if first is not None:  # stored twice before fingerprints: the other one keeps it
            report.duplicates.append((run.run_id, run.file_name, first))
            key = None
    row.activity_key = key
    session.commit()
    report.remeasured.append((run.run_id, run.file_name))


def _add_outings(
    session: Session,
    listed: list[_Listed],
    measured: dict[str, list[Described] | str],
    report: RecomputeReport,
) -> None:
    """Store, as new runs of the file's runner, the outings of a stored file that have none
    (unless the runner has that activity already), each committed."""
    files: dict[tuple[int, str], list[_Listed]] = defaultdict(list)
    for run in listed:
        files[run.runner_id, run.sha256].append(run)
    for (runner_id, digest), stored in files.items():
        reading_of = measured.get(digest)
        if not isinstance(reading_of, list) or len(reading_of) <= len(stored):
            continue
        have = {run.outing for run in stored}
        first = min(stored, key=lambda run: run.run_id)
        for number, outing in enumerate(reading_of, start=1):
            described, found = outing
            if number in have:
                continue
            try:
                runs.locked_runner(session, runner_id)
            except NotFound:  # deleted meanwhile
                session.rollback()
                break
            key = None if found is None else found.key
            if key is not None and _with_key(session, runner_id, key) is not None:
                session.rollback()
                continue
            summary = described.model_copy(update={"file": first.file_name})
            row = runs.new_run(
                session,
                runner_id,
                first.file_name,
                digest,
                summary,
                key,
                first.uploaded_at,
                pool.profile_of(outing),
            )
            session.commit()
            report.added.append((row.id, first.file_name, number))


def _with_key(session: Session, runner_id: int, key: str, other_than: int = 0) -> int | None:
    """The id of the runner's run with this fingerprint (other than `other_than`), if any."""
    return session.scalar(
        select(Run.id)
        .where(Run.runner_id == runner_id, Run.activity_key == key, Run.id != other_than)
        .limit(1)
    )


def _outings(count: int) -> str:
    return "one outing" if count == 1 else f"{count} outings"


def _remeasure(session: Session, parser: Parser, digest: str, name: str) -> list[Described] | str:
    """What a stored original measures now, outing by outing, and what activity each is; or
    why it cannot be measured."""
    kept = session.get(Original, digest)
    data = None if kept is None else runs.unpacked(kept)
    session.rollback()
    if kept is None:
        return "its original file is missing"
    if data is None:
        return "its original file is damaged (it does not unpack to what was uploaded)"
    try:
        return parser.describe(data, name)
    except reading.ReadError as error:
        return f"its original can no longer be read: {error}"

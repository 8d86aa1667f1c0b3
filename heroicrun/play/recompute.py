"""Measuring every stored run again from its original, when heroicrun measures better.

Each run is committed as it is measured; then each runner's runs are marked again for outings
recorded twice. A run whose original is missing, damaged or no longer readable is reported and
left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from heroicrun import activity, reading
from heroicrun.db.schema import Original, Run, Verdict
from heroicrun.play import NotFound, runs
from heroicrun.play.parsing import Parser


@dataclass
class RecomputeReport:
    """What `recompute` measured again, what changed, and the runs it could not measure."""

    remeasured: list[tuple[int, str]] = field(default_factory=list)  # (run id, file name)
    changed: list[tuple[int, str]] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (id, file, problem)
    # Runs stored before fingerprints whose activity another run of the runner already is:
    # (run id, file name, that run's id). They keep no fingerprint and count as overlapping.
    duplicates: list[tuple[int, str, int]] = field(default_factory=list)


def recompute(session: Session, parser: Parser) -> RecomputeReport:
    """Measure every stored run again from its original (committing each), fingerprint
    included, then mark again which runs repeat an outing already counted; runs whose original
    is missing, damaged or no longer readable are reported, and the rest carry on."""
    report = RecomputeReport()
    listed = session.execute(
        select(Run.id, Run.runner_id, Run.sha256, Run.file_name).order_by(Run.id)
    ).all()
    session.rollback()
    # One reading per file, shared by runners.
    measured: dict[str, tuple[dict[str, Any], activity.Activity | None] | str] = {}
    for run_id, _, digest, name in listed:
        if digest not in measured:
            measured[digest] = _remeasure(session, parser, digest, name)
        reading_of = measured[digest]
        if isinstance(reading_of, str):
            report.problems.append((run_id, name, reading_of))
            continue
        described, found = reading_of
        row = session.get(Run, run_id)
        if row is None:  # deleted meanwhile
            session.rollback()
            continue
        columns = runs.measured_columns({**described, "file": row.file_name})
        if columns["summary_json"] != row.summary_json:
            report.changed.append((run_id, name))
            session.execute(delete(Verdict).where(Verdict.run_id == run_id))
        for column, value in columns.items():
            setattr(row, column, value)
        key = None if found is None else found.key
        if key is not None and key != row.activity_key:
            first = session.scalar(
                select(Run.id)
                .where(Run.runner_id == row.runner_id, Run.activity_key == key, Run.id != run_id)
                .limit(1)
            )
            if first is not None:  # stored twice before fingerprints: the other one keeps it
                report.duplicates.append((run_id, name, first))
                key = None
        row.activity_key = key
        session.commit()
        report.remeasured.append((run_id, name))
    for runner_id in sorted({runner_id for _, runner_id, _, _ in listed}):
        try:
            runs.locked_runner(session, runner_id)
        except NotFound:  # deleted meanwhile
            session.rollback()
            continue
        runs.mark_outings(session, [runner_id])
        session.commit()
    return report


def _remeasure(
    session: Session, parser: Parser, digest: str, name: str
) -> tuple[dict[str, Any], activity.Activity | None] | str:
    """What a stored original measures now and what activity it is, or why it cannot be
    measured."""
    kept = session.get(Original, digest)
    data = None if kept is None else runs.unpacked(kept)
    session.rollback()
    if kept is None:
        return "its original file is missing"
    if data is None:
        return "its original file is damaged (it does not unpack to what was uploaded)"
    try:
        return runs.describe(parser, data, name)
    except reading.ReadError as error:
        return f"its original can no longer be read: {error}"

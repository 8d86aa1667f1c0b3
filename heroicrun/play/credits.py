"""What one stored run did in each mission its runner is enrolled in: counted or not, the km
it added to a journey, and the chapters it unlocked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from heroicrun.db.schema import Runner
from heroicrun.missions.loading import Catalog
from heroicrun.play import missions, runs


@dataclass(frozen=True)
class Credit:
    """What the run did in one mission the runner is enrolled in."""

    mission_id: str
    title: str
    counts: bool  # False: before the enrolment, or another recording of a counted outing
    km: float | None  # journeys: the run's counted km
    unlocked: tuple[str, ...]  # titles of the beats it unlocked
    reason: str | None = None  # why it does not count, in words

    @property
    def words(self) -> str:
        """ "+12.3 km, unlocked ‘Megara’ and ‘Corinth’", or "" when there is nothing to say."""
        said = [] if self.km is None else [f"+{self.km:.1f} km"]
        if self.unlocked:
            titles = [f"‘{title}’" for title in self.unlocked]
            listed = (
                titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]
            )
            said.append(f"unlocked {listed}")
        return ", ".join(said)


def credits_of(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    run: runs.StoredRun,
    now: datetime,
    learned: missions.Learned,
) -> list[Credit]:
    """For each mission the runner is in, whether this run counts and what it unlocked;
    verdicts judged afresh are added to `learned` (keep them with `missions.remember`)."""
    start = run.summary.start_time
    if start is None:
        return []  # a route counts for no mission
    ended = start + timedelta(seconds=run.summary.elapsed_s or 0.0)
    pairs = missions.enrolled_missions(session, catalog, runner)
    earned = missions.evaluate_enrolled(session, catalog, runner, pairs, now, learned)
    found = []
    for (mission, enrolment), progress in zip(pairs, earned, strict=True):
        since = missions.enrolled_at(enrolment)
        early = not (start >= since or run.uploaded_at >= since)
        reason = "run and uploaded before you enrolled" if early else run.not_counted
        counts = reason is None
        unlocked = tuple(
            beat.title
            for beat in progress.beats
            if beat.met and beat.unlocked_by == run.file_name and beat.unlocked_at == ended
        )
        km = (run.summary.counted_distance_m or 0.0) / 1000.0
        found.append(
            Credit(
                mission.id,
                mission.title,
                counts,
                km if counts and mission.route is not None else None,
                unlocked if counts else (),
                reason,
            )
        )
    return found

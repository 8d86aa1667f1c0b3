"""What one stored run did in each mission its runner is enrolled in: whether it counts (and,
when not, why), the km it added to a journey and where that left the runner, and the chapters
it unlocked. The answer to an upload says this of each run it stored; the run page, of one run,
from the ledger of unlocks, as stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from heroicrun.db.schema import Runner
from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import Beat, Mission
from heroicrun.missions.progress import Unlocked
from heroicrun.play import ledger, missions, snapshots

if TYPE_CHECKING:
    from heroicrun.play.runs import StoredRun


@dataclass(frozen=True)
class Chapter:
    """A beat a run unlocked."""

    beat: str  # its id
    title: str


@dataclass(frozen=True)
class Credit:
    """What the run did in one mission the runner is enrolled in; km are counted km."""

    mission_id: str
    title: str
    counts: bool  # False: see `reason`
    km: float | None  # journeys: the run's share of the route (0 when it does not count)
    unlocked: tuple[Chapter, ...]
    reason: str | None = None  # why it does not count, in a line
    km_before: float | None = None  # journeys: where the runner was before this run
    km_after: float | None = None  # and after it
    next_place: str | None = None  # journeys: the next place after it, None at the end
    to_next_km: float | None = None  # how far that is

    @property
    def words(self) -> str:
        """ "+12.3 km, unlocked ‘Megara’ and ‘Corinth’", or "" when there is nothing to say."""
        said = [] if self.km is None else [f"+{self.km:.1f} km"]
        if self.unlocked:
            titles = [f"‘{chapter.title}’" for chapter in self.unlocked]
            listed = (
                titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]
            )
            said.append(f"unlocked {listed}")
        return ", ".join(said)


def reason_for(run: StoredRun, enrolled_at: datetime) -> str | None:
    """Why the run counts for no mission of an enrolment at `enrolled_at`; None when it counts."""
    return run.repeats or run.facts.not_counted(enrolled_at)


def of_upload(before: missions.Standing, after: missions.Standing, run: StoredRun) -> Credit:
    """What a run just stored did in one mission: the standings before and after storing it."""
    reason = reason_for(run, after.enrolled_at)
    journey = after.progress.position
    km_before, km_after = before.progress.progress_km, after.progress.progress_km
    share = None
    if journey is not None and km_before is not None and km_after is not None:
        share = km_after - km_before if reason is None else 0.0
    return Credit(
        mission_id=after.mission.id,
        title=after.mission.title,
        counts=reason is None,
        km=share,
        unlocked=_chapters(after.mission.beats, after.fresh),
        reason=reason,
        km_before=km_before,
        km_after=km_after,
        next_place=None if journey is None else journey.next_place,
        to_next_km=None if journey is None else journey.to_next_km,
    )


def of_unjudged(standing: missions.Standing, run: StoredRun) -> Credit:
    """What a run did in one mission when the missions were judged once for several runs (a
    file of many outings): its own km, and no place of its own on the road."""
    reason = reason_for(run, standing.enrolled_at)
    journey = standing.progress.position is not None
    km = (run.summary.counted_distance_m or 0.0) / 1000.0 if reason is None else 0.0
    return Credit(
        standing.mission.id,
        standing.mission.title,
        reason is None,
        km if journey else None,
        (),
        reason,
    )


def of_duplicate(standing: missions.Standing, run: StoredRun) -> Credit:
    """What sending a run already stored did in one mission: nothing; it counted, or not, when
    it was first stored."""
    position = standing.progress.position
    km = standing.progress.progress_km
    return Credit(
        mission_id=standing.mission.id,
        title=standing.mission.title,
        counts=False,
        km=None if position is None else 0.0,
        unlocked=(),
        reason=f"already uploaded, as run {run.id}",
        km_before=km,
        km_after=km,
        next_place=None if position is None else position.next_place,
        to_next_km=None if position is None else position.to_next_km,
    )


def credits_of(
    session: Session,
    catalog: Catalog,
    runner: Runner,
    run: StoredRun,
    now: datetime,
    learned: missions.Learned,
) -> list[Credit]:
    """For each mission the runner is in, whether this run counts and the chapters the ledger
    credits it with; read from what was stored, no mission judged (`now` and `learned`, what
    judging would need, are left as they are)."""
    if run.summary.start_time is None:
        return []  # a route counts for no mission
    pairs = _enrolled(session, catalog, runner)
    credited = ledger.credited(session, run.id, [enrolment_id for _, enrolment_id, _ in pairs])
    found = []
    for mission, enrolment_id, enrolled_at in pairs:
        reason = reason_for(run, enrolled_at)
        counts = reason is None
        beats = credited[enrolment_id]
        unlocked = tuple(Chapter(beat.id, beat.title) for beat in mission.beats if beat.id in beats)
        km = (run.summary.counted_distance_m or 0.0) / 1000.0
        journey = mission.route is not None
        found.append(
            Credit(
                mission.id,
                mission.title,
                counts,
                km if counts and journey else None,
                unlocked if counts else (),
                reason,
            )
        )
    return found


_ENROLLED: snapshots.Memo[list[tuple[str, int, datetime]]] = snapshots.Memo(256)


def _enrolled(
    session: Session, catalog: Catalog, runner: Runner
) -> list[tuple[Mission, int, datetime]]:
    """The runner's active enrolments in the catalog's missions, in catalog order: (mission,
    enrolment id, enrolled at), read once for the enrolments as they are (the runs' version
    changes with them: migration 0011)."""
    # The catalog by identity: an edited missions folder is a new catalog, with its own order.
    key = ("enrolled", runner.id, snapshots.runs_key(session, runner.id), id(catalog))
    kept = _ENROLLED.get(
        session,
        key,
        lambda: [
            (mission.id, enrolment.id, missions.enrolled_at(enrolment))
            for mission, enrolment in missions.enrolled_missions(session, catalog, runner)
        ],
    )
    found = []
    for mission_id, enrolment_id, enrolled_at in kept:
        mission = catalog.get(mission_id)
        assert mission is not None  # kept for this catalog
        found.append((mission, enrolment_id, enrolled_at))
    return found


def _chapters(beats: Sequence[Beat], unlocked: Sequence[Unlocked]) -> tuple[Chapter, ...]:
    """The unlocked beats as chapters, in the mission's order."""
    wanted = {entry.beat for entry in unlocked}
    return tuple(Chapter(beat.id, beat.title) for beat in beats if beat.id in wanted)

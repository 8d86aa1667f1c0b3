"""Progress kept between views: each enrolment's MissionProgress as last worked out, under a key
that says what it was worked out from, so that pages read it instead of judging every run again.

The key is a SHA-256 of everything progress depends on, each part read cheaply:

- the mission's content and this heroicrun's version (an edited mission, an upgrade);
- the enrolment (its id and when it began);
- the runner's runs, by their version (runners.runs_version), which the database changes
  whenever one of them, or what is kept of one (efforts, profile), is stored, changed or
  deleted: a run stored, deleted, re-marked, measured differently or retitled changes it;
- the enrolment's ledger (how many unlocks, the highest id): chapters written down or taken out.

Progress also depends on the clock (deadlines in days, the weekly distance, a streak's today):
a snapshot holds `until` the next whole hour, or sooner the moment a deadline's time left reads
differently ("3 days left", "47 h left"), or the deadline.

A snapshot read once is kept in this process as well, and so are the other things a page derives
from the runs alone (habits, totals, the latest runs: `Memo`), under the runs' key: reading
one row is then all a page pays for them.

The key is read before the runs are judged, so a run stored meanwhile leaves a snapshot under
the older key, which the next view finds stale; never new runs' key over old progress.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import Insert, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from heroicrun import __version__
from heroicrun.db.schema import Enrolment, ProgressSnapshot, Runner, Unlock
from heroicrun.missions.model import BestOfGoal, Mission
from heroicrun.missions.progress import MissionProgress

T = TypeVar("T")

FRESH_FOR = timedelta(hours=1)
MISSION_KEYS_KEPT = 512
SNAPSHOTS_IN_MEMORY = 4096


@dataclass(frozen=True)
class Kept:
    """A snapshot's content: the progress, and the time it holds for: from when it was worked
    out until the clock may change it (UTC)."""

    since: datetime
    until: datetime
    progress: MissionProgress


_KEPT = TypeAdapter(Kept)


def runs_key(session: Session, runner_id: int) -> str:
    """What the runner's runs look like now, as a short string: their version, which the
    database changes whenever a run, or a run's efforts or profile, is stored, changed or
    deleted (migration 0009)."""
    return str(session.scalar(_RUNS_VERSION, {"runner_id": runner_id}))


_RUNS_VERSION = select(Runner.runs_version).where(Runner.id == bindparam("runner_id"))


def ledger_keys(session: Session, enrolment_ids: Sequence[int]) -> dict[int, str]:
    """Each enrolment's ledger as a short string: how many unlocks, and the highest id."""
    found = {enrolment_id: "0,0" for enrolment_id in enrolment_ids}
    if not enrolment_ids:
        return found
    rows = session.execute(_LEDGER_KEYS, {"ids": sorted(set(enrolment_ids))}).all()
    for enrolment_id, count, highest in rows:
        found[enrolment_id] = f"{count},{highest}"
    return found


_LEDGER_KEYS = (
    select(Unlock.enrolment_id, func.count(Unlock.id), func.max(Unlock.id))
    .where(Unlock.enrolment_id.in_(bindparam("ids", expanding=True)))
    .group_by(Unlock.enrolment_id)
)


def keys(
    session: Session,
    runner_id: int,
    pairs: Sequence[tuple[Mission, Enrolment]],
    runs: str | None = None,
) -> dict[int, str]:
    """The key each enrolment's progress is kept under now, by enrolment id; `runs`, the
    runs' key when already read."""
    if not pairs:
        return {}
    runs = runs_key(session, runner_id) if runs is None else runs
    ledgers = ledger_keys(session, [enrolment.id for _, enrolment in pairs])
    found = {}
    for mission, enrolment in pairs:
        began = _utc(enrolment.enrolled_at).isoformat()
        said = f"{mission_key(mission)}|{enrolment.id}|{began}|{runs}|{ledgers[enrolment.id]}"
        found[enrolment.id] = hashlib.sha256(said.encode()).hexdigest()
    return found


def read(session: Session, wanted: dict[int, str], now: datetime) -> dict[int, MissionProgress]:
    """The progress kept for each enrolment of `wanted` (id → key) whose key still holds and
    whose time holds at `now`; the others are left out."""
    found: dict[int, MissionProgress] = {}
    asked = {}
    where = _database(session)
    for enrolment_id, key in wanted.items():
        # A snapshot read once is kept in memory too: under the same key it cannot change.
        known = _READ.get((where, enrolment_id, key))
        if known is not None and known.since <= now < known.until:
            found[enrolment_id] = known.progress
        else:
            asked[enrolment_id] = key
    if not asked:
        return found
    rows = session.execute(
        select(ProgressSnapshot.enrolment_id, ProgressSnapshot.key, ProgressSnapshot.content).where(
            ProgressSnapshot.enrolment_id.in_(sorted(asked))
        )
    ).all()
    for enrolment_id, key, content in rows:
        if key != asked[enrolment_id]:
            continue
        try:
            kept = _KEPT.validate_json(content)
        except ValueError:  # written by a heroicrun whose progress had other fields: a miss
            continue
        _remember((where, enrolment_id, key), kept)
        if kept.since <= now < kept.until:
            found[enrolment_id] = kept.progress
    return found


_READ: dict[tuple[int, int, str], Kept] = {}


def _remember(key: tuple[int, int, str], kept: Kept) -> None:
    if len(_READ) >= SNAPSHOTS_IN_MEMORY:
        _READ.clear()
    _READ[key] = kept


def _database(session: Session) -> int:
    """Which database a session speaks to, for what is kept in memory: its engine's identity
    (one for each application; tests make many)."""
    bind = session.get_bind()
    return id(getattr(bind, "engine", bind))


def keep(
    session: Session,
    made: Sequence[tuple[Mission, int, datetime, MissionProgress]],
    wanted: dict[int, str],
    now: datetime,
) -> None:
    """Keep each (mission, enrolment id, enrolled at, progress) worked out at `now` under its key
    of `wanted` (flushed, not committed); one already kept is replaced."""
    rows = [
        {
            "enrolment_id": enrolment_id,
            "key": wanted[enrolment_id],
            "content": _KEPT.dump_json(
                Kept(now, until(mission, began, now), progress), by_alias=True
            ).decode(),
            "made_at": now,
        }
        for mission, enrolment_id, began, progress in sorted(made, key=lambda item: item[1])
        if enrolment_id in wanted
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement: Insert
    if dialect == "postgresql":
        pg = postgresql.insert(ProgressSnapshot)
        statement = pg.on_conflict_do_update(
            index_elements=[ProgressSnapshot.enrolment_id],
            set_={"key": pg.excluded.key, "content": pg.excluded.content, "made_at": now},
        )
    else:
        lite = sqlite.insert(ProgressSnapshot)
        statement = lite.on_conflict_do_update(
            index_elements=[ProgressSnapshot.enrolment_id],
            set_={"key": lite.excluded.key, "content": lite.excluded.content, "made_at": now},
        )
    session.execute(statement, rows)


def until(mission: Mission, enrolled_at: datetime, now: datetime) -> datetime:
    """When the clock alone may change the mission's progress: the next whole hour, or sooner
    the next moment the time left of one of its deadlines in days reads differently ("3 days
    left", then "47 h", then "40 min"), or the deadline itself (UTC)."""
    hour = now.replace(minute=0, second=0, microsecond=0) + FRESH_FOR
    changes = [hour]
    for beat in mission.beats:
        days = _within_days(beat.goal)
        if days is None:
            continue
        try:
            left_s = (_utc(enrolled_at) + timedelta(days=days) - now).total_seconds()
        except OverflowError:  # a deadline past the calendar's end never comes
            continue
        if left_s <= 0:
            continue
        # As heroicrun.missions.journeys tells time left: whole days from two days, whole
        # hours from two hours, whole minutes below; the words change when one runs out.
        unit = 86400.0 if left_s >= 2 * 86400 else 3600.0 if left_s >= 2 * 3600 else 60.0
        changes.append(now + timedelta(seconds=left_s - math.floor(left_s / unit) * unit))
    return min(changes)


def mission_key(mission: Mission) -> str:
    """A SHA-256 of the mission's content and this heroicrun's version."""
    # Missions are not hashable (their routes hold lists); a catalog's live as long as it is in
    # use, so they are remembered by identity, the mission itself kept to keep its id its own.
    kept = _MISSION_KEYS.get(id(mission))
    if kept is not None and kept[0] is mission:
        return kept[1]
    content = json.dumps(mission.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    key = hashlib.sha256(f"{content}\n{__version__}".encode()).hexdigest()
    if len(_MISSION_KEYS) >= MISSION_KEYS_KEPT:
        _MISSION_KEYS.clear()
    _MISSION_KEYS[id(mission)] = (mission, key)
    return key


_MISSION_KEYS: dict[int, tuple[Mission, str]] = {}


_MISSING = object()


class Memo(Generic[T]):
    """Values derived from a runner's runs kept in this process under their runs' key (and
    whatever else they depend on): read again only once the runs have changed."""

    def __init__(self, most: int = 1024) -> None:
        self.most = most
        self.kept: dict[tuple[object, ...], T] = {}

    def get(self, session: Session, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """The value kept under `key` for the database of `session`, else `make()`'s, kept."""
        key = (_database(session), *key)
        found = self.kept.get(key, _MISSING)
        if found is not _MISSING:  # (a sentinel: None may be a value; another thread may clear)
            return found  # type: ignore[return-value]
        found = make()
        if len(self.kept) >= self.most:
            self.kept.clear()
        self.kept[key] = found
        return found


def _within_days(goal: object) -> float | None:
    inner = goal.goal if isinstance(goal, BestOfGoal) else goal
    days = getattr(inner, "within_days", None)
    return None if days is None else float(days)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

"""How a runner usually runs, read from their stored runs: what lengths and "≈ 3 runs at your
pace" are told in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heroicrun.db.schema import Run, Runner
from heroicrun.missions import lengths
from heroicrun.play import snapshots
from heroicrun.play.missions import as_utc, on_foot


def habits(
    session: Session, runner: Runner, now: datetime, runs_key: str | None = None
) -> lengths.Runner:
    """The runner's typical run (km), runs a week and pace (s/km) over the 8 weeks before
    `now`, from their on-foot runs; lengths.NEW_RUNNER with fewer than 3 of them. Given the
    runner's snapshots.runs_key, read once an hour for as long as the runs stay as they are."""
    now = as_utc(now)
    if runs_key is not None:
        hour = now.replace(minute=0, second=0, microsecond=0)
        return _KNOWN.get(
            session, (runner.id, runs_key, hour), lambda: habits(session, runner, now)
        )
    rows = session.execute(
        select(
            Run.start_time,
            Run.counted_distance_m,
            func.coalesce(Run.counted_moving_s, Run.moving_s),
        )
        .where(Run.runner_id == runner.id, Run.start_time >= now - lengths.WINDOW)
        .where(Run.overlaps_run_id.is_(None), on_foot())
    ).all()
    return lengths.typical(
        [
            (as_utc(start), (metres or 0.0) / 1000.0, moving_s)
            for start, metres, moving_s in rows
            if start
        ],
        now,
    )


_KNOWN: snapshots.Memo[lengths.Runner] = snapshots.Memo()


def known(runner: lengths.Runner) -> bool:
    """Whether the habits are the runner's own, not those assumed of a new runner."""
    return runner != lengths.NEW_RUNNER

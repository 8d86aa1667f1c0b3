"""The run page: what a run measured, its flags, splits, map and charts, what it counted for in
each mission; and deleting it.

The map and charts are drawn from the run's profile, derived when it was measured and kept
(heroicrun.measuring.profile, play/courses.py): a page never reads the original file again,
except once for a run stored before profiles were kept.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from heroicrun import localtime, sports
from heroicrun.db.schema import Runner
from heroicrun.play import NotFound, credits, marks, records, runs, teams
from heroicrun.play import courses as run_courses
from heroicrun.play import missions as play
from heroicrun.server import csrf
from heroicrun.server.deps import PageRunner, ReadSession, WriteSession
from heroicrun.server.pages import render, run_charts
from heroicrun.server.params import RunId

router = APIRouter(include_in_schema=False)

PER_LEG_BELOW = 120.0  # an average cadence below this is per leg (see _steps_per_minute)


@router.get("/runs/{run_id}")
def run_page(
    request: Request,
    run_id: RunId,
    runner: PageRunner,
    session: ReadSession,
    writing: WriteSession,
) -> Response:
    """One run: figures, flags, splits, best efforts, map, charts, missions, download, delete."""
    try:
        run = runs.kept_run(session, runner, run_id)
    except NotFound:
        return _missing(request)
    learned: play.Learned = {}
    counted = credits.credits_of(
        session, request.app.state.catalog, runner, run, datetime.now(UTC), learned
    )
    play.remember(writing, learned)  # verdicts judged afresh are kept for the next page
    axis: run_charts.Axis = "time" if request.query_params.get("axis") == "time" else "distance"
    pictures, bars = _pictures(session, writing, runner, run, axis)
    # The zone is kept with the run's profile; a run stored before zones were kept finds it
    # from the profile's first position, as keeping its profile again will.
    local = run.local_start
    if run.time_zone is None and run.summary.start_time is not None and pictures.start:
        local = localtime.local_start(run.summary.start_time, *pictures.start)
    default = localtime.default_title(local, run.marked_sport or run.sport)
    return render(
        request,
        "run.html",
        active="runs",
        run=run,
        s=run.summary,
        pictures=pictures,
        bars=bars,
        counted=counted,
        team_counted=teams.credits_of_run(session, request.app.state.catalog, runner, run.id),
        local=local,
        title=run.title or default,
        default_title=default,
        ranks=records.kept_ranks(session, runner, run.id),
        cadence_spm=_steps_per_minute(run),
        saved=request.query_params.get("form") == "saved",
        title_max=localtime.TITLE_MAX,
        notes_max=localtime.NOTES_MAX,
    )


@router.post("/runs/{run_id}/about")
def about_run(
    request: Request,
    run_id: RunId,
    runner: PageRunner,
    session: WriteSession,
    title: Annotated[str, Form(max_length=localtime.TITLE_MAX * 2)] = "",
    notes: Annotated[str, Form(max_length=localtime.NOTES_MAX * 2)] = "",
    sent_token: csrf.FormToken = "",
) -> Response:
    """The run's title and notes from the form on its page; back to the page."""
    try:
        runs.get_run(session, runner, run_id)
        if not csrf.form_ok(request, sent_token):  # a stale page, or another site's form
            return RedirectResponse(f"/runs/{run_id}?form=expired", status_code=303)
        # Longer than allowed (a pasted essay): kept to the limit rather than lost.
        changes = marks.Marks(
            title=title[: localtime.TITLE_MAX], notes=notes[: localtime.NOTES_MAX]
        )
        marks.mark(session, request.app.state.catalog, runner, run_id, changes)
    except NotFound:
        return _missing(request)
    return RedirectResponse(f"/runs/{run_id}?form=saved", status_code=303)


def _steps_per_minute(run: runs.StoredRun) -> tuple[float, float | None] | None:
    """The cadence on foot in steps a minute (average, max); None when not on foot or unknown.

    Watches write a runner's cadence per leg (a stride: 80-95) or per step (160-190); a walk
    per leg can be 50-60. Below 120 the value is taken to be per leg and doubled: no one runs or
    walks at fewer than 120 steps a minute for a whole outing, and no one strides at 120."""
    cadence = run.summary.cadence
    sport = run.marked_sport or run.sport
    if cadence is None or cadence.average is None or sports.on_foot(sport) is False:
        return None
    factor = 2.0 if cadence.average < PER_LEG_BELOW else 1.0
    highest = None if cadence.max is None else cadence.max * factor
    return cadence.average * factor, highest


@router.post("/runs/{run_id}/delete")
def delete_run(
    request: Request,
    run_id: RunId,
    runner: PageRunner,
    session: WriteSession,
    sent_token: csrf.FormToken = "",
) -> Response:
    """Delete one of the runner's runs, then back to the list of runs."""
    try:
        runs.get_run(session, runner, run_id)
        if not csrf.form_ok(request, sent_token):  # a stale page, or another site's form
            return RedirectResponse(f"/runs/{run_id}?form=expired", status_code=303)
        runs.delete_run(session, runner, run_id)
    except NotFound:
        return _missing(request)
    return RedirectResponse("/runs", status_code=303)


def _missing(request: Request) -> Response:
    return render(request, "run.html", status_code=404, active="runs", run=None)


# --- map and charts ------------------------------------------------------------------------


def _pictures(
    session: ReadSession,
    writing: WriteSession,
    runner: Runner,
    run: runs.StoredRun,
    axis: run_charts.Axis,
) -> tuple[run_charts.Pictures, run_charts.SplitBars | None]:
    """The run's map and charts, and its splits as bars, from its kept profile."""
    try:
        content = run_courses.profile_of(session, writing, runner, run.id, run.outing)
    except run_courses.NoCourse as error:
        problem = f"The map and charts cannot be drawn: {error}"
        return run_charts.Pictures(problem=problem), run_charts.split_bars(run.summary, None)
    return run_charts.drawn(content, axis), run_charts.split_bars(run.summary, content)

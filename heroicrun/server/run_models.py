"""The JSON shapes of the runs API: a run's summary (heroicrun.summary.RunSummary, the fields of
`heroicrun check --json`) with what storing adds, the answer to an upload (what each run did in
each mission, and the whole request in four numbers), and the changes a runner may make to a run.

Units are in the names (metres, seconds, seconds per km); absent values are null.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from heroicrun import localtime, summary
from heroicrun.play import credits, imports, marks, teams
from heroicrun.play.runs import StoredRun

# The lists a run's headline leaves out (RunBrief): they can run long.
LONG_LISTS = ("splits", "splits_mile", "best_efforts", "dropped", "unlisted")


def _models(
    kinds: list[type], known: dict[str, type[BaseModel]], left_out: tuple[str, ...] = ()
) -> type[BaseModel]:
    """Pydantic models of the summary's dataclasses (the last of `kinds` returned), with their
    fields, defaults, descriptions and docstrings: the API's JSON and JSON Schema are the
    summary's. The fields named in `left_out` are not shown."""
    model: type[BaseModel] = BaseModel
    for kind in kinds:
        # The nested values' names resolve to their models, built just before.
        hints = get_type_hints(kind, localns=dict(known), include_extras=True)
        shapes: dict[str, Any] = {}
        for each in dataclasses.fields(kind):
            if each.name in left_out:
                factory = _factory(each, known)
                shapes[each.name] = (hints[each.name], Field(default_factory=factory, exclude=True))
                continue
            default: dict[str, Any] = {}
            if each.default is not dataclasses.MISSING:
                default["default"] = each.default
            if each.default_factory is not dataclasses.MISSING:
                default["default_factory"] = _factory(each, known)
            shapes[each.name] = (hints[each.name], Field(**default, **each.metadata))
        model = create_model(
            kind.__name__,
            __config__=ConfigDict(frozen=True, allow_inf_nan=False),
            __doc__=kind.__doc__,
            __module__=__name__,
            **shapes,
        )
        known[kind.__name__] = model
    return model


def _factory(each: dataclasses.Field[Any], known: dict[str, type[BaseModel]]) -> Callable[[], Any]:
    # A default a value class makes (Unlisted) is made by its model; a list left out is empty.
    return known.get(getattr(each.default_factory, "__name__", ""), list)


if TYPE_CHECKING:

    class _Summary(BaseModel): ...

    class _Headline(BaseModel): ...

else:
    _values = [
        summary.Sensor,
        summary.Split,
        summary.BestEffort,
        summary.Flag,
        summary.Dropped,
        summary.Unlisted,
    ]
    _known: dict[str, type[BaseModel]] = {}
    _Summary = _models([*_values, summary.RunSummary], _known)
    _Headline = _models([summary.RunSummary], _known, LONG_LISTS)


class Stored(BaseModel):
    """What storing a run adds to its summary."""

    id: int
    uploaded_at: datetime
    measured_with: str = Field(description="The heroicrun version that measured the run")


class Counting(BaseModel):
    """Whether a stored run counts for missions, and why not."""

    overlaps_run: int | None = Field(
        default=None,
        description="The earlier run of the same outing (a watch and a phone recording it at "
        "once): this one counts for no mission while that one is stored",
    )
    not_counted: str | None = Field(
        default=None,
        description="Why the run counts for none of your missions, in a line: "
        '"recorded 3 years before you enrolled", "a ride (the file says cycling): only runs, '
        'walks and hikes count", "the same outing as run 12 (overlaps 94 % of it)"; null when '
        "it counts for one of them (or, in none, when nothing in the run keeps it from counting)",
    )
    marked_sport: str | None = Field(
        default=None,
        description="The sport you marked the run as (PATCH /api/runs/{id}): missions follow "
        "it over the file's `sport`; null when not marked",
    )
    title: str | None = Field(
        default=None,
        description="The title you gave the run (PATCH /api/runs/{id}); null: the run is shown "
        "with `default_title`",
    )
    default_title: str = Field(
        default="",
        description="The title the run is shown with while you give it none, from its start "
        'time, day and sport ("Saturday morning run"; "Run" for a route). The run page adds '
        'the place and uses the local time ("Saturday dawn run in Athens"): the list and the '
        "API, which read no positions, use the UTC time",
    )
    runner_notes: str | None = Field(
        default=None,
        description="Your notes on the run (PATCH /api/runs/{id} with `notes`); `notes` are "
        "heroicrun's notes on measuring it",
    )


class RunDetail(Counting, _Summary, Stored):
    """Everything measured in a stored run: the fields of `heroicrun check --json`."""


class RunBrief(Counting, _Headline, Stored):
    """A stored run's headline figures (its summary without the lists that can run long), and
    whether it counts."""


class Chapter(BaseModel):
    """A chapter (a mission's beat) a run unlocked."""

    beat: str = Field(description="The beat's id in the mission")
    title: str


class TeamRef(BaseModel):
    """The club whose team a mission is run by."""

    club_id: int
    club: str = Field(description="The club's name")


class MissionCredit(BaseModel):
    """What one run did in one mission you are enrolled in, or one your clubs run as a team
    (`team` set). Journeys fill the km fields (counted km: vehicle stretches left out); other
    missions leave them null. A team's km are the team's: where the team was and is now."""

    mission: str = Field(description="The mission's id")
    title: str = Field(description="The mission's title")
    counts: bool = Field(description="Whether the run counts for this mission")
    counted_km: float | None = Field(
        description="This run's share of the journey, km (0 when it does not count)"
    )
    km_before: float | None = Field(description="Where you were on the route before this run")
    km_after: float | None = Field(description="Where this run left you")
    next_place: str | None = Field(description="The next place on the route; null at its end")
    to_next_km: float | None = Field(description="How far the next place is, km")
    unlocked: list[Chapter] = Field(description="The chapters this run unlocked, in order")
    reason: str | None = Field(
        description='Why the run does not count here, in a line: "recorded 3 years before you '
        'enrolled", "a ride (the file says cycling): …", "already uploaded, as run 12"; null '
        "when it counts"
    )
    team: TeamRef | None = Field(
        default=None, description="For a mission run by one of your clubs: the club; else null"
    )

    @classmethod
    def of(cls, credit: credits.Credit) -> MissionCredit:
        """A play-layer credit in the API's terms."""
        return cls(
            mission=credit.mission_id,
            title=credit.title,
            counts=credit.counts,
            counted_km=_km(credit.km),
            km_before=_km(credit.km_before),
            km_after=_km(credit.km_after),
            next_place=credit.next_place,
            to_next_km=_km(credit.to_next_km),
            unlocked=[Chapter(beat=item.beat, title=item.title) for item in credit.unlocked],
            reason=credit.reason,
        )

    @classmethod
    def of_team(cls, credit: teams.TeamCredit) -> MissionCredit:
        """What a run did for one of the runner's teams, in the API's terms."""
        before = None if credit.km_after is None else credit.km_after - credit.km
        return cls(
            mission=credit.mission_id,
            title=credit.title,
            counts=credit.counts,
            counted_km=_km(credit.km) if credit.km_after is not None else None,
            km_before=_km(before),
            km_after=_km(credit.km_after),
            next_place=None,
            to_next_km=None,
            unlocked=[Chapter(beat=beat, title=title) for beat, title in credit.chapters],
            reason=credit.reason,
            team=TeamRef(club_id=credit.club_id, club=credit.club),
        )


def _km(value: float | None) -> float | None:
    # To the metre: the sums of floats behind them say nothing finer.
    return None if value is None else round(value, 3)


class UploadedRun(RunBrief):
    """One outing of a file of an upload, stored (or found already stored)."""

    duplicate: bool = Field(
        description="True when this runner had already uploaded this activity, in this file or "
        "another (gzip, zip, re-export): the run is the one stored first, and nothing changed"
    )
    unlocked: list[dict[str, str]] = Field(
        description="What the run unlocked in the runner's missions, as messages: `mission`, "
        "`mission_title`, `beat`, `title`, `chapter` (its number), `message`, and `place` for a "
        "place reached"
    )
    progress: list[MissionCredit] = Field(
        default_factory=list,
        description="What the run did in each mission you are enrolled in; for a duplicate, "
        "nothing (it counted, or not, when it was first stored)",
    )


class FileError(BaseModel):
    file: str = Field(description="The file, or the archive member, that was refused")
    error: str = Field(description="Why, in a sentence that names the file")


class Skipped(BaseModel):
    file: str
    reason: str


class UploadSummary(BaseModel):
    """The whole upload in four numbers."""

    stored: int = Field(description="Runs stored anew (a file of several outings stores several)")
    duplicates: int = Field(description="Runs you had already uploaded, in this file or another")
    refused: int = Field(description="Files refused (`errors` says why)")
    not_counted: int = Field(
        description="Of the runs stored, those that count for none of your missions"
    )

    @classmethod
    def of(cls, summary: imports.Summary) -> UploadSummary:
        return cls(
            stored=summary.stored,
            duplicates=summary.duplicates,
            refused=summary.refused,
            not_counted=summary.not_counted,
        )


class Upload(BaseModel):
    """The result of an upload, file by file: some may be stored while others fail."""

    runs: list[UploadedRun] = Field(
        description="One entry per outing stored (or found stored): a file holding several "
        "outings gives several, in order"
    )
    errors: list[FileError]
    skipped: list[Skipped] = Field(
        default_factory=list, description="Notes on archive members that are not run files"
    )
    summary: UploadSummary
    detail: str | None = Field(
        default=None, description="When nothing was stored (status 422): why, in a sentence"
    )


class RunChanges(BaseModel):
    """What to change in one of your runs; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    sport: str | None = Field(
        default=None,
        description='The sport the run was: "running", "walking", "hiking" count for missions; '
        '"cycling", "swimming" and the like do not. Names apps use work too ("Run", "Ride"). '
        "null takes your mark away: the file's sport counts again",
        examples=["cycling", "running", None],
    )
    title: str | None = Field(
        default=None,
        max_length=localtime.TITLE_MAX,
        description="Your title for the run, on one line; empty or null: the default title again",
        examples=["Long run with Maria"],
    )
    notes: str | None = Field(
        default=None,
        max_length=localtime.NOTES_MAX,
        description="Your notes on the run; empty or null takes them away",
        examples=["Windy on the coast road; new shoes."],
    )

    @field_validator("sport")
    @classmethod
    def _known(cls, sport: str | None) -> str | None:
        if sport is None:
            return None
        try:
            return marks.sport_name(sport)
        except marks.UnknownSport as error:
            raise ValueError(str(error)) from None

    def changes(self) -> marks.Marks:
        """The changes asked for, in the play layer's terms."""
        return marks.Marks(**{name: getattr(self, name) for name in self.model_fields_set})


class RunPage(BaseModel):
    runs: list[RunBrief]
    total: int
    limit: int
    offset: int


def fields(run: StoredRun) -> dict[str, Any]:
    """The stored run's summary (the row's file name, sport and outing in it) with its id,
    storage facts and whether it counts: the fields of RunDetail, RunBrief and UploadedRun."""
    return {
        **run.summary.model_dump(),
        "id": run.id,
        "uploaded_at": run.uploaded_at,
        "measured_with": run.measured_with,
        "overlaps_run": run.overlaps_run_id,
        "not_counted": run.not_counted,
        "marked_sport": run.marked_sport,
        "title": run.title,
        "default_title": run.default_title,
        "runner_notes": run.notes,
    }

"""The JSON shapes of the runs API: a run's summary (heroicrun.summary.RunSummary, the fields of
`heroicrun check --json`) with what storing adds, and the answer to an upload.

Units are in the names (metres, seconds, seconds per km); absent values are null.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from heroicrun import summary
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
        description="Why the run counts for no mission, in a sentence: "
        '"the same outing as run 12 (overlaps 94 % of it)"; null when it counts',
    )


class RunDetail(Counting, _Summary, Stored):
    """Everything measured in a stored run: the fields of `heroicrun check --json`."""


class RunBrief(_Headline, Stored):
    """A stored run's headline figures: its summary without the lists that can run long."""


class UploadedRun(RunBrief, Counting):
    """One outing of a file of an upload, stored (or found already stored)."""

    duplicate: bool = Field(
        description="True when this runner had already uploaded this activity, in this file or "
        "another (gzip, zip, re-export): the run is the one stored first, and nothing changed"
    )
    unlocked: list[dict[str, str]] = Field(
        description="What the run unlocked in the runner's missions"
    )


class FileError(BaseModel):
    file: str = Field(description="The file, or the archive member, that was refused")
    error: str = Field(description="Why, in a sentence that names the file")


class Skipped(BaseModel):
    file: str
    reason: str


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
    detail: str | None = Field(
        default=None, description="When nothing was stored (status 422): why, in a sentence"
    )


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
    }

"""The JSON shapes of the runs API: a run's summary (heroicrun.summary.RunSummary, the fields of
`heroicrun check --json`) with what storing adds, and the answer to an upload.

Units are in the names (metres, seconds, seconds per km); absent values are null.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from heroicrun.play.runs import StoredRun
from heroicrun.summary import BestEffort, Dropped, RunSummary, Split, Unlisted


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


class RunDetail(Counting, RunSummary, Stored):
    """Everything measured in a stored run: the fields of `heroicrun check --json`."""


class RunBrief(RunSummary, Stored):
    """A stored run's headline figures: its summary without the lists that can run long."""

    splits: list[Split] = Field(default_factory=list, exclude=True)
    splits_mile: list[Split] = Field(default_factory=list, exclude=True)
    best_efforts: list[BestEffort] = Field(default_factory=list, exclude=True)
    dropped: list[Dropped] = Field(default_factory=list, exclude=True)
    unlisted: Unlisted = Field(default_factory=Unlisted, exclude=True)


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
        **dict(run.summary),
        "id": run.id,
        "uploaded_at": run.uploaded_at,
        "measured_with": run.measured_with,
        "overlaps_run": run.overlaps_run_id,
        "not_counted": run.not_counted,
    }

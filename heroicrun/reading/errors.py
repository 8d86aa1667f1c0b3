"""The one error a run file can raise while being read."""

from __future__ import annotations

# Every reader says this of a file with neither positions nor a device distance on any point.
NO_POSITIONS_NOR_DISTANCE = (
    "has no GPS positions and no distance from the device: there is no run to measure"
    " (an indoor activity without a footpod?)"
)


class ReadError(Exception):
    """A run file that cannot be read, with a sentence a runner can act on.

    The message always starts with the file name and, where known, the line:
    `run.gpx: line 1204: trkpt has lat="abc"`.
    """

    def __init__(self, source: str, problem: str, line: int | None = None) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        where = f"{source}: line {line}: " if line is not None else f"{source}: "
        super().__init__(where + problem)

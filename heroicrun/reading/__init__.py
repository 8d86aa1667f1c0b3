"""Reading run files (GPX, TCX, FIT, and .gz of them) into a Track."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from heroicrun.reading import pointscan, unpacking, xmlsafety
from heroicrun.reading.assembly import TrackAssembler
from heroicrun.reading.errors import ReadError
from heroicrun.reading.limits import DEFAULT, Limits
from heroicrun.track import Track

__all__ = ["DEFAULT", "Limits", "ReadError", "read_bytes", "read_path"]

FIT_SIGNATURE = b".FIT"


def read_path(path: str | os.PathLike[str], limits: Limits = DEFAULT) -> Track:
    """Read the run file at `path`; errors name the path as given."""
    source = os.fspath(path)
    return read_bytes(unpacking.load(Path(source), source, limits), source, limits)


def read_bytes(data: bytes, source: str, limits: Limits = DEFAULT) -> Track:
    """Read a run file held in memory; `source` names it in every message."""
    data = unpacking.unpack(data, source, limits)
    if len(data) > limits.max_bytes:
        raise ReadError(
            source,
            f"is more than the {limits.max_bytes / 2**20:.0f} MiB heroicrun reads from one file",
        )
    head = data[:4096].lstrip()
    if not head and not data.strip():
        raise ReadError(source, "is empty")
    if data[8:12] == FIT_SIGNATURE:
        # Each format's reader is imported when a file needs it: a command reading one GPX
        # does not pay for the FIT decoder at start-up.
        from heroicrun.reading import fit

        return fit.read(data, source, limits)
    if not head.startswith((b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(source, "is not a GPX, TCX or FIT file (it does not start like one)")
    checked = xmlsafety.check(data, source, limits.max_depth)
    if checked.root == "gpx":
        assembler = TrackAssembler(source, "gpx", limits.max_points)
        from heroicrun.reading import gpx

        dialect = gpx.read_into(checked.data, assembler)
    elif checked.root == "TrainingCenterDatabase":
        assembler = TrackAssembler(source, "tcx", limits.max_points)
        from heroicrun.reading import tcx

        dialect = tcx.read_into(checked.data, assembler)
    elif checked.root == "kml":
        raise ReadError(source, "is a KML file (Google Earth); heroicrun reads GPX, TCX and FIT")
    else:
        raise ReadError(
            source, f"is XML with a <{checked.root}> root, not GPX or TCX (expected <gpx>)"
        )

    def find_lines(indexes: Sequence[int]) -> dict[int, int]:
        offsets = pointscan.point_offsets(checked.data, dialect)
        lines: dict[int, int] = {}
        line, last = 1, 0
        for index in sorted(indexes):
            if index < len(offsets):
                line += checked.data.count(b"\n", last, offsets[index])
                last = offsets[index]
                lines[index] = line
        return lines

    return assembler.finish(find_lines)

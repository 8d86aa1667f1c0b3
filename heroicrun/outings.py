"""A file's outings: one file may hold several (three hikes months apart, a logger's trips, the
swim, bike and run of a triathlon), and each is measured and counted on its own.

A track is cut where more than OUTING_GAP_S pass between consecutive points (nobody pauses a
run for three hours; a logger does, between trips) and where the declared sport changes (each
session of a multisport file is its own outing, a transition one of them). A route, having no
times, is cut only where the sport changes. A piece of fewer than two points is no outing: its
point is dropped, and says why.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from heroicrun.track import DroppedPoint, Leg, Track

# Longer than any pause within one run (a café stop, a wait for a ferry), shorter than the night
# between two days' hikes.
OUTING_GAP_S = 3 * 3600.0


def split(track: Track) -> list[Track]:
    """The outings of a track, in time order; a track of one outing comes back as [track]."""
    pieces = _pieces(track)
    if len(pieces) == 1:
        return [track]
    outings = [(first, end) for first, end in pieces if end - first >= 2]
    lone = [first for first, end in pieces if end - first < 2]
    dropped = _with_lone_points(track, lone)
    if not outings:
        # Nothing but lone points: no outing to cut out, the track stays as it was read.
        return [track]
    parts: list[Track] = []
    for number, (first, end) in enumerate(outings, start=1):
        notes = list(track.notes)
        if number == 1 and lone:
            notes.append(_lone_note(len(lone)))
        if len(outings) > 1:
            notes.append(f"is outing {number} of {len(outings)} in this file")
        parts.append(
            _part(
                track,
                first,
                end,
                number=number,
                count=len(outings),
                notes=tuple(notes),
                dropped=dropped if number == 1 else (),
            )
        )
    return parts


def _pieces(track: Track) -> list[tuple[int, int]]:
    """The [first, end) point ranges between cuts: long gaps in time and changes of sport."""
    count = len(track)
    cuts = {leg.first for leg in track.legs[1:]}
    if track.time_s is not None and count > 1:
        cuts.update((np.flatnonzero(np.diff(track.time_s) > OUTING_GAP_S) + 1).tolist())
    bounds = [0, *sorted(cut for cut in cuts if 0 < cut < count), count]
    return list(itertools.pairwise(bounds))


def _part(
    track: Track,
    first: int,
    end: int,
    number: int,
    count: int,
    notes: tuple[str, ...],
    dropped: tuple[DroppedPoint, ...],
) -> Track:
    """Points first..end - 1 as a track of their own, numbered `number` of `count`."""
    window = slice(first, end)
    segment = track.segment[window]
    # Segments from 0, one number per change, whatever numbers the file's segments had.
    renumbered = np.concatenate(([0], np.cumsum(segment[1:] != segment[:-1]))).astype(np.int64)
    sport = _sport_at(track, first)
    distance = track.device_distance_m
    began_s = track.began_s if first == 0 else None
    return replace(
        track,
        lat_deg=track.lat_deg[window],
        lon_deg=track.lon_deg[window],
        elevation_m=track.elevation_m[window],
        heart_rate_bpm=track.heart_rate_bpm[window],
        cadence_rpm=track.cadence_rpm[window],
        segment=renumbered,
        time_s=None if track.time_s is None else track.time_s[window],
        dropped=dropped,
        notes=notes,
        legs=() if sport is None else (Leg(0, sport),),
        device_distance_m=None if distance is None else distance[window] - distance[first],
        began_s=began_s,
        outing=number,
        outings=count,
    )


def _sport_at(track: Track, index: int) -> str | None:
    """The declared sport of point `index`, None when the file declares none."""
    sport = None
    for leg in track.legs:
        if leg.first > index:
            break
        sport = leg.sport
    if sport is None and track.legs:
        sport = track.legs[0].sport
    return sport


def _with_lone_points(track: Track, lone: list[int]) -> tuple[DroppedPoint, ...]:
    """The file's dropped points and the lone ones, in file order."""
    if not lone:
        return track.dropped
    taken = {point.index for point in track.dropped}
    # Kept points are in time order, and files list their points in time order nearly always:
    # the k-th kept point is taken to be the k-th point the reader did not drop.
    wanted = sorted(lone)
    file_index: dict[int, int] = {}
    kept = -1
    position = -1
    for at in wanted:
        while kept < at:
            position += 1
            if position not in taken:
                kept += 1
        file_index[at] = position
    added = [DroppedPoint(file_index[at], None, _lone_reason(track, at)) for at in wanted]
    return tuple(sorted((*track.dropped, *added), key=lambda point: point.index))


def _lone_reason(track: Track, index: int) -> str:
    """Why a point on its own is no outing: far in time from the rest, or alone in its sport."""
    if track.time_s is not None:
        gaps = []
        if index > 0:
            gaps.append(float(track.time_s[index] - track.time_s[index - 1]))
        if index + 1 < len(track):
            gaps.append(float(track.time_s[index + 1] - track.time_s[index]))
        if gaps and min(gaps) > OUTING_GAP_S:
            return f"has a time {_span_words(min(gaps))} away from any other point"
    sport = _sport_at(track, index)
    return f"is the only point of its {sport or 'undeclared'} part of the file"


def _lone_note(count: int) -> str:
    points = "1 point" if count == 1 else f"{count} points"
    return f"dropped {points} standing alone between outings (an outing needs 2 points)"


def _span_words(seconds: float) -> str:
    """A long gap as a runner says it: "5 hours", "3 days"."""
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    return f"{seconds / 3600:.0f} hours"

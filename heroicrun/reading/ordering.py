"""Putting a file's points in the order they were run, and leaving out the ones whose time lies."""

from __future__ import annotations

import bisect

import numpy as np

from heroicrun.track import FloatArray

# Points further than this in time from the rest of the file (a week) are another outing, or a
# clock fault.
MAX_GAP_S = 7 * 86400.0
# Such a group is an outing of its own, kept, when it holds at least OUTING_POINTS points over
# more than OUTING_S: a clock fault stamps one record or a few (a FIT record dated 2085), while
# even a one-minute outing recorded every few seconds has a dozen points.
OUTING_POINTS = 10
OUTING_S = 60.0
# A logger sampling faster than its clock ticks (ten points a second, stamped to the whole
# second) repeats the time before on most points: at 2 Hz half of them, at 10 Hz nine in ten.
# A watch whose clock slips now and then repeats a few in a hundred, and those are glitches.
SUB_SECOND_SHARE = 0.25
# A clock stamping whole seconds hides at most a second between its ticks.
CLOCK_TICK_S = 1.0


def segment_order(seconds: FloatArray, segment: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Point indexes with whole segments ordered by their first usable time."""
    order = np.arange(seconds.shape[0])
    if segment.shape[0] == 0 or segment[-1] == segment[0]:
        return order
    starts: dict[int, float] = {}
    for index in np.flatnonzero(keep):
        starts.setdefault(int(segment[index]), float(seconds[index]))
    if all(a <= b for a, b in zip(list(starts.values()), list(starts.values())[1:], strict=False)):
        return order
    rank = np.array([starts.get(int(s), np.inf) for s in segment])
    return np.lexsort((order, rank))


def spread_repeats(
    order: np.ndarray, seconds: FloatArray, keep: np.ndarray, lat: FloatArray, lon: FloatArray
) -> None:
    """Give a sub-second logger's points that share a stamp their own times, in `seconds`.

    Each run of points with one time, in order and moving, was sampled within that tick of the
    clock: they are spread evenly from it towards the next time (at most a tick), the way they
    were recorded. In a file where such repeats are rare they are left as they are, for
    `drop_out_of_order` to judge.
    """
    candidates = order[keep[order]]
    count = int(candidates.shape[0])
    if count < 2:
        return
    times = seconds[candidates]
    repeats = times[1:] == times[:-1]
    # Two points at one time and one place are the same point written twice, not two samples.
    moved = (lat[candidates][1:] != lat[candidates][:-1]) | (
        lon[candidates][1:] != lon[candidates][:-1]
    )
    if int((repeats & moved).sum()) < SUB_SECOND_SHARE * count:
        return
    firsts = np.flatnonzero(np.concatenate(([True], ~repeats)))
    sizes = np.diff(np.append(firsts, count))
    following = np.append(times[firsts[1:]], np.nan)
    with np.errstate(invalid="ignore"):
        gap_s = following - times[firsts]
        # The last run, or one followed by a time out of order, takes a whole tick.
        span_s = np.where(gap_s > 0, np.minimum(gap_s, CLOCK_TICK_S), CLOCK_TICK_S)
    run = np.repeat(np.arange(firsts.shape[0]), sizes)
    place = np.arange(count) - firsts[run]
    seconds[candidates] = times + place * (span_s / sizes)[run]


def drop_out_of_order(
    order: np.ndarray, seconds: FloatArray, keep: np.ndarray, reasons: dict[int, str]
) -> None:
    """Drop the fewest points that leave time strictly increasing (a time glitch, not the run)."""
    candidates = order[keep[order]]
    times = seconds[candidates]
    if times.shape[0] < 2 or bool(np.all(np.diff(times) > 0)):
        return
    # Longest strictly increasing subsequence, patience-sorting style.
    tails: list[float] = []
    tail_index: list[int] = []
    previous = [-1] * times.shape[0]
    for position, value in enumerate(times.tolist()):
        slot = bisect.bisect_left(tails, value)
        if slot == len(tails):
            tails.append(value)
            tail_index.append(position)
        else:
            tails[slot] = value
            tail_index[slot] = position
        previous[position] = tail_index[slot - 1] if slot else -1
    chosen = set()
    position = tail_index[-1]
    while position >= 0:
        chosen.add(position)
        position = previous[position]
    kept_times = sorted(times[sorted(chosen)].tolist())
    for position in range(times.shape[0]):
        if position in chosen:
            continue
        index = int(candidates[position])
        keep[index] = False
        value = float(times[position])
        slot = bisect.bisect_left(kept_times, value)
        repeats = slot < len(kept_times) and kept_times[slot] == value
        reasons[index] = "repeats another point's time" if repeats else "has a time out of order"


def drop_far_apart(
    ordered: np.ndarray, seconds: FloatArray, keep: np.ndarray, reasons: dict[int, str]
) -> None:
    """Drop the small groups of points whose times lie a week or more from every outing.

    A file may hold outings months apart (three hikes of one summer, a logger's trips): each
    group with enough points over long enough is one and stays, for heroicrun.outings to cut
    apart. A clock fault can stamp a point decades away while the order still holds (a FIT
    record dated 2085 at the end of a 2021 run): such a stray group goes. When no group looks
    like an outing, the largest one is the run.
    """
    times = seconds[ordered]
    breaks = np.flatnonzero(np.diff(times) > MAX_GAP_S)
    if breaks.shape[0] == 0:
        return
    firsts = np.concatenate(([0], breaks + 1))
    lasts = np.concatenate((breaks, [times.shape[0] - 1]))
    sizes = lasts - firsts + 1
    outing = (sizes >= OUTING_POINTS) & (times[lasts] - times[firsts] > OUTING_S)
    if not outing.any():
        outing[int(np.argmax(sizes))] = True
    group = np.repeat(np.arange(firsts.shape[0]), sizes)
    kept_times = times[outing[group]]
    for position in np.flatnonzero(~outing[group]).tolist():
        index = int(ordered[position])
        keep[index] = False
        value = float(times[position])
        # Counted from the nearest outing kept, before or after.
        slot = int(np.searchsorted(kept_times, value))
        nearest = [kept_times[at] for at in (slot - 1, slot) if 0 <= at < kept_times.shape[0]]
        days = min(abs(value - float(other)) for other in nearest) / 86400
        reasons[index] = f"has a time {days:,.0f} days away from the rest of the run"

"""The device's timer pauses in a FIT file, and which points they split or hold."""

from __future__ import annotations

import bisect

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# A run pauses a few hundred times at most; the cap keeps a flood of timer events cheap.
MAX_PAUSES = 10_000


class Pauses:
    """Timer pauses: sorted, non-overlapping [stop, resume] spans in epoch seconds, built from
    the timer events in file order, plus a stop never resumed."""

    def __init__(self) -> None:
        self.stops: list[float] = []
        self.resumes: list[float] = []
        self.open_since: float | None = None
        self.overflowed = False

    def stop(self, time_s: float) -> None:
        if self.open_since is None:
            self.open_since = time_s

    def start(self, time_s: float) -> None:
        """Close the open pause, if any."""
        began, self.open_since = self.open_since, None
        if began is None or time_s < began:
            return
        if len(self.stops) >= MAX_PAUSES:
            self.overflowed = True
            return
        stop_s, resume_s = began, time_s
        # Spans overlapping this one (files can repeat or misorder events) merge into it.
        low = bisect.bisect_right(self.resumes, stop_s)
        high = bisect.bisect_left(self.stops, resume_s)
        if low < high:
            stop_s = min(stop_s, self.stops[low])
            resume_s = max(resume_s, self.resumes[high - 1])
        self.stops[low:high] = [stop_s]
        self.resumes[low:high] = [resume_s]

    def between(self, earlier_s: FloatArray, later_s: FloatArray) -> BoolArray:
        """For each pair of point times, True when the timer stopped or resumed between them."""
        stops = np.array(self.stops)
        resumes = np.array(self.resumes)
        split = np.zeros(earlier_s.shape[0], dtype=bool)
        if stops.shape[0]:
            index = np.searchsorted(stops, earlier_s, side="left")
            found = index < stops.shape[0]
            split[found] |= stops[index[found]] < later_s[found]
            index = np.searchsorted(resumes, earlier_s, side="right")
            found = index < resumes.shape[0]
            split[found] |= resumes[index[found]] <= later_s[found]
        if self.open_since is not None:
            split |= (earlier_s <= self.open_since) & (self.open_since < later_s)
        return split

    def inside(self, times_s: FloatArray) -> BoolArray:
        """True for each time strictly inside a pause the timer came back from."""
        stops = np.array(self.stops)
        if not stops.shape[0]:
            return np.zeros(times_s.shape[0], dtype=bool)
        index = np.searchsorted(stops, times_s, side="left") - 1
        found = index >= 0
        result = np.zeros(times_s.shape[0], dtype=bool)
        result[found] = times_s[found] < np.array(self.resumes)[index[found]]
        return result

"""Heart rate and cadence, summarised over the points that carry them."""

from __future__ import annotations

import numpy as np

from heroicrun.measuring.results import SensorSummary
from heroicrun.track import FloatArray


def summarize(values: FloatArray) -> SensorSummary | None:
    """Return average and maximum over the points with a reading; None when there is none.

    Zero is no reading: a cadence of 0 is standing still, a heart rate of 0 a lost strap.
    """
    readings = values[np.isfinite(values) & (values > 0)]
    if not readings.size:
        return None
    return SensorSummary(average=float(readings.mean()), maximum=float(readings.max()))

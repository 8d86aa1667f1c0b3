"""Hard caps that keep one hostile or absurd file from taking the machine down."""

from __future__ import annotations

from heroicrun.values import frozen


@frozen
class Limits:
    """What heroicrun agrees to read from one file.

    The defaults fit a week-long ultra recorded every second with room to spare.
    """

    max_bytes: int = 256 * 1024 * 1024  # after decompression
    # A 36-hour run at 1 Hz is about 5 MB of FIT (read in a fifth of a second), a week about 25.
    max_fit_bytes: int = 32 * 1024 * 1024
    max_compressed_ratio: int = 200  # decompressed bytes per compressed byte
    max_points: int = 1_000_000
    max_depth: int = 64  # GPX and TCX nest about 8 deep


DEFAULT = Limits()

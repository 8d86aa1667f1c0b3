"""Run files as other apps write them and as uploads wrap them."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from heroicrun.track import Track


def zipped(members: dict[str, bytes]) -> io.BytesIO:
    """A zip archive of these members (deflated), rewound to its start."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def gpx_text(track: Track, decimals: int = 9, newline: str = "\n") -> bytes:
    """The track as another app would export it: `decimals` digits, whole-second times."""
    assert track.time_s is not None
    points = newline.join(
        f'<trkpt lat="{lat:.{decimals}f}" lon="{lon:.{decimals}f}">'
        f"<time>{datetime.fromtimestamp(int(t), UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}</time>"
        "</trkpt>"
        for lat, lon, t in zip(track.lat_deg, track.lon_deg, track.time_s, strict=True)
    )
    return (
        f'<?xml version="1.0"?>{newline}<gpx version="1.1" creator="another app"'
        f' xmlns="http://www.topografix.com/GPX/1/1">{newline}'
        f"<trk><trkseg>{newline}{points}{newline}</trkseg></trk></gpx>{newline}"
    ).encode()

"""Run files wrapped as uploads arrive: zip archives built in memory."""

from __future__ import annotations

import io
import zipfile


def zipped(members: dict[str, bytes]) -> io.BytesIO:
    """A zip archive of these members (deflated), rewound to its start."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer

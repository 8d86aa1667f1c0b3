"""Getting a file's bytes: from disk or memory, gunzipped with hard limits."""

from __future__ import annotations

import zlib
from pathlib import Path

from heroicrun.reading.errors import ReadError
from heroicrun.reading.limits import Limits

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
STEP_BYTES = 1 << 20


def load(path: Path, source: str, limits: Limits) -> bytes:
    """The file's bytes, refusing what is missing, not a file, or too big to be a run."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ReadError(source, "is a directory, not a file")
        if not path.is_file():
            raise ReadError(source, "is not a file")
        if size > limits.max_bytes:
            raise ReadError(source, f"is {size / 2**20:.0f} MiB, {_too_big(limits)}")
        with path.open("rb") as handle:
            # Sized by the file, not the cap: a 256 MiB read buffer for a 5 MB file costs dearly.
            data = handle.read(size + 1)
            if len(data) > size:  # the file grew since stat; still never past the cap
                data += handle.read(limits.max_bytes + 1 - len(data))
        if len(data) > limits.max_bytes:
            raise ReadError(source, f"is {_too_big(limits)}")
        return data
    except FileNotFoundError:
        raise ReadError(source, "does not exist") from None
    except PermissionError:
        raise ReadError(source, "cannot be opened: permission denied") from None
    except IsADirectoryError:
        raise ReadError(source, "is a directory, not a file") from None
    except OSError as error:
        raise ReadError(source, f"cannot be read ({error.strerror or error})") from None


def unpack(data: bytes, source: str, limits: Limits) -> bytes:
    """The payload of a .gz (streamed, capped in size and ratio); other bytes as they are."""
    if data.startswith(ZIP_MAGIC):
        raise ReadError(source, "is a zip archive: unpack it and check the files inside")
    if not data.startswith(GZIP_MAGIC):
        return data
    cap = min(limits.max_bytes, max(len(data), 1) * limits.max_compressed_ratio)
    pieces: list[bytes] = []
    total = 0
    remaining = data
    try:
        while remaining:
            inflater = zlib.decompressobj(wbits=31)  # one gzip member per round
            pending = remaining
            while pending or not inflater.eof:
                piece = inflater.decompress(pending, STEP_BYTES)
                pending = inflater.unconsumed_tail
                total += len(piece)
                if total > cap:
                    raise ReadError(source, _unpacks_too_big(cap, limits))
                pieces.append(piece)
                if not piece and not pending:
                    break
            if not inflater.eof:
                raise ReadError(source, "is a gzip file cut short")
            remaining = inflater.unused_data
            if remaining and not remaining.startswith(GZIP_MAGIC):
                break  # trailing padding after the last member, as some tools write
    except zlib.error as error:
        raise ReadError(source, f"is a damaged gzip file ({error})") from None
    payload = b"".join(pieces)
    if payload.startswith(GZIP_MAGIC):
        raise ReadError(source, "is compressed twice; heroicrun unpacks one layer of gzip")
    return payload


def _unpacks_too_big(cap: int, limits: Limits) -> str:
    if cap < limits.max_bytes:
        return (
            f"unpacks to more than {limits.max_compressed_ratio} times its own size, "
            "which no real run file does (it looks like a zip bomb)"
        )
    return f"unpacks to {_too_big(limits)}"


def _too_big(limits: Limits) -> str:
    return f"more than the {limits.max_bytes / 2**20:.0f} MiB heroicrun reads from one file"

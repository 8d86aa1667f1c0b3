"""What arrives in an upload: run files, and zip archives of them unpacked with hard limits.

Names that come with an upload (the client's file name, an archive's member names) are text to
show, never paths: `display_name` keeps the last part, without control characters. A zip is read
member by member, streamed, with caps on the number of members, the bytes they unpack to in all
and each member's compression ratio; an archive inside the archive is refused. A `.gz` member is
left as it is: the reader unpacks that one layer under its own limits.
"""

from __future__ import annotations

import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from heroicrun.reading import limits as reading_limits

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # an archive, or an empty one
RUN_SUFFIXES = (".gpx", ".tcx", ".fit")
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".tar.gz", ".7z", ".rar", ".bz2", ".xz")
MAX_NAME_CHARS = 255
STEP_BYTES = 1 << 20
SMALL_MEMBER_BYTES = 1 << 20  # below this, no ratio is suspicious
READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
SKIPPED_EXAMPLES = 5
SPENT = "the upload held more run files than heroicrun reads at once; send the rest separately"


@dataclass(frozen=True)
class Limits:
    """What one archive may unpack to."""

    max_members: int = 2_000  # run files read from one archive
    max_entries: int = 20_000  # entries of any kind in its directory (photos, folders, CSV)
    max_total_bytes: int = 256 * 1024 * 1024  # unpacked, all members together
    max_member_bytes: int = reading_limits.DEFAULT.max_bytes
    max_ratio: int = reading_limits.DEFAULT.max_compressed_ratio


@dataclass
class Allowance:
    """What one request (or one import) may still read, across all its files and archives:
    the per-archive caps alone would let many archives in one request add up."""

    members: int = 2_000

    def take(self) -> bool:
        """Use up one run file; False once none is left."""
        if self.members <= 0:
            return False
        self.members -= 1
        return True


@dataclass(frozen=True)
class Entry:
    """One thing found in an upload: a file to read, a refusal, or a note about what was skipped.

    `label` names it in messages ("export.zip/activities/123.gpx"); `name` is what a stored run
    shows ("123.gpx").
    """

    label: str
    data: bytes | None = None
    error: str | None = None
    skipped: str | None = None

    @property
    def name(self) -> str:
        return display_name(self.label)


def display_name(name: str | None, fallback: str = "upload") -> str:
    """The last part of a client's file name, without control characters, at most 255 chars."""
    text = unicodedata.normalize("NFC", (name or "").replace("\\", "/"))
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    base = text.rsplit("/", 1)[-1].strip()
    if base in ("", ".", ".."):
        return fallback
    return _shorten(base, MAX_NAME_CHARS)


def label_of(name: str | None, fallback: str = "upload") -> str:
    """A client's name for messages: path parts kept as text, control characters dropped."""
    text = unicodedata.normalize("NFC", (name or "").replace("\\", "/"))
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    text = text.strip().lstrip("/")
    return _shorten(text, 2 * MAX_NAME_CHARS) if text else fallback


def _shorten(name: str, most: int) -> str:
    if len(name) <= most:
        return name
    stem, dot, suffix = name.rpartition(".")
    if dot and 0 < len(suffix) <= 10:
        return stem[: most - len(suffix) - 1] + "." + suffix
    return name[:most]


def is_archive(head: bytes) -> bool:
    """Whether bytes starting with `head` are a zip archive."""
    return head.startswith(ZIP_MAGICS)


def looks_like_run_file(name: str) -> bool:
    """Whether a file name says GPX, TCX or FIT (or a .gz of one)."""
    lower = name.lower().removesuffix(".gz")
    return lower.endswith(RUN_SUFFIXES)


def unpack(
    file: IO[bytes], label: str, limits: Limits = Limits(), allowance: Allowance | None = None
) -> Iterator[Entry]:
    """The files in one uploaded file: itself, or the run files inside it if it is a zip; with
    an allowance, no more run files than it has left."""
    allowance = allowance if allowance is not None else Allowance(limits.max_members)
    head = file.read(4)
    file.seek(0)
    if not allowance.take():
        yield Entry(label, error=f"{label}: was not read: {SPENT}")
        return
    if not is_archive(head):
        data = file.read(limits.max_member_bytes + 1)
        if len(data) > limits.max_member_bytes:
            yield Entry(label, error=f"{label}: is {_too_big(limits.max_member_bytes)}")
        else:
            yield Entry(label, data=data)
        return
    allowance.members += 1  # an archive is not a run file: its members count instead
    yield from _members(file, label, limits, allowance)


def _members(file: IO[bytes], label: str, limits: Limits, allowance: Allowance) -> Iterator[Entry]:
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        yield Entry(label, error=f"{label}: is a damaged zip archive ({error})")
        return
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_entries:
            yield Entry(
                label,
                error=f"{label}: holds {len(infos):,} entries, more than the "
                f"{limits.max_entries:,} heroicrun opens in one archive",
            )
            return
        file_size = _size(file)
        read = total = 0
        skipped: list[str] = []
        found_any = False
        for info in infos:
            member = label_of(info.filename, "unnamed")
            member_label = f"{label}/{member}"
            base = display_name(info.filename, "")
            if info.is_dir() or member.startswith("__MACOSX/") or base.startswith("._"):
                continue
            if base.lower().endswith(ARCHIVE_SUFFIXES):
                found_any = True  # not an empty archive: one that holds another
                yield Entry(member_label, error=_nested(member_label))
                continue
            if not looks_like_run_file(base):
                skipped.append(member)
                continue
            found_any = True
            if read >= limits.max_members or not allowance.take():
                if read < limits.max_members:
                    yield Entry(
                        label, error=f"{member_label}: was not read, nor any file after it: {SPENT}"
                    )
                    break
                yield Entry(
                    label,
                    error=f"{label}: holds more than {limits.max_members:,} run files; "
                    f"heroicrun read the first {limits.max_members:,}",
                )
                break
            read += 1
            entry, used = _member(archive, info, member_label, file_size, limits, total)
            if used > limits.max_total_bytes - total:
                yield Entry(member_label, error=_too_much(member_label, label, limits))
                break
            total += used
            yield entry
        if skipped:
            examples = ", ".join(skipped[:SKIPPED_EXAMPLES])
            more = (
                f" and {len(skipped) - SKIPPED_EXAMPLES:,} more"
                if len(skipped) > SKIPPED_EXAMPLES
                else ""
            )
            yield Entry(
                label,
                skipped=f"{len(skipped):,} file(s) that are not GPX, TCX or FIT were left alone: "
                f"{examples}{more}",
            )
        if not found_any and not skipped:
            yield Entry(label, error=f"{label}: is an empty zip archive")


def _member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    label: str,
    file_size: int,
    limits: Limits,
    total: int,
) -> tuple[Entry, int]:
    """One member's bytes (streamed, capped), or why not; and how many bytes it unpacked to."""
    if info.flag_bits & 0x1:
        return Entry(label, error=f"{label}: is encrypted; heroicrun cannot open it"), 0
    if info.compress_type not in READABLE_METHODS:
        return Entry(
            label,
            error=f"{label}: uses a compression heroicrun does not unpack "
            "(zip it again with the usual 'deflate')",
        ), 0
    # The directory may lie about sizes: the ratio is taken against what the archive can hold.
    compressed = max(1, min(info.compress_size, file_size))
    cap = min(limits.max_member_bytes, max(SMALL_MEMBER_BYTES, compressed * limits.max_ratio))
    remaining = limits.max_total_bytes - total
    pieces: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as handle:
            while piece := handle.read(STEP_BYTES):
                size += len(piece)
                if size > cap:
                    return Entry(label, error=_bomb(label, cap, limits)), size
                if size > remaining:
                    return Entry(label, error="over the archive's cap"), size
                pieces.append(piece)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError) as error:
        return Entry(label, error=f"{label}: is damaged inside the archive ({error})"), size
    data = b"".join(pieces)
    if is_archive(data[:4]):
        return Entry(label, error=_nested(label)), size
    return Entry(label, data=data), size


def _size(file: IO[bytes]) -> int:
    position = file.tell()
    end = file.seek(0, 2)
    file.seek(position)
    return end


def _nested(label: str) -> str:
    return f"{label}: is an archive inside an archive; heroicrun unpacks one level only"


def _too_much(label: str, archive: str, limits: Limits) -> str:
    return (
        f"{label}: was not read, nor any file after it: {archive} unpacks to more than "
        f"{limits.max_total_bytes / 2**20:.0f} MiB in all, the most heroicrun reads from an archive"
    )


def _bomb(label: str, cap: int, limits: Limits) -> str:
    if cap >= limits.max_member_bytes:
        return f"{label}: unpacks to {_too_big(limits.max_member_bytes)}"
    return (
        f"{label}: unpacks to more than {limits.max_ratio} times its compressed size, "
        "which no run file does (it looks like a zip bomb)"
    )


def _too_big(max_bytes: int) -> str:
    return f"more than the {max_bytes / 2**20:.0f} MiB heroicrun reads from one file"

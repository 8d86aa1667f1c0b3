"""Getting a file's bytes: from disk, and out of gzip, within hard limits."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from heroicrun import reading
from heroicrun.reading import unpacking
from heroicrun.reading.errors import ReadError
from heroicrun.reading.limits import DEFAULT, Limits
from tests.reading.documents import run

GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def zeros_bomb(mebibytes: int) -> bytes:
    """A valid gzip of `mebibytes` MiB of zeros, built from one repeated deflate block.

    Each block ends in a full flush, so copies of it chain into one deflate stream; the test
    never holds more than 1 MiB uncompressed.
    """
    chunk = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(chunk, crc)
    trailer = struct.pack("<II", crc, (mebibytes << 20) & 0xFFFFFFFF)
    return GZIP_HEADER + block * mebibytes + deflate.flush() + trailer


def refusal(data: bytes, limits: Limits = DEFAULT) -> str:
    with pytest.raises(ReadError) as caught:
        unpacking.unpack(data, "run.gpx.gz", limits)
    return str(caught.value)


def test_plain_bytes_pass_through() -> None:
    data = run(3)
    assert unpacking.unpack(data, "run.gpx", DEFAULT) is data


def test_gzip_is_unpacked() -> None:
    assert unpacking.unpack(gzip.compress(run(50)), "run.gpx.gz", DEFAULT) == run(50)


def test_zeros_bomb_is_a_real_gzip() -> None:
    assert gzip.decompress(zeros_bomb(3)) == bytes(3 << 20)


def test_gzip_bomb_is_refused_by_the_ratio_cap() -> None:
    bomb = zeros_bomb(1024)  # 1 GiB of zeros in about 1 MB
    assert len(bomb) < 1.1e6
    assert refusal(bomb) == (
        "run.gpx.gz: unpacks to more than 200 times its own size, which no real run file does"
        " (it looks like a zip bomb)"
    )


def test_gzip_bomb_through_the_reader() -> None:
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(zeros_bomb(1024), "bomb.gpx.gz")
    assert "unpacks to more than 200 times its own size" in str(caught.value)


def test_size_cap_when_the_ratio_is_plausible() -> None:
    limits = Limits(max_bytes=8 << 20, max_compressed_ratio=100_000)
    assert refusal(zeros_bomb(16), limits) == (
        "run.gpx.gz: unpacks to more than the 8 MiB heroicrun reads from one file"
    )


def test_gzip_of_gzip_is_refused() -> None:
    assert refusal(gzip.compress(gzip.compress(run(10)))) == (
        "run.gpx.gz: is compressed twice; heroicrun unpacks one layer of gzip"
    )


def test_truncated_gzip() -> None:
    packed = gzip.compress(run(200))
    assert refusal(packed[: len(packed) // 2]) == "run.gpx.gz: is a gzip file cut short"


def test_damaged_gzip() -> None:
    packed = bytearray(gzip.compress(run(200)))
    packed[20:40] = b"\xff" * 20
    assert refusal(bytes(packed)).startswith("run.gpx.gz: is a damaged gzip file (")


def test_several_gzip_members_are_joined() -> None:
    data = run(10)
    packed = gzip.compress(data[:100]) + gzip.compress(data[100:])
    assert unpacking.unpack(packed, "run.gpx.gz", DEFAULT) == data


def test_padding_after_the_last_member_is_ignored() -> None:
    packed = gzip.compress(run(10)) + bytes(512)
    assert unpacking.unpack(packed, "run.gpx.gz", DEFAULT) == run(10)


def test_zip_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("run.gpx", run(10))
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(buffer.getvalue(), "runs.zip")
    assert str(caught.value) == "runs.zip: is a zip archive: unpack it and check the files inside"


def test_gzipped_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "run.gpx.gz"
    path.write_bytes(gzip.compress(run(30)))
    track = reading.read_path(path)
    assert len(track) == 30 and track.source == str(path)


def test_load(tmp_path: Path) -> None:
    path = tmp_path / "run.gpx"
    path.write_bytes(run(5))
    assert unpacking.load(path, "run.gpx", DEFAULT) == run(5)


@pytest.mark.parametrize(
    ("name", "problem"),
    [("missing.gpx", "does not exist"), (".", "is a directory, not a file")],
)
def test_load_refuses_what_is_not_a_file(tmp_path: Path, name: str, problem: str) -> None:
    with pytest.raises(ReadError) as caught:
        unpacking.load(tmp_path / name, name, DEFAULT)
    assert str(caught.value) == f"{name}: {problem}"


def test_load_refuses_a_huge_file_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.gpx"
    with path.open("wb") as handle:
        handle.truncate(300 << 20)  # sparse: no 300 MiB are written or read
    with pytest.raises(ReadError) as caught:
        unpacking.load(path, "huge.gpx", DEFAULT)
    assert str(caught.value) == (
        "huge.gpx: is 300 MiB, more than the 256 MiB heroicrun reads from one file"
    )

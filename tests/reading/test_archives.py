"""What an upload holds: each archive says one thing about itself, and one request reads no more
run files than its allowance, however many archives carry them."""

from __future__ import annotations

import io

from heroicrun.reading import archives
from tests.helpers import runfiles
from tests.helpers.files import zipped

SMALL = runfiles.short_run()


def test_a_zip_holding_only_a_zip_says_just_that() -> None:
    outer = zipped({"inner.zip": zipped({"a.gpx": SMALL.read_bytes()}).getvalue()})
    found = list(archives.unpack(outer, "outer.zip"))
    assert [entry.error for entry in found] == [
        "outer.zip/inner.zip: is an archive inside an archive; heroicrun unpacks one level only"
    ]


def test_an_empty_zip_is_still_called_empty() -> None:
    found = list(archives.unpack(zipped({}), "empty.zip"))
    assert [entry.error for entry in found] == ["empty.zip: is an empty zip archive"]


def test_the_allowance_caps_run_files_across_archives_of_one_request() -> None:
    allowance = archives.Allowance(members=5)
    sent = [zipped({f"{n}.gpx": SMALL.read_bytes() for n in range(3)}) for _ in range(3)]
    found = [
        entry
        for number, archive in enumerate(sent)
        for entry in archives.unpack(archive, f"{number}.zip", allowance=allowance)
    ]
    assert sum(entry.data is not None for entry in found) == 5
    refusals = [entry.error for entry in found if entry.error]
    assert refusals[0] == (
        "1.zip/2.gpx: was not read, nor any file after it: the upload held more run files "
        "than heroicrun reads at once; send the rest separately"
    )
    assert refusals[1].startswith("2.zip: was not read:")
    loose = archives.unpack(io.BytesIO(SMALL.read_bytes()), "late.gpx", allowance=allowance)
    assert [entry.data for entry in loose] == [None]

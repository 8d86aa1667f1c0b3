"""The expat pass: well-formed XML without a DTD, sane depth and token sizes, or a ReadError."""

from __future__ import annotations

from pathlib import Path

import pytest

from heroicrun import reading
from heroicrun.reading import xmlsafety
from heroicrun.reading.errors import ReadError
from tests.helpers.real import real
from tests.reading.documents import GPX_NS, run

DOCTYPE_REFUSED = "contains a DOCTYPE declaration; heroicrun refuses DTDs and entities in run files"


def refusal(data: bytes, max_depth: int = 64) -> ReadError:
    with pytest.raises(ReadError) as caught:
        xmlsafety.check(data, "run.gpx", max_depth)
    message = str(caught.value)
    assert message.startswith("run.gpx: ") and "\n" not in message and len(message) < 300
    return caught.value


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE gpx [\n' + "\n".join(entities) + "\n]>\n<gpx>&lol9;</gpx>"
    ).encode()


def test_well_formed_document() -> None:
    checked = xmlsafety.check(run(3), "run.gpx", 64)
    assert checked.root == "gpx"
    assert checked.data == run(3)


def test_root_name_without_prefix() -> None:
    data = f'<g:gpx xmlns:g="{GPX_NS}"><g:trk/></g:gpx>'.encode()
    assert xmlsafety.check(data, "run.gpx", 64).root == "gpx"


def test_billion_laughs_is_refused_before_any_expansion() -> None:
    error = refusal(billion_laughs())
    assert error.problem == DOCTYPE_REFUSED and error.line == 2


def test_billion_laughs_through_the_reader() -> None:
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(billion_laughs(), "lol.gpx")
    assert str(caught.value) == f"lol.gpx: line 2: {DOCTYPE_REFUSED}"


def test_external_file_entity_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER")
    for target in (secret.as_uri(), "file:///etc/passwd"):
        data = (
            f'<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY x SYSTEM "{target}">]>\n'
            f"<gpx><trk><name>&x;</name></trk></gpx>"
        ).encode()
        error = refusal(data)
        assert error.problem == DOCTYPE_REFUSED
        assert "SECRET-MARKER" not in str(error) and "root:" not in str(error)


def test_external_dtd_by_url_is_not_fetched() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE gpx SYSTEM "http://198.51.100.7/gpx.dtd">\n'
        b"<gpx><trk><name>&x;</name></trk></gpx>"
    )
    assert refusal(data).problem == DOCTYPE_REFUSED


def test_parameter_entity_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE gpx [\n<!ENTITY % remote SYSTEM '
        b'"http://198.51.100.7/evil.dtd">\n%remote;\n]>\n<gpx/>'
    )
    assert refusal(data).problem == DOCTYPE_REFUSED


def test_even_a_harmless_doctype_is_refused() -> None:
    error = refusal(b"<!DOCTYPE gpx>\n<gpx/>")
    assert error.problem == DOCTYPE_REFUSED and error.line == 1


def test_undefined_entity() -> None:
    assert refusal(b"<gpx>&nbsp;</gpx>").problem == "uses an entity that is not defined"


@pytest.mark.parametrize(
    ("opening", "closing"),
    [(b'<gpx creator="', b'"/>'), (b"<gpx><!--", b"--></gpx>"), (b"<gpx><?pi ", b"?></gpx>")],
    ids=["attribute", "comment", "instruction"],
)
def test_a_20_mb_token_is_refused(opening: bytes, closing: bytes) -> None:
    # Expat rescans an unfinished token at every 1 MiB it is fed: quadratic without the cap.
    data = b'<?xml version="1.0"?>\n' + opening + b"a" * (20 << 20) + closing
    error = refusal(data)
    assert error.problem == (
        "has a single tag, comment or instruction longer than 4 MiB; no GPX or TCX file holds one"
    )
    assert error.line == 2


def test_a_20_mb_attribute_on_a_point_through_the_reader() -> None:
    big = b'<trkpt lat="47" lon="8" note="' + b"x" * (20 << 20) + b'">'
    data = run(10).replace(b'<trkpt lat="47.000300" lon="8.000000">', big)
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(data, "run.gpx")
    assert str(caught.value).startswith("run.gpx: line 8: has a single tag, comment or instruction")


def test_20_mb_of_text_is_not_a_token() -> None:
    data = (
        b"<gpx><desc>"
        + b"a" * (20 << 20)
        + b"</desc><cdata><![CDATA["
        + b"b" * (5 << 20)
        + b"]]></cdata></gpx>"
    )
    assert xmlsafety.check(data, "run.gpx", 64).root == "gpx"


def test_an_xmlns_flood_still_reads() -> None:
    # 0.77 MB of namespace declarations on the root is valid XML: it must read, and quickly.
    flood = " ".join(f'xmlns:a{n}="urn:x:{n}"' for n in range(29_400)).encode()
    assert 0.75e6 < len(flood) < 0.8e6
    data = run(100).replace(b"<gpx ", b"<gpx " + flood + b" ", 1)
    track = reading.read_bytes(data, "flood.gpx")
    assert len(track) == 100 and track.kind == "run"


def test_100000_deep_nesting_is_refused() -> None:
    data = b"<gpx>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</gpx>"
    assert refusal(data).problem == "nests elements 100001 deep; no GPX or TCX file goes past 64"


def test_depth_limit_is_exact() -> None:
    def nested(depth: int) -> bytes:
        return b"<a>" * depth + b"<b/>" + b"</a>" * depth

    assert xmlsafety.check(nested(63), "run.gpx", 64).root == "a"
    assert refusal(nested(64)).problem == "nests elements 65 deep; no GPX or TCX file goes past 64"


def test_deepest() -> None:
    assert xmlsafety.deepest(b"<a><b/><c><d></d></c></a>") == 3
    assert xmlsafety.deepest(b"<a><b/><b/><b/></a>") == 2
    assert xmlsafety.deepest(b'<?xml version="1.0"?><a><!DOC x><b x="1"/></a>') == 2
    assert xmlsafety.deepest(b"<a>" + b"<b></b>" * 1000 + b"</a>") == 2


@pytest.mark.parametrize(
    ("data", "problem", "line"),
    [
        (b"", "is empty: no XML in it", 1),
        (b"<gpx>\n<trk>\n", "ends too early: the XML is cut off", 3),
        (b'<gpx>\n<trkpt lat="1', "ends too early: the XML is cut off (unclosed token)", 2),
        (b"<gpx></trk>", "is not well-formed XML (mismatched tag, column 8)", 1),
        (
            b"<gpx>\n<a b=1/></gpx>",
            "is not well-formed XML (not well-formed (invalid token), column 6)",
            2,
        ),
        (b"<gpx/><gpx/>", "is not well-formed XML (junk after document element, column 7)", 1),
    ],
)
def test_malformed_xml(data: bytes, problem: str, line: int) -> None:
    error = refusal(data)
    assert (error.problem, error.line) == (problem, line)


def test_fittrackee_invalid_xml_is_cut_off() -> None:
    path = real("fittrackee/gpx_file_invalid_xml.gpx")
    error = refusal(path.read_bytes())
    assert (error.problem, error.line) == ("ends too early: the XML is cut off", 11)


def test_comments_and_cdata_are_neutralised_line_for_line() -> None:
    data = (
        b'<?xml version="1.0"?>\n<gpx>\n<!-- a <trkpt lat="1" lon="2">\n'
        b"comment --><name><![CDATA[A & <B>\n]]></name><?pi <x>?></gpx>\n"
    )
    checked = xmlsafety.check(data, "run.gpx", 64)
    assert checked.data.count(b"\n") == data.count(b"\n")
    assert b"trkpt" not in checked.data and b"<x>" not in checked.data
    assert b"<name>A &amp; &lt;B>\n</name>" in checked.data


def test_tags_written_inside_comments_or_cdata_do_not_nest() -> None:
    points = b"<trkpt/>" * 2_000_000  # 16 MB: the comment comes past the first block
    for hidden in (b"<!-- " + b"<a>" * 100 + b" -->", b"<x><![CDATA[" + b"<a>" * 100 + b"]]></x>"):
        data = b'<?xml version="1.0"?><gpx>' + points + hidden + b"</gpx>"
        assert xmlsafety.check(data, "run.gpx", 64).root == "gpx"
    assert refusal(b"<gpx>" + points + b"<!-- -->" + b"<a>" * 70 + b"</a>" * 70 + b"</gpx>")


def test_utf16_is_transcoded_to_utf8() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?>\n<gpx><name>Łódź</name></gpx>'
    for data in (text.encode("utf-16"), b"\xfe\xff" + text.encode("utf-16-be")):
        checked = xmlsafety.check(data, "run.gpx", 64)
        assert checked.data == text.replace("UTF-16", "utf-8").encode()


def test_byte_order_mark_stays() -> None:
    data = b"\xef\xbb\xbf<?xml version='1.0'?><gpx/>"
    assert xmlsafety.check(data, "run.gpx", 64).data == data


@pytest.mark.parametrize("encoding", ["x-nonsense", "rot13", "shift_jis", "idna"])
def test_an_encoding_nobody_can_read_is_one_clear_error(encoding: str) -> None:
    data = run(3).replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode())
    data = data.replace(b"Morning run", "Café".encode("latin-1"))
    error = refusal(data)
    assert error.problem == (
        f"declares the character encoding '{encoding}', which heroicrun cannot read"
    )


def test_an_unknown_encoding_through_the_reader() -> None:
    data = run(3).replace(b'encoding="UTF-8"', b'encoding="x-nonsense"')
    with pytest.raises(ReadError) as caught:
        reading.read_bytes(data, "run.gpx")
    assert str(caught.value) == (
        "run.gpx: declares the character encoding 'x-nonsense', which heroicrun cannot read"
    )


def test_a_single_byte_encoding_python_knows_still_reads() -> None:
    data = run(3).replace(b'encoding="UTF-8"', b'encoding="windows-1252"')
    assert xmlsafety.check(data, "run.gpx", 64).root == "gpx"

"""Placing labels: beside their markers, over nothing, the wanted ones always."""

from __future__ import annotations

import math

import numpy as np

from heroicrun.server.pages import labels
from tests.helpers import svgmaps

LAYOUT = labels.WIDE


def placer(circles: list[labels.Circle], line: bool = False) -> labels.Placer:
    lines = [(np.array([0.0, 640.0]), np.array([200.0, 200.0]))] if line else []
    return labels.Placer(640, 400, LAYOUT, circles, lines)


def test_a_lone_label_sits_just_right_of_its_marker() -> None:
    spot = labels.Spot(100, 100, ("Megara",), 2, "place")
    [text] = placer([labels.Circle(100, 100)]).spots([spot])
    assert text.anchor == "start" and text.leader is None
    assert LAYOUT.place_r < text.box[0] - 100 < LAYOUT.place_r + 2 * labels.GAP


def test_a_label_keeps_off_the_route_when_it_can() -> None:
    spot = labels.Spot(300, 200, ("Nemea",), 2, "place")  # on a line across the map
    [text] = placer([labels.Circle(300, 200)], line=True).spots([spot])
    assert text.box[3] <= 200 or text.box[1] >= 200


def test_a_label_near_the_edge_turns_back_into_the_map() -> None:
    spot = labels.Spot(630, 100, ("Athens",), 2, "place")
    [text] = placer([labels.Circle(630, 100)]).spots([spot])
    assert text.anchor == "end" and text.box[2] <= 640


def test_a_crowd_of_markers_keeps_the_wanted_labels_and_drops_the_others() -> None:
    circles = [labels.Circle(300 + 6 * i, 200) for i in range(12)]
    spots = [labels.Spot(c.x, c.y, (f"Village {i}",), 3, "place") for i, c in enumerate(circles)]
    spots.append(labels.Spot(330, 200, ("The next place", "Next"), 1, "place"))
    placed = placer(circles).spots(spots)
    texts = [text.text for text in placed]
    assert "The next place" in texts or "Next" in texts
    assert len(texts) < len(spots)
    for index, text in enumerate(placed):
        for other in placed[index + 1 :]:
            assert not svgmaps.overlap(text.box, other.box)


def test_the_runner_is_labelled_first_and_others_give_way() -> None:
    you = labels.Spot(320, 200, ("You",), 0, "you", you=True)
    here = labels.Spot(320, 200, ("Megara",), 1, "place")  # the runner is at Megara
    circles = [labels.Circle(320, 200, you=True), labels.Circle(320, 200)]
    first, second = placer(circles).spots([here, you])
    assert first.text == "You"
    assert not svgmaps.overlap(first.box, second.box)
    # Both clear the runner's larger marker.
    for text in (first, second):
        near_x = min(max(320, text.box[0]), text.box[2])
        near_y = min(max(200, text.box[1]), text.box[3])
        assert (near_x - 320) ** 2 + (near_y - 200) ** 2 >= LAYOUT.you_r**2


def test_text_is_measured_as_wide_as_a_wide_face_draws_it() -> None:
    # DejaVu Sans at 100 units: "Megara" is 372 units, digits 64 each; bold is wider.
    assert 370 <= labels.text_width("Megara", 100) <= 380
    assert math.isclose(labels.text_width("2,000", 10), (4 * 0.64 + 0.32) * 10)
    assert labels.text_width("You", 14, bold=True) > labels.text_width("You", 14)
    assert labels.text_width("Macapá", 10) == labels.text_width("Macapa", 10)

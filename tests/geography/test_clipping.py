"""Cutting rings and lines to a box: exact for rings, whole steps for lines."""

from __future__ import annotations

import numpy as np

from heroicrun.geography import clipping

BOX = (0.0, 0.0, 10.0, 10.0)  # south, west, north, east


def area(x: np.ndarray, y: np.ndarray) -> float:
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def ring(*points: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([p[0] for p in points]), np.array([p[1] for p in points])


def test_a_ring_inside_the_box_is_kept_as_it_is() -> None:
    x, y = ring((1, 1), (4, 1), (4, 4), (1, 4))
    cut_x, cut_y = clipping.ring(x, y, BOX)
    assert cut_x.tolist() == x.tolist() and cut_y.tolist() == y.tolist()


def test_a_ring_across_a_side_keeps_the_part_inside() -> None:
    x, y = ring((-5, 2), (5, 2), (5, 6), (-5, 6))  # half of it west of the box
    cut_x, cut_y = clipping.ring(x, y, BOX)
    assert area(cut_x, cut_y) == 20.0
    assert cut_x.min() == 0.0 and cut_x.max() == 5.0


def test_a_ring_round_the_box_becomes_the_box() -> None:
    # A city's map inside a continent: all land.
    x, y = ring((-50, -50), (60, -50), (60, 60), (-50, 60))
    cut_x, cut_y = clipping.ring(x, y, BOX)
    assert area(cut_x, cut_y) == 100.0


def test_a_concave_ring_cut_twice_keeps_its_area() -> None:
    # A U whose two arms leave the box by its north side.
    x, y = ring((2, 2), (8, 2), (8, 14), (6, 14), (6, 4), (4, 4), (4, 14), (2, 14))
    cut_x, cut_y = clipping.ring(x, y, BOX)
    assert area(cut_x, cut_y) == 12.0 + 2 * 2 * 6  # the bottom bar and the arms up to y = 10


def test_a_ring_outside_the_box_leaves_nothing() -> None:
    x, y = ring((20, 20), (30, 20), (30, 30))
    cut_x, _ = clipping.ring(x, y, BOX)
    assert len(cut_x) == 0


def test_a_line_is_kept_in_runs_of_steps_that_reach_the_box() -> None:
    # In, out for three points, in again: two runs, each with the steps that cross the edge.
    x = np.array([1.0, 5.0, 20.0, 30.0, 20.0, 5.0, 2.0])
    y = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    runs = [(a.tolist(), b.tolist()) for a, b in clipping.lines(x, y, BOX)]
    assert [xs for xs, _ in runs] == [[1.0, 5.0, 20.0], [20.0, 5.0, 2.0]]


def test_a_long_step_across_the_box_is_kept_though_both_ends_are_out() -> None:
    x, y = np.array([-5.0, 15.0]), np.array([5.0, 5.0])
    assert len(list(clipping.lines(x, y, BOX))) == 1

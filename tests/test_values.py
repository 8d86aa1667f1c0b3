"""Frozen values (heroicrun.values) behave as frozen dataclasses do, only cheaper to define."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from heroicrun.values import frozen


@frozen(kw_only=True)
class Value:
    """A value with a default, a factory and a field left out of comparisons."""

    km: float
    places: list[str] = field(default_factory=list)
    note: str = "none"
    seen: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class Reference:
    """The same fields, made by dataclasses itself."""

    km: float
    places: list[str] = field(default_factory=list)
    note: str = "none"
    seen: int = field(default=0, compare=False, repr=False)


@frozen
class Pair:
    first: int
    second: str = "b"


@frozen
class Triple(Pair):
    third: float = 0.0


@frozen(eq=False)
class Arrays:
    values: list[float]


def test_shown_compared_and_hashed_as_a_frozen_dataclass() -> None:
    value, reference = Value(km=5.0, places=["a"], seen=1), Reference(km=5.0, places=["a"])
    assert repr(value).removeprefix("Value") == repr(reference).removeprefix("Reference")
    assert value == Value(km=5.0, places=["a"], seen=2)  # `seen` is not compared
    assert value != Value(km=5.0, places=["b"])
    assert value != reference  # type: ignore[comparison-overlap]  # another class never equals
    assert Pair(1) == Pair(1, "b")
    assert hash(Pair(1)) == hash(Pair(1, "b")) == hash((1, "b"))
    assert {Pair(1): "x"}[Pair(1, "b")] == "x"
    assert Triple(1) != Pair(1)
    assert repr(Triple(1, "c", 2.5)) == "Triple(first=1, second='c', third=2.5)"
    nan = float("nan")
    assert Triple(1, "b", nan) == Triple(1, "b", nan)  # the same object, as tuples compare it


def test_without_eq_a_value_equals_only_itself() -> None:
    one = Arrays([1.0])
    assert one == one
    assert one != Arrays([1.0])
    assert hash(one) == object.__hash__(one)


def test_fields_cannot_be_set_or_deleted() -> None:
    value = Value(km=5.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.km = 6.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.other = 1  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del value.note
    with pytest.raises(dataclasses.FrozenInstanceError):
        Triple(1).third = 1.0  # type: ignore[misc]
    assert value.km == 5.0 and value.note == "none"


def test_replace_fields_pickle_and_copy_see_a_dataclass() -> None:
    value = Value(km=5.0, places=["a"])
    assert [each.name for each in dataclasses.fields(value)] == ["km", "places", "note", "seen"]
    changed = dataclasses.replace(value, km=6.0)
    assert (changed.km, changed.places, value.km) == (6.0, ["a"], 5.0)
    assert pickle.loads(pickle.dumps(value)) == value
    assert copy.deepcopy(value) == value and copy.copy(value) == value
    with pytest.raises(TypeError):
        Value(5.0)  # type: ignore[call-arg]


def test_a_class_defining_what_frozen_makes_is_refused() -> None:
    class Shown:
        name: str

        def __repr__(self) -> str:
            return self.name

    with pytest.raises(TypeError, match="__repr__"):
        frozen(Shown)

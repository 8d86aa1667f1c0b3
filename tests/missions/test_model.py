"""Mission values: frozen, and written back exactly as pydantic writes them."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import pytest
from pydantic import TypeAdapter

from heroicrun.missions import catalog, formats, model
from heroicrun.missions.formats import Written
from heroicrun.values import frozen

MISSIONS = catalog.bundled().missions


def test_the_json_form_is_the_one_pydantic_writes() -> None:
    # Stored verdicts are keyed by a hash of this form: it must not drift from the schema's.
    adapter = TypeAdapter(model.Mission)
    for mission in MISSIONS:
        assert mission.model_dump(mode="json") == adapter.dump_python(mission, mode="json")


def test_times_are_written_back_as_the_file_wrote_them() -> None:
    goal = model.PaceGoal.model_validate({"kind": "pace", "pace": "5:30", "km": 5})
    assert goal.pace == 330.0
    assert goal.model_dump() == {"kind": "pace", "pace": "5:30", "km": 5.0}
    night = model.TimeOfDayGoal.model_validate(
        {"kind": "time_of_day", "start_after": "21:30", "finish_before": "5:00"}
    )
    assert (night.start_after, night.finish_before) == (21 * 60 + 30, 5 * 60)
    assert formats.dump(night)["finish_before"] == "05:00"
    chase = model.BestOfGoal.model_validate(
        {
            "kind": "best_of",
            "attempts": 3,
            "goal": {"kind": "chase", "at_minute": 12, "metres": 400, "within": "1:02:03"},
        }
    )
    assert chase.model_dump()["goal"]["within"] == "1:02:03"


def test_values_are_frozen_and_refuse_unknown_fields() -> None:
    goal = model.DistanceGoal.model_validate({"kind": "distance", "km": 5})
    with pytest.raises(dataclasses.FrozenInstanceError):
        goal.km = 10  # type: ignore[misc]
    with pytest.raises(ValueError, match="kms"):
        model.DistanceGoal.model_validate({"kind": "distance", "km": 5, "kms": 5})


Minutes = Annotated[float, Written(float, lambda value: f"{value:g} min", {"type": "string"})]


@frozen(kw_only=True)
class Timed:
    """A value of another module, its fields written as text through an alias or spelt out."""

    alias: Minutes
    spelt: Annotated[float, Written(float, lambda value: f"{value:g} s", {"type": "string"})]
    maybe: Minutes | None = None  # written as text too, when it is there
    plain: float = 1.0


def test_fields_are_written_as_text_however_their_type_is_spelt() -> None:
    value = Timed(alias=5.0, spelt=30.0, maybe=2.0)
    assert formats.dump(value) == {
        "alias": "5 min",
        "spelt": "30 s",
        "maybe": "2 min",
        "plain": 1.0,
    }
    assert formats.dump(Timed(alias=5.0, spelt=30.0))["maybe"] is None

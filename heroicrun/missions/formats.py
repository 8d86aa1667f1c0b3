"""How a mission file writes its fields, and what pydantic checks in them.

The markers here go inside `Annotated[...]` in the mission model. Pydantic reads them through
its `__get_pydantic_core_schema__` hook when a mission file is validated; until then they are
plain objects, so that missions can be held, judged and read back from the cache without
importing pydantic at all (it costs more than the rest of `heroicrun check` put together).

The types a person writes as text (a pace "5:30", a duration "1:02:03", a time of day
"21:30", a legend's "4 days") are here too, with `dump`, which writes a value back as its file
wrote it.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from functools import cache
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ClassVar,
    Literal,
    get_args,
    get_origin,
    get_type_hints,
)

from heroicrun import units
from heroicrun.validated import Validated

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic_core import CoreSchema


class Checks:
    """Constraints on a field, in the words of pydantic's `Field` (gt=0, max_length=120)."""

    __slots__ = ("constraints",)

    def __init__(self, **constraints: Any) -> None:
        self.constraints = constraints

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        from pydantic import Field

        return handler(Annotated[source, Field(**self.constraints)])


class Tagged:
    """A union whose members are told apart by one field, like a goal's `kind`: an unknown
    kind is reported as such, not as a failure to match every member."""

    __slots__ = ("field",)

    def __init__(self, field: str) -> None:
        self.field = field

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        from pydantic import Discriminator

        return Discriminator(self.field).__get_pydantic_core_schema__(source, handler)


class Written:
    """A number a person writes as text ("5:30" per km, "21:30"): parsed when a file is
    validated, and written back the same way in the JSON form (`shown`)."""

    __slots__ = ("json_schema", "parse", "show")

    def __init__(
        self,
        parse: Callable[[Any], float | int],
        show: Callable[[Any], str],
        json_schema: dict[str, Any],
    ) -> None:
        self.parse = parse
        self.show = show
        self.json_schema = json_schema

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        from pydantic_core import core_schema

        return core_schema.no_info_before_validator_function(
            self.parse,
            handler(source),
            serialization=core_schema.plain_serializer_function_ser_schema(
                self.show, return_schema=core_schema.str_schema()
            ),
        )

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return dict(self.json_schema)


class Value(Validated):
    """What every value of a mission file shares: no unknown fields, and the calls of a
    pydantic model, so that callers need not know these are dataclasses."""

    # Read by pydantic when it validates the dataclass: a misspelt field is an error.
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    def model_dump(self, mode: Literal["json"] = "json") -> dict[str, Any]:
        """The value as a file writes it: JSON-ready, paces and durations as text."""
        shown: dict[str, Any] = dump(self)
        return shown


# --- numbers written as text ---------------------------------------------------------------

_TIME_OF_DAY = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_ELAPSED = re.compile(r"^(?:(\d+)\s*days?)?\s*((?:\d+:)?[0-5]?\d:[0-5]\d)?$")
DAY_S = 86_400


def _seconds(value: Any, what: str) -> float:
    total = units.clock_seconds(value) if isinstance(value, str) else None
    if total:
        return float(total)
    raise ValueError(f"expected {what}, got {shown(value)}")


def shown(value: Any) -> str:
    """A value as the file wrote it: strings in double quotes."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _pace(value: Any) -> float:
    return _seconds(value, '"m:ss" per km')


def _duration(value: Any) -> float:
    return _seconds(value, 'a duration "h:mm:ss" or "mm:ss"')


def _clock_minutes(value: Any) -> int:
    if isinstance(value, str):
        match = _TIME_OF_DAY.match(value.strip())
        if match:
            return int(match.group(1)) * 60 + int(match.group(2))
    raise ValueError(f'expected a time of day "HH:MM", got {shown(value)}')


def _as_time_of_day(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _elapsed(value: Any) -> float:
    match = _ELAPSED.match(value.strip()) if isinstance(value, str) else None
    if match and any(match.groups()):
        days, clock = match.groups()
        total = int(days or 0) * DAY_S + ((units.clock_seconds(clock) or 0) if clock else 0)
        if total:
            return float(total)
    raise ValueError(f'expected a time "h:mm:ss", "N days" or "N days h:mm:ss", got {shown(value)}')


def _as_elapsed(seconds: float) -> str:
    """ "36:00:00" under four days; "4 days", "1170 days 16:00:00" from there."""
    days, rest = divmod(round(seconds), DAY_S)
    if days < 4 and not (rest == 0 and days >= 2):
        return units.clock(seconds)
    return f"{days} days" + (f" {units.clock(rest)}" if rest else "")


# A pace written "5:30" (per km), held as seconds per km.
Pace = Annotated[
    float,
    Written(
        _pace,
        units.clock,
        {"type": "string", "pattern": r"^\d{1,2}:[0-5]\d$", "examples": ["5:30"]},
    ),
]
# A duration written "1:02:03" or "20:00", held as seconds.
Duration = Annotated[
    float,
    Written(
        _duration,
        units.clock,
        {"type": "string", "pattern": r"^(\d+:)?[0-5]?\d:[0-5]\d$", "examples": ["20:00"]},
    ),
]
# A time of day written "21:30", held as minutes after midnight.
ClockTime = Annotated[
    int,
    Written(
        _clock_minutes,
        _as_time_of_day,
        {"type": "string", "pattern": r"^([01]?\d|2[0-3]):[0-5]\d$"},
    ),
]
# A long time since setting out, written "36:00:00", "4 days" or "1170 days 16:00:00", held
# as seconds: a legend's times run to days and years.
Elapsed = Annotated[
    float,
    Written(
        _elapsed,
        _as_elapsed,
        {
            "type": "string",
            "pattern": r"^(?=.)(\d+ ?days?)? ?((\d+:)?[0-5]?\d:[0-5]\d)?$",
            "examples": ["36:00:00", "4 days", "1170 days 16:00:00"],
        },
    ),
]


def paragraphs(text: str) -> tuple[str, ...]:
    """A story text's paragraphs. A mission file writes one a line; a text with blank lines
    between its paragraphs may wrap each over several lines, which are joined."""
    text = text.replace("\r\n", "\n").strip()
    parts = text.split("\n\n") if "\n\n" in text else text.split("\n")
    return tuple(" ".join(part.split()) for part in parts if part.strip())


# --- writing a value back ------------------------------------------------------------------


def dump(value: Any) -> Any:
    """A mission value as its file writes it: dicts, lists and text ("5:30", not 330.0)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {name: write(getattr(value, name)) for name, write in _writers(type(value))}
    if isinstance(value, list | tuple):
        return [dump(item) for item in value]
    return value


@cache
def _writers(kind: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Each field of a value class, in order, with the function that writes it.

    A field is written as text when its type is `Annotated[..., Written(...)]` (or that or
    None), through an alias (`Pace`) or spelt out. Annotations are text here (PEP 563); a name
    is looked up where its class was written, and only text spelling out `Written` is
    evaluated: evaluating every annotation (typing.get_type_hints) costs a check 3 ms, most of
    judging 17 missions.
    """
    hints: dict[str, Any] | None = None
    found: list[tuple[str, Callable[[Any], Any]]] = []
    for each in fields(kind):
        hint = each.type
        if isinstance(hint, str):
            named = [part.strip() for part in hint.split("|") if part.strip() != "None"]
            if len(named) == 1 and named[0].isidentifier():
                owner = next(
                    c for c in kind.__mro__ if each.name in vars(c).get("__annotations__", {})
                )
                hint = vars(sys.modules[owner.__module__]).get(named[0])
            elif "Written" in hint:
                hints = hints or get_type_hints(kind, include_extras=True)
                hint = hints[each.name]
        marker = _marker(hint)
        found.append((each.name, dump if marker is None else _or_none(marker.show)))
    return tuple(found)


def _marker(hint: Any) -> Written | None:
    """The Written marker of `Annotated[..., Written(...)]`, alone or with None; else None."""
    members = [hint] if get_origin(hint) is Annotated else get_args(hint)
    for member in members:
        if get_origin(member) is Annotated:
            return next((m for m in get_args(member)[1:] if isinstance(m, Written)), None)
    return None


def _or_none(show: Callable[[Any], str]) -> Callable[[Any], str | None]:
    """`show`, passing None through (a field that may be left out)."""
    return lambda value: None if value is None else show(value)

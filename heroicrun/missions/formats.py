"""How a mission file writes its fields, and what pydantic checks in them.

The markers here go inside `Annotated[...]` in the mission model. Pydantic reads them through
its `__get_pydantic_core_schema__` hook when a mission file is validated; until then they are
plain objects, so that missions can be held, judged and read back from the cache without
importing pydantic at all (it costs more than the rest of `heroicrun check` put together).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

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

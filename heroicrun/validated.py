"""Frozen dataclasses that pydantic validates, but only when asked.

heroicrun's typed values (a mission file's, a run's summary) are plain dataclasses, so that
commands which only build and print them never import pydantic (it would double the start of
`heroicrun check`). Reading one from a document is the moment to validate: `model_validate`
builds pydantic's validator for the class the first time, and keeps it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from pydantic import TypeAdapter


class Validated:
    """The calls of a pydantic model that read a value: `model_validate`, `model_validate_json`.

    Subclasses set `__pydantic_config__` (pydantic reads it when it validates the dataclass).
    """

    __slots__ = ()

    @classmethod
    def model_validate(cls, document: Any) -> Self:
        """The value a parsed document holds; pydantic.ValidationError if none."""
        kind: type = cls
        value: Self = adapter(kind).validate_python(document)
        return value

    @classmethod
    def model_validate_json(cls, text: str | bytes) -> Self:
        """The value a JSON text holds; pydantic.ValidationError if none."""
        kind: type = cls
        value: Self = adapter(kind).validate_json(text)
        return value


@cache
def adapter(kind: type) -> TypeAdapter[Any]:
    """Pydantic's validator (and schema writer) for a value class, built on first use."""
    from pydantic import TypeAdapter

    return TypeAdapter(kind)

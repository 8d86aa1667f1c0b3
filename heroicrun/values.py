"""Frozen dataclasses at a third of what `dataclass(frozen=True)` costs to define.

For every class, `dataclass(frozen=True)` writes the source of six methods and compiles each
one apart (Python 3.11 runs one `exec` a method): a third of a millisecond a class, and
`heroicrun check` imports some sixty of them, a sixth of its own start. `frozen` has dataclasses
write only `__init__`; `__repr__`, `__eq__`, `__hash__` and the refusal to assign or delete are
closures over the class's fields, made from code compiled once, with this module.

Instances behave as a frozen dataclass's do: equal when of the same class with equal fields
(compared as a tuple, in order), hashed by that tuple, shown as `Name(field=value, ...)`, and
assigning or deleting a field raises `dataclasses.FrozenInstanceError`. `dataclasses.fields`,
`replace`, pickling, copying and pydantic's validation see an ordinary dataclass. Two things
differ: `__init__` sets each field through the class's `__setattr__` (which lets a field be set
while it has no value yet), about 0.1 µs a field more than a frozen dataclass takes, so a value
made by the hundred thousand (one per point of a file) stays a plain frozen dataclass; and a
subclass of a `frozen` class is made with `frozen` too, not with `dataclass(frozen=True)`.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import Field, FrozenInstanceError, dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")


@overload
def frozen(cls: type[T], /) -> type[T]: ...


@overload
def frozen(*, eq: bool = True, kw_only: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def frozen(
    cls: type[T] | None = None, /, *, eq: bool = True, kw_only: bool = False
) -> type[T] | Callable[[type[T]], type[T]]:
    """The class as a frozen dataclass; with `eq=False`, instances equal only themselves."""

    def make(kind: type[T]) -> type[T]:
        return _freeze(dataclass(kind, repr=False, eq=False, kw_only=kw_only), eq)

    return make if cls is None else make(cls)


def _freeze(cls: type[T], eq: bool) -> type[T]:
    every = fields(cls)  # type: ignore[arg-type]
    names = frozenset(each.name for each in every)
    shown = tuple(each.name for each in every if each.repr)

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if name in names and name not in self.__dict__:
            object.__setattr__(self, name, value)  # __init__ giving the field its value
        elif type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        else:
            super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{type(self).__qualname__}({parts})"

    methods: dict[str, Callable[..., Any]] = {
        "__setattr__": __setattr__,
        "__delattr__": __delattr__,
        "__repr__": __repr__,
    }
    if eq:
        compared = _values([each.name for each in every if each.compare])
        hashed = _values(
            [each.name for each in every if (each.compare if each.hash is None else each.hash)]
        )

        def __eq__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return compared(self) == compared(other)
            return NotImplemented

        def __hash__(self: Any) -> int:
            return hash(hashed(self))

        methods |= {"__eq__": __eq__, "__hash__": __hash__}
    for name, method in methods.items():
        if name in cls.__dict__:
            raise TypeError(f"{cls.__qualname__} defines {name}, which a frozen value makes")
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    return cls


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving these attributes of a value as a tuple, in order."""
    if len(names) > 1:
        get: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)
        return get
    if names:
        one = attrgetter(names[0])
        return lambda value: (one(value),)
    return lambda value: ()

"""Text a client sends that must be plain: no control or format characters.

A NUL makes PostgreSQL refuse the whole statement, a newline forges log lines, and a
right-to-left override disguises a name; none belongs in a name or a password. Use
`PlainText` for such fields of request models: a violation is a 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from heroicrun.play.accounts import control_character


def plain(value: str) -> str:
    """`value` unchanged, or ValueError if it holds a control or format character."""
    found = control_character(value)
    if found is not None:
        raise ValueError(f"control characters such as {found} are not allowed")
    return value


PlainText = Annotated[str, AfterValidator(plain)]

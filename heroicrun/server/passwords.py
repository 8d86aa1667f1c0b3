"""Turns at password hashing, shared by every route that checks or sets a password.

argon2 takes one core for about a quarter of a second and the machine may have two: more hashes
at once only make each slower, and forty at once held every thread of the pool and stalled
every other request. A request beyond these waits for its turn in the event loop, without
holding a thread. The limit is per worker process; the same `Depends` object is shared by all
the routes, API and pages, so they share the limit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends

HASHES_AT_ONCE = 2


async def _hashing() -> AsyncIterator[None]:
    yield


PasswordWork = Annotated[None, Depends(_hashing, scope="function", max_concurrency=HASHES_AT_ONCE)]

"""The ids and page numbers in paths and queries, one type each for the API and the pages.

Ids are database integers: anything that is not a whole number from 1 to 2^31 - 1 is refused
by validation (a 422 from the API, a 404 page) before it reaches a query.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2**31 - 1
MAX_PAGE = 1_000_000

RunId = Annotated[int, Path(ge=1, le=MAX_ID, description="The run's id")]
TokenId = Annotated[int, Path(ge=1, le=MAX_ID, description="The token's id")]
SessionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The session's id")]
ClubId = Annotated[int, Path(ge=1, le=MAX_ID, description="The club's id")]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1")]

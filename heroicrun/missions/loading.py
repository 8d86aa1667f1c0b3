"""Reading mission files, with errors that name the file, the field and what was expected."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from heroicrun.missions import routes
from heroicrun.missions.model import Mission
from heroicrun.values import frozen

MAX_FILE_BYTES = 1 << 20


class MissionError(Exception):
    """A mission file that cannot be used, with every problem found in it (one line each)."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(f"{source}: {problem}" for problem in self.problems))


@frozen
class Catalog:
    """The missions that loaded, in id order, and the errors of those that did not."""

    missions: tuple[Mission, ...]
    errors: tuple[MissionError, ...]
    directory: Path  # where route files named by the missions are found

    def get(self, mission_id: str) -> Mission | None:
        """The mission with this id, or None."""
        return next((mission for mission in self.missions if mission.id == mission_id), None)


def load(path: Path, source: str | None = None) -> Mission:
    """Read and check one mission file; raise MissionError listing every problem."""
    name = source or str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise MissionError(name, [f"cannot be read ({error.strerror or error})"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise MissionError(name, ["is larger than 1 MiB; a mission file is a page of text"])
    # Imported here, as pydantic is below: missions kept checked in the cache need neither.
    import tomllib

    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise MissionError(name, ["is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as error:
        raise MissionError(name, [f"is not valid TOML: {error}"]) from None
    from pydantic import ValidationError

    try:
        mission = Mission.model_validate(document)
    except ValidationError as error:
        raise MissionError(name, [_describe(item, document) for item in error.errors()]) from None
    expected_id = path.stem
    problems = []
    if mission.id != expected_id:
        problems.append(f'id: expected "{expected_id}" (the file name), got "{mission.id}"')
    problems += _untold(mission)
    if mission.route is not None:
        problems += routes.check(mission.route, path.parent)
    if problems:
        raise MissionError(name, problems)
    return mission


def load_all(directory: Path) -> Catalog:
    """Every `*.toml` mission in `directory`, checked; duplicates of an id are errors."""
    missions: list[Mission] = []
    errors: list[MissionError] = []
    for path in sorted(directory.glob("*.toml")):
        try:
            missions.append(load(path))
        except MissionError as error:
            errors.append(error)
    return Catalog(
        tuple(sorted(missions, key=lambda mission: mission.id)), tuple(errors), directory
    )


def load_paths(paths: Iterable[Path]) -> Catalog:
    """Missions from files and directories (each directory's `*.toml`)."""
    paths = list(paths)
    missions: list[Mission] = []
    errors: list[MissionError] = []
    for path in paths:
        if path.is_dir():
            found = load_all(path)
            missions += found.missions
            errors += found.errors
            continue
        try:
            missions.append(load(path))
        except MissionError as error:
            errors.append(error)
    first = paths[0] if paths else Path(".")
    return Catalog(tuple(missions), tuple(errors), first if first.is_dir() else first.parent)


def _untold(mission: Mission) -> list[str]:
    """The story a file must tell and this one leaves out: its briefing, each beat's teaser."""
    problems = []
    if mission.briefing is None:
        problems.append(
            "briefing: is required (a paragraph or two that opens the story, read on"
            " enrolling; no goal in it)"
        )
    problems += [
        f"beats[{number}].teaser: is required (one line shown while the beat is locked:"
        " what is at stake, not what happens)"
        for number, beat in enumerate(mission.beats)
        if beat.teaser is None
    ]
    return problems


def _describe(error: Any, document: dict[str, Any]) -> str:
    """'beats[3].goal.pace: expected "m:ss" per km, got "fast"' from one pydantic error."""
    where = _location(error["loc"], document)
    message = str(error["msg"])
    kind = error["type"]
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif kind == "missing":
        message = "is required"
    elif kind in ("extra_forbidden", "unexpected_keyword_argument"):
        message = "is not a field here (a typo?)"
    elif kind == "union_tag_invalid":
        context = error.get("ctx", {})
        expected = context.get("expected_tags", "")
        message = f"expected a goal kind, one of {expected}; got {_shown(context.get('tag'))}"
    elif kind == "union_tag_not_found":
        message = "needs a kind (what sort of goal this is)"
    elif "input" in error and kind not in ("model_type",):
        message = f"{message[0].lower()}{message[1:]}, got {_shown(error['input'])}"
    return f"{where}: {message}" if where else message


def _location(location: Sequence[Any], document: dict[str, Any]) -> str:
    """A field path as a person writes it, skipping pydantic's union-member labels."""
    parts: list[str] = []
    node: Any = document
    tag: str | None = None  # a goal's kind, which pydantic repeats right after the goal
    for step in location:
        if step == tag:
            tag = None
            continue
        tag = None
        if isinstance(step, int):
            parts.append(f"[{step}]")
            node = node[step] if isinstance(node, list) and step < len(node) else None
        else:
            parts.append(f".{step}" if parts else str(step))
            node = node.get(step) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get("kind"), str):
            tag = node["kind"]
    return "".join(parts)


def _shown(value: Any) -> str:
    """A value as the file wrote it: strings in double quotes."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)

"""What an upload earned, mission by mission: the km it added to each journey and where that left
the runner, the chapters it unlocked (their opening lines, not the whole text), whether it
finished the mission; the same for each team mission of the runner's clubs, marked with the
club (heroicrun.play.teams); and, run by run, why a run counts for no mission. The upload's answer
shows this instead of every run's full story, so that a five-file upload stays short.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from heroicrun.missions.loading import Catalog
from heroicrun.missions.model import Mission
from heroicrun.play import credits, imports, teams

OPENING_CHARS = 170  # a sealed chapter shows about two lines of its story on a phone
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class ChapterEarned:
    """A chapter an upload unlocked, sealed: its number, title and first lines."""

    mission_id: str
    number: int  # from 1, as the mission page anchors it (#chapter-3)
    beat: str
    title: str
    opening: str  # the story's first sentence or two, never the whole text
    last: bool  # the mission's final chapter


@dataclass(frozen=True)
class MissionReward:
    """What an upload's runs did in one mission, taken together; km are counted km."""

    mission_id: str
    title: str
    counted_km: float | None  # journeys: the km the upload added; None for other missions
    km_before: float | None  # journeys: where the runner was before the upload's first run
    km_after: float | None  # and where its last run left them
    length_km: float | None  # the route's length
    next_place: str | None  # the next place on the route; None at its end
    to_next_km: float | None
    chapters: tuple[ChapterEarned, ...]
    complete: bool  # the upload unlocked the mission's last chapter

    @property
    def moved(self) -> bool:
        """Whether the runner moved along the route."""
        return (
            self.km_before is not None
            and self.km_after is not None
            and self.km_after - self.km_before > 1e-6
        )


@dataclass(frozen=True)
class TeamReward:
    """What an upload's runs did for one team of the runner's: the club, the km they added
    (counted km), where the team stands now and the chapters they unlocked for it."""

    club_id: int
    club: str
    mission_id: str
    title: str
    counted_km: float
    km_after: float | None  # journeys: where the team stands now
    length_km: float | None  # the route's length
    chapters: tuple[ChapterEarned, ...]
    complete: bool  # the upload unlocked the mission's last chapter

    @property
    def words(self) -> str:
        """ "+8.0 km for Runners of Megara on The 182 Heroes' Charge; chapter 2 unlocked for the
        team"."""
        said = f"+{self.counted_km:.1f} km for {self.club} on {self.title}"
        if self.chapters:
            numbers = " and ".join(str(chapter.number) for chapter in self.chapters)
            noun = "chapter" if len(self.chapters) == 1 else "chapters"
            said += f"; {noun} {numbers} unlocked for the team"
        return said


@dataclass(frozen=True)
class RunLine:
    """One run of the upload as the answer lists it: what came in, and why it does not count
    where it does not (one line each)."""

    item: imports.Imported
    counted_in: tuple[str, ...]  # titles of the missions it counts for
    # Why not, in a line: (None, why) when it counts for no mission at all, else (the mission's
    # title, why) for each mission it does not count for.
    reasons: tuple[tuple[str | None, str], ...]


@dataclass(frozen=True)
class Answer:
    """An upload's answer: the whole in numbers, then each mission's reward, then each run."""

    summary: imports.Summary
    chapters: int  # chapters unlocked in all, the teams' too
    rewards: tuple[MissionReward, ...]
    runs: tuple[RunLine, ...]
    teams: tuple[TeamReward, ...] = ()  # what the runs did for the runner's clubs

    @property
    def status(self) -> str:
        """The status line: "3 runs stored · 1 already here · 1 refused · 2 new chapters
        unlocked"; "Nothing stored" when no run came in at all."""
        said = []
        if self.summary.stored:
            said.append(_count(self.summary.stored, "run") + " stored")
        if self.summary.duplicates:
            said.append(f"{self.summary.duplicates} already here")
        if not said:
            return "Nothing stored"
        if self.summary.refused:
            said.append(f"{self.summary.refused} refused")
        if self.chapters:
            said.append(_count(self.chapters, "new chapter") + " unlocked")
        return " · ".join(said)


def answer(tally: imports.Tally, catalog: Catalog) -> Answer:
    """The upload's answer from what importing it did, for the runner's missions and for the
    teams of their clubs."""
    stored = [item for item in tally.runs if not item.recorded.duplicate]
    team_credits = [credit for item in stored for credit in item.recorded.teams]
    by_mission: dict[str, list[credits.Credit]] = {}
    for item in stored:
        for credit in item.recorded.progress:
            by_mission.setdefault(credit.mission_id, []).append(credit)
    rewards = []
    for mission_id, found in by_mission.items():
        mission = catalog.get(mission_id)
        if mission is not None and any(credit.counts for credit in found):
            rewards.append(_reward(mission, found))
    for_teams = _team_rewards(team_credits, catalog)
    return Answer(
        summary=tally.summary,
        chapters=sum(len(reward.chapters) for reward in rewards)
        + sum(len(reward.chapters) for reward in for_teams),
        rewards=tuple(rewards),
        runs=tuple(_line(item) for item in tally.runs),
        teams=for_teams,
    )


def _team_rewards(found: Sequence[teams.TeamCredit], catalog: Catalog) -> tuple[TeamReward, ...]:
    """Each team's credits taken together, in the order the teams were first credited."""
    by_team: dict[tuple[int, str], list[teams.TeamCredit]] = {}
    for credit in found:
        by_team.setdefault((credit.club_id, credit.mission_id), []).append(credit)
    rewards = []
    for (club_id, mission_id), credited in by_team.items():
        mission = catalog.get(mission_id)
        if mission is None or not any(credit.counts for credit in credited):
            continue
        chapters = _earned(mission, {beat for credit in credited for beat, _ in credit.chapters})
        rewards.append(
            TeamReward(
                club_id=club_id,
                club=credited[-1].club,
                mission_id=mission.id,
                title=mission.title,
                counted_km=sum(credit.km for credit in credited),
                km_after=credited[-1].km_after,
                length_km=None if mission.route is None else mission.route.length_km,
                chapters=chapters,
                complete=any(chapter.last for chapter in chapters),
            )
        )
    return tuple(rewards)


def _earned(mission: Mission, beats: set[str]) -> tuple[ChapterEarned, ...]:
    """The chapters of `beats`, in the mission's order, each with its number and opening."""
    return tuple(
        ChapterEarned(
            mission.id,
            number,
            beat.id,
            beat.title,
            opening(beat.text),
            beat is mission.beats[-1],
        )
        for number, beat in enumerate(mission.beats, start=1)
        if beat.id in beats
    )


def _reward(mission: Mission, found: Sequence[credits.Credit]) -> MissionReward:
    """One mission's credits, in the order the runs were stored, taken together."""
    befores = [credit.km_before for credit in found if credit.km_before is not None]
    afters = [credit.km_after for credit in found if credit.km_after is not None]
    shares = [credit.km for credit in found if credit.km is not None]
    last = next((credit for credit in reversed(found) if credit.km_after is not None), found[-1])
    chapters = _earned(mission, {chapter.beat for credit in found for chapter in credit.unlocked})
    return MissionReward(
        mission_id=mission.id,
        title=mission.title,
        counted_km=sum(shares) if shares else None,
        km_before=befores[0] if befores else None,
        km_after=afters[-1] if afters else None,
        length_km=mission.route.length_km if mission.route is not None else None,
        next_place=last.next_place,
        to_next_km=last.to_next_km,
        chapters=chapters,
        complete=any(chapter.last for chapter in chapters),
    )


def _line(item: imports.Imported) -> RunLine:
    recorded = item.recorded
    if recorded.duplicate:
        return RunLine(item, (), ())
    counted_in = tuple(credit.title for credit in recorded.progress if credit.counts)
    if recorded.run.not_counted:  # the same reason everywhere: said once
        return RunLine(item, counted_in, ((None, recorded.run.not_counted),))
    reasons = tuple(
        (credit.title, credit.reason)
        for credit in recorded.progress
        if not credit.counts and credit.reason
    )
    return RunLine(item, counted_in, reasons)


def opening(text: str, most_chars: int = OPENING_CHARS) -> str:
    """A story's first sentences, as many as fit in `most_chars` (at least the first, cut at a
    word with an ellipsis when it alone is longer)."""
    first = " ".join(text.strip().split("\n\n")[0].split())
    kept = ""
    for sentence in SENTENCE_END.split(first):
        if kept and len(kept) + 1 + len(sentence) > most_chars:
            break
        kept = f"{kept} {sentence}".strip()
    if len(kept) > most_chars:
        kept = kept[:most_chars].rsplit(" ", 1)[0].rstrip(",;:—–-") + "…"
    return kept


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"

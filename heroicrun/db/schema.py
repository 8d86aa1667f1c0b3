"""The tables: runners and their tokens, original files, runs, enrolments, remembered verdicts,
and the ledger of unlocks.

Progress is derived from the runs, so an edited mission file needs no migration; only the
chapters already unlocked are kept (Unlock), so that a later upload never takes one from the
run that earned it. Verdicts (one run against one goal) are a cache keyed by the goal's content.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Runner(Base):
    __tablename__ = "runners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Changed by the database whenever any of the runner's runs is (migration 0009's
    # triggers): what is kept about the runs is kept under it (heroicrun.play.snapshots).
    runs_version: Mapped[int] = mapped_column(
        BigInteger, server_default="0", default=lambda: secrets.randbits(62)
    )


class Token(Base):
    """An API token ("phone") or a browser session; only a hash of the secret is kept."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runners.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "api" or "session"
    name: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SignInThrottle(Base):
    """Recent wrong passwords for one name or from one client, and until when both are refused."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)  # "name:ann", "client:1.2.3.4"
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Original(Base):
    """An uploaded file's bytes, gzip-compressed, addressed by the SHA-256 of the bytes as sent."""

    __tablename__ = "originals"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_gz: Mapped[bytes] = mapped_column(LargeBinary)


RUN_MEASURES = (
    "runner_id",
    "start_time",
    "id",
    "overlaps_run_id",
    "marked_sport",
    "sport",
    "gps",
    "kind",
    "distance_m",
    "counted_distance_m",
    "moving_s",
    "counted_moving_s",
    "elapsed_s",
    "time_zone",
)


class Run(Base):
    """One runner's run: the original it came from, and what was measured in it."""

    __tablename__ = "runs"
    __table_args__ = (
        # One run per outing of a file (most files hold one outing: outing 1).
        UniqueConstraint("runner_id", "sha256", "outing", name="one_run_per_file"),
        UniqueConstraint("runner_id", "activity_key", name="one_run_per_activity"),
        Index("runs_by_runner_start", "runner_id", "start_time"),
        # Every column the aggregates over a runner's runs read (totals, the runs' key that
        # kept progress and calendars hang on, the list's filters): read from this index
        # alone, never from rows whose summaries make them wide.
        Index("runs_by_runner_measures", *RUN_MEASURES),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runners.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(ForeignKey("originals.sha256"))
    # Which outing of the file this run is, from 1 (heroicrun.outings): a file holding three
    # hikes is three runs sharing one original.
    outing: Mapped[int] = mapped_column(Integer, server_default="1")
    file_name: Mapped[str] = mapped_column(String(255))  # as the client named it: display only
    format: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(8))
    start_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    distance_m: Mapped[float] = mapped_column(Float)
    counted_distance_m: Mapped[float] = mapped_column(Float)
    elapsed_s: Mapped[float | None] = mapped_column(Float)
    moving_s: Mapped[float | None] = mapped_column(Float)
    counted_moving_s: Mapped[float | None] = mapped_column(Float)  # vehicle stretches left out
    # The declared sport (heroicrun.sports), None when the file declares none; and whether it
    # was recorded with positions. Missions read both here without reading the file again.
    sport: Mapped[str | None] = mapped_column(String(32))
    gps: Mapped[bool] = mapped_column(Boolean, server_default=true())
    # The sport the runner marked the run as (heroicrun.sports), over the file's: the missions
    # follow it, and the summary keeps what the file said. None: not marked.
    marked_sport: Mapped[str | None] = mapped_column(String(32))
    # What the runner calls the run and says of it (heroicrun.localtime bounds both); a run
    # without a title is shown with its default one, derived where it is shown.
    title: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    # The IANA time zone where the run started (heroicrun.localtime), found from its first
    # position when its profile is kept; None without positions, or before it is known.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    summary_json: Mapped[str] = mapped_column(Text)  # heroicrun.summary.describe(), as JSON
    measured_with: Mapped[str] = mapped_column(String(32))  # heroicrun version that measured it
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # heroicrun.activity's fingerprint of the points, whatever the file; None for a run stored
    # before fingerprints, until `heroicrun runs recompute` measures it again.
    activity_key: Mapped[str | None] = mapped_column(String(64))
    # The earlier run of the same outing (a watch and a phone at once): this one does not count.
    overlaps_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )


class Enrolment(Base):
    """A runner in a mission since a moment; restarting closes it and opens a new one."""

    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runners.id", ondelete="CASCADE"), index=True)
    mission_id: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Verdict(Base):
    """One run judged against one single-run goal, remembered: the key is the goal's content."""

    __tablename__ = "verdicts"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    goal_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    met: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(String(500))
    closeness: Mapped[float] = mapped_column(Float)


class Unlock(Base):
    """A chapter unlocked in an enrolment, and its credit: the run that earned it and when. Once
    here it stays, until that run is deleted or re-marked (its rows go with it)."""

    __tablename__ = "unlocks"
    __table_args__ = (UniqueConstraint("enrolment_id", "beat", name="one_unlock_per_beat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    beat: Mapped[str] = mapped_column(String(64))  # the beat's id in the mission file
    # None for a beat at km 0 of the route, unlocked on enrolment.
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("runs.id", ondelete="CASCADE"), index=True
    )
    unlocked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the run's end
    detail: Mapped[str] = mapped_column(String(500))  # how the goal was met, in words
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RunProfile(Base):
    """What the run page and lists draw of a run, derived from its points when it is measured
    (heroicrun.play.derived), so that no page reads the original again."""

    __tablename__ = "run_profiles"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    made_with: Mapped[str] = mapped_column(String(32))  # which way of deriving made it
    # A mini map of the track: an SVG path in a 100 x 100 box, y down; None without positions.
    sketch: Mapped[str | None] = mapped_column(Text)
    content: Mapped[bytes] = mapped_column(LargeBinary)  # the profile itself, compressed


class RunEffort(Base):
    """A run's best time over one standard distance, kept apart from its summary so that
    records across all runs are one query."""

    __tablename__ = "run_efforts"
    __table_args__ = (Index("run_efforts_by_distance", "distance_m", "elapsed_s"),)

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    distance_m: Mapped[float] = mapped_column(Float, primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    elapsed_s: Mapped[float] = mapped_column(Float)
    start_distance_m: Mapped[float | None] = mapped_column(Float)


class ProgressSnapshot(Base):
    """A mission's progress as last worked out for one enrolment, kept while `key` (what it was
    worked out from: the mission's content and the runner's runs) still holds."""

    __tablename__ = "progress_snapshots"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)  # JSON
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- clubs and team missions ------------------------------------------------------------------


class Club(Base):
    """Runners who run missions together. Whoever has the code can join; the owner can change
    it (and so shut out whoever had the old one) and remove members."""

    __tablename__ = "clubs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[int] = mapped_column(ForeignKey("runners.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # the invite code
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Changed by the database whenever the club's members, team enrolments, credited runs (or
    # those runs themselves) or team chapters change (migration 0010's triggers): what is kept
    # about the club is kept under it.
    version: Mapped[int] = mapped_column(
        BigInteger, server_default="0", default=lambda: secrets.randbits(62)
    )
    # Changed by the database whenever what a team's fold sums may have changed rather than
    # grown (migration 0012's triggers): a fold holds while it is what it was made under.
    settled: Mapped[int] = mapped_column(BigInteger, server_default="0")


class ClubMember(Base):
    """A runner in a club since `joined_at`; one who left (or was removed) keeps the row, with
    `left_at`, so that what they gave the team still carries their name."""

    __tablename__ = "club_members"

    club_id: Mapped[int] = mapped_column(
        ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True
    )
    runner_id: Mapped[int] = mapped_column(
        ForeignKey("runners.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TeamEnrolment(Base):
    """A club in a mission as one team since a moment; restarting closes it and opens a new one."""

    __tablename__ = "team_enrolments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"), index=True)
    mission_id: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TeamRun(Base):
    """A member's run credited to a team: once per team (the key), whoever stored it and
    however often. What it measures is read from the run itself, so a re-marked or re-measured
    run counts as it now stands; a deleted one goes with its rows."""

    __tablename__ = "team_runs"
    __table_args__ = (
        Index("team_runs_by_member", "team_enrolment_id", "runner_id"),
        Index("team_runs_in_order", "team_enrolment_id", "start_time", "run_id"),
    )

    team_enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("team_enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[int] = mapped_column(
        ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    runner_id: Mapped[int] = mapped_column(ForeignKey("runners.id", ondelete="CASCADE"))
    credited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The run's start, copied by the database (migration 0012) so that a team's runs are read
    # in judging's order, from any point on, by the index above.
    start_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TeamUnlock(Base):
    """A chapter unlocked for a whole team, credited to the member whose run crossed the mark.
    It stays when that member leaves; with the run deleted, the credit keeps the member."""

    __tablename__ = "team_unlocks"
    __table_args__ = (
        UniqueConstraint("team_enrolment_id", "beat", name="one_team_unlock_per_beat"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("team_enrolments.id", ondelete="CASCADE"), index=True
    )
    beat: Mapped[str] = mapped_column(String(64))
    # None for a beat at km 0 of the route, unlocked on enrolment.
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    runner_id: Mapped[int | None] = mapped_column(ForeignKey("runners.id", ondelete="SET NULL"))
    unlocked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    detail: Mapped[str] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TeamSnapshot(Base):
    """A team mission's progress as last worked out, kept while `key` (the mission's content and
    the club's version) still holds."""

    __tablename__ = "team_snapshots"

    team_enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("team_enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)  # JSON
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TeamFold(Base):
    """A team's credited runs summed up to one of them (heroicrun.play.team_judging), in the order
    runs are judged: by start, then id. It holds while `key` (the mission's content, the team
    enrolment and the club's `settled`) still does; judging reads only the runs after it."""

    __tablename__ = "team_folds"

    team_enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("team_enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64))
    through_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    through_run_id: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)  # JSON
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

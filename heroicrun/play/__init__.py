"""What a player does, where the domain meets storage: accounts, runs, missions and progress.

Functions here take a SQLAlchemy session and plain values and return plain values or rows of
heroicrun.db.schema; the web and the command line are thin shells over them.
"""


class PlayError(Exception):
    """Something a runner asked for that cannot be done, in a sentence they can read.

    What each kind becomes over HTTP is decided in one place: heroicrun.server.errors.
    """


class NotFound(PlayError):
    """A thing that does not exist, or belongs to someone else: the two look the same."""


class Conflict(PlayError):
    """A name already taken, and the like."""

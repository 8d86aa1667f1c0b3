"""Taking turns at the file readers: a fair, bounded queue that waits in the event loop.

The server reads uploaded files in a pool of `parse_workers` processes (`play.pool.Parser`),
each file in a thread of Starlette's threadpool. A thread handed a file before a reader is free
blocks inside the Parser until one is; that threadpool (40 threads) also serves every
synchronous route, /api/health and sign-in included, so two slow files and forty small uploads
were enough to make every other request wait for seconds. Hence an upload first takes a turn
here, in a gate whose capacity is `parse_workers`, and only then goes to a thread: waiting costs
a future in the event loop instead of a thread, and a thread that has a turn finds a reader free,
so the Parser's own semaphore is never waited on.

Turns go round the keys (runners) waiting: a free slot goes to the key holding the fewest slots,
and among those to the one served least recently, so a runner with 40 files queued takes every
other turn, not every turn. The queue is bounded, in all and per key: an arrival at a full queue
is refused at once with `Busy`, whose `retry_after_s` (the queue's length times the recent
average turn, shared among the slots) is meant for a 503's Retry-After header.

A waiter that is cancelled (its client went away) leaves the queue; a holder that is cancelled
frees its slot. Starlette's `run_in_threadpool` lets a cancellation land only after its thread
has finished, so a turn whose body is that call ends when the file's reading does, not while a
reader is still busy with it.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

RECENT_WEIGHT = 0.2  # each finished turn moves the average hold time a fifth of the way


class Busy(Exception):
    """The queue is full: the caller should come back in `retry_after_s` seconds (at least 1)."""

    def __init__(self, waiting: int, retry_after_s: int) -> None:
        self.waiting = waiting
        self.retry_after_s = retry_after_s
        super().__init__(
            f"the server has {waiting} files waiting to be read already;"
            f" try again in {retry_after_s} s"
        )


@dataclass(eq=False)
class _Key:
    """One key's place in the gate: its waiters in arrival order and the slots it holds."""

    arrived: int
    waiters: deque[asyncio.Future[None]] = field(default_factory=deque)
    holding: int = 0
    last_turn: int = -1  # when it last got a slot, counted in turns; -1: not yet


class FairGate:
    """At most `capacity` holders at once; the rest wait in the event loop, round-robin by key."""

    def __init__(
        self,
        capacity: int,
        max_waiting: int,
        max_waiting_per_key: int | None = None,
        *,
        typical_hold_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1:
            raise ValueError(f"a gate needs a capacity of at least 1, not {capacity}")
        if max_waiting < 0 or (max_waiting_per_key is not None and max_waiting_per_key < 0):
            raise ValueError("a gate's queue bounds cannot be negative")
        self.capacity = capacity
        self.max_waiting = max_waiting
        self.max_waiting_per_key = max_waiting_per_key
        self._clock = clock
        self._average_hold_s = typical_hold_s
        self._keys: dict[Hashable, _Key] = {}
        self._holding = 0
        self._waiting = 0
        self._turns = 0
        self._arrivals = 0

    @property
    def holding(self) -> int:
        """How many turns are being taken now."""
        return self._holding

    @property
    def waiting(self) -> int:
        """How many arrivals wait for a turn."""
        return self._waiting

    @property
    def average_hold_s(self) -> float:
        """The recent average length of a turn, in seconds."""
        return self._average_hold_s

    def retry_after_s(self) -> int:
        """Whole seconds a new arrival would likely wait for a turn now, at least 1."""
        estimate_s = (self._waiting + 1) * self._average_hold_s / self.capacity
        return max(1, math.ceil(estimate_s))

    @asynccontextmanager
    async def turn(self, key: Hashable) -> AsyncIterator[None]:
        """Hold one slot for the block, waiting for it if need be; Busy when the queue is full."""
        await self._enter(key)
        started_s = self._clock()
        try:
            yield
        finally:
            self._leave(key, self._clock() - started_s)

    async def _enter(self, key: Hashable) -> None:
        if self._holding < self.capacity and self._waiting == 0:
            self._holding += 1
            self._grant(self._state(key))
            return
        queued = self._keys.get(key)
        per_key_full = (
            self.max_waiting_per_key is not None
            and queued is not None
            and len(queued.waiters) >= self.max_waiting_per_key
        )
        if self._waiting >= self.max_waiting or per_key_full:
            raise Busy(self._waiting, self.retry_after_s())
        state = self._state(key)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        state.waiters.append(waiter)
        self._waiting += 1
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                # The slot was handed over just as the cancellation came: hand it on.
                self._leave(key, None)
            elif waiter in state.waiters:
                state.waiters.remove(waiter)
                self._waiting -= 1
                self._forget_if_idle(key, state)
            raise

    def _state(self, key: Hashable) -> _Key:
        state = self._keys.get(key)
        if state is None:
            state = self._keys[key] = _Key(arrived=self._arrivals)
            self._arrivals += 1
        return state

    def _grant(self, state: _Key) -> None:
        state.holding += 1
        state.last_turn = self._turns
        self._turns += 1

    def _leave(self, key: Hashable, held_s: float | None) -> None:
        state = self._keys[key]
        state.holding -= 1
        self._holding -= 1
        if held_s is not None:
            self._average_hold_s += RECENT_WEIGHT * (held_s - self._average_hold_s)
        self._forget_if_idle(key, state)
        self._pass_on()

    def _pass_on(self) -> None:
        """Give free slots to waiters: fewest slots held first, then least recently served."""
        while self._holding < self.capacity and self._waiting:
            key, state = min(
                ((key, state) for key, state in self._keys.items() if state.waiters),
                key=lambda item: (item[1].holding, item[1].last_turn, item[1].arrived),
            )
            waiter = state.waiters.popleft()
            self._waiting -= 1
            if waiter.done():  # cancelled, its task not yet resumed: nothing to hand it
                self._forget_if_idle(key, state)
                continue
            self._holding += 1
            self._grant(state)
            waiter.set_result(None)

    def _forget_if_idle(self, key: Hashable, state: _Key) -> None:
        if not state.waiters and not state.holding and self._keys.get(key) is state:
            del self._keys[key]

"""The fair gate: bounded turns, round-robin between keys, a bounded queue, cancellation."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Hashable
from typing import Any, TypeVar

import pytest

from heroicrun.server.admission import Busy, FairGate

T = TypeVar("T")


class Clock:
    """A clock the test moves by hand, in seconds."""

    def __init__(self) -> None:
        self.now_s = 0.0

    def __call__(self) -> float:
        return self.now_s


async def settle() -> None:
    """Let every task that can run, run, until all wait again."""
    for _ in range(20):
        await asyncio.sleep(0)


def run(scenario: Coroutine[Any, Any, T]) -> T:
    """Run a scenario; one that deadlocks fails instead of hanging the suite."""
    return asyncio.run(asyncio.wait_for(scenario, timeout=10))


async def hold(gate: FairGate, key: Hashable, log: list[Hashable], release: asyncio.Event) -> None:
    async with gate.turn(key):
        log.append(key)
        await release.wait()


def test_no_more_than_capacity_hold_at_once_and_everyone_gets_a_turn() -> None:
    async def scenario() -> tuple[int, int]:
        gate = FairGate(capacity=2, max_waiting=100)
        inside = most = done = 0

        async def work(number: int) -> None:
            nonlocal inside, most, done
            async with gate.turn(number % 3):
                inside += 1
                most = max(most, inside)
                await asyncio.sleep(0.001)
                inside -= 1
            done += 1

        await asyncio.gather(*(work(number) for number in range(30)))
        assert gate.holding == 0 and gate.waiting == 0
        return most, done

    assert run(scenario()) == (2, 30)


def test_waiting_holds_no_thread_and_leaves_the_loop_free() -> None:
    async def scenario() -> None:
        gate = FairGate(capacity=1, max_waiting=100)
        release = asyncio.Event()
        log: list[Hashable] = []
        threads_before = threading.active_count()
        tasks = [asyncio.create_task(hold(gate, n, log, release)) for n in range(60)]
        await settle()
        assert gate.holding == 1 and gate.waiting == 59
        assert threading.active_count() == threads_before
        # The loop still answers other work promptly while 59 uploads wait.
        assert await asyncio.wait_for(asyncio.sleep(0, "health"), timeout=1) == "health"
        release.set()
        await asyncio.gather(*tasks)
        assert len(log) == 60

    run(scenario())


def test_a_runner_with_one_file_goes_next_not_after_another_runners_forty() -> None:
    async def scenario() -> list[Hashable]:
        gate = FairGate(capacity=2, max_waiting=100)
        log: list[Hashable] = []
        slow = [asyncio.Event(), asyncio.Event()]
        first = [asyncio.create_task(hold(gate, "ann", log, event)) for event in slow]
        await settle()
        released = asyncio.Event()
        released.set()
        queued = [asyncio.create_task(hold(gate, "ann", log, released)) for _ in range(40)]
        await settle()
        queued.append(asyncio.create_task(hold(gate, "bob", log, released)))
        await settle()
        assert gate.waiting == 41
        slow[0].set()
        await settle()
        slow[1].set()
        await asyncio.gather(*first, *queued)
        return log

    log = run(scenario())
    assert log[:3] == ["ann", "ann", "bob"]
    assert log.count("ann") == 42


def test_a_runner_whose_slow_file_holds_a_slot_does_not_also_get_the_next() -> None:
    async def scenario() -> list[Hashable]:
        gate = FairGate(capacity=2, max_waiting=100)
        log: list[Hashable] = []
        slow, bobs_first = asyncio.Event(), asyncio.Event()
        reading = asyncio.create_task(hold(gate, "ann", log, slow))
        await settle()
        first = asyncio.create_task(hold(gate, "bob", log, bobs_first))
        await settle()
        released = asyncio.Event()
        released.set()
        tasks = [
            asyncio.create_task(hold(gate, runner, log, released))
            for runner in ("ann", "ann", "bob", "bob")
        ]
        await settle()
        bobs_first.set()
        await asyncio.gather(first, *tasks)
        slow.set()
        await reading
        return log

    assert run(scenario()) == ["ann", "bob", "bob", "bob", "ann", "ann"]


def test_waiting_runners_take_turns_in_rotation() -> None:
    async def scenario() -> list[Hashable]:
        gate = FairGate(capacity=1, max_waiting=100)
        log: list[Hashable] = []
        gatekeeper = asyncio.Event()
        first = asyncio.create_task(hold(gate, "x", log, gatekeeper))
        await settle()
        released = asyncio.Event()
        released.set()
        tasks = [
            asyncio.create_task(hold(gate, runner, log, released))
            for runner in ["a"] * 4 + ["b"] * 2 + ["c"] * 3
        ]
        await settle()
        gatekeeper.set()
        await asyncio.gather(first, *tasks)
        return log

    assert run(scenario()) == ["x", "a", "b", "c", "a", "b", "c", "a", "c", "a"]


def test_a_full_queue_refuses_at_once_with_a_retry_after_of_at_least_one_second() -> None:
    async def scenario() -> None:
        gate = FairGate(capacity=1, max_waiting=3, typical_hold_s=0.1)
        release = asyncio.Event()
        log: list[Hashable] = []
        tasks = [asyncio.create_task(hold(gate, n, log, release)) for n in range(4)]
        await settle()
        assert gate.holding == 1 and gate.waiting == 3
        with pytest.raises(Busy) as refused:
            async with gate.turn("late"):
                pytest.fail("a full queue let an arrival in")
        assert refused.value.retry_after_s == 1
        assert refused.value.waiting == 3
        assert str(refused.value) == (
            "the server has 3 files waiting to be read already; try again in 1 s"
        )
        assert gate.waiting == 3  # the refused arrival did not join the queue
        release.set()
        await asyncio.gather(*tasks)
        assert log == [0, 1, 2, 3]

    run(scenario())


def test_one_runner_cannot_fill_the_queue_for_everyone_else() -> None:
    async def scenario() -> None:
        gate = FairGate(capacity=1, max_waiting=10, max_waiting_per_key=2)
        release = asyncio.Event()
        log: list[Hashable] = []
        tasks = [asyncio.create_task(hold(gate, "ann", log, release)) for _ in range(3)]
        await settle()
        assert gate.waiting == 2
        with pytest.raises(Busy):
            async with gate.turn("ann"):
                pytest.fail("a runner queued past its own bound")
        tasks.append(asyncio.create_task(hold(gate, "bob", log, release)))
        await settle()
        assert gate.waiting == 3
        release.set()
        await asyncio.gather(*tasks)
        assert sorted(map(str, log)) == ["ann", "ann", "ann", "bob"]

    run(scenario())


def test_retry_after_is_the_queue_times_the_recent_average_turn_over_the_slots() -> None:
    async def scenario() -> None:
        clock = Clock()
        gate = FairGate(capacity=2, max_waiting=100, typical_hold_s=1.0, clock=clock)
        for _ in range(30):  # turns of 10 s each pull the average to 10 s
            async with gate.turn("ann"):
                clock.now_s += 10
        assert gate.average_hold_s == pytest.approx(10, abs=0.02)
        assert gate.retry_after_s() == 5  # nobody waiting: one 10 s turn over two slots
        release = asyncio.Event()
        log: list[Hashable] = []
        tasks = [asyncio.create_task(hold(gate, n, log, release)) for n in range(12)]
        await settle()
        assert gate.waiting == 10
        assert gate.retry_after_s() == 55  # (10 waiting + 1) × 10 s over 2 slots
        release.set()
        await asyncio.gather(*tasks)

    run(scenario())


def test_a_waiter_whose_client_goes_away_leaves_the_queue() -> None:
    async def scenario() -> None:
        gate = FairGate(capacity=1, max_waiting=2)
        release = asyncio.Event()
        log: list[Hashable] = []
        holder = asyncio.create_task(hold(gate, "ann", log, release))
        await settle()
        gone = asyncio.create_task(hold(gate, "bob", log, release))
        stays = asyncio.create_task(hold(gate, "cat", log, release))
        await settle()
        assert gate.waiting == 2
        gone.cancel()
        await settle()
        assert gone.cancelled()
        assert gate.waiting == 1
        dee = asyncio.create_task(hold(gate, "dee", log, release))  # the freed place is usable
        await settle()
        assert gate.waiting == 2
        release.set()
        await asyncio.gather(holder, stays, dee)
        assert log == ["ann", "cat", "dee"]
        assert gate.holding == 0 and gate.waiting == 0

    run(scenario())


def test_a_waiter_cancelled_as_its_turn_arrives_hands_the_slot_on() -> None:
    async def scenario() -> None:
        gate = FairGate(capacity=1, max_waiting=10)
        log: list[Hashable] = []
        released = asyncio.Event()
        released.set()
        async with gate.turn("ann"):
            unlucky = asyncio.create_task(hold(gate, "bob", log, released))
            after = asyncio.create_task(hold(gate, "cat", log, released))
            await settle()
            assert gate.waiting == 2
        # The slot went to bob as the block ended; bob is cancelled before it can resume.
        unlucky.cancel()
        await asyncio.gather(unlucky, after, return_exceptions=True)
        assert unlucky.cancelled()
        assert log == ["cat"]
        assert gate.holding == 0 and gate.waiting == 0

    run(scenario())


def test_a_waiter_cancelled_just_before_a_slot_frees_is_passed_over() -> None:
    async def scenario() -> None:
        gate = FairGate(capacity=1, max_waiting=10)
        log: list[Hashable] = []
        released = asyncio.Event()
        released.set()
        async with gate.turn("ann"):
            gone = asyncio.create_task(hold(gate, "bob", log, released))
            after = asyncio.create_task(hold(gate, "cat", log, released))
            await settle()
            gone.cancel()  # bob's task has not run since: it still sits in the queue
        await asyncio.gather(gone, after, return_exceptions=True)
        assert gone.cancelled()
        assert log == ["cat"]
        assert gate.holding == 0 and gate.waiting == 0

    run(scenario())


def test_a_holder_that_is_cancelled_or_fails_frees_its_slot() -> None:
    async def scenario() -> None:
        gate = FairGate(capacity=1, max_waiting=10)
        log: list[Hashable] = []
        never = asyncio.Event()
        holder = asyncio.create_task(hold(gate, "ann", log, never))
        await settle()
        released = asyncio.Event()
        released.set()
        waiter = asyncio.create_task(hold(gate, "bob", log, released))
        await settle()
        holder.cancel()
        await asyncio.wait_for(waiter, timeout=1)
        assert log == ["ann", "bob"]

        with pytest.raises(ZeroDivisionError):
            async with gate.turn("cat"):
                _ = 1 / 0
        assert gate.holding == 0
        async with gate.turn("dee"):
            assert gate.holding == 1

    run(scenario())


def test_a_gate_needs_a_slot_and_sane_bounds() -> None:
    with pytest.raises(ValueError, match="capacity of at least 1, not 0"):
        FairGate(capacity=0, max_waiting=1)
    with pytest.raises(ValueError, match="cannot be negative"):
        FairGate(capacity=1, max_waiting=-1)

"""Heartbeats while an activity waits on a platform, so a worker that dies mid-call is noticed
within the heartbeat timeout (seconds) instead of the start-to-close timeout (minutes)."""

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from temporalio import activity

__all__ = ["HEARTBEAT_EVERY_SECONDS", "heartbeating"]

HEARTBEAT_EVERY_SECONDS = 3.0
"""Well inside the workflows' heartbeat timeout of 15 s."""

T = TypeVar("T")


async def heartbeating(work: Awaitable[T], every: float = HEARTBEAT_EVERY_SECONDS) -> T:
    """Await ``work`` while heartbeating every ``every`` seconds."""

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(every)

    beating = asyncio.create_task(beat())
    try:
        return await work
    finally:
        beating.cancel()

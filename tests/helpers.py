"""Polling asserts for eventually consistent things (visibility, processes)."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def assert_eventually(
    probe: Callable[[], Awaitable[T]], *, timeout: float = 10, interval: float = 0.2
) -> T:
    """Await ``probe`` until it returns a truthy value; fail with its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last: {value!r})")
        await asyncio.sleep(interval)

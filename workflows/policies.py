"""Timeouts and retry policies shared by the processes that call external platforms.

A platform that is down is retried with a capped exponential backoff (no busy loop during a
long outage); what each process treats as a definitive "no" is its own list.
"""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy

__all__ = ["PLATFORM_HEARTBEAT", "platform_retry", "step_options"]

PLATFORM_HEARTBEAT = timedelta(seconds=15)
"""Platform activities heartbeat every 3 s: a dead worker is noticed in seconds."""


def platform_retry(definitive: Sequence[str]) -> RetryPolicy:
    return RetryPolicy(
        initial_interval=timedelta(seconds=10),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=10),  # capped: no busy loop during a long outage
        non_retryable_error_types=list(definitive),
    )


def step_options(definitive: Sequence[str]) -> dict[str, Any]:
    """Options of a database/filing step: short, retried for an hour at most."""
    return {
        "start_to_close_timeout": timedelta(minutes=2),
        "schedule_to_close_timeout": timedelta(hours=1),
        "retry_policy": RetryPolicy(
            maximum_interval=timedelta(minutes=1), non_retryable_error_types=list(definitive)
        ),
    }

"""Timeouts and retry policies shared by the processes that call external platforms.

A platform that is down is retried with a capped exponential backoff (no busy loop during a
long outage); what each process treats as a definitive "no" is its own list.
"""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows import platform_task_queue

__all__ = ["PLATFORM_HEARTBEAT", "platform_queue", "platform_retry", "step_options"]

PLATFORM_QUEUES_PATCH = "platform-task-queues"
"""Runs started before this patch call platforms on the case-file queue, where the activities
stay registered for them."""

PLATFORM_HEARTBEAT = timedelta(seconds=15)
"""Platform activities heartbeat every 3 s: a dead worker is noticed in seconds."""


def platform_retry(definitive: Sequence[str]) -> RetryPolicy:
    return RetryPolicy(
        initial_interval=timedelta(seconds=10),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=10),  # capped: no busy loop during a long outage
        non_retryable_error_types=list(definitive),
    )


def platform_queue(platform: str) -> str | None:
    """The task queue of a platform call from inside a workflow (None: the workflow's own)."""
    if not workflow.patched(PLATFORM_QUEUES_PATCH):
        return None
    return platform_task_queue(workflow.info().task_queue, platform)


def step_options(definitive: Sequence[str]) -> dict[str, Any]:
    """Options of a database/filing step: short, retried for an hour at most."""
    return {
        "start_to_close_timeout": timedelta(minutes=2),
        "schedule_to_close_timeout": timedelta(hours=1),
        "retry_policy": RetryPolicy(
            maximum_interval=timedelta(minutes=1), non_retryable_error_types=list(definitive)
        ),
    }

"""Starting a procedural process once per request: the workflow id is the lock."""

from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

__all__ = ["start_once"]


async def start_once(
    temporal: Client, run: Any, argument: Any, *, workflow_id: str, task_queue: str
) -> WorkflowHandle:
    """Start the workflow, or return the one a repeated request (same Idempotency-Key)
    already started, running or finished."""
    try:
        return await temporal.start_workflow(
            run,
            argument,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
    except WorkflowAlreadyStartedError:  # finished earlier under the same key
        return temporal.get_workflow_handle(workflow_id)

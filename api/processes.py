"""Starting a procedural process once per request (the workflow id is the lock), and listing
an instance's processes with their status."""

import asyncio
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from api.errors import domain_error_from
from casefile import errors

__all__ = ["execution_status", "processes_with_status", "start_once", "update_or_conflict"]


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


async def processes_with_status(
    temporal: Client, *, condition: str, workflow_type: str, task_queue: str, status_query: Any
) -> list[tuple[WorkflowExecution, Any]]:
    """This instance's processes matching a visibility ``condition``, each with the answer of
    its ``status_query`` (None when no worker can answer, e.g. an old, terminated run)."""
    query = f'{condition} AND WorkflowType = "{workflow_type}" AND TaskQueue = "{task_queue}"'
    executions = [e async for e in temporal.list_workflows(query)]

    async def with_status(execution: WorkflowExecution) -> tuple[WorkflowExecution, Any]:
        handle = temporal.get_workflow_handle(execution.id, run_id=execution.run_id)
        try:
            return execution, await handle.query(status_query)
        except RPCError:
            return execution, None

    return list(await asyncio.gather(*(with_status(e) for e in executions)))


def execution_status(execution: WorkflowExecution) -> str:
    return execution.status.name.lower() if execution.status else "unknown"


async def update_or_conflict(
    handle: WorkflowHandle, update: Any, argument: Any, *, ended: str
) -> Any:
    """Run an update; a validator's refusal becomes the domain error behind it or a 409
    naming why, and an ended process a 409 saying ``ended``."""
    try:
        return await handle.execute_update(update, argument)
    except WorkflowUpdateFailedError as failure:
        if (domain := domain_error_from(failure)) is not None:
            raise domain from failure
        cause = failure.cause
        message = getattr(cause, "message", None) or str(cause or failure)
        raise errors.Conflict(message) from failure
    except RPCError as finished:
        raise errors.Conflict(f"{handle.id} has ended: {ended}") from finished

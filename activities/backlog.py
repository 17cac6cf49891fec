"""Release the deliveries that waited out a platform's outage as soon as it is back.

During an outage every waiting call backs off on its own timer, up to ten minutes apart
(workflows/policies.py), which keeps the outage cheap. When the platform returns, those
timers would bring the backlog back spread over the last ten minutes, far below what the
platform can take. So the first call that goes through after this worker saw the platform
refuse starts one Temporal batch operation that resets the waiting calls of this instance:
they leave their backoff at once, and the platform queue's rate limit
(HOSO_PLATFORM_RATE_LIMITS) paces the drain. A reset call that was in flight just runs again
under the same idempotency key, so nothing is delivered twice.
"""

import logging
import uuid

from temporalio import activity
from temporalio.api.batch.v1 import BatchOperationResetActivities
from temporalio.api.workflowservice.v1 import StartBatchOperationRequest
from temporalio.service import RPCError

__all__ = ["BacklogRelease"]

log = logging.getLogger("hoso.backlog")


class BacklogRelease:
    """One per platform call type and worker process; ``outage_seen`` and ``recovered`` are
    called around each platform call."""

    def __init__(
        self, *, namespace: str, casefile_queue: str, workflow_type: str, activity_type: str
    ) -> None:
        self._namespace = namespace
        self._query = (
            f'TaskQueue = "{casefile_queue}" AND WorkflowType = "{workflow_type}" '
            'AND ExecutionStatus = "Running"'
        )
        self._activity_type = activity_type
        self._outage_seen = False
        self.releases = 0

    def outage_seen(self) -> None:
        self._outage_seen = True

    async def recovered(self) -> None:
        """After a success: if this worker saw the platform down, release the backlog."""
        if not self._outage_seen:
            return
        self._outage_seen = False  # one release per outage seen; a worker sees few outages
        request = StartBatchOperationRequest(
            namespace=self._namespace,
            job_id=f"release-{self._activity_type}-{uuid.uuid4()}",
            reason=f"the platform of {self._activity_type} is back: retry the waiting calls now",
            visibility_query=self._query,
            reset_activities_operation=BatchOperationResetActivities(
                identity="hoso backlog release", type=self._activity_type
            ),
        )
        try:
            await activity.client().workflow_service.start_batch_operation(request)
        except RPCError as exc:  # the timers still bring the backlog back: only slower
            log.warning("could not release the backlog of %s: %s", self._activity_type, exc)
            return
        self.releases += 1
        log.info("released the waiting %s calls (%s)", self._activity_type, request.job_id)

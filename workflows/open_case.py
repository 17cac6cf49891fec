"""OpenCase: create the electronic case file, its first audit events and search attributes.

Legal basis: Joint Circular art. 10(3) (a unique electronic file code from creation).
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.cases import CaseActivities
    from workflows import AGENCY_CODE, CASE_CODE, CASE_STAGE
    from workflows.io import CreateCaseArgs, OpenCaseInput, OpenCaseResult

__all__ = ["OpenCaseWorkflow"]

DATABASE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(seconds=30),
    non_retryable_error_types=["InvalidInput", "InvalidCode", "NotFound", "NotPermitted"],
)


@workflow.defn
class OpenCaseWorkflow:
    """Opens one case per request id; the result carries the new code.

    Search attributes set: CaseCode, AgencyCode, CaseStage.
    """

    @workflow.run
    async def run(self, input: OpenCaseInput) -> OpenCaseResult:
        created = await workflow.execute_activity_method(
            CaseActivities.create_case,
            CreateCaseArgs(request=input, opened_at=workflow.now()),
            start_to_close_timeout=timedelta(seconds=30),
            schedule_to_close_timeout=timedelta(hours=1),
            retry_policy=DATABASE_RETRY,
        )
        workflow.upsert_search_attributes(
            [
                CASE_CODE.value_set(created.code),
                AGENCY_CODE.value_set(created.agency_code),
                CASE_STAGE.value_set(created.stage.value),
            ]
        )
        return created

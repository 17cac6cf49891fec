"""TransferCaseFile, at the sending agency: checks → handover record signed and filed →
inventory of every document sealed → sent over the agency link, only the bytes the receiver
lacks, with its electronic receipt back → the receiver's decision awaited (supervisors warned
when it stays unconfirmed past the limit) → accepted: owner and stage move, this agency keeps
a read-only copy; returned: the file stays, with the reasons.

Legal basis: Joint Circular art. 9(1)-(3), 15(1), 17(2)(e), 18(2); CPC art. 232, 243, 245.

Signal: ``receiver_decided`` (the receiver's signed decision, through the agency link).
Query: ``status``.
"""

from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.issuance import IssuanceActivities
    from activities.transfer import TransferActivities
    from casefile.doctypes import DocType
    from workflows import CASE_CODE
    from workflows.io import (
        IssueDocumentInput,
        IssueStepArgs,
        RegisterDocumentArgs,
        SignOfficialArgs,
    )
    from workflows.policies import platform_retry, step_options
    from workflows.transfer_io import (
        ReceiverDecision,
        TransferInput,
        TransferOutcome,
        TransferStatus,
        TransferStepArgs,
        WarnArgs,
    )

__all__ = ["TransferCaseFileWorkflow", "wait_or_warn"]

DEFINITIVE = [
    "TransferRefused",
    "InvalidInput",
    "InvalidCode",
    "InvalidDocumentField",
    "NotFound",
    "NotPermitted",
    "Conflict",
    "ProceduralViolation",
]
STEP = step_options(DEFINITIVE)


async def wait_or_warn(
    decided: Callable[[], bool], limit: timedelta, transfer_id: str, direction: str
) -> bool:
    """Wait for the decision; past ``limit`` warn this side's supervisors once (art.
    17(2)(e)) and keep waiting. Return whether they were warned."""
    try:
        await workflow.wait_condition(decided, timeout=limit)
        return False
    except TimeoutError:
        await workflow.execute_activity_method(
            TransferActivities.warn_unconfirmed,
            WarnArgs(transfer_id=transfer_id, direction=direction, at=workflow.now()),
            **STEP,
        )
        await workflow.wait_condition(decided)
        return True


@workflow.defn
class TransferCaseFileWorkflow:
    def __init__(self) -> None:
        self._input: TransferInput | None = None
        self._state = "preparing"
        self._step = "checking"
        self._decision: ReceiverDecision | None = None
        self._warned = False
        self._reasons: str | None = None
        self._error: str | None = None

    @workflow.run
    async def run(self, input: TransferInput) -> TransferOutcome:
        self._input = input
        workflow.upsert_search_attributes([CASE_CODE.value_set(input.case_code)])
        args = TransferStepArgs(
            workflow_id=workflow.info().workflow_id, request=input, at=workflow.now()
        )
        try:
            prepared = await workflow.execute_activity_method(
                TransferActivities.prepare, args, **STEP
            )
            self._step = "issuing_handover_record"
            handover_code = await self._issue_handover(input, prepared.handover_fields)
            self._step = "sealing_inventory"
            await workflow.execute_activity_method(
                TransferActivities.seal_inventory, args=[args, handover_code], **STEP
            )
            self._step = "sending"
            await workflow.execute_activity_method(
                TransferActivities.send,
                args,
                start_to_close_timeout=timedelta(minutes=10),
                heartbeat_timeout=timedelta(minutes=1),
                # an unreachable receiver is retried with a capped backoff, then given up
                schedule_to_close_timeout=input.policy.send_limit,
                retry_policy=platform_retry(DEFINITIVE),
            )
        except ActivityError as failure:
            cause = failure.cause
            self._error = cause.message if isinstance(cause, ApplicationError) else str(failure)
            self._state = "failed"
            self._step = "failed"
            await workflow.execute_activity_method(
                TransferActivities.mark_failed, args=[input.transfer_id, self._error], **STEP
            )
            return TransferOutcome(
                transfer_id=input.transfer_id, state="failed", reasons=self._error
            )
        self._state = "sent"
        self._step = "awaiting_decision"
        self._warned = await wait_or_warn(
            lambda: self._decision is not None,
            input.policy.confirmation_limit,
            input.transfer_id,
            "outgoing",
        )
        self._step = "recording_decision"
        outcome = await workflow.execute_activity_method(
            TransferActivities.record_outcome, args=[input.transfer_id, self._decision], **STEP
        )
        self._state, self._reasons, self._step = outcome.state, outcome.reasons, "done"
        return outcome

    async def _issue_handover(self, input: TransferInput, fields: dict) -> str:
        """The handover record, through the issuing steps (render, sign, number and file);
        the receiver's signed decision is its confirmation, so nothing waits here."""
        step = IssueStepArgs(
            workflow_id=workflow.info().workflow_id,
            request=IssueDocumentInput(
                request_id=f"transfer:{input.transfer_id}",
                actor_id=input.actor_id,
                case_code=input.case_code,
                doc_type=DocType.CASE_FILE_HANDOVER_RECORD.value,
                fields=fields,
            ),
            issued_at=workflow.now(),
        )
        authorized = await workflow.execute_activity_method(
            IssuanceActivities.authorize_and_render, step, **STEP
        )
        signed = await workflow.execute_activity_method(
            IssuanceActivities.sign_official,
            SignOfficialArgs(step=step, context=authorized.context, draft=authorized.draft),
            **STEP,
        )
        registered = await workflow.execute_activity_method(
            IssuanceActivities.register_document,
            RegisterDocumentArgs(step=step, context=authorized.context, signed=signed),
            **STEP,
        )
        return registered.document_code

    @workflow.signal
    def receiver_decided(self, decision: ReceiverDecision) -> None:
        if self._decision is None:
            self._decision = decision

    @workflow.query
    def status(self) -> TransferStatus:
        return TransferStatus(
            transfer_id=self._input.transfer_id if self._input else "",
            state=self._state,
            step=self._step,
            warned=self._warned,
            reasons=self._reasons,
            error=self._error,
        )

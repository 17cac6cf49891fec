"""IssueDocument: authority → render → official signature → number and register stamp →
file into the case → participant's countersignature or confirmation where the document
needs it → recipients recorded → one DeliverDocument per recipient.

The deliveries are child workflows abandoned when this process ends (they run for days);
their ids are the ones ``POST /documents/{code}/deliveries`` uses, so an officer's request
and this start never make two deliveries to one recipient.

Legal basis: Joint Circular art. 5 (official and participant signatures), art. 6 and 7(6)
(alternative confirmations), art. 9(4) (delivery), art. 10(3) and 13(1) (numbering and
register stamp).

Updates: ``countersign`` and ``confirm`` (the participant, while awaiting confirmation),
``wait_registered`` (returns once the document is filed, for the API). Query: ``status``.
"""

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, ApplicationError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.issuance import IssuanceActivities
    from workflows import (
        CASE_CODE,
        DOCUMENT_CODE,
        DOCUMENT_TYPE,
        deliver_document_workflow_id,
        document_delivery_request_id,
    )
    from workflows.deliver_document import DeliverDocumentWorkflow
    from workflows.io import (
        ConfirmationOverdueArgs,
        ConfirmationRequest,
        CountersignRequest,
        DeliverDocumentInput,
        DeliveryRecipient,
        DeliveryRecipientsArgs,
        IssueDocumentInput,
        IssueDocumentResult,
        IssueStatus,
        IssueStepArgs,
        ParticipantConfirmed,
        ParticipantStepArgs,
        RecordRecipientsArgs,
        RegisterDocumentArgs,
        RegisteredDocument,
        RenderDraftArgs,
        SignOfficialArgs,
    )

__all__ = ["IssueDocumentWorkflow"]

STEP_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(seconds=30),
    non_retryable_error_types=[
        "InvalidInput",
        "InvalidCode",
        "InvalidDocumentField",
        "NotFound",
        "NotPermitted",
        "Conflict",
        "ProceduralViolation",
    ],
)
FEWER_STEPS = "issue-document-fewer-steps"
"""Patch: authority is checked in the render step, and a document that needs no
participant's confirmation has its recipients recorded in the register step (two
activities fewer per document). Histories recorded before it replay the old path."""
AUTO_DELIVERY = "issue-document-auto-delivery"
"""Patch: a filed (and, where needed, confirmed) document is delivered to each recipient by
a child DeliverDocument; runs started before it only record the recipients, as then."""

STEP_TIMEOUTS = {
    "start_to_close_timeout": timedelta(minutes=2),
    "schedule_to_close_timeout": timedelta(hours=6),
    "retry_policy": STEP_RETRY,
}


@workflow.defn
class IssueDocumentWorkflow:
    def __init__(self) -> None:
        self._step = "authorizing"
        self._registered: RegisteredDocument | None = None
        self._confirmed: ParticipantConfirmed | None = None
        self._error: str | None = None
        self._deliveries: list[str] = []

    @workflow.run
    async def run(self, input: IssueDocumentInput) -> IssueDocumentResult:
        workflow.upsert_search_attributes(
            [CASE_CODE.value_set(input.case_code), DOCUMENT_TYPE.value_set(input.doc_type)]
        )
        base = IssueStepArgs(
            workflow_id=workflow.info().workflow_id, request=input, issued_at=workflow.now()
        )
        try:
            registered = await self._issue(base)
        except ActivityError as failure:
            cause = failure.cause
            self._error = cause.message if isinstance(cause, ApplicationError) else str(failure)
            self._step = "failed"
            raise
        status = "filed"
        if registered.needs_confirmation:
            status = await self._await_participant(input, registered)
        self._step = "recording_recipients"
        if registered.recipients is not None and status == "filed":
            recipients = registered.recipients  # recorded with the filing
        else:
            recipients = await self._record_recipients(base, registered)
        # only a filed document goes out: one still awaiting its confirmation is not complete
        if input.deliver and recipients and status == "filed" and workflow.patched(AUTO_DELIVERY):
            self._step = "starting_deliveries"
            self._deliveries = await self._start_deliveries(input, registered, recipients)
        self._step = status
        await workflow.wait_condition(workflow.all_handlers_finished)
        return IssueDocumentResult(
            document_code=registered.document_code,
            procedural_number=registered.procedural_number,
            status=status,
            recipients=recipients,
            confirmed_by=self._confirmed.party_code if self._confirmed else None,
            deliveries=self._deliveries,
        )

    async def _start_deliveries(
        self, input: IssueDocumentInput, registered: RegisteredDocument, recipients: list[str]
    ) -> list[str]:
        """One DeliverDocument per recipient (art. 9(4)), each outliving this process."""
        found: list[DeliveryRecipient] = await workflow.execute_activity_method(
            IssuanceActivities.delivery_recipients,
            DeliveryRecipientsArgs(case_code=input.case_code, party_codes=recipients),
            **STEP_TIMEOUTS,
        )
        return list(
            await asyncio.gather(
                *(self._start_delivery(input, registered, recipient) for recipient in found)
            )
        )

    async def _start_delivery(
        self, input: IssueDocumentInput, registered: RegisteredDocument, found: DeliveryRecipient
    ) -> str:
        request_id = document_delivery_request_id(registered.document_code, found.party_code)
        queue = input.task_queue or workflow.info().task_queue
        child_id = deliver_document_workflow_id(queue, request_id)
        try:
            await workflow.start_child_workflow(
                DeliverDocumentWorkflow.run,
                DeliverDocumentInput(
                    request_id=request_id,
                    actor_id=input.actor_id,
                    case_code=input.case_code,
                    document_code=registered.document_code,
                    party_code=found.party_code,
                    recipient=found.recipient,
                    policy=input.delivery_policy,
                    task_queue=queue,
                ),
                id=child_id,
                parent_close_policy=ParentClosePolicy.ABANDON,
                # a finished delivery (started by an officer) is not started again either
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:
            pass  # an officer started it first (POST /documents/{code}/deliveries)
        return child_id

    async def _record_recipients(
        self, base: IssueStepArgs, registered: RegisteredDocument
    ) -> list[str]:
        return await workflow.execute_activity_method(
            IssuanceActivities.record_recipients,
            RecordRecipientsArgs(step=base, document_code=registered.document_code),
            **STEP_TIMEOUTS,
        )

    async def _issue(self, base: IssueStepArgs) -> RegisteredDocument:
        if workflow.patched(FEWER_STEPS):  # authority and rendering in one activity
            authorized = await workflow.execute_activity_method(
                IssuanceActivities.authorize_and_render, base, **STEP_TIMEOUTS
            )
            context, draft = authorized.context, authorized.draft
        else:
            context = await workflow.execute_activity_method(
                IssuanceActivities.authorize_issue, base, **STEP_TIMEOUTS
            )
            self._step = "rendering"
            draft = await workflow.execute_activity_method(
                IssuanceActivities.render_draft,
                RenderDraftArgs(step=base, context=context),
                **STEP_TIMEOUTS,
            )
        self._step = "signing"
        signed = await workflow.execute_activity_method(
            IssuanceActivities.sign_official,
            SignOfficialArgs(step=base, context=context, draft=draft),
            **STEP_TIMEOUTS,
        )
        self._step = "registering"
        registered = await workflow.execute_activity_method(
            IssuanceActivities.register_document,
            RegisterDocumentArgs(step=base, context=context, signed=signed),
            **STEP_TIMEOUTS,
        )
        self._registered = registered
        workflow.upsert_search_attributes([DOCUMENT_CODE.value_set(registered.document_code)])
        return registered

    async def _await_participant(
        self, input: IssueDocumentInput, registered: RegisteredDocument
    ) -> str:
        self._step = "awaiting_confirmation"
        try:
            await workflow.wait_condition(
                lambda: self._confirmed is not None,
                timeout=input.policy.confirmation_timeout,
            )
        except TimeoutError:
            await workflow.execute_activity_method(
                IssuanceActivities.mark_confirmation_overdue,
                ConfirmationOverdueArgs(
                    workflow_id=workflow.info().workflow_id,
                    document_code=registered.document_code,
                ),
                **STEP_TIMEOUTS,
            )
            return "awaiting_confirmation"
        return "filed"

    def _check_awaiting(self) -> None:
        if self._step != "awaiting_confirmation" or self._confirmed is not None:
            raise ValueError(f"the document is not awaiting confirmation (step: {self._step})")

    @workflow.update
    async def countersign(self, request: CountersignRequest) -> ParticipantConfirmed:
        """The participant's countersigned PDF (Joint Circular art. 5(2))."""
        return await self._record_participant(
            ParticipantStepArgs(
                workflow_id=workflow.info().workflow_id,
                document_code=self._registered.document_code,
                countersign=request,
            )
        )

    @countersign.validator
    def _validate_countersign(self, request: CountersignRequest) -> None:
        self._check_awaiting()

    @workflow.update
    async def confirm(self, request: ConfirmationRequest) -> ParticipantConfirmed:
        """A sealed confirmation by an alternative form (Joint Circular art. 6, 7(6))."""
        return await self._record_participant(
            ParticipantStepArgs(
                workflow_id=workflow.info().workflow_id,
                document_code=self._registered.document_code,
                confirmation=request,
            )
        )

    @confirm.validator
    def _validate_confirm(self, request: ConfirmationRequest) -> None:
        self._check_awaiting()

    async def _record_participant(self, args: ParticipantStepArgs) -> ParticipantConfirmed:
        confirmed = await workflow.execute_activity_method(
            IssuanceActivities.record_participant_confirmation,
            args,
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=STEP_RETRY,
        )
        self._confirmed = confirmed
        return confirmed

    @workflow.update
    async def wait_registered(self) -> IssueStatus:
        """Return once the document is filed (or the issuing failed)."""
        await workflow.wait_condition(lambda: self._registered is not None or self._error)
        return self.status()

    @workflow.query
    def status(self) -> IssueStatus:
        return IssueStatus(
            step=self._step,
            document_code=self._registered.document_code if self._registered else None,
            procedural_number=self._registered.procedural_number if self._registered else None,
            confirmed_by=self._confirmed.party_code if self._confirmed else None,
            error=self._error,
            deliveries=self._deliveries,
        )

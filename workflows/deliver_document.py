"""DeliverDocument: deliver one document to one recipient along the chain of art. 9(4),
choosing by the recipient's facts and recording the legal ground of every step.

electronic, to the recipient's account (a), retried with a capped backoff until the
procedural limit → paper, a copy converted with the art. 9(7) certification and handed over
directly or through the detention facility (b) → public posting when the whereabouts are
unknown or the recipient is not found (c; CPC art. 140) → public notification as a child
PublicNotificationWorkflow when posting yields no result (d; art. 19(1), 20).

Legal basis: Joint Circular art. 9(4), 9(6), 9(7), 19(1), 20; CPC art. 137, 140.

Signals: ``platform_receipt`` (the platform's webhook: delivered/opened/confirmed; any of
them within the limit completes the electronic route), ``recipient_contacted`` (ends a
posting). Updates, while a paper receipt is awaited: ``paper_receipt``,
``recipient_not_found`` (→ posting), ``refused`` (recorded; delivery done). Query: ``status``
(every step with its legal ground).
"""

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from activities.delivery import DeliveryActivities
    from casefile.delivery import (
        Ground,
        RecipientStatus,
        Route,
        electronic_idempotency_key,
        first_route,
        posting_ends_at,
    )
    from casefile.notification import Channel
    from workflows import CASE_CODE, DOCUMENT_CODE, public_notification_workflow_id
    from workflows.io import (
        DeliverDocumentInput,
        DeliverDocumentResult,
        DeliveryStatus,
        DeliveryStep,
        DeliveryStepArgs,
        ElectronicAccepted,
        PaperPrepared,
        PaperReceipt,
        PlatformReceipt,
        PostingRecorded,
        PostPubliclyArgs,
        PreparePaperArgs,
        PublicNotificationInput,
        RecipientContacted,
        RecipientNotFound,
        RecordPaperOutcomeArgs,
        Refusal,
        SendElectronicArgs,
    )
    from workflows.notify_publicly import PublicNotificationWorkflow
    from workflows.policies import PLATFORM_HEARTBEAT, platform_queue, platform_retry, step_options

__all__ = ["DeliverDocumentWorkflow"]

DEFINITIVE = [
    "PlatformRejected",
    "InvalidInput",
    "InvalidCode",
    "NotFound",
    "NotPermitted",
    "Conflict",
    "ProceduralViolation",
]
PLATFORM_RETRY = platform_retry(DEFINITIVE)
STEP = step_options(DEFINITIVE)


def _failure(error: ActivityError | ChildWorkflowError) -> tuple[str | None, str]:
    cause = error.cause
    if isinstance(cause, ApplicationError):
        return cause.type, cause.message
    return None, str(cause or error)


@workflow.defn
class DeliverDocumentWorkflow:
    def __init__(self) -> None:
        self._input: DeliverDocumentInput | None = None
        self._route = Route.ELECTRONIC
        self._status = RecipientStatus.PENDING_DELIVERY
        self._awaiting: str | None = None
        self._steps: list[DeliveryStep] = []
        self._receipts: list[PlatformReceipt] = []
        self._electronic_key: str | None = None
        self._accepted: ElectronicAccepted | None = None
        self._paper: PaperPrepared | None = None
        self._paper_claimed = False
        self._paper_outcome: str | None = None
        self._posting: PostingRecorded | None = None
        self._contacted: RecipientContacted | None = None
        self._notification_id: str | None = None
        self._error: str | None = None

    @workflow.run
    async def run(self, input: DeliverDocumentInput) -> DeliverDocumentResult:
        self._input = input
        workflow.upsert_search_attributes(
            [CASE_CODE.value_set(input.case_code), DOCUMENT_CODE.value_set(input.document_code)]
        )
        choice = first_route(input.recipient)
        route, ground = choice.route, choice.ground
        while True:
            self._route = route
            if route is Route.ELECTRONIC:
                fallback = await self._electronic()
                if fallback is None:
                    break
                route, ground = Route.PAPER, fallback
            elif route is Route.PAPER:
                if await self._paper_delivery(ground) != "not_found":
                    break
                route, ground = Route.POSTING, Ground.NOT_FOUND
            elif route is Route.POSTING:
                if not await self._public_posting(ground):
                    break
                route, ground = Route.PUBLIC_NOTIFICATION, Ground.POSTING_NO_RESULT
            else:
                await self._public_notification(ground)
                break
        self._awaiting = None
        await workflow.wait_condition(workflow.all_handlers_finished)
        return DeliverDocumentResult(status=self._status, route=self._route, steps=self._steps)

    # --- recording --------------------------------------------------------------------------

    def _append(
        self,
        step: str,
        route: Route,
        ground: str,
        status: RecipientStatus | None = None,
        detail: str = "",
        at: datetime | None = None,
    ) -> None:
        if status is not None:
            self._status = status
        self._steps.append(
            DeliveryStep(
                at=at or workflow.now(),
                step=step,
                route=route,
                ground=ground,
                status=status,
                detail=detail,
            )
        )

    async def _record(
        self,
        step: str,
        route: Route,
        ground: str,
        status: RecipientStatus | None = None,
        *,
        detail: str = "",
        details: dict | None = None,
        close_task: str | None = None,
        outcome: str | None = None,
    ) -> None:
        """Write the step's audit event (and status) through an activity, then keep it."""
        at = workflow.now()
        await workflow.execute_activity_method(
            DeliveryActivities.record_delivery_step,
            DeliveryStepArgs(
                workflow_id=workflow.info().workflow_id,
                request=self._input,
                step=step,
                route=route,
                ground=ground,
                at=at,
                status=status,
                details={"detail": detail, **(details or {})},
                close_task=close_task,
                outcome=outcome,
            ),
            **STEP,
        )
        self._append(step, route, ground, status, detail, at)

    # --- (a) electronic ---------------------------------------------------------------------

    async def _electronic(self) -> Ground | None:
        """Return None once delivered, else the ground for falling back to paper."""
        input = self._input
        workflow_id = workflow.info().workflow_id
        self._electronic_key = electronic_idempotency_key(workflow_id)
        deadline = workflow.now() + input.policy.electronic_limit
        self._status = RecipientStatus.DELIVERING_ELECTRONIC
        self._awaiting = "electronic_acceptance"
        try:
            accepted = await workflow.execute_activity_method(
                DeliveryActivities.send_electronic,
                SendElectronicArgs(
                    workflow_id=workflow_id,
                    request=input,
                    idempotency_key=self._electronic_key,
                ),
                task_queue=platform_queue(Channel.ACCOUNT),
                start_to_close_timeout=timedelta(minutes=2),
                heartbeat_timeout=PLATFORM_HEARTBEAT,  # a dead worker is noticed in seconds
                # keep trying until the procedural limit: then the document goes on paper
                schedule_to_close_timeout=input.policy.electronic_limit,
                retry_policy=PLATFORM_RETRY,
            )
        except ActivityError as failure:
            kind, message = _failure(failure)
            self._awaiting = None
            if kind in DEFINITIVE:
                await self._record(
                    "electronic_rejected", Route.ELECTRONIC, Ground.ACCOUNT_REJECTED, detail=message
                )
                return Ground.ACCOUNT_REJECTED
            await self._record(
                "electronic_unavailable", Route.ELECTRONIC, Ground.PLATFORM_DOWN, detail=message
            )
            return Ground.PLATFORM_DOWN
        self._accepted = accepted
        self._append(
            "electronic_sent",
            Route.ELECTRONIC,
            Ground.ELECTRONIC,
            RecipientStatus.DELIVERING_ELECTRONIC,
            f"vneid delivery {accepted.delivery_id} to {input.recipient.account}",
        )
        self._awaiting = "platform_receipt"
        remaining = deadline - workflow.now()
        try:
            if remaining <= timedelta(0):
                raise TimeoutError
            await workflow.wait_condition(lambda: bool(self._receipts), timeout=remaining)
        except TimeoutError:
            if not self._receipts:
                self._awaiting = None
                await self._record(
                    "electronic_no_receipt",
                    Route.ELECTRONIC,
                    Ground.NO_RECEIPT,
                    detail=f"no receipt by {deadline.isoformat()}",
                )
                return Ground.NO_RECEIPT
        self._awaiting = None
        receipt = self._receipts[0]
        await self._record(
            "electronic_delivered",
            Route.ELECTRONIC,
            Ground.ELECTRONIC_DELIVERED,
            RecipientStatus.DELIVERED_ELECTRONIC,
            detail=f"{receipt.kind} at {receipt.at.isoformat()}",
            details={
                "receipt": receipt.kind,
                "receipt_at": receipt.at.isoformat(),
                "delivery_id": accepted.delivery_id,
                "event_id": receipt.event_id,
            },
        )
        return None

    @workflow.signal
    def platform_receipt(self, receipt: PlatformReceipt) -> None:
        """The platform reports the delivery reached the account (or was opened, confirmed)."""
        key = self._electronic_key
        if (
            receipt.idempotency_key is not None
            and key is not None
            and receipt.idempotency_key != key
        ):
            return  # not about this process's delivery
        if (
            self._route is Route.ELECTRONIC
            and self._status is not RecipientStatus.DELIVERED_ELECTRONIC
        ):
            self._receipts.append(receipt)

    # --- (b) paper --------------------------------------------------------------------------

    async def _paper_delivery(self, ground: str) -> str:
        """Return the officer's report: ``received``, ``refused`` or ``not_found``."""
        input = self._input
        now = workflow.now()
        prepared = await workflow.execute_activity_method(
            DeliveryActivities.prepare_paper_copy,
            PreparePaperArgs(
                workflow_id=workflow.info().workflow_id,
                request=input,
                ground=ground,
                converted_at=now,
                due_at=now + input.policy.paper_receipt_wait,
            ),
            **STEP,
        )
        self._paper = prepared
        via = (
            f"through the detention facility {input.recipient.detention_facility or ''}".rstrip()
            if prepared.via == "detention_facility"
            else "directly"
        )
        self._append("paper_delivery", Route.PAPER, ground, detail=f"task {prepared.task_id} {via}")
        self._append(
            "paper_copy_prepared",
            Route.PAPER,
            Ground.PAPER_COPY,
            RecipientStatus.AWAITING_PAPER_RECEIPT,
            f"conversion certification {prepared.certificate_document_code}",
        )
        self._awaiting = "paper_receipt"
        try:
            await workflow.wait_condition(
                lambda: self._paper_outcome is not None, timeout=input.policy.paper_receipt_wait
            )
        except TimeoutError:
            await self._record(
                "paper_receipt_overdue",
                Route.PAPER,
                Ground.PAPER_OVERDUE,
                detail=f"task {prepared.task_id}",
            )
            await workflow.wait_condition(lambda: self._paper_outcome is not None)
        self._awaiting = None
        return self._paper_outcome

    def _check_awaiting_paper(self) -> None:
        if self._awaiting != "paper_receipt" or self._paper_claimed:
            raise ValueError(
                "no paper receipt is awaited "
                f"(route: {self._route.value}, status: {self._status.value})"
            )

    async def _paper_report(self, args: RecordPaperOutcomeArgs) -> DeliveryStatus:
        if self._paper_claimed:  # a second report accepted in the same task
            raise ApplicationError("the paper delivery's outcome is already being recorded")
        self._paper_claimed = True
        try:
            recorded = await workflow.execute_activity_method(
                DeliveryActivities.record_paper_outcome, args, **STEP
            )
        except ActivityError as failure:
            self._paper_claimed = False  # the officer may report again
            error_type, message = _failure(failure)
            raise ApplicationError(message, type=error_type) from failure
        if args.outcome == "received":
            receipt = args.receipt
            detail = f"signed by {receipt.received_by} at {receipt.signed_at.isoformat()}"
            if recorded.scan_document_code:
                detail += f"; receipt scan {recorded.scan_document_code}"
            self._append(
                "paper_received",
                Route.PAPER,
                Ground.PAPER_RECEIVED,
                RecipientStatus.DELIVERED_PAPER,
                detail,
            )
        elif args.outcome == "refused":
            self._append(
                "refused", Route.PAPER, Ground.REFUSED, RecipientStatus.REFUSED, args.refusal.reason
            )
        else:
            self._append(
                "recipient_not_found", Route.PAPER, Ground.NOT_FOUND, detail=args.not_found.note
            )
        self._paper_outcome = args.outcome
        return self.status()

    def _paper_args(self, outcome: str, **report: object) -> RecordPaperOutcomeArgs:
        return RecordPaperOutcomeArgs(
            workflow_id=workflow.info().workflow_id,
            request=self._input,
            outcome=outcome,
            recorded_at=workflow.now(),
            **report,
        )

    @workflow.update
    async def paper_receipt(self, receipt: PaperReceipt) -> DeliveryStatus:
        """The recipient signed the paper receipt (CPC art. 137)."""
        return await self._paper_report(self._paper_args("received", receipt=receipt))

    @paper_receipt.validator
    def _validate_paper_receipt(self, receipt: PaperReceipt) -> None:
        self._check_awaiting_paper()

    @workflow.update
    async def recipient_not_found(self, report: RecipientNotFound) -> DeliveryStatus:
        """Not found at the address: the copy is posted publicly (CPC art. 140)."""
        return await self._paper_report(self._paper_args("not_found", not_found=report))

    @recipient_not_found.validator
    def _validate_not_found(self, report: RecipientNotFound) -> None:
        self._check_awaiting_paper()

    @workflow.update
    async def refused(self, refusal: Refusal) -> DeliveryStatus:
        """The recipient refused the document; delivery counts as done with the refusal
        recorded (CPC art. 137)."""
        return await self._paper_report(self._paper_args("refused", refusal=refusal))

    @refused.validator
    def _validate_refused(self, refusal: Refusal) -> None:
        self._check_awaiting_paper()

    # --- (c) public posting -----------------------------------------------------------------

    async def _public_posting(self, ground: str) -> bool:
        """Return True when posting yielded no result and a public notification follows."""
        input = self._input
        posted_at = workflow.now()
        ends_at = posting_ends_at(posted_at, input.policy)
        posting = await workflow.execute_activity_method(
            DeliveryActivities.post_publicly,
            PostPubliclyArgs(
                workflow_id=workflow.info().workflow_id,
                request=input,
                ground=ground,
                posted_at=posted_at,
                ends_at=ends_at,
            ),
            **STEP,
        )
        self._posting = posting
        self._append(
            "public_posting",
            Route.POSTING,
            ground,
            detail=f"conversion certification {posting.certificate_document_code}",
        )
        self._append(
            "posted",
            Route.POSTING,
            Ground.POSTED,
            RecipientStatus.POSTING,
            f"posting record {posting.posting_record_document_code} until {ends_at.isoformat()}",
        )
        self._awaiting = "posting_period"
        try:
            await workflow.wait_condition(
                lambda: self._contacted is not None,
                timeout=max(ends_at - workflow.now(), timedelta(seconds=1)),
            )
        except TimeoutError:
            self._awaiting = None
            await self._record(
                "posting_no_result",
                Route.POSTING,
                Ground.POSTING_NO_RESULT,
                close_task="posting",
                outcome="no_result",
                detail=f"posting period ended {ends_at.isoformat()}",
            )
            if input.notification is None:
                await self._record(
                    "posting_without_result",
                    Route.POSTING,
                    Ground.NO_NOTIFICATION_CONTENT,
                    RecipientStatus.POSTING_WITHOUT_RESULT,
                )
                return False
            return True
        self._awaiting = None
        contacted = self._contacted
        await self._record(
            "recipient_contacted",
            Route.POSTING,
            Ground.CONTACTED,
            RecipientStatus.POSTED,
            detail=contacted.note or f"at {contacted.at.isoformat()}",
            details={"contacted_at": contacted.at.isoformat()},
            close_task="posting",
            outcome="contacted",
        )
        return False

    @workflow.signal
    def recipient_contacted(self, signal: RecipientContacted) -> None:
        """The recipient came forward during the posting period: the posting ends."""
        if self._route is Route.POSTING and self._contacted is None:
            self._contacted = signal

    # --- (d) public notification ------------------------------------------------------------

    async def _public_notification(self, ground: str) -> None:
        input = self._input
        notification = input.notification
        # the instance's queue from the input: the same id when a history is replayed, where
        # workflow.info().task_queue is the replayer's (runs started without it: their queue)
        child_id = public_notification_workflow_id(
            input.task_queue or workflow.info().task_queue, f"{input.request_id}:delivery"
        )
        self._notification_id = child_id
        await self._record(
            "public_notification_started",
            Route.PUBLIC_NOTIFICATION,
            ground,
            RecipientStatus.NOTIFYING_PUBLICLY,
            detail=f"workflow {child_id}",
            details={"notification_workflow": child_id},
        )
        self._awaiting = "public_notification"
        try:
            result = await workflow.execute_child_workflow(
                PublicNotificationWorkflow.run,
                PublicNotificationInput(
                    request_id=f"{input.request_id}:delivery",
                    actor_id=input.actor_id,
                    case_code=input.case_code,
                    document_code=input.document_code,
                    party_code=input.party_code,
                    forms=notification.forms,
                    content=notification.content,
                    calendar=input.policy.calendar,
                    account=notification.account,
                    national_id=notification.national_id,
                ),
                id=child_id,
            )
        except ChildWorkflowError as failure:
            self._awaiting = None
            self._error = _failure(failure)[1]
            await self._record(
                "public_notification_failed",
                Route.PUBLIC_NOTIFICATION,
                Ground.NOTIFICATION_FAILED,
                RecipientStatus.NOTIFICATION_FAILED,
                detail=self._error,
            )
            return
        # the child returns once its conclusion is fixed; the notification is deemed concluded
        # only at that moment (art. 20(1)(e): the end of the third day)
        if result.concluded_at > workflow.now():
            await workflow.sleep(result.concluded_at - workflow.now())
        self._awaiting = None
        await self._record(
            "notified_publicly",
            Route.PUBLIC_NOTIFICATION,
            Ground.NOTIFIED,
            RecipientStatus.NOTIFIED_PUBLICLY,
            detail=f"concluded at {result.concluded_at.isoformat()}",
            details={"concluded_at": result.concluded_at.isoformat()},
        )

    # --- query ------------------------------------------------------------------------------

    @workflow.query
    def status(self) -> DeliveryStatus:
        return DeliveryStatus(
            route=self._route,
            status=self._status,
            awaiting=self._awaiting,
            steps=self._steps,
            electronic_idempotency_key=self._electronic_key,
            delivery_id=self._accepted.delivery_id if self._accepted else None,
            paper_copy_document_code=(
                self._paper.certificate_document_code
                if self._paper
                else self._posting.certificate_document_code
                if self._posting
                else None
            ),
            posting_record_document_code=(
                self._posting.posting_record_document_code if self._posting else None
            ),
            posting_ends_at=self._posting.ends_at if self._posting else None,
            notification_workflow_id=self._notification_id,
            error=self._error,
        )

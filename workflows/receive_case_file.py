"""ReceiveCaseFile, at the receiving agency: the legality check of what arrived (every hash,
every signature, the record numbers) → a person with authority accepts it (the file is taken
over with its codes and numbers) or returns it with reasons; supervisors are warned when no
one decides within the limit → the signed decision goes back to the sender.

Legal basis: Joint Circular art. 9(1)-(3), 15(1), 17(2)(e), 18(2).

Update: ``decide`` (accept or return; accepting a file that failed the check is refused).
Query: ``status`` (with the legality report).
"""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.transfer import TransferActivities
    from workflows import CASE_CODE
    from workflows.policies import platform_retry, step_options
    from workflows.transfer_case_file import wait_or_warn
    from workflows.transfer_io import (
        DecideArgs,
        DecisionRequest,
        LegalityReport,
        ReceiveInput,
        ReceiverDecision,
        TransferOutcome,
        TransferStatus,
    )

__all__ = ["ReceiveCaseFileWorkflow"]

DEFINITIVE = ["TransferRefused", "InvalidInput", "NotFound", "NotPermitted", "Conflict"]
STEP = step_options(DEFINITIVE)


@workflow.defn
class ReceiveCaseFileWorkflow:
    def __init__(self) -> None:
        self._input: ReceiveInput | None = None
        self._report: LegalityReport | None = None
        self._decision: ReceiverDecision | None = None
        self._deciding = False
        self._warned = False
        self._step = "checking"

    @workflow.run
    async def run(self, input: ReceiveInput) -> TransferOutcome:
        self._input = input
        workflow.upsert_search_attributes([CASE_CODE.value_set(input.case_code)])
        self._report = await workflow.execute_activity_method(
            TransferActivities.check_legality,
            input.transfer_id,
            start_to_close_timeout=timedelta(minutes=30),
            heartbeat_timeout=timedelta(minutes=1),
            schedule_to_close_timeout=timedelta(hours=6),
            retry_policy=STEP["retry_policy"],
        )
        self._step = "awaiting_decision"
        self._warned = await wait_or_warn(
            lambda: self._decision is not None,
            input.policy.confirmation_limit,
            input.transfer_id,
            "incoming",
        )
        self._step = "notifying_sender"
        await workflow.execute_activity_method(
            TransferActivities.notify_sender,
            input.transfer_id,
            start_to_close_timeout=timedelta(minutes=2),
            schedule_to_close_timeout=input.policy.send_limit,
            retry_policy=platform_retry(DEFINITIVE),
        )
        self._step = "done"
        await workflow.wait_condition(workflow.all_handlers_finished)
        return TransferOutcome(
            transfer_id=input.transfer_id,
            state=self._state(),
            reasons=self._decision.payload.get("reasons") or None,
        )

    def _state(self) -> str:
        if self._decision is None:
            return "checked" if self._report is not None else "sent"
        return str(self._decision.payload["decision"])

    @workflow.update
    async def decide(self, request: DecisionRequest) -> TransferStatus:
        self._deciding = True
        try:
            self._decision = await workflow.execute_activity_method(
                TransferActivities.decide,
                DecideArgs(transfer_id=self._input.transfer_id, request=request, at=workflow.now()),
                **STEP,
            )
        finally:
            self._deciding = False
        self._step = "decided"
        return self.status()

    @decide.validator
    def _validate_decide(self, request: DecisionRequest) -> None:
        if self._report is None:
            raise ValueError("the legality check is still running")
        if self._decision is not None or self._deciding:
            raise ValueError("the transfer is already decided")
        if request.decision == "accept" and not self._report.passed:
            problems = "; ".join(f.detail for f in self._report.findings)
            raise ValueError(f"the legality check failed, return the file instead: {problems}")
        if request.decision == "return" and not request.reasons.strip():
            raise ValueError("a returned file needs the reasons")

    @workflow.query
    def status(self) -> TransferStatus:
        return TransferStatus(
            transfer_id=self._input.transfer_id if self._input else "",
            state=self._state(),
            step=self._step,
            warned=self._warned,
            reasons=(self._decision.payload.get("reasons") or None) if self._decision else None,
        )

    @workflow.query
    def report(self) -> LegalityReport | None:
        return self._report

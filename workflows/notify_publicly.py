"""PublicNotification: file the request to publish (art. 20(3)(a)), publish a notice on each
chosen channel for three legal days, make up interrupted days, and conclude per channel as
art. 20(1)(e) says.

Legal basis: Joint Circular art. 19, 20; CPC art. 141.

Signals: ``access_confirmed`` (the platform or the person confirms the document reached the
account; concludes channels (b) and (c)). Query: ``status``.
"""

import asyncio
from datetime import date, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.notification import NotificationActivities
    from casefile.notification import ChannelProgress, Publication
    from workflows import CASE_CODE, DOCUMENT_CODE
    from workflows.io import (
        AccessConfirmed,
        ChannelState,
        NotificationStatus,
        PrepareNotificationArgs,
        PublicNotificationInput,
        PublicNotificationResult,
        PublishArgs,
        RecordInterruptionArgs,
    )
    from workflows.policies import PLATFORM_HEARTBEAT, platform_queue, platform_retry, step_options

__all__ = ["PublicNotificationWorkflow"]

DEFINITIVE = ["PlatformRejected", "InvalidInput", "NotFound", "NotPermitted"]
PLATFORM_RETRY = platform_retry(DEFINITIVE)
STEP = step_options(DEFINITIVE)


@workflow.defn
class PublicNotificationWorkflow:
    def __init__(self) -> None:
        self._progress: dict[str, ChannelProgress] = {}
        self._rejected: dict[str, str] = {}
        self._early_signals: list[AccessConfirmed] = []
        self._input: PublicNotificationInput | None = None
        self._error: str | None = None
        self._request_document_code: str | None = None

    @workflow.run
    async def run(self, input: PublicNotificationInput) -> PublicNotificationResult:
        self._input = input
        workflow.upsert_search_attributes(
            [CASE_CODE.value_set(input.case_code), DOCUMENT_CODE.value_set(input.document_code)]
        )
        prepared = await workflow.execute_activity_method(
            NotificationActivities.prepare_notification,
            PrepareNotificationArgs(
                workflow_id=workflow.info().workflow_id, request=input, started_at=workflow.now()
            ),
            **STEP,
        )
        self._request_document_code = prepared.request_document_code
        self._progress = {c.value: ChannelProgress(channel=c) for c in prepared.channels}
        for early in self._early_signals:  # confirmations that came while preparing
            self._apply_access(early)
        calendar = input.calendar
        while not self._concluded():
            today = calendar.day_of(workflow.now())
            due = [
                c for c, p in self._progress.items() if c not in self._rejected and p.due_on(today)
            ]
            await asyncio.gather(*(self._publish(input, channel, today) for channel in due))
            if self._concluded():
                break
            try:  # until the next legal day, or earlier if an access confirmation concludes all
                await workflow.wait_condition(
                    self._concluded, timeout=calendar.until_next_day(workflow.now())
                )
            except TimeoutError:
                pass
        await workflow.wait_condition(workflow.all_handlers_finished)
        status = self.status()
        assert status.concluded_at is not None
        return PublicNotificationResult(
            channels=status.channels,
            concluded_at=status.concluded_at,
            request_document_code=self._request_document_code,
        )

    async def _publish(self, input: PublicNotificationInput, channel: str, day: date) -> None:
        calendar = input.calendar
        progress = self._progress[channel]
        remaining = 2 - progress.count  # further days after this one
        try:
            evidence = await workflow.execute_activity_method(
                NotificationActivities.publish,
                PublishArgs(
                    workflow_id=workflow.info().workflow_id,
                    request=input,
                    channel=progress.channel,
                    day=day,
                    sequence=progress.count + 1,
                    planned_conclusion=calendar.end_of(day + timedelta(days=remaining)),
                ),
                task_queue=platform_queue(channel),
                start_to_close_timeout=timedelta(minutes=2),
                heartbeat_timeout=PLATFORM_HEARTBEAT,  # a dead worker is noticed in seconds
                # keep trying until the legal day ends: then the day counts as interrupted
                schedule_to_close_timeout=max(
                    calendar.end_of(day) - workflow.now(), timedelta(seconds=1)
                ),
                retry_policy=PLATFORM_RETRY,
            )
        except ActivityError as failure:
            cause = failure.cause
            if isinstance(cause, ApplicationError) and cause.type in DEFINITIVE:
                self._rejected[channel] = cause.message
                reason = f"rejected: {cause.message}"
            else:
                reason = f"not published on {day.isoformat()}: {cause or failure}"
                self._progress[channel] = self._progress[channel].with_interruption(day)
            await workflow.execute_activity_method(
                NotificationActivities.record_interruption,
                RecordInterruptionArgs(
                    workflow_id=workflow.info().workflow_id,
                    request=input,
                    channel=progress.channel,
                    day=day,
                    reason=reason,
                ),
                **STEP,
            )
            return
        self._progress[channel] = self._progress[channel].with_publication(
            Publication(day=day, at=evidence.published_at, evidence_id=evidence.reference)
        )

    def _concluded(self) -> bool:
        calendar = self._input.calendar
        active = [p for c, p in self._progress.items() if c not in self._rejected]
        return bool(active) and all(p.conclusion(calendar) is not None for p in active)

    @workflow.signal
    def access_confirmed(self, signal: AccessConfirmed) -> None:
        if not self._progress:
            self._early_signals.append(signal)
            return
        self._apply_access(signal)

    def _apply_access(self, signal: AccessConfirmed) -> None:
        progress = self._progress.get(signal.channel.value)
        if progress is None or not progress.channel.concludes_on_access:
            return
        field = "accessible_at" if signal.kind == "accessible" else "confirmed_at"
        if getattr(progress, field) is None:
            self._progress[signal.channel.value] = progress.model_copy(update={field: signal.at})

    @workflow.query
    def status(self) -> NotificationStatus:
        calendar = self._input.calendar if self._input else None
        states = [
            ChannelState(
                channel=p.channel,
                publications=p.count,
                interrupted_days=list(p.interrupted_days),
                concluded_at=p.conclusion(calendar) if calendar else None,
                rejected=self._rejected.get(c),
            )
            for c, p in self._progress.items()
        ]
        ends = [s.concluded_at for s in states if s.rejected is None]
        done = bool(ends) and all(e is not None for e in ends)
        return NotificationStatus(
            channels=states,
            concluded_at=max(ends) if done else None,
            error=self._error,
            request_document_code=self._request_document_code,
        )

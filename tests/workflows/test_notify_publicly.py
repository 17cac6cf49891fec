"""PublicNotification on the time-skipping server: three legal days per channel, the portal
always, make-up after an outage longer than a day, each conclusion moment of art. 20(1)(e),
content fields checked before anything is published, definitive rejections recorded.

The platforms here are a programmable stand-in (the test is about the art. 20 rules);
tests/workflows/test_notify_publicly_simulator.py runs the same process against the
platform simulator over HTTP.
"""

import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from temporalio import activity
from temporalio.client import Client, WorkflowFailureError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.notification import NotificationActivities
from casefile.blobstore import FileBlobStore
from casefile.db import transaction
from casefile.errors import HosoError
from casefile.legaltime import LegalCalendar
from casefile.models import AuditEvent, Document
from casefile.notification import Channel, Form
from casefile.settings import Settings
from tests.casefile.test_notification_rules import CONTENT
from tests.conftest import Database
from tests.factories import add_document, add_party, create_case
from worker import platform_workers, running
from workflows.io import (
    AccessConfirmed,
    PreparedNotification,
    PrepareNotificationArgs,
    PublicNotificationInput,
    PublishArgs,
)
from workflows.notify_publicly import PublicNotificationWorkflow

CALENDAR = LegalCalendar()


class PlatformDown(Exception):
    """A retryable outage (the real client raises on 503/timeouts)."""


class PlatformRejected(HosoError):
    code = "platform_rejected"


@dataclass
class Published:
    published_at: datetime
    reference: str
    link: str
    evidence_pdf: bytes


@dataclass
class StandInPlatforms:
    down: dict[Channel, set[date]] = field(default_factory=dict)
    reject: set[Channel] = field(default_factory=set)
    calls: dict[str, Published] = field(default_factory=dict)

    async def publish(self, args: PublishArgs, *, idempotency_key: str) -> Published:
        if args.channel in self.reject:
            raise PlatformRejected(f"{args.channel} refused: no such account", field="account")
        if args.day in self.down.get(args.channel, set()):
            raise PlatformDown(f"{args.channel} unavailable")
        if idempotency_key not in self.calls:
            self.calls[idempotency_key] = Published(
                published_at=CALENDAR.start_of(args.day) + timedelta(hours=2),
                reference=f"{args.channel.value}-{len(self.calls) + 1}",
                link=f"https://platform.test/{idempotency_key}",
                evidence_pdf=b"%PDF-1.4\n% evidence " + idempotency_key.encode(),
            )
        return self.calls[idempotency_key]


def _request(database: Database, blobs: FileBlobStore, forms: list[Form], **content_changes):
    with transaction(database.sessions) as session:
        case = create_case(session)
        document = add_document(session, case, blobs)
        codes = case.code, document.code, add_party(session, case).code
    return PublicNotificationInput(
        request_id=str(uuid.uuid4()),
        actor_id=1,
        case_code=codes[0],
        document_code=codes[1],
        party_code=codes[2],
        forms=forms,
        content={**CONTENT, **content_changes},
        account="vneid:046090001234",
    )


async def _run(
    env: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    platforms: StandInPlatforms,
    request: PublicNotificationInput,
    signals=(),
    activities_class: type[NotificationActivities] = NotificationActivities,
):
    activities = activities_class(
        database.sessions, FileBlobStore(settings.effective_blob_dir), platforms
    )
    client: Client = env.client
    casefile = Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[PublicNotificationWorkflow],
        activities=activities.activities(),
        activity_executor=ThreadPoolExecutor(4),
    )
    async with running(
        [casefile, *platform_workers(client, settings.task_queue, notification=activities)]
    ):
        handle = await client.start_workflow(
            PublicNotificationWorkflow.run,
            request,
            id=f"notify:{request.request_id}",
            task_queue=settings.task_queue,
        )
        for signal in signals:
            await handle.signal(PublicNotificationWorkflow.access_confirmed, signal)
        return handle, await handle.result()


def _by_channel(result) -> dict[Channel, object]:
    return {state.channel: state for state in result.channels}


@pytest.mark.usefixtures("demo_tokens")
async def test_notification_runs_three_days_and_concludes_at_end_of_third_day(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
) -> None:
    platforms = StandInPlatforms()
    request = _request(database, blobs, [Form.MASS_MEDIA])
    started = await time_skipping.get_current_time()
    _, result = await _run(time_skipping, settings, database, platforms, request)
    states = _by_channel(result)
    assert set(states) == {Channel.NEWSPAPER, Channel.BROADCAST, Channel.PORTAL}
    assert all(s.publications == 3 for s in states.values())
    third_day = CALENDAR.day_of(started) + timedelta(days=2)
    assert result.concluded_at == CALENDAR.end_of(third_day)
    days = sorted({key.rsplit(":", 1)[1] for key in platforms.calls if ":portal:" in key})
    assert len(days) == 3  # three consecutive legal days, once each
    with database.sessions() as session:
        evidence = session.scalars(
            select(Document).where(Document.doc_type == "notification_evidence")
        ).all()
    assert len(evidence) == 9  # art. 20(3)(b): every publication's evidence is filed


@pytest.mark.usefixtures("demo_tokens")
async def test_outage_longer_than_a_day_is_made_up_and_recorded(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
) -> None:
    started = await time_skipping.get_current_time()
    second_day = CALENDAR.day_of(started) + timedelta(days=1)
    platforms = StandInPlatforms(down={Channel.PORTAL: {second_day}})
    request = _request(database, blobs, [Form.NDC_APP])
    _, result = await _run(time_skipping, settings, database, platforms, request)
    portal = _by_channel(result)[Channel.PORTAL]
    assert portal.publications == 3
    assert portal.interrupted_days == [second_day]
    assert portal.concluded_at == CALENDAR.end_of(second_day + timedelta(days=2))
    with database.sessions() as session:
        interrupted = session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "notification.interrupted")
        ).all()
    assert len(interrupted) == 1 and second_day.isoformat() in interrupted[0]


@pytest.mark.usefixtures("demo_tokens")
async def test_account_channel_concludes_when_the_document_becomes_accessible(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
) -> None:
    platforms = StandInPlatforms()
    request = _request(database, blobs, [Form.ACCOUNT])
    accessible = await time_skipping.get_current_time()
    _, result = await _run(
        time_skipping,
        settings,
        database,
        platforms,
        request,
        signals=[AccessConfirmed(channel=Channel.ACCOUNT, at=accessible)],
    )
    states = _by_channel(result)
    assert states[Channel.ACCOUNT].concluded_at == accessible
    assert states[Channel.ACCOUNT].publications < 3
    assert states[Channel.PORTAL].publications == 3  # (d) still runs its three days
    assert result.concluded_at == states[Channel.PORTAL].concluded_at


@pytest.mark.usefixtures("demo_tokens")
async def test_missing_content_field_fails_before_anything_is_published(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
) -> None:
    platforms = StandInPlatforms()
    request = _request(database, blobs, [Form.MASS_MEDIA], consequences="")
    with pytest.raises(WorkflowFailureError) as failure:
        await _run(time_skipping, settings, database, platforms, request)
    assert "content.consequences" in str(failure.value.cause.cause)
    assert platforms.calls == {}


@pytest.mark.usefixtures("demo_tokens")
async def test_definitive_rejection_abandons_the_channel_and_is_recorded(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
) -> None:
    platforms = StandInPlatforms(reject={Channel.ACCOUNT})
    request = _request(database, blobs, [Form.ACCOUNT])
    _, result = await _run(time_skipping, settings, database, platforms, request)
    states = _by_channel(result)
    assert "no such account" in states[Channel.ACCOUNT].rejected
    assert states[Channel.PORTAL].publications == 3


@pytest.mark.usefixtures("demo_tokens")
async def test_notification_to_someone_not_a_party_fails_before_publishing(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
) -> None:
    platforms = StandInPlatforms()
    request = _request(database, blobs, [Form.PORTAL]).model_copy(
        update={"party_code": "CSDTHN-2026-000999-47-P000009-00"}
    )
    with pytest.raises(WorkflowFailureError) as failure:
        await _run(time_skipping, settings, database, platforms, request)
    assert "is not a party of case" in str(failure.value.cause.cause)
    assert platforms.calls == {}


class LostReplyNotificationActivities(NotificationActivities):
    """The prepare step's first attempt does its work, then its reply is lost: Temporal
    retries it, and the retry must file nothing twice."""

    @activity.defn(name="prepare_notification")
    def prepare_notification(self, args: PrepareNotificationArgs) -> PreparedNotification:
        prepared = super().prepare_notification(args)
        if activity.info().attempt == 1:
            raise RuntimeError("worker lost before replying")
        return prepared


def _text(pdf: bytes) -> str:
    extracted = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(extracted.stdout.decode("utf-8").split())


@pytest.mark.usefixtures("demo_tokens")
async def test_request_document_is_filed_once_with_the_content_when_prepare_is_retried(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
) -> None:
    """Art. 20(3)(a): the request to publish is in the case file, once, stating a-f."""
    request = _request(database, blobs, [Form.MASS_MEDIA])
    handle, result = await _run(
        time_skipping,
        settings,
        database,
        StandInPlatforms(),
        request,
        activities_class=LostReplyNotificationActivities,
    )
    history = await handle.fetch_history()
    attempts = [
        e.activity_task_started_event_attributes.attempt
        for e in history.events
        if e.HasField("activity_task_started_event_attributes")
    ]
    assert 2 in attempts  # the prepare step did run twice
    with database.sessions() as session:
        filed = session.scalars(
            select(Document).where(Document.doc_type == "notification_request")
        ).all()
        requested = session.scalar(
            select(func.count()).where(AuditEvent.action == "notification.requested")
        )
    assert len(filed) == 1 and requested == 1
    request_document = filed[0]
    assert result.request_document_code == request_document.code
    async with Worker(  # a worker to answer the query of the finished run
        time_skipping.client, task_queue=settings.task_queue, workflows=[PublicNotificationWorkflow]
    ):
        status = await handle.query(PublicNotificationWorkflow.status)
    assert status.request_document_code == request_document.code
    assert request_document.form == "electronic" and request_document.status == "filed"
    text = _text(blobs.get(request_document.sha256))
    content = CONTENT
    for expected in (
        "VĂN BẢN ĐỀ NGHỊ",
        "ĐĂNG TẢI, PHÁT SÓNG THÔNG BÁO VĂN BẢN TỐ TỤNG",
        content["issuing_agency"],  # (a)
        content["person"]["full_name"],  # (b)
        str(content["person"]["birth_year"]),
        content["person"]["residence"],
        content["document"]["number"],  # (c)
        content["document"]["text"],
        content["obligation"]["deadline"],  # (d)
        content["obligation"]["place"],
        content["consequences"],  # (e)
        "Báo trung ương phát hành hằng ngày",  # the addressees of the chosen form (a) ...
        "Đài phát thanh hoặc Đài truyền hình quốc gia",
        "cổng thông tin điện tử",  # ... and the portal (d), always
        request.document_code,
    ):
        assert expected in text, expected
    assert "Trung tâm dữ liệu quốc gia" not in text  # (c) was not chosen

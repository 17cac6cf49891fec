"""DeliverDocument on the time-skipping server, with the real activities on both databases:
every branch of the art. 9(4) chain, the legal ground of every step, the evidence filed, the
recipient's status, and the paper-receipt validator.

The electronic platform is either a programmable stand-in (for rules) or the platform
simulator over HTTP (httpx on the simulator's own FastAPI app) for the outage, the silent
account and the unknown account.
"""

import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.delivery import AcceptedDelivery, DeliveryActivities, HttpDeliveryPlatform
from activities.notification import NotificationActivities
from casefile.blobstore import FileBlobStore
from casefile.codes import PartyRole
from casefile.db import transaction
from casefile.delivery import AccountStatus, Ground, RecipientFacts, RecipientStatus, Route
from casefile.errors import PlatformRejected
from casefile.inputs import NewParty
from casefile.models import AuditEvent, DeliveryTask, Document, DocumentRecipient
from casefile.notification import Form
from casefile.settings import Settings
from casefile.usecases.add_party import add_party
from casefile.usecases.issue_document import record_recipients
from platforms.simulator import create_simulator_app
from tests.casefile.test_notification_rules import CONTENT
from tests.conftest import Database
from tests.factories import add_document, create_case, user
from tests.helpers import assert_eventually
from tests.workflows.test_notify_publicly import StandInPlatforms
from worker import platform_workers, running
from workflows import deliver_document_workflow_id
from workflows.deliver_document import DeliverDocumentWorkflow
from workflows.io import (
    DeliverDocumentInput,
    DeliveryNotification,
    DeliveryPolicy,
    DeliveryStatus,
    DeliveryStepArgs,
    PaperReceipt,
    PlatformReceipt,
    PostPubliclyArgs,
    PreparePaperArgs,
    RecipientContacted,
    RecipientNotFound,
    Refusal,
)
from workflows.notify_publicly import PublicNotificationWorkflow

POLICY = DeliveryPolicy(
    electronic_limit=timedelta(hours=1), paper_receipt_wait=timedelta(days=2), posting_days=15
)
ACTIVE = RecipientFacts(account="TK001090000001", account_status=AccountStatus.ACTIVE)


@dataclass
class StandInVneid:
    """Accepts every delivery once per idempotency key, or refuses the account."""

    reject: bool = False
    calls: dict[str, AcceptedDelivery] = field(default_factory=dict)

    async def deliver(
        self, *, account: str, document_code: str, title: str, pdf_sha256: str, idempotency_key: str
    ) -> AcceptedDelivery:
        if self.reject:
            raise PlatformRejected(f"account_not_found: {account}", field="account")
        if idempotency_key not in self.calls:
            self.calls[idempotency_key] = AcceptedDelivery(
                delivery_id=f"DLV-{len(self.calls) + 1}", accepted_at=datetime.now(UTC)
            )
        return self.calls[idempotency_key]


def _request(
    database: Database,
    blobs: FileBlobStore,
    facts: RecipientFacts,
    notification: DeliveryNotification | None = None,
) -> DeliverDocumentInput:
    with transaction(database.sessions) as session:
        case = create_case(session)
        document = add_document(session, case, blobs)
        party = add_party(
            session,
            actor=user(session, "dtv.an"),
            case=case,
            new=NewParty(
                role=PartyRole.ACCUSED,
                full_name="Đặng Quốc Khánh",
                birth_year=1990,
                residence="phường Phú Hội, thành phố Huế",
            ),
            person=None,
        )
        record_recipients(session, document=document, parties=[party], now=datetime.now(UTC))
        codes = case.code, document.code, party.code
    return DeliverDocumentInput(
        request_id=str(uuid.uuid4()),
        actor_id=1,
        case_code=codes[0],
        document_code=codes[1],
        party_code=codes[2],
        recipient=facts,
        policy=POLICY,
        notification=notification,
    )


@asynccontextmanager
async def _worker(
    env: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
    vneid: object,
    notification_platforms: StandInPlatforms | None = None,
) -> AsyncIterator[None]:
    delivery = DeliveryActivities(database.sessions, blobs, vneid)
    notification = NotificationActivities(
        database.sessions, blobs, notification_platforms or StandInPlatforms()
    )
    casefile = Worker(
        env.client,
        task_queue=settings.task_queue,
        workflows=[DeliverDocumentWorkflow, PublicNotificationWorkflow],
        activities=[*delivery.activities(), *notification.activities()],
        activity_executor=ThreadPoolExecutor(4),
    )
    platforms = platform_workers(
        env.client, settings.task_queue, notification=notification, delivery=delivery
    )
    async with running([casefile, *platforms]):
        yield


async def _start(
    env: WorkflowEnvironment, settings: Settings, request: DeliverDocumentInput
) -> WorkflowHandle:
    return await env.client.start_workflow(
        DeliverDocumentWorkflow.run,
        request,
        id=deliver_document_workflow_id(settings.task_queue, request.request_id),
        task_queue=settings.task_queue,
    )


async def _awaiting(handle: WorkflowHandle, what: str) -> DeliveryStatus:
    async def probe() -> DeliveryStatus | None:
        status = await handle.query(DeliverDocumentWorkflow.status)
        return status if status.awaiting == what else None

    return await assert_eventually(probe, timeout=20, interval=0.05)


def _grounds(steps) -> list[tuple[str, str]]:
    return [(step.step, step.ground) for step in steps]


def _recipient_status(database: Database, request: DeliverDocumentInput) -> str:
    with database.sessions() as session:
        document = session.scalars(
            select(Document).where(Document.code == request.document_code)
        ).one()
        return session.scalars(
            select(DocumentRecipient.status).where(DocumentRecipient.document_id == document.id)
        ).one()


def _actions(database: Database, request: DeliverDocumentInput) -> list[str]:
    with database.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(
                    AuditEvent.object_code == request.document_code,
                    AuditEvent.action.like("delivery.%"),
                )
                .order_by(AuditEvent.seq)
            )
        )


def _filed(database: Database, doc_type: str) -> list[Document]:
    with database.sessions() as session:
        return list(session.scalars(select(Document).where(Document.doc_type == doc_type)))


@asynccontextmanager
async def _simulator(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_simulator_app(tmp_path / "sim", webhook_url=None, webhook_secret=b"s")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        yield http


@pytest.mark.usefixtures("demo_tokens")
async def test_deliver_electronic_receipt_within_limit_completes_electronically(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
) -> None:
    vneid = StandInVneid()
    request = _request(database, blobs, ACTIVE)
    async with _worker(time_skipping, settings, database, blobs, vneid):
        handle = await _start(time_skipping, settings, request)
        status = await _awaiting(handle, "platform_receipt")
        assert status.electronic_idempotency_key == f"{handle.id}:electronic"
        assert set(vneid.calls) == {f"{handle.id}:electronic"}
        # no paper copy exists: the validator refuses a paper receipt
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(
                DeliverDocumentWorkflow.paper_receipt,
                PaperReceipt(signed_at=datetime.now(UTC), received_by="Đặng Quốc Khánh"),
            )
        assert "no paper receipt is awaited" in str(refused.value.cause)
        at = await time_skipping.get_current_time()
        await handle.signal(
            DeliverDocumentWorkflow.platform_receipt,
            PlatformReceipt(
                kind="delivered", at=at, idempotency_key=status.electronic_idempotency_key
            ),
        )
        result = await handle.result()
    assert result.status is RecipientStatus.DELIVERED_ELECTRONIC
    assert result.route is Route.ELECTRONIC
    assert _grounds(result.steps) == [
        ("electronic_sent", Ground.ELECTRONIC),
        ("electronic_delivered", Ground.ELECTRONIC_DELIVERED),
    ]
    assert _recipient_status(database, request) == "delivered_electronic"
    assert _actions(database, request) == [
        "delivery.electronic_sent",
        "delivery.electronic_delivered",
    ]


@pytest.mark.usefixtures("demo_tokens")
async def test_deliver_platform_down_past_limit_goes_on_paper_and_receipt_completes(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
    tmp_path: Path,
) -> None:
    request = _request(database, blobs, ACTIVE)
    scan = blobs.put(b"%PDF-1.7 scanned receipt " + uuid.uuid4().bytes)
    async with _simulator(tmp_path) as http:
        outage = await http.put("/control/outages/vneid", json={"down_for_seconds": 86400})
        outage.raise_for_status()
        async with _worker(time_skipping, settings, database, blobs, HttpDeliveryPlatform(http)):
            handle = await _start(time_skipping, settings, request)
            await time_skipping.sleep(POLICY.electronic_limit + timedelta(minutes=5))
            await _awaiting(handle, "paper_receipt")
            answer = await handle.execute_update(
                DeliverDocumentWorkflow.paper_receipt,
                PaperReceipt(
                    signed_at=await time_skipping.get_current_time(),
                    received_by="Đặng Quốc Khánh",
                    scan_sha256=scan,
                ),
            )
            assert answer.status is RecipientStatus.DELIVERED_PAPER
            result = await handle.result()
        log = (await http.get("/control/log", params={"platform": "vneid"})).json()["calls"]
    assert log == []  # never accepted while down
    assert _grounds(result.steps) == [
        ("electronic_unavailable", Ground.PLATFORM_DOWN),
        ("paper_delivery", Ground.PLATFORM_DOWN),
        ("paper_copy_prepared", Ground.PAPER_COPY),
        ("paper_received", Ground.PAPER_RECEIVED),
    ]
    assert result.status is RecipientStatus.DELIVERED_PAPER
    assert _recipient_status(database, request) == "delivered_paper"
    (certificate,) = _filed(database, "paper_copy_certificate")
    assert blobs.get(certificate.sha256).startswith(b"%PDF")
    assert [d.sha256 for d in _filed(database, "delivery_receipt")] == [scan]
    with database.sessions() as session:
        task = session.scalars(select(DeliveryTask)).one()
    assert (task.kind, task.via, task.status, task.outcome) == (
        "paper_delivery",
        "direct",
        "done",
        "received",
    )


@pytest.mark.parametrize(
    ("facts", "ground", "via"),
    [
        (RecipientFacts(), Ground.NO_ACCOUNT, "direct"),
        (
            RecipientFacts(account="TK031078000004", account_status=AccountStatus.SUSPENDED),
            Ground.SUSPENDED,
            "direct",
        ),
        (
            ACTIVE.model_copy(update={"detained": True, "detention_facility": "TTGHN"}),
            Ground.DETAINED,
            "detention_facility",
        ),
        (ACTIVE.model_copy(update={"urgent": True}), Ground.URGENT, "direct"),
    ],
    ids=["no_account", "suspended", "detained", "urgent"],
)
@pytest.mark.usefixtures("demo_tokens")
async def test_deliver_recipient_facts_choose_paper_with_their_ground(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
    facts: RecipientFacts,
    ground: Ground,
    via: str,
) -> None:
    vneid = StandInVneid()
    request = _request(database, blobs, facts)
    async with _worker(time_skipping, settings, database, blobs, vneid):
        handle = await _start(time_skipping, settings, request)
        await _awaiting(handle, "paper_receipt")
        assert _recipient_status(database, request) == "awaiting_paper_receipt"
        await handle.execute_update(
            DeliverDocumentWorkflow.paper_receipt,
            PaperReceipt(signed_at=datetime.now(UTC), received_by="Đặng Quốc Khánh"),
        )
        result = await handle.result()
    assert vneid.calls == {}  # never tried electronically
    assert _grounds(result.steps) == [
        ("paper_delivery", ground),
        ("paper_copy_prepared", Ground.PAPER_COPY),
        ("paper_received", Ground.PAPER_RECEIVED),
    ]
    assert _recipient_status(database, request) == "delivered_paper"
    with database.sessions() as session:
        task = session.scalars(select(DeliveryTask)).one()
    assert task.via == via
    assert task.via_agency_code == ("TTGHN" if facts.detained else None)
    assert task.legal_ground == ground


@pytest.mark.usefixtures("demo_tokens")
async def test_deliver_silent_account_without_receipt_goes_on_paper_and_refusal_is_recorded(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
    tmp_path: Path,
) -> None:
    # the simulator's suspended account accepts deliveries but never reports
    facts = RecipientFacts(account="TK031078000004", account_status=AccountStatus.ACTIVE)
    request = _request(database, blobs, facts)
    async with _simulator(tmp_path) as http:
        async with _worker(time_skipping, settings, database, blobs, HttpDeliveryPlatform(http)):
            handle = await _start(time_skipping, settings, request)
            await _awaiting(handle, "platform_receipt")
            await time_skipping.sleep(POLICY.electronic_limit + timedelta(minutes=5))
            await _awaiting(handle, "paper_receipt")
            await handle.execute_update(
                DeliverDocumentWorkflow.refused, Refusal(reason="Không nhận, không ký biên bản")
            )
            result = await handle.result()
        log = (await http.get("/control/log", params={"platform": "vneid"})).json()["calls"]
    assert [call["idempotency_key"] for call in log] == [f"{handle.id}:electronic"]
    assert result.status is RecipientStatus.REFUSED
    assert _grounds(result.steps) == [
        ("electronic_sent", Ground.ELECTRONIC),
        ("electronic_no_receipt", Ground.NO_RECEIPT),
        ("paper_delivery", Ground.NO_RECEIPT),
        ("paper_copy_prepared", Ground.PAPER_COPY),
        ("refused", Ground.REFUSED),
    ]
    assert _recipient_status(database, request) == "refused"
    assert "delivery.refused" in _actions(database, request)


@pytest.mark.usefixtures("demo_tokens")
async def test_deliver_unknown_account_not_found_on_paper_is_posted_until_contacted(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
    tmp_path: Path,
) -> None:
    facts = RecipientFacts(account="TK999999999999", account_status=AccountStatus.ACTIVE)
    request = _request(database, blobs, facts)
    async with _simulator(tmp_path) as http:
        async with _worker(time_skipping, settings, database, blobs, HttpDeliveryPlatform(http)):
            handle = await _start(time_skipping, settings, request)
            await _awaiting(handle, "paper_receipt")
            await handle.execute_update(
                DeliverDocumentWorkflow.recipient_not_found,
                RecipientNotFound(note="Không có mặt tại nơi cư trú"),
            )
            posting = await _awaiting(handle, "posting_period")
            assert posting.posting_record_document_code is not None
            assert _recipient_status(database, request) == "posting"
            await handle.signal(
                DeliverDocumentWorkflow.recipient_contacted,
                RecipientContacted(at=await time_skipping.get_current_time(), note="Đã đến trụ sở"),
            )
            result = await handle.result()
            final = await handle.query(DeliverDocumentWorkflow.status)
    history = await handle.fetch_history()
    replayer = Replayer(
        workflows=[DeliverDocumentWorkflow, PublicNotificationWorkflow],
        data_converter=pydantic_data_converter,
    )
    await replayer.replay_workflow(history)  # deterministic through updates and signals
    assert result.status is RecipientStatus.POSTED
    assert _grounds(final.steps) == [
        ("electronic_rejected", Ground.ACCOUNT_REJECTED),
        ("paper_delivery", Ground.ACCOUNT_REJECTED),
        ("paper_copy_prepared", Ground.PAPER_COPY),
        ("recipient_not_found", Ground.NOT_FOUND),
        ("public_posting", Ground.NOT_FOUND),
        ("posted", Ground.POSTED),
        ("recipient_contacted", Ground.CONTACTED),
    ]
    assert all("art. " in step.ground and step.ground.split(":")[1].strip() for step in final.steps)
    assert "refused (404)" in final.steps[0].detail
    assert _recipient_status(database, request) == "posted"
    assert len(_filed(database, "paper_copy_certificate")) == 1  # one conversion, reused
    assert len(_filed(database, "posting_record")) == 1
    with database.sessions() as session:
        tasks = {t.kind: (t.status, t.outcome) for t in session.scalars(select(DeliveryTask))}
    assert tasks == {
        "paper_delivery": ("done", "not_found"),
        "posting": ("done", "contacted"),
    }


@pytest.mark.usefixtures("demo_tokens")
async def test_deliver_whereabouts_unknown_posting_without_result_notifies_publicly(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
) -> None:
    platforms = StandInPlatforms()
    facts = RecipientFacts(whereabouts_known=False)
    notification = DeliveryNotification(forms=[Form.MASS_MEDIA], content=CONTENT)
    request = _request(database, blobs, facts, notification)
    started = await time_skipping.get_current_time()
    async with _worker(time_skipping, settings, database, blobs, StandInVneid(), platforms):
        handle = await _start(time_skipping, settings, request)
        result = await handle.result()
        final = await handle.query(DeliverDocumentWorkflow.status)
    assert result.status is RecipientStatus.NOTIFIED_PUBLICLY
    assert _grounds(result.steps) == [
        ("public_posting", Ground.WHEREABOUTS_UNKNOWN),
        ("posted", Ground.POSTED),
        ("posting_no_result", Ground.POSTING_NO_RESULT),
        ("public_notification_started", Ground.POSTING_NO_RESULT),
        ("notified_publicly", Ground.NOTIFIED),
    ]
    calendar = POLICY.calendar
    assert final.posting_ends_at == calendar.end_of(calendar.day_of(started) + timedelta(days=14))
    child = time_skipping.client.get_workflow_handle_for(
        PublicNotificationWorkflow.run, final.notification_workflow_id
    )
    assert (await child.result()).concluded_at <= result.steps[-1].at  # deemed concluded first
    assert len(platforms.calls) == 9  # newspaper, broadcast and portal, three days each
    assert _recipient_status(database, request) == "notified_publicly"


@pytest.mark.usefixtures("demo_tokens")
async def test_deliver_posting_without_result_and_no_notification_content_ends_recorded(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
) -> None:
    request = _request(database, blobs, RecipientFacts(whereabouts_known=False))
    async with _worker(time_skipping, settings, database, blobs, StandInVneid()):
        handle = await _start(time_skipping, settings, request)
        result = await handle.result()
    assert result.status is RecipientStatus.POSTING_WITHOUT_RESULT
    assert _grounds(result.steps)[-2:] == [
        ("posting_no_result", Ground.POSTING_NO_RESULT),
        ("posting_without_result", Ground.NO_NOTIFICATION_CONTENT),
    ]
    assert _recipient_status(database, request) == "posting_without_result"
    assert _actions(database, request)[-1] == "delivery.posting_without_result"


@pytest.mark.usefixtures("demo_tokens")
def test_delivery_activities_run_twice_change_nothing_twice(
    database: Database, blobs: FileBlobStore
) -> None:
    request = _request(database, blobs, RecipientFacts(whereabouts_known=False))
    activities = DeliveryActivities(database.sessions, blobs, StandInVneid())
    now = datetime.now(UTC)
    workflow_id = f"deliver-document:test:{request.request_id}"
    posting = PostPubliclyArgs(
        workflow_id=workflow_id,
        request=request,
        ground=Ground.WHEREABOUTS_UNKNOWN,
        posted_at=now,
        ends_at=now + timedelta(days=15),
    )
    first = activities.post_publicly(posting)
    assert activities.post_publicly(posting) == first
    paper = PreparePaperArgs(
        workflow_id=workflow_id,
        request=request,
        ground=Ground.URGENT,
        converted_at=now,
        due_at=now + timedelta(days=1),
    )
    prepared = activities.prepare_paper_copy(paper)
    assert activities.prepare_paper_copy(paper) == prepared
    assert prepared.certificate_document_code == first.certificate_document_code  # one copy
    step = DeliveryStepArgs(
        workflow_id=workflow_id,
        request=request,
        step="posting_no_result",
        route=Route.POSTING,
        ground=Ground.POSTING_NO_RESULT,
        at=now,
        close_task="posting",
        outcome="no_result",
    )
    activities.record_delivery_step(step)
    activities.record_delivery_step(step)
    assert _actions(database, request) == [
        "delivery.posted",
        "delivery.paper_prepared",
        "delivery.posting_no_result",
    ]
    assert len(_filed(database, "paper_copy_certificate")) == 1
    assert len(_filed(database, "posting_record")) == 1
    with database.sessions() as session:
        tasks = {t.kind: (t.status, t.outcome) for t in session.scalars(select(DeliveryTask))}
    assert tasks == {"posting": ("done", "no_result"), "paper_delivery": ("open", None)}

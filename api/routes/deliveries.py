"""Delivering a document to its recipients (Joint Circular art. 9(4)): one DeliverDocument
process per recipient; their progress with the legal ground of every step; the officers'
paper reports (CPC art. 137, 140); the open paper and posting tasks of the agency."""

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import select
from temporalio.client import (
    Client,
    WorkflowHandle,
)
from temporalio.service import RPCError, RPCStatusCode

from api.deps import CurrentActor, SessionFactoryDep, SettingsDep, TemporalClientDep
from api.processes import (
    execution_status,
    processes_with_status,
    start_once,
    update_or_conflict,
)
from casefile import errors
from casefile.access import check_can_edit_case, check_can_read_case
from casefile.db import SessionFactory, transaction
from casefile.delivery import DeliveryPolicy, RecipientFacts, delivery_policy, recipient_facts
from casefile.models import Case, DeliveryTask, Document, DocumentRecipient, Party, User
from casefile.repositories.cases import get_case_by_code
from casefile.settings import Settings
from casefile.usecases.read_document import get_document_for
from workflows import (
    CASE_CODE,
    DOCUMENT_CODE,
    deliver_document_workflow_id,
    document_delivery_request_id,
)
from workflows.deliver_document import DeliverDocumentWorkflow
from workflows.io import (
    DeliverDocumentInput,
    DeliveryStatus,
    PaperReceipt,
    RecipientContacted,
    RecipientNotFound,
    Refusal,
)

router = APIRouter(prefix="/api/v1", tags=["deliveries"])

WORKFLOW_TYPE = "DeliverDocumentWorkflow"


class DeliveryStart(BaseModel):
    party_codes: list[str] | None = Field(default=None, min_length=1, max_length=100)
    """None: every recipient recorded by the issuing process."""
    urgent: bool = False


class DeliveryStarted(BaseModel):
    party_code: str
    workflow_id: str


class DeliveryPublic(BaseModel):
    workflow_id: str
    document_code: str | None = None
    party_code: str | None = None
    status: str
    """The process: running, completed, terminated…"""
    progress: DeliveryStatus | None = None
    """Route, recipient status, what it awaits, every step with its legal ground."""


class PaperReceiptReport(BaseModel):
    signed_at: datetime
    received_by: str = Field(min_length=1, max_length=255)
    scan_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class NotFoundReport(BaseModel):
    note: str = Field(default="", max_length=2000)


class RefusalReport(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class ContactReport(BaseModel):
    note: str = Field(default="", max_length=2000)


class DeliveryTaskPublic(BaseModel):
    id: int
    workflow_id: str
    kind: str
    case_code: str
    document_code: str
    party_code: str
    via: str
    via_agency_code: str | None
    instructions: str
    legal_ground: str
    status: str
    outcome: str | None
    created_at: datetime
    due_at: datetime | None
    done_at: datetime | None
    overdue: bool


def policy_for(settings: Settings) -> DeliveryPolicy:
    """The delivery policy of this instance (demo days with ``HOSO_LEGAL_DAY_SECONDS``)."""
    return delivery_policy(
        time_zone=settings.time_zone,
        legal_day_seconds=settings.legal_day_seconds,
        now=datetime.now(UTC),
    )


@router.post("/documents/{code}/deliveries", status_code=status.HTTP_201_CREATED)
async def start_deliveries(
    code: str,
    body: DeliveryStart,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    temporal: TemporalClientDep,
) -> list[DeliveryStarted]:
    """Start one DeliverDocument process per recipient (the document's recorded recipients,
    or the given parties of the case). There is one per document and recipient: a repeated
    request, or one for a recipient the issuing process already started a delivery for,
    returns that delivery (running or finished) and starts nothing."""

    def recipients() -> tuple[str, str, list[tuple[str, RecipientFacts]]]:
        with transaction(sessions) as session:
            document, case = get_document_for(session, actor=actor, code=code)
            check_can_edit_case(actor, case)
            if body.party_codes is None:
                parties = session.scalars(
                    select(Party)
                    .join(DocumentRecipient, DocumentRecipient.party_id == Party.id)
                    .where(DocumentRecipient.document_id == document.id)
                    .order_by(DocumentRecipient.id)
                ).all()
                if not parties:
                    raise errors.InvalidInput(
                        f"{document.code} has no recipients: name the parties",
                        field="party_codes",
                    )
            else:
                wanted = list(dict.fromkeys(body.party_codes))
                found = {
                    p.code: p
                    for p in session.scalars(
                        select(Party).where(Party.case_id == case.id, Party.code.in_(wanted))
                    )
                }
                if missing := [c for c in wanted if c not in found]:
                    raise errors.InvalidInput(
                        f"{', '.join(missing)} is not a party of case {case.code}",
                        field="party_codes",
                    )
                parties = [found[c] for c in wanted]
            return (
                case.code,
                document.code,
                [(p.code, recipient_facts(p, urgent=body.urgent)) for p in parties],
            )

    case_code, document_code, chosen = await run_in_threadpool(recipients)
    policy = policy_for(settings)
    started = []
    for party_code, facts in chosen:
        request_id = document_delivery_request_id(document_code, party_code)
        workflow_id = deliver_document_workflow_id(settings.task_queue, request_id)
        request = DeliverDocumentInput(
            request_id=request_id,
            actor_id=actor.id,
            case_code=case_code,
            document_code=document_code,
            party_code=party_code,
            recipient=facts,
            policy=policy,
            task_queue=settings.task_queue,
        )
        await start_once(
            temporal,
            DeliverDocumentWorkflow.run,
            request,
            workflow_id=workflow_id,
            task_queue=settings.task_queue,
        )
        started.append(DeliveryStarted(party_code=party_code, workflow_id=workflow_id))
    return started


async def _listed(temporal: Client, settings: Settings, condition: str) -> list[DeliveryPublic]:
    found = await processes_with_status(
        temporal,
        condition=condition,
        workflow_type=WORKFLOW_TYPE,
        task_queue=settings.task_queue,
        status_query=DeliverDocumentWorkflow.status,
    )
    return [
        DeliveryPublic(
            workflow_id=execution.id,
            document_code=execution.typed_search_attributes.get(DOCUMENT_CODE),
            party_code=execution.id.rsplit(":", 1)[-1],
            status=execution_status(execution),
            progress=progress,
        )
        for execution, progress in found
    ]


@router.get("/documents/{code}/deliveries")
async def list_document_deliveries(
    code: str,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    temporal: TemporalClientDep,
) -> list[DeliveryPublic]:
    """The document's deliveries, each with its route, status and steps."""

    def check() -> str:
        with transaction(sessions) as session:
            return get_document_for(session, actor=actor, code=code)[0].code

    document_code = await run_in_threadpool(check)  # a validated code: safe in the query
    return await _listed(temporal, settings, f'DocumentCode = "{document_code}"')


@router.get("/cases/{code}/deliveries")
async def list_case_deliveries(
    code: str,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    temporal: TemporalClientDep,
) -> list[DeliveryPublic]:
    """The deliveries of every document of the case."""

    def check() -> str:
        with transaction(sessions) as session:
            case = get_case_by_code(session=session, code=code)
            check_can_read_case(actor, case)
            return case.code

    case_code = await run_in_threadpool(check)
    return await _listed(temporal, settings, f'CaseCode = "{case_code}"')


async def _process(
    workflow_id: str, actor: User, sessions: SessionFactory, settings: Settings, temporal: Client
) -> WorkflowHandle:
    """The delivery process of this instance whose case the actor may edit (404 otherwise)."""
    unknown = errors.NotFound(f"no delivery {workflow_id}", field="workflow_id")
    if not workflow_id.startswith(deliver_document_workflow_id(settings.task_queue, "")):
        raise unknown
    handle = temporal.get_workflow_handle(workflow_id)
    try:
        described = await handle.describe()
    except RPCError as failure:
        if failure.status == RPCStatusCode.NOT_FOUND:
            raise unknown from failure
        raise
    case_code = described.typed_search_attributes.get(CASE_CODE)
    if described.workflow_type != WORKFLOW_TYPE or case_code is None:
        raise unknown

    def check() -> None:
        with transaction(sessions) as session:
            case = session.scalars(select(Case).where(Case.code == case_code)).one_or_none()
            if case is None:
                raise unknown
            try:
                check_can_edit_case(actor, case)
            except errors.NotFound:
                raise unknown from None

    await run_in_threadpool(check)
    return handle


async def _update(handle: WorkflowHandle, update: object, argument: object) -> DeliveryStatus:
    return await update_or_conflict(handle, update, argument, ended="no paper report is awaited")


@router.post("/deliveries/{workflow_id}/paper-receipt")
async def report_paper_receipt(
    workflow_id: str,
    body: PaperReceiptReport,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    temporal: TemporalClientDep,
) -> DeliveryStatus:
    """The recipient signed the paper receipt (CPC art. 137): delivered on paper."""
    handle = await _process(workflow_id, actor, sessions, settings, temporal)
    receipt = PaperReceipt(**body.model_dump(), actor_id=actor.id)
    return await _update(handle, DeliverDocumentWorkflow.paper_receipt, receipt)


@router.post("/deliveries/{workflow_id}/recipient-not-found")
async def report_recipient_not_found(
    workflow_id: str,
    body: NotFoundReport,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    temporal: TemporalClientDep,
) -> DeliveryStatus:
    """Not found at the address: the copy is posted publicly (art. 9(4)(c); CPC art. 140)."""
    handle = await _process(workflow_id, actor, sessions, settings, temporal)
    report = RecipientNotFound(note=body.note, actor_id=actor.id)
    return await _update(handle, DeliverDocumentWorkflow.recipient_not_found, report)


@router.post("/deliveries/{workflow_id}/refusal")
async def report_refusal(
    workflow_id: str,
    body: RefusalReport,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    temporal: TemporalClientDep,
) -> DeliveryStatus:
    """The recipient refused the document; the refusal is recorded (CPC art. 137)."""
    handle = await _process(workflow_id, actor, sessions, settings, temporal)
    refusal = Refusal(reason=body.reason, at=datetime.now(UTC), actor_id=actor.id)
    return await _update(handle, DeliverDocumentWorkflow.refused, refusal)


@router.post("/deliveries/{workflow_id}/recipient-contacted")
async def report_recipient_contacted(
    workflow_id: str,
    body: ContactReport,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    temporal: TemporalClientDep,
) -> DeliveryStatus:
    """The recipient came forward during the public posting (CPC art. 140): it ends."""
    handle = await _process(workflow_id, actor, sessions, settings, temporal)
    try:
        before = await handle.query(DeliverDocumentWorkflow.status)
    except RPCError as failure:
        raise errors.Conflict(f"{workflow_id} has ended: no posting is running") from failure
    if before.awaiting != "posting_period":
        raise errors.Conflict(
            f"no posting is running (route: {before.route.value}, status: {before.status.value})"
        )
    await handle.signal(
        DeliverDocumentWorkflow.recipient_contacted,
        RecipientContacted(at=datetime.now(UTC), note=body.note),
    )
    progress = before
    for _ in range(50):  # the signal is taken on the process's next task: wait briefly
        progress = await handle.query(DeliverDocumentWorkflow.status)
        if progress.awaiting != "posting_period":
            break
        await asyncio.sleep(0.1)
    return progress


@router.get("/delivery-tasks")
def list_delivery_tasks(
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    task_status: Annotated[Literal["open", "done"], Query(alias="status")] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryTaskPublic]:
    """The agency's paper and posting tasks (open by default), oldest first: the
    supervisors' view of paper deliveries still waiting for a report."""
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        rows = session.execute(
            select(DeliveryTask, Case, Document.code, Party.code)
            .join(Document, Document.id == DeliveryTask.document_id)
            .join(Case, Case.id == Document.case_id)
            .join(Party, Party.id == DeliveryTask.party_id)
            .where(
                Case.owner_agency_id == actor.agency_id,
                DeliveryTask.status == task_status,
            )
            .order_by(DeliveryTask.created_at, DeliveryTask.id)
            .limit(limit)
        ).all()
        found = []
        for task, case, document_code, party_code in rows:
            try:
                check_can_read_case(actor, case)  # role and secrecy clearance
            except errors.NotFound:
                continue
            found.append(
                DeliveryTaskPublic(
                    id=task.id,
                    workflow_id=task.workflow_id,
                    kind=task.kind,
                    case_code=case.code,
                    document_code=document_code,
                    party_code=party_code,
                    via=task.via,
                    via_agency_code=task.via_agency_code,
                    instructions=task.instructions,
                    legal_ground=task.legal_ground,
                    status=task.status,
                    outcome=task.outcome,
                    created_at=task.created_at,
                    due_at=task.due_at,
                    done_at=task.done_at,
                    overdue=task.status == "open" and task.due_at is not None and task.due_at < now,
                )
            )
        return found

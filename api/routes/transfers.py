"""Transfers of case files as officers and supervisors see them: start one, follow its state
on either side, read the receiver's legality report, accept or return a file.

Legal basis: Joint Circular art. 9(1)-(3), 15(1), 17(2)(e), 18(2).
"""

import hashlib
import uuid
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select
from temporalio.service import RPCError

from api.deps import CurrentActor, SessionFactoryDep, SettingsDep, TemporalClientDep
from api.processes import start_once, update_or_conflict
from casefile.codes import Role
from casefile.db import transaction
from casefile.errors import Conflict, NotFound
from casefile.models import Transfer
from casefile.settings import Settings
from casefile.transfers import (
    Inventory,
    PhysicalItem,
    TransferKind,
    legality_report_text,
)
from casefile.usecases import transfer_case_file as usecase
from workflows import receive_case_file_workflow_id, transfer_case_file_workflow_id
from workflows.receive_case_file import ReceiveCaseFileWorkflow
from workflows.transfer_case_file import TransferCaseFileWorkflow
from workflows.transfer_io import DecisionRequest, LegalityReport, TransferInput, TransferPolicy

__all__ = ["router", "transfer_policy"]

router = APIRouter(prefix="/api/v1", tags=["transfers"])


def transfer_policy(settings: Settings) -> TransferPolicy:
    """Three legal days to confirm (demo days with ``HOSO_LEGAL_DAY_SECONDS``), unless
    ``HOSO_TRANSFER_CONFIRMATION_SECONDS`` says otherwise."""
    day = timedelta(seconds=settings.legal_day_seconds or 24 * 3600)
    policy = TransferPolicy(confirmation_limit=3 * day, send_limit=3 * day)
    if settings.transfer_confirmation_seconds:
        limit = timedelta(seconds=settings.transfer_confirmation_seconds)
        policy = policy.model_copy(update={"confirmation_limit": limit})
    return policy


class TransferStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: TransferKind
    to_agency_code: str = Field(min_length=2, max_length=12)
    physical_items: list[PhysicalItem] = Field(default=[], max_length=200)
    note: str = Field(default="", max_length=2000)


class TransferPublic(BaseModel):
    transfer_id: str
    direction: str
    case_code: str
    kind: str
    from_agency_code: str
    to_agency_code: str
    state: str
    started_by: str
    started_at: Any
    sent_at: Any = None
    received_at: Any = None
    decided_at: Any = None
    decided_by: str | None = None
    reasons: str | None = None
    warned_at: Any = None
    handover_document_code: str | None = None
    inventory_sha256: str | None = None
    physical_items: list[dict[str, Any]] = []
    check_report: dict[str, Any] | None = None
    receipt: dict[str, Any] | None = None
    decision: dict[str, Any] | None = None
    workflow_id: str
    progress: dict[str, Any] | None = None

    model_config = ConfigDict(from_attributes=True)


@router.post("/cases/{code}/transfers", status_code=status.HTTP_201_CREATED)
async def start_transfer(
    code: str,
    body: TransferStart,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    temporal: TemporalClientDep,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> dict[str, str]:
    """Hand the case file to another agency. The move is checked before anything starts
    (who sends, who receives, the case's stage); a repeated request with the same
    Idempotency-Key returns the same transfer."""

    def precheck() -> str:
        with transaction(sessions) as session:
            case, _ = usecase.check_transfer_request(
                session,
                actor=actor,
                case_code=code,
                kind=body.kind,
                to_agency_code=body.to_agency_code,
            )
            return case.code

    case_code = await run_in_threadpool(precheck)
    key = f"{actor.id}:{idempotency_key or uuid.uuid4()}"
    transfer_id = hashlib.sha256(key.encode()).hexdigest()[:32]
    workflow_id = transfer_case_file_workflow_id(settings.task_queue, transfer_id)
    await start_once(
        temporal,
        TransferCaseFileWorkflow.run,
        TransferInput(
            transfer_id=transfer_id,
            actor_id=actor.id,
            case_code=case_code,
            kind=body.kind,
            to_agency_code=body.to_agency_code,
            physical_items=body.physical_items,
            note=body.note,
            policy=transfer_policy(settings),
        ),
        workflow_id=workflow_id,
        task_queue=settings.task_queue,
    )
    return {"transfer_id": transfer_id, "workflow_id": workflow_id}


def _visible(actor: Any) -> Any:
    """Rows of the actor's agency: what it sent, and what it received."""
    agency = actor.agency.code
    return or_(
        (Transfer.direction == usecase.OUTGOING) & (Transfer.from_agency_code == agency),
        (Transfer.direction == usecase.INCOMING) & (Transfer.to_agency_code == agency),
    )


@router.get("/transfers")
def list_transfers(
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    state: str | None = None,
    unconfirmed: Annotated[
        bool, Query(description="only transfers whose supervisors were warned (art. 17(2)(e))")
    ] = False,
) -> list[TransferPublic]:
    """The agency's transfers, newest first; supervisors filter ``unconfirmed=true``."""
    if not actor.has_role(*usecase.SENDING_ROLES, Role.SUPERVISOR):
        raise NotFound("no transfers")
    with transaction(sessions) as session:
        query = select(Transfer).where(_visible(actor)).order_by(Transfer.started_at.desc())
        if state:
            query = query.where(Transfer.state == state)
        if unconfirmed:
            query = query.where(Transfer.warned_at.is_not(None), Transfer.decided_at.is_(None))
        return [TransferPublic.model_validate(t) for t in session.scalars(query.limit(200))]


def _rows(sessions: Any, actor: Any, transfer_id: str) -> list[TransferPublic]:
    with transaction(sessions) as session:
        rows = session.scalars(
            select(Transfer).where(Transfer.transfer_id == transfer_id, _visible(actor))
        ).all()
        if not rows or not actor.has_role(*usecase.SENDING_ROLES, Role.SUPERVISOR):
            raise NotFound(f"no transfer {transfer_id}", field="transfer_id")
        return [TransferPublic.model_validate(t) for t in rows]


@router.get("/transfers/{transfer_id}")
async def get_transfer(
    transfer_id: str, actor: CurrentActor, sessions: SessionFactoryDep, temporal: TemporalClientDep
) -> list[TransferPublic]:
    """Each side of the transfer this agency holds (both, when sender and receiver share this
    installation), with the live step of its process."""
    rows = await run_in_threadpool(_rows, sessions, actor, transfer_id)
    shown = []
    for row in rows:
        query = (
            TransferCaseFileWorkflow.status
            if row.direction == usecase.OUTGOING
            else ReceiveCaseFileWorkflow.status
        )
        try:
            progress = await temporal.get_workflow_handle(row.workflow_id).query(query)
            shown.append(row.model_copy(update={"progress": progress.model_dump()}))
        except RPCError:  # not started yet, or no worker can answer: the row says enough
            shown.append(row)
    return shown


@router.get("/transfers/{transfer_id}/report", response_class=PlainTextResponse)
def legality_report(
    transfer_id: str, actor: CurrentActor, sessions: SessionFactoryDep
) -> PlainTextResponse:
    """The receiver's legality check in Vietnamese, for the person who decides (409 while the
    check is still running)."""
    with transaction(sessions) as session:
        transfer = usecase.find_transfer(session, transfer_id, usecase.INCOMING)
        if transfer is None or transfer.to_agency_code != actor.agency.code:
            raise NotFound(f"no incoming transfer {transfer_id}", field="transfer_id")
        if transfer.check_report is None:
            raise Conflict(f"transfer {transfer_id} is still being checked")
        report = LegalityReport.model_validate(
            {k: v for k, v in transfer.check_report.items() if k != "checked_at"}
        )
        text = legality_report_text(
            Inventory.model_validate(transfer.inventory),
            report.findings,
            documents=report.documents_checked,
            signatures=report.signatures_checked,
        )
    return PlainTextResponse(text)


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "return"]
    reasons: str = Field(default="", max_length=4000)


@router.post("/transfers/{transfer_id}/decision")
async def decide(
    transfer_id: str,
    body: DecisionBody,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    temporal: TemporalClientDep,
) -> dict[str, Any]:
    """A head, prosecutor or judge of the receiving agency accepts the file (only if the
    legality check passed) or returns it with reasons; the sender is told either way."""

    def check() -> None:
        with transaction(sessions) as session:
            transfer = usecase.get_transfer(session, transfer_id, usecase.INCOMING)
            if transfer.to_agency_code != actor.agency.code:
                raise NotFound(f"no transfer {transfer_id}", field="transfer_id")
            usecase.check_can_decide(actor, transfer)

    await run_in_threadpool(check)
    handle = temporal.get_workflow_handle(
        receive_case_file_workflow_id(settings.task_queue, transfer_id)
    )
    decided = await update_or_conflict(
        handle,
        ReceiveCaseFileWorkflow.decide,
        DecisionRequest(actor_id=actor.id, decision=body.decision, reasons=body.reasons),
        ended="the transfer is already decided",
    )
    return decided.model_dump()

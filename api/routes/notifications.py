"""Public notifications of a document (Joint Circular art. 19, 20): start one, list them with
their per-channel state."""

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import CurrentActor, SessionFactoryDep, SettingsDep, TemporalClientDep
from api.processes import execution_status, processes_with_status, start_once
from casefile import errors
from casefile.access import check_can_edit_case
from casefile.db import transaction
from casefile.legaltime import LegalCalendar
from casefile.models import Party
from casefile.notification import Form, channels_for, validate_content
from casefile.usecases.read_document import get_document_for
from workflows import public_notification_workflow_id
from workflows.io import NotificationStatus, PublicNotificationInput
from workflows.notify_publicly import PublicNotificationWorkflow

router = APIRouter(prefix="/api/v1/documents", tags=["notifications"])


class NotificationStart(BaseModel):
    party_code: str = Field(min_length=5, max_length=60)
    forms: list[Form] = Field(min_length=1)
    content: dict
    """Art. 20(2)(a)-(e): issuing_agency, person, document, obligation, consequences."""


class NotificationPublic(BaseModel):
    workflow_id: str
    status: str
    progress: NotificationStatus | None = None


@router.post("/{code}/notifications", status_code=status.HTTP_201_CREATED)
async def start_notification(
    code: str,
    body: NotificationStart,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    temporal: TemporalClientDep,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> NotificationPublic:
    """Start a three-day public notification of the document to one person."""
    validate_content(body.content)  # a missing field is a 422 before anything starts
    channels_for(body.forms)

    def facts() -> tuple[str, str, str | None, str | None]:
        with transaction(sessions) as session:
            document, case = get_document_for(session, actor=actor, code=code)
            check_can_edit_case(actor, case)
            party = session.query(Party).filter_by(case_id=case.id, code=body.party_code).first()
            if party is None:
                raise errors.InvalidInput(
                    f"{body.party_code} is not a party of case {case.code}", field="party_code"
                )
            return case.code, document.code, party.e_account, party.national_id

    case_code, document_code, account, national_id = await run_in_threadpool(facts)
    request_id = f"{actor.id}:{idempotency_key or uuid.uuid4()}"
    calendar = (
        LegalCalendar(day_seconds=settings.legal_day_seconds, epoch=datetime.now(UTC))
        if settings.legal_day_seconds
        else LegalCalendar(time_zone=settings.time_zone)
    )
    request = PublicNotificationInput(
        request_id=request_id,
        actor_id=actor.id,
        case_code=case_code,
        document_code=document_code,
        party_code=body.party_code,
        forms=body.forms,
        content=body.content,
        calendar=calendar,
        account=account,
        national_id=national_id,
    )
    workflow_id = public_notification_workflow_id(settings.task_queue, request_id)
    await start_once(
        temporal,
        PublicNotificationWorkflow.run,
        request,
        workflow_id=workflow_id,
        task_queue=settings.task_queue,
    )
    return NotificationPublic(workflow_id=workflow_id, status="running")


@router.get("/{code}/notifications")
async def list_notifications(
    code: str,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    settings: SettingsDep,
    temporal: TemporalClientDep,
) -> list[NotificationPublic]:
    """The document's public notifications with each channel's count and conclusion."""

    def check() -> None:
        with transaction(sessions) as session:
            get_document_for(session, actor=actor, code=code)

    await run_in_threadpool(check)
    found = await processes_with_status(
        temporal,
        condition=f'DocumentCode = "{code}"',  # a validated code: safe in the query
        workflow_type="PublicNotificationWorkflow",
        task_queue=settings.task_queue,
        status_query=PublicNotificationWorkflow.status,
    )
    return [
        NotificationPublic(
            workflow_id=execution.id, status=execution_status(execution), progress=progress
        )
        for execution, progress in found
    ]

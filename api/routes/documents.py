"""Procedural documents: issue (IssueDocument workflow), read, download, validate, and the
participant's countersignature."""

import asyncio
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from temporalio.client import (
    WorkflowFailureError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError

from api.deps import BlobsDep, CurrentActor, SessionFactoryDep, SettingsDep, TemporalClientDep
from api.errors import domain_error_from
from api.processes import start_once
from api.routes.deliveries import policy_for
from api.schemas import (
    ConfirmationPublic,
    DocumentIssue,
    DocumentIssuing,
    DocumentPublic,
    ParticipantConfirmationPublic,
    RecipientPublic,
    SignaturePublic,
)
from casefile import errors
from casefile.confirmation import SealedConfirmation, verify_confirmation
from casefile.db import SessionFactory, transaction
from casefile.doctypes import validate_fields
from casefile.models import User
from casefile.repositories.cases import get_case_by_code
from casefile.signing.report import etsi_report_xml, render_text_report
from casefile.signing.validation import Verdict, validate_pdf
from casefile.usecases.confirm_document import sealed_confirmations
from casefile.usecases.issue_document import (
    STAMP_FIELD,
    check_issue_authority,
    record_issue_refusal,
)
from casefile.usecases.read_document import read_document, read_document_bytes
from workflows import issue_document_workflow_id
from workflows.io import CountersignRequest, IssueDocumentInput, IssueStatus
from workflows.issue_document import IssueDocumentWorkflow

router = APIRouter(prefix="/api/v1", tags=["documents"])

ISSUE_WAIT_SECONDS = 60
"""How long POST .../documents waits for the document to be filed before answering 202."""


def _precheck_issue(sessions: SessionFactory, actor: User, case_code: str, issue: DocumentIssue):
    """Authority and fields are checked before a workflow starts: a refusal is a 403 and an
    audit event, a bad field a 422 naming it, and nothing else is left behind."""
    with transaction(sessions) as session:
        case = get_case_by_code(session=session, code=case_code)
        try:
            check_issue_authority(actor, case, issue.doc_type)
        except errors.NotPermitted as refusal:
            refused = refusal
        else:
            refused = None
    if refused is not None:
        with transaction(sessions) as session:
            record_issue_refusal(
                session,
                actor=session.merge(actor),
                case_code=case_code,
                doc_type=issue.doc_type,
                reason=refused.failure_message,
            )
        raise refused
    try:
        validate_fields(issue.doc_type, issue.fields)
    except errors.InvalidInput as invalid:
        invalid.field = f"fields.{invalid.field}" if invalid.field else "fields"
        raise


def _document_public(sessions: SessionFactory, actor: User, code: str) -> DocumentPublic:
    with transaction(sessions) as session:
        view = read_document(session, actor=actor, code=code)
        own = {
            name: getattr(view.document, name)
            for name in DocumentPublic.model_fields
            if name not in {"case_code", "signatures", "recipients", "confirmations"}
        }
        return DocumentPublic(
            **own,
            case_code=view.case.code,
            signatures=[SignaturePublic.model_validate(s) for s in view.signatures],
            recipients=[
                RecipientPublic(party_code=p.code, full_name=p.full_name, status=r.status)
                for r, p in view.recipients
            ],
            confirmations=[
                ConfirmationPublic(
                    party_code=p.code,
                    form=c.form,
                    confirmed_at=c.confirmed_at,
                    pdf_sha256=c.pdf_sha256,
                )
                for c, p in view.confirmations
            ],
        )


@router.post(
    "/cases/{code}/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentPublic,
    responses={202: {"model": DocumentIssuing}},
)
async def issue_document(
    code: str,
    issue: DocumentIssue,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    temporal: TemporalClientDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> Any:
    """Issue a procedural document: render, sign, number, stamp and file it.

    Answers 201 once it is filed (status ``awaiting_confirmation`` when a participant must
    still countersign or confirm), or 202 with the workflow id if that takes over 60 s. Then
    one delivery per recipient starts (after the participant's confirmation where needed),
    unless ``deliver`` is false.
    """
    await run_in_threadpool(_precheck_issue, sessions, actor, code, issue)
    request_id = f"{actor.id}:{idempotency_key or uuid.uuid4()}"
    workflow_id = issue_document_workflow_id(settings.task_queue, request_id)
    request = IssueDocumentInput(
        request_id=request_id,
        actor_id=actor.id,
        case_code=code,
        doc_type=issue.doc_type,
        fields=issue.fields,
        recipients=issue.recipients,
        level=issue.level,
        deliver=issue.deliver,
        delivery_policy=policy_for(settings),
        task_queue=settings.task_queue,
    )
    handle = await start_once(
        temporal,
        IssueDocumentWorkflow.run,
        request,
        workflow_id=workflow_id,
        task_queue=settings.task_queue,
    )
    try:
        state: IssueStatus = await asyncio.wait_for(
            handle.execute_update(IssueDocumentWorkflow.wait_registered),
            timeout=ISSUE_WAIT_SECONDS,
        )
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        waiting = DocumentIssuing(workflow_id=workflow_id, step="running")
        return JSONResponse(waiting.model_dump(), status_code=status.HTTP_202_ACCEPTED)
    except WorkflowUpdateFailedError as failure:  # the workflow ended before it filed
        state = IssueStatus(step="failed", error=str(failure))
    if state.document_code is None:
        try:
            await handle.result()
        except WorkflowFailureError as failure:
            if (domain := domain_error_from(failure)) is not None:
                raise domain from failure
            raise
    document = await run_in_threadpool(_document_public, sessions, actor, state.document_code)
    response.headers["Location"] = f"/api/v1/documents/{document.code}"
    return document


@router.get("/documents/{code}")
def read_document_detail(
    code: str, actor: CurrentActor, sessions: SessionFactoryDep
) -> DocumentPublic:
    """A document with its signatures, confirmations and recipients (the read is logged)."""
    return _document_public(sessions, actor, code)


@router.get(
    "/documents/{code}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def download_document(
    code: str, actor: CurrentActor, sessions: SessionFactoryDep, blobs: BlobsDep
) -> Response:
    """The document's PDF exactly as filed (hash-verified; the download is logged)."""
    with transaction(sessions) as session:
        document, data = read_document_bytes(
            session, actor=actor, code=code, blobs=blobs, purpose="downloaded"
        )
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{document.code}.pdf"',
            "ETag": f'"{document.sha256}"',
        },
    )


@router.get(
    "/documents/{code}/validation",
    responses={200: {"content": {"application/json": {}, "text/plain": {}, "application/xml": {}}}},
)
async def validate_document(
    code: str,
    request: Request,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    blobs: BlobsDep,
    format: Annotated[Literal["json", "text", "xml"], Query()] = "json",
) -> Response:
    """Validate every signature and time-stamp of the filed PDF (Joint Circular art. 7,
    17(1)(a)): JSON, a Vietnamese report (``format=text``) or ETSI TS 119 102-2 (``xml``)."""

    def load() -> tuple[Any, bytes, list[SealedConfirmation]]:
        with transaction(sessions) as session:
            document, data = read_document_bytes(
                session, actor=actor, code=code, blobs=blobs, purpose="validated"
            )
            return document, data, sealed_confirmations(session, document=document)

    document, data, sealed = await run_in_threadpool(load)
    runtime = request.app.state.signing
    result = await validate_pdf(data, runtime.policy)
    confirmations = [
        await verify_confirmation(
            one, data, runtime.pki.trust_roots, fetcher_backend=runtime.services.fetcher_backend()
        )
        for one in sealed
    ]
    stamp_ok = any(
        s.field_name == STAMP_FIELD and s.verdict is Verdict.VALID for s in result.signatures
    )
    confirmations_ok = all(c.verdict == "valid" for c in confirmations)
    if format == "text":
        return PlainTextResponse(
            render_text_report(result, document_name=document.code)
            + _registration_lines(document, stamp_ok, confirmations)
        )
    if format == "xml":
        return Response(etsi_report_xml(result), media_type="application/xml")
    body = {
        "document_code": document.code,
        "procedural_number": document.procedural_number,
        "records": [document.first_record, document.last_record],
        "sha256": document.sha256,
        "inventory_match": stamp_ok,
        **result.to_dict(),
        "confirmations": [c.to_dict() for c in confirmations],
    }
    if not confirmations_ok:
        body["verdict"] = Verdict.INVALID.value
        body["reason"] = "confirmation_invalid"
    return JSONResponse(body)


def _registration_lines(document: Any, stamp_ok: bool, confirmations: list[Any]) -> str:
    """The part of the Vietnamese report that only the case file can tell."""
    records = (
        str(document.first_record)
        if document.first_record == document.last_record
        else f"{document.first_record}–{document.last_record}"
    )
    lines = [
        "",
        "ĐỐI CHIẾU SỔ HỒ SƠ",
        f"  Số văn bản: {document.procedural_number or '—'}; bút lục: {records}",
        "  Dấu vào sổ: "
        + ("khớp với sổ hồ sơ (dấu thời gian hợp lệ)" if stamp_ok else "KHÔNG KHỚP hoặc thiếu"),
    ]
    for checked in confirmations:
        verdict = "HỢP LỆ" if checked.verdict == "valid" else f"KHÔNG HỢP LỆ ({checked.reason})"
        lines.append(f"  Xác nhận của người tham gia tố tụng: {verdict}")
    return "\n".join(lines) + "\n"


@router.post("/documents/{code}/countersignature")
async def countersign_document(
    code: str,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    blobs: BlobsDep,
    temporal: TemporalClientDep,
    party_code: Annotated[str, Query(min_length=5, max_length=60)],
    pdf: Annotated[bytes, Body(media_type="application/pdf")],
) -> ParticipantConfirmationPublic:
    """Accept the participant's countersigned PDF (an incremental update of the filed one,
    signed in the participant's field with a public certificate; Joint Circular art. 5(2))."""

    def prepare() -> str:
        with transaction(sessions) as session:
            view = read_document(session, actor=actor, code=code)
            if view.document.workflow_id is None:
                raise errors.Conflict(f"{code} was not issued by a process of this system")
            return view.document.workflow_id

    workflow_id = await run_in_threadpool(prepare)
    if not pdf.startswith(b"%PDF-"):
        raise errors.InvalidInput("the body is not a PDF", field="pdf")
    sha256 = await run_in_threadpool(blobs.put, pdf)
    handle = temporal.get_workflow_handle(workflow_id)
    try:
        confirmed = await handle.execute_update(
            IssueDocumentWorkflow.countersign,
            CountersignRequest(party_code=party_code, pdf_sha256=sha256),
        )
    except WorkflowUpdateFailedError as failure:
        if (domain := domain_error_from(failure)) is not None:
            raise domain from failure
        raise errors.Conflict(str(failure.cause or failure)) from failure
    except RPCError as finished:  # the issuing process has ended: nothing awaits a signature
        raise errors.Conflict(f"{code} is not awaiting confirmation") from finished
    return ParticipantConfirmationPublic.model_validate(confirmed.model_dump())

"""Activities of the DeliverDocument workflow: the electronic call to the recipient's account,
the paper copy converted from the electronic document with its certification, the officers'
tasks, public posting, and the record of every step.

Each step records its result under ``<workflow id>:<step>`` (casefile.steps) in the same
transaction as its audit event and its evidence, so a retried activity changes nothing
twice; the platform call carries ``Idempotency-Key: <workflow id>:electronic``.

Legal basis: Joint Circular art. 9(4), 9(6), 9(7); CPC art. 137, 140.
"""

import asyncio
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from temporalio import activity

from activities.backlog import BacklogRelease
from activities.errors import domain_errors_as_application_errors
from activities.heartbeat import heartbeating
from activities.platform_clients import HttpPlatforms
from casefile import fonts
from casefile.audit import record_event
from casefile.blobstore import BlobStore
from casefile.codes import DocumentForm
from casefile.db import SessionFactory, transaction
from casefile.delivery import (
    Ground,
    RecipientStatus,
    conversion_certificate_html,
    posting_record_html,
)
from casefile.errors import InvalidInput, NotFound, PlatformUnavailable
from casefile.inputs import NewDocument
from casefile.models import Case, DeliveryTask, Document, DocumentRecipient, Party, User
from casefile.repositories.cases import get_agency_by_code, get_case_by_code
from casefile.repositories.users import get_user
from casefile.status import StatusKind, record_status_change
from casefile.steps import record_step, recorded_step, step_key
from casefile.usecases.file_document import file_document
from workflows.io import (
    DeliverDocumentInput,
    DeliveryStepArgs,
    ElectronicAccepted,
    PaperOutcomeRecorded,
    PaperPrepared,
    PostingRecorded,
    PostPubliclyArgs,
    PreparePaperArgs,
    RecordPaperOutcomeArgs,
    SendElectronicArgs,
)

__all__ = [
    "AcceptedDelivery",
    "DeliveryActivities",
    "ElectronicDeliveryPlatform",
    "HttpDeliveryPlatform",
]


@dataclass(frozen=True)
class AcceptedDelivery:
    delivery_id: str
    accepted_at: datetime
    url: str = ""


class ElectronicDeliveryPlatform(Protocol):
    """The digital platform holding electronic transaction accounts (VNeID), art. 9(4)(a)."""

    async def deliver(
        self,
        *,
        account: str,
        document_code: str,
        title: str,
        pdf_sha256: str,
        idempotency_key: str,
    ) -> AcceptedDelivery: ...


class HttpDeliveryPlatform(HttpPlatforms):
    """``POST /vneid/deliveries`` over HTTP, with the error mapping of :class:`HttpPlatforms`:
    5xx/timeouts are :class:`PlatformUnavailable` (retried), 404/422 :class:`PlatformRejected`."""

    def __init__(
        self, client: Any, *, document_url: str = "hoso:documents/{document_code}"
    ) -> None:
        super().__init__(client)
        self._document_url = document_url

    async def deliver(
        self,
        *,
        account: str,
        document_code: str,
        title: str,
        pdf_sha256: str,
        idempotency_key: str,
    ) -> AcceptedDelivery:
        answer = (
            await self._call(
                "POST",
                "/vneid/deliveries",
                headers={"Idempotency-Key": idempotency_key},
                json={
                    "account": account,
                    "document_code": document_code,
                    "title": title[:500],
                    "pdf_sha256": pdf_sha256,
                    "pdf_url": self._document_url.format(document_code=document_code),
                },
            )
        ).json()
        return AcceptedDelivery(
            delivery_id=answer["delivery_id"],
            accepted_at=datetime.fromisoformat(answer["accepted_at"]),
            url=answer.get("url", ""),
        )


# --- rendering the certification and posting pages ------------------------------------------

_FONT_FAMILY = "Liberation Serif Hoso"
_RENDER_LOCK = threading.Lock()  # WeasyPrint's font configuration is not known thread-safe


@functools.cache
def _stylesheet() -> tuple[Any, Any]:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    faces = "\n".join(
        f'@font-face {{ font-family: "{_FONT_FAMILY}"; src: url("{path.as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for path, weight, style in (
            (fonts.SERIF_REGULAR, "normal", "normal"),
            (fonts.SERIF_BOLD, "bold", "normal"),
        )
    )
    font_config = FontConfiguration()
    return CSS(string=faces, font_config=font_config), font_config


def _render_pdf(html: str) -> tuple[bytes, int]:
    from weasyprint import HTML

    with _RENDER_LOCK:
        css, font_config = _stylesheet()
        document = HTML(string=html).render(font_config=font_config, stylesheets=[css])
        return document.write_pdf(pdf_variant="pdf/a-2b"), len(document.pages)


# --- the activities -----------------------------------------------------------------------------


@dataclass
class _Context:
    actor: User
    case: Case
    document: Document
    party: Party
    recipient: DocumentRecipient


class DeliveryActivities:
    def __init__(
        self,
        session_factory: SessionFactory,
        blobs: BlobStore,
        platform: ElectronicDeliveryPlatform,
        backlog: BacklogRelease | None = None,
    ) -> None:
        self._sessions = session_factory
        self._blobs = blobs
        self._platform = platform
        self._backlog = backlog

    # --- helpers ---------------------------------------------------------------------------

    def _context(
        self, session: Session, request: DeliverDocumentInput, actor_id: int | None = None
    ) -> _Context:
        actor = get_user(session=session, user_id=actor_id or request.actor_id)
        case = get_case_by_code(session=session, code=request.case_code)
        document = session.scalars(
            select(Document).where(Document.code == request.document_code)
        ).one_or_none()
        if document is None or document.case_id != case.id:
            raise NotFound(
                f"no document {request.document_code} in case {case.code}", field="document_code"
            )
        party = session.scalars(select(Party).where(Party.code == request.party_code)).one_or_none()
        if party is None or party.case_id != case.id:
            raise NotFound(f"no party {request.party_code} in case {case.code}", field="party_code")
        recipient = session.scalars(
            select(DocumentRecipient).where(
                DocumentRecipient.document_id == document.id,
                DocumentRecipient.party_id == party.id,
            )
        ).one_or_none()
        if recipient is None:  # delivered without an issuing process (e.g. a filed document)
            recipient = DocumentRecipient(
                document_id=document.id, party_id=party.id, created_at=datetime.now(UTC)
            )
            session.add(recipient)
            session.flush()
        return _Context(actor, case, document, party, recipient)

    def _log(
        self,
        session: Session,
        ctx: _Context,
        workflow_id: str,
        action: str,
        details: dict[str, Any],
    ) -> None:
        record_event(
            session,
            actor=ctx.actor.username,
            agency=ctx.actor.agency.code,
            action=action,
            object_type="document",
            object_code=ctx.document.code,
            details={"party": ctx.party.code, "workflow": workflow_id, **details},
        )

    def _recorded(self, key: str) -> dict[str, Any] | None:
        with self._sessions() as session:
            return recorded_step(session, key)

    def _once(self, key: str, act: Callable[[Session], dict[str, Any]]) -> dict[str, Any]:
        """Run ``act`` and record its result under ``key`` in one transaction, unless a
        previous (or concurrent) run recorded it first: then return that run's result."""
        recorded = self._recorded(key)
        if recorded is not None:
            return recorded
        try:
            with transaction(self._sessions) as session:
                if (recorded := recorded_step(session, key)) is not None:
                    return recorded
                result = act(session)
                record_step(session, key, result)
                return result
        except IntegrityError:
            recorded = self._recorded(key)
            if recorded is None:
                raise
            return recorded

    def _converted_copy(
        self, workflow_id: str, request: DeliverDocumentInput, converted_at: datetime
    ) -> tuple[str, NewDocument | None]:
        """Render the art. 9(7) certification of the paper copy (before any transaction)."""
        key = step_key(workflow_id, "paper-copy")
        with self._sessions() as session:
            ctx = self._context(session, request)
            if session.scalars(select(Document).where(Document.request_key == key)).first():
                return key, None  # filed by an earlier step
            self._blobs.get(ctx.document.sha256)  # the original must be intact to convert it
            html = conversion_certificate_html(
                agency_name=ctx.actor.agency.name,
                document_code=ctx.document.code,
                document_title=ctx.document.title,
                procedural_number=ctx.document.procedural_number,
                sha256=ctx.document.sha256,
                page_count=ctx.document.page_count,
                officer_name=ctx.actor.full_name,
                officer_title=ctx.actor.title,
                converted_at=_local(converted_at, request),
                recipient=f"{ctx.party.full_name} ({ctx.party.code})",
            )
            title = f"Xác nhận bản giấy chuyển đổi từ văn bản điện tử {ctx.document.code}"
        pdf, pages = _render_pdf(html)
        digest = self._blobs.put(pdf)
        return key, NewDocument(
            doc_type="paper_copy_certificate",
            title=title,
            form=DocumentForm.ELECTRONIC,
            sha256=digest,
            size=len(pdf),
            page_count=pages,
        )

    def _file_copy(
        self, session: Session, ctx: _Context, key: str, new: NewDocument | None
    ) -> Document:
        if new is None:
            return session.scalars(select(Document).where(Document.request_key == key)).one()
        return file_document(
            session, actor=ctx.actor, case=ctx.case, new=new, request_key=key, blobs=self._blobs
        )

    # --- steps -----------------------------------------------------------------------------

    @activity.defn(name="record_delivery_step")
    @domain_errors_as_application_errors
    def record_delivery_step(self, args: DeliveryStepArgs) -> None:
        """Log a step with its legal ground, set the recipient's status, close a task."""

        def act(session: Session) -> dict[str, Any]:
            ctx = self._context(session, args.request)
            if args.status is not None:
                _set_status(session, ctx, args.status)
            if args.close_task is not None:
                _close_task(session, args.workflow_id, args.close_task, args.outcome)
            self._log(
                session,
                ctx,
                args.workflow_id,
                f"delivery.{args.step}",
                {
                    "route": args.route.value,
                    "ground": args.ground,
                    "status": args.status.value if args.status else None,
                    "at": args.at.isoformat(),
                    **args.details,
                },
            )
            return {"at": args.at.isoformat()}

        self._once(step_key(args.workflow_id, args.step), act)

    @activity.defn(name="send_electronic_delivery")
    @domain_errors_as_application_errors
    async def send_electronic(self, args: SendElectronicArgs) -> ElectronicAccepted:
        """Send the document to the recipient's account; the key makes a retry send nothing new
        (Joint Circular art. 9(4)(a))."""
        key = step_key(args.workflow_id, "electronic-sent")
        recorded = await asyncio.to_thread(self._recorded, key)
        if recorded is not None:
            return ElectronicAccepted.model_validate(recorded)
        request = args.request
        if not request.recipient.account:
            raise InvalidInput("the recipient has no electronic account", field="account")

        def facts() -> tuple[str, str]:
            with self._sessions() as session:
                ctx = self._context(session, request)
                return ctx.document.title, ctx.document.sha256

        title, sha256 = await asyncio.to_thread(facts)
        try:
            accepted = await heartbeating(
                self._platform.deliver(
                    account=request.recipient.account,
                    document_code=request.document_code,
                    title=title,
                    pdf_sha256=sha256,
                    idempotency_key=args.idempotency_key,
                )
            )
        except PlatformUnavailable:
            if self._backlog is not None:
                self._backlog.outage_seen()
            raise
        if self._backlog is not None:
            await self._backlog.recovered()
        result = ElectronicAccepted(
            delivery_id=accepted.delivery_id, accepted_at=accepted.accepted_at, url=accepted.url
        )

        def act(session: Session) -> dict[str, Any]:
            ctx = self._context(session, request)
            _set_status(session, ctx, RecipientStatus.DELIVERING_ELECTRONIC)
            self._log(
                session,
                ctx,
                args.workflow_id,
                "delivery.electronic_sent",
                {
                    "ground": Ground.ELECTRONIC.value,
                    "platform": "vneid",
                    "account": request.recipient.account,
                    "delivery_id": result.delivery_id,
                    "idempotency_key": args.idempotency_key,
                },
            )
            return result.model_dump(mode="json")

        return ElectronicAccepted.model_validate(await asyncio.to_thread(self._once, key, act))

    @activity.defn(name="prepare_paper_delivery")
    @domain_errors_as_application_errors
    def prepare_paper_copy(self, args: PreparePaperArgs) -> PaperPrepared:
        """Convert to paper with the art. 9(7) certification, file it, and give an officer the
        task of handing it over, through the detention facility if the recipient is detained
        (Joint Circular art. 9(4)(b), 9(6), 9(7))."""
        key = step_key(args.workflow_id, "paper-delivery")
        if (recorded := self._recorded(key)) is not None:
            return PaperPrepared.model_validate(recorded)
        request = args.request
        copy_key, new = self._converted_copy(args.workflow_id, request, args.converted_at)
        facts = request.recipient
        via = "detention_facility" if facts.detained else "direct"

        def act(session: Session) -> dict[str, Any]:
            ctx = self._context(session, request)
            certificate = self._file_copy(session, ctx, copy_key, new)
            facility = (
                get_agency_by_code(session=session, code=facts.detention_facility)
                if facts.detention_facility
                else None
            )
            instructions = (
                f"Chuyển bản giấy qua {facility.name if facility else 'cơ sở giam giữ'} "
                f"để giao cho {ctx.party.full_name}; thu biên bản giao nhận có chữ ký."
                if facts.detained
                else f"Giao trực tiếp bản giấy cho {ctx.party.full_name} tại "
                f"{ctx.party.residence or 'địa chỉ đã biết'}; thu biên bản giao nhận có chữ ký."
            )
            task = DeliveryTask(
                workflow_id=args.workflow_id,
                kind="paper_delivery",
                document_id=ctx.document.id,
                party_id=ctx.party.id,
                agency_code=ctx.case.agency_code,
                via=via,
                via_agency_code=facility.code if facility else None,
                paper_copy_sha256=certificate.sha256,
                instructions=instructions,
                legal_ground=args.ground[:300],
                created_at=datetime.now(UTC),
                due_at=args.due_at,
            )
            session.add(task)
            session.flush()
            _set_status(session, ctx, RecipientStatus.AWAITING_PAPER_RECEIPT)
            self._log(
                session,
                ctx,
                args.workflow_id,
                "delivery.paper_prepared",
                {
                    "ground": args.ground,
                    "conversion": Ground.PAPER_COPY.value,
                    "certificate": certificate.code,
                    "task": task.id,
                    "via": via,
                    "facility": task.via_agency_code,
                },
            )
            return PaperPrepared(
                certificate_document_code=certificate.code,
                certificate_sha256=certificate.sha256,
                task_id=task.id,
                via=via,
            ).model_dump(mode="json")

        return PaperPrepared.model_validate(self._once(key, act))

    @activity.defn(name="record_paper_outcome")
    @domain_errors_as_application_errors
    def record_paper_outcome(self, args: RecordPaperOutcomeArgs) -> PaperOutcomeRecorded:
        """The officer's report of the paper delivery: signed receipt (its scan filed), refusal
        recorded, or recipient not found (CPC art. 137, 140)."""
        key = step_key(args.workflow_id, "paper-outcome")
        report = args.receipt or args.refusal or args.not_found
        actor_id = report.actor_id if report is not None else None
        scan_size = None
        if args.receipt is not None and args.receipt.scan_sha256:
            scan_size = len(self._blobs.get(args.receipt.scan_sha256))

        def act(session: Session) -> dict[str, Any]:
            ctx = self._context(session, args.request, actor_id)
            scan_code = None
            details: dict[str, Any] = {"recorded_at": args.recorded_at.isoformat()}
            if args.outcome == "received":
                receipt = args.receipt
                assert receipt is not None
                status, action, ground = (
                    RecipientStatus.DELIVERED_PAPER,
                    "delivery.paper_received",
                    Ground.PAPER_RECEIVED,
                )
                details |= {"signed_at": receipt.signed_at.isoformat(), "by": receipt.received_by}
                if receipt.scan_sha256 and scan_size:
                    scan = file_document(
                        session,
                        actor=ctx.actor,
                        case=ctx.case,
                        new=NewDocument(
                            doc_type="delivery_receipt",
                            title=f"Biên bản giao nhận văn bản {ctx.document.code} "
                            f"({ctx.party.full_name})",
                            form=DocumentForm.DIGITIZED,
                            sha256=receipt.scan_sha256,
                            size=scan_size,
                            page_count=1,
                        ),
                        request_key=f"{key}:scan",
                        blobs=self._blobs,
                    )
                    scan_code = scan.code
                    details["scan"] = scan.code
            elif args.outcome == "refused":
                assert args.refusal is not None
                status, action, ground = (
                    RecipientStatus.REFUSED,
                    "delivery.refused",
                    Ground.REFUSED,
                )
                details["reason"] = args.refusal.reason
                if args.refusal.at:
                    details["at"] = args.refusal.at.isoformat()
            else:
                status, action, ground = (None, "delivery.recipient_not_found", Ground.NOT_FOUND)
                details["note"] = args.not_found.note if args.not_found else ""
            if status is not None:
                _set_status(session, ctx, status)
            _close_task(session, args.workflow_id, "paper_delivery", args.outcome)
            self._log(session, ctx, args.workflow_id, action, {"ground": ground.value, **details})
            return PaperOutcomeRecorded(
                outcome=args.outcome, scan_document_code=scan_code
            ).model_dump(mode="json")

        return PaperOutcomeRecorded.model_validate(self._once(key, act))

    @activity.defn(name="post_publicly")
    @domain_errors_as_application_errors
    def post_publicly(self, args: PostPubliclyArgs) -> PostingRecorded:
        """Post the converted paper copy publicly, file the posting record, and give an
        officer the posting task (Joint Circular art. 9(4)(c); CPC art. 140)."""
        key = step_key(args.workflow_id, "posting")
        if (recorded := self._recorded(key)) is not None:
            return PostingRecorded.model_validate(recorded)
        request = args.request
        copy_key, new_copy = self._converted_copy(args.workflow_id, request, args.posted_at)
        with self._sessions() as session:
            ctx = self._context(session, request)
            place = (
                f"Trụ sở Ủy ban nhân dân cấp xã và nơi cư trú cuối cùng của "
                f"{ctx.party.full_name} ({ctx.party.residence or 'không rõ địa chỉ'})"
            )
            html = posting_record_html(
                agency_name=ctx.actor.agency.name,
                document_code=ctx.document.code,
                document_title=ctx.document.title,
                sha256=ctx.document.sha256,
                recipient=f"{ctx.party.full_name} ({ctx.party.code})",
                officer_name=ctx.actor.full_name,
                officer_title=ctx.actor.title,
                posted_at=_local(args.posted_at, request),
                posted_until=_local(args.ends_at, request),
                place=place,
            )
            title = f"Biên bản niêm yết văn bản {ctx.document.code} ({ctx.party.full_name})"
        pdf, pages = _render_pdf(html)
        digest = self._blobs.put(pdf)

        def act(session: Session) -> dict[str, Any]:
            ctx = self._context(session, request)
            certificate = self._file_copy(session, ctx, copy_key, new_copy)
            record = file_document(
                session,
                actor=ctx.actor,
                case=ctx.case,
                new=NewDocument(
                    doc_type="posting_record",
                    title=title,
                    sha256=digest,
                    size=len(pdf),
                    page_count=pages,
                ),
                request_key=key,
                blobs=self._blobs,
            )
            task = DeliveryTask(
                workflow_id=args.workflow_id,
                kind="posting",
                document_id=ctx.document.id,
                party_id=ctx.party.id,
                agency_code=ctx.case.agency_code,
                via="posting",
                paper_copy_sha256=certificate.sha256,
                instructions=f"Niêm yết bản giấy tại: {place}; giữ đến hết thời hạn niêm yết.",
                legal_ground=args.ground[:300],
                created_at=datetime.now(UTC),
                due_at=args.ends_at,
            )
            session.add(task)
            session.flush()
            _set_status(session, ctx, RecipientStatus.POSTING)
            self._log(
                session,
                ctx,
                args.workflow_id,
                "delivery.posted",
                {
                    "ground": args.ground,
                    "posting": Ground.POSTED.value,
                    "record": record.code,
                    "certificate": certificate.code,
                    "until": args.ends_at.isoformat(),
                    "task": task.id,
                },
            )
            return PostingRecorded(
                posting_record_document_code=record.code,
                posting_record_sha256=record.sha256,
                certificate_document_code=certificate.code,
                task_id=task.id,
                ends_at=args.ends_at,
            ).model_dump(mode="json")

        return PostingRecorded.model_validate(self._once(key, act))

    def activities(self) -> list[Callable[..., Any]]:
        return [
            self.record_delivery_step,
            self.send_electronic,
            self.prepare_paper_copy,
            self.record_paper_outcome,
            self.post_publicly,
        ]


def _set_status(session: Session, ctx: _Context, status: RecipientStatus) -> None:
    """Set the recipient's delivery status and queue it for the common database (art. 18(4)),
    in the step's transaction (so a retried step queues nothing twice)."""
    ctx.recipient.status = status.value
    record_status_change(
        session,
        agency_code=ctx.actor.agency.code,
        case_code=ctx.case.code,
        kind=StatusKind.DELIVERY,
        status=status.value,
        subject_code=ctx.document.code,
        party_code=ctx.party.code,
    )


def _close_task(session: Session, workflow_id: str, kind: str, outcome: str | None) -> None:
    task = session.scalars(
        select(DeliveryTask).where(
            DeliveryTask.workflow_id == workflow_id, DeliveryTask.kind == kind
        )
    ).one_or_none()
    if task is None or task.status == "done":
        return
    task.status = "done"
    task.outcome = outcome
    task.done_at = datetime.now(UTC)


def _local(moment: datetime, request: DeliverDocumentInput) -> str:
    local = moment.astimezone(request.policy.calendar.zone())
    return local.strftime("%H:%M ngày %d/%m/%Y (%Z)")

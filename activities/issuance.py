"""Activities of the IssueDocument workflow.

Every step that stores, signs or numbers records its result under ``<workflow id>:<step>``
(casefile.steps): a retried activity returns the first run's result, so a retry never
produces a second number, a second stored PDF or a second signature. Signing runs on the
worker's event loop (the demo TSA/OCSP services are bound to it); database work runs in
threads.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pyhanko.sign.general import SigningError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from temporalio import activity

from activities.errors import domain_errors_as_application_errors
from casefile.audit import record_event
from casefile.blobstore import BlobStore
from casefile.codes import AgencyKind, DocumentStatus, PartyRole
from casefile.db import SessionFactory, transaction
from casefile.delivery import recipient_facts
from casefile.doctypes import PARTY_ROLE_LABELS, SignatureSlot, get_spec, validate_fields
from casefile.errors import InvalidInput, NotFound, NotPermitted
from casefile.models import Document, DocumentConfirmation, DocumentSignature, Party, User
from casefile.rendering import IssuerHeader, render_document
from casefile.repositories.cases import get_case_by_code
from casefile.repositories.users import get_user
from casefile.signing.pades import (
    Box,
    EmptyField,
    PadesLevel,
    RegisterStamp,
    SignatureOptions,
    apply_register_stamp,
    sign_document,
)
from casefile.signing.runtime import SigningRuntime
from casefile.signing.validation import Verdict, validate_pdf
from casefile.steps import record_step, recorded_step, step_key
from casefile.usecases.issue_document import (
    OFFICIAL_FIELD,
    PARTICIPANT_FIELD,
    STAMP_FIELD,
    check_issue_authority,
    file_registered_document,
    procedural_number_placeholder,
    record_issue_refusal,
    record_recipients,
    reserve_registration,
    select_recipients,
)
from workflows.io import (
    AuthorizedDraft,
    ConfirmationOverdueArgs,
    DeliveryRecipient,
    DeliveryRecipientsArgs,
    IssueContext,
    IssueStepArgs,
    ParticipantConfirmed,
    ParticipantStepArgs,
    PdfBox,
    RecordRecipientsArgs,
    RegisterDocumentArgs,
    RegisteredDocument,
    RenderDraftArgs,
    RenderedDraft,
    SignedDraft,
    SignOfficialArgs,
)

__all__ = ["IssuanceActivities"]

STAMP_HEIGHT = 62.0
"""The register stamp sits in the bottom margin of the last page, right-aligned."""

T = TypeVar("T")


def _box(box: PdfBox) -> Box:
    return Box(page=box.page, x1=box.x1, y1=box.y1, x2=box.x2, y2=box.y2)


def _record_recipients_in(session: Session, request: Any, document_code: str) -> list[str]:
    """Record the recipients in the caller's transaction (idempotent: existing rows kept)."""
    case = get_case_by_code(session=session, code=request.case_code)
    document = session.scalars(select(Document).where(Document.code == document_code)).one()
    parties = select_recipients(
        session, case=case, spec=get_spec(request.doc_type), party_codes=request.recipients
    )
    added = record_recipients(session, document=document, parties=parties, now=datetime.now(UTC))
    if added:
        actor = session.get(User, request.actor_id)
        record_event(
            session,
            actor=actor.username,
            agency=actor.agency.code,
            action="document.recipients_recorded",
            object_type="document",
            object_code=document.code,
            details={"parties": [p.code for p in parties]},
        )
    return [party.code for party in parties]


def _pdf_box(measured: Any) -> PdfBox:
    x1, y1, x2, y2 = measured.box
    return PdfBox(page=measured.page, x1=x1, y1=y1, x2=x2, y2=y2)


def _records(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


class IssuanceActivities:
    def __init__(
        self,
        session_factory: SessionFactory,
        blobs: BlobStore,
        zone: ZoneInfo,
        signing: SigningRuntime,
    ) -> None:
        self._sessions = session_factory
        self._blobs = blobs
        self._zone = zone
        self._signing = signing

    # --- helpers ---------------------------------------------------------------------------

    def _recorded(self, key: str) -> dict[str, Any] | None:
        with self._sessions() as session:
            return recorded_step(session, key)

    def _record(self, key: str, result: dict[str, Any]) -> dict[str, Any]:
        """Record a step; if a concurrent run recorded it first, theirs wins."""
        try:
            with transaction(self._sessions) as session:
                record_step(session, key, result)
            return result
        except IntegrityError:
            recorded = self._recorded(key)
            assert recorded is not None
            return recorded

    async def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    # --- steps -----------------------------------------------------------------------------

    @activity.defn(name="authorize_issue")
    @domain_errors_as_application_errors
    def authorize_issue(self, args: IssueStepArgs) -> IssueContext:
        """Check authority (Joint Circular art. 5(1)) and the fields; log a refusal."""
        request = args.request
        with transaction(self._sessions) as session:
            actor = get_user(session=session, user_id=request.actor_id)
            case = get_case_by_code(session=session, code=request.case_code)
            try:
                authority = check_issue_authority(actor, case, request.doc_type)
            except NotPermitted as refusal:
                refused = refusal
            else:
                refused = None
                validate_fields(request.doc_type, request.fields)
                spec = authority.spec
                return IssueContext(
                    signing_key=actor.signing_key or "",
                    signer_name=actor.full_name,
                    signer_title=actor.title,
                    agency_name=actor.agency.name,
                    agency_code=actor.agency.code,
                    place=actor.agency.place,
                    needs_confirmation=spec.needs_countersignature,
                    document_title=spec.full_title,
                )
        with transaction(self._sessions) as session:
            record_issue_refusal(
                session,
                actor=session.merge(actor),
                case_code=request.case_code,
                doc_type=request.doc_type,
                reason=refused.failure_message,
            )
        raise refused

    @activity.defn(name="authorize_and_render")
    @domain_errors_as_application_errors
    def authorize_and_render(self, args: IssueStepArgs) -> AuthorizedDraft:
        """Authority, fields and the rendered draft in one step (one round trip fewer)."""
        context = self.authorize_issue(args)
        draft = self.render_draft(RenderDraftArgs(step=args, context=context))
        return AuthorizedDraft(context=context, draft=draft)

    @activity.defn(name="render_draft")
    @domain_errors_as_application_errors
    def render_draft(self, args: RenderDraftArgs) -> RenderedDraft:
        key = step_key(args.step.workflow_id, "render")
        if (done := self._recorded(key)) is not None:
            return RenderedDraft.model_validate(done)
        request, context = args.step.request, args.context
        spec = get_spec(request.doc_type)
        with transaction(self._sessions) as session:
            actor = get_user(session=session, user_id=request.actor_id)
            case = get_case_by_code(session=session, code=request.case_code)
            parties = select_recipients(
                session, case=case, spec=spec, party_codes=request.recipients
            )
            recipients = [
                f"{PARTY_ROLE_LABELS.get(PartyRole(p.role), p.role).capitalize()} {p.full_name};"
                for p in parties
            ] + ["Lưu: Hồ sơ vụ án."]
            issued_on = args.step.issued_at.astimezone(self._zone)
            header = IssuerHeader(
                agency_name=actor.agency.name,
                superior_body=actor.agency.superior_name or None,
                procedural_number=procedural_number_placeholder(
                    spec, AgencyKind(actor.agency.kind), issued_on.year
                ),
                place=actor.agency.place,
                issue_date=issued_on.date(),
                signer_name=context.signer_name,
                signer_title=context.signer_title,
                recipients=recipients,
                secrecy=case.secrecy,
            )
        rendered = render_document(request.doc_type, request.fields, header)
        sha256 = self._blobs.put(rendered.pdf)
        boxes = rendered.signature_boxes
        official = boxes[SignatureSlot.OFFICIAL]
        participant = boxes.get(SignatureSlot.PARTICIPANT)
        draft = RenderedDraft(
            sha256=sha256,
            page_count=rendered.page_count,
            official_box=_pdf_box(official),
            participant_box=(
                _pdf_box(participant) if participant and context.needs_confirmation else None
            ),
        )
        return RenderedDraft.model_validate(self._record(key, draft.model_dump()))

    @activity.defn(name="sign_official")
    @domain_errors_as_application_errors
    async def sign_official(self, args: SignOfficialArgs) -> SignedDraft:
        """The official's PAdES signature, certifying the document and reserving the
        participant's and the register stamp's fields in the same revision."""
        key = step_key(args.step.workflow_id, "sign")
        if (done := await self._in_thread(self._recorded, key)) is not None:
            return SignedDraft.model_validate(done)
        context, draft = args.context, args.draft
        pdf = await self._in_thread(self._blobs.get, draft.sha256)
        last_page = draft.page_count - 1
        prepare = [
            EmptyField(
                name=STAMP_FIELD,
                box=Box(page=last_page, x1=330, y1=6, x2=580, y2=6 + STAMP_HEIGHT),
                label="Dấu vào sổ hồ sơ điện tử",
            )
        ]
        if draft.participant_box is not None:
            prepare.append(
                EmptyField(
                    name=PARTICIPANT_FIELD,
                    box=_box(draft.participant_box),
                    label="Chữ ký người tham gia tố tụng",
                )
            )
        signer = await self._signing.signer(context.signing_key)
        try:
            signed = await sign_document(
                pdf,
                signer,
                self._signing.env,
                SignatureOptions(
                    field_name=OFFICIAL_FIELD,
                    level=PadesLevel(args.step.request.level),
                    box=_box(draft.official_box),
                    signer_name=context.signer_name,
                    signer_title=context.signer_title,
                    agency=context.agency_name,
                    reason=f"Ký ban hành {context.document_title}",
                    location=context.place,
                    certify=True,
                    prepare_fields=tuple(prepare),
                ),
            )
        except SigningError as refusal:  # revoked, expired or untrusted: retrying won't help
            raise NotPermitted(
                f"{context.signer_name} cannot sign: {refusal} (revoked, expired or untrusted "
                "certificate; Joint Circular art. 7(2))"
            ) from refusal
        finally:
            await signer.aclose()
        sha256 = await self._in_thread(self._blobs.put, signed)
        result = SignedDraft(sha256=sha256, page_count=draft.page_count)
        return SignedDraft.model_validate(
            await self._in_thread(self._record, key, result.model_dump())
        )

    @activity.defn(name="register_document")
    @domain_errors_as_application_errors
    async def register_document(self, args: RegisterDocumentArgs) -> RegisteredDocument:
        """Numbers, register stamp and filing in one transaction (art. 10(3), 13(1))."""
        key = step_key(args.step.workflow_id, "register")
        if (done := await self._in_thread(self._recorded, key)) is not None:
            return RegisteredDocument.model_validate(done)
        request, context = args.step.request, args.context
        spec = get_spec(request.doc_type)
        signed_pdf = await self._in_thread(self._blobs.get, args.signed.sha256)
        session: Session = self._sessions()
        try:
            await self._in_thread(session.begin)

            def reserve() -> tuple[Any, Any, Any]:
                actor = get_user(session=session, user_id=request.actor_id)
                case = get_case_by_code(session=session, code=request.case_code, for_update=True)
                registration = reserve_registration(
                    session,
                    case=case,
                    spec=spec,
                    agency_kind=AgencyKind(actor.agency.kind),
                    year=args.step.issued_at.astimezone(self._zone).year,
                    page_count=args.signed.page_count,
                    agency_code=actor.agency.code,
                )
                return actor, case, registration

            actor, case, registration = await self._in_thread(reserve)
            stamped = await apply_register_stamp(
                signed_pdf,
                RegisterStamp(
                    file_code=case.code,
                    record_number=_records(registration.first_record, registration.last_record),
                    agency=context.agency_name,
                    procedural_number=registration.procedural_number,
                    document_code=registration.document_code,
                    field_name=STAMP_FIELD,
                ),
                self._signing.env,
            )
            sha256 = await self._in_thread(self._blobs.put, stamped)
            status = (
                DocumentStatus.AWAITING_CONFIRMATION
                if context.needs_confirmation
                else DocumentStatus.FILED
            )
            result = RegisteredDocument(
                document_code=registration.document_code,
                procedural_number=registration.procedural_number,
                first_record=registration.first_record,
                last_record=registration.last_record,
                sha256=sha256,
                needs_confirmation=context.needs_confirmation,
            )

            def file_and_commit() -> RegisteredDocument:
                now = datetime.now(UTC)
                document = file_registered_document(
                    session,
                    actor=actor,
                    case=case,
                    spec=spec,
                    registration=registration,
                    sha256=sha256,
                    size=len(stamped),
                    page_count=args.signed.page_count,
                    status=status,
                    workflow_id=args.step.workflow_id,
                    registered_at=now,
                )
                session.add_all(
                    [
                        DocumentSignature(
                            document_id=document.id,
                            kind="official",
                            field_name=OFFICIAL_FIELD,
                            signer_name=context.signer_name,
                            level=request.level,
                            signed_at=now,
                            revision_sha256=args.signed.sha256,
                        ),
                        DocumentSignature(
                            document_id=document.id,
                            kind="register_stamp",
                            field_name=STAMP_FIELD,
                            signer_name=context.agency_name,
                            level="doc-timestamp",
                            signed_at=now,
                            revision_sha256=sha256,
                        ),
                    ]
                )
                if not context.needs_confirmation:  # nothing to wait for: address it now
                    recipients = _record_recipients_in(session, request, document.code)
                    filed = result.model_copy(update={"recipients": recipients})
                else:
                    filed = result
                record_step(session, key, filed.model_dump())
                session.commit()
                return filed

            result = await self._in_thread(file_and_commit)
        except BaseException:
            await self._in_thread(session.rollback)
            raise
        finally:
            await self._in_thread(session.close)
        return result

    @activity.defn(name="record_participant_confirmation")
    @domain_errors_as_application_errors
    async def record_participant_confirmation(
        self, args: ParticipantStepArgs
    ) -> ParticipantConfirmed:
        """Accept the participant's countersignature or sealed confirmation (art. 5(2), 6)."""
        key = step_key(args.workflow_id, "participant")
        if (done := await self._in_thread(self._recorded, key)) is not None:
            return ParticipantConfirmed.model_validate(done)
        document, party = await self._in_thread(self._document_and_party, args)
        if args.countersign is not None:
            current = await self._in_thread(self._blobs.get, document.sha256)
            uploaded = await self._in_thread(self._blobs.get, args.countersign.pdf_sha256)
            if not uploaded.startswith(current) or len(uploaded) == len(current):
                raise InvalidInput(
                    "the countersigned PDF is not an incremental update of the filed document",
                    field="pdf",
                )
            outcome = await validate_pdf(uploaded, self._signing.policy)
            last = outcome.signatures[-1] if outcome.signatures else None
            if outcome.verdict is not Verdict.VALID or last is None:
                raise InvalidInput(
                    f"the countersigned PDF does not validate ({outcome.reason})", field="pdf"
                )
            if last.field_name != PARTICIPANT_FIELD:
                raise InvalidInput(
                    f"the new signature is in field {last.field_name!r}, "
                    f"not the participant's field {PARTICIPANT_FIELD!r}",
                    field="pdf",
                )
            result = ParticipantConfirmed(
                party_code=party.code,
                form="public_certificate",
                document_sha256=args.countersign.pdf_sha256,
            )
            signer_name, serial, issuer = (
                last.signer_name,
                last.certificate_serial,
                last.issuer_subject,
            )
            size = len(uploaded)
        else:
            assert args.confirmation is not None
            confirmation = await self._in_thread(
                self._confirmation_of, document, args.confirmation.confirmation_id
            )
            result = ParticipantConfirmed(
                party_code=party.code, form=confirmation.form, document_sha256=document.sha256
            )
            signer_name, serial, issuer, size = party.full_name, "", "", document.size

        def commit() -> None:
            with transaction(self._sessions) as session:
                row = session.get(Document, document.id)
                now = datetime.now(UTC)
                if args.countersign is not None:
                    row.sha256, row.size = result.document_sha256, size
                    session.add(
                        DocumentSignature(
                            document_id=row.id,
                            kind="countersignature",
                            field_name=PARTICIPANT_FIELD,
                            signer_name=signer_name,
                            certificate_serial=serial,
                            certificate_issuer=issuer,
                            level="B-T",
                            signed_at=now,
                            revision_sha256=result.document_sha256,
                        )
                    )
                row.status = DocumentStatus.FILED
                record_event(
                    session,
                    actor=party.code,
                    agency=document.code.split("-")[0],
                    action="document.participant_confirmed",
                    object_type="document",
                    object_code=row.code,
                    details={"party": party.code, "form": result.form, "sha256": row.sha256},
                )
                record_step(session, key, result.model_dump())

        try:
            await self._in_thread(commit)
        except IntegrityError:
            return ParticipantConfirmed.model_validate(await self._in_thread(self._recorded, key))
        return result

    def _document_and_party(self, args: ParticipantStepArgs) -> tuple[Document, Party]:
        with self._sessions() as session:
            document = session.scalars(
                select(Document).where(Document.code == args.document_code)
            ).one_or_none()
            if document is None:
                raise NotFound(f"no document {args.document_code}", field="document_code")
            request = args.countersign or args.confirmation
            party = session.scalars(
                select(Party).where(
                    Party.code == request.party_code, Party.case_id == document.case_id
                )
            ).one_or_none()
            if party is None:
                raise InvalidInput(
                    f"{request.party_code} is not a party of this case", field="party_code"
                )
            return document, party

    def _confirmation_of(self, document: Document, confirmation_id: int) -> DocumentConfirmation:
        with self._sessions() as session:
            confirmation = session.get(DocumentConfirmation, confirmation_id)
            if confirmation is None or confirmation.document_id != document.id:
                raise InvalidInput("no such confirmation of this document", field="confirmation")
            if confirmation.pdf_sha256 != document.sha256:
                raise InvalidInput(
                    "the confirmation was given for other bytes than the filed document",
                    field="confirmation",
                )
            return confirmation

    @activity.defn(name="record_recipients")
    @domain_errors_as_application_errors
    def record_recipients(self, args: RecordRecipientsArgs) -> list[str]:
        """Who the document goes to; the delivery process takes them from here (art. 9(4))."""
        with transaction(self._sessions) as session:
            return _record_recipients_in(session, args.step.request, args.document_code)

    @activity.defn(name="delivery_recipients")
    @domain_errors_as_application_errors
    def delivery_recipients(self, args: DeliveryRecipientsArgs) -> list[DeliveryRecipient]:
        """The recorded recipients with the facts their delivery route is chosen by (art.
        9(4)), for the deliveries started after issuing; it only reads, so a retry is safe."""
        with self._sessions() as session:
            case = get_case_by_code(session=session, code=args.case_code)
            parties = {
                party.code: party
                for party in session.scalars(
                    select(Party).where(Party.case_id == case.id, Party.code.in_(args.party_codes))
                )
            }
            return [
                DeliveryRecipient(party_code=code, recipient=recipient_facts(parties[code]))
                for code in args.party_codes
                if code in parties
            ]

    @activity.defn(name="mark_confirmation_overdue")
    @domain_errors_as_application_errors
    def mark_confirmation_overdue(self, args: ConfirmationOverdueArgs) -> None:
        key = step_key(args.workflow_id, "confirmation-overdue")
        with transaction(self._sessions) as session:
            if recorded_step(session, key) is not None:
                return
            record_event(
                session,
                actor="system",
                agency=args.document_code.split("-")[0],
                action="document.confirmation_overdue",
                object_type="document",
                object_code=args.document_code,
                details={"workflow": args.workflow_id},
            )
            record_step(session, key, {"at": datetime.now(UTC).isoformat()})

    def activities(self) -> list[Callable[..., Any]]:
        return [
            self.authorize_issue,
            self.authorize_and_render,
            self.render_draft,
            self.sign_official,
            self.register_document,
            self.record_participant_confirmation,
            self.record_recipients,
            self.delivery_recipients,
            self.mark_confirmation_overdue,
        ]

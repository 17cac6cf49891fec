"""Issue a procedural document: who may, what the header says, and filing it with its numbers.

Legal basis: Joint Circular art. 5(1) (only a person with authority signs), art. 10(3) and
13(1) (numbered, registered with an electronic register stamp), CPC art. 132(1).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.access import check_can_read_case
from casefile.audit import record_event
from casefile.codes import AgencyKind, DocumentForm, DocumentStatus, PartyRole, Role, Stage
from casefile.doctypes import DocTypeSpec, format_procedural_number, get_spec, procedural_symbol
from casefile.errors import InvalidInput, NotPermitted
from casefile.filecodes import ExtensionKind, parse_case_code
from casefile.models import Case, Document, DocumentRecipient, Party, User
from casefile.numbering import case_scope, next_numbers
from casefile.status import StatusKind, record_status_change

__all__ = [
    "OFFICIAL_FIELD",
    "PARTICIPANT_FIELD",
    "STAMP_FIELD",
    "IssueAuthority",
    "check_issue_authority",
    "record_issue_refusal",
    "procedural_number_placeholder",
    "reserve_registration",
    "Registration",
    "select_recipients",
    "file_registered_document",
    "record_recipients",
]


OFFICIAL_FIELD = "ChuKyBanHanh"
"""Signature field of the official who issues the document."""
PARTICIPANT_FIELD = "ChuKyDuongSu"
"""Field the certification reserves for the participant's countersignature."""
STAMP_FIELD = "DauVaoSo"
"""Field the certification reserves for the register stamp (a document time-stamp)."""


@dataclass(frozen=True)
class IssueAuthority:
    spec: DocTypeSpec
    agency_kind: AgencyKind


def check_issue_authority(actor: User, case: Case, doc_type: str) -> IssueAuthority:
    """Refuse unless the actor may issue this document type for this case at its stage."""
    check_can_read_case(actor, case)
    spec = get_spec(doc_type)
    agency_kind = AgencyKind(actor.agency.kind)
    if actor.agency_id != case.owner_agency_id:
        raise NotPermitted(
            f"{actor.username} ({actor.agency.code}) does not hold case {case.code}",
            field="case_code",
        )
    if agency_kind not in spec.issuer_agencies:
        raise NotPermitted(
            f"a {agency_kind} does not issue {spec.title!r} ({spec.doc_type})", field="doc_type"
        )
    if not any(Role(role) in spec.issuer_roles for role in actor.roles):
        allowed = ", ".join(sorted(role.value for role in spec.issuer_roles))
        raise NotPermitted(
            f"{actor.username} has none of the roles that issue {spec.doc_type} ({allowed})",
            field="doc_type",
        )
    if Stage(case.stage) not in spec.stages:
        raise NotPermitted(
            f"{spec.doc_type} is not issued at stage {case.stage} of case {case.code}",
            field="doc_type",
        )
    if not actor.signing_key:
        raise NotPermitted(f"{actor.username} has no official signing certificate")
    return IssueAuthority(spec=spec, agency_kind=agency_kind)


def record_issue_refusal(
    session: Session, *, actor: User, case_code: str, doc_type: str, reason: str
) -> None:
    """Log a refused issuance (Joint Circular art. 17(2)(e): permission violations are logged)."""
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action="document.issue_refused",
        object_type="case",
        object_code=case_code,
        details={"doc_type": doc_type, "reason": reason},
    )


def procedural_number_placeholder(spec: DocTypeSpec, agency_kind: AgencyKind, year: int) -> str:
    """What the header shows before registration: dots where the number goes (Decree 30
    practice: the number is given when the signed document is registered)."""
    example = format_procedural_number(1, spec.doc_type, agency_kind, year=year)
    return "......" + example[example.index("/") :]


@dataclass(frozen=True)
class Registration:
    document_code: str
    number: int
    procedural_number: str
    first_record: int
    last_record: int


def reserve_registration(
    session: Session,
    *,
    case: Case,
    spec: DocTypeSpec,
    agency_kind: AgencyKind,
    year: int,
    page_count: int,
    agency_code: str,
) -> Registration:
    """Take the procedural number, the document number and the record numbers, in the
    caller's transaction: they are kept only if the document row commits with them."""
    symbol = procedural_symbol(spec.doc_type, agency_kind)
    # numbers restart every year per agency and symbol, whether or not the year is printed
    serial = next_numbers(session, f"procedural:{agency_code}:{symbol}:{year}")
    number = next_numbers(session, case_scope(case.id, "document"))
    first = next_numbers(session, case_scope(case.id, "record"), page_count)
    return Registration(
        document_code=str(parse_case_code(case.code).extend(ExtensionKind.DOCUMENT, number)),
        number=number,
        procedural_number=format_procedural_number(serial, spec.doc_type, agency_kind, year=year),
        first_record=first,
        last_record=first + page_count - 1,
    )


def file_registered_document(
    session: Session,
    *,
    actor: User,
    case: Case,
    spec: DocTypeSpec,
    registration: Registration,
    sha256: str,
    size: int,
    page_count: int,
    status: DocumentStatus,
    workflow_id: str,
    registered_at: datetime,
) -> Document:
    document = Document(
        case_id=case.id,
        number=registration.number,
        code=registration.document_code,
        doc_type=spec.doc_type.value,
        title=spec.full_title,
        form=DocumentForm.ELECTRONIC,
        status=status,
        secrecy=case.secrecy,
        sha256=sha256,
        size=size,
        page_count=page_count,
        first_record=registration.first_record,
        last_record=registration.last_record,
        procedural_number=registration.procedural_number,
        created_at=registered_at,
        registered_at=registered_at,
        created_by_id=actor.id,
        workflow_id=workflow_id,
        request_key=f"{workflow_id}:document",
    )
    session.add(document)
    session.flush()
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action="document.issued",
        object_type="document",
        object_code=document.code,
        details={
            "case": case.code,
            "doc_type": spec.doc_type.value,
            "procedural_number": registration.procedural_number,
            "records": [registration.first_record, registration.last_record],
            "sha256": sha256,
        },
        occurred_at=registered_at,
    )
    record_status_change(
        session,
        agency_code=actor.agency.code,
        case_code=case.code,
        kind=StatusKind.DOCUMENT,
        status="registered",
        subject_code=document.code,
        occurred_at=registered_at,
    )
    return document


def select_recipients(
    session: Session, *, case: Case, spec: DocTypeSpec, party_codes: Sequence[str]
) -> list[Party]:
    """The parties the document goes to: those named, else those the document type names."""
    parties = session.scalars(select(Party).where(Party.case_id == case.id)).all()
    if party_codes:
        by_code = {party.code: party for party in parties}
        unknown = [code for code in party_codes if code not in by_code]
        if unknown:
            raise InvalidInput(
                f"not parties of case {case.code}: {', '.join(unknown)}", field="recipients"
            )
        return [by_code[code] for code in party_codes]
    return [p for p in parties if PartyRole(p.role) in spec.recipient_parties]


def record_recipients(
    session: Session, *, document: Document, parties: Sequence[Party], now: datetime
) -> list[DocumentRecipient]:
    existing = {
        r.party_id
        for r in session.scalars(
            select(DocumentRecipient).where(DocumentRecipient.document_id == document.id)
        )
    }
    added = []
    for party in parties:
        if party.id in existing:
            continue  # a retry finds the rows of the first run
        recipient = DocumentRecipient(document_id=document.id, party_id=party.id, created_at=now)
        session.add(recipient)
        added.append(recipient)
    session.flush()
    return added

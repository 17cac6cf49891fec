"""Participants and their counsel read and copy documents of the file through their account.

Legal basis: Joint Circular art. 15(2) (reading, recording and copying through an electronic
identity or transaction account, monitored, logged and counted), art. 14(2) and 17(1)(đ)
(every access logged), art. 17(2)(e) (refused access is monitored).

An account reads a document delivered to a party it stands for (the party itself, or counsel
an officer linked to the party), or shared with that party by an officer, within the
account's clearance. Everything else answers exactly as a document that does not exist
(NotFound), and the refused attempt is logged in a transaction of its own. Every read, view,
copy and download is an audit event; the counts shown to participants and officers are
counted from those events, so they cannot disagree with the log.
"""

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.access import check_can_read_case, check_participant_account
from casefile.audit import record_event
from casefile.blobstore import BlobStore
from casefile.codes import SecrecyLevel
from casefile.db import SessionFactory, transaction
from casefile.errors import InvalidCode, NotFound
from casefile.filecodes import ExtensionKind, parse_case_code, parse_extended_code
from casefile.models import Case, Document, User
from casefile.repositories.cases import get_case_by_code, list_documents
from casefile.repositories.participants import (
    AccessCount,
    Standing,
    access_counts,
    readable_documents,
    standings_of,
    users_by_username,
)
from casefile.signing.pades import format_vn_time
from casefile.signing.watermark import watermark_copy

__all__ = [
    "AccessKind",
    "AccessSummary",
    "ParticipantCase",
    "ParticipantDocument",
    "COUNTED_KINDS",
    "REFUSED_ACTIONS",
    "action_of",
    "copy_participant_document",
    "copy_watermark_text",
    "kind_of_action",
    "list_participant_cases",
    "list_participant_documents",
    "participant_access_summary",
    "read_participant_document",
    "take_participant_document",
]


class AccessKind(StrEnum):
    """What a participant did with a document (the audit action is ``action_of(kind)``)."""

    READ = "read"  # its description: title, numbers, dates
    VIEW = "view"  # the PDF shown in the browser
    COPY = "copy"  # a copy watermarked with who took it and when
    DOWNLOAD = "download"  # the signed original, byte for byte


COUNTED_KINDS = (AccessKind.VIEW, AccessKind.COPY, AccessKind.DOWNLOAD)
"""The kinds counted for the statistics of art. 15(2)."""

_ACTIONS = {
    AccessKind.READ: "document.participant_read",
    AccessKind.VIEW: "document.participant_viewed",
    AccessKind.COPY: "document.participant_copied",
    AccessKind.DOWNLOAD: "document.participant_downloaded",
}
_KINDS = {action: kind for kind, action in _ACTIONS.items()}
REFUSED_DOCUMENT = "document.participant_refused"
REFUSED_CASE = "case.participant_refused"
REFUSED_ACTIONS = (REFUSED_DOCUMENT, REFUSED_CASE)


def action_of(kind: AccessKind) -> str:
    return _ACTIONS[kind]


@dataclass(frozen=True)
class ParticipantDocument:
    document: Document
    case: Case
    standing: Standing
    """The standing through which the account reads it."""
    counts: Mapping[AccessKind, int]
    """The account's own views, copies and downloads of it."""


@dataclass(frozen=True)
class ParticipantCase:
    case: Case
    standings: Sequence[Standing]
    documents: Sequence[ParticipantDocument]


@contextmanager
def _refusal_logged(
    sessions: SessionFactory, actor: User, *, object_type: str, code: str, kind: str
) -> Iterator[None]:
    """Log a refused attempt in a transaction of its own (the request's rolls back), then
    let the NotFound through unchanged: no hint that the object exists."""
    try:
        yield
    except NotFound:
        with transaction(sessions) as session:
            record_event(
                session,
                actor=actor.username,
                agency=actor.agency.code,
                action=REFUSED_DOCUMENT if object_type == "document" else REFUSED_CASE,
                object_type=object_type,
                object_code=code,
                details={"kind": kind},
            )
        raise


def _check_code(code: str, kind: ExtensionKind | None) -> None:
    """A mistyped code is a 422 naming the field (before anything is looked up or logged)."""
    try:
        if kind is None:
            parse_case_code(code)
        else:
            parse_extended_code(code, kind)
    except InvalidCode as invalid:
        invalid.field = "code"
        raise


def _own_counts(
    session: Session, actor: User, codes: Sequence[str]
) -> dict[str, dict[AccessKind, int]]:
    counts: dict[str, dict[AccessKind, int]] = {
        code: dict.fromkeys(COUNTED_KINDS, 0) for code in codes
    }
    if not codes:
        return counts
    for row in access_counts(
        session=session,
        actions=[_ACTIONS[kind] for kind in COUNTED_KINDS],
        object_codes=codes,
        actor=actor.username,
    ):
        counts[row.object_code][_KINDS[row.action]] = row.count
    return counts


def _find(session: Session, actor: User, code: str) -> tuple[Document, Case, Standing]:
    """The document, if the account may read it; NotFound otherwise, whatever the reason."""
    document = session.scalars(select(Document).where(Document.code == code)).one_or_none()
    if document is not None:
        standings = standings_of(session=session, user=actor, case_id=document.case_id)
        readable = readable_documents(
            session=session,
            standings=standings,
            clearance=SecrecyLevel(actor.clearance),
            document_ids=[document.id],
        )
        if readable:
            return document, session.get(Case, document.case_id), readable[0][1]
    raise NotFound(f"no document {code}", field="code")


def _log(
    session: Session,
    actor: User,
    kind: AccessKind,
    document: Document,
    standing: Standing,
    occurred_at: datetime | None = None,
    **details: object,
) -> None:
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action=_ACTIONS[kind],
        object_type="document",
        object_code=document.code,
        details={
            "party": standing.party.code,
            "capacity": standing.capacity,
            "sha256": document.sha256,
            **details,
        },
        occurred_at=occurred_at,
    )


def list_participant_cases(sessions: SessionFactory, *, actor: User) -> list[ParticipantCase]:
    """The cases the account stands in, each with the documents it may read (logged)."""
    check_participant_account(actor)
    with transaction(sessions) as session:
        standings = standings_of(session=session, user=actor)
        by_case: dict[int, list[Standing]] = {}
        for standing in standings:
            by_case.setdefault(standing.party.case_id, []).append(standing)
        readable = readable_documents(
            session=session, standings=standings, clearance=SecrecyLevel(actor.clearance)
        )
        counts = _own_counts(session, actor, [document.code for document, _ in readable])
        cases = session.scalars(
            select(Case).where(Case.id.in_(by_case)).order_by(Case.opened_at.desc(), Case.id)
        ).all()
        record_event(
            session,
            actor=actor.username,
            agency=actor.agency.code,
            action="participant.cases_listed",
            object_type="user",
            object_code=actor.username,
            details={"cases": [case.code for case in cases]},
        )
        return [
            ParticipantCase(
                case,
                by_case[case.id],
                [
                    ParticipantDocument(document, case, standing, counts[document.code])
                    for document, standing in readable
                    if document.case_id == case.id
                ],
            )
            for case in cases
        ]


def list_participant_documents(
    sessions: SessionFactory, *, actor: User, case_code: str
) -> ParticipantCase:
    """One case the account stands in, with the documents it may read (logged)."""
    check_participant_account(actor)
    _check_code(case_code, None)
    with _refusal_logged(sessions, actor, object_type="case", code=case_code, kind="read"):
        with transaction(sessions) as session:
            case = session.scalars(select(Case).where(Case.code == case_code)).one_or_none()
            standings = standings_of(session=session, user=actor, case_id=case.id) if case else []
            if case is None or not standings:
                raise NotFound(f"no case {case_code}", field="code")
            readable = readable_documents(
                session=session,
                standings=standings,
                clearance=SecrecyLevel(actor.clearance),
                case_id=case.id,
            )
            counts = _own_counts(session, actor, [document.code for document, _ in readable])
            record_event(
                session,
                actor=actor.username,
                agency=actor.agency.code,
                action="case.participant_read",
                object_type="case",
                object_code=case.code,
                details={"parties": sorted({s.party.code for s in standings})},
            )
            return ParticipantCase(
                case,
                standings,
                [
                    ParticipantDocument(document, case, standing, counts[document.code])
                    for document, standing in readable
                ],
            )


def read_participant_document(
    sessions: SessionFactory, *, actor: User, code: str
) -> ParticipantDocument:
    """The document's description (logged as a read, not counted)."""
    check_participant_account(actor)
    _check_code(code, ExtensionKind.DOCUMENT)
    with _refusal_logged(sessions, actor, object_type="document", code=code, kind="read"):
        with transaction(sessions) as session:
            document, case, standing = _find(session, actor, code)
            _log(session, actor, AccessKind.READ, document, standing)
            counts = _own_counts(session, actor, [code])[code]
            return ParticipantDocument(document, case, standing, counts)


def take_participant_document(
    sessions: SessionFactory, *, actor: User, code: str, kind: AccessKind, blobs: BlobStore
) -> tuple[ParticipantDocument, bytes]:
    """The filed bytes (hash-verified) to view or download, logged and counted."""
    if kind not in (AccessKind.VIEW, AccessKind.DOWNLOAD):
        raise ValueError(f"{kind} is not a view or a download")
    check_participant_account(actor)
    _check_code(code, ExtensionKind.DOCUMENT)
    with _refusal_logged(sessions, actor, object_type="document", code=code, kind=kind):
        with transaction(sessions) as session:
            document, case, standing = _find(session, actor, code)
            data = blobs.get(document.sha256)
            _log(session, actor, kind, document, standing)
            counts = _own_counts(session, actor, [code])[code]
            return ParticipantDocument(document, case, standing, counts), data


def copy_watermark_text(
    *, actor: User, standing: Standing, document: Document, taken_at: datetime
) -> str:
    """What a copy says about itself: who took it, in what capacity, when, and which
    signed original it was copied from (its SHA-256, to verify the copy's first revision)."""
    return (
        f"BẢN SAO do {actor.full_name} ({standing.label}) sao lúc {format_vn_time(taken_at)}, "
        f"tài khoản {actor.username}\n"
        f"Sao từ tài liệu {document.code}; bản gốc có chữ ký số, SHA-256 {document.sha256}"
    )


def copy_participant_document(
    sessions: SessionFactory,
    *,
    actor: User,
    code: str,
    blobs: BlobStore,
    font_file: Path,
) -> tuple[ParticipantDocument, bytes]:
    """A copy watermarked on every page with who took it and when; the stored original is
    untouched. CPU-bound (0.1 s and more): call it from a worker thread.

    The watermark is made outside any transaction (no lock held meanwhile); access is checked
    again when the copy is logged, so a share ended in between yields no copy."""
    check_participant_account(actor)
    _check_code(code, ExtensionKind.DOCUMENT)
    with _refusal_logged(sessions, actor, object_type="document", code=code, kind="copy"):
        with transaction(sessions) as session:
            document, _, standing = _find(session, actor, code)
            original = blobs.get(document.sha256)
        taken_at = datetime.now(UTC)
        text = copy_watermark_text(
            actor=actor, standing=standing, document=document, taken_at=taken_at
        )
        copy = watermark_copy(original, text, font_file=font_file)
        with transaction(sessions) as session:
            document, case, standing = _find(session, actor, code)
            _log(
                session,
                actor,
                AccessKind.COPY,
                document,
                standing,
                occurred_at=taken_at,
                copy_sha256=hashlib.sha256(copy).hexdigest(),
            )
            counts = _own_counts(session, actor, [code])[code]
            return ParticipantDocument(document, case, standing, counts), copy


@dataclass(frozen=True)
class AccessSummary:
    """The statistics of art. 15(2) for one case, from the audit log."""

    case: Case
    counts: Sequence[AccessCount]
    """Views, copies and downloads per document, per account, per action."""
    refused: Sequence[AccessCount]
    """Refused attempts on the case's codes (a document of it, or the case), per account."""
    people: Mapping[str, User]


def kind_of_action(action: str) -> AccessKind:
    return _KINDS[action]


def participant_access_summary(session: Session, *, actor: User, case_code: str) -> AccessSummary:
    """For the officers of the owning agency (logged as a read of the case)."""
    case = get_case_by_code(session=session, code=case_code)
    check_can_read_case(actor, case)
    codes = [document.code for document in list_documents(session=session, case=case)]
    counts = access_counts(
        session=session, actions=[_ACTIONS[kind] for kind in COUNTED_KINDS], object_codes=codes
    )
    refused = [
        *access_counts(
            session=session, actions=[REFUSED_DOCUMENT], object_code_prefix=f"{case.code}-D"
        ),
        *access_counts(session=session, actions=[REFUSED_CASE], object_codes=[case.code]),
    ]
    people = users_by_username(
        session=session, usernames={row.actor for row in [*counts, *refused]}
    )
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action="case.participant_access_read",
        object_type="case",
        object_code=case.code,
    )
    return AccessSummary(case, counts, refused, people)

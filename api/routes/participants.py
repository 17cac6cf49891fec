"""Participants and counsel read and copy documents of the file through their account; the
officers of the owning agency link counsel, share documents and see the statistics.

Legal basis: Joint Circular art. 15(2), 14(2), 17(1)(đ), 17(2)(e).

Every handler is a plain ``def``: FastAPI runs it in a worker thread, so the database work
and the watermark (CPU) stay off the event loop.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from api.deps import BlobsDep, CurrentActor, SessionDep, SessionFactoryDep
from api.schemas import (
    AccessCountsPublic,
    CounselLinkCreate,
    CounselLinkPublic,
    DocumentShareCreate,
    DocumentSharePublic,
    ParticipantAccessPublic,
    ParticipantAccessRow,
    ParticipantCasePublic,
    ParticipantDocumentPublic,
    StandingPublic,
)
from casefile.codes import PartyRole
from casefile.models import CounselLink, DocumentShare, Party, User
from casefile.repositories.cases import get_case_by_code
from casefile.repositories.participants import Standing
from casefile.usecases.link_counsel import link_counsel, list_counsel, unlink_counsel
from casefile.usecases.read_as_participant import (
    AccessKind,
    ParticipantCase,
    ParticipantDocument,
    copy_participant_document,
    kind_of_action,
    list_participant_cases,
    list_participant_documents,
    participant_access_summary,
    read_participant_document,
    take_participant_document,
)
from casefile.usecases.share_document import list_shares, share_document, unshare_document

router = APIRouter(prefix="/api/v1", tags=["participants"])

CodePath = Annotated[str, Path(min_length=5, max_length=80)]
PDF = {200: {"content": {"application/pdf": {}}}}


# --- the participant's side --------------------------------------------------------------


def _standing(standing: Standing) -> StandingPublic:
    return StandingPublic(
        party_code=standing.party.code,
        party_role=PartyRole(standing.party.role),
        capacity=standing.capacity,
        capacity_label=standing.label,
    )


def _document(found: ParticipantDocument) -> ParticipantDocumentPublic:
    document = found.document
    return ParticipantDocumentPublic(
        code=document.code,
        case_code=found.case.code,
        doc_type=document.doc_type,
        title=document.title,
        procedural_number=document.procedural_number,
        first_record=document.first_record,
        last_record=document.last_record,
        page_count=document.page_count,
        sha256=document.sha256,
        size=document.size,
        registered_at=document.registered_at,
        through=_standing(found.standing),
        my_access=AccessCountsPublic(
            views=found.counts[AccessKind.VIEW],
            copies=found.counts[AccessKind.COPY],
            downloads=found.counts[AccessKind.DOWNLOAD],
        ),
    )


def _case(found: ParticipantCase) -> ParticipantCasePublic:
    return ParticipantCasePublic(
        code=found.case.code,
        agency_code=found.case.owner_agency.code,
        agency_name=found.case.owner_agency.name,
        stage=found.case.stage,
        standings=[_standing(s) for s in found.standings],
        documents=[_document(d) for d in found.documents],
    )


def _pdf(data: bytes, filename: str, disposition: str, etag: str | None = None) -> Response:
    headers = {
        "Content-Disposition": f'{disposition}; filename="{filename}"',
        "Cache-Control": "no-store",  # a personal copy: no shared cache keeps it
        "X-Content-Type-Options": "nosniff",
    }
    if etag:
        headers["ETag"] = f'"{etag}"'
    return Response(data, media_type="application/pdf", headers=headers)


@router.get("/participant/cases")
def list_my_cases(actor: CurrentActor, sessions: SessionFactoryDep) -> list[ParticipantCasePublic]:
    """The cases the account stands in (as the party or as counsel), with the documents it
    may read and its own counts of views, copies and downloads (logged)."""
    return [_case(found) for found in list_participant_cases(sessions, actor=actor)]


@router.get("/participant/cases/{code}")
def read_my_case(
    code: CodePath, actor: CurrentActor, sessions: SessionFactoryDep
) -> ParticipantCasePublic:
    """One case the account stands in; 404 (logged) for any other."""
    return _case(list_participant_documents(sessions, actor=actor, case_code=code))


@router.get("/participant/documents/{code}")
def read_my_document(
    code: CodePath, actor: CurrentActor, sessions: SessionFactoryDep
) -> ParticipantDocumentPublic:
    """A document delivered to or shared with the account's party; 404 (logged) otherwise,
    exactly as for a document that does not exist."""
    return _document(read_participant_document(sessions, actor=actor, code=code))


@router.get("/participant/documents/{code}/content", response_class=Response, responses=PDF)
def view_my_document(
    code: CodePath, actor: CurrentActor, sessions: SessionFactoryDep, blobs: BlobsDep
) -> Response:
    """The PDF to show in the browser (a view: logged and counted)."""
    found, data = take_participant_document(
        sessions, actor=actor, code=code, kind=AccessKind.VIEW, blobs=blobs
    )
    return _pdf(data, f"{found.document.code}.pdf", "inline", found.document.sha256)


@router.get("/participant/documents/{code}/copy", response_class=Response, responses=PDF)
def copy_my_document(
    code: CodePath,
    request: Request,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    blobs: BlobsDep,
) -> Response:
    """A copy watermarked on every page with who took it, in what capacity and when (Asia/
    Ho_Chi_Minh time), added as an incremental update after the signed original (logged
    with the copy's SHA-256, and counted)."""
    found, data = copy_participant_document(
        sessions,
        actor=actor,
        code=code,
        blobs=blobs,
        font_file=request.app.state.signing.env.font_file,
    )
    return _pdf(data, f"{found.document.code}-ban-sao.pdf", "attachment")


@router.get("/participant/documents/{code}/download", response_class=Response, responses=PDF)
def download_my_document(
    code: CodePath, actor: CurrentActor, sessions: SessionFactoryDep, blobs: BlobsDep
) -> Response:
    """The signed original, byte for byte, to validate elsewhere (logged and counted)."""
    found, data = take_participant_document(
        sessions, actor=actor, code=code, kind=AccessKind.DOWNLOAD, blobs=blobs
    )
    return _pdf(data, f"{found.document.code}.pdf", "attachment", found.document.sha256)


# --- the officers' side ------------------------------------------------------------------


def _username(session, user_id: int | None) -> str | None:
    return session.get(User, user_id).username if user_id is not None else None


def _link(session, link: CounselLink, counsel: User, party_code: str) -> CounselLinkPublic:
    return CounselLinkPublic(
        id=link.id,
        party_code=party_code,
        counsel_username=counsel.username,
        counsel_full_name=counsel.full_name,
        capacity=link.capacity,
        active=link.unlinked_at is None,
        linked_at=link.linked_at,
        linked_by=_username(session, link.linked_by_id),
        unlinked_at=link.unlinked_at,
        unlinked_by=_username(session, link.unlinked_by_id),
    )


@router.post("/cases/{code}/parties/{party_code}/counsel", status_code=status.HTTP_201_CREATED)
def link_party_counsel(
    code: CodePath,
    party_code: CodePath,
    body: CounselLinkCreate,
    actor: CurrentActor,
    session: SessionDep,
) -> CounselLinkPublic:
    """Link a participant's account (found by its national ID) as the party's defence counsel
    or legal representative: it then reads what the party reads (logged)."""
    case = get_case_by_code(session=session, code=code)
    link, counsel = link_counsel(
        session,
        actor=actor,
        case=case,
        party_code=party_code,
        national_id=body.national_id,
        capacity=PartyRole(body.capacity),
        at=datetime.now(UTC),
    )
    return _link(session, link, counsel, party_code)


@router.get("/cases/{code}/parties/{party_code}/counsel")
def list_party_counsel(
    code: CodePath, party_code: CodePath, actor: CurrentActor, session: SessionDep
) -> list[CounselLinkPublic]:
    """The party's counsel links, ended ones included."""
    case = get_case_by_code(session=session, code=code)
    return [
        _link(session, link, counsel, party_code)
        for link, counsel in list_counsel(session, actor=actor, case=case, party_code=party_code)
    ]


@router.delete("/cases/{code}/parties/{party_code}/counsel/{link_id}")
def unlink_party_counsel(
    code: CodePath, party_code: CodePath, link_id: int, actor: CurrentActor, session: SessionDep
) -> CounselLinkPublic:
    """End a counsel link: the account no longer reads the party's documents (logged)."""
    case = get_case_by_code(session=session, code=code)
    link, counsel = unlink_counsel(
        session,
        actor=actor,
        case=case,
        party_code=party_code,
        link_id=link_id,
        at=datetime.now(UTC),
    )
    return _link(session, link, counsel, party_code)


def _share(session, share: DocumentShare, party: Party, code: str) -> DocumentSharePublic:
    return DocumentSharePublic(
        document_code=code,
        party_code=party.code,
        party_full_name=party.full_name,
        active=share.unshared_at is None,
        shared_at=share.shared_at,
        shared_by=_username(session, share.shared_by_id),
        unshared_at=share.unshared_at,
        unshared_by=_username(session, share.unshared_by_id),
    )


@router.post("/documents/{code}/shares", status_code=status.HTTP_201_CREATED)
def share_with_party(
    code: CodePath, body: DocumentShareCreate, actor: CurrentActor, session: SessionDep
) -> DocumentSharePublic:
    """Let a party (and their counsel) read and copy a document that was not delivered to
    them (logged; classified documents are refused)."""
    share, party = share_document(
        session, actor=actor, code=code, party_code=body.party_code, at=datetime.now(UTC)
    )
    return _share(session, share, party, code)


@router.get("/documents/{code}/shares")
def list_document_shares(
    code: CodePath, actor: CurrentActor, session: SessionDep
) -> list[DocumentSharePublic]:
    """The document's shares, ended ones included."""
    return [
        _share(session, share, party, code)
        for share, party in list_shares(session, actor=actor, code=code)
    ]


@router.delete("/documents/{code}/shares/{party_code}")
def unshare_with_party(
    code: CodePath, party_code: CodePath, actor: CurrentActor, session: SessionDep
) -> DocumentSharePublic:
    """End a share: the party no longer reads the document unless it was delivered (logged)."""
    share, party = unshare_document(
        session, actor=actor, code=code, party_code=party_code, at=datetime.now(UTC)
    )
    return _share(session, share, party, code)


@router.get("/cases/{code}/participant-access")
def read_participant_access(
    code: CodePath, actor: CurrentActor, session: SessionDep
) -> ParticipantAccessPublic:
    """Views, copies and downloads of the case's documents by participants and counsel, per
    document, account and kind, and the refused attempts (art. 15(2), 17(2)(e); logged)."""
    summary = participant_access_summary(session, actor=actor, case_code=code)

    def row(count, kind: str) -> ParticipantAccessRow:
        person = summary.people.get(count.actor)
        return ParticipantAccessRow(
            object_code=count.object_code,
            username=count.actor,
            full_name=person.full_name if person else "",
            kind=kind,
            count=count.count,
            last_at=count.last_at,
        )

    return ParticipantAccessPublic(
        case_code=summary.case.code,
        counts=[row(c, kind_of_action(c.action).value) for c in summary.counts],
        refused=[row(c, "refused") for c in summary.refused],
    )

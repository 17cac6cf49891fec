"""Share a document of the file with a party (and so with the party's counsel) without
delivering it, or end the share.

Legal basis: Joint Circular art. 4(4) (sharing approved by a competent officer and logged),
art. 14(1) (state secrets are not shared), art. 15(2) (participants read and copy documents
of the file through their account).
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.access import check_can_edit_case
from casefile.audit import record_event
from casefile.codes import SecrecyLevel
from casefile.errors import NotFound, NotPermitted
from casefile.models import Document, DocumentShare, Party, User
from casefile.repositories.participants import get_party_of_case
from casefile.usecases.read_document import get_document_for

__all__ = ["list_shares", "share_document", "unshare_document"]


def _log(session: Session, actor: User, action: str, document: Document, party: Party) -> None:
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action=action,
        object_type="document",
        object_code=document.code,
        details={"party": party.code},
    )


def share_document(
    session: Session, *, actor: User, code: str, party_code: str, at: datetime
) -> tuple[DocumentShare, Party]:
    """Make the document readable to the party; sharing again an active share changes
    nothing, a share that had ended is reopened. Only an officer of the owning agency who
    may change the file shares, and never a classified document."""
    document, case = get_document_for(session, actor=actor, code=code)
    check_can_edit_case(actor, case)
    if SecrecyLevel(document.secrecy) is not SecrecyLevel.UNCLASSIFIED:
        raise NotPermitted(
            f"{document.code} is classified {document.secrecy}: it is not shared with "
            "participants (Joint Circular art. 14(1))",
            field="code",
        )
    party = get_party_of_case(session=session, case=case, code=party_code)
    share = session.scalars(
        select(DocumentShare).where(
            DocumentShare.document_id == document.id, DocumentShare.party_id == party.id
        )
    ).one_or_none()
    if share is not None and share.unshared_at is None:
        return share, party
    if share is None:
        share = DocumentShare(document_id=document.id, party_id=party.id)
        session.add(share)
    share.shared_by_id, share.shared_at = actor.id, at
    share.unshared_by_id, share.unshared_at = None, None
    session.flush()
    _log(session, actor, "document.shared", document, party)
    return share, party


def unshare_document(
    session: Session, *, actor: User, code: str, party_code: str, at: datetime
) -> tuple[DocumentShare, Party]:
    """End the share: the party no longer reads the document unless it was delivered."""
    document, case = get_document_for(session, actor=actor, code=code)
    check_can_edit_case(actor, case)
    party = get_party_of_case(session=session, case=case, code=party_code)
    share = session.scalars(
        select(DocumentShare).where(
            DocumentShare.document_id == document.id,
            DocumentShare.party_id == party.id,
            DocumentShare.unshared_at.is_(None),
        )
    ).one_or_none()
    if share is None:
        raise NotFound(f"{document.code} is not shared with {party.code}", field="party_code")
    share.unshared_by_id, share.unshared_at = actor.id, at
    session.flush()
    _log(session, actor, "document.unshared", document, party)
    return share, party


def list_shares(
    session: Session, *, actor: User, code: str
) -> Sequence[tuple[DocumentShare, Party]]:
    """Every share of the document, ended ones included, oldest first."""
    document, _ = get_document_for(session, actor=actor, code=code)
    rows = session.execute(
        select(DocumentShare, Party)
        .join(Party, Party.id == DocumentShare.party_id)
        .where(DocumentShare.document_id == document.id)
        .order_by(DocumentShare.id)
    ).all()
    return [(share, party) for share, party in rows]

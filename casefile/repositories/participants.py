"""What a participant's account stands for in a case, what it may read, and how often it
did (Joint Circular art. 15(2))."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casefile.access import DELIVERED_TO_PARTY
from casefile.codes import PartyRole, SecrecyLevel
from casefile.doctypes import PARTY_ROLE_LABELS
from casefile.errors import InvalidCode, NotFound
from casefile.filecodes import ExtensionKind, parse_extended_code
from casefile.models import (
    AuditEvent,
    Case,
    CounselLink,
    Document,
    DocumentRecipient,
    DocumentShare,
    Party,
    User,
)

__all__ = [
    "AccessCount",
    "Standing",
    "access_counts",
    "get_party_of_case",
    "readable_documents",
    "standings_of",
    "users_by_username",
]


@dataclass(frozen=True)
class Standing:
    """Why an account may act in a case: it is the party (same national ID or electronic
    account), or an officer linked it as the party's counsel."""

    party: Party
    counsel: CounselLink | None = None

    @property
    def capacity(self) -> str:
        """``party``, or the counsel capacity (``defence_counsel``, ``legal_representative``)."""
        return "party" if self.counsel is None else self.counsel.capacity

    @property
    def label(self) -> str:
        """The capacity as people read it: "bị can" for the party, "người bào chữa của bị can
        Đặng Quốc Khánh" for counsel."""
        role = PARTY_ROLE_LABELS[PartyRole(self.party.role)]
        if self.counsel is None:
            return role
        counsel = PARTY_ROLE_LABELS[PartyRole(self.counsel.capacity)]
        return f"{counsel} của {role} {self.party.full_name}"


def standings_of(*, session: Session, user: User, case_id: int | None = None) -> list[Standing]:
    """The account's standings, in one case or in all; an account with neither a national ID
    nor an electronic account is nobody's party."""
    pairs = ((Party.national_id, user.national_id), (Party.e_account, user.e_account))
    identity = [column == value for column, value in pairs if value]
    own: Sequence[Party] = []
    if identity:
        query = select(Party).where(or_(*identity))
        if case_id is not None:
            query = query.where(Party.case_id == case_id)
        own = session.scalars(query.order_by(Party.case_id, Party.number)).all()
    represented = select(Party, CounselLink).join(CounselLink, CounselLink.party_id == Party.id)
    represented = represented.where(
        CounselLink.counsel_user_id == user.id, CounselLink.unlinked_at.is_(None)
    )
    if case_id is not None:
        represented = represented.where(Party.case_id == case_id)
    linked = session.execute(represented.order_by(Party.case_id, Party.number)).all()
    return [Standing(party) for party in own] + [Standing(party, link) for party, link in linked]


def readable_documents(
    *,
    session: Session,
    standings: Sequence[Standing],
    clearance: SecrecyLevel,
    document_ids: Iterable[int] | None = None,
    case_id: int | None = None,
) -> list[tuple[Document, Standing]]:
    """Documents delivered to or shared with one of the standings' parties, within the
    account's clearance, each with the first standing that grants it (in file order)."""
    by_party = {}
    for standing in standings:
        by_party.setdefault(standing.party.id, standing)
    if not by_party:
        return []
    delivered = select(DocumentRecipient.document_id, DocumentRecipient.party_id).where(
        DocumentRecipient.party_id.in_(by_party),
        DocumentRecipient.status.in_([status.value for status in DELIVERED_TO_PARTY]),
    )
    shared = select(DocumentShare.document_id, DocumentShare.party_id).where(
        DocumentShare.party_id.in_(by_party), DocumentShare.unshared_at.is_(None)
    )
    if document_ids is not None:
        ids = list(document_ids)
        delivered = delivered.where(DocumentRecipient.document_id.in_(ids))
        shared = shared.where(DocumentShare.document_id.in_(ids))
    grants: dict[int, Standing] = {}
    for document_id, party_id in [*session.execute(delivered), *session.execute(shared)]:
        grants.setdefault(document_id, by_party[party_id])
    if not grants:
        return []
    query = select(Document).where(Document.id.in_(grants))
    if case_id is not None:
        query = query.where(Document.case_id == case_id)
    documents = session.scalars(query.order_by(Document.case_id, Document.number)).all()
    return [
        (document, grants[document.id])
        for document in documents
        if clearance.permits(SecrecyLevel(document.secrecy))
    ]


@dataclass(frozen=True)
class AccessCount:
    """How many times one account did one kind of access to one document (from the log)."""

    object_code: str
    actor: str
    action: str
    count: int
    last_at: datetime


def access_counts(
    *,
    session: Session,
    actions: Iterable[str],
    object_codes: Iterable[str] | None = None,
    object_code_prefix: str | None = None,
    actor: str | None = None,
) -> list[AccessCount]:
    """Count audit events per object, actor and action: the statistics of art. 15(2) are
    read from the log itself, so they can never disagree with it."""
    query = select(
        AuditEvent.object_code,
        AuditEvent.actor,
        AuditEvent.action,
        func.count(),
        func.max(AuditEvent.occurred_at),
    ).where(AuditEvent.action.in_(list(actions)))
    if object_codes is not None:
        query = query.where(AuditEvent.object_code.in_(list(object_codes)))
    if object_code_prefix is not None:
        # codes are URL-safe (letters, digits, hyphens): nothing to escape in LIKE
        query = query.where(AuditEvent.object_code.like(f"{object_code_prefix}%"))
    if actor is not None:
        query = query.where(AuditEvent.actor == actor)
    rows = session.execute(
        query.group_by(AuditEvent.object_code, AuditEvent.actor, AuditEvent.action).order_by(
            AuditEvent.object_code, AuditEvent.actor, AuditEvent.action
        )
    ).all()
    return [AccessCount(code, who, action, count, last) for code, who, action, count, last in rows]


def users_by_username(*, session: Session, usernames: Iterable[str]) -> dict[str, User]:
    names = set(usernames)
    if not names:
        return {}
    return {u.username: u for u in session.scalars(select(User).where(User.username.in_(names)))}


def get_party_of_case(*, session: Session, case: Case, code: str) -> Party:
    """A party of this case by its code; a mistyped code raises InvalidCode first."""
    try:
        parse_extended_code(code, ExtensionKind.PARTY)
    except InvalidCode as invalid:
        invalid.field = "party_code"
        raise
    party = session.scalars(
        select(Party).where(Party.code == code, Party.case_id == case.id)
    ).one_or_none()
    if party is None:
        raise NotFound(f"no party {code} in case {case.code}", field="party_code")
    return party

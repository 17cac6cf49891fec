"""Link a participant's account as counsel of a party, so it reads what the party reads.

Legal basis: Joint Circular art. 15(2); CPC art. 72-78 (defence counsel), 84-85 (legal
representatives and protectors of the parties' interests).
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.access import COUNSEL_CAPACITIES, check_can_edit_case, check_can_read_case
from casefile.audit import record_event
from casefile.codes import PartyRole, Role
from casefile.errors import InvalidInput, NotFound
from casefile.models import Case, CounselLink, Party, User
from casefile.repositories.participants import get_party_of_case

__all__ = ["link_counsel", "list_counsel", "unlink_counsel"]


def _log(session: Session, actor: User, action: str, party: Party, **details: object) -> None:
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action=action,
        object_type="party",
        object_code=party.code,
        details=details,
    )


def link_counsel(
    session: Session,
    *,
    actor: User,
    case: Case,
    party_code: str,
    national_id: str,
    capacity: PartyRole,
    at: datetime,
) -> tuple[CounselLink, User]:
    """Link the participant's account with ``national_id`` to the party; linking again an
    account already linked changes nothing, a link that had ended is reopened."""
    check_can_edit_case(actor, case)
    if capacity not in COUNSEL_CAPACITIES:
        allowed = ", ".join(sorted(c.value for c in COUNSEL_CAPACITIES))
        raise InvalidInput(f"capacity must be one of {allowed}", field="capacity")
    party = get_party_of_case(session=session, case=case, code=party_code)
    counsel = session.scalars(select(User).where(User.national_id == national_id)).one_or_none()
    if counsel is None or not counsel.has_role(Role.PARTICIPANT):
        raise NotFound("no participant's account with this national ID", field="national_id")
    link = session.scalars(
        select(CounselLink).where(
            CounselLink.party_id == party.id, CounselLink.counsel_user_id == counsel.id
        )
    ).one_or_none()
    if link is not None and link.unlinked_at is None and link.capacity == capacity.value:
        return link, counsel
    if link is None:
        link = CounselLink(party_id=party.id, counsel_user_id=counsel.id)
        session.add(link)
    link.capacity = capacity.value
    link.linked_by_id, link.linked_at = actor.id, at
    link.unlinked_by_id, link.unlinked_at = None, None
    session.flush()
    _log(session, actor, "party.counsel_linked", party, counsel=counsel.username, capacity=capacity)
    return link, counsel


def unlink_counsel(
    session: Session, *, actor: User, case: Case, party_code: str, link_id: int, at: datetime
) -> tuple[CounselLink, User]:
    """End a link: from now on the account no longer reads the party's documents."""
    check_can_edit_case(actor, case)
    party = get_party_of_case(session=session, case=case, code=party_code)
    link = session.get(CounselLink, link_id)
    if link is None or link.party_id != party.id or link.unlinked_at is not None:
        raise NotFound(f"no active counsel link {link_id} of {party_code}", field="link_id")
    counsel = session.get(User, link.counsel_user_id)
    link.unlinked_by_id, link.unlinked_at = actor.id, at
    session.flush()
    _log(session, actor, "party.counsel_unlinked", party, counsel=counsel.username, link=link.id)
    return link, counsel


def list_counsel(
    session: Session, *, actor: User, case: Case, party_code: str
) -> Sequence[tuple[CounselLink, User]]:
    """Every link of the party, ended ones included, oldest first."""
    check_can_read_case(actor, case)
    party = get_party_of_case(session=session, case=case, code=party_code)
    rows = session.execute(
        select(CounselLink, User)
        .join(User, User.id == CounselLink.counsel_user_id)
        .where(CounselLink.party_id == party.id)
        .order_by(CounselLink.id)
    ).all()
    return [(link, user) for link, user in rows]

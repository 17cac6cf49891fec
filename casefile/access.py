"""Who may see and do what (Joint Circular art. 4(6), 14(2), 17(2)(b)).

Access is by agency, role, stage and secrecy level. A case is visible to its owning
agency's officers whose clearance covers its secrecy; transfers and explicit shares
(another issue) widen this; participants see only what was delivered to them or an officer
shared with them (art. 15(2); the queries are in casefile.repositories.participants).
"""

from sqlalchemy import select
from sqlalchemy.orm import object_session

from casefile.codes import AgencyKind, PartyRole, Role, SecrecyLevel
from casefile.delivery import RecipientStatus
from casefile.errors import NotFound, NotPermitted
from casefile.models import Agency, Case, Transfer, User

__all__ = [
    "COUNSEL_CAPACITIES",
    "DELIVERED_TO_PARTY",
    "OPENING_AGENCY_KINDS",
    "OPENING_ROLES",
    "check_participant_account",
    "check_can_open_case",
    "check_can_read_case",
    "check_can_edit_case",
]

OPENING_AGENCY_KINDS = frozenset(
    {
        AgencyKind.INVESTIGATION_AGENCY,
        AgencyKind.GRASSROOTS_POLICE,
        AgencyKind.POLICE_POST,
        AgencyKind.PROCURACY,
        AgencyKind.COURT,
    }
)
"""Agencies that receive crime reports and open files (CPC art. 145, 153)."""

OPENING_ROLES = frozenset(
    {Role.INVESTIGATOR, Role.HEAD, Role.PROSECUTOR, Role.JUDGE, Role.DIGITIZER}
)
OFFICER_ROLES = OPENING_ROLES | {Role.CLERK, Role.SUPERVISOR, Role.ADMIN}
EDITING_ROLES = OPENING_ROLES | {Role.CLERK}


def check_can_open_case(user: User, agency: Agency) -> None:
    if user.agency_id != agency.id:
        raise NotPermitted(
            f"{user.username} belongs to {user.agency.code} and cannot open a file for "
            f"{agency.code}",
            field="agency_code",
        )
    if AgencyKind(agency.kind) not in OPENING_AGENCY_KINDS:
        raise NotPermitted(f"a {agency.kind} does not open case files", field="agency_code")
    if not user.has_role(*OPENING_ROLES):
        raise NotPermitted(f"{user.username} has no role that may open a case file")


def check_can_read_case(user: User, case: Case) -> None:
    """Refuse with NotFound, not NotPermitted: a case one may not see does not exist for one.
    An agency that handed the file over keeps reading its copy (art. 9(1), 18(2))."""
    if not user.has_role(*OFFICER_ROLES):
        raise NotFound(f"no case {case.code}", field="code")
    if user.agency_id != case.owner_agency_id and not _handed_over(user, case):
        raise NotFound(f"no case {case.code}", field="code")
    if not SecrecyLevel(user.clearance).permits(SecrecyLevel(case.secrecy)):
        raise NotFound(f"no case {case.code}", field="code")


def check_can_edit_case(user: User, case: Case) -> None:
    check_can_read_case(user, case)
    if user.agency_id != case.owner_agency_id:
        raise NotPermitted(
            f"{user.agency.code} handed case {case.code} over: its copy is read-only",
            field="code",
        )
    if not user.has_role(*EDITING_ROLES):
        raise NotPermitted(f"{user.username} may read but not change case {case.code}")


def _handed_over(user: User, case: Case) -> bool:
    """Whether the user's agency sent this case to another agency, which accepted it."""
    session = object_session(case)
    if session is None:
        return False
    return (
        session.scalars(
            select(Transfer.id).where(
                Transfer.case_code == case.code,
                Transfer.direction == "outgoing",
                Transfer.state == "accepted",
                Transfer.from_agency_code == user.agency.code,
            )
        ).first()
        is not None
    )


DELIVERED_TO_PARTY = frozenset(
    {
        RecipientStatus.DELIVERED_ELECTRONIC,
        RecipientStatus.DELIVERED_PAPER,
        RecipientStatus.REFUSED,  # a recorded refusal counts as delivered (CPC art. 137)
        RecipientStatus.POSTED,
        RecipientStatus.NOTIFIED_PUBLICLY,
    }
)
"""Recipient statuses under which the party may read the document through an account
(Joint Circular art. 9(4), 15(2)): the delivery chain reached them."""

COUNSEL_CAPACITIES = frozenset({PartyRole.DEFENCE_COUNSEL, PartyRole.LEGAL_REPRESENTATIVE})
"""Capacities in which an account acts for a party and sees what the party sees."""


def check_participant_account(user: User) -> None:
    """The participants' endpoints serve participants' accounts only (art. 15(2))."""
    if not user.has_role(Role.PARTICIPANT):
        raise NotPermitted(f"{user.username} is not a participant's account")

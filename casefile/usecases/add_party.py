"""Add a participant in the proceedings to a case file."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from casefile.access import check_can_edit_case
from casefile.audit import record_event
from casefile.filecodes import ExtensionKind, parse_case_code
from casefile.inputs import NewParty
from casefile.models import Case, Party, User
from casefile.numbering import case_scope, next_numbers

__all__ = ["add_party"]


def add_party(session: Session, *, actor: User, case: Case, new: NewParty) -> Party:
    check_can_edit_case(actor, case)
    number = next_numbers(session, case_scope(case.id, "party"))
    code = str(parse_case_code(case.code).extend(ExtensionKind.PARTY, number))
    party = Party(
        case_id=case.id,
        number=number,
        code=code,
        created_at=datetime.now(UTC),
        **new.model_dump(),
    )
    session.add(party)
    session.flush()
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action="party.added",
        object_type="party",
        object_code=code,
        details={"case": case.code, "role": new.role.value},
    )
    return party

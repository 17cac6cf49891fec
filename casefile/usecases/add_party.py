"""Add a participant in the proceedings to a case file.

Legal basis: Joint Circular art. 11(1) (participants' data are retrieved automatically from
the National Population Database; manual entry only where it holds no such information).
"""

import unicodedata
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from casefile.access import check_can_edit_case
from casefile.audit import record_event
from casefile.errors import InvalidInput
from casefile.filecodes import ExtensionKind, parse_case_code
from casefile.inputs import NewParty
from casefile.models import Case, Party, User
from casefile.numbering import case_scope, next_numbers

__all__ = ["PartySource", "PersonRecord", "add_party"]

ACTIVE_ACCOUNT = "active"


class PartySource(StrEnum):
    """Where a party's identifying facts came from (recorded in the ``party.added`` event)."""

    POPULATION_DB = "population_db"
    MANUAL = "manual"


class PersonRecord(BaseModel):
    """A person as the National Population Database holds them (what it answers for a
    national ID); defined here so the use case needs no knowledge of HTTP."""

    model_config = ConfigDict(frozen=True)

    national_id: str
    full_name: str
    birth_year: int | None = None
    residence: str | None = None
    has_account: bool = False
    account_id: str | None = None
    account_status: str | None = None
    """``active``, ``suspended``, ``inactive`` or None (no electronic account)."""

    @property
    def e_account(self) -> str | None:
        """The electronic account documents may be delivered to: only an active one."""
        if self.has_account and self.account_status == ACTIVE_ACCOUNT:
            return self.account_id
        return None


def _comparable(value: Any) -> Any:
    """Text compared as a person reads it: Unicode NFC, single spaces, any case."""
    if not isinstance(value, str):
        return value
    return " ".join(unicodedata.normalize("NFC", value).split()).casefold()


def _facts(new: NewParty, person: PersonRecord | None) -> dict[str, Any]:
    """The party's identifying facts: the database's where it has the person, else as entered.

    Strict on purpose: a hand-entered value that differs from the database is refused rather
    than silently replaced, so the officer sees that the person identified is not the one
    they meant (a mistyped national ID) instead of filing someone else's facts.
    """
    entered: dict[str, Any] = {
        "full_name": new.full_name,
        "birth_year": new.birth_year,
        "residence": new.residence,
        "e_account": new.e_account,
    }
    if person is None:
        if not new.full_name:
            where = (
                f"the national population database has no record of national ID {new.national_id}"
                if new.national_id
                else "no national ID was given"
            )
            raise InvalidInput(
                f"full_name is required: {where}, so the participant's facts must be entered "
                "by hand",
                field="full_name",
            )
        return entered
    if person.national_id != new.national_id:
        raise ValueError(f"record of {person.national_id} given for {new.national_id}")
    retrieved: dict[str, Any] = {
        "full_name": person.full_name,
        "birth_year": person.birth_year,
        "residence": person.residence or "",
        "e_account": person.e_account,
    }
    for name, value in entered.items():
        if value is None or value == "":  # not given
            continue
        same = (
            value == retrieved[name]
            if name == "e_account"
            else _comparable(value) == _comparable(retrieved[name])
        )
        if not same:
            hint = (
                " (it holds no active electronic account for this person)"
                if name == "e_account" and retrieved[name] is None
                else ""
            )
            raise InvalidInput(
                f"{name} comes from the national population database for national ID "
                f"{new.national_id} and differs from the value entered{hint}; leave it out "
                "(Joint Circular art. 11(1))",
                field=name,
            )
    return retrieved


def add_party(
    session: Session,
    *,
    actor: User,
    case: Case,
    new: NewParty,
    person: PersonRecord | None,
) -> Party:
    """Add a participant whose facts come from ``person`` (the population database's record
    for ``new.national_id``) or, where there is none, from ``new``.

    ``person`` is None when no national ID was given or the database has no record of it; the
    caller looks the person up (this use case does no network I/O). The ``party.added`` audit
    event records the ``source`` and, for a database record, the ``account_status``: an
    account that is not active is not kept as ``e_account`` (delivery then goes on paper),
    but its status stays in the log.

    Legal basis: Joint Circular art. 11(1).
    """
    check_can_edit_case(actor, case)
    facts = _facts(new, person)
    number = next_numbers(session, case_scope(case.id, "party"))
    code = str(parse_case_code(case.code).extend(ExtensionKind.PARTY, number))
    party = Party(
        case_id=case.id,
        number=number,
        code=code,
        created_at=datetime.now(UTC),
        **{**new.model_dump(), **facts},
    )
    session.add(party)
    session.flush()
    details: dict[str, Any] = {"case": case.code, "role": new.role.value}
    if person is None:
        details["source"] = PartySource.MANUAL.value
        details["population_db"] = "no_record" if new.national_id else "no_national_id"
    else:
        details["source"] = PartySource.POPULATION_DB.value
        details["account_status"] = person.account_status
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action="party.added",
        object_type="party",
        object_code=code,
        details=details,
    )
    return party

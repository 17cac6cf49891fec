"""A participant confirms a document by an alternative form: OTP, on-screen signature image
or fingerprint record, bound to the exact PDF shown and sealed by the agency.

Legal basis: Joint Circular art. 6(1), 7(6), 13(3), 17(1)(a), 17(2)(c).
"""

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casefile.access import check_can_edit_case
from casefile.audit import record_event
from casefile.codes import DocumentStatus
from casefile.confirmation import (
    OtpChallenge,
    OtpChannel,
    SealedConfirmation,
    canonical_json,
    issue_otp,
    parse_confirmation_record,
)
from casefile.errors import Conflict, InvalidInput, NotFound
from casefile.models import (
    Case,
    Document,
    DocumentConfirmation,
    OtpChallengeRow,
    OutboxMessage,
    Party,
    User,
)
from casefile.usecases.read_document import get_document_for

__all__ = [
    "ConfirmationTarget",
    "load_confirmation_target",
    "start_otp_challenge",
    "load_otp_challenge",
    "store_otp_challenge",
    "file_confirmation",
    "sealed_confirmations",
]


class ConfirmationTarget:
    """The document awaiting confirmation and the party confirming it."""

    def __init__(self, document: Document, case: Case, party: Party) -> None:
        self.document, self.case, self.party = document, case, party


def load_confirmation_target(
    session: Session,
    *,
    actor: User,
    document_code: str,
    party_code: str,
    shown_pdf_sha256: str | None = None,
) -> ConfirmationTarget:
    """Check that the document awaits this party's confirmation of the exact bytes shown."""
    document, case = get_document_for(session, actor=actor, code=document_code)
    check_can_edit_case(actor, case)
    if document.status != DocumentStatus.AWAITING_CONFIRMATION:
        raise Conflict(f"{document.code} is not awaiting confirmation ({document.status})")
    party = session.scalars(
        select(Party).where(Party.case_id == case.id, Party.code == party_code)
    ).one_or_none()
    if party is None:
        raise InvalidInput(f"{party_code} is not a party of case {case.code}", field="party_code")
    if shown_pdf_sha256 is not None and shown_pdf_sha256 != document.sha256:
        raise Conflict(
            "the PDF shown to the participant is not the filed document (it changed or another "
            "file was shown): show the document again before confirming",
            field="shown_pdf_sha256",
        )
    return ConfirmationTarget(document, case, party)


def start_otp_challenge(
    session: Session,
    *,
    actor: User,
    document_code: str,
    party_code: str,
    channel: OtpChannel,
    now: datetime,
) -> OtpChallenge:
    """Issue a one-time code to the participant's electronic account (second factor)."""
    target = load_confirmation_target(
        session, actor=actor, document_code=document_code, party_code=party_code
    )
    if not target.party.e_account:
        raise InvalidInput(
            f"{party_code} has no electronic transaction account to send a code to",
            field="party_code",
        )
    issued = issue_otp(
        document_code=target.document.code,
        party_code=party_code,
        pdf_sha256=target.document.sha256,
        account=target.party.e_account,
        channel=channel,
        now=now,
    )
    challenge = issued.challenge
    session.add(
        OtpChallengeRow(
            challenge_id=challenge.challenge_id,
            document_id=target.document.id,
            party_id=target.party.id,
            data=challenge.model_dump_json(),
            created_at=now,
        )
    )
    session.add(
        OutboxMessage(
            channel=channel.value,
            recipient=target.party.e_account,
            subject=f"Mã xác nhận văn bản {target.document.code}",
            body=(
                f"Mã xác nhận văn bản tố tụng {target.document.procedural_number}: {issued.code}. "
                "Mã có hiệu lực 5 phút. Không cung cấp mã cho người khác."
            ),
            related_code=target.document.code,
            created_at=now,
        )
    )
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action="document.otp_issued",
        object_type="document",
        object_code=target.document.code,
        details={
            "party": party_code,
            "channel": channel.value,
            "challenge": challenge.challenge_id,
        },
        occurred_at=now,
    )
    return challenge


def load_otp_challenge(session: Session, *, challenge_id: str, document: Document) -> OtpChallenge:
    row = session.get(OtpChallengeRow, challenge_id)
    if row is None or row.document_id != document.id:
        raise NotFound(f"no code challenge {challenge_id} for {document.code}", field="otp")
    return OtpChallenge.model_validate_json(row.data)


def store_otp_challenge(session: Session, challenge: OtpChallenge) -> None:
    """Keep the challenge's new state (attempts left, used) whatever the outcome."""
    row = session.get(OtpChallengeRow, challenge.challenge_id)
    row.data = challenge.model_dump_json()


def file_confirmation(
    session: Session, *, actor: User, target: ConfirmationTarget, sealed: SealedConfirmation
) -> DocumentConfirmation:
    record = sealed.record
    confirmation = DocumentConfirmation(
        document_id=target.document.id,
        party_id=target.party.id,
        form=record.form.value,
        record=canonical_json(record).decode("utf-8"),
        seal=sealed.seal,
        pdf_sha256=record.pdf_sha256,
        confirmed_at=record.confirmed_at,
    )
    session.add(confirmation)
    session.flush()
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action="document.confirmation_sealed",
        object_type="document",
        object_code=target.document.code,
        details={
            "party": target.party.code,
            "form": record.form.value,
            "pdf_sha256": record.pdf_sha256,
        },
    )
    return confirmation


def sealed_confirmations(session: Session, *, document: Document) -> list[SealedConfirmation]:
    """The stored confirmations as sealed objects; a record that no longer parses is kept
    as far as possible so that verification reports it changed rather than failing."""
    sealed = []
    for row in session.scalars(
        select(DocumentConfirmation).where(DocumentConfirmation.document_id == document.id)
    ):
        try:
            record = parse_confirmation_record(json.loads(row.record))
        except (ValueError, InvalidInput):
            raise InvalidInput(
                f"the stored confirmation record {row.id} of {document.code} is damaged "
                "(changed after sealing)",
                field="confirmation",
            ) from None
        sealed.append(SealedConfirmation(record=record, seal=row.seal))
    return sealed

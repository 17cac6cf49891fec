"""A participant's confirmation of a document by an alternative form: a one-time code sent
to their electronic account, an on-screen signature image or a fingerprint-device record,
bound to the SHA-256 of the exact PDF shown and sealed by the agency.

Legal basis: Joint Circular art. 6(1), 7(6), 13(3), 17(2)(c).
"""

import base64
import binascii
import struct
from datetime import UTC, datetime

from fastapi import APIRouter, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import IntegrityError
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from api.deps import BlobsDep, CurrentActor, SessionFactoryDep, TemporalClientDep
from api.errors import domain_error_from
from api.schemas import (
    ConfirmationSubmit,
    OtpChallengeCreate,
    OtpChallengePublic,
    ParticipantConfirmationPublic,
)
from casefile import errors
from casefile.confirmation import (
    OtpChannel,
    OtpRefused,
    SignatureImageEvidence,
    TechnicalInfo,
    otp_evidence,
    parse_confirmation_record,
    seal_confirmation,
    verify_otp,
)
from casefile.db import transaction
from casefile.usecases.confirm_document import (
    file_confirmation,
    load_confirmation_target,
    load_otp_challenge,
    start_otp_challenge,
    store_otp_challenge,
)
from workflows.io import ConfirmationRequest
from workflows.issue_document import IssueDocumentWorkflow

router = APIRouter(prefix="/api/v1/documents", tags=["confirmations"])

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@router.post("/{code}/confirmation-challenges", status_code=status.HTTP_201_CREATED)
def create_otp_challenge(
    code: str, body: OtpChallengeCreate, actor: CurrentActor, sessions: SessionFactoryDep
) -> OtpChallengePublic:
    """Send a one-time code to the participant's electronic account (valid 5 minutes)."""
    with transaction(sessions) as session:
        challenge = start_otp_challenge(
            session,
            actor=actor,
            document_code=code,
            party_code=body.party_code,
            channel=OtpChannel(body.channel),
            now=datetime.now(UTC),
        )
    return OtpChallengePublic(
        challenge_id=challenge.challenge_id,
        channel=challenge.channel.value,
        expires_at=challenge.expires_at,
        attempts_left=challenge.attempts_left,
        pdf_sha256=challenge.pdf_sha256,
    )


def _png_evidence(blobs, encoded: str | None) -> SignatureImageEvidence:
    try:
        png = base64.b64decode(encoded or "", validate=True)
    except (binascii.Error, ValueError):
        raise errors.InvalidInput("not base64", field="signature_image_png") from None
    if not png.startswith(PNG_MAGIC) or png[12:16] != b"IHDR":
        raise errors.InvalidInput("not a PNG image", field="signature_image_png")
    width, height = struct.unpack(">II", png[16:24])
    return SignatureImageEvidence(image_sha256=blobs.put(png), width=width, height=height)


@router.post("/{code}/confirmations")
async def confirm_document(
    code: str,
    body: ConfirmationSubmit,
    request: Request,
    actor: CurrentActor,
    sessions: SessionFactoryDep,
    blobs: BlobsDep,
    temporal: TemporalClientDep,
) -> ParticipantConfirmationPublic:
    """Record, seal and hand to the issuing process a participant's confirmation."""
    now = datetime.now(UTC)

    def target_and_evidence():
        with transaction(sessions) as session:
            target = load_confirmation_target(
                session,
                actor=actor,
                document_code=code,
                party_code=body.party_code,
                shown_pdf_sha256=body.shown_pdf_sha256,
            )
            if body.form != "otp":
                return target, None
            if body.otp is None:
                raise errors.InvalidInput("the one-time code is missing", field="otp")
            challenge = load_otp_challenge(
                session, challenge_id=body.otp.challenge_id, document=target.document
            )
            try:
                verified = verify_otp(challenge, body.otp.code, now)
            except OtpRefused as refused:
                refusal = refused
            else:
                store_otp_challenge(session, verified)
                return target, otp_evidence(
                    verified,
                    document_code=target.document.code,
                    party_code=target.party.code,
                    pdf_sha256=target.document.sha256,
                )
        with transaction(sessions) as session:  # a wrong code still costs an attempt
            store_otp_challenge(session, refusal.challenge)
        raise refusal

    target, evidence = await run_in_threadpool(target_and_evidence)
    if body.form == "signature_image":
        evidence = await run_in_threadpool(_png_evidence, blobs, body.signature_image_png)
    elif body.form == "fingerprint":
        if body.fingerprint is None:
            raise errors.InvalidInput("the fingerprint record is missing", field="fingerprint")
        evidence = {**body.fingerprint.model_dump(), "kind": "fingerprint"}
    record = parse_confirmation_record(
        {
            "document_code": target.document.code,
            "party_code": target.party.code,
            "form": body.form,
            "confirmed_at": now,
            "pdf_sha256": target.document.sha256,
            "technical": TechnicalInfo(
                device=body.device,
                ip_address=request.client.host if request.client else "127.0.0.1",
                user_agent=body.user_agent or request.headers.get("user-agent", "unknown"),
            ).model_dump(),
            "evidence": evidence if isinstance(evidence, dict) else evidence.model_dump(),
        }
    )
    runtime = request.app.state.signing
    seal_signer = await runtime.signer(runtime.pki.seal_label(target.case.code.split("-")[0]))
    try:
        sealed = await seal_confirmation(
            record, seal_signer, sealed_at=now, timestamper=runtime.env.timestamper
        )
    finally:
        await seal_signer.aclose()

    def store() -> int:
        with transaction(sessions) as session:
            return file_confirmation(session, actor=actor, target=target, sealed=sealed).id

    try:
        confirmation_id = await run_in_threadpool(store)
    except IntegrityError:
        raise errors.Conflict(f"{body.party_code} has already confirmed {code}") from None
    handle = temporal.get_workflow_handle(target.document.workflow_id)
    try:
        confirmed = await handle.execute_update(
            IssueDocumentWorkflow.confirm,
            ConfirmationRequest(party_code=target.party.code, confirmation_id=confirmation_id),
        )
    except WorkflowUpdateFailedError as failure:
        if (domain := domain_error_from(failure)) is not None:
            raise domain from failure
        raise errors.Conflict(str(failure.cause or failure)) from failure
    except RPCError as finished:
        raise errors.Conflict(f"{code} is not awaiting confirmation") from finished
    return ParticipantConfirmationPublic.model_validate(confirmed.model_dump())

"""Activities of the case-file transfer, at the sending and at the receiving agency.

Sender: prepare (checks, handover record's fields), seal the inventory, send it over the
agency link (only the bytes the receiver lacks: an interrupted transfer resumes without
resending what arrived), record the receiver's signed decision. Receiver: the legality check
(every hash, every signature, the record numbers), the decision of a person with authority,
and the decision sent back to the sender. Both: the warning to supervisors when a transfer
stays unconfirmed. Every step is idempotent (keyed by the transfer id).

Legal basis: Joint Circular art. 9(1)-(3), 15(1), 17(2)(e), 18(2).
"""

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select
from temporalio import activity

from activities.errors import domain_errors_as_application_errors
from activities.heartbeat import heartbeating
from casefile.agencylink import UNSIGNED_BODY, AgencySeals, canonical_json, sha256_hex
from casefile.blobstore import BlobStore
from casefile.db import SessionFactory, transaction
from casefile.errors import Conflict, HosoError, InvalidInput, PlatformUnavailable
from casefile.models import TransferBlob, User
from casefile.repositories.users import get_user
from casefile.signing.validation import ValidationPolicy, Verdict, validate_pdf
from casefile.status import TransferStatus, record_transfer_status
from casefile.transfers import Finding, Inventory, TransferState, record_number_findings
from casefile.usecases import transfer_case_file as usecase
from workflows.transfer_io import (
    DecideArgs,
    LegalityReport,
    PreparedTransfer,
    ReceiverDecision,
    SealedInventory,
    SentTransfer,
    TransferOutcome,
    TransferStepArgs,
    WarnArgs,
)

__all__ = ["AgencyPeers", "TransferRefused", "TransferActivities"]


class TransferRefused(HosoError):
    """The other installation answered with a definitive no (4xx): retrying cannot help."""

    code = "transfer_refused"


class AgencyPeers:
    """Where each agency's installation answers (HOSO_PEERS); any other agency is served by
    this installation itself, reached at its own API."""

    def __init__(self, clients: Mapping[str, httpx.AsyncClient], own: httpx.AsyncClient) -> None:
        self._clients = dict(clients)
        self._own = own

    @classmethod
    def from_urls(cls, peers: Mapping[str, str], own_url: str, timeout: float) -> "AgencyPeers":
        def client(url: str) -> httpx.AsyncClient:
            return httpx.AsyncClient(base_url=url, timeout=timeout, trust_env=False)

        return cls({code: client(url) for code, url in peers.items()}, client(own_url))

    def client(self, agency_code: str) -> httpx.AsyncClient:
        return self._clients.get(agency_code, self._own)


class TransferActivities:
    def __init__(
        self,
        session_factory: SessionFactory,
        blobs: BlobStore,
        seals: AgencySeals,
        peers: AgencyPeers,
        validation: ValidationPolicy,
    ) -> None:
        self._sessions = session_factory
        self._blobs = blobs
        self._seals = seals
        self._peers = peers
        self._validation = validation

    # --- sender ---------------------------------------------------------------------------

    @activity.defn(name="prepare_transfer")
    @domain_errors_as_application_errors
    def prepare(self, args: TransferStepArgs) -> PreparedTransfer:
        request = args.request
        with transaction(self._sessions) as session:
            actor = get_user(session=session, user_id=request.actor_id)
            transfer = usecase.start_outgoing(
                session,
                actor=actor,
                transfer_id=request.transfer_id,
                case_code=request.case_code,
                kind=request.kind,
                to_agency_code=request.to_agency_code,
                physical_items=[item.model_dump(mode="json") for item in request.physical_items],
                workflow_id=args.workflow_id,
                at=args.at,
            )
            return PreparedTransfer(
                handover_fields=usecase.handover_fields(session, transfer, actor)
            )

    @activity.defn(name="seal_transfer_inventory")
    @domain_errors_as_application_errors
    def seal_inventory(self, args: TransferStepArgs, handover_code: str) -> SealedInventory:
        with transaction(self._sessions) as session:
            transfer = usecase.get_transfer(session, args.request.transfer_id, usecase.OUTGOING)
            inventory = usecase.seal_inventory(
                session,
                transfer=transfer,
                handover_document_code=handover_code,
                seals=self._seals,
                at=args.at,
            )
            return SealedInventory(
                inventory_sha256=transfer.inventory_sha256,
                documents=len(inventory.documents),
                last_record=inventory.last_record,
            )

    @activity.defn(name="send_transfer")
    @domain_errors_as_application_errors
    async def send(self, args: TransferStepArgs) -> SentTransfer:
        """Send the sealed inventory, then only the bytes the receiver says it lacks, then
        submit; the receiver's signed electronic receipt comes back (art. 9(1))."""
        transfer_id = args.request.transfer_id
        facts = await asyncio.to_thread(self._outgoing_facts, transfer_id)
        if facts["receipt"] is not None:
            return SentTransfer(
                received_at=datetime.fromisoformat(facts["receipt"]["payload"]["received_at"]),
                blobs_sent=0,
            )
        sender, receiver = facts["from_agency_code"], facts["to_agency_code"]
        peer = self._peers.client(receiver)
        base = "/api/v1/agency-link/transfers"
        answer = await self._call(
            peer,
            sender,
            "POST",
            base,
            {"inventory": facts["inventory"], "signature": facts["inventory_signature"]},
        )
        sent = 0
        for sha in answer["missing"]:
            data = await asyncio.to_thread(self._blobs.get, sha)
            await heartbeating(
                self._call(peer, sender, "PUT", f"{base}/{transfer_id}/blobs/{sha}", raw=data)
            )
            sent += 1
            activity.heartbeat(sent)
        receipt = await self._call(peer, sender, "POST", f"{base}/{transfer_id}/submit", {})
        payload = receipt["payload"]
        self._seals.verify(receiver, canonical_json(payload), receipt["signature"])
        if payload.get("inventory_sha256") != facts["inventory_sha256"]:
            raise TransferRefused("the receipt names another inventory than the one sent")
        await asyncio.to_thread(self._record_receipt, transfer_id, receipt)
        return SentTransfer(
            received_at=datetime.fromisoformat(payload["received_at"]), blobs_sent=sent
        )

    def _outgoing_facts(self, transfer_id: str) -> dict[str, Any]:
        with self._sessions() as session:
            transfer = usecase.get_transfer(session, transfer_id, usecase.OUTGOING)
            return {
                "inventory": transfer.inventory,
                "inventory_sha256": transfer.inventory_sha256,
                "inventory_signature": transfer.inventory_signature,
                "from_agency_code": transfer.from_agency_code,
                "to_agency_code": transfer.to_agency_code,
                "receipt": transfer.receipt,
            }

    def _record_receipt(self, transfer_id: str, receipt: dict[str, Any]) -> None:
        with transaction(self._sessions) as session:
            transfer = usecase.get_transfer(session, transfer_id, usecase.OUTGOING)
            if transfer.receipt is not None:
                return
            transfer.receipt = receipt
            transfer.state = TransferState.SENT.value
            transfer.sent_at = datetime.now(UTC)
            transfer.received_at = datetime.fromisoformat(receipt["payload"]["received_at"])
            usecase.log_transfer(
                session,
                transfer.started_by,
                transfer.from_agency_code,
                "transfer.sent",
                transfer.transfer_id,
                transfer.case_code,
                receipt=receipt["payload"],
            )
            record_transfer_status(
                session,
                case_code=transfer.case_code,
                status=TransferStatus.SENT,
                agency_code=transfer.from_agency_code,
                counterpart_agency_code=transfer.to_agency_code,
            )

    async def _call(
        self,
        peer: httpx.AsyncClient,
        agency: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        raw: bytes | None = None,
    ) -> dict[str, Any]:
        content = raw if raw is not None else canonical_json(body or {})
        digest = UNSIGNED_BODY if raw is not None else sha256_hex(content)
        headers = self._seals.sign_request(agency, method, path, digest)
        headers["Content-Type"] = (
            "application/octet-stream" if raw is not None else "application/json"
        )
        try:
            response = await peer.request(method, path, content=content, headers=headers)
        except httpx.TransportError as exc:
            raise PlatformUnavailable(f"{peer.base_url} unreachable: {exc!r}") from exc
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise PlatformUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise TransferRefused(f"{method} {path}: HTTP {response.status_code} {response.text}")
        return response.json()

    @activity.defn(name="record_transfer_outcome")
    @domain_errors_as_application_errors
    def record_outcome(self, transfer_id: str, decision: ReceiverDecision) -> TransferOutcome:
        with transaction(self._sessions) as session:
            transfer = usecase.get_transfer(session, transfer_id, usecase.OUTGOING)
            self._seals.verify(
                transfer.to_agency_code, canonical_json(decision.payload), decision.signature
            )
            if decision.payload.get("inventory_sha256") != transfer.inventory_sha256:
                raise InvalidInput("the decision names another inventory", field="decision")
            transfer = usecase.record_outcome(
                session,
                transfer=transfer,
                payload=decision.payload,
                signature=decision.signature,
                at=datetime.now(UTC),
            )
            return TransferOutcome(
                transfer_id=transfer_id, state=transfer.state, reasons=transfer.reasons
            )

    @activity.defn(name="mark_transfer_failed")
    @domain_errors_as_application_errors
    def mark_failed(self, transfer_id: str, reason: str) -> None:
        with transaction(self._sessions) as session:
            transfer = usecase.find_transfer(session, transfer_id, usecase.OUTGOING)
            if transfer is None or transfer.state == TransferState.FAILED:
                return  # refused before anything was recorded: the process says why
            transfer.state = TransferState.FAILED.value
            transfer.reasons = reason
            usecase.log_transfer(
                session,
                transfer.started_by,
                transfer.from_agency_code,
                "transfer.failed",
                transfer_id,
                transfer.case_code,
                reason=reason,
            )

    # --- both sides -----------------------------------------------------------------------

    @activity.defn(name="warn_unconfirmed_transfer")
    @domain_errors_as_application_errors
    def warn_unconfirmed(self, args: WarnArgs) -> None:
        """Art. 17(2)(e): the supervisors of this side's agency see the transfer flagged."""
        with transaction(self._sessions) as session:
            transfer = usecase.get_transfer(session, args.transfer_id, args.direction)
            if transfer.warned_at is not None:
                return
            transfer.warned_at = args.at
            agency = (
                transfer.from_agency_code
                if args.direction == usecase.OUTGOING
                else transfer.to_agency_code
            )
            usecase.log_transfer(
                session,
                "system",
                agency,
                "transfer.unconfirmed_warning",
                transfer.transfer_id,
                transfer.case_code,
                side=args.direction,
                since=transfer.started_at.isoformat(),
            )

    # --- receiver -------------------------------------------------------------------------

    @activity.defn(name="check_transfer_legality")
    @domain_errors_as_application_errors
    async def check_legality(self, transfer_id: str) -> LegalityReport:
        """Every document's bytes against the inventory's hash, every signature (gated on
        bottom_line), the record numbers (no gap, no extra); the report is stored for people
        to read before they decide (art. 9(3), 15(1))."""
        inventory, received = await asyncio.to_thread(self._incoming_facts, transfer_id)
        findings: list[Finding] = []
        signatures = 0
        for entry in inventory.documents:
            arrived = received.get(entry.sha256)
            if arrived is None and self._blobs.exists(entry.sha256):
                arrived = entry.sha256  # already held here (a file coming back)
            if arrived is None:
                findings.append(
                    Finding(
                        check="missing",
                        document_code=entry.code,
                        detail=f"the bytes of {entry.code} never arrived",
                    )
                )
                continue
            if arrived != entry.sha256:
                findings.append(
                    Finding(
                        check="hash",
                        document_code=entry.code,
                        detail=(
                            f"{entry.code} was changed: SHA-256 {arrived} received, "
                            f"{entry.sha256} in the inventory"
                        ),
                    )
                )
                continue
            data = await asyncio.to_thread(self._blobs.get, arrived)
            if entry.media_type != "application/pdf" or not entry.signatures:
                continue
            validation = await heartbeating(validate_pdf(data, self._validation))
            signatures += len(validation.signatures)
            if validation.verdict is not Verdict.VALID:
                findings.append(
                    Finding(
                        check="signature",
                        document_code=entry.code,
                        detail=(
                            f"the signatures of {entry.code} are {validation.verdict.value} "
                            f"({validation.reason.value})"
                        ),
                    )
                )
        findings += record_number_findings(inventory.documents, inventory.last_record)
        codes = {entry.code for entry in inventory.documents}
        if inventory.handover_document_code not in codes:
            findings.append(
                Finding(
                    check="missing",
                    document_code=inventory.handover_document_code,
                    detail="the handover record is not in the inventory",
                )
            )
        report = LegalityReport(
            passed=not findings,
            findings=findings,
            documents_checked=len(inventory.documents),
            signatures_checked=signatures,
        )
        await asyncio.to_thread(self._store_report, transfer_id, report)
        return report

    def _incoming_facts(self, transfer_id: str) -> tuple[Inventory, dict[str, str]]:
        with self._sessions() as session:
            transfer = usecase.get_transfer(session, transfer_id, usecase.INCOMING)
            received = {
                row.expected_sha256: row.received_sha256
                for row in session.scalars(
                    select(TransferBlob).where(TransferBlob.transfer_id == transfer_id)
                )
            }
            return Inventory.model_validate(transfer.inventory), received

    def _store_report(self, transfer_id: str, report: LegalityReport) -> None:
        with transaction(self._sessions) as session:
            transfer = usecase.get_transfer(session, transfer_id, usecase.INCOMING)
            if transfer.check_report is not None:
                return
            transfer.check_report = {
                **report.model_dump(mode="json"),
                "checked_at": datetime.now(UTC).isoformat(),
            }
            transfer.state = TransferState.CHECKED.value
            usecase.log_transfer(
                session,
                "system",
                transfer.to_agency_code,
                "transfer.checked",
                transfer_id,
                transfer.case_code,
                passed=report.passed,
                findings=[f.detail for f in report.findings],
            )

    @activity.defn(name="decide_transfer")
    @domain_errors_as_application_errors
    def decide(self, args: DecideArgs) -> ReceiverDecision:
        with transaction(self._sessions) as session:
            transfer = usecase.get_transfer(session, args.transfer_id, usecase.INCOMING)
            actor: User = get_user(session=session, user_id=args.request.actor_id)
            decision = usecase.decide_incoming(
                session,
                transfer=transfer,
                actor=actor,
                accept=args.request.decision == "accept",
                reasons=args.request.reasons,
                seals=self._seals,
                at=args.at,
            )
            return ReceiverDecision.model_validate(decision)

    @activity.defn(name="notify_transfer_sender")
    @domain_errors_as_application_errors
    async def notify_sender(self, transfer_id: str) -> None:
        """Send the signed decision back to the sender's installation (idempotent there)."""

        def facts() -> tuple[str, str, dict[str, Any]]:
            with self._sessions() as session:
                transfer = usecase.get_transfer(session, transfer_id, usecase.INCOMING)
                if transfer.decision is None:
                    raise Conflict(f"transfer {transfer_id} has no decision yet")
                return transfer.from_agency_code, transfer.to_agency_code, transfer.decision

        sender, receiver, decision = await asyncio.to_thread(facts)
        await self._call(
            self._peers.client(sender),
            receiver,
            "POST",
            f"/api/v1/agency-link/transfers/{transfer_id}/decision",
            decision,
        )

    def activities(self) -> list[Any]:
        return [
            self.prepare,
            self.seal_inventory,
            self.send,
            self.record_outcome,
            self.mark_failed,
            self.warn_unconfirmed,
            self.check_legality,
            self.decide,
            self.notify_sender,
        ]

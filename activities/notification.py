"""Activities of the PublicNotification workflow: validate the request and file the request
document, publish on a platform (idempotent per workflow, channel and day), file the evidence,
log interruptions.

Legal basis: Joint Circular art. 20(2) (content), 20(3) (evidence in the case file: (a) the
request to publish, (b) each publication's evidence).
"""

from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select
from temporalio import activity

from activities.errors import domain_errors_as_application_errors
from activities.heartbeat import heartbeating
from casefile.audit import record_event
from casefile.blobstore import BlobStore
from casefile.codes import DocumentForm
from casefile.db import SessionFactory, transaction
from casefile.doctypes import DocType, get_spec
from casefile.errors import InvalidInput
from casefile.inputs import NewDocument
from casefile.models import Document, Party
from casefile.notification import (
    CHANNEL_REQUESTS,
    channels_for,
    request_document_fields,
    validate_content,
)
from casefile.rendering import IssuerHeader, render_document
from casefile.repositories.cases import get_case_by_code
from casefile.repositories.users import get_user
from casefile.steps import record_step, recorded_step, step_key
from casefile.usecases.file_document import file_document
from workflows.io import (
    PreparedNotification,
    PrepareNotificationArgs,
    PublishArgs,
    PublishedEvidence,
    RecordInterruptionArgs,
)

__all__ = ["NotificationActivities", "NotificationPlatforms", "PlatformPublication"]


class PlatformPublication(Protocol):
    published_at: datetime
    reference: str
    link: str
    evidence_pdf: bytes


class NotificationPlatforms(Protocol):
    """The platforms of art. 3(1) and 20(1), reached over HTTP (activities/platform_clients)."""

    async def publish(self, args: PublishArgs, *, idempotency_key: str) -> PlatformPublication: ...


class NotificationActivities:
    def __init__(
        self, session_factory: SessionFactory, blobs: BlobStore, platforms: NotificationPlatforms
    ) -> None:
        self._sessions = session_factory
        self._blobs = blobs
        self._platforms = platforms

    def _log(self, session: Any, request: Any, action: str, details: dict[str, Any]) -> None:
        actor = get_user(session=session, user_id=request.actor_id)
        record_event(
            session,
            actor=actor.username,
            agency=actor.agency.code,
            action=action,
            object_type="document",
            object_code=request.document_code,
            details=details,
        )

    @activity.defn(name="prepare_notification")
    @domain_errors_as_application_errors
    def prepare_notification(self, args: PrepareNotificationArgs) -> PreparedNotification:
        """Validate content a-e and the channels before anything is published, and file the
        request to publish (art. 20(3)(a)) into the case once: a retry finds it by its key."""
        request = args.request
        content = validate_content(request.content)
        channels = channels_for(request.forms)
        key = step_key(args.workflow_id, "prepare")
        request_key = step_key(args.workflow_id, "request-document")
        with transaction(self._sessions) as session:
            case = get_case_by_code(session=session, code=request.case_code)
            party = session.scalars(
                select(Party).where(Party.case_id == case.id, Party.code == request.party_code)
            ).one_or_none()
            if party is None:
                raise InvalidInput(
                    f"{request.party_code} is not a party of case {case.code}", field="party_code"
                )
            filed = session.scalars(
                select(Document.code).where(Document.request_key == request_key)
            ).first()
            if filed is None:
                actor = get_user(session=session, user_id=request.actor_id)
                header = self._request_header(actor, case, args)
        new = None
        if filed is None:  # render outside any transaction
            fields = request_document_fields(
                content,
                channels,
                agency_name=header.agency_name,
                posted_from=request.calendar.day_of(args.started_at),
                document_code=request.document_code,
            )
            rendered = render_document(DocType.NOTIFICATION_REQUEST, fields, header)
            new = NewDocument(
                doc_type=DocType.NOTIFICATION_REQUEST.value,
                title=(
                    f"{get_spec(DocType.NOTIFICATION_REQUEST).full_title.capitalize()} "
                    f"{request.document_code}"
                ),
                form=DocumentForm.ELECTRONIC,
                secrecy=header.secrecy,
                sha256=self._blobs.put(rendered.pdf),
                size=len(rendered.pdf),
                page_count=rendered.page_count,
            )
        with transaction(self._sessions) as session:
            if new is not None:
                filed = file_document(
                    session,
                    actor=get_user(session=session, user_id=request.actor_id),
                    case=get_case_by_code(session=session, code=request.case_code),
                    new=new,
                    request_key=request_key,
                    blobs=self._blobs,
                ).code
            if recorded_step(session, key) is None:
                self._log(
                    session,
                    request,
                    "notification.requested",
                    {
                        "party": request.party_code,
                        "channels": [c.value for c in channels],
                        "request_document": filed,
                    },
                )
                record_step(
                    session,
                    key,
                    {"channels": [c.value for c in channels], "request_document": filed},
                )
        return PreparedNotification(channels=channels, request_document_code=filed)

    def _request_header(self, actor: Any, case: Any, args: PrepareNotificationArgs) -> IssuerHeader:
        """The agency's header of the request; filed as an electronic document, not signed."""
        agency = actor.agency
        return IssuerHeader(
            agency_name=agency.name,
            superior_body=agency.superior_name or None,
            place=agency.place,
            issue_date=args.started_at.astimezone(args.request.calendar.zone()).date(),
            signer_name=actor.full_name,
            signer_title=actor.title,
            recipients=[
                *(
                    CHANNEL_REQUESTS[c][0].format(agency=agency.name) + ";"
                    for c in channels_for(args.request.forms)
                ),
                "Lưu: Hồ sơ vụ án.",
            ],
            secrecy=case.secrecy,
        )

    @activity.defn(name="publish_notice")
    @domain_errors_as_application_errors
    async def publish(self, args: PublishArgs) -> PublishedEvidence:
        """Publish one day's notice; the idempotency key makes a retry publish nothing new."""
        key = f"{args.workflow_id}:{args.channel.value}:{args.day.isoformat()}"
        publication = await heartbeating(self._platforms.publish(args, idempotency_key=key))
        evidence_sha256 = self._blobs.put(publication.evidence_pdf)
        request = args.request
        with transaction(self._sessions) as session:
            actor = get_user(session=session, user_id=request.actor_id)
            case = get_case_by_code(session=session, code=request.case_code)
            document = file_document(
                session,
                actor=actor,
                case=case,
                new=NewDocument(
                    doc_type="notification_evidence",
                    title=(
                        f"Chứng cứ thông báo công khai ({args.channel.value}, lần "
                        f"{args.sequence}, {publication.reference})"
                    ),
                    form=DocumentForm.ELECTRONIC,
                    sha256=evidence_sha256,
                    size=len(publication.evidence_pdf),
                    page_count=1,
                ),
                request_key=key,
                blobs=self._blobs,
            )
            return PublishedEvidence(
                channel=args.channel,
                day=args.day,
                published_at=publication.published_at,
                reference=publication.reference,
                link=publication.link,
                evidence_sha256=evidence_sha256,
                evidence_document_code=document.code,
            )

    @activity.defn(name="record_interruption")
    @domain_errors_as_application_errors
    def record_interruption(self, args: RecordInterruptionArgs) -> None:
        """Art. 20(1)(e): an interruption is recorded, and the day made up afterwards."""
        key = step_key(args.workflow_id, f"interrupted:{args.channel.value}:{args.day}")
        with transaction(self._sessions) as session:
            if recorded_step(session, key) is not None:
                return
            self._log(
                session,
                args.request,
                "notification.interrupted",
                {"channel": args.channel.value, "day": args.day.isoformat(), "reason": args.reason},
            )
            record_step(session, key, {"at": datetime.now(UTC).isoformat()})

    def activities(self) -> list[Any]:
        return [self.prepare_notification, self.publish, self.record_interruption]

"""The common database's FastAPI application (Joint Circular art. 18(4)).

Every route is authenticated per agency (statusdb.contract describes the signature). An
agency publishes its status changes, lists and acknowledges its alerts, and reads the
statuses of the cases it is party to; nothing else is readable.
"""

import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.errors import error_body, install_error_handlers
from casefile.errors import NotPermitted
from statusdb import service
from statusdb.contract import (
    AGENCY_HEADER,
    MAX_CLOCK_SKEW_SECONDS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    CaseCodeStr,
    StatusEvent,
    verify_request,
)
from statusdb.db import make_engine, make_session_factory, migrate, transaction
from statusdb.models import Alert, StatusRecord
from statusdb.settings import StatusDbSettings

__all__ = ["create_statusdb_app"]

API = "/api/v1"


class StatusOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event_id: str
    agency_code: str
    case_code: str
    kind: str
    status: str
    subject_code: str | None
    party_code: str | None
    counterpart_agency_code: str | None
    occurred_at: datetime
    received_at: datetime


class PublishedOut(BaseModel):
    event_id: str
    duplicate: bool
    alerted: list[str]


class AlertOut(BaseModel):
    id: int
    created_at: datetime
    acknowledged_at: datetime | None
    status: StatusOut

    @classmethod
    def of(cls, alert: Alert, record: StatusRecord) -> "AlertOut":
        return cls(
            id=alert.id,
            created_at=alert.created_at,
            acknowledged_at=alert.acknowledged_at,
            status=StatusOut.model_validate(record),
        )


class AlertsOut(BaseModel):
    alerts: list[AlertOut]


class CaseStatusesOut(BaseModel):
    case_code: str
    statuses: list[StatusOut]


def create_statusdb_app(settings: StatusDbSettings, *, engine: Engine | None = None) -> FastAPI:
    """Build the service on ``settings``; its database is migrated at start-up.

    :param engine: an engine to use instead of one made from the settings (tests).
    """
    engine = engine or make_engine(settings.effective_database_url)
    migrate(engine)
    sessions = make_session_factory(engine)

    def session_dep() -> Iterator[Session]:
        with transaction(sessions) as session:
            yield session

    async def calling_agency(request: Request) -> str:
        """The agency whose key signed this request (art. 18(3): authentication)."""
        agency = request.headers.get(AGENCY_HEADER, "")
        key = settings.key_of(agency) if agency else None
        if key is None:
            raise NotPermitted(f"unknown agency {agency!r}", field=AGENCY_HEADER)
        timestamp = request.headers.get(TIMESTAMP_HEADER, "")
        if not timestamp.isdigit():
            raise NotPermitted("the request has no timestamp", field=TIMESTAMP_HEADER)
        if abs(datetime.now(UTC).timestamp() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
            raise NotPermitted("the request is stale (replayed?)", field=TIMESTAMP_HEADER)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if not verify_request(
            key,
            timestamp=timestamp,
            method=request.method,
            target=target,
            body=await request.body(),
            signature=request.headers.get(SIGNATURE_HEADER, ""),
        ):
            raise NotPermitted("the request signature does not verify", field=SIGNATURE_HEADER)
        return agency

    SessionDep = Annotated[Session, Depends(session_dep)]
    AgencyDep = Annotated[str, Depends(calling_agency)]

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="hoso common database",
        description=(
            "The common database of Joint Circular art. 18(4): identifiers and statuses of "
            "case files shared between agencies, never content; alerts to the agencies "
            "party to a case."
        ),
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.state.engine = engine

    @app.get("/health")
    def health() -> JSONResponse:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means not healthy
            return JSONResponse(error_body("unavailable", str(exc)), status_code=503)
        return JSONResponse({"status": "ok"})

    @app.post(f"{API}/events", status_code=201, response_model=PublishedOut)
    def publish_event(event: StatusEvent, agency: AgencyDep, session: SessionDep) -> Any:
        """Publish one status change of the calling agency; the same event id again is a
        no-op answered 200 with ``duplicate: true``."""
        if event.agency_code != agency:
            raise NotPermitted(
                f"agency {agency} may not publish for {event.agency_code}", field="agency_code"
            )
        published = service.publish_event(session, event, now=datetime.now(UTC))
        body = PublishedOut(
            event_id=event.event_id, duplicate=published.duplicate, alerted=published.alerted
        )
        return JSONResponse(body.model_dump(), status_code=200 if published.duplicate else 201)

    @app.get(f"{API}/alerts", response_model=AlertsOut)
    def list_alerts(
        agency: AgencyDep,
        session: SessionDep,
        pending: bool = True,
        after_id: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> AlertsOut:
        """The calling agency's alerts, oldest first (``pending=false`` adds acknowledged)."""
        rows = service.list_alerts(
            session, agency_code=agency, pending_only=pending, after_id=after_id, limit=limit
        )
        return AlertsOut(alerts=[AlertOut.of(alert, record) for alert, record in rows])

    @app.post(f"{API}/alerts/{{alert_id}}/acknowledgement", response_model=AlertOut)
    def acknowledge_alert(alert_id: int, agency: AgencyDep, session: SessionDep) -> AlertOut:
        alert, record = service.acknowledge_alert(
            session, agency_code=agency, alert_id=alert_id, now=datetime.now(UTC)
        )
        return AlertOut.of(alert, record)

    @app.get(f"{API}/cases/{{case_code}}/statuses", response_model=CaseStatusesOut)
    def read_case_statuses(
        case_code: CaseCodeStr, agency: AgencyDep, session: SessionDep
    ) -> CaseStatusesOut:
        """Every status of a case the calling agency is party to (404 otherwise)."""
        records = service.case_records(session, agency_code=agency, case_code=case_code)
        return CaseStatusesOut(
            case_code=case_code, statuses=[StatusOut.model_validate(r) for r in records]
        )

    return app

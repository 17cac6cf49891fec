"""Activities over cases: each idempotent, each writing its audit event in its transaction."""

from zoneinfo import ZoneInfo

from temporalio import activity

from activities.errors import domain_errors_as_application_errors
from casefile.codes import Stage
from casefile.db import SessionFactory, transaction
from casefile.repositories.users import get_user
from casefile.usecases.open_case import open_case
from workflows.io import CreateCaseArgs, OpenCaseResult

__all__ = ["CaseActivities"]


class CaseActivities:
    def __init__(self, session_factory: SessionFactory, zone: ZoneInfo) -> None:
        self._sessions = session_factory
        self._zone = zone

    @activity.defn(name="create_case")
    @domain_errors_as_application_errors
    def create_case(self, args: CreateCaseArgs) -> OpenCaseResult:
        """Create the case; a retry with the same request id returns the case created first."""
        with transaction(self._sessions) as session:
            actor = get_user(session=session, user_id=args.request.actor_id)
            case = open_case(
                session,
                actor=actor,
                new=args.request.case,
                request_id=args.request.request_id,
                opened_at=args.opened_at,
                zone=self._zone,
            )
            return OpenCaseResult(
                code=case.code, stage=Stage(case.stage), agency_code=case.owner_agency.code
            )

"""Move a case to another procedural stage, if the procedure allows the move."""

from sqlalchemy.orm import Session

from casefile.access import check_can_edit_case
from casefile.audit import record_event
from casefile.codes import Stage
from casefile.models import Case, User
from casefile.stages import check_transition
from casefile.status import StatusKind, record_status_change

__all__ = ["change_stage"]


def change_stage(session: Session, *, actor: User, case: Case, target: Stage, reason: str) -> Case:
    """Legal basis: CPC parts 2-5 (see casefile.stages.TRANSITIONS); the new stage is
    shared with the common database (Joint Circular art. 18(4))."""
    check_can_edit_case(actor, case)
    transition = check_transition(Stage(case.stage), target)
    case.stage = target
    record_event(
        session,
        actor=actor.username,
        agency=actor.agency.code,
        action="case.stage_changed",
        object_type="case",
        object_code=case.code,
        details={
            "from": transition.source.value,
            "to": target.value,
            "act": transition.act,
            "article": transition.article,
            "reason": reason,
        },
    )
    record_status_change(
        session,
        agency_code=actor.agency.code,
        case_code=case.code,
        kind=StatusKind.STAGE,
        status=target.value,
    )
    return case

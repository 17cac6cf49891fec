"""Arguments and results of every workflow and activity: frozen Pydantic v2 models.

Payloads carry identifiers and small facts, never document bytes (they travel as SHA-256).
This module must never import SQLAlchemy: it is loaded inside the workflow sandbox.
"""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from casefile.codes import Stage
from casefile.inputs import NewCase

__all__ = ["OpenCaseInput", "OpenCaseResult", "CreateCaseArgs"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class OpenCaseInput(_Frozen):
    request_id: str
    """Idempotency key: the same request never opens two cases."""
    actor_id: int
    case: NewCase


class OpenCaseResult(_Frozen):
    code: str
    stage: Stage
    agency_code: str


class CreateCaseArgs(_Frozen):
    request: OpenCaseInput
    opened_at: datetime
    """Workflow time of the request, so a retried activity assigns the same year."""

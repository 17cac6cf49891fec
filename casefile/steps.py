"""Recorded step results: what makes an activity with side effects safe to retry.

An activity that renders, signs or numbers looks up ``<workflow id>:<step>`` first; if the
step already ran to completion it returns the recorded result instead of acting again
(no second number, no second stored PDF, no second signature).
"""

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from casefile.models import StepResult

__all__ = ["recorded_step", "record_step", "step_key"]


def step_key(workflow_id: str, step: str) -> str:
    return f"{workflow_id}:{step}"


def recorded_step(session: Session, key: str) -> dict[str, Any] | None:
    row = session.get(StepResult, key)
    return None if row is None else json.loads(row.result)


def record_step(session: Session, key: str, result: dict[str, Any]) -> None:
    session.add(
        StepResult(
            key=key, result=json.dumps(result, ensure_ascii=False), created_at=datetime.now(UTC)
        )
    )
    session.flush()

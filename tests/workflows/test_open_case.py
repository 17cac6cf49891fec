"""OpenCase on the real Temporal dev server: result, search attributes, retries, replay."""

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from temporalio.client import Client, WorkflowFailureError, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Replayer

from activities.cases import CaseActivities
from casefile.filecodes import parse_case_code
from casefile.inputs import NewCase
from casefile.models import AuditEvent, Case
from casefile.settings import Settings
from casefile.signing.runtime import SigningRuntime
from tests.conftest import Database
from tests.factories import ZONE
from tests.helpers import assert_eventually
from worker import WORKFLOWS, build_casefile_worker
from workflows import open_case_workflow_id
from workflows.io import CreateCaseArgs, OpenCaseInput, OpenCaseResult
from workflows.open_case import OpenCaseWorkflow

HISTORIES = Path(__file__).parent.parent / "histories"
INVESTIGATOR_ID = 1  # dtv.an, first demo user
PROSECUTOR_ID = 4  # kiemsat.binh, of the procuracy (casefile.demo.DEMO_USERS order)


def _input(actor_id: int = INVESTIGATOR_ID, agency: str = "CSDTHN") -> OpenCaseInput:
    return OpenCaseInput(
        request_id=f"{actor_id}:{uuid.uuid4()}",
        actor_id=actor_id,
        case=NewCase(agency_code=agency, title="Vụ cướp giật tài sản", offence="Điều 171 BLHS"),
    )


async def _run(temporal: Client, settings: Settings, request: OpenCaseInput):
    return await temporal.start_workflow(
        OpenCaseWorkflow.run,
        request,
        id=open_case_workflow_id(settings.task_queue, request.request_id),
        task_queue=settings.task_queue,
    )


@pytest.mark.usefixtures("demo_tokens")
async def test_open_case_workflow_creates_case_and_sets_search_attributes(
    temporal: Client, settings: Settings, database: Database, signing: SigningRuntime
) -> None:
    async with build_casefile_worker(temporal, settings, signing):
        handle = await _run(temporal, settings, _input())
        result = await handle.result()
    assert isinstance(result, OpenCaseResult)
    parse_case_code(result.code)

    async def listed() -> list:
        query = (
            f'CaseCode = "{result.code}" AND ExecutionStatus = "Completed"'
            f' AND TaskQueue = "{settings.task_queue}"'
        )
        return [w async for w in temporal.list_workflows(query)]

    found = await assert_eventually(listed)
    assert [w.id for w in found] == [handle.id]
    with database.sessions() as session:
        assert session.scalar(select(Case.title).where(Case.code == result.code))
        opened = session.scalar(
            select(func.count()).where(
                AuditEvent.action == "case.opened", AuditEvent.object_code == result.code
            )
        )
    assert opened == 1


@pytest.mark.usefixtures("demo_tokens")
async def test_open_case_refused_authority_fails_at_once_without_retrying(
    temporal: Client, settings: Settings, signing: SigningRuntime
) -> None:
    async with build_casefile_worker(temporal, settings, signing):
        handle = await _run(temporal, settings, _input(actor_id=PROSECUTOR_ID))
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
    cause = failure.value.cause.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "NotPermitted"
    history = await handle.fetch_history()
    attempts = [e for e in history.events if e.HasField("activity_task_started_event_attributes")]
    assert attempts[0].activity_task_started_event_attributes.attempt == 1
    assert len(attempts) == 1


@pytest.mark.usefixtures("demo_tokens")
async def test_create_case_activity_retried_creates_one_case(
    database: Database, settings: Settings
) -> None:
    from casefile.db import make_session_factory

    activities = CaseActivities(make_session_factory(database.engine), ZONE)
    from datetime import UTC, datetime

    args = CreateCaseArgs(request=_input(), opened_at=datetime.now(UTC))
    env = ActivityEnvironment()
    first = env.run(activities.create_case, args)
    again = env.run(activities.create_case, args)
    assert first == again
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1


@pytest.mark.usefixtures("demo_tokens")
async def test_open_case_fresh_history_replays(
    temporal: Client, settings: Settings, signing: SigningRuntime
) -> None:
    async with build_casefile_worker(temporal, settings, signing):
        handle = await _run(temporal, settings, _input())
        await handle.result()
    history = await handle.fetch_history()
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)


@pytest.mark.parametrize("path", sorted(HISTORIES.glob("*.json")), ids=lambda p: p.name)
async def test_recorded_history_replays_with_current_code(path: Path) -> None:
    """Histories recorded from earlier versions must replay: a change that would break
    running workflows fails here (guard it with workflow.patched)."""
    data = json.loads(path.read_text())
    history = WorkflowHistory.from_json(data["workflow_id"], data["history"])
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)

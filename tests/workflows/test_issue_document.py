"""IssueDocument: the confirmation deadline on the time-skipping server, retried activities
that never number, store or sign twice, and replay of recorded histories."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Replayer

from activities.issuance import IssuanceActivities
from casefile.blobstore import FileBlobStore
from casefile.db import transaction
from casefile.doctypes import DocType
from casefile.models import AuditEvent, Document, DocumentSignature
from casefile.settings import Settings
from casefile.signing.runtime import SigningRuntime
from tests.casefile.test_rendering import SAMPLES
from tests.conftest import Database
from tests.factories import ZONE, create_case
from worker import WORKFLOWS, build_casefile_worker
from workflows import issue_document_workflow_id
from workflows.io import (
    IssuancePolicy,
    IssueDocumentInput,
    IssueStepArgs,
    RegisterDocumentArgs,
    RenderDraftArgs,
    SignOfficialArgs,
)
from workflows.issue_document import IssueDocumentWorkflow

INVESTIGATOR_ID = 1  # dtv.an


def _request(case_code: str, doc_type: DocType, **extra: object) -> IssueDocumentInput:
    return IssueDocumentInput(
        request_id=f"{INVESTIGATOR_ID}:{uuid.uuid4()}",
        actor_id=INVESTIGATOR_ID,
        case_code=case_code,
        doc_type=doc_type.value,
        fields=SAMPLES[doc_type],
        **extra,
    )


def _new_case(database: Database) -> str:
    with transaction(database.sessions) as session:
        return create_case(session).code


@pytest.mark.usefixtures("demo_tokens")
async def test_issue_unconfirmed_statement_stays_awaiting_confirmation_after_the_deadline(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    signing: SigningRuntime,
) -> None:
    """Three days pass in moments: the document is visibly awaiting confirmation, logged."""
    request = _request(
        _new_case(database),
        DocType.STATEMENT_RECORD,
        policy=IssuancePolicy(confirmation_timeout=timedelta(days=3)),
    )
    client: Client = time_skipping.client
    async with build_casefile_worker(client, settings, signing):
        handle = await client.start_workflow(
            IssueDocumentWorkflow.run,
            request,
            id=issue_document_workflow_id(settings.task_queue, request.request_id),
            task_queue=settings.task_queue,
        )
        result = await handle.result()
        state = await handle.query(IssueDocumentWorkflow.status)
    assert result.status == "awaiting_confirmation"
    assert state.step == "awaiting_confirmation"
    with database.sessions() as session:
        document = session.scalars(select(Document)).one()
        assert document.status == "awaiting_confirmation"
        overdue = session.scalar(
            select(func.count()).where(AuditEvent.action == "document.confirmation_overdue")
        )
    assert overdue == 1


@pytest.mark.usefixtures("demo_tokens")
async def test_issue_steps_retried_never_number_store_or_sign_twice(
    settings: Settings, database: Database, signing: SigningRuntime, tmp_path: Path
) -> None:
    blobs = FileBlobStore(settings.effective_blob_dir)
    activities = IssuanceActivities(database.sessions, blobs, ZONE, signing)
    base = IssueStepArgs(
        workflow_id=f"issue-document:test:{uuid.uuid4()}",
        request=_request(_new_case(database), DocType.SUMMONS),
        issued_at=datetime.now(UTC),
    )
    env = ActivityEnvironment()
    context = env.run(activities.authorize_issue, base)

    def stored() -> int:
        return sum(1 for p in blobs.root.rglob("*") if p.is_file())

    draft = env.run(activities.render_draft, RenderDraftArgs(step=base, context=context))
    assert env.run(activities.render_draft, RenderDraftArgs(step=base, context=context)) == draft
    folded = env.run(activities.authorize_and_render, base)  # the one-step path, retried
    assert (folded.context, folded.draft) == (context, draft)
    after_render = stored()
    sign_args = SignOfficialArgs(step=base, context=context, draft=draft)
    signed = await env.run(activities.sign_official, sign_args)
    assert await env.run(activities.sign_official, sign_args) == signed
    register_args = RegisterDocumentArgs(step=base, context=context, signed=signed)
    registered = await env.run(activities.register_document, register_args)
    assert await env.run(activities.register_document, register_args) == registered
    assert stored() == after_render + 2  # one signed PDF, one stamped PDF
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        assert session.scalar(select(func.count()).select_from(DocumentSignature)) == 2
    assert registered.procedural_number.startswith("1/")


@pytest.mark.usefixtures("demo_tokens")
async def test_issue_document_fresh_history_replays(
    temporal: Client, settings: Settings, database: Database, signing: SigningRuntime
) -> None:
    request = _request(_new_case(database), DocType.SUMMONS)
    async with build_casefile_worker(temporal, settings, signing):
        handle = await temporal.start_workflow(
            IssueDocumentWorkflow.run,
            request,
            id=issue_document_workflow_id(settings.task_queue, request.request_id),
            task_queue=settings.task_queue,
        )
        assert (await handle.result()).status == "filed"
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)
    await replayer.replay_workflow(await handle.fetch_history())

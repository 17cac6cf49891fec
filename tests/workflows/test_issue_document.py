"""IssueDocument: the confirmation deadline on the time-skipping server, retried activities
that never number, store or sign twice, the delivery started for each recipient once the
document is filed, and replay of recorded histories."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Replayer

from activities.issuance import IssuanceActivities
from casefile.blobstore import FileBlobStore
from casefile.db import transaction
from casefile.delivery import RecipientStatus, Route
from casefile.doctypes import DocType
from casefile.models import AuditEvent, Document, DocumentSignature
from casefile.settings import Settings
from casefile.signing.runtime import SigningRuntime
from tests.casefile.test_rendering import SAMPLES
from tests.conftest import Database
from tests.factories import ZONE, add_party, create_case
from worker import WORKFLOWS, build_casefile_worker
from workflows import (
    deliver_document_workflow_id,
    document_delivery_request_id,
    issue_document_workflow_id,
)
from workflows.deliver_document import DeliverDocumentWorkflow
from workflows.io import (
    DeliveryStatus,
    IssuancePolicy,
    IssueDocumentInput,
    IssueDocumentResult,
    IssueStepArgs,
    PaperReceipt,
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


async def _start(
    client: Client, settings: Settings, request: IssueDocumentInput
) -> WorkflowHandle[IssueDocumentWorkflow, IssueDocumentResult]:
    return await client.start_workflow(
        IssueDocumentWorkflow.run,
        request,
        id=issue_document_workflow_id(settings.task_queue, request.request_id),
        task_queue=settings.task_queue,
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
        handle = await _start(client, settings, request)
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


def _case_with_party(database: Database) -> tuple[str, str]:
    with transaction(database.sessions) as session:
        case = create_case(session)
        return case.code, add_party(session, case).code  # no account: delivered on paper


async def _awaiting(handle, awaited: str) -> DeliveryStatus:
    for _ in range(300):  # the child runs on its own: poll its state (no time assertion)
        status = await handle.query(DeliverDocumentWorkflow.status)
        if status.awaiting == awaited:
            return status
        await asyncio.sleep(0.1)
    raise AssertionError(f"the delivery never awaited {awaited}: {status}")


@pytest.mark.usefixtures("demo_tokens")
async def test_issued_summons_is_delivered_to_its_recipient_by_a_child_process(
    own_time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    signing: SigningRuntime,
) -> None:
    """DESIGN "Issue a document: ... → one delivery per recipient" (art. 9(4)): the child has
    the id the delivery endpoint uses, and goes on after the issuing process has ended."""
    case_code, party = _case_with_party(database)
    request = _request(
        case_code, DocType.SUMMONS, recipients=[party], task_queue=settings.task_queue
    )
    client: Client = own_time_skipping.client
    async with build_casefile_worker(client, settings, signing):
        handle = await _start(client, settings, request)
        result = await handle.result()
        expected = deliver_document_workflow_id(
            settings.task_queue, document_delivery_request_id(result.document_code, party)
        )
        assert (result.status, result.recipients, result.deliveries) == (
            "filed",
            [party],
            [expected],
        )
        delivery = client.get_workflow_handle_for(DeliverDocumentWorkflow.run, expected)
        waiting = await _awaiting(delivery, "paper_receipt")  # the issuing process is over
        assert waiting.route is Route.PAPER
        await delivery.execute_update(
            DeliverDocumentWorkflow.paper_receipt,
            PaperReceipt(signed_at=datetime.now(UTC), received_by="Đặng Quốc Khánh"),
        )
        delivered = await delivery.result()
    assert delivered.status is RecipientStatus.DELIVERED_PAPER
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)
    await replayer.replay_workflow(await handle.fetch_history())


@pytest.mark.usefixtures("demo_tokens")
async def test_issued_with_deliver_false_starts_no_delivery(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    signing: SigningRuntime,
) -> None:
    """A document delivered by hand: the officer opts out; nothing is started."""
    case_code, party = _case_with_party(database)
    request = _request(case_code, DocType.SUMMONS, recipients=[party], deliver=False)
    client: Client = time_skipping.client
    async with build_casefile_worker(client, settings, signing):
        result = await (await _start(client, settings, request)).result()
    assert (result.recipients, result.deliveries) == ([party], [])
    never = deliver_document_workflow_id(
        settings.task_queue, document_delivery_request_id(result.document_code, party)
    )
    with pytest.raises(RPCError) as missing:
        await client.get_workflow_handle(never).describe()
    assert missing.value.status == RPCStatusCode.NOT_FOUND

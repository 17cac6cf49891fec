"""Record a history of each workflow into tests/histories/ for the replay tests.

Existing files are kept: every recorded history must keep replaying with the current code
(guard incompatible changes with ``workflow.patched``). When a workflow changes on purpose,
bump its version below and run this again to add a history of the new shape.

    .venv/bin/python scripts/record_histories.py
"""

import asyncio
import json
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casefile.codes import Stage  # noqa: E402
from casefile.db import make_engine, make_session_factory, migrate, transaction  # noqa: E402
from casefile.delivery import (  # noqa: E402
    DeliveryPolicy,
    electronic_idempotency_key,
    recipient_facts,
)
from casefile.demo import load_demo_data  # noqa: E402
from casefile.inputs import NewCase, NewParty  # noqa: E402
from casefile.legaltime import LegalCalendar  # noqa: E402
from casefile.models import User  # noqa: E402
from casefile.notification import Channel, Form  # noqa: E402
from casefile.repositories.cases import get_case_by_code  # noqa: E402
from casefile.settings import Settings  # noqa: E402
from casefile.signing.runtime import SigningRuntime  # noqa: E402
from casefile.usecases.add_party import add_party  # noqa: E402
from platforms.simulator import create_simulator_app  # noqa: E402
from tests.casefile.test_notification_rules import CONTENT  # noqa: E402
from tests.casefile.test_rendering import SAMPLES  # noqa: E402
from worker import build_workers, running  # noqa: E402
from workflows import (  # noqa: E402
    SEARCH_ATTRIBUTES,
    deliver_document_workflow_id,
    document_delivery_request_id,
    issue_document_workflow_id,
    open_case_workflow_id,
    public_notification_workflow_id,
    receive_case_file_workflow_id,
)
from workflows.deliver_document import DeliverDocumentWorkflow  # noqa: E402
from workflows.io import (  # noqa: E402
    AccessConfirmed,
    DeliverDocumentInput,
    DeliveryNotification,
    IssueDocumentInput,
    OpenCaseInput,
    PlatformReceipt,
    PublicNotificationInput,
)
from workflows.issue_document import IssueDocumentWorkflow  # noqa: E402
from workflows.notify_publicly import PublicNotificationWorkflow  # noqa: E402
from workflows.open_case import OpenCaseWorkflow  # noqa: E402
from workflows.receive_case_file import ReceiveCaseFileWorkflow  # noqa: E402
from workflows.transfer_case_file import TransferCaseFileWorkflow  # noqa: E402

HISTORIES = ROOT / "tests" / "histories"
VERSIONS = {
    "open_case": 1,
    "issue_document": 3,
    "deliver_document": 3,
    "public_notification": 1,
    "transfer_case_file": 1,
    "receive_case_file": 1,
}
"""Kept from earlier versions: issue_document_v1 (four activities), v2 (fewer steps),
deliver_document_v1 (paper, before the platform-task-queues patch), deliver_document_v2
(the delivery started after issuing, electronic on the platform's own queue, its receipt
signalled). Added: issue_document_v3 (a recipient, so the delivery starts after issuing),
deliver_document_v3 (whereabouts unknown: posted for a demo day, then notified publicly
through a child PublicNotification), public_notification_v1
(request document filed, notices on the account and the portal, access confirmed),
transfer_case_file_v1 and receive_case_file_v1 (a file sent to the procuracy, checked and
accepted, on one installation serving both agencies)."""
ACCOUNT = "TK001090000001"
"""An active account seeded in the platform simulator."""
DAY_SECONDS = 10
"""A demo legal day (the shortest LegalCalendar allows): the notification's three days pass
in half a minute."""


async def _await_status(handle: WorkflowHandle, query: object, ready: object) -> None:
    while not ready(await handle.query(query)):
        await asyncio.sleep(0.2)


async def _record(client: Client, settings: Settings, engine: object) -> dict:
    """Run one of each process; return their handles by history name."""
    request = OpenCaseInput(
        request_id=f"1:{uuid.uuid4()}",
        actor_id=1,
        case=NewCase(agency_code="CSDTHN", title="Vụ trộm cắp tài sản"),
    )
    opened = await client.start_workflow(
        OpenCaseWorkflow.run,
        request,
        id=open_case_workflow_id(settings.task_queue, request.request_id),
        task_queue=settings.task_queue,
    )
    case = await opened.result()
    with transaction(make_session_factory(engine)) as session:
        party = add_party(
            session,
            actor=session.get(User, 1),
            case=get_case_by_code(session=session, code=case.code),
            new=NewParty(role="suspect", full_name="Đặng Quốc Khánh", e_account=ACCOUNT),
            person=None,
        ).code
    issue = IssueDocumentInput(
        request_id=f"1:{uuid.uuid4()}",
        actor_id=1,
        case_code=case.code,
        doc_type="summons",
        fields=SAMPLES["summons"],
        recipients=[party],
        task_queue=settings.task_queue,
    )
    issued = await client.start_workflow(
        IssueDocumentWorkflow.run,
        issue,
        id=issue_document_workflow_id(settings.task_queue, issue.request_id),
        task_queue=settings.task_queue,
    )
    issued_result = await issued.result()
    [delivery_id] = issued_result.deliveries
    delivered = client.get_workflow_handle_for(DeliverDocumentWorkflow.run, delivery_id)
    await _await_status(
        delivered, DeliverDocumentWorkflow.status, lambda s: s.awaiting == "platform_receipt"
    )
    await delivered.signal(  # what the webhook endpoint sends on the platform's receipt
        DeliverDocumentWorkflow.platform_receipt,
        PlatformReceipt(
            kind="delivered",
            at=datetime.now(UTC),
            idempotency_key=electronic_idempotency_key(delivery_id),
        ),
    )
    await delivered.result()
    via_notice = await _deliver_to_unknown_whereabouts(
        client, settings, engine, case.code, issued_result.document_code
    )
    notice = PublicNotificationInput(
        request_id=f"1:{uuid.uuid4()}",
        actor_id=1,
        case_code=case.code,
        document_code=issued_result.document_code,
        party_code=party,
        forms=[Form.ACCOUNT],
        content=CONTENT,
        calendar=LegalCalendar(day_seconds=DAY_SECONDS, epoch=datetime.now(UTC)),
        account=ACCOUNT,
    )
    notified = await client.start_workflow(
        PublicNotificationWorkflow.run,
        notice,
        id=public_notification_workflow_id(settings.task_queue, notice.request_id),
        task_queue=settings.task_queue,
    )
    await _await_status(
        notified, PublicNotificationWorkflow.status, lambda s: s.request_document_code
    )
    await notified.signal(  # the platform reports the notice reached the account
        PublicNotificationWorkflow.access_confirmed,
        AccessConfirmed(channel=Channel.ACCOUNT, at=datetime.now(UTC)),
    )
    await notified.result()
    await via_notice.result()
    return {
        "open_case": opened,
        "issue_document": issued,
        "deliver_document": via_notice,
        "public_notification": notified,
    }


async def _deliver_to_unknown_whereabouts(
    client: Client, settings: Settings, engine: object, case_code: str, document_code: str
) -> WorkflowHandle:
    """Whereabouts unknown: posted publicly for one demo day without result, then notified
    publicly on the portal (art. 9(4)(c)-(d), 19(1)); the process is left running."""
    with transaction(make_session_factory(engine)) as session:
        away = add_party(
            session,
            actor=session.get(User, 1),
            case=get_case_by_code(session=session, code=case_code),
            new=NewParty(role="suspect", full_name="Vũ Văn Vắng", whereabouts_known=False),
            person=None,
        )
        party_code, facts = away.code, recipient_facts(away)
    request = DeliverDocumentInput(
        request_id=document_delivery_request_id(document_code, party_code),
        actor_id=1,
        case_code=case_code,
        document_code=document_code,
        party_code=party_code,
        recipient=facts,
        policy=DeliveryPolicy(
            posting_days=1,
            calendar=LegalCalendar(day_seconds=DAY_SECONDS, epoch=datetime.now(UTC)),
        ),
        notification=DeliveryNotification(forms=[Form.PORTAL], content=CONTENT),
        task_queue=settings.task_queue,
    )
    return await client.start_workflow(
        DeliverDocumentWorkflow.run,
        request,
        id=deliver_document_workflow_id(settings.task_queue, request.request_id),
        task_queue=settings.task_queue,
    )


async def _record_transfer(client: Client, signing: SigningRuntime, folder: Path) -> dict:
    """A case file from the police to the procuracy, accepted (both sides' processes)."""
    from tests.transfers.conftest import case_in_stage, installations

    async with installations(
        ["CSDTHN"], kind="sqlite", folder=folder, temporal=client, signing=signing
    ) as ((shared,), _):
        case = case_in_stage(shared, Stage.INVESTIGATION, username="dtv.an")
        started = await shared.api.post(
            f"/api/v1/cases/{case}/transfers",
            json={"kind": "investigation_conclusion", "to_agency_code": "VKSHN"},
            headers=shared.headers("dtv.an"),
        )
        started.raise_for_status()
        transfer_id = started.json()["transfer_id"]
        sender = client.get_workflow_handle(started.json()["workflow_id"])
        receiver = client.get_workflow_handle(
            receive_case_file_workflow_id(shared.settings.task_queue, transfer_id)
        )
        await _await_status(sender, TransferCaseFileWorkflow.status, lambda s: s.state == "sent")
        await _await_status(
            receiver, ReceiveCaseFileWorkflow.status, lambda s: s.step == "awaiting_decision"
        )
        decided = await shared.api.post(
            f"/api/v1/transfers/{transfer_id}/decision",
            json={"decision": "accept"},
            headers=shared.headers("kiemsat.binh"),
        )
        decided.raise_for_status()
        await sender.result()
        await receiver.result()
    return {"transfer_case_file": sender, "receive_case_file": receiver}


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), task_queue="record-histories")
        engine = make_engine(settings.effective_database_url)
        migrate(engine)
        with transaction(make_session_factory(engine)) as session:
            load_demo_data(session, Path(tmp) / "tokens.json")
        simulator = create_simulator_app(
            Path(tmp) / "sim", webhook_url=None, webhook_secret=b"unused", day_seconds=DAY_SECONDS
        )
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
            data_converter=pydantic_data_converter,
            search_attributes=list(SEARCH_ATTRIBUTES),
        )
        platforms = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=simulator), base_url="http://sim"
        )
        async with (
            env,
            platforms,
            SigningRuntime.start(settings.pki_dir) as signing,
            running(build_workers(env.client, settings, signing, platforms=platforms)),
        ):
            handles = await _record(env.client, settings, engine)
            handles |= await _record_transfer(env.client, signing, Path(tmp) / "transfer")
            for name, handle in handles.items():
                out = HISTORIES / f"{name}_v{VERSIONS[name]}.json"
                if out.exists():
                    print(f"kept {out}")  # noqa: T201
                    continue
                history = await handle.fetch_history()
                out.write_text(
                    json.dumps(
                        {"workflow_id": handle.id, "history": history.to_json_dict()}, indent=1
                    )
                )
                print(f"wrote {out}")  # noqa: T201


if __name__ == "__main__":
    asyncio.run(main())

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

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casefile.db import make_engine, make_session_factory, migrate, transaction  # noqa: E402
from casefile.delivery import RecipientFacts  # noqa: E402
from casefile.demo import load_demo_data  # noqa: E402
from casefile.inputs import NewCase, NewParty  # noqa: E402
from casefile.models import User  # noqa: E402
from casefile.repositories.cases import get_case_by_code  # noqa: E402
from casefile.settings import Settings  # noqa: E402
from casefile.signing.runtime import SigningRuntime  # noqa: E402
from casefile.usecases.add_party import add_party  # noqa: E402
from tests.casefile.test_rendering import SAMPLES  # noqa: E402
from worker import build_workers, running  # noqa: E402
from workflows import (  # noqa: E402
    SEARCH_ATTRIBUTES,
    deliver_document_workflow_id,
    issue_document_workflow_id,
    open_case_workflow_id,
)
from workflows.deliver_document import DeliverDocumentWorkflow  # noqa: E402
from workflows.io import (  # noqa: E402
    DeliverDocumentInput,
    IssueDocumentInput,
    OpenCaseInput,
    PaperReceipt,
)
from workflows.issue_document import IssueDocumentWorkflow  # noqa: E402
from workflows.open_case import OpenCaseWorkflow  # noqa: E402

HISTORIES = ROOT / "tests" / "histories"
VERSIONS = {"open_case": 1, "issue_document": 2, "deliver_document": 1}


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), task_queue="record-histories")
        engine = make_engine(settings.effective_database_url)
        migrate(engine)
        with transaction(make_session_factory(engine)) as session:
            load_demo_data(session, Path(tmp) / "tokens.json")
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
            data_converter=pydantic_data_converter,
            search_attributes=list(SEARCH_ATTRIBUTES),
        )
        async with (
            env,
            SigningRuntime.start(settings.pki_dir) as signing,
            running(build_workers(env.client, settings, signing)),
        ):
            request = OpenCaseInput(
                request_id=f"1:{uuid.uuid4()}",
                actor_id=1,
                case=NewCase(agency_code="CSDTHN", title="Vụ trộm cắp tài sản"),
            )
            opened = await env.client.start_workflow(
                OpenCaseWorkflow.run,
                request,
                id=open_case_workflow_id(settings.task_queue, request.request_id),
                task_queue=settings.task_queue,
            )
            case = await opened.result()
            issue = IssueDocumentInput(
                request_id=f"1:{uuid.uuid4()}",
                actor_id=1,
                case_code=case.code,
                doc_type="summons",
                fields=SAMPLES["summons"],
            )
            issued = await env.client.start_workflow(
                IssueDocumentWorkflow.run,
                issue,
                id=issue_document_workflow_id(settings.task_queue, issue.request_id),
                task_queue=settings.task_queue,
            )
            issued_result = await issued.result()
            with transaction(make_session_factory(engine)) as session:
                party = add_party(
                    session,
                    actor=session.get(User, 1),
                    case=get_case_by_code(session=session, code=case.code),
                    new=NewParty(role="suspect", full_name="Đặng Quốc Khánh"),
                    person=None,
                ).code
            delivery = DeliverDocumentInput(
                request_id=f"1:{uuid.uuid4()}",
                actor_id=1,
                case_code=case.code,
                document_code=issued_result.document_code,
                party_code=party,
                recipient=RecipientFacts(account=None),  # no account: paper delivery
            )
            delivered = await env.client.start_workflow(
                DeliverDocumentWorkflow.run,
                delivery,
                id=deliver_document_workflow_id(settings.task_queue, delivery.request_id),
                task_queue=settings.task_queue,
            )
            while (await delivered.query(DeliverDocumentWorkflow.status)).awaiting != (
                "paper_receipt"
            ):
                await asyncio.sleep(0.2)
            await delivered.execute_update(
                DeliverDocumentWorkflow.paper_receipt,
                PaperReceipt(signed_at=datetime.now(UTC), received_by="Đặng Quốc Khánh"),
            )
            await delivered.result()
            for name, handle in (
                ("open_case", opened),
                ("issue_document", issued),
                ("deliver_document", delivered),
            ):
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

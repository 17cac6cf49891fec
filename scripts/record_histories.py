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
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casefile.db import make_engine, make_session_factory, migrate, transaction  # noqa: E402
from casefile.demo import load_demo_data  # noqa: E402
from casefile.inputs import NewCase  # noqa: E402
from casefile.settings import Settings  # noqa: E402
from casefile.signing.runtime import SigningRuntime  # noqa: E402
from tests.casefile.test_rendering import SAMPLES  # noqa: E402
from worker import build_casefile_worker  # noqa: E402
from workflows import SEARCH_ATTRIBUTES, issue_document_workflow_id, open_case_workflow_id  # noqa: E402
from workflows.io import IssueDocumentInput, OpenCaseInput  # noqa: E402
from workflows.issue_document import IssueDocumentWorkflow  # noqa: E402
from workflows.open_case import OpenCaseWorkflow  # noqa: E402

HISTORIES = ROOT / "tests" / "histories"
VERSIONS = {"open_case": 1, "issue_document": 1}


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
            build_casefile_worker(env.client, settings, signing),
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
            await issued.result()
            for name, handle in (("open_case", opened), ("issue_document", issued)):
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

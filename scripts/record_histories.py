"""Record a history of each workflow into tests/histories/ for the replay tests.

Run when a workflow's code changes on purpose, keeping the old files: every recorded
history must keep replaying (guard incompatible changes with ``workflow.patched``).

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
from worker import build_casefile_worker  # noqa: E402
from workflows import SEARCH_ATTRIBUTES, open_case_workflow_id  # noqa: E402
from workflows.io import OpenCaseInput  # noqa: E402
from workflows.open_case import OpenCaseWorkflow  # noqa: E402


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
        async with env, build_casefile_worker(env.client, settings):
            request = OpenCaseInput(
                request_id=f"1:{uuid.uuid4()}",
                actor_id=1,
                case=NewCase(agency_code="CSDTHN", title="Vụ trộm cắp tài sản"),
            )
            handle = await env.client.start_workflow(
                OpenCaseWorkflow.run,
                request,
                id=open_case_workflow_id(settings.task_queue, request.request_id),
                task_queue=settings.task_queue,
            )
            await handle.result()
            history = await handle.fetch_history()
        out = ROOT / "tests" / "histories" / "open_case_v1.json"
        out.write_text(
            json.dumps({"workflow_id": handle.id, "history": history.to_json_dict()}, indent=1)
        )
        print(f"wrote {out}")  # noqa: T201


if __name__ == "__main__":
    asyncio.run(main())

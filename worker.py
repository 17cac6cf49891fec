"""Start the Temporal worker(s): workflows and activities registered per task queue.

Run with ``hoso worker`` (or ``python worker.py``); ``hoso dev`` starts it as a child.
"""

import asyncio
import concurrent.futures
import logging

from temporalio.client import Client
from temporalio.worker import Worker

from activities.cases import CaseActivities
from casefile.db import make_engine, make_session_factory
from casefile.settings import Settings, get_settings
from workflows.client import connect
from workflows.open_case import OpenCaseWorkflow

__all__ = ["WORKFLOWS", "build_casefile_worker", "run_worker"]

WORKFLOWS = [OpenCaseWorkflow]
log = logging.getLogger("hoso.worker")


def build_casefile_worker(
    client: Client,
    settings: Settings,
    *,
    task_queue: str | None = None,
    executor: concurrent.futures.Executor | None = None,
) -> Worker:
    """The worker for the case-file queue: the workflows plus the database activities."""
    sessions = make_session_factory(make_engine(settings.effective_database_url))
    cases = CaseActivities(sessions, settings.zone)
    return Worker(
        client,
        task_queue=task_queue or settings.task_queue,
        workflows=WORKFLOWS,
        activities=[cases.create_case],
        activity_executor=executor or concurrent.futures.ThreadPoolExecutor(max_workers=8),
    )


async def run_worker(settings: Settings) -> None:
    client = await connect(settings.temporal_address, settings.temporal_namespace)
    worker = build_casefile_worker(client, settings)
    log.info("worker polling %s on %s", settings.task_queue, settings.temporal_address)
    await worker.run()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run_worker(get_settings()))

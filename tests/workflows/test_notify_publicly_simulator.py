"""PublicNotification against the platform simulator over HTTP (httpx, the simulator's own
FastAPI app): three notices per channel, evidence filed, and retries after lost replies
that never publish twice. Days pass on the time-skipping server."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.notification import NotificationActivities
from activities.platform_clients import HttpPlatforms
from casefile.blobstore import FileBlobStore
from casefile.db import transaction
from casefile.models import Document
from casefile.notification import Channel, Form
from casefile.settings import Settings
from platforms.simulator import create_simulator_app
from tests.casefile.test_notification_rules import CONTENT
from tests.conftest import Database
from tests.factories import add_document, add_party, create_case
from worker import platform_workers, running
from workflows.io import PublicNotificationInput
from workflows.notify_publicly import PublicNotificationWorkflow

ACCOUNT = "TK001090000001"  # an active account seeded in the simulator
NATIONAL_ID = "001090000001"


@pytest.mark.usefixtures("demo_tokens")
async def test_notification_through_the_simulator_publishes_each_notice_once(
    time_skipping: WorkflowEnvironment,
    settings: Settings,
    database: Database,
    blobs: FileBlobStore,
    tmp_path: Path,
) -> None:
    simulator = create_simulator_app(tmp_path / "sim", webhook_url=None, webhook_secret=b"s")
    transport = httpx.ASGITransport(app=simulator)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        # half the portal's and newspaper's replies are lost after the work is done
        for platform in ("portal", "newspaper"):
            response = await http.put(
                f"/control/outages/{platform}", json={"lost_reply_rate": 0.5, "seed": 7}
            )
            response.raise_for_status()
        with transaction(database.sessions) as session:
            case = create_case(session)
            document = add_document(session, case, blobs)
            codes = case.code, document.code, add_party(session, case).code
        request = PublicNotificationInput(
            request_id=str(uuid.uuid4()),
            actor_id=1,
            case_code=codes[0],
            document_code=codes[1],
            party_code=codes[2],
            forms=[Form.MASS_MEDIA, Form.NDC_APP],
            content=CONTENT,
            account=ACCOUNT,
            national_id=NATIONAL_ID,
        )
        activities = NotificationActivities(database.sessions, blobs, HttpPlatforms(http))
        casefile = Worker(
            time_skipping.client,
            task_queue=settings.task_queue,
            workflows=[PublicNotificationWorkflow],
            activities=activities.activities(),
            activity_executor=ThreadPoolExecutor(4),
        )
        platforms = platform_workers(
            time_skipping.client, settings.task_queue, notification=activities
        )
        async with running([casefile, *platforms]):
            result = await time_skipping.client.execute_workflow(
                PublicNotificationWorkflow.run,
                request,
                id=f"notify:{request.request_id}",
                task_queue=settings.task_queue,
            )
        log = (await http.get("/control/log")).json()["calls"]
    accepted = {}
    for call in log:
        accepted[call["platform"]] = accepted.get(call["platform"], 0) + 1
    assert accepted == {"newspaper": 3, "tv": 3, "ndc": 3, "portal": 3}
    assert sum(call["replays"] for call in log) > 0  # lost replies were retried, same keys
    states = {s.channel: s for s in result.channels}
    assert all(states[c].publications == 3 for c in (Channel.NEWSPAPER, Channel.PORTAL))
    with database.sessions() as session:
        filed = session.scalar(
            select(func.count()).where(Document.doc_type == "notification_evidence")
        )
    assert filed == 12  # art. 20(3)(b): every publication's printout or confirmation

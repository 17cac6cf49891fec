"""Start the Temporal worker(s): workflows and activities registered per task queue.

Run with ``hoso worker`` (or ``python worker.py``); ``hoso dev`` starts it as a child.
"""

import asyncio
import concurrent.futures
import gc
import logging

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from activities.cases import CaseActivities
from activities.delivery import DeliveryActivities, HttpDeliveryPlatform
from activities.issuance import IssuanceActivities
from activities.notification import NotificationActivities
from activities.platform_clients import HttpPlatforms
from casefile.blobstore import FileBlobStore
from casefile.db import make_engine, make_session_factory
from casefile.settings import Settings, get_settings
from casefile.signing.runtime import Pkcs11Settings, SigningRuntime
from workflows.client import connect
from workflows.deliver_document import DeliverDocumentWorkflow
from workflows.issue_document import IssueDocumentWorkflow
from workflows.notify_publicly import PublicNotificationWorkflow
from workflows.open_case import OpenCaseWorkflow

__all__ = ["WORKFLOWS", "build_casefile_worker", "run_worker", "pkcs11_settings"]

WORKFLOWS = [
    OpenCaseWorkflow,
    IssueDocumentWorkflow,
    PublicNotificationWorkflow,
    DeliverDocumentWorkflow,
]
log = logging.getLogger("hoso.worker")


def build_casefile_worker(
    client: Client,
    settings: Settings,
    signing: SigningRuntime,
    *,
    task_queue: str | None = None,
    executor: concurrent.futures.Executor | None = None,
    platforms: httpx.AsyncClient | None = None,
) -> Worker:
    """The worker for the case-file queue: the workflows plus the database, signing and
    platform activities. ``signing`` must have been started in the loop the worker runs in;
    ``platforms`` defaults to a client of HOSO_PLATFORMS_URL."""
    sessions = make_session_factory(make_engine(settings.effective_database_url))
    blobs = FileBlobStore(settings.effective_blob_dir)
    cases = CaseActivities(sessions, settings.zone)
    issuance = IssuanceActivities(sessions, blobs, settings.zone, signing)
    http = platforms or httpx.AsyncClient(
        base_url=settings.platforms_url, timeout=settings.platforms_timeout_seconds
    )
    notification = NotificationActivities(sessions, blobs, HttpPlatforms(http))
    delivery = DeliveryActivities(sessions, blobs, HttpDeliveryPlatform(http))
    return Worker(
        client,
        task_queue=task_queue or settings.task_queue,
        workflows=WORKFLOWS,
        activities=[
            cases.create_case,
            *issuance.activities(),
            *notification.activities(),
            *delivery.activities(),
        ],
        activity_executor=executor or concurrent.futures.ThreadPoolExecutor(max_workers=8),
    )


QUIET_LOGGERS = ("fontTools",)
"""Loggers kept at WARNING: fontTools logs every font subset of every visible signature
block at INFO (~80 lines per document), which costs the worker CPU for nothing."""


async def run_worker(settings: Settings) -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    client = await connect(settings.temporal_address, settings.temporal_namespace)
    async with SigningRuntime.start(settings.pki_dir, pkcs11=pkcs11_settings(settings)) as signing:
        worker = build_casefile_worker(client, settings, signing)
        # everything imported and set up so far lives as long as the process: keep it out
        # of the cyclic garbage collector's scans (each full collection walked it all)
        gc.collect()
        gc.freeze()
        log.info("worker polling %s on %s", settings.task_queue, settings.temporal_address)
        await worker.run()


def pkcs11_settings(settings: Settings) -> Pkcs11Settings | None:
    if settings.signer_backend != "pkcs11":
        return None
    return Pkcs11Settings(settings.pkcs11_module, settings.pkcs11_token, settings.pkcs11_pin)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run_worker(get_settings()))

"""Start the Temporal worker(s): workflows and activities registered per task queue.

Run with ``hoso worker`` (or ``python worker.py``); ``hoso dev`` starts it as a child.
"""

import asyncio
import concurrent.futures
import gc
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from activities.backlog import BacklogRelease
from activities.cases import CaseActivities
from activities.delivery import DeliveryActivities, HttpDeliveryPlatform
from activities.issuance import IssuanceActivities
from activities.notification import NotificationActivities
from activities.platform_clients import HttpPlatforms
from activities.transfer import AgencyPeers, TransferActivities
from casefile.agencylink import AgencySeals
from casefile.blobstore import FileBlobStore
from casefile.db import make_engine, make_session_factory
from casefile.notification import Channel
from casefile.settings import Settings, get_settings
from casefile.signing.runtime import Pkcs11Settings, SigningRuntime
from workflows import platform_task_queue
from workflows.client import connect
from workflows.deliver_document import DeliverDocumentWorkflow
from workflows.issue_document import IssueDocumentWorkflow
from workflows.notify_publicly import PublicNotificationWorkflow
from workflows.open_case import OpenCaseWorkflow
from workflows.receive_case_file import ReceiveCaseFileWorkflow
from workflows.transfer_case_file import TransferCaseFileWorkflow

__all__ = [
    "CASEFILE_QUEUE",
    "QUEUES",
    "WORKFLOWS",
    "build_casefile_worker",
    "build_workers",
    "platform_workers",
    "running",
    "run_worker",
    "pkcs11_settings",
]

WORKFLOWS = [
    OpenCaseWorkflow,
    IssueDocumentWorkflow,
    PublicNotificationWorkflow,
    DeliverDocumentWorkflow,
    TransferCaseFileWorkflow,
    ReceiveCaseFileWorkflow,
]
CASEFILE_QUEUE = "casefile"
QUEUES = (CASEFILE_QUEUE, *(channel.value for channel in Channel))
"""What ``hoso worker --queue`` accepts: the case-file queue (workflows, database, signing)
and one queue per external platform (workflows.platform_task_queue)."""
log = logging.getLogger("hoso.worker")


@dataclass(frozen=True)
class _Activities:
    cases: CaseActivities
    issuance: IssuanceActivities | None
    notification: NotificationActivities
    delivery: DeliveryActivities
    transfer: TransferActivities | None


def _activities(
    settings: Settings,
    signing: SigningRuntime | None,
    platforms: httpx.AsyncClient | None,
    peers: AgencyPeers | None = None,
) -> _Activities:
    sessions = make_session_factory(make_engine(settings.effective_database_url))
    blobs = FileBlobStore(settings.effective_blob_dir)
    http = platforms or httpx.AsyncClient(
        base_url=settings.platforms_url, timeout=settings.platforms_timeout_seconds
    )
    return _Activities(
        cases=CaseActivities(sessions, settings.zone),
        issuance=IssuanceActivities(sessions, blobs, settings.zone, signing) if signing else None,
        notification=NotificationActivities(sessions, blobs, HttpPlatforms(http)),
        delivery=DeliveryActivities(
            sessions,
            blobs,
            HttpDeliveryPlatform(http),
            BacklogRelease(
                namespace=settings.temporal_namespace,
                casefile_queue=settings.task_queue,
                workflow_type="DeliverDocumentWorkflow",
                activity_type="send_electronic_delivery",
            ),
        ),
        transfer=TransferActivities(
            sessions,
            blobs,
            AgencySeals(signing.pki),
            peers
            or AgencyPeers.from_urls(
                settings.peers, settings.own_url, settings.platforms_timeout_seconds
            ),
            signing.policy,
        )
        if signing
        else None,
    )


def _casefile_worker(
    client: Client,
    task_queue: str,
    activities: _Activities,
    executor: concurrent.futures.Executor | None,
) -> Worker:
    assert activities.issuance and activities.transfer, "the case-file worker needs signing"
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[
            activities.cases.create_case,
            *activities.issuance.activities(),
            *activities.transfer.activities(),
            # the platform activities stay here for runs started before the
            # platform-task-queues patch (workflows/policies.py), which call them on this queue
            *activities.notification.activities(),
            *activities.delivery.activities(),
        ],
        activity_executor=executor or concurrent.futures.ThreadPoolExecutor(max_workers=8),
    )


def platform_workers(
    client: Client,
    casefile_queue: str,
    *,
    notification: NotificationActivities,
    delivery: DeliveryActivities | None = None,
    rate_limits: Mapping[str, float] | None = None,
    platforms: Iterable[str] = tuple(channel.value for channel in Channel),
) -> list[Worker]:
    """One activity worker per platform: notices on every platform, and the electronic
    deliveries of art. 9(4)(a) on the account platform. The rate limit is the server's, per
    task queue, so it holds across every worker process polling that platform."""
    workers = []
    for platform in platforms:
        activities: list[Any] = [notification.publish]
        if platform == Channel.ACCOUNT and delivery is not None:
            activities.append(delivery.send_electronic)
        limit = (rate_limits or {}).get(platform)
        workers.append(
            Worker(
                client,
                task_queue=platform_task_queue(casefile_queue, platform),
                activities=activities,
                activity_executor=concurrent.futures.ThreadPoolExecutor(max_workers=4),
                max_task_queue_activities_per_second=limit,
            )
        )
    return workers


def build_workers(
    client: Client,
    settings: Settings,
    signing: SigningRuntime | None,
    *,
    queues: Iterable[str] = QUEUES,
    executor: concurrent.futures.Executor | None = None,
    platforms: httpx.AsyncClient | None = None,
    peers: AgencyPeers | None = None,
) -> list[Worker]:
    """The workers of the chosen queues (default: all) of this instance. ``signing`` (started
    in the loop the workers run in) is needed for the case-file queue only; ``platforms``
    defaults to a client of HOSO_PLATFORMS_URL, ``peers`` to the installations of
    HOSO_PEERS."""
    chosen = list(dict.fromkeys(queues))
    unknown = [queue for queue in chosen if queue not in QUEUES]
    if unknown:
        raise ValueError(f"unknown queue {unknown[0]!r} (known: {', '.join(QUEUES)})")
    activities = _activities(settings, signing, platforms, peers)
    workers = []
    if CASEFILE_QUEUE in chosen:
        workers.append(_casefile_worker(client, settings.task_queue, activities, executor))
    workers += platform_workers(
        client,
        settings.task_queue,
        notification=activities.notification,
        delivery=activities.delivery,
        rate_limits=settings.platform_rate_limits,
        platforms=[queue for queue in chosen if queue != CASEFILE_QUEUE],
    )
    return workers


def build_casefile_worker(
    client: Client,
    settings: Settings,
    signing: SigningRuntime,
    *,
    task_queue: str | None = None,
    executor: concurrent.futures.Executor | None = None,
    platforms: httpx.AsyncClient | None = None,
) -> Worker:
    """The case-file queue's worker alone: enough for processes that call no platform."""
    activities = _activities(settings, signing, platforms)
    return _casefile_worker(client, task_queue or settings.task_queue, activities, executor)


@asynccontextmanager
async def running(workers: Sequence[Worker]) -> AsyncIterator[None]:
    """Run several workers for the duration of a block (tests, scripts)."""
    async with AsyncExitStack() as stack:
        for worker in workers:
            await stack.enter_async_context(worker)
        yield


QUIET_LOGGERS = ("fontTools",)
"""Loggers kept at WARNING: fontTools logs every font subset of every visible signature
block at INFO (~80 lines per document), which costs the worker CPU for nothing."""


async def run_worker(settings: Settings, queues: Sequence[str] = QUEUES) -> None:
    """Poll the chosen queues until stopped; a platform-only worker needs no signing keys."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    client = await connect(settings.temporal_address, settings.temporal_namespace)
    async with AsyncExitStack() as stack:
        signing = None
        if CASEFILE_QUEUE in queues:
            signing = await stack.enter_async_context(
                SigningRuntime.start(settings.pki_dir, pkcs11=pkcs11_settings(settings))
            )
        workers = build_workers(client, settings, signing, queues=queues)
        # everything imported and set up so far lives as long as the process: keep it out
        # of the cyclic garbage collector's scans (each full collection walked it all)
        gc.collect()
        gc.freeze()
        for worker in workers:
            log.info("worker polling %s on %s", worker.task_queue, settings.temporal_address)
        await asyncio.gather(*(worker.run() for worker in workers))


def pkcs11_settings(settings: Settings) -> Pkcs11Settings | None:
    if settings.signer_backend != "pkcs11":
        return None
    return Pkcs11Settings(settings.pkcs11_module, settings.pkcs11_token, settings.pkcs11_pin)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run_worker(get_settings()))

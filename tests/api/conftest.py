"""An API client against the real app, a real Temporal dev server and an in-process worker."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client

from api.main import create_app
from casefile.settings import Settings
from casefile.signing.runtime import SigningRuntime
from platforms.simulator import create_simulator_app
from worker import build_casefile_worker


@pytest.fixture
async def api(
    settings: Settings, temporal: Client, demo_tokens: dict[str, str], signing: SigningRuntime
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, temporal=temporal, signing=signing)
    worker = build_casefile_worker(temporal, settings, signing)
    async with worker, app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hoso.test") as client:
            yield client


@pytest.fixture
def as_user(demo_tokens: dict[str, str]):
    def headers(username: str = "dtv.an") -> dict[str, str]:
        return {"Authorization": f"Bearer {demo_tokens[username]}"}

    return headers


@pytest.fixture
async def stack(
    settings: Settings, temporal: Client, signing: SigningRuntime, demo_tokens, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, object]]:
    """hoso's API and worker with the simulator in process: the worker publishes to it, its
    webhooks go to hoso's app."""
    app = create_app(settings, temporal=temporal, signing=signing)
    simulator = create_simulator_app(
        tmp_path / "sim",
        webhook_url="http://hoso/api/v1/platform-webhooks/{platform}",
        webhook_secret=settings.platform_webhook_secret.encode(),
        webhook_transport=httpx.ASGITransport(app=app),
    )
    platforms = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=simulator), base_url="http://sim"
    )
    worker = build_casefile_worker(temporal, settings, signing, platforms=platforms)
    async with worker, app.router.lifespan_context(app), platforms:
        hoso = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hoso")
        async with hoso:
            yield hoso, platforms, simulator

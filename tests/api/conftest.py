"""An API client against the real app, a real Temporal dev server and an in-process worker."""

from collections.abc import AsyncIterator

import httpx
import pytest
from temporalio.client import Client

from api.main import create_app
from casefile.settings import Settings
from casefile.signing.runtime import SigningRuntime
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

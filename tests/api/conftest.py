"""The real app with a real Temporal dev server, an in-process worker, and the platform
simulator in process (population database, accounts, notices) reached over httpx."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from temporalio.client import Client

from activities.population import PopulationRegistry
from activities.transfer import AgencyPeers
from api.main import create_app
from casefile.settings import Settings
from casefile.signing.runtime import SigningRuntime
from platforms.simulator import create_simulator_app
from worker import QUEUES, build_workers, running


@dataclass
class Stack:
    hoso: httpx.AsyncClient
    platforms: httpx.AsyncClient
    simulator: FastAPI


@asynccontextmanager
async def hoso_stack(
    settings: Settings,
    temporal: Client,
    signing: SigningRuntime,
    state_dir: Path,
    queues: Sequence[str] = QUEUES,
) -> AsyncIterator[Stack]:
    """hoso's API and the workers of ``queues``; the simulator's webhooks go to hoso's app,
    and hoso's platform and population clients go to the simulator."""
    holder: dict[str, FastAPI] = {}
    simulator = create_simulator_app(
        state_dir,
        webhook_url="http://hoso/api/v1/platform-webhooks/{platform}",
        webhook_secret=settings.platform_webhook_secret.encode(),
        webhook_transport=httpx.ASGITransport(app=_Forward(holder)),
    )
    platforms = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=simulator), base_url="http://sim"
    )
    app = create_app(
        settings, temporal=temporal, signing=signing, population=PopulationRegistry(platforms)
    )
    holder["app"] = app
    # transfers between the agencies this installation serves go through its own API
    itself = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=_Forward(holder)), base_url="http://hoso"
    )
    workers = build_workers(
        temporal,
        settings,
        signing,
        queues=queues,
        platforms=platforms,
        peers=AgencyPeers({}, itself),
    )
    async with running(workers), itself, app.router.lifespan_context(app), platforms:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hoso") as hoso:
            yield Stack(hoso, platforms, simulator)


class _Forward:
    """An ASGI app that forwards to hoso's app, made after the simulator that calls it."""

    def __init__(self, holder: dict[str, FastAPI]) -> None:
        self._holder = holder

    async def __call__(self, scope, receive, send) -> None:
        await self._holder["app"](scope, receive, send)


@pytest.fixture
async def stack(
    settings: Settings, temporal: Client, signing: SigningRuntime, demo_tokens, tmp_path: Path
) -> AsyncIterator[Stack]:
    async with hoso_stack(settings, temporal, signing, tmp_path / "sim") as running:
        yield running


@pytest.fixture
async def api(stack: Stack) -> httpx.AsyncClient:
    return stack.hoso


@pytest.fixture
def as_user(demo_tokens: dict[str, str]):
    def headers(username: str = "dtv.an") -> dict[str, str]:
        return {"Authorization": f"Bearer {demo_tokens[username]}"}

    return headers

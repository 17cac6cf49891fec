"""The simulator's FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import anyio.to_thread
import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from platforms.simulator import printouts
from platforms.simulator.clock import DAY_SECONDS, Clock, SystemClock
from platforms.simulator.routes import (
    accounts,
    broadcasts,
    control,
    ndc,
    newspaper,
    population,
    portal,
)
from platforms.simulator.service import (
    WEBHOOK_PLATFORMS,
    Platform,
    PlatformError,
    Simulator,
    SimulatorConfig,
)
from platforms.simulator.store import Store
from platforms.simulator.webhooks import platform_secrets

__all__ = ["create_simulator_app"]


def create_simulator_app(
    state_dir: Path,
    *,
    webhook_url: str | None,
    webhook_secret: bytes | Mapping[str, bytes],
    clock: Clock | None = None,
    day_seconds: float = DAY_SECONDS,
    seed: int = 0,
    public_url: str | None = None,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    webhook_backoff: tuple[float, float] = (0.5, 60.0),
    webhook_poll_seconds: float = 0.1,
) -> FastAPI:
    """Build the simulator of the external platforms, keeping its state in ``state_dir``.

    :param webhook_url: where VNeID, e-gov and NDC report delivery events; ``{platform}``
        in it is replaced by the platform name; ``None`` keeps events pending.
    :param webhook_secret: the master secret (per-platform secrets are derived from it)
        or an explicit ``{platform: secret}`` mapping for vneid, egov and ndc.
    :param clock: the time source (default: real time); a
        :class:`~platforms.simulator.clock.ManualClock` in tests.
    :param day_seconds: real seconds in one legal day (accelerated demo calendar).
    :param webhook_transport: an httpx transport for webhooks (tests: an ASGI receiver).
    :param webhook_backoff: (base, cap) seconds of the exponential webhook retry backoff.

    The background webhook sender runs during the app's lifespan; without it (plain ASGI
    transport in tests) call ``app.state.simulator.pump_webhooks()``.
    """
    simulator = Simulator(
        Store(state_dir),
        clock=clock or SystemClock(),
        config=SimulatorConfig(
            webhook_url=webhook_url,
            webhook_secrets=platform_secrets(webhook_secret, [p.value for p in WEBHOOK_PLATFORMS]),
            public_url=public_url.rstrip("/") if public_url else None,
            day_seconds=day_seconds,
            seed=seed,
            webhook_backoff_base=webhook_backoff[0],
            webhook_backoff_cap=webhook_backoff[1],
            webhook_poll_seconds=webhook_poll_seconds,
        ),
        webhook_transport=webhook_transport,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(printouts.warm_up)
        sender = asyncio.create_task(simulator.run_webhooks(), name="webhook-sender")
        try:
            yield
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
            await simulator.aclose()

    app = FastAPI(
        title="hoso platform simulator",
        description=(
            "Simulated external platforms of Joint Circular art. 3(1), 9(4), 11(1) and 20: "
            "VNeID, the e-government portal, the NDC common application, the agency portal, "
            "a central daily newspaper, national radio and TV, the population database. "
            "TEST ONLY."
        ),
        lifespan=lifespan,
    )
    app.state.simulator = simulator

    @app.exception_handler(PlatformError)
    async def platform_error(request: Request, exc: PlatformError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else {}
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)

    for platform in (Platform.VNEID, Platform.EGOV):
        app.include_router(accounts.account_router(platform))
    app.include_router(ndc.router)
    app.include_router(portal.router)
    app.include_router(newspaper.router)
    for platform in (Platform.RADIO, Platform.TV):
        app.include_router(broadcasts.broadcast_router(platform))
    app.include_router(population.router)
    app.include_router(control.router)
    return app

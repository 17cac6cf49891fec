"""Shared dependencies and helpers of the simulator's routers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from platforms.simulator.service import Accepted, Platform, PlatformError, Simulator

__all__ = [
    "IdempotencyKey",
    "SimulatorDep",
    "accepted_response",
    "add_subject_routes",
    "base_url",
    "guarded",
    "in_thread",
]


def get_simulator(request: Request) -> Simulator:
    return request.app.state.simulator


SimulatorDep = Annotated[Simulator, Depends(get_simulator)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Required on every mutating call; the same key returns the same result.",
    ),
]


def guarded(platform: Platform) -> Callable[[Request], Awaitable[None]]:
    """A dependency applying the platform's simulated outage to every call, and its capacity
    to the calls that create something."""

    async def guard(request: Request) -> None:
        simulator = get_simulator(request)
        await simulator.guard(platform)
        if request.method == "POST":
            simulator.admit(platform)

    return guard


def base_url(request: Request, simulator: Simulator) -> str:
    return (simulator.config.public_url or str(request.base_url)).rstrip("/")


async def in_thread(function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Run a (blocking, SQLite/PDF) service call off the event loop."""
    return await anyio.to_thread.run_sync(partial(function, *args, **kwargs))


async def accepted_response(
    simulator: Simulator, platform: Platform, accepted: Accepted
) -> JSONResponse:
    """The stored result; a replay is marked; a configured lost reply turns it into a 500."""
    if simulator.reply_lost(platform):
        raise PlatformError(500, "reply_lost", "the work was done but the reply was lost")
    headers = {"Idempotent-Replayed": "true"} if accepted.replayed else {}
    return JSONResponse(accepted.body, status_code=accepted.status_code, headers=headers)


def add_subject_routes(router: APIRouter, platform: Platform, collection: str, kind: str) -> None:
    """``GET /{collection}/{id}``, ``.../evidence`` and ``.../evidence.pdf`` for one kind."""

    async def read_subject(subject_id: str, simulator: SimulatorDep) -> dict[str, Any]:
        return await in_thread(simulator.subject, platform, kind, subject_id)

    async def read_evidence(
        subject_id: str, simulator: SimulatorDep, stage: Annotated[str | None, Query()] = None
    ) -> dict[str, Any]:
        record, _ = await in_thread(simulator.evidence, platform, kind, subject_id, stage)
        return record

    async def read_evidence_pdf(
        subject_id: str, simulator: SimulatorDep, stage: Annotated[str | None, Query()] = None
    ) -> Response:
        record, pdf = await in_thread(simulator.evidence, platform, kind, subject_id, stage)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "X-Evidence-Sha256": record["pdf_sha256"],
                "Content-Disposition": f'inline; filename="{record["evidence_id"]}.pdf"',
            },
        )

    path = f"/{collection}/{{subject_id}}"
    router.add_api_route(path, read_subject, methods=["GET"], name=f"read_{kind}")
    router.add_api_route(
        f"{path}/evidence", read_evidence, methods=["GET"], name=f"read_{kind}_evidence"
    )
    router.add_api_route(
        f"{path}/evidence.pdf",
        read_evidence_pdf,
        methods=["GET"],
        name=f"read_{kind}_evidence_pdf",
        response_class=Response,
    )

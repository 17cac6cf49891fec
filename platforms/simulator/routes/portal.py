"""The agency's own information portal / website.

Legal basis: Joint Circular art. 3(1)(a), 20(1)(d) and 20(3)(b).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from platforms.simulator.routes.deps import (
    IdempotencyKey,
    SimulatorDep,
    accepted_response,
    add_subject_routes,
    base_url,
    guarded,
    in_thread,
)
from platforms.simulator.schemas import NoticeCreate
from platforms.simulator.service import Platform

__all__ = ["router"]

router = APIRouter(
    prefix="/portal", tags=["portal"], dependencies=[Depends(guarded(Platform.PORTAL))]
)


@router.post("/notices", status_code=201)
async def create_notice(
    body: NoticeCreate, key: IdempotencyKey, simulator: SimulatorDep, request: Request
) -> JSONResponse:
    """Publish a notice for one legal calendar day (default today)."""
    accepted = await in_thread(
        simulator.create_notice,
        key=key,
        request=body.model_dump(mode="json"),
        base_url=base_url(request, simulator),
    )
    return await accepted_response(simulator, Platform.PORTAL, accepted)


@router.get("/notices")
async def list_notices(
    simulator: SimulatorDep, day: Annotated[date | None, Query()] = None
) -> dict[str, Any]:
    """The notices visible on ``day`` (default today)."""
    wanted = day or simulator.today()
    notices = await in_thread(simulator.notices_on, wanted)
    return {"day": wanted.isoformat(), "notices": notices}


add_subject_routes(router, Platform.PORTAL, "notices", "notice")

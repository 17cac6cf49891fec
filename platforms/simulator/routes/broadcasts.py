"""National radio and television.

Legal basis: Joint Circular art. 20(1)(a) (three times in three consecutive days) and
20(3)(b) (confirmation naming the broadcasting time).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
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
from platforms.simulator.schemas import BroadcastCreate
from platforms.simulator.service import Platform

__all__ = ["broadcast_router"]


def broadcast_router(platform: Platform) -> APIRouter:
    """Broadcasts on ``platform`` (radio or TV)."""
    router = APIRouter(
        prefix=f"/{platform}", tags=[platform.value], dependencies=[Depends(guarded(platform))]
    )

    @router.post("/broadcasts", status_code=201, name=f"{platform}_create_broadcast")
    async def create_broadcast(
        body: BroadcastCreate, key: IdempotencyKey, simulator: SimulatorDep, request: Request
    ) -> JSONResponse:
        """Put a notice in the next bulletin; evidence names channel, programme and time."""
        accepted = await in_thread(
            simulator.create_broadcast,
            platform,
            key=key,
            request=body.model_dump(mode="json"),
            base_url=base_url(request, simulator),
        )
        return await accepted_response(simulator, platform, accepted)

    add_subject_routes(router, platform, "broadcasts", "broadcast")
    return router

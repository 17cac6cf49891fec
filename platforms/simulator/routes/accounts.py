"""Electronic transaction accounts on VNeID and the e-government portal.

Legal basis: Joint Circular art. 3(1)(b)-(c), 9(4)(a), 20(1)(b) and 20(1)(e).
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
from platforms.simulator.schemas import DeliveryCreate
from platforms.simulator.service import Platform

__all__ = ["account_router"]


def account_router(platform: Platform) -> APIRouter:
    """Deliveries to accounts on ``platform`` (VNeID or the e-government portal)."""
    router = APIRouter(
        prefix=f"/{platform}", tags=[platform.value], dependencies=[Depends(guarded(platform))]
    )

    @router.post("/deliveries", status_code=202, name=f"{platform}_create_delivery")
    async def create_delivery(
        body: DeliveryCreate, key: IdempotencyKey, simulator: SimulatorDep, request: Request
    ) -> JSONResponse:
        """Accept a document for an account; webhooks report delivered, opened, confirmed."""
        accepted = await in_thread(
            simulator.create_delivery,
            platform,
            key=key,
            request=body.model_dump(mode="json"),
            base_url=base_url(request, simulator),
        )
        return await accepted_response(simulator, platform, accepted)

    add_subject_routes(router, platform, "deliveries", "delivery")
    return router

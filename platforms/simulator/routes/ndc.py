"""The common application of the National Data Center.

Legal basis: Joint Circular art. 3(6), 9(4)(a), 20(1)(c) and 20(1)(e).
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
from platforms.simulator.schemas import NdcNotificationCreate
from platforms.simulator.service import Platform

__all__ = ["router"]

router = APIRouter(prefix="/ndc", tags=["ndc"], dependencies=[Depends(guarded(Platform.NDC))])


@router.post("/notifications", status_code=202)
async def create_notification(
    body: NdcNotificationCreate, key: IdempotencyKey, simulator: SimulatorDep, request: Request
) -> JSONResponse:
    """Notify a person through the platforms linked to their account; evidence of posting."""
    accepted = await in_thread(
        simulator.create_ndc_notification,
        key=key,
        request=body.model_dump(mode="json"),
        base_url=base_url(request, simulator),
    )
    return await accepted_response(simulator, Platform.NDC, accepted)


add_subject_routes(router, Platform.NDC, "notifications", "notification")

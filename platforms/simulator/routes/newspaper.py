"""A central daily newspaper (print and electronic editions).

Legal basis: Joint Circular art. 20(1)(a) (three consecutive issues) and 20(3)(b).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
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
from platforms.simulator.schemas import PublicationCreate
from platforms.simulator.service import Platform

__all__ = ["router"]

router = APIRouter(
    prefix="/newspaper", tags=["newspaper"], dependencies=[Depends(guarded(Platform.NEWSPAPER))]
)


@router.post("/publications", status_code=201)
async def create_publication(
    body: PublicationCreate, key: IdempotencyKey, simulator: SimulatorDep, request: Request
) -> JSONResponse:
    """Place a notice in the next daily issue; evidence names issue number, date and page."""
    accepted = await in_thread(
        simulator.create_publication,
        key=key,
        request=body.model_dump(mode="json"),
        base_url=base_url(request, simulator),
    )
    return await accepted_response(simulator, Platform.NEWSPAPER, accepted)


@router.get("/issues/{issue_number}")
async def read_issue(
    issue_number: Annotated[int, Path(ge=1, le=100_000)], simulator: SimulatorDep
) -> dict[str, Any]:
    """One issue with the notices it carries."""
    return await in_thread(simulator.issue, issue_number)


add_subject_routes(router, Platform.NEWSPAPER, "publications", "publication")
